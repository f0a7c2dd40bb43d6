"""The rules of alerts: review dates a month-end cannot break, and an ended alert never changes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.alerts import rules

TODAY = dt.date(2027, 3, 10)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2027, 3, 10), 6, dt.date(2027, 9, 10)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),  # February has no 31st: its last day
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # a leap year's
        (dt.date(2027, 12, 15), 1, dt.date(2028, 1, 15)),
    ],
)
def test_six_months_on_is_the_same_day_or_the_months_last_day(day, months, expected):
    assert rules.months_after(day, months) == expected


@given(day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31)), months=st.integers(1, 60))
def test_a_review_date_is_always_later_and_never_past_the_same_day_that_many_months_on(day, months):
    later = rules.months_after(day, months)
    assert later > day
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day <= day.day


def test_a_review_date_must_be_after_today():
    refusal = rules.review_date_refusal(TODAY, today=TODAY, longest_months=12)
    assert refusal is not None and refusal.code == "review_date_not_after_today" and refusal.field == "review_on"
    assert rules.review_date_refusal(TODAY + dt.timedelta(days=1), today=TODAY, longest_months=12) is None


def test_a_review_date_no_further_ahead_than_the_policys_longest():
    assert rules.review_date_refusal(dt.date(2028, 3, 10), today=TODAY, longest_months=12) is None
    refusal = rules.review_date_refusal(dt.date(2028, 3, 11), today=TODAY, longest_months=12)
    assert refusal is not None and refusal.code == "review_date_too_far"
    assert refusal.message == "The review date must be within 12 months, by 10 March 2028"


def test_an_ended_alert_refuses_any_change_as_a_matter_of_its_state():
    refusal = rules.change_refusal(ended=True)
    assert refusal is not None and refusal.field == "" and "raise a new one" in refusal.message
    assert rules.change_refusal(ended=False) is None


def test_an_alert_is_overdue_for_review_from_the_day_after_its_review_date_not_on_it():
    assert not rules.is_due_for_review(TODAY, TODAY)
    assert rules.is_due_for_review(TODAY - dt.timedelta(days=1), TODAY)
    assert rules.days_overdue(TODAY - dt.timedelta(days=3), TODAY) == 3
