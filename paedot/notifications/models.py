"""The outbox: every email and text message the service sends, kept with what happened to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    OUTBOX_ONLY = "outbox_only", "Kept in the outbox (no SMS provider configured)"
    # Staff told the person another way (a phone call, a letter) and said so: nothing more to send.
    DEALT_WITH = "dealt_with", "Dealt with by staff"
    # Out of date before it went (a reminder of an appointment since moved or cancelled): never to be sent.
    WITHDRAWN = "withdrawn", "Withdrawn: out of date before it was sent"


# What a person has to act on: the message never reached its recipient and nobody has yet said it was dealt with.
NOT_SENT = (MessageStatus.FAILED, MessageStatus.OUTBOX_ONLY)


class Message(BaseModel):
    """One message to one recipient. Stored before it is sent, so nothing is lost if sending fails or is slow.

    `reference` is the caller's name for the message ("appointment:12:reminder:20270329T0900"); one message per
    reference and channel, so queueing the same message twice (a retried request, a reminder run twice) sends once.

    `referral` is the child's referral the message is about, if any: the staff outbox links to it, and shows the
    message only to those who may open that referral (a restricted record's messages stay hidden). It is named by
    string, so this shared machinery imports nothing from the referrals app.
    """

    channel = models.CharField(max_length=5, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="An email address or a phone number.")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    reference = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, help_text="GOV.UK Notify's id for a text message.")
    attachment = models.BinaryField(null=True, blank=True)
    attachment_filename = models.CharField(max_length=100, blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    to_parent_carer = models.BooleanField(default=False, help_text="Sent to the child's parent or carer.")
    dealt_with_at = models.DateTimeField(null=True, blank=True)
    dealt_with_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dealt_with_reason = models.TextField(blank=True, help_text="How the person was told instead.")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["reference", "channel"], name="one_message_per_reference")]
        indexes = [models.Index(fields=["status", "updated_at"], name="message_status_idx")]

    def __str__(self) -> str:
        # No recipient here: __str__ ends up in logs and admin lists.
        return f"{self.get_channel_display()} {self.reference} ({self.status})"
