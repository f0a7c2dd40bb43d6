"""The referral journey: every allowed move happens, every other move is refused and changes nothing."""

from __future__ import annotations

import html
import itertools

import pytest

from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.referrals.models import Referral, ScreeningDecision, Status
from paedot.referrals.rules import TRANSITIONS, may_move, refusal_message
from paedot.referrals.services import (
    NotAllowed,
    TransitionRefused,
    discharge_referral,
    record_information_received,
    screen_referral,
    stop_waiting_clock,
)
from paedot.referrals.tests.factories import referral_in, staff
from paedot.triage.services import triage_referral
from paedot.waiting_list.services import invite_to_book, record_booking

OPEN = ("received", "information_requested", "accepted", "waiting", "invited", "booked", "seen")
# Written out from the issue, not copied from the code, so the code is checked against the specification.
ALLOWED = {
    ("received", "accepted"),
    ("received", "declined"),
    ("received", "information_requested"),
    ("information_requested", "received"),
    ("accepted", "waiting"),
    ("waiting", "invited"),
    ("invited", "booked"),
    ("waiting", "booked"),
    ("booked", "seen"),
    *((state, "discharged") for state in OPEN),
}
STATUSES = [s.value for s in Status]


@pytest.mark.parametrize(("current", "to"), list(itertools.product(STATUSES, STATUSES)))
def test_the_state_machine_allows_exactly_the_moves_of_the_journey(current, to):
    assert may_move(current, to) == ((current, to) in ALLOWED)


def test_every_status_has_its_moves_listed():
    assert set(TRANSITIONS) == set(STATUSES)


def test_a_refusal_says_where_the_referral_is_and_what_is_possible():
    message = refusal_message("waiting", "accepted", reference="OT-AAAA-BBBB")
    assert "OT-AAAA-BBBB is on the waiting list" in message
    assert "invited to book" in message and "discharged" in message
    assert "closed and cannot change" in refusal_message("declined", "accepted")


def _screen(referral, decision="accept"):
    return screen_referral(referral=referral, decision=decision, reason="Checked", screened_by=staff("clinical_admin"))


def _triage(referral):
    return triage_referral(
        referral=referral,
        priority="routine",
        pathway="advice_and_strategies",
        setting="school",
        reason_for_difference="Test: routine whatever the suggestion",
        triaged_by=staff("ot"),
    )


ACTIONS = {
    "accepted": _screen,
    "declined": lambda r: _screen(r, "decline"),
    "information_requested": lambda r: _screen(r, "request_information"),
    "received": lambda r: record_information_received(referral=r, note="Letter from school", recorded_by=staff("ot")),
    "waiting": _triage,
    "invited": lambda r: invite_to_book(referral=r, invited_by=staff("clinical_admin")),
    "booked": lambda r: record_booking(referral=r, recorded_by=staff("clinical_admin")),
    "discharged": lambda r: discharge_referral(referral=r, reason="No longer needed", discharged_by=staff("ot")),
    "seen": lambda r: stop_waiting_clock(referral=r, attended_on=r.received_date, recorded_by=staff("ot")),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), sorted(ALLOWED))
def test_an_allowed_move_changes_the_status_and_records_who_and_why(current, to):
    referral = referral_in(current)
    ACTIONS[to](referral)
    referral.refresh_from_db()
    assert referral.status == to
    event = AuditEvent.objects.filter(object_id=str(referral.pk), detail__to=to).latest("id")
    assert event.detail["from"] == current
    assert event.actor is not None


REFUSED = sorted((current, to) for current, to in itertools.product(STATUSES, ACTIONS) if (current, to) not in ALLOWED)


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), REFUSED)
def test_a_move_the_journey_does_not_allow_is_refused_and_changes_nothing(current, to):
    referral = referral_in(current)
    before = (Referral.objects.get(pk=referral.pk).status, AuditEvent.objects.count(), Letter.objects.count())
    counts = (ScreeningDecision.objects.count(),)
    with pytest.raises(TransitionRefused):
        ACTIONS[to](referral)
    assert (Referral.objects.get(pk=referral.pk).status, AuditEvent.objects.count(), Letter.objects.count()) == before
    assert (ScreeningDecision.objects.count(),) == counts


@pytest.mark.django_db
def test_a_closed_referral_says_when_and_why_it_closed():
    referral = referral_in("waiting")
    discharge_referral(referral=referral, reason="Moved out of Birmingham", discharged_by=staff("ot"))
    referral.refresh_from_db()
    assert referral.closed_at is not None
    assert referral.closing_reason == "Moved out of Birmingham"
    assert referral.left_queue_at is not None


@pytest.mark.django_db
def test_booking_ends_the_queue_but_not_the_waiting_time_clock():
    referral = referral_in("booked")
    assert referral.left_queue_at is not None
    assert referral.is_on_waiting_list


# Screening ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_a_referral_the_rules_would_decline_is_kept_as_an_override():
    referral = referral_in("received", gp_practice_code="M89001")  # Solihull: the rules decline
    assert referral.eligibility.outcome == "decline"
    screen_referral(
        referral=referral, decision="accept", reason="Moving to a Birmingham GP next week", screened_by=staff("ot")
    )
    screening = ScreeningDecision.objects.get(referral=referral)
    assert screening.overrides_automatic is True
    assert screening.automatic_outcome == "decline"
    assert screening.reason == "Moving to a Birmingham GP next week"


