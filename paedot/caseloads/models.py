"""Who a child is allocated to, over time: each allocation, and each transfer with its reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel
from paedot.referrals.models import Referral


class Allocation(BaseModel):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="allocations")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, help_text="Required for a transfer from one clinician to another.")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=models.Q(ended_at__isnull=True), name="one_current_allocation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} -> {self.clinician_id}"
