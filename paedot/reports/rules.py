"""The service figures' definitions that need no database: the percentile, the reporting months, shares, and the
geometry of the charts the dashboard draws as SVG. Pure functions.

Percentiles are **nearest-rank**: the p-th percentile of n ordered values is the value at rank ceil(p * n) (counting
from 1). It is always one of the values (a wait someone actually waited), and it is exactly what PostgreSQL's
percentile_disc returns, so the two databases agree: PostgreSQL computes it with percentile_disc, SQLite by counting
and reading the one row at that rank (ORDER BY ... LIMIT 1 OFFSET rank - 1). The median is the 50th percentile by
the same rule, so with an even number of values it is the lower of the middle two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

MEDIAN = 0.5
P92 = 0.92

T = TypeVar("T")


def nearest_rank(count: int, fraction: float) -> int:
    """The 1-based rank of the `fraction` percentile among `count` ordered values.

    ceil(fraction * count) in double precision, as PostgreSQL's percentile_disc computes it.
    """
    if count < 1:
        raise ValueError("A percentile needs at least one value.")
    if not 0 < fraction <= 1:
        raise ValueError("The fraction must be more than 0 and at most 1.")
    return max(1, math.ceil(fraction * count))


def percentile(values: Sequence[T], fraction: float) -> T | None:
    """The nearest-rank percentile of the values (None when there are none): the reference the database must match."""
    if not values:
        return None
    ordered = sorted(values)  # type: ignore[type-var]
    return ordered[nearest_rank(len(ordered), fraction) - 1]


def share(part: int, whole: int) -> float | None:
    """part/whole as a percentage to one decimal place; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def rounded(value, places: int = 2) -> float | None:
    """A database average (float or Decimal) as a float to `places` decimals; None stays None."""
    if value is None:
        return None
    return round(float(value), places)


# Reporting months -----------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The first day of every month from date_from's month to date_to's, in order."""
    months: list[dt.date] = []
    current = month_start(date_from)
    while current <= date_to:
        months.append(current)
        current = add_months(current, 1)
    return months


def whole_months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The months that lie wholly inside the period (first day to last day), by their first day."""
    return [month for month in months_between(date_from, date_to) if month >= date_from and month_end(month) <= date_to]


def split_period(
    date_from: dt.date, date_to: dt.date, totalled: set[dt.date] | frozenset[dt.date]
) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Split a period into the whole months to read from monthly totals (those in `totalled`) and the runs of days
    left to count from the records, each run (first day, last day) as long as it can be. Together they cover every
    day of the period exactly once."""
    from_totals = [month for month in whole_months(date_from, date_to) if month in totalled]
    runs: list[tuple[dt.date, dt.date]] = []
    cursor = date_from
    for month in from_totals:
        if cursor < month:
            runs.append((cursor, month - dt.timedelta(days=1)))
        cursor = month_end(month) + dt.timedelta(days=1)
    if cursor <= date_to:
        runs.append((cursor, date_to))
    return from_totals, runs


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dashboard's period when none is chosen: this month and the eleven before it, up to today."""
    return add_months(today, -11), today


def parse_month(text: str) -> dt.date:
    """'2025-05' -> 1 May 2025. Raises ValueError for anything else."""
    text = (text or "").strip()
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError as error:
        raise ValueError("Give the month as YYYY-MM, for example 2025-05.") from error


def month_label(first_day: dt.date) -> str:
    return first_day.strftime("%B %Y")


# Chart geometry -------------------------------------------------------------------------------------------------
# The template draws what these return; nothing here knows about SVG markup, so it can be tested as numbers.


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above value (at least 1): a round top for an axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    raise AssertionError("unreachable")


def number_text(value: float | None) -> str:
    if value is None:
        return "–"  # noqa: RUF001 (a dash for "no figure", as the NHS style guide writes it)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one a row: a label on the left, the bar, its value at the bar's end."""

    width: int
    height: int
    bars: tuple[Bar, ...]


BAR_CHART_WIDTH = 640
BAR_LABEL_WIDTH = 260
BAR_VALUE_ROOM = 56
BAR_ROW = 32
BAR_THICKNESS = 22
BAR_LABEL_CHARACTERS = 30


def short_label(label: str, characters: int = BAR_LABEL_CHARACTERS) -> str:
    """A label that fits left of the bars (the table beside the chart has it in full)."""
    return label if len(label) <= characters else label[: characters - 1].rstrip() + "…"


def bar_chart(items: Sequence[tuple[str, float | None]]) -> BarChart:
    """Geometry for horizontal bars. Values below zero or missing draw no bar; the table beside says why."""
    values = [max(value or 0, 0) for _, value in items]
    top = nice_ceiling(max(values, default=0))
    span = BAR_CHART_WIDTH - BAR_LABEL_WIDTH - BAR_VALUE_ROOM
    bars = []
    for index, ((label, value), drawn) in enumerate(zip(items, values, strict=True)):
        y = 8 + index * BAR_ROW
        width = round(span * drawn / top, 1)
        bars.append(
            Bar(
                label=short_label(label),
                value_text=number_text(value),
                x=BAR_LABEL_WIDTH,
                y=y,
                width=width,
                height=BAR_THICKNESS,
                label_x=BAR_LABEL_WIDTH - 8,
                label_y=y + BAR_THICKNESS - 5,
                value_x=BAR_LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(width=BAR_CHART_WIDTH, height=16 + len(items) * BAR_ROW, bars=tuple(bars))


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Point:
    label: str
    sublabel: str
    value_text: str
    x: float
    y: float
    column_x: float
    column_width: float
    column_height: float


@dataclass(frozen=True)
class TimeChart:
    """A value for each month, as columns or as a line, with a scale on the left."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    ticks: tuple[Tick, ...]
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


TIME_CHART_WIDTH = 640
TIME_CHART_HEIGHT = 260


def time_chart(items: Sequence[tuple[dt.date, float]]) -> TimeChart:
    """Geometry for monthly values: each month an evenly spaced slot, 0 at the bottom, a round number at the top."""
    left, right, top, bottom = 48.0, TIME_CHART_WIDTH - 16.0, 16.0, TIME_CHART_HEIGHT - 48.0
    highest = nice_ceiling(max((value for _, value in items), default=0))
    slot = (right - left) / max(len(items), 1)
    points = []
    for index, (month, value) in enumerate(items):
        x = round(left + slot * (index + 0.5), 1)
        height = round((bottom - top) * value / highest, 1)
        points.append(
            Point(
                label=month.strftime("%b"),
                # The year under January and under the first month, so a run across New Year reads right.
                sublabel=str(month.year) if index == 0 or month.month == 1 else "",
                value_text=number_text(value),
                x=x,
                y=round(bottom - height, 1),
                column_x=round(x - slot * 0.35, 1),
                column_width=round(slot * 0.7, 1),
                column_height=height,
            )
        )
    ticks = tuple(
        Tick(y=round(bottom - (bottom - top) * fraction, 1), text=number_text(highest * fraction))
        for fraction in (0, 0.5, 1)
    )
    return TimeChart(
        width=TIME_CHART_WIDTH,
        height=TIME_CHART_HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        ticks=ticks,
        points=tuple(points),
    )
