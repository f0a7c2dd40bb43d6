"""Triage: an OT decides how soon an accepted referral is seen, on which pathway and where; then it waits."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from paedot.referrals.models import PRIORITY_RANK, Pathway, Priority, Referral, Setting, Status
from paedot.referrals.rules import may_move, refusal_message
from paedot.referrals.services.journey import TransitionRefused, move_referral, require
from paedot.staff.rules import Action
from paedot.triage.models import Triage
from paedot.triage.rules import PrioritySuggestion, TriageFacts, needs_reason_to_differ, suggest_priority


def suggestion_for(referral: Referral) -> PrioritySuggestion:
    text = " ".join(
        part
        for part in (referral.description, referral.impact_home, referral.impact_school, referral.impact_leisure)
        if part
    )
    return suggest_priority(
        TriageFacts(
            date_of_birth=referral.child.date_of_birth,
            on_date=timezone.localdate(),
            difficulties=tuple(referral.difficulties),
            text=text,
        )
    )


def triage_referral(
    *,
    referral: Referral,
    priority: str,
    pathway: str,
    setting: str,
    notes: str = "",
    reason_for_difference: str = "",
    triaged_by,
) -> Referral:
    """Record the triage and move the referral from accepted to waiting. Differing from the suggested priority
    needs a reason, which is kept."""
    require(triaged_by, Action.TRIAGE)
    # Refuse a referral that cannot be triaged before asking about its answers: a reason to differ from the
    # suggestion means nothing for a referral already on the waiting list. move_referral checks again under a lock.
    if not may_move(referral.status, Status.WAITING):
        raise TransitionRefused(refusal_message(referral.status, Status.WAITING, reference=referral.reference))
    for value, choices, name in (
        (priority, Priority, "priority"),
        (pathway, Pathway, "pathway"),
        (setting, Setting, "setting"),
    ):
        if value not in choices.values:
            raise ValueError(f"Choose a {name}: one of {', '.join(choices.values)}.")
    suggestion = suggestion_for(referral)
    reason_for_difference = (reason_for_difference or "").strip()
    if needs_reason_to_differ(suggestion.priority, priority) and not reason_for_difference:
        raise ValueError(f"The suggested priority is {suggestion.priority}: say why you chose {priority} instead.")
    with transaction.atomic():
        moved = move_referral(
            referral=referral,
            to=Status.WAITING,
            actor=triaged_by,
            action="referral.triaged",
            reason=reason_for_difference or notes,
            detail={
                "priority": priority,
                "pathway": pathway,
                "setting": setting,
                "suggested_priority": suggestion.priority,
            },
            changes={
                "priority": priority,
                "priority_rank": PRIORITY_RANK[Priority(priority)],
                "pathway": pathway,
                "first_setting": setting,
                "triaged_at": timezone.now(),
            },
        )
        Triage.objects.create(
            referral=moved,
            priority=priority,
            pathway=pathway,
            setting=setting,
            notes=notes.strip(),
            suggested_priority=suggestion.priority,
            suggestion_reasons=[{"code": r.code, "message": r.message} for r in suggestion.reasons],
            reason_for_difference=reason_for_difference,
            triaged_by=triaged_by,
        )
    return moved
