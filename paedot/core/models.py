"""Shared base model and the audit trail every service writes to."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the values as loaded, so a save can audit what it changed (paedot.core.changes)."""
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=False))
        return instance


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit event: the trail is only ever added to."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def for_child(self, child_ids, referral_ids=()):
        """Everything about these children: events that name them, and older events recorded against their
        records before events carried the child's id."""
        child_keys = [str(pk) for pk in child_ids]
        referral_keys = [str(pk) for pk in referral_ids]
        return self.filter(
            models.Q(child_id__in=list(child_ids))
            | models.Q(object_type="children.child", object_id__in=child_keys)
            | models.Q(object_type="referrals.referral", object_id__in=referral_keys)
        )


class AuditEvent(models.Model):
    """Who did what, to which record, when, from where and why. Written by services and by the request
    machinery (views of records, sign-ins, refusals); never edited or deleted.

    The app refuses to change an event (save() of an existing one, delete(), and the queryset's update/delete);
    the database refuses too, with triggers installed by migration 0004.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="Who acted when no staff user did.")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # A plain number, not a foreign key: the trail must outlive (and never block) changes to the child's record.
    child_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The child the event is about.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "occurred_at"]),
            models.Index(fields=["child_id", "occurred_at"], name="audit_child_when_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_when_idx"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an Idempotency-Key, so a retry gets it again and makes nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body, canonicalised.")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_client")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
