"""The Needs attention worklist: each section's rule at its boundary, who sees what, and the team leads' digest."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.appointments.models import AttendanceFlag
from paedot.appointments.tests.factories import london
from paedot.attention.services import (
    FLAGS,
    MESSAGES,
    OUTCOMES,
    SCHOOL_CALENDAR,
    SCREENING,
    TRIAGE,
    WAITING,
    Scope,
    needs_attention,
    section_counts,
    send_attention_digests,
)
from paedot.attention.tests.factories import (
    NOW,
    TODAY,
    appointment_for,
    days_ago,
    failed_message,
    group_session,
    open_flag,
    person,
    referral_at,
)
from paedot.notifications.models import Message
from paedot.restricted_records.services import restrict_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_a_wednesday_in_march():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ot():
    return person("ot", "ot-attention")


@pytest.fixture
def lead():
    return person("team_lead", "lead-attention", email="lead@example.nhs.uk")


def section(user, info, *, scope=Scope.ALL, **kwargs):
    (found,) = [s for s in needs_attention(user, scope=scope, **kwargs).sections if s.code == info.code]
    return found


def references(user, info, **kwargs) -> list[str | None]:
    return [item.reference for item in section(user, info, **kwargs).items]


# Missed appointments ("was not brought" flags) ---------------------------------------------------------------


def test_an_open_flag_is_listed_with_the_child_its_reason_since_when_and_the_clinician(lead, ot):
    referral = referral_at("booked", received=days_ago(60), priority="routine", clinician=ot)
    flag = open_flag(referral, raised=days_ago(3))

    (item,) = section(lead, FLAGS).items

    assert item.reference == referral.reference
    assert item.child_name == referral.child.full_name
    assert item.finding.since == days_ago(3) and item.finding.days == 3
    assert item.finding.why.startswith("2 appointments in a row where the child was not brought.")
    assert "not reviewed for 3 days" in item.finding.why
    assert item.clinician == ot
    assert item.link == f"/staff/referrals/{referral.reference}#attendance-flag-{flag.pk}"


def test_a_reviewed_flag_leaves_the_list(lead):
    flag = open_flag(referral_at("booked", received=days_ago(60), priority="routine"), raised=days_ago(3))
    AttendanceFlag.objects.filter(pk=flag.pk).update(state=AttendanceFlag.State.REVIEWED, review_note="Rang mum")

    assert section(lead, FLAGS).count == 0


# Outcomes not recorded ----------------------------------------------------------------------------------------


def test_a_past_appointment_with_no_outcome_is_listed_from_the_day_after_never_on_the_day(lead, ot):
    referral = referral_at("booked", received=days_ago(60), priority="routine", clinician=ot)
    yesterday = appointment_for(referral, clinician=ot, start=london(2027, 3, 9, 16))
    appointment_for(referral, clinician=ot, start=london(2027, 3, 10, 9))  # this morning: still today
    appointment_for(referral, clinician=ot, start=london(2027, 3, 8, 10), outcome="attended")
    appointment_for(referral, clinician=ot, start=london(2027, 3, 5, 10), cancelled=True, outcome="cancelled_by_family")

    (item,) = section(lead, OUTCOMES).items

    assert item.link == f"/staff/appointments/{yesterday.pk}"
    assert item.reference == referral.reference
    assert item.clinician == ot
    assert item.finding.why == (
        "Treatment session on 9 March 2027 at 16:00: no outcome recorded after 1 day. Was the child brought?"
    )


@pytest.mark.parametrize("cap", [0, 1, 5000])
def test_appointments_with_no_outcome_are_the_same_however_many_are_checked_referral_by_referral(
    lead, ot, monkeypatch, cap
):
    import paedot.attention.services as services

    monkeypatch.setattr(services, "OUTCOME_CAP", cap)  # past the cap, every visible referral is joined instead
    first = referral_at("booked", received=days_ago(60), priority="routine", clinician=ot)
    second = referral_at("booked", received=days_ago(50), priority="routine", clinician=ot)
    for referral, day, hour in ((first, 8, 10), (second, 9, 10), (first, 9, 14)):
        appointment_for(referral, clinician=ot, start=london(2027, 3, day, hour))

    found = section(lead, OUTCOMES)
    assert found.count == 3
    assert [item.reference for item in found.items] == [first.reference, second.reference, first.reference]


def test_the_day_ends_at_midnight_in_london_not_utc(lead, ot):
    referral = referral_at("booked", received=dt.date(2027, 5, 1), priority="routine", clinician=ot)
    appointment_for(referral, clinician=ot, start=london(2027, 6, 30, 22, 30))  # ends 23:15 BST, 22:15 UTC

    # 00:30 on 1 July in London is still 30 June in UTC: the appointment's day is over in London.
    with time_machine.travel(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        assert section(lead, OUTCOMES, today=dt.date(2027, 7, 1)).count == 1
    with time_machine.travel(dt.datetime(2027, 6, 30, 22, 50, tzinfo=dt.UTC), tick=False):
        assert section(lead, OUTCOMES, today=dt.date(2027, 6, 30)).count == 0


def test_a_group_session_is_listed_until_its_register_is_complete(lead, ot):
    children = [referral_at("booked", received=days_ago(60), priority="routine") for _ in range(3)]
    session = group_session(
        clinician=ot,
        start=london(2027, 3, 8, 9, 30),
        children=children,
        recorded={children[0]: "attended", children[1]: "was_not_brought"},
    )
    complete = group_session(
        clinician=ot, start=london(2027, 3, 1, 9, 30), children=children[:1], recorded={children[0]: "attended"}
    )

    (item,) = section(lead, OUTCOMES).items

    assert item.reference is None and item.what == "Handwriting group"
    assert item.link == f"/staff/groups/{session.programme_id}/sessions/{session.pk}/"
    assert "the register is not complete (1 child has no outcome)" in item.finding.why
    assert item.clinician == ot
    assert complete.pk != session.pk


def test_one_to_one_appointments_and_group_sessions_are_listed_together_oldest_first(lead, ot):
    referral = referral_at("booked", received=days_ago(60), priority="routine", clinician=ot)
    appointment_for(referral, clinician=ot, start=london(2027, 3, 9, 10))
    group_session(clinician=ot, start=london(2027, 3, 2, 9, 30), children=[referral])
    appointment_for(referral, clinician=ot, start=london(2027, 2, 23, 10))

    found = section(lead, OUTCOMES)

    assert found.count == 3
    assert [item.finding.since for item in found.items] == [
        dt.date(2027, 2, 23),
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 9),
    ]


# Screening and triage -----------------------------------------------------------------------------------------


def test_a_referral_is_over_the_screening_limit_on_day_8_not_day_7(lead):
    on_the_limit = referral_at("received", received=days_ago(7))
    over = referral_at("received", received=days_ago(8))

    found = section(lead, SCREENING)

    assert [item.reference for item in found.items] == [over.reference]
    assert found.items[0].finding.why == "Not screened: waited 8 days since received, limit 7."
    assert on_the_limit.reference not in references(lead, SCREENING)


def test_information_asked_for_is_chased_after_14_days_and_a_referral_back_with_it_counts_from_its_return(lead):
    asked_14 = referral_at("information_requested", received=days_ago(40), moved=days_ago(14))
    asked_15 = referral_at("information_requested", received=days_ago(40), moved=days_ago(15))
    back_3_days = referral_at("received", received=days_ago(40), moved=days_ago(3))
    back_8_days = referral_at("received", received=days_ago(40), moved=days_ago(8))

    listed = references(lead, SCREENING)

    assert listed == [asked_15.reference, back_8_days.reference]
    assert asked_14.reference not in listed and back_3_days.reference not in listed


def test_an_accepted_referral_is_over_the_triage_limit_on_day_8_since_accepted(lead):
    referral_at("accepted", received=days_ago(30), moved=days_ago(7))
    over = referral_at("accepted", received=days_ago(30), moved=days_ago(8))

    found = section(lead, TRIAGE)

    assert [item.reference for item in found.items] == [over.reference]
    assert found.items[0].link == f"/staff/triage/{over.reference}"
    assert found.items[0].finding.why == "Not triaged: accepted 2 March 2027, waited 8 days, limit 7."


# The waiting list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("priority", "target"), [("urgent", 14), ("soon", 42), ("routine", 126)])
def test_a_child_is_over_their_prioritys_target_the_day_after_it(lead, priority, target):
    referral_at("waiting", received=days_ago(target), priority=priority)
    over = referral_at("invited", received=days_ago(target + 1), priority=priority)

    found = section(lead, WAITING)

    assert [item.reference for item in found.items] == [over.reference]
    assert found.items[0].finding.why == f"{priority.title()}: waited {target + 1} days, target {target}."
    assert found.items[0].priority == priority


def test_urgent_children_over_target_come_first_and_seen_or_closed_children_never_appear(lead):
    routine = referral_at("booked", received=days_ago(300), priority="routine")
    urgent = referral_at("waiting", received=days_ago(20), priority="urgent")
    referral_at("seen", received=days_ago(300), priority="routine")
    referral_at("discharged", received=days_ago(300), priority="urgent")

    assert references(lead, WAITING) == [urgent.reference, routine.reference]


# Who sees what ------------------------------------------------------------------------------------------------


def everything_over_for(clinician=None, locality=None):
    """One of each kind of item, about one child."""
    referral = referral_at("waiting", received=days_ago(30), priority="urgent", clinician=clinician, locality=locality)
    open_flag(referral, raised=days_ago(2))
    appointment_for(referral, clinician=clinician or person("ot", f"ot-{referral.pk}"), start=london(2027, 3, 9, 10))
    screening = referral_at("received", received=days_ago(20), clinician=clinician, locality=locality)
    triage = referral_at("accepted", received=days_ago(20), moved=days_ago(10), clinician=clinician, locality=locality)
    return referral, screening, triage


def test_another_localitys_child_is_neither_listed_nor_counted():
    north_ot = person("ot", "ot-north", localities=["North"])
    everything_over_for(locality="South")

    assert section_counts(north_ot) == dict.fromkeys(section_counts(north_ot), 0)
    assert needs_attention(north_ot, scope=Scope.ALL).total == 0
    assert needs_attention(person("ot", "ot-citywide"), scope=Scope.ALL).total == 5


def test_a_restricted_record_is_listed_only_for_the_staff_named_on_it(lead, ot):
    referral, screening, triage = everything_over_for()
    for record in (referral, screening, triage):
        restrict_record(child=record.child, reason="Safeguarding", named_staff=[], by=lead)

    assert needs_attention(ot, scope=Scope.ALL).total == 0
    assert needs_attention(lead, scope=Scope.ALL).total == 5


def test_a_clinician_sees_their_own_work_by_default_and_everyone_they_can_see_when_they_ask(ot):
    mine = everything_over_for(clinician=ot)
    others = everything_over_for(clinician=person("ot", "ot-colleague"))

    default = needs_attention(ot)
    everyone = needs_attention(ot, scope=Scope.ALL)

    assert default.scope == Scope.MINE
    assert default.total == 5 and everyone.total == 10
    listed = {item.reference for s in default.sections for item in s.items}
    assert listed == {r.reference for r in mine}
    assert not listed & {r.reference for r in others}


def test_team_leads_and_admin_staff_see_everyone_they_can_see_by_default(lead):
    everything_over_for(clinician=person("ot", "ot-colleague"))

    assert needs_attention(lead).scope == Scope.ALL
    assert needs_attention(lead).total == 5
    assert needs_attention(person("clinical_admin", "clerk-attention")).total == 5


def test_each_section_lists_its_oldest_items_and_counts_the_rest(lead):
    for n in range(5):
        referral_at("received", received=days_ago(20 + n))

    found = section(lead, SCREENING, shown=3)

    assert found.count == 5 and found.more == 2
    assert [item.finding.days for item in found.items] == [24, 23, 22]


def test_failed_messages_to_families_are_listed_oldest_first_through_the_same_visibility(lead, ot):
    mine = referral_at("waiting", received=days_ago(5), clinician=ot)
    colleagues = referral_at("waiting", received=days_ago(5), clinician=person("ot", "ot-colleague"))
    restricted = referral_at("waiting", received=days_ago(5), clinician=ot)
    newer = failed_message(mine, queued=days_ago(1))
    older = failed_message(colleagues, queued=days_ago(4), channel="sms")
    failed_message(restricted, queued=days_ago(2))
    restrict_record(child=restricted.child, reason="Safeguarding", named_staff=[lead], by=lead)
    failed_message(mine, queued=days_ago(3), status="dealt_with")  # told by phone: nothing to act on
    failed_message(mine, queued=days_ago(3), status="outbox_only")  # no text service: the letter went
    Message.objects.create(
        channel="email", recipient="lead@example.nhs.uk", body="Digest", reference="d:1", status="failed"
    )  # to staff, about no child

    mine_only = section(ot, MESSAGES, scope=Scope.MINE)
    assert [item.link for item in mine_only.items] == [f"/staff/messages/{newer.pk}"]
    everyone = section(ot, MESSAGES)
    assert [item.reference for item in everyone.items] == [colleagues.reference, mine.reference]
    assert everyone.items[0].finding.why.startswith("Text message to the parent or carer, queued 6 March 2027")
    assert everyone.items[0].link == f"/staff/messages/{older.pk}"
    assert section(lead, MESSAGES).count == 3  # the lead is named on the restricted record
    assert section_counts(lead)[MESSAGES.code] == 3


def test_an_ot_assistant_has_no_messages_section():
    assistant = person("ota", "ota-attention")
    assert MESSAGES.code not in {s.code for s in needs_attention(assistant).sections}
    assert MESSAGES.code not in section_counts(assistant)


# The team leads' daily digest ---------------------------------------------------------------------------------


def test_the_digest_goes_to_each_team_lead_once_a_day_with_counts_and_no_names(lead, ot):
    other_lead = person("team_lead", "lead-two", email="lead2@example.nhs.uk")
    person("team_lead", "lead-no-email")
    referral, screening, triage = everything_over_for(clinician=ot)

    assert send_attention_digests() == 2
    assert send_attention_digests() == 0  # a second run the same day sends nothing more

    messages = Message.objects.filter(reference__startswith="attention-digest:").order_by("pk")
    assert [m.recipient for m in messages] == [lead.email, other_lead.email]
    body = messages[0].body
    assert "Missed appointments to review: 1" in body
    assert "Referrals waiting too long for screening: 1" in body
    assert "Children waiting longer than their priority's target: 1" in body
    assert "/staff/attention/" in body
    for record in (referral, screening, triage):
        for personal in (record.child.given_name, record.child.family_name, record.reference):
            assert personal not in body and personal not in messages[0].subject

    with time_machine.travel(dt.datetime(2027, 3, 11, 6, tzinfo=dt.UTC), tick=False):
        assert send_attention_digests() == 2  # the next day's


def test_no_digest_when_nothing_is_over_its_limit(lead):
    referral_at("received", received=TODAY)

    assert send_attention_digests() == 0
    assert not Message.objects.exists()


def test_the_digest_is_one_of_the_daily_jobs(settings):
    assert "paedot.attention.services.send_attention_digests" in settings.PAEDOT_DAILY_JOBS


# The school holidays held running out (a service item, hazard H16) ------------------------------------------------

SIXTEEN_WEEKS_BEFORE = dt.date(2028, 5, 11)  # the school holidays held end on 31 August 2028


@pytest.mark.parametrize(("today", "count"), [(SIXTEEN_WEEKS_BEFORE, 1), (SIXTEEN_WEEKS_BEFORE - dt.timedelta(1), 0)])
def test_the_school_holidays_held_are_listed_16_weeks_before_they_run_out_and_not_16_weeks_and_a_day(
    lead, today, count
):
    found = section(lead, SCHOOL_CALENDAR, today=today)

    assert found.count == count
    assert section_counts(lead, today=today)[SCHOOL_CALENDAR.code] == count
    if count:
        (item,) = found.items
        assert item.reference is None and item.clinician is None
        assert item.code == "school_calendar_ending"
        assert item.finding.why.startswith("The school holidays held end on 31 August 2028, 112 days from today.")
        assert item.link == "/staff/diaries/closures#school-holidays"


@pytest.mark.parametrize(
    ("role", "listed"), [("team_lead", True), ("clinical_admin", True), ("ot", False), ("ota", False)]
)
def test_only_team_leads_and_admin_staff_have_the_school_holidays_section(role, listed):
    someone = person(role, f"{role}-calendar")
    for scope in (Scope.MINE, Scope.ALL):
        codes = {s.code for s in needs_attention(someone, scope=scope, today=SIXTEEN_WEEKS_BEFORE).sections}
        assert (SCHOOL_CALENDAR.code in codes) is listed
    assert (SCHOOL_CALENDAR.code in section_counts(someone, today=SIXTEEN_WEEKS_BEFORE)) is listed


def test_the_digest_tells_team_leads_the_school_holidays_held_are_running_out(lead):
    assert send_attention_digests(today=SIXTEEN_WEEKS_BEFORE - dt.timedelta(1)) == 0

    assert send_attention_digests(today=SIXTEEN_WEEKS_BEFORE) == 1

    (message,) = Message.objects.filter(reference__startswith="attention-digest:")
    assert "- School holidays held running out: 1" in message.body
    assert message.subject == "Needs attention: 1 item over the service's limits"
