"""The percentile definition, the reporting months and the chart geometry: no database."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.reports import rules

D = dt.date


@given(count=st.integers(min_value=1, max_value=2_000_000), percent=st.sampled_from([25, 50, 75, 90, 92, 95, 100]))
def test_the_nearest_rank_in_floating_point_is_the_exact_rank(count, percent):
    # PostgreSQL computes ceil(fraction * n) in double precision; it must be the exact ceil(percent * n / 100).
    exact = -(-percent * count // 100)
    assert rules.nearest_rank(count, percent / 100) == exact


@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=60))
def test_a_percentile_is_one_of_the_values_with_that_share_at_or_below_it(values):
    for fraction in (rules.MEDIAN, rules.P92):
        chosen = rules.percentile(values, fraction)
        assert chosen in values
        at_or_below = sum(1 for v in values if v <= chosen)
        below = sum(1 for v in values if v < chosen)
        assert at_or_below >= fraction * len(values) > below


@pytest.mark.parametrize(
    ("values", "median", "p92"),
    [
        ([7], 7, 7),
        ([1, 2], 1, 2),  # the lower of the middle two
        ([3, 10, 21, 75, 134, 379, 410], 75, 410),
        (list(range(1, 26)), 13, 23),  # 0.92 x 25 = 23 exactly
        (list(range(1, 101)), 50, 92),
    ],
)
def test_worked_percentiles(values, median, p92):
    assert (rules.percentile(values, rules.MEDIAN), rules.percentile(values, rules.P92)) == (median, p92)


def test_no_values_have_no_percentile_and_nonsense_fractions_are_refused():
    assert rules.percentile([], rules.MEDIAN) is None
    with pytest.raises(ValueError):
        rules.nearest_rank(0, 0.5)
    with pytest.raises(ValueError):
        rules.nearest_rank(5, 0)
    with pytest.raises(ValueError):
        rules.nearest_rank(5, 1.5)


def test_shares_are_percentages_to_one_place_and_none_of_nothing():
    assert rules.share(3, 8) == 37.5
    assert rules.share(4, 7) == 57.1
    assert rules.share(0, 0) is None


def test_months():
    assert rules.month_end(D(2024, 2, 10)) == D(2024, 2, 29)
    assert rules.month_end(D(2025, 12, 31)) == D(2025, 12, 31)
    assert rules.add_months(D(2025, 1, 31), -1) == D(2024, 12, 1)
    assert rules.months_between(D(2024, 11, 15), D(2025, 2, 1)) == [
        D(2024, 11, 1),
        D(2024, 12, 1),
        D(2025, 1, 1),
        D(2025, 2, 1),
    ]
    assert rules.default_period(D(2025, 6, 15)) == (D(2024, 7, 1), D(2025, 6, 15))


@pytest.mark.parametrize("text", ["2025-13", "2025-5", "May 2025", "", "25-05"])
def test_a_month_must_be_written_yyyy_mm(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        rules.parse_month(text)


def test_a_month_written_yyyy_mm_is_its_first_day():
    assert rules.parse_month("2025-05") == D(2025, 5, 1)


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (180, 200), (501, 1000)]
)
def test_an_axis_tops_out_at_a_round_number(value, top):
    assert rules.nice_ceiling(value) == top


def test_bars_are_as_long_as_their_share_of_the_axis_and_labels_fit():
    chart = rules.bar_chart([("Clinic", 3), ("Home", 1), ("Nowhere", 0), ("Not known", None)])
    span = rules.BAR_CHART_WIDTH - rules.BAR_LABEL_WIDTH - rules.BAR_VALUE_ROOM
    clinic, home, nowhere, unknown = chart.bars
    assert clinic.width == round(span * 3 / 5, 1)  # the axis tops out at 5
    assert home.width == round(span / 5, 1)
    assert nowhere.width == unknown.width == 0
    assert unknown.value_text == "–"  # noqa: RUF001
    assert home.y - clinic.y == rules.BAR_ROW
    assert chart.height == 16 + 4 * rules.BAR_ROW
    long_label = rules.bar_chart([("Screener's decision (no rule failed) and more words", 1)]).bars[0].label
    assert len(long_label) <= rules.BAR_LABEL_CHARACTERS and long_label.endswith("…")


def test_monthly_points_run_left_to_right_with_zero_at_the_bottom():
    chart = rules.time_chart([(D(2024, 12, 1), 0), (D(2025, 1, 1), 4), (D(2025, 2, 1), 10)])
    first, january, top = chart.points
    assert first.x < january.x < top.x
    assert first.y == chart.bottom and first.column_height == 0
    assert top.y == chart.top  # 10 is the top of the axis
    assert january.y == pytest.approx(chart.bottom - (chart.bottom - chart.top) * 0.4, abs=0.1)
    assert (first.label, first.sublabel, january.sublabel, top.sublabel) == ("Dec", "2024", "2025", "")
    assert [tick.text for tick in chart.ticks] == ["0", "5", "10"]
    assert chart.polyline.count(",") == 3


@given(
    start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 12, 31)),
    length=st.integers(min_value=0, max_value=800),
    totalled_indexes=st.sets(st.integers(min_value=0, max_value=30)),
)
def test_a_split_period_covers_every_day_once_with_totals_only_for_whole_totalled_months(
    start, length, totalled_indexes
):
    end = start + dt.timedelta(days=length)
    months = rules.months_between(start, end)
    totalled = {months[index] for index in totalled_indexes if index < len(months)}
    from_totals, runs = rules.split_period(start, end, totalled)

    covered = [day for month in from_totals for day in _days(month, rules.month_end(month))]
    covered += [day for first, last in runs for day in _days(first, last)]
    assert sorted(covered) == list(_days(start, end))  # every day exactly once
    assert set(from_totals) <= totalled
    assert all(month >= start and rules.month_end(month) <= end for month in from_totals)
    # Runs are as long as they can be: never two touching.
    pieces = sorted([(m, rules.month_end(m), "totals") for m in from_totals] + [(a, b, "records") for a, b in runs])
    for before, after in itertools.pairwise(pieces):
        assert not (before[2] == after[2] == "records" and before[1] + dt.timedelta(days=1) == after[0])
    # Every whole totalled month is read from its totals.
    assert set(from_totals) == {m for m in rules.whole_months(start, end) if m in totalled}


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
