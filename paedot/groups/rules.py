"""Who may join a group, what can be recorded on a group session's register, and what to say when sessions are
booked in the past. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from paedot.appointments.rules import IN_THE_PAST, listed_days, london_day
from paedot.diaries.rules import PlanWarning

# Children on the waiting list (enrolling books them) or already seen (a group as part of their package of care).
ENROLLABLE_STATUSES = frozenset({"waiting", "invited", "booked", "seen"})
# What can happen to one child at a group session. The service cancelling is a cancellation of the whole session.
GROUP_OUTCOMES = {
    "attended": "Attended",
    "was_not_brought": "Was not brought",
    "cancelled_by_family": "Cancelled by the family",
}
MAX_CAPACITY = 60
MAX_SESSIONS = 52

# Withdrawing a child sends the family nothing: no message about the sessions they were reminded of (or never heard
# of, or that have happened), and no more reminders. Said before and after, so staff tell the family themselves.
WITHDRAWAL_NOT_TOLD = (
    "No letter, email or text message is sent to the family about it, and they get no more reminders of the group's "
    "sessions: unless they already know, tell them yourself."
)
WITHDRAWN_NOT_TOLD = (
    "No letter, email or text message was sent to the family about it, and they get no more reminders of the "
    "group's sessions: unless they already know, tell them yourself."
)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def places_left(*, capacity: int, enrolled: int) -> int:
    return max(capacity - enrolled, 0)


def enrolment_refusal(
    *,
    status: str,
    status_words: str,
    reference: str,
    programme: str,
    already_enrolled: bool,
    enrolled: int,
    capacity: int,
) -> Refusal | None:
    """None when this child may take a place in the group now; otherwise why not (checked in this order)."""
    if status not in ENROLLABLE_STATUSES:
        return Refusal(
            "not_on_waiting_list",
            f"Referral {reference} is {status_words}: only children on the waiting list, or already seen, can join "
            "a group.",
        )
    if already_enrolled:
        return Refusal("already_enrolled", f"Referral {reference} is already enrolled in {programme}.")
    if enrolled >= capacity:
        taken = "its one place is taken" if capacity == 1 else f"all {capacity} places are taken"
        return Refusal("group_full", f"{programme} is full: {taken}. Withdraw a child or choose another group.")
    return None


def attendance_refusal(
    *, outcome: str, session_cancelled: bool, session_started: bool, enrolled: bool, recorded: str
) -> Refusal | None:
    """None when this outcome can be recorded for this child at this session; otherwise why not.

    Recording the same outcome again is allowed (and changes nothing): a register saved twice is not an error.
    """
    if outcome not in GROUP_OUTCOMES:
        return Refusal("unknown_outcome", f"The outcome is one of: {', '.join(GROUP_OUTCOMES)}.")
    if session_cancelled:
        return Refusal("session_cancelled", "This session was cancelled: there is no attendance to record.")
    if not session_started:
        return Refusal("session_not_started", "This session has not started yet: record attendance once it has.")
    if not enrolled:
        return Refusal("not_enrolled", "This child is not enrolled in the group.")
    if recorded and recorded != outcome:
        return Refusal(
            "already_recorded",
            f"Attendance is already recorded for this child at this session ({GROUP_OUTCOMES.get(recorded, recorded)}"
            ").",
        )
    return None


def sessions_in_the_past(sessions: Sequence[dt.datetime], now: dt.datetime) -> PlanWarning | None:
    """The sessions of a group that start before `now`. They are booked all the same (a group already run is recorded
    after the event), but each needs its register, and the families with a place are sent no reminder of them. None
    when all are still to come."""
    past = sorted({london_day(start) for start in sessions if start < now})
    if not past:
        return None
    many = len(past) > 1
    count = f"{len(past)} sessions of this group are" if many else "1 session of this group is"
    return PlanWarning(
        code=IN_THE_PAST,
        message=f"{count} in the past: {listed_days(past)}. {'They are' if many else 'It is'} booked all the same, "
        f"for {'sessions' if many else 'a session'} already held: record who came on {'each' if many else 'its'} "
        f"register. No reminder or other message is sent to the families in the group about "
        f"{'them' if many else 'it'}, because {'they have' if many else 'it has'} already happened. If the first "
        f"date was typed wrongly, cancel {'these sessions' if many else 'it'} and book again.",
        dates=tuple(past),
    )
