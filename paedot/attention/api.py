"""The "Needs attention" worklist in the API: the same sections, counts and reasons as the page, with references
only (no children's names)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from paedot.attention.services import Item, Scope, needs_attention
from paedot.config.api import BearerToken
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Needs attention"])


class AttentionItemOut(Schema):
    code: str
    reference: str | None
    what: str
    why: str
    since: dt.date
    days: int
    limit: int | None
    clinician: str | None
    priority: str | None
    status: str | None
    link: str


class AttentionSectionOut(Schema):
    code: str
    title: str
    count: int
    items: list[AttentionItemOut]


class AttentionPolicyOut(Schema):
    effective_from: dt.date
    confirmed_by_service: bool


class AttentionOut(Schema):
    scope: str
    today: dt.date
    policy: AttentionPolicyOut
    sections: list[AttentionSectionOut]


def _item(item: Item) -> dict:
    finding = item.finding
    return {
        "code": finding.code,
        "reference": item.reference,
        "what": item.what,
        "why": finding.why,
        "since": finding.since,
        "days": finding.days,
        "limit": finding.limit,
        "clinician": item.clinician.get_username() if item.clinician else None,
        "priority": item.priority or None,
        "status": item.status or None,
        "link": item.link,
    }


@router.get(
    "/attention",
    auth=BearerToken(),
    response={200: AttentionOut, 400: dict, 401: dict, 403: dict},
    summary="Needs attention",
)
def get_attention(request: HttpRequest, scope: Literal["mine", "all"] | None = None):
    """What has waited past the service's limits: open "was not brought" flags, past appointments and group
    registers with no outcome, referrals over the screening or triage limit, and children over their priority's
    waiting target; for team leads and clinical admin staff, letters issued more than the limit's working days ago and
    not yet posted (`days` and `limit` in working days), and the school holidays held running out (an item about the
    service, with no reference). Each section gives its count and its oldest 100 items, each saying why it is there.
    `scope`: `mine` (children allocated to you, your diary) or `all` (everyone you may see); OTs and assistants
    default to `mine`, team leads and admin staff to `all`."""
    user = request.auth
    if not may(user, Action.VIEW_ATTENTION):
        raise NotAllowed(refusal(Action.VIEW_ATTENTION))
    worklist = needs_attention(user, scope=Scope(scope) if scope else None)
    return {
        "scope": worklist.scope.value,
        "today": worklist.today,
        "policy": {
            "effective_from": worklist.policy.effective_from,
            "confirmed_by_service": worklist.policy.confirmed_by_service,
        },
        "sections": [
            {
                "code": section.code,
                "title": section.info.title,
                "count": section.count,
                "items": [_item(item) for item in section.items],
            }
            for section in worklist.sections
        ],
    }
