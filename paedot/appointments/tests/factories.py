"""Clinicians with working patterns, places and appointments for tests. All synthetic."""

from __future__ import annotations

import datetime as dt

from paedot.diaries.models import Location, LocationKind, WorkingDay
from paedot.diaries.rules import LONDON
from paedot.referrals.tests.factories import staff


def clinician_working(role: str = "ot", username: str | None = None, *, days=range(5), starts="09:00", ends="17:00"):
    """A clinician working the given weekdays (Monday to Friday by default), 9 to 5."""
    person = staff(role, username or f"{role}-diary")
    for weekday in days:
        WorkingDay.objects.get_or_create(
            clinician=person,
            weekday=weekday,
            defaults={"starts": dt.time.fromisoformat(starts), "ends": dt.time.fromisoformat(ends)},
        )
    return person


def clinic() -> Location:
    return Location.objects.get(kind=LocationKind.CLINIC, name="Soho Health Centre")


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A wall-clock time in Birmingham (Europe/London), on the hour unless a minute is given."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)
