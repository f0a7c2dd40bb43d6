"""The outbox: messages are kept, then sent by a background task after the caller's transaction commits; text
messages go through GOV.UK Notify only when it is configured; failures are recorded and retried, within limits."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from notifications_python_client.errors import HTTPError

from paedot.notifications import rules
from paedot.notifications.models import Message
from paedot.notifications.services import Attachment, queue_message
from paedot.notifications.tasks import requeue_stalled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

CLIENT = "paedot.notifications.tasks.NotificationsAPIClient"


def email(reference="test:1:booked", **kw):
    return queue_message(
        channel="email",
        recipient=kw.pop("recipient", "parent@example.com"),
        subject=kw.pop("subject", "Your appointment"),
        body=kw.pop("body", "We have booked an appointment."),
        reference=reference,
        **kw,
    )


def sms(reference="test:1:booked", number="07700 900123"):
    return queue_message(channel="sms", recipient=number, body="An appointment is booked.", reference=reference)


class FlakyBackend:
    """A mail server that refuses the first `failures` messages."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ConnectionRefusedError("mail server parent@example.com refused")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_mail(settings):
    FlakyBackend.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    mail.outbox = []
    return FlakyBackend


def test_an_email_waits_in_the_outbox_until_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = email()
        assert Message.objects.get().status == "queued"
        assert mail.outbox == []
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("sent", 1, "")
    assert message.sent_at is not None
    [sent] = mail.outbox
    assert sent.to == ["parent@example.com"]
    assert sent.subject == "Your appointment"


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email()
        raise RuntimeError("the booking failed")
    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_the_same_message_queued_twice_is_kept_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email()
        again = email(body="A retried request")
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_email_and_a_text_may_share_a_reference(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email()
        sms()
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_an_attachment_goes_with_the_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email(attachment=Attachment("appointment.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"))
    [(name, content, mimetype)] = mail.outbox[0].attachments
    assert name == "appointment.ics"
    assert mimetype == "text/calendar"
    assert "BEGIN:VCALENDAR" in (content.decode() if isinstance(content, bytes) else content)


def test_a_text_stays_in_the_outbox_when_notify_is_not_configured(django_capture_on_commit_callbacks):
    with mock.patch(CLIENT) as client, django_capture_on_commit_callbacks(execute=True):
        message = sms(number="+44 7700 900123")
    message.refresh_from_db()
    assert message.status == "outbox_only"
    assert message.recipient == "07700900123"
    assert message.sent_at is None
    client.assert_not_called()


def test_a_text_goes_through_notify_when_a_key_is_set(settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_API_KEY = "test_key-00000000-0000-0000-0000-000000000000-00000000-0000-0000-0000-000000000000"
    settings.NOTIFY_SMS_TEMPLATE_ID = "11111111-1111-1111-1111-111111111111"
    with mock.patch(CLIENT) as client, django_capture_on_commit_callbacks(execute=True):
        client.return_value.send_sms_notification.return_value = {"id": "notify-id-1"}
        message = sms()
    client.assert_called_once_with(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL)
    client.return_value.send_sms_notification.assert_called_once_with(
        phone_number="07700900123",
        template_id="11111111-1111-1111-1111-111111111111",
        personalisation={"body": "An appointment is booked."},
        reference="test:1:booked",
    )
    message.refresh_from_db()
    assert (message.status, message.provider_id) == ("sent", "notify-id-1")


def test_notify_refusing_a_number_is_not_retried(settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_SMS_TEMPLATE_ID = "template"
    response = mock.Mock(status_code=400)
    response.json.return_value = {"errors": [{"error": "ValidationError", "message": "Not a UK mobile number"}]}
    refused = HTTPError(response)
    with mock.patch(CLIENT) as client, django_capture_on_commit_callbacks(execute=True):
        client.return_value.send_sms_notification.side_effect = refused
        message = sms()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "Not a UK mobile number" in message.error


def test_a_failed_email_is_tried_again_and_sent(flaky_mail, django_capture_on_commit_callbacks):
    flaky_mail.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = email()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1


def test_an_email_that_keeps_failing_is_marked_failed_after_the_last_try(
    flaky_mail, django_capture_on_commit_callbacks, caplog
):
    flaky_mail.failures = 100
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        message = email()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", rules.MAX_ATTEMPTS)
    assert flaky_mail.calls == rules.MAX_ATTEMPTS
    assert message.error.startswith("ConnectionRefusedError")
    assert mail.outbox == []
    # The log says which message failed, never to whom or what it said.
    assert "ConnectionRefusedError" in caplog.text
    assert "parent@example.com" not in caplog.text
    assert "appointment" not in caplog.text.lower()


def test_bad_recipients_are_refused_before_anything_is_kept():
    with pytest.raises(ValueError, match="UK mobile"):
        sms(number="0121 465 8551")
    with pytest.raises(ValueError, match="email address"):
        email(recipient="not-an-address")
    assert not Message.objects.exists()


def test_a_message_whose_task_was_lost_is_queued_again_and_sent_once(django_capture_on_commit_callbacks):
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        email()  # the process "stopped" before commit: the on-commit send never ran
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False) as traveller:
        traveller.shift(rules.STALLED_AFTER + dt.timedelta(minutes=1))
        assert requeue_stalled() == 1
        assert requeue_stalled() == 0
    assert Message.objects.get().status == "sent"
    assert len(mail.outbox) == 1
