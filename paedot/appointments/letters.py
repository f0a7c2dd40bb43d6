"""What an appointment means to a family, in words: the letter, the email and text message, and the calendar file.

Times are always shown in Europe/London, whatever the server's clock or the season. A calendar event never names
the child (family calendars are often shared, and staff calendars more so): its title says what kind of
appointment it is, and a home visit's location says "Home visit" rather than the address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone

from paedot.appointments.models import Appointment, AppointmentSeries, Kind
from paedot.diaries.models import LocationKind
from paedot.diaries.rules import LONDON
from paedot.letters.models import Kind as LetterKind
from paedot.letters.models import Letter
from paedot.letters.services import family_recipient, issue_letter
from paedot.public.models import ServiceDetails

TITLES = {
    Kind.ASSESSMENT: "Occupational therapy assessment",
    Kind.TREATMENT: "Occupational therapy session",
    Kind.REVIEW: "Occupational therapy review",
    Kind.GROUP: "Occupational therapy group session",
    Kind.SCHOOL_VISIT: "Occupational therapy school visit",
    Kind.HOME_VISIT: "Occupational therapy home visit",
    Kind.TELEPHONE: "Occupational therapy telephone appointment",
    Kind.VIDEO: "Occupational therapy video appointment",
}

ROLES = {"ot": "occupational therapist", "team_lead": "occupational therapist", "ota": "occupational therapy assistant"}


def london_date(value: dt.datetime) -> str:
    """Tuesday 30 March 2027, in London."""
    local = value.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


def london_time(value: dt.datetime) -> str:
    """NHS style, in London: 9:30am, 10am, midday, 2:15pm."""
    local = value.astimezone(LONDON)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def _what(kind: str, name: str) -> str:
    return {
        Kind.ASSESSMENT: f"An occupational therapy assessment for {name}. The therapist will talk with you and "
        f"watch how {name} manages everyday activities such as dressing, eating, writing and play.",
        Kind.TREATMENT: f"An occupational therapy session for {name}.",
        Kind.REVIEW: f"A review of {name}'s progress, and what happens next, with the therapist.",
        Kind.GROUP: f"An occupational therapy group session for {name}.",
        Kind.SCHOOL_VISIT: f"A visit by the therapist to see {name} at school.",
        Kind.HOME_VISIT: f"A visit by the therapist to see {name} at home.",
        Kind.TELEPHONE: f"A telephone appointment with the therapist about {name}.",
        Kind.VIDEO: f"A video appointment with the therapist about {name}.",
    }.get(kind, f"An occupational therapy appointment for {name}.")


def _to_bring(kind: str, location_kind: str, name: str) -> tuple[str, tuple[str, ...]]:
    """What to bring, with the sentence that leads into the list."""
    if location_kind in (LocationKind.TELEPHONE, LocationKind.VIDEO):
        return "Before we call, please have ready:", (
            f"somewhere quiet to talk, with {name} nearby if you can",
            f"any school books or pictures of {name}'s writing and drawing you would like to show us",
            "a list of any questions you have",
        )
    if location_kind in (LocationKind.SCHOOL, LocationKind.NURSERY):
        return f"You do not need to bring anything. Please make sure {name} has these at school that day:", (
            "their glasses or hearing aids, if they use them",
            "any equipment or splints they use",
        )
    things = [
        f"{name}'s glasses or hearing aids, if they use them",
        f"any equipment or splints {name} uses",
    ]
    if kind in (Kind.ASSESSMENT, Kind.REVIEW, Kind.HOME_VISIT):
        things.append(f"school books or a sample of {name}'s writing and drawing")
        things.append("any reports or letters from school or other professionals")
    things.append(f"comfortable clothes that {name} can move easily in")
    return "Please bring:", tuple(things)


@dataclass(frozen=True)
class Visit:
    """One appointment as the family reads it."""

    pk: int
    kind: str
    title: str
    what: str
    day: str
    time: str
    ends: str
    duration_minutes: int
    place: str
    address_lines: tuple[str, ...]
    how: str
    who: str
    bring_intro: str
    bring: tuple[str, ...]
    short_where: str

    @property
    def bring_sentence(self) -> str:
        return f"{self.bring_intro} {'; '.join(self.bring)}."


def visit(appointment: Appointment) -> Visit:
    child = appointment.referral.child if appointment.referral_id else None
    name = child.given_name if child else "your child"
    location = appointment.location
    clinician = appointment.clinician
    address_lines = tuple(part.strip() for part in appointment.address.split(",") if part.strip())
    how, place, short_where = "", location.name, location.name
    if location.kind == LocationKind.HOME:
        place, short_where = "At your home", "at your home"
        how = "The therapist will come to your home. Please make sure an adult with parental responsibility is in."
    elif location.kind == LocationKind.TELEPHONE:
        place, short_where, address_lines = "By telephone", "by telephone: we will call you", ()
        how = (
            "We will call you at this time on the number we have for you. The call may show as a withheld number. "
            "If your number has changed, please tell us before the appointment."
        )
    elif location.kind == LocationKind.VIDEO:
        place, short_where, address_lines = "By video call", "by video call: we will contact you", ()
        how = (
            "We will call you, or send you a link to join the video call, shortly before the appointment. You need a "
            "phone, tablet or computer with a camera."
        )
    elif location.kind in (LocationKind.SCHOOL, LocationKind.NURSERY):
        how = (
            f"The therapist will see {name} at {location.name}. You do not need to be there, but you are welcome "
            "to: please let us know."
        )
    else:
        # The address snapshot starts with the place's name; the letter shows the name once, as a heading.
        if address_lines and address_lines[0] == location.name:
            address_lines = address_lines[1:]
        if appointment.room_id:
            how = f"Please go to reception and say you are here for {appointment.room.name}."
    role = ROLES.get(clinician.role, "member of the occupational therapy team")
    bring_intro, bring = _to_bring(appointment.kind, location.kind, name)
    return Visit(
        pk=appointment.pk,
        kind=appointment.kind,
        title=TITLES.get(appointment.kind, "Occupational therapy appointment"),
        what=_what(appointment.kind, name),
        day=london_date(appointment.start),
        time=london_time(appointment.start),
        ends=london_time(appointment.end),
        duration_minutes=appointment.duration_minutes,
        place=place,
        address_lines=address_lines,
        how=how,
        who=f"{clinician.display_name}, {role}",
        bring_intro=bring_intro,
        bring=bring,
        short_where=short_where,
    )


def _family(appointment_or_series) -> dict:
    referral = appointment_or_series.referral
    parent = referral.parent_carer
    return {
        "parent": parent,
        "interpreter": parent.language if parent.interpreter_needed else "",
        "interpreter_needed": parent.interpreter_needed,
    }


# Letters ---------------------------------------------------------------------------------------------------------


def issue_appointment_letter(appointment: Appointment, *, issued_by=None) -> Letter:
    v = visit(appointment)
    return issue_letter(
        referral=appointment.referral,
        kind=LetterKind.APPOINTMENT,
        template="appointments/letters/appointment.jinja",
        subject=f"Your appointment on {v.day} at {v.time}",
        recipients=[family_recipient(appointment.referral)],
        context={"visit": v, **_family(appointment)},
        issued_by=issued_by or appointment.booked_by,
    )


def issue_block_letter(
    series: AppointmentSeries, appointments: list[Appointment], *, earlier: int = 0, issued_by=None
) -> Letter:
    """The block's letter, listing `appointments`. `earlier`: how many of the block's sessions had already happened
    when it was planned, left out of the letter (its sessions are numbered from the first one listed)."""
    visits = [visit(a) for a in appointments]
    sessions = [v for v in visits if v.kind != Kind.REVIEW]
    reviews = [v for v in visits if v.kind == Kind.REVIEW]
    if sessions and not earlier:
        subject = f"Your {len(sessions)} occupational therapy sessions, from {sessions[0].day}"
    elif sessions:  # the rest of a block planned after its first sessions had happened
        more = f"{len(sessions)} more occupational therapy session{'s' if len(sessions) != 1 else ''}"
        subject = f"Your {more}, from {sessions[0].day}"
    else:  # every session had happened: only the review is still to come
        subject = f"Your occupational therapy review on {visits[0].day}"
    return issue_letter(
        referral=series.referral,
        kind=LetterKind.TREATMENT_BLOCK,
        template="appointments/letters/block.jinja",
        subject=subject,
        recipients=[family_recipient(series.referral)],
        context={
            "sessions": sessions,
            "reviews": reviews,
            "first": visits[0],
            "series": series,
            "earlier": earlier,
            **_family(series),
        },
        issued_by=issued_by or series.created_by,
    )


def issue_change_letter(appointment: Appointment, *, was: dt.datetime | None = None, issued_by=None) -> Letter:
    """A moved appointment (was: the old start) or a cancelled one."""
    v = visit(appointment)
    subject = (
        f"Your appointment on {london_date(was if was else appointment.start)} is cancelled"
        if appointment.cancelled
        else f"Your appointment has moved to {v.day} at {v.time}"
    )
    return issue_letter(
        referral=appointment.referral,
        kind=LetterKind.APPOINTMENT_CHANGE,
        template="appointments/letters/change.jinja",
        subject=subject,
        recipients=[family_recipient(appointment.referral)],
        context={
            "visit": v,
            "cancelled": appointment.cancelled,
            "by_family": appointment.outcome == "cancelled_by_family",
            "was_day": london_date(was) if was else "",
            "was_time": london_time(was) if was else "",
            **_family(appointment),
        },
        issued_by=issued_by,
    )


# Email and text message wording ------------------------------------------------------------------------------------


def how_to_change(service: ServiceDetails | None = None) -> str:
    service = service or ServiceDetails.current()
    email = f" or email {service.email}" if service.email else ""
    return f"To change or cancel, call {service.phone} ({service.opening_hours}){email}."


LETTER_AND_CALENDAR = (
    "We have also sent you a letter, with what to bring. Open the attached calendar file to add this to your calendar."
)


def email_text(visits: list[Visit], *, reference: str, intro: str, note: str = LETTER_AND_CALENDAR) -> str:
    service = ServiceDetails.current()
    lines = [intro, ""]
    for v in visits:
        lines += [f"{v.title}: {v.day}, {v.time} to {v.ends}", f"Where: {v.place}"]
        lines += [f"  {line}" for line in v.address_lines]
        if v.how:
            lines.append(v.how)
        lines += [f"With: {v.who}", ""]
    lines += [
        note,
        "",
        how_to_change(service) + f" Please quote reference {reference}.",
        "If you need an interpreter, or help with access, please tell us.",
        "",
        service.name,
    ]
    return "\n".join(lines)


def cancellation_email_text(appointment: Appointment, *, what: str, reference: str) -> str:
    service = ServiceDetails.current()
    if appointment.referral_id is None:  # a group session: the group goes on
        next_step = "The group's other sessions go ahead as planned."
    elif appointment.outcome == "cancelled_by_service":
        next_step = "We will contact you to offer another appointment."
    else:
        next_step = "If you would like another appointment and have not arranged one, please call us."
    return (
        f"{what}.\n\n{next_step}\n\nIf you have any questions, call {service.phone} ({service.opening_hours}), "
        f"quoting reference {reference}.\n\n{service.name}"
    )


def sms_text(v: Visit, *, lead: str, reference: str) -> str:
    """A short text: no child's name, no address (a phone's lock screen shows it). `lead` ends with "a" or "an"
    before the kind of appointment, e.g. "We have booked an"."""
    service = ServiceDetails.current()
    what = v.title[0].lower() + v.title[1:]
    return (
        f"{service.name}: {lead} {what} on {v.day} at {v.time}, {v.short_where}. "
        f"To change or cancel, call {service.phone}. Ref {reference}"
    )


# Calendar files ------------------------------------------------------------------------------------------------


def _uid_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "paedot.invalid"


def event_uid(appointment: Appointment) -> str:
    """The same for an appointment forever, so a moved appointment updates the event in the family's calendar."""
    return f"appointment-{appointment.pk}@{_uid_domain()}"