@pytest.mark.django_db
def test_confirming_the_automatic_outcome_is_not_an_override():
    referral = referral_in("received")
    _screen(referral)
    assert ScreeningDecision.objects.get(referral=referral).overrides_automatic is False


@pytest.mark.django_db
def test_screening_needs_a_reason_and_changes_nothing_without_one():
    referral = referral_in("received")
    with pytest.raises(ValueError, match="reason"):
        screen_referral(referral=referral, decision="accept", reason="  ", screened_by=staff("ot"))
    assert Referral.objects.get(pk=referral.pk).status == "received"


@pytest.mark.django_db
def test_a_decline_writes_to_the_referrer_and_family_with_reasons_and_where_to_go_instead():
    referral = referral_in("received", gp_practice_code="M89001")
    screen_referral(
        referral=referral, decision="decline", reason="The GP practice is in Solihull.", screened_by=staff("ot")
    )
    letter = Letter.objects.get(referral=referral, kind="decline")
    assert [r["role"] for r in letter.recipients] == ["referrer", "family"]
    assert "The GP practice is in Solihull." in letter.html
    signposting = referral.eligibility.reasons.get(code="gp_outside_birmingham").signposting
    assert signposting and signposting.split(".")[0] in html.unescape(letter.html)


@pytest.mark.django_db
def test_a_request_for_information_letter_says_what_is_missing():
    referral = referral_in("received")
    screen_referral(
        referral=referral,
        decision="request_information",
        reason="Please tell us how the difficulties affect him at school.",
        screened_by=staff("clinical_admin"),
    )
    letter = Letter.objects.get(referral=referral, kind="information_request")
    assert "Please tell us how the difficulties affect him at school." in letter.html


@pytest.mark.django_db
def test_a_discharge_writes_to_the_family_the_referrer_and_the_gp():
    referral = referral_in("invited")
    discharge_referral(referral=referral, reason="The family asked to close it.", discharged_by=staff("ot"))
    letter = Letter.objects.get(referral=referral, kind="discharge")
    assert sorted(r["role"] for r in letter.recipients) == ["family", "gp", "referrer"]
    assert "The family asked to close it." in letter.html


# Roles ----------------------------------------------------------------------------------------------------------

ROLES = ["clinical_admin", "ot", "ota", "team_lead", "auditor", "system_admin", "partner_system"]
MAY = {
    "screen": {"clinical_admin", "ot", "team_lead"},
    "information": {"clinical_admin", "ot", "team_lead"},
    "discharge": {"ot", "team_lead"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MAY))
def test_each_role_may_or_may_not_take_each_journey_action(role, action):
    person = staff(role, f"{role}-x")
    start = "information_requested" if action == "information" else "received"
    referral = referral_in(start)
    call = {
        "screen": lambda: screen_referral(referral=referral, decision="accept", reason="ok", screened_by=person),
        "information": lambda: record_information_received(referral=referral, note="ok", recorded_by=person),
        "discharge": lambda: discharge_referral(referral=referral, reason="ok", discharged_by=person),
    }[action]
    if role in MAY[action]:
        call()
        assert Referral.objects.get(pk=referral.pk).status != start
    else:
        with pytest.raises(NotAllowed):
            call()
        assert Referral.objects.get(pk=referral.pk).status == start


@pytest.mark.django_db
def test_an_inactive_member_of_staff_may_do_nothing():
    person = staff("team_lead", "left-the-service")
    person.is_active = False
    person.save()
    with pytest.raises(NotAllowed):
        screen_referral(referral=referral_in("received"), decision="accept", reason="ok", screened_by=person)


@pytest.mark.django_db
def test_discharging_an_invited_child_closes_the_invitation_so_nobody_chases_it():
    from paedot.waiting_list.models import Invitation

    referral = referral_in("invited")
    discharge_referral(referral=referral, reason="Family declined the offer", discharged_by=staff("ot"))
    assert list(Invitation.objects.filter(referral=referral).values_list("state", flat=True)) == ["closed"]


@pytest.mark.django_db
def test_discharge_cancels_future_appointments_and_sends_no_reminder_for_them():
    import datetime as dt

    import time_machine

    from paedot.appointments.messages import send_appointment_reminders
    from paedot.appointments.models import Appointment
    from paedot.appointments.services import book_appointment
    from paedot.appointments.tests.factories import clinic, clinician_working, london
    from paedot.notifications.models import Message

    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        referral = referral_in("waiting", received_date=dt.date(2026, 12, 1))
        ot = clinician_working()
        appointment = book_appointment(
            referral=referral,
            clinician=ot,
            kind="assessment",
            location=clinic(),
            start=london(2027, 1, 5, 10),
            duration_minutes=60,
            booked_by=ot,
            notify=False,
        )
        discharge_referral(referral=referral, reason="Family moved to Wales", discharged_by=ot)
        appointment.refresh_from_db()
        assert appointment.cancelled and appointment.outcome == "cancelled_by_service"
        assert appointment.cancellation_reason == "Discharged: Family moved to Wales"
        send_appointment_reminders()
    assert not Message.objects.filter(reference__startswith=f"appointment:{appointment.pk}:").exists()
    assert Appointment.objects.filter(referral=referral, cancelled=False).count() == 0
