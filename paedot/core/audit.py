"""Writing the audit trail. Services call record_event inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from paedot.core.models import AuditEvent


def record_event(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "public"),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        reason=reason,
        detail=detail or {},
    )
