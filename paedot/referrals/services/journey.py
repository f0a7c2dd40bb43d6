"""Moving a referral along its journey: screening, information coming back, discharge.

Every move goes through move_referral, which checks rules.TRANSITIONS under a row lock, so two people acting at
once cannot both move the same referral, and a refused move changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.referrals.models import (
    CLOSED_STATUSES,
    WAITING_LIST_STATUSES,
    Referral,
    ScreeningDecision,
    Status,
)
from paedot.referrals.rules import may_move, refusal_message
from paedot.staff.rules import Action, may, refusal


class TransitionRefused(Exception):
    """The referral is not in a state this move can start from (HTTP 409)."""


class NotAllowed(Exception):
    """This person's role does not allow the action (HTTP 403)."""


def require(user, action: Action) -> None:
    if not may(user, action):
        raise NotAllowed(refusal(action))


def require_reason(reason: str, what: str = "a reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(f"Give {what}: it is kept with the referral.")
    return reason


def move_referral(
    *,
    referral: Referral,
    to: str,
    actor,
    action: str,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Referral:
    """Move the referral to a new status (and apply other field changes) if the journey allows it.

    Call inside a transaction. Returns the locked, updated referral; the caller's copy is refreshed too.
    """
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if not may_move(locked.status, to):
        raise TransitionRefused(refusal_message(locked.status, to, reference=locked.reference))
    now = timezone.now()
    previous = locked.status
    fields = {"status": to, "status_changed_at": now, **(changes or {})}
    if previous in WAITING_LIST_STATUSES and previous != Status.BOOKED and to in (Status.BOOKED, Status.DISCHARGED):
        fields["left_queue_at"] = now
    if to in CLOSED_STATUSES:
        fields["closed_at"] = now
        fields["closing_reason"] = reason
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*fields, "updated_at"])
    record_event(
        action=action,
        actor=actor,
        target=locked,
        reason=reason,
        detail={"from": previous, "to": to, **(detail or {})},
    )
    for name, value in fields.items():
        setattr(referral, name, value)
    return locked


SCREENING_MOVES = {
    ScreeningDecision.Decision.ACCEPT: Status.ACCEPTED,
    ScreeningDecision.Decision.DECLINE: Status.DECLINED,
    ScreeningDecision.Decision.REQUEST_INFORMATION: Status.INFORMATION_REQUESTED,
}
# What the person's decision agrees with, of the rules' outcomes.
AGREES_WITH = {
    ScreeningDecision.Decision.ACCEPT: {"accept", "review"},
    ScreeningDecision.Decision.DECLINE: {"decline"},
    ScreeningDecision.Decision.REQUEST_INFORMATION: {"accept", "review", "decline"},
}


def screen_referral(*, referral: Referral, decision: str, reason: str, screened_by) -> Referral:
    """Confirm or override the automatic eligibility outcome, with a reason that is kept.

    A decline sends a letter to the referrer and the family with the reasons and where to go instead; a request
    for information sends one saying what is missing (the reason).
    """
    require(screened_by, Action.SCREEN)
    if decision not in SCREENING_MOVES:
        raise ValueError(f"Unknown screening decision {decision!r}: use accept, decline or request_information.")
    reason = require_reason(reason, "the reason for this decision")
    with transaction.atomic():
        automatic = referral.eligibility.outcome
        overrides = automatic not in AGREES_WITH[decision]
        ScreeningDecision.objects.create(
            referral=referral,
            decision=decision,
            reason=reason,
            automatic_outcome=automatic,
            overrides_automatic=overrides,
            screened_by=screened_by,
        )
        moved = move_referral(
            referral=referral,
            to=SCREENING_MOVES[decision],
            actor=screened_by,
            action=f"referral.screened.{decision}",
            reason=reason,
            detail={"automatic_outcome": automatic, "overrides_automatic": overrides},
        )
        if decision == ScreeningDecision.Decision.DECLINE:
            from paedot.referrals.letters import send_decline_letter

            send_decline_letter(referral=moved, reason=reason, issued_by=screened_by)
        elif decision == ScreeningDecision.Decision.REQUEST_INFORMATION:
            from paedot.referrals.letters import send_information_request

            send_information_request(referral=moved, missing=reason, issued_by=screened_by)
    return moved


