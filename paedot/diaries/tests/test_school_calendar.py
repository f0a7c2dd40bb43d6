"""How far ahead the school holidays are known (hazard H16): the last day held, loaded with the holidays; the warning
for dates after it; term dates that claim more than they hold are refused; and the closures page says it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from paedot.diaries.models import SchoolCalendar, SchoolHoliday
from paedot.diaries.rules import AFTER_SCHOOL_CALENDAR, after_school_calendar, check_term_dates
from paedot.diaries.services import (
    TERM_DATES,
    load_term_dates,
    school_calendar_known_until,
    school_calendar_warnings,
)
from paedot.referrals.tests.factories import staff

LAST_DAY = dt.date(2028, 8, 31)  # the end of 2027-28, the last school year in term_dates.json


# The rule ----------------------------------------------------------------------------------------------------------


def test_a_session_on_the_last_known_day_is_not_warned_of():
    assert after_school_calendar([dt.date(2028, 8, 24), LAST_DAY], LAST_DAY) is None


def test_a_session_the_day_after_the_last_known_day_is_warned_of_by_its_date():
    warning = after_school_calendar([LAST_DAY, dt.date(2028, 9, 1)], LAST_DAY)

    assert warning is not None
    assert warning.code == AFTER_SCHOOL_CALENDAR
    assert warning.dates == (dt.date(2028, 9, 1),)
    assert warning.message == (
        "The school holidays held end on 31 August 2028: 1 session falls after that, so school holidays could not be "
        "skipped for it: Friday 1 September 2028. Check it with the school and move any that fall in a holiday."
    )


def test_with_no_school_holidays_held_every_session_is_warned_of():
    warning = after_school_calendar([dt.date(2027, 1, 11), dt.date(2027, 1, 18)], None)

    assert warning is not None
    assert warning.dates == (dt.date(2027, 1, 11), dt.date(2027, 1, 18))
    assert warning.message.startswith("No school holidays are held: 2 sessions fall after that")


@given(
    known_until=st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
    days=st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)), max_size=20),
)
def test_exactly_the_days_after_the_last_known_day_are_named(known_until, days):
    warning = after_school_calendar(days, known_until)
    named = set(warning.dates) if warning else set()
    assert named == {day for day in days if day > known_until}


# Term dates that claim more than they hold ------------------------------------------------------------------------


def holidays_in(path) -> list[tuple[dt.date, dt.date]]:
    document = json.loads(path.read_text())
    return [(dt.date.fromisoformat(h["starts_on"]), dt.date.fromisoformat(h["ends_on"])) for h in document["holidays"]]


def test_the_services_term_dates_cover_2027_28_to_its_last_day_with_no_holiday_missing():
    document = json.loads(TERM_DATES.read_text())
    assert document["covers_until"] == LAST_DAY.isoformat()
    check_term_dates(holidays_in(TERM_DATES), LAST_DAY)


def test_a_school_year_given_without_its_holidays_is_refused():
    with pytest.raises(ValueError, match="No school holiday is held between 31 August 2028 and 1 September 2029"):
        check_term_dates(holidays_in(TERM_DATES), dt.date(2029, 8, 31))


def test_a_half_term_left_out_is_refused():
    without_may_half_term = [h for h in holidays_in(TERM_DATES) if h[0] != dt.date(2028, 5, 29)]
    with pytest.raises(ValueError, match="No school holiday is held between 21 April 2028 and 21 July 2028"):
        check_term_dates(without_may_half_term, LAST_DAY)


def test_a_holiday_after_the_last_day_covered_is_refused():
    with pytest.raises(ValueError, match="is after covers_until"):
        check_term_dates(holidays_in(TERM_DATES), dt.date(2028, 7, 31))


# Loading them -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_last_day_covered_is_loaded_with_the_holidays():
    assert school_calendar_known_until() == LAST_DAY
    assert load_term_dates() == SchoolHoliday.objects.count()  # again: nothing new
    assert SchoolCalendar.objects.get().covers_until == LAST_DAY


@pytest.mark.django_db
def test_term_dates_in_the_older_shape_cover_up_to_the_end_of_their_last_holiday(tmp_path):
    path = tmp_path / "term_dates.json"
    path.write_text(
        json.dumps(
            {
                "source": "An older file, with no covers_until",
                "holidays": [{"name": "Summer holiday", "starts_on": "2028-07-21", "ends_on": "2028-08-30"}],
            }
        )
    )
    load_term_dates(path)
    assert school_calendar_known_until() == dt.date(2028, 8, 30)


@pytest.mark.django_db
def test_refused_term_dates_change_nothing(tmp_path):
    path = tmp_path / "term_dates.json"
    path.write_text(
        json.dumps(
            {
                "source": "Claims a year it does not hold",
                "covers_until": "2029-08-31",
                "holidays": [{"name": "Christmas holiday", "starts_on": "2028-12-20", "ends_on": "2028-12-31"}],
            }
        )
    )
    held = SchoolHoliday.objects.count()
    with pytest.raises(ValueError, match="No school holiday is held between"):
        load_term_dates(path)
    assert SchoolHoliday.objects.count() == held
    assert school_calendar_known_until() == LAST_DAY


@pytest.mark.django_db
def test_holidays_loaded_before_the_last_day_was_recorded_cover_up_to_the_end_of_the_last_one():
    SchoolCalendar.objects.all().delete()
    assert school_calendar_known_until() == LAST_DAY  # the summer holiday 2028 ends on 31 August
    SchoolHoliday.objects.all().delete()
    assert school_calendar_known_until() is None


@pytest.mark.django_db
def test_only_a_school_or_nursery_is_warned_of():
    after = [dt.date(2028, 9, 4)]
    assert [w.dates for w in school_calendar_warnings(after, school_setting=True)] == [(dt.date(2028, 9, 4),)]
    assert school_calendar_warnings(after, school_setting=False) == ()


# The closures page --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_the_closures_page_says_how_far_ahead_the_school_holidays_are_held(client):
    client.force_login(staff("clinical_admin", "admin-closures"))

    page = client.get("/staff/diaries/closures").content.decode()

    assert 'id="school-holidays"' in page
    assert "School holidays are held up to <strong>31 August 2028</strong>" in page
    assert "15 February 2027 to 19 February 2027: February half term" in page
