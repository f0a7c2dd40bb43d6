"""Alerts on a child in the API (same services and permissions as the alerts page): list a child's alerts, raise one,
review one (it stays, with a new review date) and end one (with a reason).

Reading follows whoever may open the record (VIEW_REFERRALS); changes need MANAGE_ALERTS. 404 for a record this
caller may not see (a restricted child's alerts stay hidden with it), 403 for a role that may not act, 409 for an
ended alert or an alert already in force, 400 naming the field for bad input.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.alerts.models import MAX_DETAILS, MAX_REASON, MAX_TEXT, Alert
from paedot.alerts.presenters import category_words
from paedot.alerts.rules import is_due_for_review
from paedot.alerts.services import AlertError, end_alert, raise_alert, review_alert, today
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.audit import record_view
from paedot.diaries.rules import LONDON
from paedot.referrals.api import find_referral
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Alerts"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict}

CategoryCode = Literal[
    "child_protection_plan",
    "child_in_need",
    "looked_after",
    "contact_restriction",
    "risk_to_staff",
    "communication_needs",
    "other",
]


class AlertOut(Schema):
    id: int
    category: str
    category_words: str
    text: str
    details: str
    in_force: bool
    raised_at: str
    raised_by: str
    review_on: dt.date
    review_overdue: bool
    reviewed_at: str | None
    reviewed_by: str | None
    ended_at: str | None
    ended_by: str | None
    end_reason: str


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(LONDON).isoformat() if value else None


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def alert_out(alert: Alert) -> dict:
    """Needs raised_by, reviewed_by and ended_by fetched with the alert."""
    return {
        "id": alert.pk,
        "category": alert.category,
        "category_words": category_words(alert.category),
        "text": alert.text,
        "details": alert.details,
        "in_force": alert.in_force,
        "raised_at": _when(alert.raised_at),
        "raised_by": _name(alert.raised_by),
        "review_on": alert.review_on,
        "review_overdue": alert.in_force and is_due_for_review(alert.review_on, today()),
        "reviewed_at": _when(alert.reviewed_at),
        "reviewed_by": _name(alert.reviewed_by),
        "ended_at": _when(alert.ended_at),
        "ended_by": _name(alert.ended_by),
        "end_reason": alert.end_reason,
    }


def _alerts(queryset):
    return queryset.select_related("raised_by", "reviewed_by", "ended_by")


def _fresh(alert: Alert) -> dict:
    return alert_out(_alerts(Alert.objects.all()).get(pk=alert.pk))


def _call(fn):
    """A service's bad input becomes a 400 naming its field; its refusals (403, 409) are mapped in config/api."""
    try:
        return fn()
    except AlertError as error:
        raise bad_request(error.field, error.message) from error


def _find_alert(request: HttpRequest, alert_id: int) -> Alert:
    """The alert of a child this caller may see, or 404; then 403 if their role may not change alerts."""
    alert = Alert.objects.visible_to(request.auth).filter(pk=alert_id).first()
    if alert is None:
        raise HttpError(404, f"No alert {alert_id}.")
    if not may(request.auth, Action.MANAGE_ALERTS):
        raise NotAllowed(refusal(Action.MANAGE_ALERTS))
    return alert


@router.get(
    "/referrals/{reference}/alerts",
    auth=BearerToken(),
    response={200: list[AlertOut], **ERRORS},
    summary="A child's alerts",
)
def list_alerts(request: HttpRequest, reference: str, status: Literal["in_force", "all"] = "all"):
    """The child's alerts (with those of records merged into the child's), in force first then ended, oldest raised
    first. `status=in_force` for only those in force."""
    referral = find_referral(request, reference, action=Action.VIEW_REFERRALS)
    alerts = _alerts(Alert.objects.visible_to(request.auth).of_child(referral.child_id))
    if status == "in_force":
        alerts = alerts.in_force()
    record_view(request, referral, child_id=referral.child_id)
    found = sorted(alerts.order_by("raised_at", "id"), key=lambda a: not a.in_force)
    return [alert_out(alert) for alert in found]


class AlertRaiseIn(Schema):
    category: CategoryCode
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    details: Annotated[str, Field(max_length=MAX_DETAILS)] = ""
    review_on: dt.date | None = None  # the policy's default (6 months) unless given


@router.post(
    "/referrals/{reference}/alerts",
    auth=BearerToken(),
    response={201: AlertOut, **ERRORS},
    summary="Raise an alert on a child",
)
def create_alert(request: HttpRequest, reference: str, payload: AlertRaiseIn):
    """Shown on every page of the child's record until it is ended. 409 when the same alert is already in force."""
    referral: Referral = find_referral(request, reference, action=Action.MANAGE_ALERTS)
    alert = _call(
        lambda: raise_alert(
            referral=referral,
            category=payload.category,
            text=payload.text,
            details=payload.details,
            review_on=payload.review_on,
            by=request.auth,
        )
    )
    return Status(201, _fresh(alert))


class AlertReviewIn(Schema):
    review_on: dt.date | None = None  # the policy's default (6 months from today) unless given


@router.post(
    "/alerts/{alert_id}/review",
    auth=BearerToken(),
    response={200: AlertOut, **ERRORS},
    summary="Review an alert: it still holds",
)
def review(request: HttpRequest, alert_id: int, payload: AlertReviewIn):
    """The alert stays, with a new review date (after today, within the policy's longest). 409 for an ended alert."""
    alert = _find_alert(request, alert_id)
    _call(lambda: review_alert(alert=alert, review_on=payload.review_on, by=request.auth))
    return _fresh(alert)


class AlertEndIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


@router.post(
    "/alerts/{alert_id}/end",
    auth=BearerToken(),
    response={200: AlertOut, **ERRORS},
    summary="End an alert: it no longer holds",
)
def end(request: HttpRequest, alert_id: int, payload: AlertEndIn):
    """Kept as ended, with who ended it, when and why. 409 for an alert already ended."""
    alert = _find_alert(request, alert_id)
    _call(lambda: end_alert(alert=alert, reason=payload.reason, by=request.auth))
    return _fresh(alert)
