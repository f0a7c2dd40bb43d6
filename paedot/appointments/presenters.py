"""How appointments read on staff pages: times in Europe/London, who and where, and what happened."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from paedot.alerts.models import Alert, Category
from paedot.alerts.presenters import category_words
from paedot.alerts.services import VISIT_CATEGORIES, alerts_for_visit
from paedot.appointments.models import Appointment, AppointmentSeries, Outcome
from paedot.appointments.rules import IN_THE_PAST
from paedot.core.presenters import format_date
from paedot.diaries.models import VIRTUAL_KINDS, LocationKind
from paedot.diaries.rules import LONDON

OUTCOME_TAGS = {
    Outcome.ATTENDED: ("Attended", "nhsuk-tag--green"),
    Outcome.WAS_NOT_BROUGHT: ("Was not brought", "nhsuk-tag--orange"),
    Outcome.CANCELLED_BY_FAMILY: ("Cancelled by the family", "nhsuk-tag--grey"),
    Outcome.CANCELLED_BY_SERVICE: ("Cancelled by the service", "nhsuk-tag--grey"),
}


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LONDON)


def clock(value: dt.datetime) -> str:
    return f"{local(value):%H:%M}"


def time_range(appointment: Appointment) -> str:
    return f"{clock(appointment.start)} to {clock(appointment.end)}"


def when(appointment: Appointment) -> str:
    """Monday 11 January 2027, 09:30 to 10:30"""
    start = local(appointment.start)
    return f"{start:%A} {format_date(start.date())}, {time_range(appointment)}"


def status_tag(appointment: Appointment, now: dt.datetime) -> dict[str, str]:
    """What happened, or that it is still to come, or that someone needs to record what happened."""
    if appointment.outcome in OUTCOME_TAGS:
        text, classes = OUTCOME_TAGS[Outcome(appointment.outcome)]
    elif appointment.cancelled:
        text, classes = "Cancelled", "nhsuk-tag--grey"
    elif appointment.referral_id is None and appointment.start <= now:
        # A group session's outcomes are per child, on its register, not on the session itself.
        text, classes = "Held: see the register", "nhsuk-tag--white"
    elif appointment.start <= now:
        text, classes = "Outcome to record", "nhsuk-tag--yellow"
    else:
        text, classes = "Booked", "nhsuk-tag--blue"
    return {"text": text, "classes": classes}


def who(appointment: Appointment) -> str:
    """The child, or the group programme for a group session (its children are its attendances)."""
    if appointment.referral_id is not None:
        return appointment.referral.child.full_name
    if appointment.programme_id is not None:
        return appointment.programme.name
    return "Group session"


def place(appointment: Appointment) -> str:
    name = appointment.location.name
    if appointment.room_id is not None:
        name = f"{name}, {appointment.room.name}"
    return name


def is_virtual(appointment: Appointment) -> bool:
    return appointment.location.kind in VIRTUAL_KINDS


@dataclass(frozen=True)
class Entry:
    """One appointment as a row of a diary."""

    appointment: Appointment
    starts: str
    ends: str
    who: str
    reference: str | None
    kind: str
    place: str
    clinician: str
    tag: dict[str, str]
    override_reason: str
    cancelled: bool


def entry(appointment: Appointment, now: dt.datetime, *, with_clinician: bool = False) -> Entry:
    """Needs the appointment's referral and child, location, room and programme (and clinician) fetched with it."""
    return Entry(
        appointment=appointment,
        starts=clock(appointment.start),
        ends=clock(appointment.end),
        who=who(appointment),
        reference=appointment.referral.reference if appointment.referral_id is not None else None,
        kind=appointment.get_kind_display(),
        place=place(appointment),
        clinician=appointment.clinician.display_name if with_clinician else "",
        tag=status_tag(appointment, now),
        override_reason=appointment.override_reason,
        cancelled=appointment.cancelled,
    )


WARNING_HEADINGS = {
    "after_school_calendar": "School holidays not known for some sessions",
    IN_THE_PAST: "Sessions booked in the past",
}


def block_warnings(series: AppointmentSeries, appointments: list[Appointment]) -> list[dict]:
    """The warnings a block was planned with, each with its callout heading. Sessions booked in the past stop being
    called out once every one of them has an outcome or was cancelled: the warning has been acted on."""
    shown = []
    for warning in series.warnings:
        if warning.get("code") == IN_THE_PAST and not any(
            a.start < series.created_at and not a.outcome and not a.cancelled for a in appointments
        ):
            continue
        shown.append({**warning, "heading": WARNING_HEADINGS.get(warning.get("code"), "Check this block")})
    return shown


# --- Alerts that matter on a home visit (hazard H25) -------------------------------------------------------------


@dataclass(frozen=True)
class VisitAlert:
    """An alert in force that whoever books or makes a home visit must know: its category in words and its short
    text (the line every page of the record shows), never its details, which stay on the alerts page."""

    category: str
    words: str
    text: str


def _visit_alert(alert: Alert) -> VisitAlert:
    return VisitAlert(category=alert.category, words=category_words(alert.category), text=alert.text)


def is_home(location) -> bool:
    return getattr(location, "kind", None) == LocationKind.HOME


def visit_alerts(referral) -> list[VisitAlert]:
    """The child's alerts that matter on a visit, safeguarding first: one query. The caller found the referral
    through Referral.objects.visible_to, so nothing is shown of a record the person may not see."""
    if referral is None:
        return []
    return [_visit_alert(alert) for alert in alerts_for_visit(referral)]


def visit_alerts_out(referral) -> list[dict[str, str]]:
    """The same alerts for the API: category code and text."""
    return [{"category": alert.category, "text": alert.text} for alert in visit_alerts(referral)]


_CATEGORY_ORDER = {code: position for position, code in enumerate(Category.values)}


def visit_alerts_by_child(child_ids) -> dict[int, list[VisitAlert]]:
    """What alerts_for_visit gives, for many children at once (a day list of home visits): one query however many.
    A record merged into a child's brings its alerts with it, as AlertQuerySet.of_child reads them. The caller passes
    only children of appointments it found through Referral.objects.visible_to."""
    wanted = {child_id for child_id in child_ids if child_id is not None}
    if not wanted:
        return {}
    found = (
        Alert.objects.in_force()
        .filter(Q(child_id__in=wanted) | Q(child__merged_into_id__in=wanted))
        .filter(category__in=VISIT_CATEGORIES)
        .select_related("child")
    )
    by_child: dict[int, list[Alert]] = {}
    for alert in found:
        for child_id in {alert.child_id, alert.child.merged_into_id} & wanted:
            by_child.setdefault(child_id, []).append(alert)
    return {
        child_id: [
            _visit_alert(a) for a in sorted(alerts, key=lambda a: (_CATEGORY_ORDER[a.category], a.raised_at, a.pk))
        ]
        for child_id, alerts in by_child.items()
    }
