"""What pages show of alerts: the line under the child banner on every page of the record, and the alerts page's
rows. The banner's line costs one query, whatever the page and however many alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q, Subquery
from django.urls import reverse

from paedot.alerts import rules
from paedot.alerts.models import SAFEGUARDING, Alert, Category
from paedot.children.models import Child
from paedot.core.changes import current_actor
from paedot.referrals.models import Referral

CATEGORY_ORDER = {code: position for position, code in enumerate(Category.values)}


def category_words(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


def category_tag(code: str) -> dict[str, str]:
    """Safeguarding and contact restrictions red, risks on visits orange, communication blue: colour is never the
    only sign (the words say the category too)."""
    if code in SAFEGUARDING or code == Category.CONTACT_RESTRICTION:
        colour = "red"
    elif code == Category.RISK_TO_STAFF:
        colour = "orange"
    elif code == Category.COMMUNICATION:
        colour = "blue"
    else:
        colour = "grey"
    return {"text": category_words(code), "classes": f"nhsuk-tag--{colour}"}


@dataclass(frozen=True)
class BannerAlert:
    pk: int
    category: str
    text: str

    @property
    def words(self) -> str:
        return category_words(self.category)


@dataclass(frozen=True)
class AlertLine:
    """The alerts in force shown under the child banner, and where the child's alerts page is (empty: the person
    may not see the child, so nothing is shown)."""

    alerts: tuple[BannerAlert, ...] = ()
    href: str = ""


def alerts_for(child, referral=None) -> AlertLine:
    """The child's alerts in force (and those of records merged into the child's), for the banner on every page of
    the record, with the link to the alerts page through a referral this person may see: one query.

    The page showing the banner has already found the child through a referral this person may see; the alerts are
    read through the same scope again (the person making the request), so the banner can never show more than the
    record. Outside a request (nobody to scope by), the banner shows no alerts."""
    if not isinstance(getattr(child, "pk", None), int):  # no child, or an undefined one in a template
        return AlertLine()
    actor = current_actor()
    if actor is None:
        return AlertLine()
    visible = Referral.objects.visible_to(actor).filter(child_id=child.pk)
    if referral is not None and getattr(referral, "child_id", None) == child.pk:
        visible = visible.filter(pk=referral.pk)
    rows = (
        Child.objects.filter(Q(pk=child.pk) | Q(merged_into_id=child.pk))
        .annotate(
            live=FilteredRelation("alerts", condition=Q(alerts__ended_at__isnull=True)),
            link=Subquery(visible.order_by("-received_at", "-id").values("reference")[:1]),
        )
        .order_by()
        .values_list("link", "live__id", "live__category", "live__text", "live__raised_at")
    )
    reference, found = "", []
    for link, pk, category, text, raised_at in rows:
        reference = reference or (link or "")
        if pk is not None:
            found.append((CATEGORY_ORDER.get(category, len(CATEGORY_ORDER)), raised_at, pk, category, text))
    if not reference:
        return AlertLine()
    found.sort()
    return AlertLine(
        alerts=tuple(BannerAlert(pk=pk, category=category, text=text) for *_sort, pk, category, text in found),
        href=reverse("alerts:referral_alerts", args=[reference]),
    )


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    tag: dict[str, str]
    raised: str
    review: str
    due: bool
    ended: str


def _by(user) -> str:
    return user.display_name if user is not None else "someone no longer recorded"


def alert_row(alert: Alert, today: dt.date) -> AlertRow:
    """Needs raised_by, reviewed_by and ended_by fetched with the alert."""
    from paedot.core.presenters import format_date, format_datetime

    due = alert.in_force and rules.is_due_for_review(alert.review_on, today)
    review = f"Review by {format_date(alert.review_on)}"
    if due:
        days = rules.days_overdue(alert.review_on, today)
        ago = f"{days} day{'s' if days != 1 else ''} ago"
        review = f"Review overdue: it was due on {format_date(alert.review_on)} ({ago})"
    if alert.reviewed_at is not None:
        review += f". Last reviewed by {_by(alert.reviewed_by)} on {format_datetime(alert.reviewed_at)}"
    ended = ""
    if not alert.in_force:
        ended = f"Ended by {_by(alert.ended_by)} on {format_datetime(alert.ended_at)}"
    return AlertRow(
        alert=alert,
        tag=category_tag(alert.category),
        raised=f"Raised by {_by(alert.raised_by)} on {format_datetime(alert.raised_at)}",
        review=review,
        due=due,
        ended=ended,
    )
