"""The rules of alerts on a child, as pure decisions over dates and states: no database, no request.

Each refusal has a stable code, a sentence staff can act on, and the field it is about ("" for the alert itself:
an ended alert is not changed again, HTTP 409).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from paedot.core.presenters import format_date


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    field: str = ""  # the input it is about; "" when the alert's state refuses it (409)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 August + 6 = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_review_on(today: dt.date, months: int) -> dt.date:
    """The review date offered when an alert is raised or reviewed today."""
    return months_after(today, months)


def review_date_refusal(review_on: dt.date | None, *, today: dt.date, longest_months: int) -> Refusal | None:
    """A review date is after today (a review due today is done by reviewing it now) and no further ahead than the
    policy's longest: an alert nobody looks at again is how one outlives what it warns of, or is missed when it
    changes."""
    if review_on is None:
        return Refusal("review_date_missing", "Enter the date to review this alert", "review_on")
    if review_on <= today:
        return Refusal("review_date_not_after_today", "The review date must be after today", "review_on")
    latest = months_after(today, longest_months)
    if review_on > latest:
        return Refusal(
            "review_date_too_far",
            f"The review date must be within {longest_months} months, by {format_date(latest)}",
            "review_on",
        )
    return None


def change_refusal(*, ended: bool) -> Refusal | None:
    """An ended alert stays as it was ended, in the record: a concern that returns is raised again."""
    if ended:
        return Refusal("alert_ended", "This alert has ended: raise a new one if the concern returns.")
    return None


def is_due_for_review(review_on: dt.date, today: dt.date) -> bool:
    """Past its review date: from the day after it (on the day itself it is due, not yet overdue)."""
    return review_on < today


def days_overdue(review_on: dt.date, today: dt.date) -> int:
    return max((today - review_on).days, 0)
