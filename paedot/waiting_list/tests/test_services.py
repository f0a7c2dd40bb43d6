"""The waiting list: who is on it, in what order, filtered how, and the expected wait."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.waiting_list.services import (
    WaitingListFilters,
    expected_wait_for,
    expected_wait_for_new_referral,
    left_queue_recently,
    page_of,
    recent_expected_wait_for_new_referral,
    record_booking,
    waiting_list,
)
from paedot.waiting_list.tests.factories import days_ago, waiting_referral

pytestmark = pytest.mark.django_db


def references(filters: WaitingListFilters | None = None, today: dt.date | None = None) -> list[str]:
    return list(waiting_list(filters or WaitingListFilters(), today=today).values_list("reference", flat=True))


def test_urgent_children_come_before_soon_before_routine_then_the_earliest_received():
    routine_old = waiting_referral(priority="routine", received_date=days_ago(300))
    soon_new = waiting_referral(priority="soon", received_date=days_ago(3))
    urgent_new = waiting_referral(priority="urgent", received_date=days_ago(1))
    routine_new = waiting_referral(priority="routine", received_date=days_ago(10))
    soon_old = waiting_referral(priority="soon", received_date=days_ago(40))
    urgent_old = waiting_referral(priority="urgent", received_date=days_ago(20))

    assert references() == [r.reference for r in (urgent_old, urgent_new, soon_old, soon_new, routine_old, routine_new)]


def test_children_received_on_the_same_day_keep_the_order_they_arrived_in():
    same_day = days_ago(30)
    first, second, third = (waiting_referral(received_date=same_day) for _ in range(3))

    assert references() == [first.reference, second.reference, third.reference]
    assert first.pk < second.pk < third.pk


def test_only_triaged_children_not_yet_seen_are_on_the_list():
    waiting = referral_in("waiting")
    invited = referral_in("invited")
    booked = referral_in("booked")
    for status in ("received", "accepted", "declined", "information_requested", "discharged"):
        referral_in(status)

    assert sorted(references()) == sorted([waiting.reference, invited.reference, booked.reference])
    assert Referral.objects.count() == 8


def test_the_list_filters_by_locality():
    north = waiting_referral(locality="North")
    east = waiting_referral(locality="East")

    assert references(WaitingListFilters(locality="North")) == [north.reference]
    assert references(WaitingListFilters(locality="East")) == [east.reference]
    assert references(WaitingListFilters(locality="West")) == []


def test_the_list_filters_by_priority_pathway_and_setting():
    urgent_group_school = waiting_referral(priority="urgent", pathway="group", setting="school")
    routine_advice_home = waiting_referral(priority="routine", pathway="advice_and_strategies", setting="home")

    assert references(WaitingListFilters(priority="urgent")) == [urgent_group_school.reference]
    assert references(WaitingListFilters(pathway="advice_and_strategies")) == [routine_advice_home.reference]
    assert references(WaitingListFilters(setting="school")) == [urgent_group_school.reference]
    assert references(WaitingListFilters(priority="urgent", setting="home")) == []


@time_machine.travel(dt.datetime(2025, 6, 15, 10, tzinfo=dt.UTC), tick=False)
def test_the_list_filters_by_the_childs_age_today():
    under_five = waiting_referral(date_of_birth=dt.date(2020, 6, 16), received_date=days_ago(1))  # 5 tomorrow
    five = waiting_referral(date_of_birth=dt.date(2020, 6, 15), received_date=days_ago(1))  # 5 today
    ten = waiting_referral(date_of_birth=dt.date(2014, 6, 16))  # 11 tomorrow
    eleven = waiting_referral(date_of_birth=dt.date(2014, 6, 15))

    assert references(WaitingListFilters(age_band="0-4")) == [under_five.reference]
    assert references(WaitingListFilters(age_band="5-10")) == [five.reference, ten.reference]
    assert references(WaitingListFilters(age_band="11-15")) == [eleven.reference]
    assert references(WaitingListFilters(age_band="16-19")) == []


@pytest.mark.parametrize(
    ("band", "inside", "outside"),
    [("0-1", (0, 7), (8,)), ("18-52", (127, 364), (126, 365)), ("52+", (365, 800), (364,))],
)
def test_the_list_filters_by_weeks_waited_band(band, inside, outside):
    made = {days: waiting_referral(received_date=days_ago(days)) for days in (*inside, *outside)}

    found = set(references(WaitingListFilters(band=band)))

    assert found == {made[days].reference for days in inside}


def test_no_one_has_left_the_queue_so_there_is_no_estimate_yet():
    waiting_referral()

    wait = expected_wait_for_new_referral()

    assert wait.weeks is None
    assert "cannot estimate" in wait.explanation


def test_the_expected_wait_counts_children_who_left_the_queue_in_the_last_12_weeks():
    admin = staff("clinical_admin")
    booked = [referral_in("booked") for _ in range(3)]
    long_ago = booked[0]
    Referral.objects.filter(pk=long_ago.pk).update(left_queue_at=timezone.now() - dt.timedelta(weeks=13))
    for _ in range(2):
        waiting_referral(priority="routine", received_date=days_ago(50))
    waiting_referral(priority="urgent", received_date=days_ago(2))
    waiting_referral(priority="routine", received_date=days_ago(400), admin=admin)

    assert left_queue_recently() == 2
    wait = expected_wait_for_new_referral()

    # 2 left in 12 weeks: one every 6 weeks. 4 children ahead (booked children do not queue), so the 5th: 30 weeks.
    assert wait.weeks == 30
    assert "4 children are ahead" in wait.explanation


def test_letters_quote_the_expected_wait_counted_within_the_last_minute():
    referral_in("booked")
    referral_in("booked")  # 2 left the queue recently: one every 6 weeks
    waiting_referral(priority="routine", received_date=days_ago(50))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = recent_expected_wait_for_new_referral()
        waiting_referral(priority="routine", received_date=days_ago(40))
        assert recent_expected_wait_for_new_referral() == first  # the same minute: not counted again
        assert expected_wait_for_new_referral() != first  # a page counts afresh
        clock.shift(dt.timedelta(seconds=61))
        assert recent_expected_wait_for_new_referral() == expected_wait_for_new_referral()


def test_a_waiting_childs_own_expected_wait_counts_only_those_ahead_of_them():
    referral_in("booked")
    referral_in("booked")  # 2 left the queue recently: one every 6 weeks
    first = waiting_referral(priority="routine", received_date=days_ago(100))
    second = waiting_referral(priority="routine", received_date=days_ago(50))
    urgent = waiting_referral(priority="urgent", received_date=days_ago(1))

    assert expected_wait_for(urgent).weeks == 6  # nobody ahead
    assert expected_wait_for(first).weeks == 12  # the urgent child is ahead
    assert expected_wait_for(second).weeks == 18


def test_booking_a_child_takes_them_out_of_the_queue_for_the_estimate_but_not_off_the_list():
    invited = referral_in("invited")
    assert left_queue_recently() == 0

    record_booking(referral=invited, recorded_by=staff("clinical_admin"))

    assert left_queue_recently() == 1
    assert references() == [invited.reference]


def test_a_page_deep_in_the_list_is_the_same_slice_of_the_list_in_the_same_order():
    priorities = ["routine", "urgent", "soon"]
    for n in range(23):
        waiting_referral(priority=priorities[n % 3], received_date=days_ago(30 + n % 7))
    ordered = list(waiting_list(WaitingListFilters()).values_list("reference", flat=True))
    for start in (0, 5, 10, 20, 23):
        page = page_of(waiting_list(WaitingListFilters()), start, 5)
        assert [r.reference for r in page] == ordered[start : start + 5]
