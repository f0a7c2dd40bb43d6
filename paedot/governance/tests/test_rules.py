"""How long a child's record is kept: the 25th birthday, the 26th for a young person 17 or older at the end of
treatment, and 29 February birthdays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.governance.rules import age_on, birthday, end_of_treatment, keep_until


def test_a_child_treated_at_eight_is_kept_until_the_25th_birthday():
    decision = keep_until(dt.date(2010, 5, 10), dt.date(2018, 9, 1))
    assert decision.keep_until == dt.date(2035, 5, 10)
    assert decision.code == "25th_birthday"
    assert decision.age_at_end_of_treatment == 8
    assert "25th birthday, 10 May 2035" in decision.reason
    assert "8 at the end of treatment on 1 September 2018" in decision.reason


def test_a_young_person_17_at_the_end_of_treatment_is_kept_until_the_26th_birthday():
    decision = keep_until(dt.date(2010, 5, 10), dt.date(2027, 6, 1))
    assert decision.keep_until == dt.date(2036, 5, 10)
    assert decision.code == "26th_birthday"
    assert "17 at the end of treatment" in decision.reason


def test_the_day_before_the_17th_birthday_is_still_16():
    decision = keep_until(dt.date(2010, 5, 10), dt.date(2027, 5, 9))
    assert decision.age_at_end_of_treatment == 16
    assert decision.keep_until == dt.date(2035, 5, 10)


def test_on_the_17th_birthday_the_later_date_applies():
    assert keep_until(dt.date(2010, 5, 10), dt.date(2027, 5, 10)).keep_until == dt.date(2036, 5, 10)


def test_a_young_person_older_than_17_at_the_end_is_kept_until_the_26th_birthday_too():
    decision = keep_until(dt.date(2008, 5, 10), dt.date(2027, 6, 1))
    assert decision.age_at_end_of_treatment == 19
    assert decision.keep_until == dt.date(2034, 5, 10)
    assert "19 (17 or older) at the end of treatment" in decision.reason


def test_born_on_29_february_is_kept_until_28_february_when_the_birthday_year_has_none():
    decision = keep_until(dt.date(2008, 2, 29), dt.date(2015, 3, 1))
    assert decision.keep_until == dt.date(2033, 2, 28)  # 2033 is not a leap year
    assert "Born on 29 February" in decision.reason


def test_a_leap_day_baby_17_on_28_february_is_kept_until_28_february_after_the_26th_year():
    # No 25th or 26th birthday of someone born on 29 February falls in a leap year: it is always 28 February.
    decision = keep_until(dt.date(2004, 2, 29), dt.date(2021, 2, 28))
    assert decision.age_at_end_of_treatment == 17
    assert decision.keep_until == dt.date(2030, 2, 28)
    assert "Born on 29 February" in decision.reason


def test_a_leap_day_birthday_lands_on_the_day_in_a_leap_year():
    assert birthday(dt.date(2004, 2, 29), 24) == dt.date(2028, 2, 29)
    assert birthday(dt.date(2004, 2, 29), 25) == dt.date(2029, 2, 28)


def test_age_turns_on_28_february_for_a_leap_day_baby_in_other_years():
    assert age_on(dt.date(2008, 2, 29), dt.date(2025, 2, 27)) == 16
    assert age_on(dt.date(2008, 2, 29), dt.date(2025, 2, 28)) == 17


def test_an_end_of_treatment_before_birth_is_refused():
    with pytest.raises(ValueError, match="before the date of birth"):
        keep_until(dt.date(2010, 5, 10), dt.date(2009, 1, 1))


def test_the_end_of_treatment_is_the_last_episode_else_the_referral_closure():
    assert end_of_treatment(dt.date(2020, 1, 1), dt.date(2021, 1, 1)) == dt.date(2020, 1, 1)
    assert end_of_treatment(None, dt.date(2021, 1, 1)) == dt.date(2021, 1, 1)
    assert end_of_treatment(None, None) is None


def test_past_retention_means_the_keep_until_date_has_gone_by():
    decision = keep_until(dt.date(2000, 6, 1), dt.date(2008, 1, 1))
    assert not decision.is_past(dt.date(2025, 6, 1))  # the birthday itself: still kept
    assert decision.is_past(dt.date(2025, 6, 2))


births = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


@given(date_of_birth=births, days_treated_from_birth=st.integers(min_value=0, max_value=365 * 24))
def test_keep_until_is_on_or_after_the_25th_birthday_and_at_most_the_26th(date_of_birth, days_treated_from_birth):
    ended = date_of_birth + dt.timedelta(days=days_treated_from_birth)
    decision = keep_until(date_of_birth, ended)
    assert birthday(date_of_birth, 25) <= decision.keep_until <= birthday(date_of_birth, 26)
    assert decision.keep_until == birthday(date_of_birth, 26 if decision.age_at_end_of_treatment >= 17 else 25)
    assert decision.reason.startswith("Kept until the 2")


@given(date_of_birth=births, days=st.integers(min_value=0, max_value=365 * 30))
def test_age_is_whole_years_since_the_last_birthday(date_of_birth, days):
    day = date_of_birth + dt.timedelta(days=days)
    age = age_on(date_of_birth, day)
    assert birthday(date_of_birth, age) <= day < birthday(date_of_birth, age + 1)


@given(date_of_birth=births, first=st.integers(0, 365 * 24), second=st.integers(0, 365 * 24))
def test_a_later_end_of_treatment_never_shortens_the_keep_until_date(date_of_birth, first, second):
    earlier, later = sorted((first, second))
    one = keep_until(date_of_birth, date_of_birth + dt.timedelta(days=earlier))
    two = keep_until(date_of_birth, date_of_birth + dt.timedelta(days=later))
    assert one.keep_until <= two.keep_until
