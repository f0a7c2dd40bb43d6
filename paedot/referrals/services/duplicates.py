"""Known children: is a new referral about a child we already know? Never merged silently.

Same valid NHS number: the referral joins that child's record, as a new episode linked to the earlier one; if the
child already has an open referral, the new one is flagged as a likely duplicate for a person to merge or dismiss.
Same name, date of birth and postcode (fuzzy, see children.rules): a new child record is made and flagged for a
person to decide whether it is the same child.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paedot.children.models import Child, ParentCarer
from paedot.core.audit import record_event
from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number
from paedot.referrals.models import CLOSED_STATUSES, PossibleDuplicate, Referral, Status
from paedot.referrals.services.journey import TransitionRefused, move_referral, require, require_reason
from paedot.staff.rules import Action

MAX_FLAGS = 5  # the strongest few are what a person can usefully compare


def known_child_with_same_nhs_number(nhs_number: str) -> Child | None:
    number = normalise_nhs_number(nhs_number or "")
    if not number or not is_valid_nhs_number(number):
        return None
    return Child.objects.filter(nhs_number=number).order_by("created_at", "id").first()


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
    child's next episode, linked to it.
    """
    require(resolved_by, Action.RESOLVE_DUPLICATE)
    reason = require_reason(reason, "why these are the same child")
    with transaction.atomic():
        flag = (
            PossibleDuplicate.objects.select_for_update()
            .select_related("referral", "existing_referral")
            .get(pk=flag.pk)
        )
        if flag.state != PossibleDuplicate.State.OPEN:
            raise TransitionRefused("This possible duplicate has already been decided.")
        new, existing = flag.referral, flag.existing_referral
        earlier_child = existing.child
        made_for_new = new.child_id
        if made_for_new != earlier_child.pk:
            # The child record made for the new referral is kept (its spelling may matter), marked as merged.
            Referral.objects.filter(child_id=made_for_new).update(child=earlier_child, updated_at=timezone.now())
            ParentCarer.objects.filter(child_id=made_for_new).update(child=earlier_child)
            # The merged record, and any merged into it before, now lead to the surviving one.
            Child.objects.filter(Q(pk=made_for_new) | Q(merged_into_id=made_for_new)).update(
                merged_into=earlier_child, merged_at=timezone.now(), updated_at=timezone.now()
            )
            new.child = earlier_child
        if existing.status in CLOSED_STATUSES:
            Referral.objects.filter(pk=new.pk).update(previous_referral=existing)
            new.previous_referral = existing
            outcome = "linked as a re-referral"
        else:
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
        flag.save()
        record_event(
            action="referral.possible_duplicate_merged",
            actor=resolved_by,
            target=new,
            reason=reason,
            detail={"existing": existing.reference, "outcome": outcome},
        )
    return new


def dismiss_duplicate(*, flag: PossibleDuplicate, reason: str, resolved_by) -> PossibleDuplicate:
    """A person decides these are different children; the flag stays, with their reason."""
    require(resolved_by, Action.RESOLVE_DUPLICATE)
    reason = require_reason(reason, "why these are different children")
    with transaction.atomic():
        flag = PossibleDuplicate.objects.select_for_update().get(pk=flag.pk)
        if flag.state != PossibleDuplicate.State.OPEN:
            raise TransitionRefused("This possible duplicate has already been decided.")
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
