"""The background task that sends one message from the outbox: email through Django's mail, text messages
through GOV.UK Notify when it is configured (otherwise they stay in the outbox). Failures are recorded on the
message and retried a bounded number of times.

Logs name the message by id only: never a recipient, a name or a message's text.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from notifications_python_client.notifications import NotificationsAPIClient

from paedot.notifications import rules
from paedot.notifications.models import Channel, Message, MessageStatus

logger = logging.getLogger(__name__)


@task()
def send_message(message_id: int) -> str:
    """Send the message once; on failure record why and queue the next try. Returns the message's status."""
    return deliver(message_id)


def enqueue_send(message_id: int, delay=None) -> None:
    """Queue a send, after `delay` if the task backend can wait (the database backend can; the immediate one
    used in tests runs it at once)."""
    task_to_run = send_message
    if delay and send_message.get_backend().supports_defer:
        task_to_run = send_message.using(run_after=timezone.now() + delay)
    task_to_run.enqueue(message_id)


def notify_configured() -> bool:
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)


def deliver(message_id: int) -> str:
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.status != MessageStatus.QUEUED:
        return message.status if message else "missing"
    # Claim this attempt: if two workers hold the same message, only one moves the count on, and only it sends.
    claimed = Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED, attempts=message.attempts).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return "claimed"
    message.attempts += 1

    if message.channel == Channel.SMS and not notify_configured():
        _finish(message, status=MessageStatus.OUTBOX_ONLY)
        return MessageStatus.OUTBOX_ONLY
    try:
        provider_id = _send_sms(message) if message.channel == Channel.SMS else _send_email(message)
    except Exception as error:  # any failure of the mail server or Notify: record it, try again later
        return _failed(message, error)
    _finish(message, status=MessageStatus.SENT, sent_at=timezone.now(), provider_id=provider_id, error="")
    return MessageStatus.SENT


def _send_email(message: Message) -> str:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )
    if message.attachment:
        email.attach(message.attachment_filename, bytes(message.attachment), message.attachment_mimetype)
    email.send(fail_silently=False)
    return ""


def _send_sms(message: Message) -> str:
    client = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL)
    response = client.send_sms_notification(
        phone_number=message.recipient,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"body": message.body},
        reference=message.reference,
    )
    return str((response or {}).get("id", ""))[:100]


def _permanent(error: Exception) -> bool:
    """Notify refuses a bad number or a bad key with 400 or 403: trying again would get the same answer."""
    return getattr(error, "status_code", None) in (400, 403)


def _failed(message: Message, error: Exception) -> str:
    delay = None if _permanent(error) else rules.retry_delay(message.attempts)
    status = MessageStatus.FAILED if delay is None else MessageStatus.QUEUED
    # The class of the error only: its text can carry an address or a number.
    logger.warning(
        "Message %s (%s) attempt %s failed: %s; %s",
        message.pk,
        message.channel,
        message.attempts,
        type(error).__name__,
        "giving up" if delay is None else "will retry",
    )
    _finish(message, status=status, error=f"{type(error).__name__}: {error}"[:1000])
    if delay is not None:
        enqueue_send(message.pk, delay)
    return status


def _finish(message: Message, **changes) -> None:
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now(), **changes)
    for field, value in changes.items():
        setattr(message, field, value)


def requeue_stalled() -> int:
    """Queue a send again for messages whose task was lost; the claim in deliver() stops a double send."""
    stalled = Message.objects.filter(
        status=MessageStatus.QUEUED, updated_at__lt=timezone.now() - rules.STALLED_AFTER
    ).values_list("pk", flat=True)
    count = 0
    for message_id in stalled.iterator():
        enqueue_send(message_id)
        count += 1
    return count
