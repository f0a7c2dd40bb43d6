"""The waiting-time rules: days and weeks waited, the national bands, the expected wait, invitation timing, ages."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.waiting_list import rules

# Each band's edges (DOMAIN.md): 0-1 is days 0-7, 1-2 is 8-14, 2-4 is 15-28, 4-12 is 29-84, 12-18 is 85-126,
# 18-52 is 127-364, over 52 is 365 and over.
BAND_EDGES = [
    (0, "0-1"),
    (7, "0-1"),
    (8, "1-2"),
    (14, "1-2"),
    (15, "2-4"),
    (28, "2-4"),
    (29, "4-12"),
    (84, "4-12"),
    (85, "12-18"),
    (126, "12-18"),
    (127, "18-52"),
    (364, "18-52"),
    (365, "52+"),
    (3650, "52+"),
]


@pytest.mark.parametrize(("days", "band"), BAND_EDGES)
def test_a_child_who_has_waited_this_many_days_is_in_this_band(days, band):
    assert rules.band_for(days) == band


@pytest.mark.parametrize(("days", "long_wait"), [(126, False), (127, True), (364, True), (365, True)])
def test_waits_over_18_weeks_stand_out(days, long_wait):
    assert (rules.band_for(days) in rules.LONG_WAIT_BANDS) is long_wait


@pytest.mark.parametrize(
    ("band", "first", "last"),
    [("0-1", 0, 7), ("1-2", 8, 14), ("2-4", 15, 28), ("4-12", 29, 84), ("12-18", 85, 126), ("18-52", 127, 364)],
)
def test_each_band_starts_the_day_after_the_last_one_ends(band, first, last):
    assert rules.first_day_of_band(band) == first
    assert rules.last_day_of_band(band) == last


def test_the_last_band_has_no_end():
    assert rules.first_day_of_band("52+") == 365
    assert rules.last_day_of_band("52+") is None


def test_an_unknown_band_is_refused():
    with pytest.raises(ValueError, match="Unknown band"):
        rules.first_day_of_band("3-5")


@given(st.integers(min_value=0, max_value=5000))
def test_every_day_is_in_exactly_the_band_whose_edges_hold_it(days):
    band = rules.band_for(days)
    last = rules.last_day_of_band(band)
    assert rules.first_day_of_band(band) <= days
    assert last is None or days <= last


def test_days_waiting_counts_calendar_days_from_the_date_received():
    assert rules.days_waiting(dt.date(2025, 1, 1), dt.date(2025, 1, 1)) == 0
    assert rules.days_waiting(dt.date(2025, 1, 1), dt.date(2025, 3, 1)) == 59
    assert rules.days_waiting(dt.date(2024, 1, 1), dt.date(2024, 3, 1)) == 60  # a leap year


def test_a_received_date_after_today_counts_as_no_wait_not_a_negative_one():
    assert rules.days_waiting(dt.date(2025, 1, 2), dt.date(2025, 1, 1)) == 0


@pytest.mark.parametrize(("days", "weeks"), [(0, 0), (6, 0), (7, 1), (13, 1), (14, 2), (126, 18), (127, 18), (364, 52)])
def test_weeks_waiting_are_completed_weeks(days, weeks):
    assert rules.weeks_waiting(days) == weeks


# The expected wait ---------------------------------------------------------------------------------------------


def test_with_no_children_leaving_the_queue_there_is_no_estimate_and_it_says_why():
    wait = rules.expected_wait(ahead=40, left_queue_last_12_weeks=0)
    assert wait.weeks is None
    assert "cannot estimate" in wait.explanation


def test_the_expected_wait_is_the_queue_ahead_at_the_last_12_weeks_pace():
    # 24 left in 12 weeks: 2 a week. 9 ahead, so this child is the 10th: 5 weeks.
    wait = rules.expected_wait(ahead=9, left_queue_last_12_weeks=24)
    assert wait.weeks == 5
    assert "9 children are ahead" in wait.explanation
    assert "2.0 a week" in wait.explanation


def test_the_explanation_counts_one_child_as_one_child():
    assert "1 child is ahead" in rules.expected_wait(ahead=1, left_queue_last_12_weeks=24).explanation


def test_the_expected_wait_rounds_up_to_whole_weeks():
    assert rules.expected_wait(ahead=10, left_queue_last_12_weeks=24).weeks == 6  # 11 / 2 = 5.5 weeks
    assert rules.expected_wait(ahead=0, left_queue_last_12_weeks=1).weeks == 12  # one every 12 weeks


@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=1, max_value=2000))
def test_more_children_ahead_never_means_a_shorter_wait(ahead, left):
    shorter = rules.expected_wait(ahead=ahead, left_queue_last_12_weeks=left).weeks
    longer = rules.expected_wait(ahead=ahead + 1, left_queue_last_12_weeks=left).weeks
    assert shorter is not None and longer is not None
    assert 1 <= shorter <= longer


# Invitation timing ---------------------------------------------------------------------------------------------


def test_with_14_days_to_reply_the_reminder_goes_on_day_7():
    times = rules.invitation_times(dt.date(2025, 3, 3), 14)
    assert times.deadline == dt.date(2025, 3, 17)
    assert times.reminder_on == dt.date(2025, 3, 10)


def test_with_an_odd_number_of_days_the_reminder_goes_on_the_half_rounded_down():
    times = rules.invitation_times(dt.date(2025, 3, 3), 21)
    assert times.deadline == dt.date(2025, 3, 24)
    assert times.reminder_on == dt.date(2025, 3, 13)


def test_families_get_at_least_two_days_to_reply():
    with pytest.raises(ValueError, match="at least 2 days"):
        rules.invitation_times(dt.date(2025, 3, 3), 1)


def test_a_reminder_is_due_from_its_day_and_only_once():
    day = dt.date(2025, 3, 10)
    assert not rules.reminder_due(reminder_on=day, today=day - dt.timedelta(days=1), reminded=False)
    assert rules.reminder_due(reminder_on=day, today=day, reminded=False)
    assert not rules.reminder_due(reminder_on=day, today=day, reminded=True)


def test_the_deadline_day_still_counts_for_replying():
    deadline = dt.date(2025, 3, 17)
    assert not rules.reply_overdue(deadline=deadline, today=deadline)
    assert rules.reply_overdue(deadline=deadline, today=deadline + dt.timedelta(days=1))


# Ages ----------------------------------------------------------------------------------------------------------


def age(date_of_birth: dt.date, today: dt.date) -> int:
    """Completed years, counted the long way: a birthday on 29 February is reached on 1 March in other years."""
    years = 0
    while True:
        try:
            birthday = date_of_birth.replace(year=date_of_birth.year + years + 1)
        except ValueError:
            birthday = dt.date(date_of_birth.year + years + 1, 3, 1)
        if birthday > today:
            return years
        years += 1


@pytest.mark.parametrize(
    ("date_of_birth", "today", "years"),
    [
        (dt.date(2020, 5, 10), dt.date(2025, 5, 9), 4),
        (dt.date(2020, 5, 10), dt.date(2025, 5, 10), 5),
        (dt.date(2020, 2, 29), dt.date(2025, 2, 28), 4),
        (dt.date(2020, 2, 29), dt.date(2025, 3, 1), 5),
        (dt.date(2020, 2, 29), dt.date(2024, 2, 29), 4),
    ],
)
def test_age_is_completed_years(date_of_birth, today, years):
    assert rules.age_in_years(date_of_birth, today) == years


@pytest.mark.parametrize(
    ("age_band", "today", "earliest", "latest"),
    [
        ("0-4", dt.date(2025, 6, 15), dt.date(2020, 6, 16), dt.date(2025, 6, 15)),
        ("5-10", dt.date(2025, 6, 15), dt.date(2014, 6, 16), dt.date(2020, 6, 15)),
        ("16-19", dt.date(2025, 6, 15), None, dt.date(2009, 6, 15)),
    ],
)
def test_an_age_band_is_a_range_of_dates_of_birth(age_band, today, earliest, latest):
    assert rules.date_of_birth_range(age_band, today) == (earliest, latest)


dates = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2040, 12, 31))


@given(today=dates, date_of_birth=dates, age_band=st.sampled_from(list(rules.AGE_BANDS)))
def test_a_child_is_in_an_age_band_exactly_when_their_date_of_birth_is_in_its_range(today, date_of_birth, age_band):
    earliest, latest = rules.date_of_birth_range(age_band, today)
    in_range = (earliest is None or earliest <= date_of_birth) and date_of_birth <= latest
    low, high = rules.AGE_BANDS[age_band]
    years = age(date_of_birth, today)
    in_band = date_of_birth <= today and low <= years and (high is None or years <= high)
    assert in_range == in_band


@given(today=dates, date_of_birth=dates)
def test_every_child_born_by_today_is_in_the_age_band_for_them(today, date_of_birth):
    if date_of_birth > today:
        assert rules.age_band_for(date_of_birth, today) == ""
        return
    band = rules.age_band_for(date_of_birth, today)
    earliest, latest = rules.date_of_birth_range(band, today)
    assert (earliest is None or earliest <= date_of_birth) and date_of_birth <= latest


@given(today=dates)
def test_the_age_bands_leave_no_gaps_and_do_not_overlap(today):
    ranges = [rules.date_of_birth_range(band, today) for band in rules.AGE_BANDS]
    assert ranges[0][1] == today
    for (younger_earliest, _), (_, older_latest) in itertools.pairwise(ranges):
        assert younger_earliest == older_latest + dt.timedelta(days=1)
    assert ranges[-1][0] is None
