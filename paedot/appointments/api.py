"""Locations, appointments, outcomes and blocks of treatment in the API (same permissions as the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.appointments.models import Appointment
from paedot.appointments.presenters import is_home, visit_alerts_out
from paedot.appointments.services import (
    book_appointment,
    booking_warnings,
    cancel_appointment,
    cancel_warnings,
    families_told_of_cancellation,
    move_appointment,
    move_warnings,
    record_outcome,
)
from paedot.care.models import Package
from paedot.care.services.packages import plan_block_for_package
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.api_types import DiaryTime
from paedot.diaries.models import Location, Room
from paedot.diaries.rules import LONDON
from paedot.referrals.api import find_referral, perform
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.models import User
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Appointments"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


class LocationOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    postcode: str
    rooms: list[dict]


@router.get("/locations", auth=BearerToken(), response={200: list[LocationOut], 401: dict, 403: dict})
def list_locations(request: HttpRequest):
    """Clinics, CDCs, schools and nurseries booked before, the child's home, telephone and video."""
    if not may(request.auth, Action.VIEW_DIARIES):
        raise NotAllowed(refusal(Action.VIEW_DIARIES))
    locations = Location.objects.filter(is_active=True).prefetch_related("rooms").order_by("kind", "name")
    return [
        {
            "id": loc.pk,
            "kind": loc.kind,
            "name": loc.name,
            "address": loc.address,
            "postcode": loc.postcode,
            "rooms": [{"id": r.pk, "name": r.name} for r in loc.rooms.all() if r.is_active],
        }
        for loc in locations
    ]


def appointment_out(appointment: Appointment) -> dict:
    return {
        "id": appointment.pk,
        "referral": appointment.referral.reference if appointment.referral else None,
        "programme": appointment.programme_id,
        "series": appointment.series_id,
        "kind": appointment.kind,
        "clinician": appointment.clinician.username,
        "location": appointment.location_id,
        "room": appointment.room_id,
        "start": appointment.start.astimezone(LONDON).isoformat(),
        "end": appointment.end.astimezone(LONDON).isoformat(),
        "duration_minutes": appointment.duration_minutes,
        "address": appointment.address,
        "cancelled": appointment.cancelled,
        "outcome": appointment.outcome or None,
        "override_reason": appointment.override_reason or None,
    }


class AppointmentOut(Schema):
    id: int
    referral: str | None
    programme: int | None
    series: int | None
    kind: str
    clinician: str
    location: int
    room: int | None
    start: str
    end: str
    duration_minutes: int
    address: str
    cancelled: bool
    outcome: str | None
    override_reason: str | None


class PlanningWarningOut(Schema):
    """Something to check in a booking or plan that was made (also used by group sessions)."""

    code: str = Field(
        description="`after_school_calendar`: dates after the school holidays held, not skipped. `in_the_past`: "
        "appointments booked (or moved) to start before now (booked all the same); each needs its outcome recorded, "
        "and the family was told nothing of them (the message says so, and, for a move, when the family still holds "
        "an earlier time to come, that staff should tell them). `family_not_told`: a cancellation the family (or, "
        "for a group session, the families in the group not reminded of it) was sent nothing about, and why."
    )
    message: str
    dates: list[dt.date]


class VisitAlertOut(Schema):
    """An alert in force on the child that matters on a home visit (hazard H25): its category and short text, never
    its details (those stay with the alert, GET /api/referrals/{reference}/alerts)."""

    category: str = Field(
        description="`child_protection_plan`, `child_in_need`, `looked_after` (safeguarding, listed first), "
        "`contact_restriction`, `risk_to_staff` or `communication_needs`."
    )
    text: str


VISIT_ALERTS_DESCRIPTION = (
    "At the child's home: the child's alerts in force that matter on a visit (safeguarding first), for whoever "
    "makes it to know before going. Empty elsewhere, or when there are none."
)


