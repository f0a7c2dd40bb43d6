"""Writing the audit trail: who did what, to which record, when, and from where.

Services call record_event inside their own transaction. Views call record_view when someone opens a child's
record or document. Sign-ins, failed sign-ins and sign-outs are recorded from django.contrib.auth's signals
(connected in CoreConfig.ready), and permission refusals by paedot.core.middleware.AuditMiddleware, which also
tells record_event where the request came from, so services need no request to record it.

What is never written here: passwords, query strings, request bodies.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from paedot.core.models import AuditEvent


class Actions:
    """The actions the request machinery records; services name their own (e.g. "referral.screened")."""

    RECORD_VIEWED = "record.viewed"
    SIGNED_IN = "sign_in.succeeded"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGNED_OUT = "signed_out"
    PERMISSION_REFUSED = "permission.refused"
    AUDIT_EXPORTED = "audit.exported"
    AUDIT_READ_THROUGH_API = "audit.read_through_api"


@dataclass(frozen=True)
class Origin:
    ip_address: str | None
    user_agent: str


_current_origin: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("audit_origin", default=None)

USER_AGENT_LENGTH = AuditEvent._meta.get_field("user_agent").max_length or 300


def client_ip(request) -> str | None:
    """The address the request came from.

    REMOTE_ADDR, unless settings.AUDIT_TRUSTED_PROXY_COUNT says how many proxies of our own stand in front of the
    app: then the address that many hops from the right of X-Forwarded-For. Anyone can send that header, so it is
    never believed by default.
    """
    proxies = int(getattr(settings, "AUDIT_TRUSTED_PROXY_COUNT", 0) or 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def origin_of(request) -> Origin:
    return Origin(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    )


def begin_request(request) -> contextvars.Token:
    """Called by the middleware: events recorded while this request runs say where it came from."""
    return _current_origin.set(origin_of(request))


def end_request(token: contextvars.Token) -> None:
    _current_origin.reset(token)


def _child_id_of(target: models.Model | None) -> int | None:
    if target is None:
        return None
    if target._meta.label_lower == "children.child":
        return target.pk
    child_id = getattr(target, "child_id", None)
    if child_id is not None:
        return child_id
    # A letter, attachment or appointment: its referral's child, when the referral is already loaded.
    referral = target._state.fields_cache.get("referral") if hasattr(target, "_state") else None
    return getattr(referral, "child_id", None)


def record_event(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    child_id: int | None = None,
    origin: Origin | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    origin = origin or _current_origin.get() or Origin(ip_address=None, user_agent="")
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "public"),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        child_id=child_id if child_id is not None else _child_id_of(target),
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        reason=reason,
        detail=detail or {},
    )


def record_view(request, target: models.Model, *, child_id: int | None = None, reason: str = "") -> AuditEvent:
    """Someone opened a child's record or one of its documents. Call it after the scoped query found the record,
    so a refused or missing record is not recorded as seen (the refusal is recorded by the middleware)."""
    user = getattr(request, "api_user", None) or request.user
    return record_event(
        action=Actions.RECORD_VIEWED,
        actor=user,
        target=target,
        child_id=child_id,
        reason=reason,
        detail={"method": request.method, "path": request.path},
        origin=origin_of(request),
    )


def record_refusal(request, response_status: int) -> AuditEvent | None:
    """A signed-in user (or API client) was refused. Anonymous refusals are the sign-in page's business."""
    user = getattr(request, "api_user", None) or getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    return record_event(
        action=Actions.PERMISSION_REFUSED,
        actor=user,
        # The path only: a query string may carry personal data (a search for a name, an NHS number).
        detail={"method": request.method, "path": request.path, "status": response_status},
        origin=origin_of(request),
    )


# django.contrib.auth signal receivers, connected in CoreConfig.ready().


def on_signed_in(sender, request, user, **kwargs) -> None:
    record_event(action=Actions.SIGNED_IN, actor=user, origin=origin_of(request) if request else None)


def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(action=Actions.SIGNED_OUT, actor=user, origin=origin_of(request) if request else None)


