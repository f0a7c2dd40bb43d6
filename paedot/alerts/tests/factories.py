"""Alerts for tests, raised through the real service as staff would. All synthetic."""

from __future__ import annotations

import datetime as dt
from typing import Any

from paedot.alerts.models import Alert
from paedot.alerts.services import raise_alert
from paedot.referrals.tests.factories import staff


def alert_on(
    referral,
    *,
    category: str = "risk_to_staff",
    text: str = "Dog at the home: ask for it to be shut away",
    by=None,
    **fields: Any,
) -> Alert:
    return raise_alert(referral=referral, category=category, text=text, by=by or staff("ot"), **fields)


def backdate(alert: Alert, *, raised: dt.datetime | None = None, review_on: dt.date | None = None) -> Alert:
    """An alert raised earlier, or whose review date has passed: set straight in the database (the service refuses
    a review date in the past, as it should)."""
    changes: dict[str, Any] = {}
    if raised is not None:
        changes["raised_at"] = raised
    if review_on is not None:
        changes["review_on"] = review_on
    Alert.objects.filter(pk=alert.pk).update(**changes)
    alert.refresh_from_db()
    return alert