class BookedAppointmentOut(AppointmentOut):
    """The appointment just booked, what to check about it, and at the child's home what to know first."""

    warnings: list[PlanningWarningOut] = Field(
        default_factory=list,
        description="What to check: `in_the_past` when the appointment starts before it was booked (no letter, "
        "email or text went to the family). Empty when there is nothing to check.",
    )
    alerts: list[VisitAlertOut] = Field(default_factory=list, description=VISIT_ALERTS_DESCRIPTION)


class MovedAppointmentOut(AppointmentOut):
    """The appointment just moved, and what to check about it."""

    warnings: list[PlanningWarningOut] = Field(
        default_factory=list,
        description="What to check: `in_the_past` when the appointment was moved to start before now (no letter, "
        "email or text about the move went to the family; when the time they were told of is still to come, the "
        "message names it for staff to tell them). Empty when there is nothing to check.",
    )


class CancelledAppointmentOut(AppointmentOut):
    """The appointment just cancelled, and what to check about it."""

    warnings: list[PlanningWarningOut] = Field(
        default_factory=list,
        description="What to check: `family_not_told` when the service cancelled it and no letter, email or text "
        "went to the family (they were never told of it, or the time they were told of had gone), and for a "
        "group session, the families with a place who were sent nothing (only those reminded of it are sent a "
        "cancellation). Empty when every family was told, or cancelled it themselves.",
    )
    told: list[str] = Field(
        default_factory=list,
        description="The referral references of the families sent a cancellation: the child's, when the service "
        "cancelled while the time the family was told of was to come; for a group session, the families with a place "
        "who had been reminded of it (email and text). Empty when nobody was sent one.",
    )


class AppointmentQuery(Schema):
    clinician: str = ""
    referral: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/appointments", auth=BearerToken(), response={200: list[AppointmentOut], 400: dict, 401: dict, 403: dict})
def list_appointments(request: HttpRequest, filters: Query[AppointmentQuery]):
    """Appointments by clinician, referral and dates (inclusive, London dates), earliest first; at most 500."""
    if not may(request.auth, Action.VIEW_DIARIES):
        raise NotAllowed(refusal(Action.VIEW_DIARIES))
    if not (filters.clinician or filters.referral or filters.date_from):
        raise bad_request("clinician", "Give a clinician, a referral or a date_from")
    queryset = Appointment.objects.select_related("referral", "clinician").order_by("start", "id")
    if filters.clinician:
        queryset = queryset.filter(clinician__username=filters.clinician)
    if filters.referral:
        queryset = queryset.filter(
            referral__in=Referral.objects.visible_to(request.auth), referral__reference=filters.referral
        )
    if filters.date_from:
        queryset = queryset.filter(start__gte=dt.datetime.combine(filters.date_from, dt.time(), tzinfo=LONDON))
    if filters.date_to:
        queryset = queryset.filter(
            start__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
        )
    return [appointment_out(a) for a in queryset[:500]]


class AppointmentIn(Schema):
    referral: Annotated[str, Field(min_length=1, max_length=20)]
    clinician: Annotated[str, Field(min_length=1, max_length=150)]
    kind: Literal["assessment", "treatment", "review", "group", "school_visit", "home_visit", "telephone", "video"]
    location: int
    room: int | None = None
    start: DiaryTime
    duration_minutes: Annotated[int, Field(ge=5, le=480)]
    override_reason: Annotated[str, Field(max_length=2000)] = ""


def _clinician(username: str) -> User:
    clinician = User.objects.filter(username=username).first()
    if clinician is None:
        raise bad_request("clinician", f"No member of staff with username {username}")
    return clinician


def _location(location_id: int, room_id: int | None) -> tuple[Location, Room | None]:
    location = Location.objects.filter(pk=location_id, is_active=True).first()
    if location is None:
        raise bad_request("location", f"No location with id {location_id}")
    room = None
    if room_id is not None:
        room = Room.objects.filter(pk=room_id, location=location, is_active=True).first()
        if room is None:
            raise bad_request("room", f"No room with id {room_id} at {location.name}")
    return location, room


