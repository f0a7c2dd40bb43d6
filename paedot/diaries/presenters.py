"""How diaries read: a day or a week of a clinician's or a place's appointments, with the working hours, leave,
closures and bank holidays that shape it; and a day's visits in travel order for printing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from paedot.appointments import presenters as appointment_presenters
from paedot.appointments.models import Appointment
from paedot.core.presenters import format_date
from paedot.diaries.models import Absence, Location, LocationKind, WorkingDay
from paedot.diaries.rules import LONDON, Point, travel_order
from paedot.directory.services import normalise_postcode

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def day_heading(day: dt.date) -> str:
    """Monday 11 January 2027"""
    return f"{WEEKDAYS[day.weekday()]} {format_date(day)}"


def week_heading(first_day: dt.date) -> str:
    return f"Week beginning {day_heading(first_day)}"


def london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def hours(starts: dt.time, ends: dt.time) -> str:
    return f"{starts:%H:%M} to {ends:%H:%M}"


@dataclass
class Day:
    date: dt.date
    heading: str
    is_today: bool
    working: list[str] = field(default_factory=list)  # "09:00 to 17:00 at Soho Health Centre"
    notices: list[str] = field(default_factory=list)  # bank holiday, closure, leave
    entries: list[appointment_presenters.Entry] = field(default_factory=list)

    @property
    def is_working_day(self) -> bool:
        return bool(self.working) and not self.notices


def _appointments_by_day(appointments: Iterable[Appointment]) -> dict[dt.date, list[Appointment]]:
    by_day: dict[dt.date, list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        by_day[appointment.start.astimezone(LONDON).date()].append(appointment)
    return by_day


def _service_notices(day: dt.date, closures: dict[dt.date, str], bank_holidays: dict[dt.date, str]) -> list[str]:
    notices = []
    if day in bank_holidays:
        notices.append(f"Bank holiday: {bank_holidays[day]}")
    if day in closures:
        notices.append(f"Service closed: {closures[day]}")
    return notices


def clinician_days(
    *,
    first_day: dt.date,
    number_of_days: int,
    pattern: list[WorkingDay],
    absences: list[Absence],
    closures: dict[dt.date, str],
    bank_holidays: dict[dt.date, str],
    appointments: Iterable[Appointment],
    today: dt.date,
    now: dt.datetime,
    show_absence_reasons: bool = False,
) -> list[Day]:
    """A clinician's days: hours and base from the weekly pattern, what stops them working, and the appointments."""
    by_day = _appointments_by_day(appointments)
    days = []
    for offset in range(number_of_days):
        date = first_day + dt.timedelta(days=offset)
        day = Day(date=date, heading=day_heading(date), is_today=date == today)
        for working in pattern:
            if working.weekday == date.weekday():
                base = f" at {working.base.name}" if working.base_id else ""
                day.working.append(hours(working.starts, working.ends) + base)
        day.notices = _service_notices(date, closures, bank_holidays)
        # Why someone is away (sickness, say) is for them and the people who run the rota.
        day.notices += [
            f"Away: {a.reason}" if show_absence_reasons else "Away (leave, training or other absence)"
            for a in absences
            if a.starts_on <= date <= a.ends_on
        ]
        day.entries = [appointment_presenters.entry(a, now) for a in by_day.get(date, [])]
        days.append(day)
    return days


def location_days(
    *,
    first_day: dt.date,
    number_of_days: int,
    based_here: list[WorkingDay],
    closures: dict[dt.date, str],
    bank_holidays: dict[dt.date, str],
    appointments: Iterable[Appointment],
    today: dt.date,
    now: dt.datetime,
) -> list[Day]:
    """A place's days: who is based there and when, closures and bank holidays, and every appointment there."""
    by_day = _appointments_by_day(appointments)
    days = []
    for offset in range(number_of_days):
        date = first_day + dt.timedelta(days=offset)
        day = Day(date=date, heading=day_heading(date), is_today=date == today)
        day.working = [
            f"{w.clinician.display_name}, {hours(w.starts, w.ends)}" for w in based_here if w.weekday == date.weekday()
        ]
        day.notices = _service_notices(date, closures, bank_holidays)
        day.entries = [appointment_presenters.entry(a, now, with_clinician=True) for a in by_day.get(date, [])]
        days.append(day)
    return days


# --- The printable day list --------------------------------------------------------------------------------------


def appointment_postcode(appointment: Appointment) -> str:
    """Where the visit is: the place's postcode, or for a home visit the child's, as it was when booked."""
    if appointment.location.kind == LocationKind.HOME:
        booked = normalise_postcode(appointment.address.rsplit(",", 1)[-1]) if appointment.address else None
        if booked:
            return booked
        if appointment.referral_id is not None:
            return normalise_postcode(appointment.referral.child.postcode) or ""
        return ""
    return normalise_postcode(appointment.location.postcode) or ""


def _place_key(appointment: Appointment) -> tuple:
    """Appointments at the same place are one stop: a clinic or school is the place; a home is its address."""
    if appointment.location.kind == LocationKind.HOME:
        return ("home", appointment.address or f"referral {appointment.referral_id}")
    return ("location", appointment.location_id)


@dataclass
class Visit:
    """One stop on the day's round: a place, its address, and the appointments there in time order."""

    name: str
    address: str
    postcode: str
    appointments: list[Appointment]
    km_from_previous: float | None = None
    out_of_time_order: bool = False

    @property
    def first_start(self) -> dt.datetime:
        return self.appointments[0].start


def visit_address(appointment: Appointment) -> str:
    if appointment.address:
        return appointment.address
    location = appointment.location
    return ", ".join(p for p in (location.address.replace("\n", ", "), location.postcode) if p)


def visits(appointments: list[Appointment]) -> tuple[list[Visit], list[Appointment]]:
    """The day's live appointments as stops (grouped by place, in time order within a place) and, apart, those by
    telephone or video that need no travel."""
    stops: dict[tuple, Visit] = {}
    calls = []
    for appointment in sorted(appointments, key=lambda a: (a.start, a.pk)):
        if appointment.cancelled:
            continue
        if appointment_presenters.is_virtual(appointment):
            calls.append(appointment)
            continue
        key = _place_key(appointment)
        if key not in stops:
            home = appointment.location.kind == LocationKind.HOME
            stops[key] = Visit(
                name=f"Home visit: {appointment_presenters.who(appointment)}" if home else appointment.location.name,
                address=visit_address(appointment),
                postcode=appointment_postcode(appointment),
                appointments=[],
            )
        stops[key].appointments.append(appointment)
    return list(stops.values()), calls


def in_travel_order(origin: Point | None, stops: list[Visit], positions: dict[str, Point]) -> list[Visit]:
    """The stops from the base, each time to the nearest one left; the booked times are kept and shown, and a stop
    booked earlier than the one before it is marked so the clinician can check it."""
    order = travel_order(origin, [positions.get(stop.postcode) for stop in stops])
    ordered = []
    latest: dt.datetime | None = None
    for step in order:
        stop = stops[step.index]
        stop.km_from_previous = step.km_from_previous
        stop.out_of_time_order = latest is not None and stop.first_start < latest
        latest = max(latest, stop.appointments[-1].start) if latest else stop.appointments[-1].start
        ordered.append(stop)
    return ordered


def base_description(base: Location | None) -> str:
    if base is None:
        return "Not known"
    return ", ".join(p for p in (base.name, base.address.replace("\n", ", "), base.postcode) if p)
