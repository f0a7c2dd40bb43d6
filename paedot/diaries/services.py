"""Diary facts from the database: a clinician's availability, the dates a block must skip, and the places."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from paedot.diaries.models import (
    Absence,
    ClosureDay,
    Location,
    LocationKind,
    SchoolCalendar,
    SchoolHoliday,
    WorkingDay,
)
from paedot.diaries.rules import Diary, Hours, PlanWarning, after_school_calendar, check_term_dates
from paedot.directory.models import BankHoliday, School

TERM_DATES = Path(__file__).resolve().parent / "policies" / "term_dates.json"


def diary_for(clinician, first_day: dt.date, last_day: dt.date) -> Diary:
    """Working pattern, absences, closures and bank holidays for the days in question, in four small queries."""
    hours = tuple(
        Hours(weekday=d.weekday, starts=d.starts, ends=d.ends) for d in WorkingDay.objects.filter(clinician=clinician)
    )
    absent: set[dt.date] = set()
    for absence in Absence.objects.filter(clinician=clinician, starts_on__lte=last_day, ends_on__gte=first_day):
        day = max(absence.starts_on, first_day)
        while day <= min(absence.ends_on, last_day):
            absent.add(day)
            day += dt.timedelta(days=1)
    closed = dict(ClosureDay.objects.filter(date__range=(first_day, last_day)).values_list("date", "reason"))
    holidays = dict(BankHoliday.objects.filter(date__range=(first_day, last_day)).values_list("date", "title"))
    return Diary(working_hours=hours, absent_on=frozenset(absent), closed_on=closed, bank_holidays=holidays)


def excluded_dates(first_day: dt.date, last_day: dt.date, *, school_setting: bool) -> dict[dt.date, str]:
    """Days a block of treatment skips: bank holidays, service closures and, in schools and nurseries, school
    holidays. Each with the reason, so the skipped dates can be explained."""
    excluded: dict[dt.date, str] = {}
    if school_setting:
        for holiday in SchoolHoliday.objects.filter(starts_on__lte=last_day, ends_on__gte=first_day):
            day = max(holiday.starts_on, first_day)
            while day <= min(holiday.ends_on, last_day):
                excluded[day] = f"school holiday ({holiday.name})"
                day += dt.timedelta(days=1)
    for date, reason in ClosureDay.objects.filter(date__range=(first_day, last_day)).values_list("date", "reason"):
        excluded[date] = f"service closed ({reason})"
    for date, title in BankHoliday.objects.filter(date__range=(first_day, last_day)).values_list("date", "title"):
        excluded[date] = f"bank holiday ({title})"
    return excluded


@transaction.atomic
def load_term_dates(path: Path = TERM_DATES) -> int:
    """School holidays from the policy file, and the last day they cover; idempotent. Returns how many are held.

    `covers_until` is the end of the last school year in the file. A file without it (the older shape) covers up to
    the end of its last holiday: the most that can honestly be said of it."""
    document = json.loads(path.read_text())
    given = [
        (dt.date.fromisoformat(h["starts_on"]), dt.date.fromisoformat(h["ends_on"]), h["name"])
        for h in document["holidays"]
    ]
    if not given:
        return SchoolHoliday.objects.count()
    covers_until = (
        dt.date.fromisoformat(document["covers_until"])
        if document.get("covers_until")
        else max(ends_on for _, ends_on, _ in given)
    )
    check_term_dates([(starts_on, ends_on) for starts_on, ends_on, _ in given], covers_until)
    for starts_on, ends_on, name in given:
        SchoolHoliday.objects.update_or_create(
            starts_on=starts_on, ends_on=ends_on, defaults={"name": name, "source": document["source"][:200]}
        )
    SchoolCalendar.objects.update_or_create(
        id=1, defaults={"covers_until": covers_until, "source": document["source"][:200]}
    )
    return SchoolHoliday.objects.count()


def school_calendar_known_until() -> dt.date | None:
    """The last day the school holidays held are known for (hazard H16): the covers_until loaded with them, or, for
    holidays loaded before it was recorded, the end of the last holiday held. None when no holidays are held."""
    loaded = SchoolCalendar.objects.values_list("covers_until", flat=True).first()
    if loaded is not None:
        return loaded
    return SchoolHoliday.objects.aggregate(last=Max("ends_on"))["last"]


def school_calendar_warnings(days: list[dt.date], *, school_setting: bool) -> tuple[PlanWarning, ...]:
    """What a plan at this place must warn of: at a school or nursery, the days after the school calendar held
    (their holidays could not be skipped). None at a clinic or home: those ignore school holidays."""
    if not school_setting:
        return ()
    warning = after_school_calendar(days, school_calendar_known_until())
    return (warning,) if warning else ()


SEEDED_PLACES = [
    (LocationKind.CLINIC, "Soho Health Centre", "247-251 Soho Road\nHandsworth\nBirmingham", "B21 9RY"),
    (LocationKind.HOME, "The child's home", "", ""),
    (LocationKind.TELEPHONE, "Telephone", "", ""),
    (LocationKind.VIDEO, "Video call", "", ""),
]


@transaction.atomic
def load_default_locations() -> None:
    """The service's base and the places that are not buildings; idempotent."""
    for kind, name, address, postcode in SEEDED_PLACES:
        Location.objects.get_or_create(kind=kind, name=name, defaults={"address": address, "postcode": postcode})


def location_for_school(urn: str) -> Location:
    """The school or nursery from the directory as a place appointments can be booked at."""
    existing = Location.objects.filter(school_urn=urn).first()
    if existing:
        return existing
    school = School.objects.get(urn=urn)
    kind = LocationKind.NURSERY if "nursery" in school.name.lower() else LocationKind.SCHOOL
    address = "\n".join(part for part in (getattr(school, "street", ""), getattr(school, "town", "")) if part)
    location, _ = Location.objects.get_or_create(
        school_urn=urn,
        defaults={"kind": kind, "name": school.name, "address": address, "postcode": school.postcode},
    )
    return location
