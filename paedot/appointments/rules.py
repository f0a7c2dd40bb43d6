"""Who may deliver which appointment, and when missed appointments need a clinician's eye. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

# Never on an assistant's own: the first assessment and the review after a block are an OT's clinical judgement.
OT_ONLY_KINDS = frozenset({"assessment", "review"})
# Children's appointment kinds an OT assistant may deliver, in a package an OT has set up.
ASSISTANT_KINDS = frozenset({"treatment", "group", "school_visit", "home_visit", "telephone", "video"})

# The default of the attendance policy (policies/attendance.json, read by policy.py), for callers without one.
WAS_NOT_BROUGHT_IN_A_ROW = 2


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def may_deliver(*, role: str, kind: str, has_supervisor: bool, package_set_up_by_ot: bool) -> Refusal | None:
    """None when this clinician may be booked for this kind of appointment; otherwise why not."""
    if role in ("ot", "team_lead"):
        return None
    if role != "ota":
        return Refusal("not_a_clinician", "Only OTs, OT assistants and team leads hold appointments.")
    if kind in OT_ONLY_KINDS:
        return Refusal(
            "assistant_cannot_assess_or_review",
            "An OT assistant cannot do an assessment or a review on their own: book an OT.",
        )
    if not has_supervisor:
        return Refusal("assistant_without_supervisor", "This OT assistant has no supervising OT recorded.")
    if not package_set_up_by_ot:
        return Refusal(
            "no_package_from_an_ot",
            "An OT assistant delivers sessions in a package an OT has set up: an OT must triage or plan it first.",
        )
    return None


def needs_attendance_review(outcomes_latest_last: list[str], in_a_row: int = WAS_NOT_BROUGHT_IN_A_ROW) -> bool:
    """True when the latest outcomes end with `in_a_row` "was not brought" (cancellations don't break the run,
    attended does)."""
    run = 0
    for outcome in reversed(outcomes_latest_last):
        if outcome == "was_not_brought":
            run += 1
            if run >= in_a_row:
                return True
        elif outcome == "attended":
            return False
    return False
