"""When a clinician can be booked, and which dates a block of treatment falls on. Pure functions.

Times are wall-clock times in Europe/London: a weekly 09:30 session stays at 09:30 across the clocks changing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
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


# --- How far ahead the school holidays are known (hazard H16) ----------------------------------------------------

AFTER_SCHOOL_CALENDAR = "after_school_calendar"

# The longest stretch of school days without a holiday that term dates may hold. An English half term is at most
# about 9 weeks; a longer gap means a holiday was left out of term_dates.json, and blocks would run through it.
LONGEST_TERM_DAYS = 84


@dataclass(frozen=True)
class PlanWarning:
    """Something to check in a plan that was made: the plan stands, but it could not take everything into account."""

    code: str
    message: str
    dates: tuple[dt.date, ...]


def warning_record(warning: PlanWarning) -> dict:
    """A warning as it is kept with a block, written to the audit trail and given in the API."""
    return {"code": warning.code, "message": warning.message, "dates": [day.isoformat() for day in warning.dates]}


def after_school_calendar(days: Sequence[dt.date], known_until: dt.date | None) -> PlanWarning | None:
    """The days of a block or group at a school or nursery after the last day the school holidays are known (None:
    no holidays held at all). No holiday could be skipped on them, so the clinician may be booked into a closed
    school. None when every day is within the calendar held: the last known day itself is."""
    after = tuple(sorted({day for day in days if known_until is None or day > known_until}))
    if not after:
        return None
    listed = ", ".join(f"{day:%A %-d %B %Y}" for day in after)
    if known_until is None:
        held = "No school holidays are held"
    else:
        held = f"The school holidays held end on {known_until:%-d %B %Y}"
    sessions = "1 session falls" if len(after) == 1 else f"{len(after)} sessions fall"
    return PlanWarning(
        code=AFTER_SCHOOL_CALENDAR,
        message=f"{held}: {sessions} after that, so school holidays could not be skipped for "
        f"{'it' if len(after) == 1 else 'them'}: {listed}. Check {'it' if len(after) == 1 else 'them'} with the "
        "school and move any that fall in a holiday.",
        dates=after,
    )


def check_term_dates(holidays: Sequence[tuple[dt.date, dt.date]], covers_until: dt.date) -> None:
    """Refuse term dates that claim more than they hold: a holiday ending before it starts, one after the day the
    calendar is said to cover, or a stretch longer than any term with no holiday (one was left out). Each would let
    a block at a school run through a holiday with no warning."""
    ordered = sorted(holidays)
    if not ordered:
        raise ValueError("No school holidays are given, so the school calendar covers no day at all.")
    for starts_on, ends_on in ordered:
        if ends_on < starts_on:
            raise ValueError(f"The school holiday starting {starts_on:%-d %B %Y} ends before it starts.")
        if ends_on > covers_until:
            raise ValueError(
                f"The school holiday ending {ends_on:%-d %B %Y} is after covers_until ({covers_until:%-d %B %Y}): "
                "move covers_until to the last day of that school year."
            )
    ends = [ends_on for _, ends_on in ordered]
    starts = [starts_on for starts_on, _ in ordered[1:]] + [covers_until + dt.timedelta(days=1)]
    for ended, next_starts in zip(ends, starts, strict=True):
        if (next_starts - ended).days - 1 > LONGEST_TERM_DAYS:
            raise ValueError(
                f"No school holiday is held between {ended:%-d %B %Y} and {next_starts:%-d %B %Y}: longer than any "
                "term, so one looks left out."
            )


# --- The order of a day's visits ---------------------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088
Point = tuple[float, float]  # (latitude, longitude) in degrees


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two points: as the crow flies, a fair guide to the order across a city."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Stop:
    index: int  # the position of the place in the list given
    km_from_previous: float | None  # None when either end has no known position


def travel_order(origin: Point | None, places: Sequence[Point | None]) -> tuple[Stop, ...]:
    """A sensible order to visit the places in: from the origin (the clinician's base) always to the nearest place
    not yet visited. Not the shortest round, but close enough for a day's visits and easy to explain.

    Ties go to the place given first (give them in time order). Places with no known position come last, in the
    order given, so nothing is ever dropped from the day's list.
    """
    remaining = [i for i, place in enumerate(places) if place is not None]
    unplaced = [i for i, place in enumerate(places) if place is None]
    stops: list[Stop] = []
    here = origin
    while remaining:
        if here is None:
            nearest, km = remaining[0], None
        else:
            nearest = min(remaining, key=lambda i: (haversine_km(here, places[i]), i))  # type: ignore[arg-type]
            km = haversine_km(here, places[nearest])  # type: ignore[arg-type]
        stops.append(Stop(index=nearest, km_from_previous=km))
        remaining.remove(nearest)
        here = places[nearest]
    stops.extend(Stop(index=i, km_from_previous=None) for i in unplaced)
    return tuple(stops)
