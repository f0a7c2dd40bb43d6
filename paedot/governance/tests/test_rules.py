"""How long a child's record is kept: the 25th birthday, the 26th for a young person 17 at the end of treatment, from
18 the later of the 26th birthday and 8 years after the end of treatment, and 29 February dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.governance.rules import CODES, age_on, birthday, end_of_treatment, keep_until, years_after


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


def test_a_young_person_19_at_the_end_of_treatment_is_kept_8_years_after_it():
    # The 26th birthday is 10 May 2034; 8 years after the end of treatment is later, so it applies.
    decision = keep_until(dt.date(2008, 5, 10), dt.date(2027, 6, 1))
    assert decision.age_at_end_of_treatment == 19
    assert decision.keep_until == dt.date(2035, 6, 1)
    assert decision.code == "8_years_after_treatment"
    assert decision.reason.startswith("Kept until 8 years after the end of treatment, 1 June 2035: 19 at the end")
    assert "later than the 26th birthday (10 May 2034)" in decision.reason


def test_a_young_person_18_at_the_end_of_treatment_is_kept_8_years_after_it():
    decision = keep_until(dt.date(2008, 5, 10), dt.date(2026, 6, 1))
    assert decision.age_at_end_of_treatment == 18
    assert decision.keep_until == dt.date(2034, 6, 1)  # the 26th birthday, 10 May 2034, is earlier
    assert decision.code == "8_years_after_treatment"
    assert "18 at the end of treatment on 1 June 2026" in decision.reason


def test_treatment_ending_on_the_18th_birthday_keeps_to_the_26th_birthday_the_same_day_as_8_years_on():
    decision = keep_until(dt.date(2008, 5, 10), dt.date(2026, 5, 10))
    assert decision.age_at_end_of_treatment == 18
    assert decision.keep_until == dt.date(2034, 5, 10)
    assert decision.code == "26th_birthday"
    assert "8 years after treatment ends" in decision.reason and "the same day" in decision.reason
    # A day later, 8 years after the end of treatment is a day after the 26th birthday.
    next_day = keep_until(dt.date(2008, 5, 10), dt.date(2026, 5, 11))
    assert (next_day.keep_until, next_day.code) == (dt.date(2034, 5, 11), "8_years_after_treatment")


def test_the_day_before_the_18th_birthday_is_still_17_and_the_26th_birthday_applies():
    decision = keep_until(dt.date(2008, 5, 10), dt.date(2026, 5, 9))
    assert decision.age_at_end_of_treatment == 17
    assert (decision.keep_until, decision.code) == (dt.date(2034, 5, 10), "26th_birthday")


def test_a_leap_day_baby_18_on_28_february_is_kept_until_28_february_eight_years_on():
    # 2026 has no 29 February, so the 18th birthday is 28 February 2026; the 26th is 28 February 2034, the same day
    # as 8 years after treatment ended on the 18th birthday.
    decision = keep_until(dt.date(2008, 2, 29), dt.date(2026, 2, 28))
    assert decision.age_at_end_of_treatment == 18
    assert (decision.keep_until, decision.code) == (dt.date(2034, 2, 28), "26th_birthday")
    assert "Born on 29 February" in decision.reason
    older = keep_until(dt.date(2008, 2, 29), dt.date(2027, 3, 1))
    assert older.age_at_end_of_treatment == 19
    assert (older.keep_until, older.code) == (dt.date(2035, 3, 1), "8_years_after_treatment")
    assert "Born on 29 February" not in older.reason  # the birthday is not the date it is kept to


def test_treatment_ending_on_29_february_is_kept_until_28_february_eight_years_on_in_a_year_without_one():
    assert years_after(dt.date(2028, 2, 29), 8) == dt.date(2036, 2, 29)
    assert years_after(dt.date(2092, 2, 29), 8) == dt.date(2100, 2, 28)  # 2100 is not a leap year
    decision = keep_until(dt.date(2073, 6, 1), dt.date(2092, 2, 29))
    assert decision.age_at_end_of_treatment == 18
    assert (decision.keep_until, decision.code) == (dt.date(2100, 2, 28), "8_years_after_treatment")
    assert "Treatment ended on 29 February" in decision.reason


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
def test_keep_until_is_never_before_the_25th_birthday_nor_from_18_before_8_years_after_treatment(
    date_of_birth, days_treated_from_birth
):
    ended = date_of_birth + dt.timedelta(days=days_treated_from_birth)
    decision = keep_until(date_of_birth, ended)
    age = decision.age_at_end_of_treatment
    assert decision.keep_until >= birthday(date_of_birth, 25)
    if age < 17:
        assert (decision.keep_until, decision.code) == (birthday(date_of_birth, 25), "25th_birthday")
    elif age == 17:
        assert (decision.keep_until, decision.code) == (birthday(date_of_birth, 26), "26th_birthday")
    else:
        assert decision.keep_until >= years_after(ended, 8)
        assert decision.keep_until >= birthday(date_of_birth, 26)
        assert decision.keep_until == max(years_after(ended, 8), birthday(date_of_birth, 26))
        assert (decision.code == "8_years_after_treatment") == (years_after(ended, 8) > birthday(date_of_birth, 26))
    assert decision.code in CODES
    assert decision.reason.startswith("Kept until ")


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
