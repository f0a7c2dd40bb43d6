"""Who may join a group, and what can be recorded on a group session's register. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

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