def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the username tried is kept.
    username = str(credentials.get("username", ""))[:150]
    record_event(
        action=Actions.SIGN_IN_FAILED,
        actor_label=username or "unknown",
        detail={"username": username},
        origin=origin_of(request) if request is not None else None,
    )


@contextmanager
def sqlite_append_only_guard_lifted(cursor) -> Iterator[None]:
    """For the test suite's committed_db fixture only, which empties every table between browser tests: on SQLite
    the triggers refusing DELETE on core_auditevent are dropped for the block and put back exactly as they were.
    (PostgreSQL needs nothing: the fixture TRUNCATEs, which fires no row trigger.)"""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditevent'")
    triggers = cursor.fetchall()
    for name, _sql in triggers:
        cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _name, sql in triggers:
            cursor.execute(sql)


# Searching the trail: the auditors' page, its CSV export and GET /api/audit share these.


@dataclass(frozen=True)
class AuditFilters:
    child: str = ""  # an NHS number, a referral reference or a child's id
    user: str = ""  # a username
    action: str = ""  # an action, or the start of one ("sign_in" finds both outcomes)
    date_from: Any = None  # datetime.date, inclusive, London time
    date_to: Any = None  # datetime.date, inclusive, London time

    def as_detail(self) -> dict[str, str]:
        """What was searched for, to record with an export."""
        return {
            key: str(value)
            for key, value in (
                ("child", self.child),
                ("user", self.user),
                ("action", self.action),
                ("date_from", self.date_from),
                ("date_to", self.date_to),
            )
            if value
        }


def children_matching(term: str) -> tuple[list[int], list[int]]:
    """The children (and their referrals) a search term names: an NHS number, a referral reference or an id.

    Looked up through the app registry: the audit trail sits below the apps that own children and referrals.
    """
    from django.apps import apps

    Child = apps.get_model("children", "Child")
    Referral = apps.get_model("referrals", "Referral")
    term = term.strip().replace(" ", "")
    if not term:
        return [], []
    if len(term) == 10 and term.isdigit():
        child_ids = list(Child.objects.filter(nhs_number=term).values_list("pk", flat=True))
    else:
        child_ids = list(Referral.objects.filter(reference__iexact=term).values_list("child_id", flat=True))
        if not child_ids and term.isdigit() and len(term) < 19:
            child_ids = list(Child.objects.filter(pk=int(term)).values_list("pk", flat=True))
    referral_ids = list(Referral.objects.filter(child_id__in=child_ids).values_list("pk", flat=True))
    return child_ids, referral_ids


def _start_of_day(day):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def search_trail(filters: AuditFilters):
    """The events matching the filters, newest first, with each actor loaded."""
    import datetime as dt

    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if filters.child:
        child_ids, referral_ids = children_matching(filters.child)
        events = events.for_child(child_ids, referral_ids)
    if filters.user:
        username = filters.user.strip()
        events = events.filter(models.Q(actor__username__iexact=username) | models.Q(actor_label__iexact=username))
    if filters.action:
        events = events.filter(action__startswith=filters.action.strip())
    if filters.date_from:
        events = events.filter(occurred_at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_start_of_day(filters.date_to + dt.timedelta(days=1)))
    return events


def actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.get_username()
    return event.actor_label


CSV_COLUMNS = [
    "id",
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "child_id",
    "ip_address",
    "user_agent",
    "reason",
    "detail",
]


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet will show, never run: text starting with = + - @ (or a tab/return) is a formula to
    Excel, and a failed sign-in's username is whatever a stranger typed."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_row(event: AuditEvent) -> list[str]:
    import json

    values = [
        event.pk,
        event.occurred_at.isoformat(),
        actor_name(event),
        event.action,
        event.object_type,
        event.object_id,
        event.child_id,
        event.ip_address,
        event.user_agent,
        event.reason,
        json.dumps(event.detail, sort_keys=True, default=str) if event.detail else "",
    ]
    return [csv_safe(value) for value in values]
