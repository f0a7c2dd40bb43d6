"""How long a child's record is kept: pure decisions, no database.

The NHS Records Management Code of Practice (and DOMAIN.md): children's records are kept until the 25th birthday, or
the 26th if the young person was 17 at the end of treatment; adults' records 8 years after the conclusion of
treatment. The service sees young people up to 19, so a record of treatment that ended at 18 or older is kept until
the later of the 26th birthday and 8 years after the end of treatment (for a 19-year-old, the 8 years). Keeping for
longer is the safe side of a disposal rule.

Born on 29 February, or treatment ended on one: in a year without one, the date is taken as 28 February (so the
record is kept until then). The reason says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KEPT_TO_25 = 25
KEPT_TO_26 = 26
# From this age at the end of treatment, the record is kept to the 26th birthday.
AGE_FOR_LATER_DATE = 17
# From this age at the end of treatment, an adult's record: also kept 8 years after the end of treatment.
ADULT_AGE = 18
ADULT_YEARS_AFTER_TREATMENT = 8

# Stable codes, for the API and CSV.
TO_25TH_BIRTHDAY = "25th_birthday"
TO_26TH_BIRTHDAY = "26th_birthday"
EIGHT_YEARS_AFTER_TREATMENT = "8_years_after_treatment"
CODES = (TO_25TH_BIRTHDAY, TO_26TH_BIRTHDAY, EIGHT_YEARS_AFTER_TREATMENT)


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later. 29 February: 28 February in a year that has none."""
    year = day.year + years
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return dt.date(year, 2, 28)


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    """The day someone born on date_of_birth turns `age`. Born on 29 February: 28 February in other years."""
    return years_after(date_of_birth, age)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Whole years old on `day`, with the same 29 February rule as birthday()."""
    age = day.year - date_of_birth.year
    if birthday(date_of_birth, age) > day:
        age -= 1
    return age


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Retention:
    """When a child's record may be considered for disposal, and why."""

    keep_until: dt.date
    code: str  # one of CODES: "25th_birthday", "26th_birthday" or "8_years_after_treatment"
    reason: str  # in words a parent could read
    age_at_end_of_treatment: int

    def is_past(self, today: dt.date) -> bool:
        """Past its keep-until date: the last day to keep it has gone by."""
        return self.keep_until < today


def keep_until(date_of_birth: dt.date, treatment_ended_on: dt.date) -> Retention:
    """The keep-until date: the 25th birthday; the 26th when the young person was 17 at the end of treatment; and
    from 18, the later of the 26th birthday and 8 years after the end of treatment (the rule for adults' records).
    ValueError for an end of treatment before the child was born."""
    if treatment_ended_on < date_of_birth:
        raise ValueError("The end of treatment cannot be before the date of birth.")
    age = age_on(date_of_birth, treatment_ended_on)
    ended = _long_date(treatment_ended_on)
    at_end = f"{age} at the end of treatment on {ended}"
    leap_birthday = date_of_birth.month == 2 and date_of_birth.day == 29
    if age >= ADULT_AGE:
        twenty_sixth = birthday(date_of_birth, KEPT_TO_26)
        eight_years = years_after(treatment_ended_on, ADULT_YEARS_AFTER_TREATMENT)
        if eight_years > twenty_sixth:
            until, code = eight_years, EIGHT_YEARS_AFTER_TREATMENT
            reason = (
                f"Kept until 8 years after the end of treatment, {_long_date(until)}: {at_end}. From 18, a record is "
                f"kept for 8 years after treatment ends, as an adult's record is, if that is later than the 26th "
                f"birthday ({_long_date(twenty_sixth)})."
            )
            if treatment_ended_on.month == 2 and treatment_ended_on.day == 29 and until.day == 28:
                reason += " Treatment ended on 29 February: in a year without one, the date is taken as 28 February."
            leap_birthday = False  # the birthday is not the keep-until date
        else:
            until, code = twenty_sixth, TO_26TH_BIRTHDAY
            when = "the same day" if eight_years == twenty_sixth else f"{_long_date(eight_years)}, earlier"
            reason = (
                f"Kept until the 26th birthday, {_long_date(until)}: {at_end}. From 18, a record is also kept for 8 "
                f"years after treatment ends, as an adult's record is; here that is {when}."
            )
    elif age == AGE_FOR_LATER_DATE:
        until, code = birthday(date_of_birth, KEPT_TO_26), TO_26TH_BIRTHDAY
        reason = f"Kept until the 26th birthday, {_long_date(until)}: {at_end}."
    else:
        until, code = birthday(date_of_birth, KEPT_TO_25), TO_25TH_BIRTHDAY
        reason = f"Kept until the 25th birthday, {_long_date(until)}: {at_end}."
    if leap_birthday and until.day == 28:
        reason += " Born on 29 February: in a year without one, the birthday is taken as 28 February."
    return Retention(keep_until=until, code=code, reason=reason, age_at_end_of_treatment=age)


def end_of_treatment(last_episode_ended: dt.date | None, last_referral_closed: dt.date | None) -> dt.date | None:
    """The end of treatment: the last episode of care's discharge (or its referral's closure); for a child never
    treated, the last referral's closure. None when nothing has ended (an open referral is never past retention:
    the caller leaves those out)."""
    return last_episode_ended if last_episode_ended is not None else last_referral_closed
