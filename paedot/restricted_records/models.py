"""Restricted records: a child whose record only named staff may open (a safeguarding case, a child of a member of
staff). Anyone else with a clinical role may "break the glass": open it for a while, giving a reason that is audited
and sent to the team leads."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.children.models import Child
from paedot.core.models import BaseModel


class Restriction(BaseModel):
    """The child's record is restricted while this exists and has not been lifted."""

    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="restriction")
    reason = models.TextField(help_text="Why, for the named staff and the auditors (never shown to others).")
    restricted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    named_staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="restricted_records_named")

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class BreakGlass(BaseModel):
    """Someone not named opened a restricted record, giving a reason. It lets them in until it expires."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="break_glass_openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="break_glass_user_idx")]
