"""Ages, the one way the whole service counts them."""

from __future__ import annotations

import datetime as dt


def age_in_years(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a date.

    A child born on 29 February is a year older on 1 March in a year that is not a leap year (the convention of
    UK law, e.g. section 9 of the Family Law Reform Act 1969: a person attains an age at the start of the
    anniversary of their birth, which for 29 February falls on 1 March). So on 28 February 2027 a child born on
    29 February 2008 is still 18, and turns 19 on 1 March 2027.
    """
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_text(date_of_birth: dt.date, today: dt.date) -> str:
    """In years, and in years and months for the under-fives, where a few months make a difference."""
    years = age_in_years(date_of_birth, today)
    if years >= 5:
        return f"{years} years"
    months = (today.year - date_of_birth.year) * 12 + today.month - date_of_birth.month
    if today.day < date_of_birth.day:
        months -= 1
    months -= years * 12
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)
