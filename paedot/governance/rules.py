"""How long a child's record is kept: pure decisions, no database.

The Records Management Code of Practice (and DOMAIN.md): children's records are kept until the 25th birthday, or the
26th if the young person was 17 at the end of treatment.

Two choices this module makes, and says so in every reason it gives:
- Born on 29 February: in a year without one, the birthday is taken as 28 February (so the record is kept until then).
- 18 or older at the end of treatment (the service sees young people up to 19): treated like 17, so the later date,
  the 26th birthday, applies. Keeping for longer is the safe side of a disposal rule; the 25th birthday would give a
  young adult's record less time than a 17-year-old's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KEPT_TO_25 = 25
KEPT_TO_26 = 26
# From this age at the end of treatment, the record is kept to the 26th birthday.
AGE_FOR_LATER_DATE = 17


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    """The day someone born on date_of_birth turns `age`. Born on 29 February: 28 February in other years."""
    year = date_of_birth.year + age
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return dt.date(year, 2, 28)


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
    code: str  # "25th_birthday" or "26th_birthday": stable, for the API and CSV
    reason: str  # in words a parent could read
    age_at_end_of_treatment: int

    def is_past(self, today: dt.date) -> bool:
        """Past its keep-until date: the last day to keep it has gone by."""
        return self.keep_until < today


def keep_until(date_of_birth: dt.date, treatment_ended_on: dt.date) -> Retention:
    """The keep-until date: the 25th birthday, or the 26th when the young person was 17 (or older) at the end of
    treatment. ValueError for an end of treatment before the child was born."""
    if treatment_ended_on < date_of_birth:
        raise ValueError("The end of treatment cannot be before the date of birth.")
    age = age_on(date_of_birth, treatment_ended_on)
    ended = _long_date(treatment_ended_on)
    if age >= AGE_FOR_LATER_DATE:
        until = birthday(date_of_birth, KEPT_TO_26)
        older = "" if age == AGE_FOR_LATER_DATE else " (17 or older)"
        reason = f"Kept until the 26th birthday, {_long_date(until)}: {age}{older} at the end of treatment on {ended}."
        code = "26th_birthday"
    else:
        until = birthday(date_of_birth, KEPT_TO_25)
        reason = f"Kept until the 25th birthday, {_long_date(until)}: {age} at the end of treatment on {ended}."
        code = "25th_birthday"
    if date_of_birth.month == 2 and date_of_birth.day == 29 and until.day == 28:
        reason += " Born on 29 February: in a year without one, the birthday is taken as 28 February."
    return Retention(keep_until=until, code=code, reason=reason, age_at_end_of_treatment=age)


def end_of_treatment(last_episode_ended: dt.date | None, last_referral_closed: dt.date | None) -> dt.date | None:
    """The end of treatment: the last episode of care's discharge (or its referral's closure); for a child never
    treated, the last referral's closure. None when nothing has ended (an open referral is never past retention:
    the caller leaves those out)."""
    return last_episode_ended if last_episode_ended is not None else last_referral_closed
