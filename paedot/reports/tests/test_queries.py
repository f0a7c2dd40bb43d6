"""Every dashboard figure against the known service (factories.py), whose answers were worked out by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral
from paedot.reports import queries, rules
from paedot.reports.tests.factories import PERIOD, TODAY

D = dt.date
NORTH = dataclasses.replace(PERIOD, locality="North")


def test_referrals_are_counted_by_the_month_they_were_received_including_empty_months(known):
    rows = queries.referrals_by_month(PERIOD)
    assert [(row["month"], row["count"]) for row in rows] == [
        (D(2025, 1, 1), 3),
        (D(2025, 2, 1), 2),
        (D(2025, 3, 1), 2),
        (D(2025, 4, 1), 2),
        (D(2025, 5, 1), 1),
        (D(2025, 6, 1), 3),
    ]
    later = dataclasses.replace(PERIOD, date_from=D(2025, 5, 1))
    assert [row["count"] for row in queries.referrals_by_month(later)] == [1, 3]


def test_referrals_are_counted_by_referrer_type_most_first(known):
    assert queries.referrals_by_referrer(PERIOD) == [
        {"referrer_role": "gp", "count": 6},
        {"referrer_role": "paediatrician", "count": 2},
        {"referrer_role": "health_visitor", "count": 1},
        {"referrer_role": "other", "count": 1},
        {"referrer_role": "parent_carer", "count": 1},
        {"referrer_role": "school_nurse", "count": 1},
        {"referrer_role": "social_care", "count": 1},
    ]


def test_outcomes_say_where_the_period_s_referrals_are_now_in_journey_order(known):
    assert queries.outcomes(PERIOD) == [
        {"status": "received", "count": 1},
        {"status": "declined", "count": 3},
        {"status": "waiting", "count": 3},
        {"status": "invited", "count": 1},
        {"status": "booked", "count": 1},
        {"status": "seen", "count": 2},
        {"status": "discharged", "count": 2},
    ]


def test_decline_reasons_count_each_failed_rule_and_the_screeners_own_declines(known):
    assert queries.decline_reasons(PERIOD) == [
        {"code": "referrer_not_accepted", "count": 2},
        {"code": "age_out_of_range", "count": 1},
        {"code": queries.SCREENERS_DECISION, "count": 1},
    ]
    only_january = dataclasses.replace(PERIOD, date_to=D(2025, 1, 31))
    assert queries.decline_reasons(only_january) == [
        {"code": "age_out_of_range", "count": 1},
        {"code": "referrer_not_accepted", "count": 1},
    ]


def test_the_waiting_list_today_by_band_with_its_median_and_92nd_percentile(known):
    # Days waited today: 3, 10, 21, 75, 134, 379, 410. Nearest rank: median = 4th of 7, p92 = ceil(6.44) = 7th.
    snapshot = queries.waiting_snapshot(PERIOD, today=TODAY)
    assert snapshot.on == TODAY
    assert snapshot.total == 7
    assert snapshot.by_band == {"0-1": 1, "1-2": 1, "2-4": 1, "4-12": 1, "12-18": 0, "18-52": 1, "52+": 2}
    assert (snapshot.median_days, snapshot.p92_days) == (75, 410)
    assert snapshot.over_52_weeks == 2


def test_the_waiting_list_of_one_locality(known):
    # North: 3, 10, 75, 134, 379 days. Median = 3rd of 5, p92 = ceil(4.6) = 5th.
    snapshot = queries.waiting_snapshot(NORTH, today=TODAY)
    assert snapshot.total == 5
    assert (snapshot.median_days, snapshot.p92_days, snapshot.over_52_weeks) == (75, 379, 1)


def test_the_waiting_list_at_an_earlier_date_is_rebuilt_from_when_each_wait_began_and_ended(known):
    # On 31 March: W6 (334 days), W7 (303), W5 (58) and S3 (30, seen in May). S1 and S2 were seen in February,
    # X1 was discharged on 10 March, W4 had not arrived.
    snapshot = queries.waiting_snapshot(dataclasses.replace(PERIOD, date_to=D(2025, 3, 31)), today=TODAY)
    assert snapshot.on == D(2025, 3, 31)
    assert snapshot.total == 4
    assert snapshot.by_band == {"0-1": 0, "1-2": 0, "2-4": 0, "4-12": 2, "12-18": 0, "18-52": 2, "52+": 0}
    assert (snapshot.median_days, snapshot.p92_days) == (58, 334)


def test_the_waiting_list_rebuilt_for_today_agrees_with_the_live_list(known):
    rebuilt = queries._referrals(PERIOD).filter(queries._waiting_at(TODAY))
    assert set(rebuilt.values_list("pk", flat=True)) == set(
        queries.waiting_on(PERIOD, TODAY, today=TODAY).values_list("pk", flat=True)
    )


def test_the_waiting_list_size_at_each_month_end(known):
    rows = queries.waiting_over_time(PERIOD, today=TODAY)
    assert [(row["on"], row["count"]) for row in rows] == [
        (D(2025, 1, 31), 4),  # W6, W7, S1, X1
        (D(2025, 2, 28), 4),  # W6, W7, W5, X1 (S1 and S2 seen in February)
        (D(2025, 3, 31), 4),  # W6, W7, W5, S3 (X1 discharged)
        (D(2025, 4, 30), 5),  # + W4
        (D(2025, 5, 31), 5),  # W6, W7, W5, W4, W3 (S3 seen)
        (TODAY, 7),  # the live list
    ]
    assert [row["count"] for row in queries.waiting_over_time(NORTH, today=TODAY)] == [3, 3, 3, 4, 3, 5]


def test_first_appointment_waits_for_children_first_seen_in_the_period(known):
    # 41, 21 and 70 days: mean 44.0, median the 2nd of 3, p92 the 3rd.
    waits = queries.first_appointment_waits(PERIOD)
    assert (waits.count, waits.mean_days, waits.median_days, waits.p92_days) == (3, 44.0, 41, 70)
    assert waits.by_band == {"0-1": 0, "1-2": 0, "2-4": 1, "4-12": 2, "12-18": 0, "18-52": 0, "52+": 0}
    south = queries.first_appointment_waits(dataclasses.replace(PERIOD, locality="South"))
    assert (south.count, south.median_days, south.p92_days) == (1, 21, 21)


def test_caseloads_count_open_referrals_by_clinician(known):
    # Ada holds S1, W1 and W3 (S3 is discharged); Ben holds S2.
    assert queries.caseload_by_clinician(PERIOD) == [
        {"username": "ada", "name": "Ada Therapist", "count": 3},
        {"username": "ben", "name": "Ben Therapist", "count": 1},
    ]
    assert queries.caseload_by_clinician(NORTH) == [{"username": "ada", "name": "Ada Therapist", "count": 2}]


def test_attendance_and_contacts_count_one_to_one_appointments_and_group_places(known):
    figures = queries.contacts(PERIOD)
    # Attended: A1, A2, A4, A6 and S1's group place; not brought: A3, A5 and S2's group place. A7 was cancelled
    # and A8 was before the period.
    assert (figures.attended, figures.was_not_brought, figures.was_not_brought_rate) == (5, 3, 37.5)
    assert figures.by_setting == [
        {"setting": "clinic", "count": 3},
        {"setting": "home", "count": 1},
        {"setting": "school", "count": 1},
    ]
    assert figures.by_kind == [
        {"kind": "assessment", "count": 2},
        {"kind": "group", "count": 1},
        {"kind": "home_visit", "count": 1},
        {"kind": "treatment", "count": 1},
    ]
    north = queries.contacts(NORTH)
    assert (north.attended, north.was_not_brought, north.was_not_brought_rate) == (4, 1, 20.0)


def test_goal_attainment_is_the_mean_t_score_and_the_share_of_goals_at_or_above_expected(known):
    goals = queries.goal_attainment(PERIOD)
    # (50.00 + 37.60 + 61.02) / 3 = 49.54; goals 0, +1, -1, -1, +2, 0, -1: 4 of 7 at 0 or above.
    assert goals.reviews == 3
    assert goals.mean_t_score == 49.54
    assert goals.by_level == {-2: 0, -1: 3, 0: 2, 1: 1, 2: 1}
    assert (goals.goals_rated, goals.at_or_above_expected, goals.share_at_or_above_expected) == (7, 4, 57.1)


def test_copm_change_is_averaged_over_reviews_that_rated_it_again(known):
    copm = queries.copm_change(PERIOD)
    assert copm.reviews == 2
    assert (copm.mean_performance_change, copm.mean_satisfaction_change) == (1.75, 2.0)
    assert (copm.performance_important, copm.performance_up_less_than_important, copm.performance_not_improved) == (
        1,
        1,
        0,
    )
    assert (copm.satisfaction_important, copm.share_performance_important) == (1, 50.0)


def test_an_empty_period_has_no_averages_or_percentiles(known):
    empty = dataclasses.replace(PERIOD, date_from=D(2023, 1, 1), date_to=D(2023, 1, 31))
    assert queries.first_appointment_waits(empty).median_days is None
    assert queries.goal_attainment(empty).mean_t_score is None
    assert queries.contacts(empty).was_not_brought_rate is None
    assert queries.waiting_snapshot(empty, today=TODAY).total == 0


def test_the_whole_summary_runs_in_a_fixed_number_of_queries(known, django_assert_max_num_queries):
    with django_assert_max_num_queries(22):
        queries.summary(PERIOD, today=TODAY)


# The percentile, in the database, on whichever database runs the tests -------------------------------------------


@pytest.fixture
def ten_referrals(db):
    made = [make_referral() for _ in range(10)]
    return Referral.objects.filter(pk__in=[r.pk for r in made])


@pytest.mark.parametrize(
    "values",
    [
        [7],
        [3, 1],
        [5, 1, 4, 2, 3],
        [2, 2, 2, 9],
        [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 50],
    ],
)
def test_the_database_percentile_is_the_nearest_rank_percentile(ten_referrals, values):
    chosen = list(ten_referrals.order_by("pk")[: len(values)])
    for referral, value in zip(chosen, values, strict=True):
        Referral.objects.filter(pk=referral.pk).update(days_waited=value)
    holding = Referral.objects.filter(pk__in=[r.pk for r in chosen])
    for fraction in (0.25, rules.MEDIAN, rules.P92, 1.0):
        assert queries.percentile(holding, "days_waited", fraction) == rules.percentile(values, fraction)
    together = queries.aggregate_with_percentiles(holding, "days_waited")
    assert (together["median"], together["p92"]) == (
        rules.percentile(values, rules.MEDIAN),
        rules.percentile(values, rules.P92),
    )
    # Counted from the largest: the percentile of the values negated.
    from_largest = queries.aggregate_with_percentiles(holding, "days_waited", descending=True)
    assert from_largest["median"] == -rules.percentile([-v for v in values], rules.MEDIAN)


def test_a_percentile_of_nothing_is_none(db):
    assert queries.percentile(Referral.objects.none(), "days_waited", rules.MEDIAN) is None
    assert queries.aggregate_with_percentiles(Referral.objects.filter(pk=-1), "days_waited")["p92"] is None
