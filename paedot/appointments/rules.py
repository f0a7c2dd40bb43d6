"""Who may deliver which appointment, when missed appointments need a clinician's eye, what to say when a
booking is in the past, and what the family is sent about a move or a cancellation. Pure functions."""

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

# What a booking made after the event says about the family: they are told nothing of what has already happened.
NOT_TOLD_OF_IT = "No letter, email or text message was sent to the family, because it has already happened."
NOT_TOLD_OF_THEM = (
    "No letter, email or text message was sent to the family, because these sessions have already happened."
)
TOLD_ONLY_WHAT_IS_TO_COME = (
    "The family was told only of the appointments still to come: their letter does not list the ones in the past."
)
NOT_TOLD_OF_THE_MOVE = (
    "No letter, email or text message was sent to the family about the move, because it has already happened."
)
# A block planned with notify off (the demo, the route walk): nothing at all was sent, whatever is still to come.
NOT_TOLD_OF_THE_BLOCK = (
    "No letter, email or text message was sent to the family about this block: it was planned without telling them."
)


def family_told_of(start: dt.datetime, now: dt.datetime) -> bool:
    """Whether the family gets a letter, email, text or reminder about an appointment booked (or moved) at `now`:
    only when it is still to come. "Your appointment is on <a day already gone>" confuses a family and erodes their
    trust in the letters that matter (hazard H12); a session already held needs its outcome, not a letter. The same
    boundary as the in_the_past warning: one starting at this very minute is still to come."""
    return start >= now


def london_day(start: dt.datetime) -> dt.date:
    return start.astimezone(LONDON).date()


def listed_days(days: Sequence[dt.date]) -> str:
    """Monday 7 December 2026, Monday 14 December 2026 and Monday 21 December 2026"""
    named = [f"{day:%A %-d %B %Y}" for day in days]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def block_in_the_past(
    sessions: Sequence[dt.datetime], review: dt.datetime | None, now: dt.datetime, *, notify: bool = True
) -> PlanWarning | None:
    """The sessions of a block (and its review) that start before `now`. They are booked all the same: recording a
    block already given is real work. But a year typed wrongly (2025 for 2026) would otherwise fill the diary with
    past sessions and no outcomes, so the planner is told how many and which, and what the family was sent: only
    what is still to come, nothing at all when everything is past, and nothing at all when the block was planned
    without telling the family (`notify` off). None when all are still to come."""
    past = [london_day(start) for start in sorted(sessions) if start < now]
    review_day = london_day(review) if review is not None and review < now else None
    if past:
        count = "1 session of this block is" if len(past) == 1 else f"{len(past)} sessions of this block are"
        said = f"{count} in the past: {listed_days(past)}"
        if review_day is not None:
            said += f", and so is the review, {listed_days([review_day])}"
    elif review_day is not None:
        said = f"The review of this block is in the past: {listed_days([review_day])}"
    else:
        return None
    days = (*past, review_day) if review_day is not None else tuple(past)
    many = len(days) > 1
    everything_past = len(past) == len(sessions) and (review is None or review_day is not None)
    if not notify:
        family = NOT_TOLD_OF_THE_BLOCK
    elif everything_past:
        family = NOT_TOLD_OF_THEM if many else NOT_TOLD_OF_IT
    else:
        family = TOLD_ONLY_WHAT_IS_TO_COME
    return PlanWarning(
        code=IN_THE_PAST,
        message=f"{said}. {'They are' if many else 'It is'} booked all the same, for treatment already given: record "
        f"the outcome of {'each' if many else 'it'} (attended or was not brought). {family} If the first date was "
        "typed wrongly, cancel the block's appointments and plan it again.",
        dates=days,
    )


def appointment_in_the_past(start: dt.datetime, now: dt.datetime) -> PlanWarning | None:
    """One appointment booked to start before `now`: booked all the same, with what to do about it, and no word to
    the family. None when it is still to come."""
    if start >= now:
        return None
    local = start.astimezone(LONDON)
    return PlanWarning(
        code=IN_THE_PAST,
        message=f"This appointment is in the past: {local:%A %-d %B %Y} at {local:%H:%M}. It is booked all the same, "
        f"for an appointment already held: record its outcome (attended or was not brought). {NOT_TOLD_OF_IT} If the "
        "date was typed wrongly, cancel it and book again.",
        dates=(local.date(),),
    )


def _day_and_time(value: dt.datetime) -> str:
    """Friday 15 January 2027 at 09:30, in London."""
    local = value.astimezone(LONDON)
    return f"{local:%A %-d %B %Y} at {local:%H:%M}"


