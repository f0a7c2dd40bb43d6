"""How long a child has waited, the national week bands, the expected wait, and invitation timing. Pure functions."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from paedot.core.dates import age_in_years

# NHS community health services waiting-list bands: (label, last day in the band). Calendar days since the
# referral was received; the clock is never paused silently.
BANDS: tuple[tuple[str, int | None], ...] = (
    ("0-1", 7),
    ("1-2", 14),
    ("2-4", 28),
    ("4-12", 84),
    ("12-18", 126),
    ("18-52", 364),
    ("52+", None),
)
BAND_LABELS = tuple(label for label, _ in BANDS)
LONG_WAIT_BANDS = frozenset({"18-52", "52+"})


def days_waiting(received_date: dt.date, today: dt.date) -> int:
    return max((today - received_date).days, 0)


def weeks_waiting(days: int) -> int:
    """Completed weeks."""
    return days // 7


def band_for(days: int) -> str:
    for label, last_day in BANDS:
        if last_day is None or days <= last_day:
            return label
    raise AssertionError("unreachable")


def first_day_of_band(label: str) -> int:
    previous_last = -1
    for band, last_day in BANDS:
        if band == label:
            return previous_last + 1
        previous_last = last_day if last_day is not None else previous_last
    raise ValueError(f"Unknown band {label!r}")


def last_day_of_band(label: str) -> int | None:
    return dict(BANDS)[label]


@dataclass(frozen=True)
class ExpectedWait:
    weeks: int | None
    explanation: str


THROUGHPUT_WEEKS = 12


def expected_wait(*, ahead: int, left_queue_last_12_weeks: int) -> ExpectedWait:
    """Weeks until a child with `ahead` children before them is reached, at the last 12 weeks' pace.

    Honest about its limits: with no children leaving the queue recently, there is no pace to go on.
    """
    if left_queue_last_12_weeks <= 0:
        return ExpectedWait(
            None,
            "We cannot estimate the wait yet: not enough children have come off the waiting list in the last 12 weeks.",
        )
    per_week = left_queue_last_12_weeks / THROUGHPUT_WEEKS
    weeks = math.ceil((ahead + 1) / per_week)
    queue = "1 child is" if ahead == 1 else f"{ahead} children are"
    return ExpectedWait(
        weeks,
        f"This is an estimate: {queue} ahead in the queue and about {per_week:.1f} a week have come off the "
        "waiting list over the last 12 weeks. Children with urgent needs are seen sooner.",
    )


# Invitations to book (opt-in booking): reply by the deadline; a reminder at half time.
@dataclass(frozen=True)
class InvitationTimes:
    deadline: dt.date
    reminder_on: dt.date


def invitation_times(sent_on: dt.date, reply_days: int) -> InvitationTimes:
    if reply_days < 2:
        raise ValueError("Families need at least 2 days to reply.")
    return InvitationTimes(
        deadline=sent_on + dt.timedelta(days=reply_days), reminder_on=sent_on + dt.timedelta(days=reply_days // 2)
    )


def reminder_due(*, reminder_on: dt.date, today: dt.date, reminded: bool) -> bool:
    return not reminded and today >= reminder_on


def reply_overdue(*, deadline: dt.date, today: dt.date) -> bool:
    """The deadline day itself still counts for replying; the day after, it is overdue."""
    return today > deadline


# Age bands for filtering the waiting list.
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0-4": (0, 4),
    "5-10": (5, 10),
    "11-15": (11, 15),
    "16-19": (16, None),
}


def date_of_birth_range(age_band: str, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """(earliest, latest) dates of birth for children whose age today is within the band."""
    low, high = AGE_BANDS[age_band]
    latest = _years_before(today, low)
    earliest = None if high is None else _years_before(today, high + 1) + dt.timedelta(days=1)
    return earliest, latest


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band_for(date_of_birth: dt.date, today: dt.date) -> str:
    """The filter's age band this child is in today (the last band has no upper age)."""
    age = age_in_years(date_of_birth, today)
    for label, (low, high) in AGE_BANDS.items():
        if age >= low and (high is None or age <= high):
            return label
    return ""  # not born yet: never on a waiting list
