"""Invitations to book: the deadline from the policy in force, the reminder at half time, no reply after the
deadline, and a clinician's decision then (discharge with letters, or longer to reply). Timing with time-machine."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from paedot.letters.models import Kind, Letter
from paedot.referrals.models import Referral
from paedot.referrals.services import NotAllowed, TransitionRefused, discharge_referral
from paedot.referrals.tests.factories import staff
from paedot.waiting_list.models import Invitation, InvitationPolicy
from paedot.waiting_list.services import (
    discharge_for_no_reply,
    extend_invitation,
    invite_to_book,
    process_invitations,
    record_booking,
)
from paedot.waiting_list.tests.factories import waiting_referral

pytestmark = pytest.mark.django_db

UTC = dt.UTC  # London is on GMT in March, so these are also local times
SENT = dt.date(2025, 3, 3)  # a Monday


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def day(n: int) -> dt.date:
    """Day n after the invitation was sent."""
    return SENT + dt.timedelta(days=n)


@pytest.fixture
def traveller():
    with time_machine.travel(at(SENT), tick=False) as traveller:
        yield traveller


@pytest.fixture
def invitation(traveller):
    referral = waiting_referral(received_date=dt.date(2024, 12, 2))
    return invite_to_book(referral=referral, invited_by=staff("clinical_admin"))


def letters(referral: Referral, kind: str) -> list[Letter]:
    return list(Letter.objects.filter(referral=referral, kind=kind))


def test_an_invitation_gives_14_days_to_reply_by_default_and_sends_the_family_a_letter(invitation):
    invitation.refresh_from_db()
    assert invitation.sent_on == SENT
    assert invitation.deadline == day(14)
    assert invitation.reminder_on == day(7)
    assert invitation.reply_days == 14
    assert invitation.state == Invitation.State.OPEN
    assert invitation.referral.status == "invited"
    [letter] = letters(invitation.referral, Kind.INVITATION)
    assert [r["role"] for r in letter.recipients] == ["family"]


def test_the_deadline_comes_from_the_invitation_policy_in_force_on_the_day(traveller):
    InvitationPolicy.objects.create(effective_from=dt.date(2025, 1, 1), reply_days=21, note="Longer for spring")
    InvitationPolicy.objects.create(effective_from=dt.date(2025, 4, 1), reply_days=10, note="Not yet in force")
    admin = staff("clinical_admin")

    invitation = invite_to_book(referral=waiting_referral(), invited_by=admin)

    assert (invitation.reply_days, invitation.deadline, invitation.reminder_on) == (21, day(21), day(10))

    traveller.move_to(at(dt.date(2025, 4, 1)))
    later = invite_to_book(referral=waiting_referral(), invited_by=admin)
    assert (later.reply_days, later.deadline) == (10, dt.date(2025, 4, 11))


def test_only_a_waiting_child_can_be_invited_and_only_by_staff_who_may(invitation):
    with pytest.raises(TransitionRefused):
        invite_to_book(referral=invitation.referral, invited_by=staff("clinical_admin"))
    with pytest.raises(NotAllowed):
        invite_to_book(referral=waiting_referral(), invited_by=staff("auditor"))
    assert Invitation.objects.count() == 1


def test_the_reminder_goes_on_day_7_exactly_once(invitation, traveller):
    traveller.move_to(at(day(6)))
    assert process_invitations().reminders_sent == 0

    traveller.move_to(at(day(7)))
    first = process_invitations()
    second = process_invitations()

    assert (first.reminders_sent, second.reminders_sent) == (1, 0)
    invitation.refresh_from_db()
    assert invitation.reminded_on == day(7)
    [reminder] = letters(invitation.referral, Kind.INVITATION_REMINDER)
    assert [r["role"] for r in reminder.recipients] == ["family"]

    traveller.move_to(at(day(8)))
    assert process_invitations().reminders_sent == 0
    assert len(letters(invitation.referral, Kind.INVITATION_REMINDER)) == 1


def test_a_run_missed_on_day_7_still_sends_the_reminder_before_the_deadline(invitation, traveller):
    traveller.move_to(at(day(10)))

    assert process_invitations().reminders_sent == 1
    invitation.refresh_from_db()
    assert invitation.reminded_on == day(10)


def test_no_reply_on_the_deadline_day_is_not_yet_no_reply(invitation, traveller):
    traveller.move_to(at(day(14), hour=23))

    assert process_invitations().marked_no_reply == 0
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.OPEN


def test_no_reply_the_day_after_the_deadline_puts_the_child_on_the_no_reply_list(invitation, traveller):
    traveller.move_to(at(day(15), hour=0))

    run = process_invitations()
    again = process_invitations()

    assert (run.marked_no_reply, again.marked_no_reply) == (1, 0)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.NO_REPLY
    assert invitation.referral.status == "invited"  # the clock runs on until a clinician decides
    assert list(Invitation.objects.no_reply()) == [invitation]


def test_extending_reopens_the_invitation_with_a_new_deadline_from_today(invitation, traveller):
    traveller.move_to(at(day(20)))
    process_invitations()

    extended = extend_invitation(invitation=invitation, days=7, reason="Mum phoned: away", decided_by=staff("ot"))

    assert extended.state == Invitation.State.OPEN
    assert extended.deadline == day(27)
    assert extended.times_extended == 1
    assert extended.decision_reason == "Mum phoned: away"
    traveller.move_to(at(day(27)))
    assert process_invitations().marked_no_reply == 0
    traveller.move_to(at(day(28)))
    assert process_invitations().marked_no_reply == 1


def test_extending_an_open_invitation_adds_to_its_deadline(invitation, traveller):
    traveller.move_to(at(day(3)))

    extended = extend_invitation(invitation=invitation, days=5, reason="Asked for time", decided_by=staff("ot"))

    assert extended.deadline == day(19)


@pytest.mark.parametrize(
    ("days", "reason", "message"), [(7, "  ", "reason"), (0, "ok", "1 to 90"), (91, "ok", "1 to 90")]
)
def test_an_extension_needs_a_reason_and_a_sensible_number_of_days(invitation, days, reason, message):
    with pytest.raises(ValueError, match=message):
        extend_invitation(invitation=invitation, days=days, reason=reason, decided_by=staff("ot"))
    invitation.refresh_from_db()
    assert invitation.deadline == day(14)


def test_only_a_clinician_decides_what_happens_on_no_reply(invitation):
    for role in ("clinical_admin", "ota", "auditor"):
        with pytest.raises(NotAllowed):
            extend_invitation(invitation=invitation, days=7, reason="x", decided_by=staff(role))


def test_discharge_for_no_reply_discharges_and_writes_to_the_family_the_referrer_and_the_gp(invitation, traveller):
    traveller.move_to(at(day(15)))
    process_invitations()

    referral = discharge_for_no_reply(
        invitation=invitation, reason="No reply to the invitation", decided_by=staff("ot")
    )

    assert referral.status == "discharged"
    assert referral.closing_reason == "No reply to the invitation"
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.CLOSED
    [letter] = letters(referral, Kind.DISCHARGE)
    assert sorted(r["role"] for r in letter.recipients) == ["family", "gp", "referrer"]
    assert "No reply to the invitation" in letter.html


def test_discharge_for_no_reply_needs_the_deadline_to_have_passed_and_a_reason(invitation, traveller):
    ot = staff("ot")
    with pytest.raises(TransitionRefused):
        discharge_for_no_reply(invitation=invitation, reason="Too soon", decided_by=ot)
    traveller.move_to(at(day(15)))
    process_invitations()
    with pytest.raises(ValueError, match="reason"):
        discharge_for_no_reply(invitation=invitation, reason=" ", decided_by=ot)
    invitation.refresh_from_db()
    assert (invitation.state, invitation.referral.status) == (Invitation.State.NO_REPLY, "invited")
    assert letters(invitation.referral, Kind.DISCHARGE) == []


def test_a_booking_moves_the_child_from_invited_to_booked_and_closes_the_invitation(invitation, traveller):
    traveller.move_to(at(day(15)))
    process_invitations()  # even after the deadline, a late reply is welcome

    referral = record_booking(referral=invitation.referral, recorded_by=staff("ota"), note="Booked for 10 April")

    assert referral.status == "booked"
    assert referral.left_queue_at is not None
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REPLIED
    with pytest.raises(TransitionRefused):
        record_booking(referral=referral, recorded_by=staff("ota"))


def test_a_child_discharged_from_their_page_while_invited_gets_no_reminder_and_no_no_reply_decision(
    invitation, traveller
):
    discharge_referral(referral=invitation.referral, reason="Family moved away", discharged_by=staff("ot"))

    traveller.move_to(at(day(7)))
    assert process_invitations().reminders_sent == 0
    traveller.move_to(at(day(15)))
    assert process_invitations().marked_no_reply == 0
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.CLOSED
    assert letters(invitation.referral, Kind.INVITATION_REMINDER) == []


def test_the_daily_command_prints_what_it_did(invitation, traveller):
    other = invite_to_book(referral=waiting_referral(), invited_by=staff("clinical_admin"))
    traveller.move_to(at(day(7)))
    out = StringIO()

    call_command("process_invitations", stdout=out)

    assert out.getvalue().strip() == "Reminders sent: 2. No reply by the deadline: 0."
    traveller.move_to(at(day(15)))
    out = StringIO()
    call_command("process_invitations", stdout=out)
    assert out.getvalue().strip() == "Reminders sent: 0. No reply by the deadline: 2."
    assert Invitation.objects.no_reply().count() == 2
    assert other.pk != invitation.pk
