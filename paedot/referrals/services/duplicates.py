"""Known children: is a new referral about a child we already know? Never merged silently.

Same valid NHS number: the referral joins that child's record, as a new episode linked to the earlier one; if the
child already has an open referral, the new one is flagged as a likely duplicate for a person to merge or dismiss.
Same name, date of birth and postcode (fuzzy, see children.rules): a new child record is made and flagged for a
person to decide whether it is the same child.

A merge keeps a record of exactly what it moved and changed (PossibleDuplicate.merge_record), so a wrong merge can be
undone (unmerge_duplicate) without guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paedot.children.models import Child, ParentCarer
from paedot.core.audit import record_event
from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number
from paedot.referrals.models import CLOSED_STATUSES, PossibleDuplicate, Referral, Status
from paedot.referrals.rules import may_undo_merge
from paedot.referrals.services.journey import (
    NotAllowed,
    TransitionRefused,
    move_referral,
    require,
    require_reason,
)
from paedot.staff.rules import Action

MAX_FLAGS = 5  # the strongest few are what a person can usefully compare
# A flag still to decide: new, or merged and then undone (the person may merge it again, or dismiss it).
UNDECIDED = (PossibleDuplicate.State.OPEN, PossibleDuplicate.State.UNMERGED)


def known_child_with_same_nhs_number(nhs_number: str) -> Child | None:
    number = normalise_nhs_number(nhs_number or "")
    if not number or not is_valid_nhs_number(number):
        return None
    known = Child.objects.filter(nhs_number=number).select_related("merged_into").order_by("created_at", "id").first()
    # A record merged into another is that child's: the referral joins the surviving record.
    return known.merged_into if known is not None and known.merged_into_id else known


def latest_closed_referral(child: Child) -> Referral | None:
    return child.referrals.filter(status__in=CLOSED_STATUSES).order_by("-received_date", "-id").first()


def flag_possible_duplicates(*, referral: Referral, submission, same_child: bool) -> list[PossibleDuplicate]:
    """Flag every open referral that may be about the same child, and every known child who may be this one."""
    from paedot.children.services import find_known_children

    flags: list[PossibleDuplicate] = []
    if same_child:
        for other in referral.child.referrals.exclude(pk=referral.pk).exclude(status__in=CLOSED_STATUSES):
            flags.append(
                _flag(
                    referral,
                    other,
                    "certain",
                    100.0,
                    [{"code": "same_nhs_number", "message": "Same NHS number, and that referral is still open."}],
                )
            )
        return flags
    child = submission.child
    matches = find_known_children(
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        postcode=child.postcode,
        nhs_number=child.nhs_number,
        exclude_child_ids=(referral.child_id,),
    )
    flagged_children: set[int] = set()
    for known, match in matches:
        # A record merged into another is that child's too: the referral to compare with is the survivor's.
        child_id = known.merged_into_id or known.pk
        if child_id in flagged_children or child_id == referral.child_id:
            continue
        latest = Referral.objects.filter(child_id=child_id).order_by("-received_date", "-id").first()
        if latest is None:
            continue
        flagged_children.add(child_id)
        if len(flagged_children) > MAX_FLAGS:
            break
        reasons = [{"code": r.code, "message": r.message} for r in match.reasons]
        flags.append(_flag(referral, latest, match.strength, match.score, reasons))
    return flags


def _flag(referral: Referral, other: Referral, strength: str, score: float, reasons: list[dict]) -> PossibleDuplicate:
    flag = PossibleDuplicate.objects.create(
        referral=referral, existing_referral=other, strength=strength, score=score, reasons=reasons
    )
    record_event(
        action="referral.possible_duplicate_flagged",
        actor_label="matching",
        target=referral,
        detail={"existing": other.reference, "strength": strength, "score": round(score, 1)},
    )
    return flag


def merge_duplicate(*, flag: PossibleDuplicate, reason: str, resolved_by) -> Referral:
    """A person confirms the two referrals are about the same child.

    If the earlier referral is still open, the new one is closed as a duplicate of it (its details stay readable,
    and the earlier referral's history says so). If the earlier one is closed, the new referral becomes the
    child's next episode, linked to it. What moved and what it was before is kept on the flag, for an undo.
    """
    require(resolved_by, Action.RESOLVE_DUPLICATE)
    reason = require_reason(reason, "why these are the same child")
    with transaction.atomic():
        flag = (
            PossibleDuplicate.objects.select_for_update()
            .select_related("referral", "existing_referral")
            .get(pk=flag.pk)
        )
        if flag.state not in UNDECIDED:
            raise TransitionRefused("This possible duplicate has already been decided.")
        _require_sight_of_both(resolved_by, flag)
        new, existing = flag.referral, flag.existing_referral
        earlier_child = existing.child
        made_for_new = new.child_id
        now = timezone.now()
        # What this merge moves and changes, kept on the flag so that undoing it puts back exactly this.
        record: dict = {
            "into_child_id": earlier_child.pk,
            "child_id": None,
            "referral_ids": [],
            "parent_carer_ids": [],
            "merged_records": [],
            "closed_referral": None,
            "linked_previous": False,
            "previous_referral_before": new.previous_referral_id,
            "merged_at": now.isoformat(),
        }
        if made_for_new != earlier_child.pk:
            # Both records locked: no referral joins either while what moves is listed and moved.
            list(Child.objects.select_for_update().filter(pk__in=(made_for_new, earlier_child.pk)).order_by("pk"))
            referral_ids = list(
                Referral.objects.filter(child_id=made_for_new).order_by("pk").values_list("pk", flat=True)
            )
            parent_carer_ids = list(
                ParentCarer.objects.filter(child_id=made_for_new).order_by("pk").values_list("pk", flat=True)
            )
            earlier_merges = Child.objects.filter(merged_into_id=made_for_new).order_by("pk")
            record.update(
                child_id=made_for_new,
                referral_ids=referral_ids,
                parent_carer_ids=parent_carer_ids,
                merged_records=[
                    {"id": pk, "merged_at": _iso(at)} for pk, at in earlier_merges.values_list("pk", "merged_at")
                ],
            )
            # The child record made for the new referral is kept (its spelling may matter), marked as merged.
            Referral.objects.filter(pk__in=referral_ids).update(child=earlier_child, updated_at=now)
            ParentCarer.objects.filter(pk__in=parent_carer_ids).update(child=earlier_child, updated_at=now)
            # The merged record, and any merged into it before, now lead to the surviving one.
            Child.objects.filter(Q(pk=made_for_new) | Q(merged_into_id=made_for_new)).update(
                merged_into=earlier_child, merged_at=now, updated_at=now
            )
            new.child = earlier_child
            from paedot.restricted_records.services import carry_restriction_through_merge

            record["restriction"] = carry_restriction_through_merge(
                merged_child_id=made_for_new, surviving=earlier_child, by=resolved_by, reason=reason
            )
        if existing.status in CLOSED_STATUSES:
            Referral.objects.filter(pk=new.pk).update(previous_referral=existing)
            new.previous_referral = existing
            record["linked_previous"] = True
            outcome = "linked as a re-referral"
        else:
            booked = _still_booked(new, now)
            if booked:
                raise TransitionRefused(booked)
            before = Referral.objects.select_for_update().get(pk=new.pk)
            record["closed_referral"] = {
                "id": before.pk,
                "status_before": before.status,
                "status_changed_at_before": _iso(before.status_changed_at),
                "left_queue_at_before": _iso(before.left_queue_at),
                "closed_at_before": _iso(before.closed_at),
                "closing_reason_before": before.closing_reason,
                # The daily invitations run closes a closed referral's invitation: an undo opens it again.
                "invitations": [
                    {"id": pk, "state": state}
                    for pk, state in _live_invitations(before).order_by("pk").values_list("pk", "state")
                ],
            }
            # A plain move, not discharge_referral: no discharge letter (the earlier referral carries on). It has
            # no bookings to come (_still_booked), so nothing is left in the diary for a closed referral.
            move_referral(
                referral=new,
                to=Status.DISCHARGED,
                actor=resolved_by,
                action="referral.merged_as_duplicate",
                reason=f"Duplicate of referral {existing.reference}: {reason}",
                detail={"duplicate_of": existing.reference},
            )
            record_event(
                action="referral.duplicate_merged_in",
                actor=resolved_by,
                target=existing,
                reason=reason,
                detail={"duplicate": new.reference},
            )
            outcome = "closed as a duplicate"
        flag.state = PossibleDuplicate.State.MERGED
        flag.resolved_by = resolved_by
        flag.resolution_reason = reason
        flag.merge_record = record
        flag.save()
        record_event(
            action="referral.possible_duplicate_merged",
            actor=resolved_by,
            target=new,
            reason=reason,
            detail={"existing": existing.reference, "outcome": outcome},
        )
    return new


FLAGGED_BY_STAFF = "flagged_by_staff"


def flag_possible_duplicate(*, referral: Referral, other_reference: str, reason: str, flagged_by) -> PossibleDuplicate:
    """A person who believes two referrals are about the same child flags them, with why, for the usual decision
    (merge or dismiss): matching at intake only sees what the referral form said, and a family may be referred
    again under another spelling, or an NHS number may come to light later. Nothing is merged here. The later
    referral is the one flagged, as intake would have flagged it."""
    require(flagged_by, Action.RESOLVE_DUPLICATE)
    reason = require_reason(reason, "why these may be the same child")
    other_reference = (other_reference or "").strip().upper()
    if not other_reference:
        raise ValueError("Enter the reference of the other referral, like OT-ABCD-EF12.")
    with transaction.atomic():
        other = Referral.objects.visible_to(flagged_by).filter(reference=other_reference).first()
        if other is None:
            raise ValueError(f"There is no referral {other_reference} that you may open: check the reference.")
        if other.pk == referral.pk:
            raise ValueError("That is this referral: enter the reference of the other one.")
        later, earlier = sorted((referral, other), key=lambda r: (r.received_at, r.pk), reverse=True)
        existing = PossibleDuplicate.objects.filter(
            Q(referral=later, existing_referral=earlier) | Q(referral=earlier, existing_referral=later)
        ).first()
        if existing is not None:
            raise TransitionRefused(
                f"Referrals {later.reference} and {earlier.reference} are already flagged as possibly the same child "
                f"({existing.get_state_display().lower()}): decide it on referral {existing.referral.reference}."
            )
        who = getattr(flagged_by, "display_name", "") or flagged_by.get_username()
        flag = PossibleDuplicate.objects.create(
            referral=later,
            existing_referral=earlier,
            strength="manual",
            score=0,
            reasons=[{"code": FLAGGED_BY_STAFF, "message": f"Flagged by {who}: {reason}"}],
        )
        record_event(
            action="referral.possible_duplicate_flagged",
            actor=flagged_by,
            target=later,
            reason=reason,
            detail={"existing": earlier.reference, "strength": "manual"},
        )
    return flag


def _still_booked(referral: Referral, now: dt.datetime) -> str:
    """Why this referral cannot be closed as a duplicate yet, if it has appointments to come or a place in a group
    with sessions to come: closed, it would leave the family booked on a referral nobody follows, and perhaps two
    sets of appointments for one child. A person cancels them or moves the child's care to one referral first;
    the merge does not guess which bookings to keep."""
    from paedot.appointments.models import Appointment
    from paedot.groups.models import Enrolment

    coming = Appointment.objects.filter(referral=referral, cancelled=False, start__gt=now).order_by("start")
    count, first = coming.count(), coming.values_list("start", flat=True).first()
    groups = list(
        Enrolment.objects.filter(
            referral=referral,
            withdrawn_at__isnull=True,
            programme__sessions__start__gt=now,
            programme__sessions__cancelled=False,
        )
        .values_list("programme__name", flat=True)
        .distinct()
    )
    if not count and not groups:
        return ""
    said = []
    if count:
        said.append(
            f"{count} appointment{'s' if count != 1 else ''} still to come "
            f"(the first on {timezone.localtime(first):%-d %B %Y})"
        )
    if groups:
        said.append(f"a place in {', '.join(groups)}")
    return (
        f"Referral {referral.reference} has {' and '.join(said)}. Cancel them, or keep this referral and close the "
        "other one, before closing it as a duplicate: nothing has been changed."
    )


HIDDEN_OTHER = (
    "The other referral is a restricted record you are not named on: only the staff named on it, or someone who "
    "opens it by breaking the glass, may decide whether these are the same child."
)


def may_see_both(user, flag: PossibleDuplicate) -> bool:
    """Whether this person may open both referrals of the flag. Deciding needs both: a person who cannot read a
    restricted record cannot judge it, and merging would join the two records' restrictions."""
    pair = (flag.referral_id, flag.existing_referral_id)
    return Referral.objects.visible_to(user).filter(pk__in=pair).count() == len(set(pair))


def _require_sight_of_both(user, flag: PossibleDuplicate) -> None:
    if not may_see_both(user, flag):
        raise NotAllowed(HIDDEN_OTHER)


def dismiss_duplicate(*, flag: PossibleDuplicate, reason: str, resolved_by) -> PossibleDuplicate:
    """A person decides these are different children; the flag stays, with their reason."""
    require(resolved_by, Action.RESOLVE_DUPLICATE)
    reason = require_reason(reason, "why these are different children")
    with transaction.atomic():
        flag = PossibleDuplicate.objects.select_for_update().get(pk=flag.pk)
        if flag.state not in UNDECIDED:
            raise TransitionRefused("This possible duplicate has already been decided.")
        _require_sight_of_both(resolved_by, flag)
        flag.state = PossibleDuplicate.State.DISMISSED
        flag.resolved_by = resolved_by
        flag.resolution_reason = reason
        flag.save()
        record_event(
            action="referral.possible_duplicate_dismissed",
            actor=resolved_by,
            target=flag.referral,
            reason=reason,
            detail={"existing": flag.existing_referral.reference},
        )
    return flag


# Undoing a merge.

NOT_MERGED = "This possible duplicate is not merged, so there is no merge to undo."
NO_RECORD = (
    "This merge was made before the service kept a record of what a merge moves, so it cannot be undone here: "
    "nothing has been changed. The merged child record is kept and linked; ask the system's administrators to "
    "separate the records by hand."
)
NOT_YOURS = "Only a team lead, or the person who made this merge, may undo it."
LETTERS_UNCHANGED = "Letters already sent stay as they were: letters are never changed."


@dataclass(frozen=True)
class UndoMergePlan:
    """What undoing a merge will do, or why it cannot be done here: shown before anyone confirms, and kept in the
    audit trail after."""

    refusal: str = ""
    separated: Child | None = None  # the record made separate again; None when the merge moved no record
    surviving: Child | None = None
    moving_back: tuple[str, ...] = ()  # references of the referrals going back to the separated record
    parent_carers: int = 0
    reopening: str = ""  # the referral the merge closed as a duplicate, reopened
    reopened_status: str = ""  # the status it had before the merge, which it goes back to
    unlinking: str = ""  # the referral the merge linked to the earlier episode, unlinked
    staying: tuple[str, ...] = ()  # referrals received on the surviving record since the merge: they stay there
    invitations_reopened: int = 0  # invitations to book closed while the referral was closed, open again
    not_restored: tuple[str, ...] = ()  # appointments and group places cancelled since the merge: to rebook
    restriction: str = ""  # what happens to a restriction the merge carried onto the surviving record

    @property
    def possible(self) -> bool:
        return not self.refusal


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def plan_undo_merge(flag: PossibleDuplicate) -> UndoMergePlan:
    """What undoing this merge would do, or the reason it cannot be undone here (nothing is changed).

    Only what the merge recorded moving goes back. It is refused, rather than guessed, when later work relies on
    the merge: the surviving record merged into another since, something the merge moved moved again, a later
    merge that joined one of the moved referrals to another child, or an episode linked across the two records.
    """
    from paedot.restricted_records.services import restriction_after_undo

    if flag.state != PossibleDuplicate.State.MERGED:
        return UndoMergePlan(refusal=NOT_MERGED)
    record = flag.merge_record
    if not record:
        return UndoMergePlan(refusal=NO_RECORD)
    surviving = Child.objects.get(pk=record["into_child_id"])
    merged_at = _when(record["merged_at"])
    referral_ids = record["referral_ids"]
    plan: dict = {"surviving": surviving}
    if record["child_id"]:
        separated = Child.objects.get(pk=record["child_id"])
        refusal = _what_stops_separating(flag, record, separated, surviving)
        if refusal:
            return UndoMergePlan(refusal=refusal)
        plan.update(
            separated=separated,
            moving_back=tuple(
                Referral.objects.filter(pk__in=referral_ids)
                .order_by("received_date", "pk")
                .values_list("reference", flat=True)
            ),
            parent_carers=len(record["parent_carer_ids"]),
            staying=tuple(
                Referral.objects.filter(child=surviving, received_at__gt=merged_at)
                .exclude(pk__in=referral_ids)
                .order_by("received_date", "pk")
                .values_list("reference", flat=True)
            ),
            restriction=restriction_after_undo(record.get("restriction"), surviving),
        )
    closed = record["closed_referral"]
    if closed:
        reopening = Referral.objects.get(pk=closed["id"])
        if reopening.status != Status.DISCHARGED:
            return UndoMergePlan(refusal=f"Referral {reopening.reference} is no longer closed as a duplicate.")
        plan.update(
            reopening=reopening.reference,
            reopened_status=closed["status_before"],
            invitations_reopened=len(_invitations_closed_since(closed)),
            not_restored=_released_since(reopening, merged_at),
        )
    if record["linked_previous"]:
        plan["unlinking"] = flag.referral.reference
    return UndoMergePlan(**plan)


def _what_stops_separating(flag: PossibleDuplicate, record: dict, separated: Child, surviving: Child) -> str:
    """Why putting the merged record's referrals and contacts back would contradict what was done since, if it would."""
    referral_ids, parent_carer_ids = record["referral_ids"], record["parent_carer_ids"]
    later = "This merge cannot be undone here: nothing has been changed."
    if surviving.merged_into_id:
        return f"{later} {surviving.full_name}'s record has since been merged into another record: undo that first."
    if separated.merged_into_id != surviving.pk:
        return f"{later} {separated.full_name}'s record no longer points to {surviving.full_name}'s."
    if Referral.objects.filter(pk__in=referral_ids, child=surviving).count() != len(referral_ids):
        return f"{later} A referral this merge moved has been moved again since."
    if ParentCarer.objects.filter(pk__in=parent_carer_ids, child=surviving).count() != len(parent_carer_ids):
        return f"{later} A parent or carer this merge moved has been moved again since."
    earlier_ids = [m["id"] for m in record["merged_records"]]
    if Child.objects.filter(pk__in=earlier_ids, merged_into=surviving).count() != len(earlier_ids):
        return f"{later} A record merged into {separated.full_name}'s before has been changed since."
    # A later merge said a moved referral and one staying are the same child: separating them would contradict it.
    crossing = (
        PossibleDuplicate.objects.filter(state=PossibleDuplicate.State.MERGED)
        .exclude(pk=flag.pk)
        .filter(
            Q(referral_id__in=referral_ids, existing_referral__child=surviving)
            & ~Q(existing_referral_id__in=referral_ids)
            | Q(existing_referral_id__in=referral_ids, referral__child=surviving) & ~Q(referral_id__in=referral_ids)
        )
        .select_related("referral", "existing_referral")
        .first()
    )
    if crossing:
        return (
            f"{later} A later merge joined referral {crossing.referral.reference} with "
            f"{crossing.existing_referral.reference}, which this merge brought together: undo that merge first."
        )
    # An episode linked across the two records (other than the link this merge made, which is undone).
    staying = Referral.objects.filter(child=surviving).exclude(pk__in=referral_ids)
    links_out = Referral.objects.filter(pk__in=referral_ids, previous_referral__in=staying)
    if record["linked_previous"]:
        links_out = links_out.exclude(pk=flag.referral_id)
    linked = (
        staying.filter(previous_referral_id__in=referral_ids).select_related("previous_referral").first()
        or links_out.select_related("previous_referral").first()
    )
    if linked:
        return (
            f"{later} Referral {linked.reference} is linked as the next episode after "
            f"{linked.previous_referral.reference}, and separating the records would split them."
        )
    return ""


def _live_invitations(referral: Referral):
    from paedot.waiting_list.models import Invitation

    return Invitation.objects.filter(referral=referral, state__in=(Invitation.State.OPEN, Invitation.State.NO_REPLY))


def _invitations_closed_since(closed: dict) -> list[dict]:
    """The invitations the merge left live that have been closed since (the daily run closes a closed referral's)."""
    from paedot.waiting_list.models import Invitation

    kept = {i["id"]: i for i in closed.get("invitations", [])}
    now_closed = Invitation.objects.filter(pk__in=kept, state=Invitation.State.CLOSED).values_list("pk", flat=True)
    return [kept[pk] for pk in now_closed]


def _released_since(referral: Referral, since: dt.datetime) -> tuple[str, ...]:
    """Appointments cancelled and group places withdrawn since the merge: undoing does not book them again."""
    from paedot.appointments.models import Appointment
    from paedot.groups.models import Enrolment

    cancelled = Appointment.objects.filter(referral=referral, cancelled=True, outcome_recorded_at__gte=since).count()
    withdrawn = Enrolment.objects.filter(referral=referral, withdrawn_at__gte=since).count()
    said = []
    if cancelled:
        said.append(f"{cancelled} appointment(s) cancelled since the merge are not restored: book them again.")
    if withdrawn:
        said.append(f"{withdrawn} group place(s) withdrawn since the merge are not restored: enrol again.")
    return tuple(said)


def unmerge_duplicate(*, flag: PossibleDuplicate, reason: str, undone_by) -> UndoMergePlan:
    """Undo a wrong merge: everything the merge moved or changed goes back, as its record on the flag says.

    The merged child record is separate again with its referrals, parents and carers, and the records that had
    been merged into it; the referral closed as a duplicate goes back to the status it had (directly, with an
    audit event: the journey has no move out of discharged, and this is not a new decision about the child but
    the removal of a wrong one), with its invitation to book if one was closed meanwhile; a link to the earlier
    episode made by the merge is removed. The merge cancels no appointments or group places; any cancelled since
    are named as not restored. Only what this merge
    moved goes back: referrals received on the surviving record since stay there, and are named so a person can
    check them. Refused (nothing changes) when the merge was made before its record was kept, or when later work
    relies on it (see plan_undo_merge). Letters already sent are not changed. The flag becomes "unmerged", with
    who, when and why, and may be decided again.
    """
    from paedot.restricted_records.services import undo_restriction_carried_by_merge

    require(undone_by, Action.UNDO_MERGE)
    reason = require_reason(reason, "why this merge was wrong")
    with transaction.atomic():
        flag = (
            PossibleDuplicate.objects.select_for_update()
            .select_related("referral", "existing_referral")
            .get(pk=flag.pk)
        )
        if flag.state != PossibleDuplicate.State.MERGED:
            raise TransitionRefused(NOT_MERGED)
        if not may_undo_merge(undone_by, merged_by_id=flag.resolved_by_id):
            raise NotAllowed(NOT_YOURS)
        record = flag.merge_record
        if record:
            # Both records locked while they are checked and separated: no referral joins either meanwhile.
            children = [record["into_child_id"], *([record["child_id"]] if record["child_id"] else [])]
            list(Child.objects.select_for_update().filter(pk__in=children).order_by("pk"))
        plan = plan_undo_merge(flag)
        if plan.refusal:
            raise TransitionRefused(plan.refusal)
        now = timezone.now()
        if plan.separated is not None:
            separated = plan.separated
            Referral.objects.filter(pk__in=record["referral_ids"]).update(child=separated, updated_at=now)
            ParentCarer.objects.filter(pk__in=record["parent_carer_ids"]).update(child=separated, updated_at=now)
            for earlier in record["merged_records"]:
                Child.objects.filter(pk=earlier["id"]).update(
                    merged_into=separated, merged_at=_when(earlier["merged_at"]), updated_at=now
                )
            Child.objects.filter(pk=separated.pk).update(merged_into=None, merged_at=None, updated_at=now)
            undo_restriction_carried_by_merge(
                record=record.get("restriction"),
                separated=separated,
                surviving=plan.surviving,
                by=undone_by,
                reason=reason,
            )
        new = Referral.objects.select_for_update().get(pk=flag.referral_id)
        changed: dict = {}
        closed = record["closed_referral"]
        if closed:
            changed.update(
                status=closed["status_before"],
                status_changed_at=_when(closed["status_changed_at_before"]),
                left_queue_at=_when(closed["left_queue_at_before"]),
                closed_at=_when(closed["closed_at_before"]),
                closing_reason=closed["closing_reason_before"],
            )
        if record["linked_previous"]:
            changed["previous_referral_id"] = record["previous_referral_before"]
        if changed:
            for name, value in changed.items():
                setattr(new, name, value)
            new.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated_at"])
        if closed:
            from paedot.waiting_list.models import Invitation

            for invitation in _invitations_closed_since(closed):
                # Open again as it was; past its reply-by date, the daily run puts it on the no-reply list.
                Invitation.objects.filter(pk=invitation["id"]).update(state=invitation["state"], updated_at=now)
        existing = flag.existing_referral
        detail = {
            "existing": existing.reference,
            "separated_child": plan.separated.pk if plan.separated else None,
            "referrals_moved_back": list(plan.moving_back),
            "parent_carers_moved_back": plan.parent_carers,
            "previous_referral_unlinked": bool(plan.unlinking),
            "invitations_reopened": plan.invitations_reopened,
            "staying_with_surviving_record": list(plan.staying),
            "not_restored": list(plan.not_restored),
            "restriction": plan.restriction,
            "letters": LETTERS_UNCHANGED,
        }
        if closed:
            detail.update({"from": Status.DISCHARGED, "to": closed["status_before"]})
        record_event(
            action="referral.duplicate_merge_undone", actor=undone_by, target=new, reason=reason, detail=detail
        )
        record_event(
            action="referral.duplicate_merge_undone",
            actor=undone_by,
            target=existing,
            reason=reason,
            detail={"duplicate": new.reference, "separated_child": detail["separated_child"]},
        )
        flag.state = PossibleDuplicate.State.UNMERGED
        flag.undone_by = undone_by
        flag.undone_at = now
        flag.undo_reason = reason
        flag.save()
    return plan