def moved_into_the_past(start: dt.datetime, now: dt.datetime, *, told: dt.datetime | None = None) -> PlanWarning | None:
    """One appointment moved (at `now`) to start before `now`: moved all the same, as a booking in the past is, and
    the family is not told of the move. None when its new time is still to come.

    `told`: the time the family was last told of (None: never told). When that time is still to come, their letter
    and calendar still show it, and nothing automatic is sent to put it right: a message about an appointment moved
    into the past would mostly be about one they went to at another time, or about a date staff typed wrongly (a
    move back tells them of any change from the time they hold). So the warning tells staff to tell them."""
    if start >= now:
        return None
    local = start.astimezone(LONDON)
    still_shown = ""
    if told is not None and family_told_of(told, now):
        still_shown = (
            f" The family was told it is on {_day_and_time(told)}, and their letter and calendar still say so: unless "
            "they already know it has changed, tell them yourself."
        )
    return PlanWarning(
        code=IN_THE_PAST,
        message=f"This appointment has been moved into the past: {_day_and_time(start)}. It is moved all the same, "
        f"for an appointment already held: record its outcome (attended or was not brought). {NOT_TOLD_OF_THE_MOVE}"
        f"{still_shown} If the date was typed wrongly, move it again.",
        dates=(local.date(),),
    )


# --- What the family was last told ----------------------------------------------------------------------------------

FAMILY_NOT_TOLD = "family_not_told"

# What move_message() says to send.
SEND_NOTHING, SEND_BOOKING, SEND_CHANGE = "", "booking", "change"


def move_message(*, told: dt.datetime | None, start: dt.datetime, now: dt.datetime) -> str:
    """What the family is sent about a move (made at `now`) to `start`, decided from the time they were last told of
    (`told`; None when they were never told of the appointment):

    - nothing when the new time has already started (a message about the past only confuses, hazard H12), or is
      the very time they were last told of (a move into the past undone, or a move to where it already was): their
      letter and calendar are right as they are;
    - a booking letter when they were never told of it (booked after the event, or planned without telling them):
      "moved from <a time they never heard of>" would only confuse;
    - a change letter otherwise: moved from the time they were last told of (not from wherever staff had put it
      since), with the calendar event of the same UID updated."""
    if not family_told_of(start, now) or told == start:
        return SEND_NOTHING
    return SEND_BOOKING if told is None else SEND_CHANGE


def family_told_of_cancellation(*, told: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the service cancelling (at `now`) tells the family: only when the time they were last told of is still
    to come. Never told of it, there is nothing to take back; once the time they hold has gone, "your appointment on
    <a day gone> is cancelled" only confuses (hazard H12)."""
    return told is not None and family_told_of(told, now)


def cancelled_without_telling(
    *, told: dt.datetime | None, start: dt.datetime, cancelled_at: dt.datetime
) -> PlanWarning | None:
    """What to say when the service cancels (at `cancelled_at`) an appointment and the family is sent nothing about
    it. None when they are told (family_told_of_cancellation)."""
    if family_told_of_cancellation(told=told, now=cancelled_at):
        return None
    if told is None:
        why = (
            "because they were never told of this appointment (it was booked after it had happened, or without a "
            "letter to the family). If they knew of it some other way, tell them yourself."
        )
    else:
        why = f"because the time they were told of, {_day_and_time(told)}, had already gone."
    return PlanWarning(
        code=FAMILY_NOT_TOLD,
        message=f"No letter, email or text message was sent to the family about the cancellation, {why}",
        dates=(london_day(start),),
    )


def group_session_cancelled(
    *, start: dt.datetime, cancelled_at: dt.datetime, told: int = 0, not_told: int = 0
) -> PlanWarning | None:
    """What to say when a group session is cancelled: the families with a place who were reminded of it are sent a
    cancellation (`told` of them), the others (`not_told`) nothing, and no reminder of it will go. None when every
    family with a place was told."""
    if start < cancelled_at:
        why = "the session had already started when it was cancelled."
    elif told and not not_told:
        return None
    elif told:
        families = "family" if not_told == 1 else "families"
        return PlanWarning(
            code=FAMILY_NOT_TOLD,
            message=f"A cancellation email or text message was sent to the families reminded of the session ({told}), "
            f"but the other {not_told} {families} with a place in the group, not yet reminded of it, were sent "
            "nothing, and no reminder of it will be sent. Tell them yourself.",
            dates=(london_day(start),),
        )
    else:
        why = (
            "none of them had been reminded of the session, and no reminder of it will be sent. Tell the families "
            "with a place in the group yourself."
        )
    return PlanWarning(
        code=FAMILY_NOT_TOLD,
        message=f"No letter, email or text message was sent to the families in the group about the cancellation: {why}",
        dates=(london_day(start),),
    )
