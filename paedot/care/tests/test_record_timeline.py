"""The child's timeline: every part of the record, newest first, filtered by kind, in a fixed number of queries
however long the record; the page and the JSON."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paedot.care import timeline_sources
from paedot.care.services.discharge import discharge_episode
from paedot.care.services.equipment import issue_equipment, record_return
from paedot.care.tests.test_record_support import (
    appointment,
    assessment_for,
    bearer,
    child_with_episode,
    consent,
    package_for,
    review_for,
)
from paedot.care.timeline import TimelineEntry
from paedot.care.timeline_sources import timeline_for
from paedot.letters.models import Letter
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def full_record():
    referral, episode = child_with_episode()
    appointment(referral, timezone.now() + dt.timedelta(hours=1), kind="assessment", outcome="attended")
    assessment_for(episode)
    review_for(package_for(episode))
    item = issue_equipment(
        referral=referral,
        kind="splint",
        item="Resting splint",
        issued_on=timezone.localdate(),
        issued_by=staff("ot"),
    )
    record_return(issue=item, returned_on=timezone.localdate(), by=staff("ot"))
    consent(episode, "family")
    discharge_episode(
        referral=referral, reason="goals_met", summary="All met.", send_to=["family"], discharged_by=staff("ot")
    )
    return referral


def test_the_timeline_holds_every_part_of_the_record_newest_first():
    referral = full_record()
    entries = timeline_for(referral)
    kinds = {e.kind for e in entries}
    assert {
        "referral.received",
        "referral.eligibility",
        "referral.screened",
        "referral.status",
        "appointment",
        "assessment",
        "package",
        "review",
        "equipment.issued",
        "equipment.returned",
        "consent",
        "letter",
        "discharge",
    } <= kinds
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    assert entries[-1].kind == "referral.received"
    review = next(e for e in entries if e.kind == "review")
    assert review.title == "Review of block 1: T-score 61.02"
    package = next(e for e in entries if e.kind == "package")
    assert "Goal 1: Do up four buttons" in package.detail
    # The episode's discharge says more than the referral's: it is shown once.
    assert [e.title for e in entries if e.kind == "discharge"] == ["Discharged: goals met"]
    letter = next(e for e in entries if e.kind == "letter" and "Discharge summary" in e.title)
    assert letter.url.endswith(".pdf")


def test_the_timeline_filters_by_kind_group_or_exactly():
    referral = full_record()
    assert {e.kind for e in timeline_for(referral, kind="equipment")} == {"equipment.issued", "equipment.returned"}
    assert {e.kind for e in timeline_for(referral, kind="equipment.returned")} == {"equipment.returned"}
    assert {e.kind for e in timeline_for(referral, kind="referral")} <= {
        "referral.received",
        "referral.eligibility",
        "referral.screened",
        "referral.status",
    }


def test_the_number_of_queries_does_not_grow_with_the_record(django_assert_max_num_queries):
    # The small record has one of everything, so each source's query (and prefetch) runs for it too.
    small, small_episode = child_with_episode()
    appointment(small, ago(100))  # well apart from the big record's: one clinician, no double booking
    review_for(package_for(small_episode))
    consent(small_episode, "family")
    Letter.objects.create(referral=small, kind="appointment", recipients=[], subject="x", html="<p>x</p>")
    with CaptureQueriesContext(connection) as few:
        timeline_for(small)
    big, episode = child_with_episode()
    for day in range(30):
        appointment(big, ago(day + 2), outcome="attended")
        Letter.objects.create(referral=big, kind="appointment", recipients=[], subject="x", html="<p>x</p>")
    for _ in range(3):
        review_for(package_for(episode))
    consent(episode, "family", "gp", "school")
    with django_assert_max_num_queries(len(few.captured_queries)):
        entries = timeline_for(big)
    assert len([e for e in entries if e.kind == "appointment"]) == 30


def test_clinical_notes_and_advice_packs_join_the_timeline():
    from paedot.advice.services import give_advice_pack
    from paedot.casenotes.services import write_note

    referral, episode = child_with_episode()
    ot = staff("ot", "ot-timeline-sources")
    write_note(
        referral=referral,
        contact_kind="telephone",
        contact_on=timezone.localdate(),
        body="Spoke to mum about dressing.",
        author=ot,
    )
    consent(episode, "family")
    give_advice_pack(
        referral=referral,
        sheets=["dressing"],
        home_notes="Try the back-to-front trick.",
        school_notes="",
        for_home=True,
        for_school=False,
        given_by=ot,
    )
    kinds = {entry.kind for entry in timeline_for(referral)}
    assert "note" in kinds
    assert "advice" in kinds


def test_entries_from_another_source_are_ordered_with_the_rest(monkeypatch):
    referral, _ = child_with_episode()
    module = types.ModuleType("paedot.care.tests.fake_notes_timeline")
    module.entries_for = lambda r: [
        TimelineEntry(when=timezone.now() + dt.timedelta(minutes=5), kind="note", title="Clinical note")
    ]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(timeline_sources, "OTHER_SOURCES", (module.__name__,))
    entries = timeline_for(referral)
    assert entries[0].title == "Clinical note"


def test_the_timeline_page_groups_entries_by_date_and_filters(client, django_assert_max_num_queries):
    referral = full_record()
    client.force_login(staff("clinical_admin"))
    response = client.get(f"/staff/care/{referral.reference}/timeline")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Review of block 1: T-score 61.02" in page
    assert f'id="day-{timezone.localdate().isoformat()}"' in page
    filtered = client.get(f"/staff/care/{referral.reference}/timeline?kind=equipment").content.decode()
    assert "Resting splint" in filtered and "T-score" not in filtered


def test_the_timeline_page_is_for_the_clinical_team(client):
    referral = referral_in("seen")
    client.force_login(staff("auditor"))
    assert client.get(f"/staff/care/{referral.reference}/timeline").status_code == 403


def test_the_timeline_api_shape(client):
    referral = full_record()
    response = client.get(f"/api/referrals/{referral.reference}/timeline", **bearer("ot"))
    assert response.status_code == 200
    body = response.json()
    assert set(body[0]) == {"when", "kind", "title", "detail", "url", "who"}
    assert body[-1]["kind"] == "referral.received"
    assert dt.datetime.fromisoformat(body[0]["when"]) >= dt.datetime.fromisoformat(body[-1]["when"])
    only = client.get(f"/api/referrals/{referral.reference}/timeline?kind=review", **bearer("ot")).json()
    assert [e["kind"] for e in only] == ["review"]


def test_the_timeline_api_refuses_a_partner_system_that_did_not_send_the_referral(client, partner_token):
    referral = referral_in("seen")
    response = client.get(f"/api/referrals/{referral.reference}/timeline", HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    assert response.status_code == 404
