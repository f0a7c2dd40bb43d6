"""A clinician's triage of an accepted referral: how soon, which pathway, where first, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel
from paedot.referrals.models import Pathway, Priority, Referral, Setting


class Triage(BaseModel):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="triages")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    pathway = models.CharField(max_length=30, choices=Pathway.choices)
    setting = models.CharField(max_length=10, choices=Setting.choices)
    notes = models.TextField(blank=True)
    suggested_priority = models.CharField(max_length=10, choices=Priority.choices)
    suggestion_reasons = models.JSONField(default=list, help_text="[{'code', 'message'}] as the rules gave them.")
    reason_for_difference = models.TextField(
        blank=True, help_text="Why the clinician chose another priority than the one suggested."
    )
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.priority}"
