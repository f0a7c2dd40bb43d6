"""Giving an advice pack: the letters for home and school (read back from their PDFs), which sheets go where,
consent checked before anything is saved, who may give one, and what is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.advice.models import AdvicePack, PackSheet, StrategySheet
from paedot.advice.rules import AdviceError
from paedot.advice.services import give_advice_pack, revise_strategy_sheet
from paedot.advice.sheet_text import format_body
from paedot.advice.tests.factories import SCHOOL, child_referral, consent, pdf_of, pdf_text
from paedot.advice.timeline import entries_for
from paedot.care.models import Episode
from paedot.care.services.consent import ConsentMissing
from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.referrals.services.journey import NotAllowed, TransitionRefused

pytestmark = pytest.mark.django_db

TODAY = "2027-03-10 10:00 +00:00"
HOME_NOTE = "Practise the buttons on the school shirt after tea."
SCHOOL_NOTE = "Zara sits best near the front, away from the door."


def give(referral, by, **overrides):
    values = {
        "referral": referral,
        "sheets": ["dressing", "pencil-grip-and-handwriting", "sensory-strategies-school"],
        "home_notes": HOME_NOTE,
        "school_notes": SCHOOL_NOTE,
        "for_home": True,
        "for_school": True,
        "given_by": by,
    }
    values.update(overrides)
    return give_advice_pack(**values)


@time_machine.travel(TODAY, tick=False)
def test_the_home_pack_pdf_has_the_childs_name_the_therapists_note_and_each_sheet_on_its_own_page(ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    pack = give(referral, ot_user)

    assert pack.home_letter.kind == "advice_pack_home"
    text = pdf_text(pack.home_letter)
    assert "Advice for Zara" in text
    assert HOME_NOTE in text
    assert SCHOOL_NOTE not in text
    for title in ("Dressing", "Pencil grip and handwriting"):
        assert title in text
    # The school's own sheet is not in the family's letter.
    assert "Sensory strategies at school" not in text
    # The cover, then each sheet starting on a new page.
    assert len(pdf_of(pack.home_letter).pages) >= 1 + 2
    # Notes come first: the note is on the first page, before any sheet.
    assert HOME_NOTE in " ".join(pdf_of(pack.home_letter).pages[0].extract_text().split())


@time_machine.travel(TODAY, tick=False)
def test_the_school_pack_leaves_out_sheets_written_only_for_parents_and_says_so(ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    pack = give(referral, ot_user)

    letter = pack.school_letter
    assert letter.kind == "advice_pack_school"
    assert letter.recipients == [{"role": "school", "name": SCHOOL, "address": ""}]
    text = pdf_text(letter)
    assert "Advice for Zara" in text and SCHOOL_NOTE in text
    assert "Pencil grip and handwriting" in text and "Sensory strategies at school" in text
    assert "Dressing" not in text
    assert len(pdf_of(letter).pages) >= 1 + 2
    placed = {p.sheet_version.sheet.slug: (p.in_home, p.in_school) for p in pack.pack_sheets.all()}
    assert placed == {
        "dressing": (True, False),
        "pencil-grip-and-handwriting": (True, True),
        "sensory-strategies-school": (False, True),
    }


@time_machine.travel(TODAY, tick=False)
def test_the_pack_is_recorded_as_given_with_each_sheets_version_and_an_audit_event(ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)

    pack = give(referral, ot_user, sheets=["dressing", "toileting-routines"], for_school=False, school_notes="")

    assert pack.given_on == dt.date(2027, 3, 10) and pack.given_by == ot_user
    assert pack.episode == Episode.objects.get(referral=referral)
    assert pack.school_letter is None and not pack.for_school
    assert [(p.sheet_version.sheet.slug, p.sheet_version.version) for p in pack.pack_sheets.all()] == [
        ("dressing", 1),
        ("toileting-routines", 1),
    ]
    event = AuditEvent.objects.get(action="advice.given")
    assert event.child_id == referral.child_id and event.actor == ot_user
    assert event.detail["sheets"] == [{"slug": "dressing", "version": 1}, {"slug": "toileting-routines", "version": 1}]


@time_machine.travel(TODAY, tick=False)
def test_without_consent_to_share_with_school_nothing_is_saved(ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    letters_before = Letter.objects.count()

    with pytest.raises(ConsentMissing) as missing:
        give(referral, ot_user)

    assert missing.value.recipients == ["school"]
    assert not AdvicePack.objects.exists()
    assert Letter.objects.count() == letters_before
    assert not AuditEvent.objects.filter(action__in=["advice.given", "letter.issued"]).exists()


@time_machine.travel(TODAY, tick=False)
def test_a_refused_pack_does_not_leave_an_episode_opened_for_it(ot_user):
    referral = child_referral()

    with pytest.raises(ConsentMissing):
        give(referral, ot_user, for_school=False)

    assert not Episode.objects.filter(referral=referral).exists()


@time_machine.travel(TODAY, tick=False)
def test_consent_refused_by_the_family_stops_the_home_pack(ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user, given=False)

    with pytest.raises(ConsentMissing):
        give(referral, ot_user, for_school=False)


@time_machine.travel(TODAY, tick=False)
def test_an_ot_assistant_may_not_give_an_advice_pack(ota_user, ot_user):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    with pytest.raises(NotAllowed):
        give(referral, ota_user)
    assert not AdvicePack.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_an_unknown_sheet_is_refused_naming_its_place_in_the_list(ot_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)

    with pytest.raises(AdviceError) as error:
        give(referral, ot_user, sheets=["dressing", "juggling"], for_school=False)

    assert error.value.field == "sheets.1"
    assert "juggling" in error.value.message


@time_machine.travel(TODAY, tick=False)
def test_a_school_pack_of_sheets_written_only_for_parents_is_refused(ot_user):
    referral = child_referral()
    consent(referral, "school", by=ot_user)

    with pytest.raises(AdviceError) as error:
        give(referral, ot_user, sheets=["dressing", "play-ideas-0-2-years"], for_home=False)

    assert error.value.field == "sheets"
    assert "written for school staff" in error.value.message


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sheets": []}, "sheets"),
        ({"for_home": False, "for_school": False}, "for_home"),
        ({"given_on": dt.date(2027, 3, 11)}, "given_on"),
        ({"home_notes": "x" * 5001}, "home_notes"),
    ],
)
def test_bad_input_is_refused_naming_the_field(ot_user, overrides, field):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)

    with pytest.raises(AdviceError) as error:
        give(referral, ot_user, **overrides)

    assert error.value.field == field


@time_machine.travel(TODAY, tick=False)
def test_a_pack_for_school_needs_a_school_on_the_referral(ot_user):
    referral = child_referral(school_name="")
    consent(referral, "family", "school", by=ot_user)

    with pytest.raises(AdviceError) as error:
        give(referral, ot_user)

    assert error.value.field == "for_school"


@time_machine.travel(TODAY, tick=False)
def test_no_pack_for_a_child_who_has_been_discharged(ot_user):
    from paedot.referrals.services import discharge_referral

    referral = child_referral()
    consent(referral, "family", by=ot_user)
    discharge_referral(referral=referral, reason="Goals met", discharged_by=ot_user)

    with pytest.raises(TransitionRefused):
        give(referral, ot_user, for_school=False)


@time_machine.travel(TODAY, tick=False)
def test_no_pack_for_a_referral_still_being_screened(ot_user):
    referral = child_referral("received")

    with pytest.raises(TransitionRefused):
        give(referral, ot_user, for_school=False)


@time_machine.travel(TODAY, tick=False)
def test_a_sheet_edited_after_a_pack_was_given_leaves_the_pack_as_given(ot_user, team_lead_user):
    referral = child_referral()
    consent(referral, "family", by=ot_user)
    pack = give(referral, ot_user, sheets=["dressing"], for_school=False)
    html_before = pack.home_letter.html
    sheet = StrategySheet.objects.get(slug="dressing")

    revise_strategy_sheet(
        sheet=sheet,
        title="Getting dressed",
        summary=sheet.summary,
        area=sheet.area,
        audience=sheet.audience,
        body=format_body(sheet.body).replace("bunny ears", "two loops"),
        change_note="Plainer words for tying laces.",
        revised_by=team_lead_user,
    )

    given = PackSheet.objects.get(pack=pack).sheet_version
    assert given.version == 1 and given.title == "Dressing"
    assert "bunny ears" in str(given.body)
    pack.home_letter.refresh_from_db()
    assert pack.home_letter.html == html_before
    assert "bunny ears" in pdf_text(pack.home_letter)
    # A pack given now has the new version.
    later = give(referral, ot_user, sheets=["dressing"], for_school=False)
    assert PackSheet.objects.get(pack=later).sheet_version.version == 2
    assert "Getting dressed" in pdf_text(later.home_letter)


@time_machine.travel(TODAY, tick=False)
def test_the_timeline_has_one_entry_per_pack_naming_its_sheets_in_one_query(ot_user, django_assert_num_queries):
    referral = child_referral()
    consent(referral, "family", "school", by=ot_user)
    first = give(referral, ot_user, sheets=["dressing"], for_school=False)
    give(referral, ot_user, sheets=["scissor-skills", "getting-around-school"])

    with django_assert_num_queries(1):
        entries = entries_for(referral)

    assert [e.title for e in entries] == ["Advice pack given", "Advice pack given"]
    assert entries[0].kind == "advice" and entries[0].url == f"/staff/advice/packs/{first.pk}"
    assert entries[0].detail == "For home: Dressing."
    assert entries[1].detail == "For home and school: Scissor skills, Getting around school."
    assert entries[0].who == ot_user.display_name
    assert entries[0].when.tzinfo is not None


@time_machine.travel(TODAY, tick=False)
def test_a_pack_recorded_after_the_day_it_was_given_sits_on_that_day_in_the_timeline(ot_user):
    referral = child_referral(received_date=dt.date(2027, 3, 1))
    consent(referral, "family", by=ot_user)
    give(referral, ot_user, sheets=["dressing"], for_school=False, given_on=dt.date(2027, 3, 8))

    (entry,) = entries_for(referral)

    assert entry.when.date() == dt.date(2027, 3, 8)