def _calendar_location(appointment: Appointment) -> str:
    kind = appointment.location.kind
    if kind == LocationKind.HOME:
        return "Home visit"
    if kind == LocationKind.TELEPHONE:
        return "Telephone: we will call you"
    if kind == LocationKind.VIDEO:
        return "Video call: we will contact you"
    return appointment.address


def calendar_file(appointments: Iterable[Appointment], *, reference: str = "") -> bytes:
    """An .ics file with an event for each appointment, in Europe/London time (with its VTIMEZONE)."""
    appointments = list(appointments)
    service = ServiceDetails.current()
    cancelling = bool(appointments) and all(a.cancelled for a in appointments)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Paediatric OT service//paedot//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelling else "PUBLISH")
    stamp = timezone.now()
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", event_uid(appointment))
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.start.astimezone(LONDON))
        event.add("dtend", appointment.end.astimezone(LONDON))
        event.add("summary", TITLES.get(appointment.kind, "Occupational therapy appointment"))
        event.add("location", _calendar_location(appointment))
        event.add(
            "description",
            f"{service.name}. {how_to_change(service)}" + (f" Reference {reference}." if reference else ""),
        )
        # Later versions of the same event (moved or cancelled) must carry a higher sequence number.
        event.add("sequence", max(0, int((appointment.updated_at - appointment.created_at).total_seconds())))
        event.add("status", "CANCELLED" if appointment.cancelled else "CONFIRMED")
        calendar.add_component(event)
    if appointments:
        first = min(a.start for a in appointments).astimezone(LONDON).date()
        last = max(a.end for a in appointments).astimezone(LONDON).date()
        calendar.add_missing_timezones(
            first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366)
        )
    return calendar.to_ical()
