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


def restriction_in_force(child_id: int) -> Restriction | None:
    """The child's restriction while it has not been lifted; None for a record open to the usual staff."""
    return Restriction.objects.filter(child_id=child_id, lifted_at__isnull=True).first()


def restrict_new_referral(referral: Referral) -> bool:
    """A referral received for a child whose record is restricted is restricted too, from the moment it is stored:
    otherwise everyone in the locality could read the new referral, address and school included, of a child the
    service has hidden. The named staff are told it arrived (the reference only), since it leaves the screening
    queue of everyone else. Called inside the intake's transaction; True when it restricted the referral."""
    restriction = restriction_in_force(referral.child_id)
    if restriction is None:
        return False
    Referral.objects.filter(pk=referral.pk).update(restricted=True)
    referral.restricted = True
    record_event(
        action="record.restriction_covers_new_referral",
        actor_label="intake",
        target=referral,
        child_id=referral.child_id,
        detail={"reference": referral.reference},
    )
    _tell_named_staff_of_new_referral(referral, restriction)
    return True


def _tell_named_staff_of_new_referral(referral: Referral, restriction: Restriction) -> None:
    from paedot.notifications.services import queue_message

    for person in restriction.named_staff.filter(is_active=True).exclude(email=""):
        # The reference only, never the child's name: email is not the place for it.
        queue_message(
            channel="email",
            recipient=person.email,
            subject=f"New referral for a restricted record: {referral.reference}",
            body=(
                f"Referral {referral.reference} has arrived for a child whose record is restricted and names you. "
                "Only the named staff can see it, so it is not in anyone else's screening queue: please make sure "
                "it is screened."
            ),
            reference=f"restricted-new-referral:{referral.pk}:{person.pk}",
            referral=referral,
        )


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


# A merge of two records of one child, and undoing a wrong one. The restriction is about the child, so the surviving
# record carries it: otherwise a restricted child's referrals moved onto an open record would be hidden from the
# staff named on them, and an open referral moved onto a restricted record would show that child to everyone.


def _as_it_stands(restriction: Restriction) -> dict:
    return {
        "reason": restriction.reason,
        "restricted_by_id": restriction.restricted_by_id,
        "lifted_at": restriction.lifted_at.isoformat() if restriction.lifted_at else None,
        "lifted_by_id": restriction.lifted_by_id,
        "named_staff_ids": sorted(restriction.named_staff.values_list("pk", flat=True)),
    }


def carry_restriction_through_merge(*, merged_child_id: int, surviving: Child, by, reason: str) -> dict | None:
    """After a merge has moved the merged record's referrals onto the surviving record: a restriction in force on
    the merged record now covers the surviving one too (with the staff named on either), and every referral of the
    child is marked as the surviving record's restriction says. Returns what the surviving record's restriction was
    and became, for an undo, when the merge changed it; None when it did not."""
    carried = restriction_in_force(merged_child_id)
    kept = Restriction.objects.select_for_update().filter(child=surviving).first()
    record = None
    if carried is not None:
        record = {"before": _as_it_stands(kept) if kept else None}
        named = list(carried.named_staff.all())
        if kept is None or not kept.in_force:
            kept, _ = Restriction.objects.update_or_create(
                child=surviving,
                defaults={
                    "reason": f"Carried over from a record merged into this one. {carried.reason}",
                    "restricted_by": carried.restricted_by,
                    "lifted_at": None,
                    "lifted_by": None,
                },
            )
            kept.named_staff.set(named)
        else:
            kept.named_staff.add(*named)
            kept.save(update_fields=["updated_at"])
        record["after"] = _as_it_stands(kept)
        record_event(
            action="record.restriction_carried_by_merge",
            actor=by,
            target=surviving,
            reason=reason,
            detail={
                "from_child": merged_child_id,
                "named_staff": sorted(u.get_username() for u in kept.named_staff.all()),
            },
        )
    _mark_referrals(surviving, restriction_in_force(surviving.pk) is not None)
    return record


def restriction_after_undo(record: dict | None, surviving: Child) -> str:
    """What undoing the merge does to the surviving record's restriction, in a sentence for the page; "" when the
    merge did not change it. A restriction changed since the merge (lifted, restricted again, other staff named) is
    left as it is now: keeping it is the safe side, and a team lead can lift it."""
    if not record:
        return ""
    if _changed_since_merge(record, surviving):
        return (
            f"leave the restriction on {surviving.full_name}'s record as it is now: it has changed since the merge "
            "(a team lead can lift it)"
        )
    if record["before"] is None or record["before"]["lifted_at"]:
        return f"lift the restriction the merge carried onto {surviving.full_name}'s record, as it was before"
    return f"put back the staff named on {surviving.full_name}'s restricted record as they were before the merge"


def _changed_since_merge(record: dict, surviving: Child) -> bool:
    kept = Restriction.objects.filter(child=surviving).first()
    return kept is None or _as_it_stands(kept) != record["after"]


def undo_restriction_carried_by_merge(*, record: dict | None, separated: Child, surviving: Child, by, reason: str):
    """Undoing a wrong merge: the surviving record's restriction goes back to what it was before the merge (unless
    it has changed since, see restriction_after_undo), and each record's referrals are marked as its own
    restriction says (the separated record kept its restriction all along)."""
    if record and not _changed_since_merge(record, surviving):
        kept = Restriction.objects.select_for_update().get(child=surviving)
        before = record["before"]
        if before is None:
            kept.named_staff.clear()
            kept.delete()
        else:
            kept.reason = before["reason"]
            kept.restricted_by_id = before["restricted_by_id"]
            kept.lifted_at = dt.datetime.fromisoformat(before["lifted_at"]) if before["lifted_at"] else None
            kept.lifted_by_id = before["lifted_by_id"]
            kept.save()
            kept.named_staff.set(before["named_staff_ids"])
        record_event(
            action="record.restriction_carried_by_merge_undone",
            actor=by,
            target=surviving,
            reason=reason,
            detail={"separated_child": separated.pk, "restored": before is not None},
        )
    for child in (surviving, separated):
        _mark_referrals(child, restriction_in_force(child.pk) is not None)
