"""Queueing messages to families. Shared machinery: it knows nothing of referrals or appointments.

A service calls `queue_message` inside its own transaction; the message is stored with the change, and the
background task that sends it is queued only once the transaction commits, so a slow mail server never slows a
page and a rolled-back booking never sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db import transaction

from paedot.notifications import rules
from paedot.notifications.models import Channel, Message
from paedot.notifications.tasks import enqueue_send


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def queue_message(
    *,
    channel: str,
    recipient: str,
    body: str,
    reference: str,
    subject: str = "",
    attachment: Attachment | None = None,
    referral=None,
    to_parent_carer: bool = False,
) -> Message:
    """Keep the message in the outbox and send it in the background after the caller's transaction commits.

    The same reference and channel again returns the message already queued and sends nothing more. `referral`:
    the child's referral it is about, so staff see it with the child's record and only if they may open it;
    `to_parent_carer`: it goes to the child's parent or carer (so a failure means the family was not told).
    """
    if channel not in Channel.values:
        raise ValueError(f"The channel is one of {', '.join(Channel.values)}.")
    if not reference.strip():
        raise ValueError("Give the message a reference, so it is never sent twice.")
    recipient = recipient.strip()
    if channel == Channel.SMS:
        mobile = rules.uk_mobile(recipient)
        if mobile is None:
            raise ValueError("A text message needs a UK mobile number.")
        recipient = mobile
    elif "@" not in recipient:
        raise ValueError("An email needs an email address.")
    message, created = Message.objects.get_or_create(
        reference=reference,
        channel=channel,
        defaults={
            "recipient": recipient,
            "subject": subject[:200],
            "body": body,
            "attachment": attachment.content if attachment else None,
            "attachment_filename": attachment.filename if attachment else "",
            "attachment_mimetype": attachment.mimetype if attachment else "",
            "referral": referral,
            "to_parent_carer": to_parent_carer,
        },
    )
    if created:
        transaction.on_commit(partial(enqueue_send, message.pk))
    return message


def withdraw_unsent(*, reference_prefix: str, keep_prefix: str = "", why: str) -> int:
    """Messages with this reference prefix that have not gone yet (waiting, failed and to retry, kept unsent) are
    withdrawn, never to be sent: a reminder of an appointment since moved or cancelled would send the family to the
    wrong time or a cancelled one (hazard H12). `keep_prefix`: those still right (a reminder of the new time). A
    message already sent is left as it was. How many were withdrawn."""
    from django.utils import timezone

    from paedot.notifications.models import MessageStatus

    unsent = Message.objects.filter(
        reference__startswith=reference_prefix,
        status__in=(MessageStatus.QUEUED, MessageStatus.FAILED, MessageStatus.OUTBOX_ONLY),
    )
    if keep_prefix:
        unsent = unsent.exclude(reference__startswith=keep_prefix)
    return unsent.update(status=MessageStatus.WITHDRAWN, error=why, updated_at=timezone.now())
