"""The audit trail in the API, for auditors: GET /api/audit.

Anyone else gets 403, and the middleware records that refusal in the trail like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, model_validator

from paedot.config.api import BearerToken
from paedot.core import audit
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Audit"])

MAX_LIMIT = 500


class AuditQuery(Schema):
    child: Annotated[str, Field(max_length=40, description="NHS number, referral reference or child's id")] = ""
    user: Annotated[str, Field(max_length=150, description="Username")] = ""
    action: Annotated[str, Field(max_length=80, description="An action, or the start of one")] = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    before: Annotated[int | None, Field(ge=1, description="Only entries older than this id (the next page)")] = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 100

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_to must be the same as or after date_from")
        return self


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    child_id: int | None
    ip_address: str | None
    reason: str
    detail: dict[str, Any]


class AuditPage(Schema):
    events: list[AuditEventOut]
    next_before: int | None = Field(description="Pass as `before` for the next, older entries; null at the end")


@router.get("/audit", auth=BearerToken(), response={200: AuditPage, 401: dict, 403: dict}, summary="Search the trail")
def search_audit(request: HttpRequest, query: Query[AuditQuery]):
    """Who did what, newest first: filter by child (NHS number, referral reference or id), user, action and dates
    (inclusive, London time). Auditors only; the search is itself recorded."""
    if not may(request.auth, Action.VIEW_AUDIT):
        raise HttpError(403, refusal(Action.VIEW_AUDIT))
    filters = audit.AuditFilters(
        child=query.child, user=query.user, action=query.action, date_from=query.date_from, date_to=query.date_to
    )
    audit.record_event(action=audit.Actions.AUDIT_READ_THROUGH_API, actor=request.auth, detail=filters.as_detail())
    events = audit.search_trail(filters)
    if query.before:
        # The id is the keyset: newest first by id, so a page boundary never skips or repeats an entry.
        events = events.filter(id__lt=query.before)
    events = events.order_by("-id")
    found = list(events[: query.limit + 1])
    more = len(found) > query.limit
    found = found[: query.limit]
    return {
        "events": [
            {
                "id": event.pk,
                "occurred_at": event.occurred_at,
                "actor": audit.actor_name(event),
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "child_id": event.child_id,
                "ip_address": event.ip_address,
                "reason": event.reason,
                "detail": event.detail,
            }
            for event in found
        ],
        "next_before": found[-1].pk if more and found else None,
    }