def _call(fn, field: str = "body"):
    """Bad input from a service is a 400 naming the field; its refusals (403, 409, 422) are mapped in config/api."""
    return perform(fn, field=field)


@router.post("/appointments", auth=BearerToken(), response={201: BookedAppointmentOut, **ERRORS}, summary="Book")
def create_appointment(request: HttpRequest, payload: AppointmentIn):
    """409 when it collides with the clinician's or the room's other bookings; 422 outside the clinician's working
    pattern, on leave, a closure day or a bank holiday, unless `override_reason` says why. A start before now is
    booked all the same, with a `warnings` entry saying its outcome needs recording."""
    referral = find_referral(request, payload.referral, action=Action.BOOK_APPOINTMENT)
    clinician = _clinician(payload.clinician)
    location, room = _location(payload.location, payload.room)
    appointment = _call(
        lambda: book_appointment(
            referral=referral,
            clinician=clinician,
            kind=payload.kind,
            location=location,
            room=room,
            start=payload.start,
            duration_minutes=payload.duration_minutes,
            override_reason=payload.override_reason,
            booked_by=request.auth,
        )
    )
    alerts = visit_alerts_out(referral) if is_home(location) else []
    return Status(201, {**appointment_out(appointment), "warnings": booking_warnings(appointment), "alerts": alerts})


def _appointment(request: HttpRequest, appointment_id: int, action: Action) -> Appointment:
    if not may(request.auth, action):
        raise NotAllowed(refusal(action))
    visible = Referral.objects.visible_to(request.auth)
    appointment = (
        Appointment.objects.select_related("referral", "clinician")
        .filter(pk=appointment_id)
        .filter(referral__in=visible)
        .first()
    ) or Appointment.objects.select_related("clinician").filter(pk=appointment_id, referral__isnull=True).first()
    if appointment is None:
        raise HttpError(404, f"No appointment {appointment_id}.")
    return appointment


class OutcomeIn(Schema):
    outcome: Literal["attended", "was_not_brought"]


@router.post("/appointments/{appointment_id}/outcome", auth=BearerToken(), response={200: AppointmentOut, **ERRORS})
def set_outcome(request: HttpRequest, appointment_id: int, payload: OutcomeIn):
    """The first attended appointment of a referral stops its waiting-time clock."""
    appointment = _appointment(request, appointment_id, Action.RECORD_OUTCOME)
    updated = _call(lambda: record_outcome(appointment=appointment, outcome=payload.outcome, recorded_by=request.auth))
    return appointment_out(updated)


class CancelIn(Schema):
    by: Literal["family", "service"]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


@router.post(
    "/appointments/{appointment_id}/cancel", auth=BearerToken(), response={200: CancelledAppointmentOut, **ERRORS}
)
def cancel(request: HttpRequest, appointment_id: int, payload: CancelIn):
    """Cancels this occurrence only; the rest of its series stays booked. Cancelled by the service, the family gets a
    letter, email and text only when the time they were told of is still to come; for a group session, the families
    reminded of it get an email and text. `told` names who was sent a cancellation; a `warnings` entry says who was
    sent nothing, and why."""
    appointment = _appointment(request, appointment_id, Action.RECORD_OUTCOME)
    updated = _call(
        lambda: cancel_appointment(
            appointment=appointment, by=payload.by, reason=payload.reason, cancelled_by=request.auth
        ),
        field="reason",
    )
    return {
        **appointment_out(updated),
        "warnings": cancel_warnings(updated),
        "told": families_told_of_cancellation(updated),
    }


class MoveIn(Schema):
    start: DiaryTime
    override_reason: Annotated[str, Field(max_length=2000)] = ""


