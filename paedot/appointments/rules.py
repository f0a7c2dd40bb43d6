"""Who may deliver which appointment, when missed appointments need a clinician's eye, and what to say when a
booking is in the past. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from paedot.diaries.rules import LONDON, PlanWarning

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


# --- Booked in the past --------------------------------------------------------------------------------------------

IN_THE_PAST = "in_the_past"


def _day(start: dt.datetime) -> dt.date:
    return start.astimezone(LONDON).date()


def _listed(days: Sequence[dt.date]) -> str:
    named = [f"{day:%A %-d %B %Y}" for day in days]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def block_in_the_past(
    sessions: Sequence[dt.datetime], review: dt.datetime | None, now: dt.datetime
) -> PlanWarning | None:
    """The sessions of a block (and its review) that start before `now`. They are booked all the same: recording a
    block already given is real work. But a year typed wrongly (2025 for 2026) would otherwise fill the diary with
    past sessions and no outcomes, so the planner is told how many and which. None when all are still to come."""
    past = [_day(start) for start in sorted(sessions) if start < now]
    review_day = _day(review) if review is not None and review < now else None
    if past:
        count = "1 session of this block is" if len(past) == 1 else f"{len(past)} sessions of this block are"
        said = f"{count} in the past: {_listed(past)}"
        if review_day is not None:
            said += f", and so is the review, {_listed([review_day])}"
    elif review_day is not None:
        said = f"The review of this block is in the past: {_listed([review_day])}"
    else:
        return None
    days = (*past, review_day) if review_day is not None else tuple(past)
    many = len(days) > 1
    return PlanWarning(
        code=IN_THE_PAST,
        message=f"{said}. {'They are' if many else 'It is'} booked all the same, for treatment already given: record "
        f"the outcome of {'each' if many else 'it'} (attended or was not brought). If the first date was typed "
        "wrongly, cancel the block's appointments and plan it again.",
        dates=days,
    )


def appointment_in_the_past(start: dt.datetime, now: dt.datetime) -> PlanWarning | None:
    """One appointment booked to start before `now`: booked all the same, with what to do about it. None when it is
    still to come."""
    if start >= now:
        return None
    local = start.astimezone(LONDON)
    return PlanWarning(
        code=IN_THE_PAST,
        message=f"This appointment is in the past: {local:%A %-d %B %Y} at {local:%H:%M}. It is booked all the same, "
        "for an appointment already held: record its outcome (attended or was not brought). If the date was typed "
        "wrongly, cancel it and book again.",
        dates=(local.date(),),
    )
