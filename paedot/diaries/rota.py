"""Changing the rota: a clinician's weekly working pattern, their leave, and the days the whole service is closed.

Each change is one transaction with its audit event, and only team leads and clinical admin staff may make it.
Appointments already booked are never moved or cancelled here: the pages say how many a change affects, so the
person changing the rota can deal with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from paedot.core.audit import record_event
from paedot.diaries.models import Absence, ClosureDay, Location, WorkingDay
from paedot.referrals.services.journey import require
from paedot.staff.models import User
from paedot.staff.rules import Action

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class PatternDay:
    weekday: int
    starts: dt.time
    ends: dt.time
    base: Location | None = None


def _describe(day: PatternDay) -> dict:
    return {
        "weekday": day.weekday,
        "starts": day.starts.strftime("%H:%M"),
        "ends": day.ends.strftime("%H:%M"),
        "base": day.base.pk if day.base else None,
    }


def set_working_pattern(*, clinician: User, days: list[PatternDay], changed_by) -> list[WorkingDay]:
    """Replace the clinician's weekly pattern with these days (one entry per working weekday)."""
    require(changed_by, Action.MANAGE_DIARIES)
    if not clinician.is_clinician:
        raise ValueError(f"{clinician.display_name} is not a clinician: only clinicians have a working pattern.")
    weekdays = [day.weekday for day in days]
    if len(set(weekdays)) != len(weekdays) or any(not 0 <= w <= 6 for w in weekdays):
        raise ValueError("Give each weekday at most once.")
    for day in days:
        if day.ends <= day.starts:
            raise ValueError(f"On {WEEKDAYS[day.weekday]} the end of the day must be after its start.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=clinician.pk).first()
        existing = WorkingDay.objects.filter(clinician=clinician)
        before = [
            _describe(PatternDay(weekday=d.weekday, starts=d.starts, ends=d.ends, base=d.base))
            for d in existing.select_related("base")
        ]
        existing.delete()
        created = [
            WorkingDay.objects.create(
                clinician=clinician, weekday=day.weekday, starts=day.starts, ends=day.ends, base=day.base
            )
            for day in sorted(days, key=lambda d: d.weekday)
        ]
        record_event(
            action="diary.working_pattern_changed",
            actor=changed_by,
            target=clinician,
            detail={"before": before, "after": [_describe(day) for day in sorted(days, key=lambda d: d.weekday)]},
        )
    return created


def add_absence(*, clinician: User, starts_on: dt.date, ends_on: dt.date, reason: str, added_by) -> Absence:
    """Leave, training or sickness: the clinician is not bookable on these days without an override."""
    require(added_by, Action.MANAGE_DIARIES)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Say what the absence is (for example annual leave or training).")
    if ends_on < starts_on:
        raise ValueError("The last day of the absence must be on or after its first day.")
    if (ends_on - starts_on).days > 366:
        raise ValueError("An absence is at most a year: add longer ones a year at a time.")
    with transaction.atomic():
        absence = Absence.objects.create(clinician=clinician, starts_on=starts_on, ends_on=ends_on, reason=reason)
        record_event(
            action="diary.absence_added",
            actor=added_by,
            target=clinician,
            reason=reason,
            detail={"absence": absence.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
    return absence


def remove_absence(*, absence: Absence, removed_by) -> None:
    require(removed_by, Action.MANAGE_DIARIES)
    with transaction.atomic():
        record_event(
            action="diary.absence_removed",
            actor=removed_by,
            target=absence.clinician,
            reason=absence.reason,
            detail={
                "absence": absence.pk,
                "starts_on": absence.starts_on.isoformat(),
                "ends_on": absence.ends_on.isoformat(),
            },
        )
        absence.delete()


def add_closure_day(*, date: dt.date, reason: str, added_by) -> ClosureDay:
    """A day the whole service is closed (a training day, say): nobody is bookable without an override."""
    require(added_by, Action.MANAGE_DIARIES)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Say why the service is closed (for example a team training day).")
    with transaction.atomic():
        if ClosureDay.objects.filter(date=date).exists():
            raise ValueError(f"The service is already closed on {date.day} {date:%B %Y}.")
        closure = ClosureDay.objects.create(date=date, reason=reason)
        record_event(
            action="diary.closure_added",
            actor=added_by,
            target=closure,
            reason=reason,
            detail={"date": date.isoformat()},
        )
    return closure


def remove_closure_day(*, closure: ClosureDay, removed_by) -> None:
    require(removed_by, Action.MANAGE_DIARIES)
    with transaction.atomic():
        record_event(
            action="diary.closure_removed",
            actor=removed_by,
            target=closure,
            reason=closure.reason,
            detail={"date": closure.date.isoformat()},
        )
        closure.delete()
