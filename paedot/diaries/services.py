"""Diary facts from the database: a clinician's availability, the dates a block must skip, and the places."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from paedot.diaries.models import Absence, ClosureDay, Location, LocationKind, SchoolHoliday, WorkingDay
from paedot.diaries.rules import Diary, Hours
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
    """School holidays from the policy file; idempotent. Returns how many are held."""
    document = json.loads(path.read_text())
    for holiday in document["holidays"]:
        SchoolHoliday.objects.update_or_create(
            starts_on=dt.date.fromisoformat(holiday["starts_on"]),
            ends_on=dt.date.fromisoformat(holiday["ends_on"]),
            defaults={"name": holiday["name"], "source": document["source"][:200]},
        )
    return SchoolHoliday.objects.count()


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
