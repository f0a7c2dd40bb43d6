"""Invitations to book, and the policy (how long families have to reply) that a service manager may change."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel
from paedot.referrals.models import Referral


class InvitationPolicy(models.Model):
    """How many days a family has to reply to an invitation, from a date. Data, not code."""

    effective_from = models.DateField(unique=True)
    reply_days = models.PositiveSmallIntegerField(default=14)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "invitation policies"

    def __str__(self) -> str:
        return f"{self.reply_days} days from {self.effective_from}"

    @classmethod
    def in_force(cls, on: dt.date) -> InvitationPolicy:
        return cls.objects.filter(effective_from__lte=on).first() or cls(effective_from=on, reply_days=14)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        return self.filter(state=Invitation.State.OPEN)

    def no_reply(self) -> InvitationQuerySet:
        return self.filter(state=Invitation.State.NO_REPLY)


class Invitation(BaseModel):
    """An invitation to a family to call or reply to book; chased at half time; a clinician decides on no reply."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting for a reply"
        REPLIED = "replied", "Family replied"
        NO_REPLY = "no_reply", "No reply by the deadline"
        CLOSED = "closed", "Closed (discharged)"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="invitations")
    sent_on = models.DateField()
    deadline = models.DateField()
    reminder_on = models.DateField()
    reminded_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reply_days = models.PositiveSmallIntegerField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    times_extended = models.PositiveSmallIntegerField(default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="invitation_state_deadline_idx"),
            models.Index(fields=["state", "reminder_on"], name="invitation_state_reminder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} invited {self.sent_on} ({self.state})"
