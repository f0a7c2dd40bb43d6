"""Restricting a child's record, lifting it, and breaking the glass. Each is audited; breaking the glass also tells
every team lead at once, so an inappropriate look is noticed the same day, not at the next audit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paedot.children.models import Child
from paedot.core.audit import record_event
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import require, require_reason
from paedot.restricted_records.models import BreakGlass, Restriction
from paedot.staff.models import Role, User
from paedot.staff.rules import Action

# Long enough for a shift's work on the child, short enough that tomorrow needs a new reason.
BREAK_GLASS_HOURS = 8
# The team leads' notice that someone broke the glass starts its outbox reference with this. It says who opened
# which restricted record and why, which is audit information: the staff outbox shows it to team leads only.
BREAK_GLASS_NOTICE = "break-glass:"


class RecordRestricted(Exception):
    """The record exists, but it is restricted and this person is not named: offer to break the glass (HTTP 403)."""

    def __init__(self, referral: Referral) -> None:
        super().__init__("This child's record is restricted.")
        self.referral = referral


def named_on(user):
    """The children whose restricted records name this person."""
    return Restriction.objects.filter(named_staff=user, lifted_at__isnull=True).values("child_id")


def glass_broken_by(user, now: dt.datetime | None = None):
    """The children whose records this person opened by breaking the glass, while that lasts."""
    return BreakGlass.objects.filter(user=user, expires_at__gt=now or timezone.now()).values("child_id")


def open_to(user) -> Q:
    """The condition on referrals that this person may open despite a restriction: not restricted, named on it, or
    the glass broken. Used by Referral.objects.visible_to."""
    return Q(restricted=False) | Q(child_id__in=named_on(user)) | Q(child_id__in=glass_broken_by(user))


def hidden_from(user, reference: str) -> Referral | None:
    """The referral with this reference when it exists but this person may not open it now and could break the
    glass to (restricted, or outside their localities); None otherwise, so a wrong reference stays a plain 404."""
    from paedot.staff.rules import may

    if not may(user, Action.BREAK_GLASS):
        return None
    referral = Referral.objects.filter(reference=reference.strip().upper()).select_related("child").first()
    if referral is None or Referral.objects.visible_to(user).filter(pk=referral.pk).exists():
        return None
    return referral


def _mark_referrals(child: Child, restricted: bool) -> None:
    Referral.objects.filter(child=child).update(restricted=restricted)


def restrict_record(*, child: Child, reason: str, named_staff: list[User], by) -> Restriction:
    """Restrict the child's record to the named staff (the person restricting it is always named)."""
    require(by, Action.RESTRICT_RECORD)
    reason = require_reason(reason, "the reason for restricting the record")
    with transaction.atomic():
        restriction, _ = Restriction.objects.update_or_create(
            child=child, defaults={"reason": reason, "restricted_by": by, "lifted_at": None, "lifted_by": None}
        )
        restriction.named_staff.set({by, *named_staff})
        _mark_referrals(child, True)
        record_event(
            action="record.restricted",
            actor=by,
            target=child,
            reason=reason,
            detail={"named_staff": sorted(u.get_username() for u in {by, *named_staff})},
        )
    return restriction


def lift_restriction(*, child: Child, reason: str, by) -> Restriction:
    require(by, Action.RESTRICT_RECORD)
    reason = require_reason(reason, "the reason for lifting the restriction")
    with transaction.atomic():
        restriction = Restriction.objects.select_for_update().get(child=child)
        restriction.lifted_at = timezone.now()
        restriction.lifted_by = by
        restriction.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
        _mark_referrals(child, False)
        record_event(action="record.restriction_lifted", actor=by, target=child, reason=reason)
    return restriction


def break_glass(*, referral: Referral, user, reason: str, now: dt.datetime | None = None) -> BreakGlass:
    """Open a record this person may not usually see (restricted, or outside their localities) for BREAK_GLASS_HOURS,
    with a reason: audited, and every team lead is told."""
    require(user, Action.BREAK_GLASS)
    reason = require_reason(reason, "the reason you need to open this record")
    now = now or timezone.now()
    with transaction.atomic():
        opening = BreakGlass.objects.create(
            child_id=referral.child_id, user=user, reason=reason, expires_at=now + dt.timedelta(hours=BREAK_GLASS_HOURS)
        )
        record_event(
            action="record.break_glass",
            actor=user,
            target=referral,
            child_id=referral.child_id,
            reason=reason,
            detail={"reference": referral.reference, "until": opening.expires_at.isoformat()},
        )
        _tell_team_leads(referral, user, reason)
    return opening


def _tell_team_leads(referral: Referral, user, reason: str) -> None:
    from paedot.notifications.services import queue_message

    leads = User.objects.filter(role=Role.TEAM_LEAD, is_active=True).exclude(email="").exclude(pk=user.pk)
    for lead in leads:
        # The reference and who, never the child's name: email is not the place for it.
        queue_message(
            channel="email",
            recipient=lead.email,
            subject=f"Restricted record opened: {referral.reference}",
            body=(
                f"{user.get_full_name() or user.get_username()} broke the glass on the restricted record "
                f"{referral.reference} at {timezone.localtime():%H:%M on %d %B %Y}.\n\nTheir reason: {reason}\n\n"
                "The audit trail has the details."
            ),
            reference=f"{BREAK_GLASS_NOTICE}{referral.pk}:{user.pk}:{timezone.now().timestamp():.0f}:{lead.pk}",
            referral=referral,
        )
