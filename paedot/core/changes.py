"""Every change to a child's record, before and after, in the audit trail.

Services already write an event saying what they did and why; this adds what actually changed, field by field, for
every save of a record in the service's own apps, so a change made by any path (a service, the admin, a script) is
traced. A model remembers the values it was loaded with (BaseModel.from_db); after a save the fields that differ are
written as one "<app>.<model>.changed" event, with the person making the request when there is one.

Bulk `QuerySet.update()` calls bypass it (Django sends no signal); services that use them write their own event.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

# The apps holding children's records. Messages, letters (never changed) and the audit trail itself are not here.
TRACKED_APPS = frozenset(
    {
        "children",
        "referrals",
        "triage",
        "waiting_list",
        "caseloads",
        "appointments",
        "groups",
        "care",
        "casenotes",
        "advice",
        "restricted_records",
    }
)
IGNORED_FIELDS = frozenset({"updated_at", "created_at"})
MAX_VALUE_LENGTH = 500

_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_request", default=None)


def begin(request) -> contextvars.Token:
    return _current_request.set(request)


def end(token: contextvars.Token) -> None:
    _current_request.reset(token)


def current_actor():
    """Who is making the current request: the API's token user, or the signed-in person; None outside a request."""
    request = _current_request.get()
    if request is None:
        return None
    for candidate in (getattr(request, "auth", None), getattr(request, "user", None)):
        if getattr(candidate, "is_authenticated", False):
            return candidate
    return None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | dict):
        text = repr(value)
        return value if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"
    text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[:MAX_VALUE_LENGTH] + "…"


def loaded_values(instance: models.Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def changes_of(instance: models.Model) -> dict[str, dict[str, Any]]:
    before = getattr(instance, "_loaded_values", None)
    if before is None:
        return {}
    changed = {}
    for field in instance._meta.concrete_fields:
        name = field.attname
        if name in IGNORED_FIELDS or name not in before:
            continue
        old, new = before[name], getattr(instance, name)
        if old != new:
            changed[name] = {"before": _plain(old), "after": _plain(new)}
    return changed


def on_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or created or sender._meta.app_label not in TRACKED_APPS:
        if created and sender._meta.app_label in TRACKED_APPS:
            instance._loaded_values = loaded_values(instance)
        return
    changed = changes_of(instance)
    instance._loaded_values = loaded_values(instance)
    if not changed:
        return
    from paedot.core.audit import record_event

    actor = current_actor()
    record_event(
        action=f"{sender._meta.label_lower}.changed",
        actor=actor,
        actor_label="" if actor else "system",
        target=instance,
        child_id=_child_id(instance),
        detail={"changes": changed},
    )


def _child_id(instance: models.Model) -> int | None:
    """The child the record is about, when it can be told without another query."""
    if instance._meta.label_lower == "children.child":
        return instance.pk
    for attname in ("child_id",):
        if getattr(instance, attname, None):
            return getattr(instance, attname)
    cache = instance._state.fields_cache
    for name in ("referral", "episode", "package"):
        related = cache.get(name)
        if related is None:
            continue
        if getattr(related, "child_id", None):
            return related.child_id
        nested = related._state.fields_cache.get("referral") or related._state.fields_cache.get("episode")
        if nested is not None and getattr(nested, "child_id", None):
            return nested.child_id
    return None