@router.post(
    "/appointments/{appointment_id}/move",
    auth=BearerToken(),
    response={200: MovedAppointmentOut, **ERRORS},
    summary="Move",
)
def move(request: HttpRequest, appointment_id: int, payload: MoveIn):
    """Moves this occurrence only; the rest of its series stays where it is. 409 when it collides with the
    clinician's or the room's other bookings, or has an outcome or was cancelled; 422 outside the working pattern
    unless `override_reason` says why; 400 for a day before the referral was received, as for a booking. A move to a
    time to come is told from the time the family was last told of: a change letter, email and text from that time
    (a booking letter if they were never told of it; nothing if it is back at that very time). A start before now is
    moved all the same, with a `warnings` entry, and the family is not told (the entry says so, and, when the time
    they were told of is still to come, that staff should tell them)."""
    appointment = _appointment(request, appointment_id, Action.BOOK_APPOINTMENT)
    moved = _call(
        lambda: move_appointment(
            appointment=appointment, start=payload.start, override_reason=payload.override_reason, moved_by=request.auth
        ),
        field="start",
    )
    return {**appointment_out(moved), "warnings": move_warnings(moved)}


class BlockIn(Schema):
    clinician: Annotated[str, Field(min_length=1, max_length=150)]
    location: int
    room: int | None = None
    first_start: DiaryTime
    sessions: Annotated[int, Field(ge=1, le=52)] = 6
    interval_days: Annotated[int, Field(ge=1, le=90)] = 7
    duration_minutes: Annotated[int, Field(ge=5, le=480)] = 45
    override_reason: Annotated[str, Field(max_length=2000)] = ""
    package: int | None = Field(
        None, description="The child's package of care this block delivers: its review falls due on the review's day."
    )


class BlockOut(Schema):
    series: int
    appointments: list[AppointmentOut]
    review: AppointmentOut
    skipped: list[dict]
    package: int | None = None
    warnings: list[PlanningWarningOut] = Field(
        default_factory=list,
        description="What to check: `in_the_past`, the sessions (and review) booked to start before now, each "
        "needing its outcome; `after_school_calendar`, at a school or nursery, the dates after the last day of the "
        "school holidays held, for which no holiday could be skipped. Empty when there is nothing to check.",
    )
    alerts: list[VisitAlertOut] = Field(default_factory=list, description=VISIT_ALERTS_DESCRIPTION)


@router.post(
    "/referrals/{reference}/blocks", auth=BearerToken(), response={201: BlockOut, **ERRORS}, summary="Plan a block"
)
def create_block(request: HttpRequest, reference: str, payload: BlockIn):
    """Sessions on the first N dates of the series (first_start, then every interval) that are not bank holidays,
    closure days or, in schools and nurseries, school holidays; the review comes after the last. All or nothing.

    With `package`, the block is linked to that package of care (409 if it has been reviewed already). Dates at a
    school after the school holidays held, and sessions before now, are booked all the same, with a `warnings`
    entry naming them."""
    referral = find_referral(request, reference, action=Action.PLAN_BLOCK)
    clinician = _clinician(payload.clinician)
    location, room = _location(payload.location, payload.room)
    package = None
    if payload.package is not None:
        package = (
            Package.objects.visible_to(request.auth).filter(pk=payload.package, episode__referral=referral).first()
        )
        if package is None:
            raise bad_request("package", f"No package {payload.package} for referral {referral.reference}")
    block = _call(
        lambda: plan_block_for_package(
            package=package,
            referral=referral,
            clinician=clinician,
            location=location,
            room=room,
            first_start=payload.first_start,
            sessions=payload.sessions,
            interval_days=payload.interval_days,
            duration_minutes=payload.duration_minutes,
            override_reason=payload.override_reason,
            planned_by=request.auth,
        )
    )
    return Status(
        201,
        {
            "series": block.series.pk,
            "appointments": [appointment_out(a) for a in block.sessions],
            "review": appointment_out(block.review),
            "skipped": block.series.skipped_dates,
            "package": package.pk if package is not None else None,
            "warnings": block.series.warnings,
            "alerts": visit_alerts_out(referral) if is_home(location) else [],
        },
    )
