"""Hazard H12: when the service cancels a group session still to come, the families with a place who were reminded
of it are sent an email and text saying so (as reminders are sent); the others are sent nothing, and the page, the
API and the audit event say who was told and who was not. Now is Monday 4 January 2027, 9am."""

from __future__ import annotations

import pytest
import time_machine

from paedot.appointments import messages
from paedot.appointments.services import cancel_appointment, cancel_warnings, families_told_of_cancellation
from paedot.core.models import AuditEvent
from paedot.groups.models import Enrolment
from paedot.groups.services import enrol, withdraw
from paedot.groups.tests.factories import NOW, at, enrolled_children, handwriting_group, with_sessions
from paedot.notifications.models import Channel, Message
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def early_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


def remind_and_deliver() -> int:
    """The morning's reminders, queued and then sent by the worker (here nothing runs it): a reminder still waiting
    when its session is cancelled is withdrawn instead, and the family was never reminded by it."""
    reminded = messages.send_appointment_reminders()
    Message.objects.filter(reference__contains=":reminder:", status="queued").update(status="sent")
    return reminded


def cancellations() -> list[Message]:
    return list(Message.objects.filter(reference__contains=":cancelled:").order_by("referral_id", "channel"))


def test_the_families_reminded_of_a_cancelled_session_are_sent_an_email_and_text_naming_it():
    programme = handwriting_group()
    sessions = with_sessions(programme, first=at(2027, 1, 5), sessions=2)  # tomorrow, then a week on
    first, second = enrolled_children(programme, 2)
    assert remind_and_deliver() == 2  # both families reminded of tomorrow's session

    cancelled = cancel_appointment(appointment=sessions[0], by="service", reason="OT unwell", cancelled_by=staff("ot"))

    sent = cancellations()
    assert {m.referral_id for m in sent} == {first.pk, second.pk}
    assert {m.channel for m in sent} <= {Channel.EMAIL, Channel.SMS}
    email = next(m for m in sent if m.channel == Channel.EMAIL)
    assert email.subject == "The Handwriting group session on Tuesday 5 January 2027 at 9:30am is cancelled"
    assert "The group's other sessions go ahead as planned." in email.body
    assert cancel_warnings(cancelled) == []  # every family with a place was told
    assert families_told_of_cancellation(cancelled) == sorted([first.reference, second.reference])
    (event,) = AuditEvent.objects.filter(action="appointment.cancelled")
    assert event.detail["told"] == sorted([first.reference, second.reference]) and event.detail["warnings"] == []


def test_families_not_reminded_are_sent_nothing_and_the_warning_says_how_many():
    programme = handwriting_group()
    (session,) = with_sessions(programme, first=at(2027, 1, 5), sessions=1)
    (reminded,) = enrolled_children(programme, 1)
    assert remind_and_deliver() == 1
    late = referral_in("waiting")
    enrol(programme=programme, referral=late, enrolled_by=staff("clinical_admin", "clerk-late"))  # after the reminders

    cancelled = cancel_appointment(appointment=session, by="service", reason="Room flooded", cancelled_by=staff("ot"))

    assert {m.referral_id for m in cancellations()} == {reminded.pk}
    (warning,) = cancel_warnings(cancelled)
    assert warning["code"] == "family_not_told"
    assert "the other 1 family with a place in the group" in warning["message"]
    assert warning["message"].endswith("Tell them yourself.")


def test_a_family_withdrawn_after_the_reminder_is_sent_no_cancellation():
    programme = handwriting_group()
    (session,) = with_sessions(programme, first=at(2027, 1, 5), sessions=1)
    stays, leaves = enrolled_children(programme, 2)
    remind_and_deliver()
    withdraw(enrolment=Enrolment.objects.get(referral=leaves), reason="Moved away", withdrawn_by=staff("ot"))

    cancel_appointment(appointment=session, by="service", reason="OT unwell", cancelled_by=staff("ot"))

    assert {m.referral_id for m in cancellations()} == {stays.pk}


def test_no_family_reminded_means_no_cancellation_and_the_warning_says_to_tell_them():
    programme = handwriting_group()
    sessions = with_sessions(programme, first=at(2027, 1, 5), sessions=2)
    enrolled_children(programme, 2)
    remind_and_deliver()  # reminds of tomorrow's only

    cancelled = cancel_appointment(
        appointment=sessions[1], by="service", reason="OT on leave", cancelled_by=staff("ot")
    )

    assert cancellations() == []
    (warning,) = cancel_warnings(cancelled)
    assert "none of them had been reminded of the session" in warning["message"]
    assert "Tell the families with a place in the group yourself." in warning["message"]


def test_a_session_cancelled_after_it_started_sends_no_family_anything():
    programme = handwriting_group()
    (session,) = with_sessions(programme, first=at(2027, 1, 5), sessions=1)
    enrolled_children(programme, 1)
    remind_and_deliver()
    with time_machine.travel("2027-01-05 10:00 +00:00", tick=False):  # the session has started
        cancelled = cancel_appointment(
            appointment=session, by="service", reason="Typed wrongly", cancelled_by=staff("ot")
        )
        assert cancellations() == []
        (warning,) = cancel_warnings(cancelled)
        assert warning["message"].endswith("the session had already started when it was cancelled.")


def test_the_page_and_the_api_say_who_was_told(client):
    programme = handwriting_group()
    sessions = with_sessions(programme, first=at(2027, 1, 5), sessions=2)
    first, second = enrolled_children(programme, 2)
    remind_and_deliver()
    client.force_login(staff("ot", "ot-cancels"))

    page = client.post(
        f"/staff/appointments/{sessions[0].pk}/cancel", {"by": "service", "reason": "OT unwell"}, follow=True
    ).content.decode()
    assert "sent to the families reminded of it:" in page
    assert first.reference in page and second.reference in page

    with time_machine.travel("2027-01-11 09:00 +00:00", tick=False):  # the second session is reminded of, then
        remind_and_deliver()
        token = issue_api_token(user=staff("ot", "ot-cancels-api"), name="t")
        response = client.post(
            f"/api/appointments/{sessions[1].pk}/cancel",
            data={"by": "service", "reason": "OT unwell"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 200, response.content
    assert response.json()["told"] == sorted([first.reference, second.reference])
    assert response.json()["warnings"] == []