def record_information_received(*, referral: Referral, note: str, recorded_by) -> Referral:
    """The missing information came back: the referral returns to screening with a note of what arrived."""
    require(recorded_by, Action.RECORD_INFORMATION_RECEIVED)
    note = require_reason(note, "a note of what information arrived")
    with transaction.atomic():
        return move_referral(
            referral=referral,
            to=Status.RECEIVED,
            actor=recorded_by,
            action="referral.information_received",
            reason=note,
        )


def discharge_referral(*, referral: Referral, reason: str, discharged_by, letter: bool = True) -> Referral:
    """End the episode from any open state. The family, the referrer and the GP get a letter saying why."""
    require(discharged_by, Action.DISCHARGE)
    reason = require_reason(reason, "the reason for discharge")
    with transaction.atomic():
        moved = move_referral(
            referral=referral, to=Status.DISCHARGED, actor=discharged_by, action="referral.discharged", reason=reason
        )
        _close_open_invitations(moved)
        _release_future_bookings(moved, reason=reason, actor=discharged_by)
        if letter:
            from paedot.referrals.letters import send_discharge_letter

            send_discharge_letter(referral=moved, reason=reason, issued_by=discharged_by)
    return moved


def _close_open_invitations(referral: Referral) -> None:
    """A discharged child has no invitation to chase: no reminder, no place on the no-reply list."""
    from paedot.waiting_list.models import Invitation

    Invitation.objects.filter(referral=referral, state__in=(Invitation.State.OPEN, Invitation.State.NO_REPLY)).update(
        state=Invitation.State.CLOSED, updated_at=timezone.now()
    )


def stop_waiting_clock(*, referral: Referral, attended_on, recorded_by) -> Referral:
    """The first attended appointment: the wait is over. Keeps the days waited (calendar days, nothing paused)."""
    with transaction.atomic():
        if attended_on < referral.received_date:
            raise ValueError("The first appointment cannot be before the referral was received.")
        days = (attended_on - referral.received_date).days
        return move_referral(
            referral=referral,
            to=Status.SEEN,
            actor=recorded_by,
            action="referral.first_attended",
            detail={"first_attended_on": attended_on.isoformat(), "days_waited": days},
            changes={
                "first_attended_on": attended_on,
                "days_waited": days,
                "left_queue_at": referral.left_queue_at or timezone.now(),
            },
        )


def _release_future_bookings(referral: Referral, *, reason: str, actor) -> None:
    """A discharged child keeps no clinician's time and no group place: future appointments are cancelled by the
    service (the discharge letter tells the family) and group places withdrawn, each recorded."""
    from paedot.appointments.models import Appointment, Outcome
    from paedot.groups.models import Enrolment

    now = timezone.now()
    future = Appointment.objects.filter(referral=referral, cancelled=False, outcome="", start__gt=now)
    cancelled = list(future.values_list("pk", flat=True))
    future.update(
        cancelled=True,
        outcome=Outcome.CANCELLED_BY_SERVICE,
        cancellation_reason=f"Discharged: {reason}",
        outcome_recorded_at=now,
        outcome_recorded_by=actor,
        updated_at=now,
    )
    places = Enrolment.objects.filter(referral=referral, withdrawn_at__isnull=True)
    withdrawn = list(places.values_list("programme_id", flat=True))
    places.update(withdrawn_at=now, withdrawal_reason=f"Discharged: {reason}", updated_at=now)
    if cancelled or withdrawn:
        record_event(
            action="referral.bookings_released",
            actor=actor,
            target=referral,
            reason=reason,
            detail={"appointments_cancelled": cancelled, "group_places_withdrawn": withdrawn},
        )
