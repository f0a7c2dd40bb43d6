"""When a clinician can be booked, and which dates a block of treatment falls on. Pure functions.

Times are wall-clock times in Europe/London: a weekly 09:30 session stays at 09:30 across the clocks changing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Hours:
    weekday: int
    starts: dt.time
    ends: dt.time


@dataclass(frozen=True)
class Diary:
    """What is known about a clinician's availability over the dates in question."""

    working_hours: tuple[Hours, ...]
    absent_on: frozenset[dt.date] = frozenset()
    closed_on: dict[dt.date, str] | None = None  # service closure days, with why
    bank_holidays: dict[dt.date, str] | None = None


def availability_problems(start: dt.datetime, end: dt.datetime, diary: Diary) -> tuple[Problem, ...]:
    """Why this slot needs an override (empty when it sits inside the clinician's working pattern on a working day)."""
    local_start, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
    day = local_start.date()
    problems: list[Problem] = []
    if diary.bank_holidays and day in diary.bank_holidays:
        problems.append(Problem("bank_holiday", f"{day:%-d %B %Y} is a bank holiday ({diary.bank_holidays[day]})."))
    if diary.closed_on and day in diary.closed_on:
        problems.append(
            Problem("service_closed", f"The service is closed on {day:%-d %B %Y} ({diary.closed_on[day]}).")
        )
    if day in diary.absent_on:
        problems.append(Problem("clinician_absent", f"The clinician is on leave or away on {day:%-d %B %Y}."))
    fits = any(
        hours.weekday == day.weekday()
        and local_end.date() == day
        and hours.starts <= local_start.time()
        and local_end.time() <= hours.ends
        for hours in diary.working_hours
    )
    if not fits:
        problems.append(
            Problem(
                "outside_working_pattern",
                f"{local_start:%A %-d %B %H:%M} to {local_end:%H:%M} is outside the clinician's working hours.",
            )
        )
    return tuple(problems)


@dataclass(frozen=True)
class BlockPlan:
    sessions: tuple[dt.datetime, ...]
    review: dt.datetime
    skipped: tuple[tuple[dt.date, str], ...]


def series_starts(first_start: dt.datetime, interval_days: int):
    """first_start, then every interval, at the same local wall-clock time."""
    local = first_start.astimezone(LONDON)
    wall = local.replace(tzinfo=None)
    step = 0
    while True:
        yield (wall + dt.timedelta(days=interval_days * step)).replace(tzinfo=LONDON)
        step += 1


def plan_block(
    *, first_start: dt.datetime, sessions: int, interval_days: int, excluded: dict[dt.date, str], limit: int = 520
) -> BlockPlan:
    """The first N series dates that are not excluded (bank holidays, closures, school holidays), then the review
    on the next one after the last session."""
    if sessions < 1:
        raise ValueError("A block has at least one session.")
    if interval_days < 1:
        raise ValueError("The interval is at least one day.")
    chosen: list[dt.datetime] = []
    skipped: list[tuple[dt.date, str]] = []
    review: dt.datetime | None = None
    for count, start in enumerate(series_starts(first_start, interval_days)):
        if count > limit:
            raise ValueError("No dates left in the next ten years for this block: check the holidays and closures.")
        why = excluded.get(start.date())
        if why:
            skipped.append((start.date(), why))
            continue
        if len(chosen) < sessions:
            chosen.append(start)
        else:
            review = start
            break
    assert review is not None
    return BlockPlan(sessions=tuple(chosen), review=review, skipped=tuple(skipped))
