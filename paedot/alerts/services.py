"""Raising, reviewing and ending alerts on a child. Each checks the person's role and that they may see the child,
runs in one transaction and writes its audit event: which alert, its category and dates, never its words (the text,
details and reasons stay on the alert, for those who may open the record)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from paedot.alerts import rules
from paedot.alerts.models import MAX_DETAILS, MAX_REASON, MAX_TEXT, SAFEGUARDING, Alert, Category
from paedot.alerts.policy import policy_on
from paedot.core.audit import record_event
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused, require
from paedot.staff.models import User
from paedot.staff.rules import Action

END_REASON_MISSING = "Give the reason the alert has ended"
ALREADY_IN_FORCE = "This alert is already in force for this child: review it rather than raising it again."


class AlertError(ValueError):
    """Bad input, naming the field it is about (400 in the API, an error on that field in a page)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)


def today() -> dt.date:
    return timezone.localdate()


def default_review_on(day: dt.date | None = None) -> dt.date:
    """The review date offered: the policy's months from today."""
    day = day or today()
    return rules.default_review_on(day, policy_on(day).review_after_months)


def _refuse(refusal: rules.Refusal | None) -> None:
    if refusal is None:
        return
    if refusal.field:
        raise AlertError(refusal.field, refusal.message)
    raise TransitionRefused(refusal.message)


def _review_on(review_on: dt.date | None) -> dt.date:
    day = today()
    chosen = review_on or default_review_on(day)
    _refuse(rules.review_date_refusal(chosen, today=day, longest_months=policy_on(day).longest_review_months))
    return chosen


def _clean(value: str, field: str, *, required: str, limit: int, what: str) -> str:
    value = (value or "").strip()
    if not value and required:
        raise AlertError(field, required)
    if len(value) > limit:
        raise AlertError(field, f"{what} must be {limit:,} characters or fewer")
    return value


def _event(action: str, *, alert: Alert, actor: User, **detail) -> None:
    record_event(
        action=action,
        actor=actor,
        target=alert,
        child_id=alert.child_id,
        detail={"alert": alert.pk, "category": alert.category, **detail},
    )


def raise_alert(
    *,
    referral: Referral,
    category: str,
    text: str,
    details: str = "",
    review_on: dt.date | None = None,
    by: User,
) -> Alert:
    """An alert on the referral's child, shown on every page of the child's record until it is ended. Reviewed by
    the policy's default date unless another is chosen."""
    require(by, Action.MANAGE_ALERTS)
    if category not in Category.values:
        raise AlertError("category", "Choose what kind of alert this is")
    text = _clean(text, "text", required="Enter what staff need to know", limit=MAX_TEXT, what="The alert")
    details = _clean(details, "details", required="", limit=MAX_DETAILS, what="The details")
    review_on = _review_on(review_on)
    if not Referral.objects.visible_to(by).filter(pk=referral.pk).exists():
        raise NotAllowed("You may not raise alerts on this child's record.")
    with transaction.atomic():
        if Alert.objects.in_force().of_child(referral.child_id).filter(category=category, text=text).exists():
            raise TransitionRefused(ALREADY_IN_FORCE)
        alert = Alert.objects.create(
            child_id=referral.child_id,
            category=category,
            text=text,
            details=details,
            raised_by=by,
            raised_at=timezone.now(),
            review_on=review_on,
        )
        _event("alert.raised", alert=alert, actor=by, referral=referral.reference, review_on=review_on.isoformat())
    return alert


def _locked_visible(alert: Alert, by: User) -> Alert:
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if not Alert.objects.visible_to(by).filter(pk=alert.pk).exists():
        raise NotAllowed("You may not change alerts on this child's record.")
    return locked


def review_alert(*, alert: Alert, review_on: dt.date | None = None, by: User) -> Alert:
    """Someone checked the alert still holds: it stays, with a new review date (the policy's default unless another
    is chosen)."""
    require(by, Action.MANAGE_ALERTS)
    review_on = _review_on(review_on)
    with transaction.atomic():
        locked = _locked_visible(alert, by)
        _refuse(rules.change_refusal(ended=not locked.in_force))
        previous = locked.review_on
        locked.review_on = review_on
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = by
        locked.save(update_fields=["review_on", "reviewed_at", "reviewed_by", "updated_at"])
        _event(
            "alert.reviewed",
            alert=locked,
            actor=by,
            review_on=review_on.isoformat(),
            previous_review_on=previous.isoformat(),
        )
    return locked


def end_alert(*, alert: Alert, reason: str, by: User) -> Alert:
    """The alert no longer holds (the plan ended, the dog rehomed): it leaves the record's pages and stays on the
    alerts page as ended, with who ended it, when and why."""
    require(by, Action.MANAGE_ALERTS)
    reason = _clean(reason, "reason", required=END_REASON_MISSING, limit=MAX_REASON, what="The reason")
    with transaction.atomic():
        locked = _locked_visible(alert, by)
        _refuse(rules.change_refusal(ended=not locked.in_force))
        locked.ended_at = timezone.now()
        locked.ended_by = by
        locked.end_reason = reason
        locked.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
        _event("alert.ended", alert=locked, actor=by)
    return locked


# What whoever books or makes a visit to the child's home must see first (paedot/appointments can call this when a
# home visit is booked, and the day list can print it): a risk at the door, who must not be told where the child is,
# an interpreter to bring, and the safeguarding status.
VISIT_CATEGORIES = frozenset(
    {Category.RISK_TO_STAFF, Category.CONTACT_RESTRICTION, Category.COMMUNICATION, *SAFEGUARDING}
)


def alerts_for_visit(referral: Referral) -> list[Alert]:
    """The child's alerts in force that matter on a home visit, safeguarding first: one query. The caller has found
    the referral through Referral.objects.visible_to."""
    order = {code: position for position, code in enumerate(Category.values)}
    found = Alert.objects.in_force().of_child(referral.child_id).filter(category__in=VISIT_CATEGORIES)
    return sorted(found, key=lambda alert: (order[alert.category], alert.raised_at, alert.pk))
