"""Why something is on the Needs attention list: limits at their boundaries, and a reason for every item."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.attention import rules
from paedot.diaries.rules import LONDON

TODAY = dt.date(2027, 3, 10)


@pytest.mark.parametrize(("days", "over"), [(0, False), (13, False), (14, False), (15, True), (200, True)])
def test_an_urgent_child_is_over_the_14_day_target_from_day_15_not_day_14(days, over):
    finding = rules.wait_finding(
        priority_label="Urgent", received_on=TODAY - dt.timedelta(days=days), today=TODAY, target=14
    )
    assert finding.over is over
    assert finding.days == days


def test_the_reason_says_the_priority_the_wait_and_the_target():
    finding = rules.wait_finding(
        priority_label="Urgent", received_on=TODAY - dt.timedelta(days=23), today=TODAY, target=14
    )
    assert finding.why == "Urgent: waited 23 days, target 14."
    assert finding.code == rules.WAIT_OVER_TARGET


@given(
    since=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    today=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    limit=st.integers(min_value=0, max_value=400),
)
def test_the_database_cut_off_picks_exactly_the_dates_over_the_limit(since, today, limit):
    """The services ask the database for `since <= latest_date_over`; the rule decides on the days waited. They
    must agree on every date, or an item would be counted and not explained (or the reverse)."""
    assert (since <= rules.latest_date_over(today, limit)) == rules.is_over(rules.days_since(since, today), limit)


@pytest.mark.parametrize(
    ("finding", "over"),
    [
        (rules.screening_finding(since=TODAY - dt.timedelta(days=7), came_back=False, today=TODAY, limit=7), False),
        (rules.screening_finding(since=TODAY - dt.timedelta(days=8), came_back=False, today=TODAY, limit=7), True),
        (rules.information_finding(requested_on=TODAY - dt.timedelta(days=14), today=TODAY, limit=14), False),
        (rules.information_finding(requested_on=TODAY - dt.timedelta(days=15), today=TODAY, limit=14), True),
        (rules.triage_finding(accepted_on=TODAY - dt.timedelta(days=7), today=TODAY, limit=7), False),
        (rules.triage_finding(accepted_on=TODAY - dt.timedelta(days=8), today=TODAY, limit=7), True),
    ],
)
def test_screening_information_and_triage_limits_are_over_only_after_their_last_day(finding, over):
    assert finding.over is over


def test_a_referral_back_with_its_information_counts_from_the_day_it_came_back():
    finding = rules.screening_finding(since=dt.date(2027, 3, 1), came_back=True, today=TODAY, limit=7)
    assert finding.why == (
        "Not screened: waited 9 days since the information asked for came back on 1 March 2027, limit 7."
    )


def test_an_appointment_is_due_its_outcome_the_day_after_it_ended_not_on_the_day():
    assert not rules.ended_before_today(TODAY, TODAY)
    assert rules.ended_before_today(TODAY - dt.timedelta(days=1), TODAY)


def test_an_open_flag_and_a_missing_outcome_are_always_over_and_say_so():
    flag = rules.flag_finding(raised_on=TODAY - dt.timedelta(days=3), reason="Not brought twice.", today=TODAY)
    missing = rules.outcome_finding(
        what="Treatment session", starts=dt.datetime(2027, 3, 9, 10, tzinfo=LONDON), today=TODAY
    )
    register = rules.register_finding(
        programme="Handwriting group", starts=dt.datetime(2027, 3, 8, 9, 30, tzinfo=LONDON), missing=1, today=TODAY
    )
    assert flag.over and missing.over and register.over
    assert flag.why == "Not brought twice. Raised 7 March 2027 and not reviewed for 3 days."
    assert missing.why == (
        "Treatment session on 9 March 2027 at 10:00: no outcome recorded after 1 day. Was the child brought?"
    )
    assert "1 child has no outcome" in register.why


@given(
    days=st.integers(min_value=0, max_value=1000),
    limit=st.integers(min_value=0, max_value=400),
    priority=st.sampled_from(["Urgent", "Soon", "Routine"]),
)
def test_every_finding_has_a_code_and_a_reason_naming_the_days_and_the_limit(days, limit, priority):
    since = TODAY - dt.timedelta(days=days)
    for finding in (
        rules.wait_finding(priority_label=priority, received_on=since, today=TODAY, target=limit),
        rules.triage_finding(accepted_on=since, today=TODAY, limit=limit),
        rules.screening_finding(since=since, came_back=False, today=TODAY, limit=limit),
        rules.information_finding(requested_on=since, today=TODAY, limit=limit),
    ):
        assert finding.code
        assert f"{days} day" in finding.why
        assert f"{limit}" in finding.why


# The school holidays held running out (hazard H16) -------------------------------------------------------------

LAST_HELD = dt.date(2028, 8, 31)


@pytest.mark.parametrize(
    ("weeks_before", "days_more", "listed"), [(16, 1, False), (16, 0, True), (1, 0, True), (0, -30, True)]
)
def test_the_school_holidays_held_are_listed_from_16_weeks_before_their_last_day_not_a_day_earlier(
    weeks_before, days_more, listed
):
    today = LAST_HELD - dt.timedelta(weeks=weeks_before, days=days_more)
    finding = rules.school_calendar_finding(known_until=LAST_HELD, today=today, ahead=112)
    assert (finding is not None) is listed
    if finding:
        assert finding.code == rules.SCHOOL_CALENDAR_ENDING
        assert finding.since == dt.date(2028, 5, 11) and finding.limit is None and finding.over


def test_the_reason_says_when_the_school_holidays_held_end_and_what_to_do():
    finding = rules.school_calendar_finding(known_until=LAST_HELD, today=dt.date(2028, 5, 11), ahead=112)
    assert finding is not None
    assert finding.why == (
        "The school holidays held end on 31 August 2028, 112 days from today. Blocks of treatment and group sessions "
        "at schools and nurseries after that day cannot skip holidays. Load the next school year's term dates, "
        "checked against Birmingham City Council's."
    )
    ended = rules.school_calendar_finding(known_until=LAST_HELD, today=dt.date(2028, 9, 1), ahead=112)
    assert ended is not None and ended.why.startswith("The school holidays held ended on 31 August 2028.")
    none_held = rules.school_calendar_finding(known_until=None, today=TODAY, ahead=112)
    assert none_held is not None and none_held.why.startswith("No school holidays are held.")
