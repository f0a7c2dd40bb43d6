"""Group programmes in the API: list and set up groups, book their sessions, enrol children and record attendance
(same permissions as the pages)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.appointments.api import PlanningWarningOut
from paedot.appointments.models import Appointment, Kind
from paedot.appointments.rules import FAMILY_NOT_TOLD
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.api_types import DiaryTime
from paedot.diaries.models import Location, Room
from paedot.diaries.rules import LONDON, warning_record
from paedot.groups import rules
from paedot.groups.models import Enrolment, GroupProgramme
from paedot.groups.services import create_programme, enrol, record_attendance, schedule_sessions, withdraw
from paedot.referrals.api import find_referral, perform
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.models import User
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Groups"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


def _require(request: HttpRequest, action: Action) -> None:
    if not may(request.auth, action):
        raise NotAllowed(refusal(action))


def _call(fn, field: str = "body"):
    """Bad input from a service is a 400 naming the field; its refusals (403, 409, 422) are mapped in config/api."""
    return perform(fn, field=field)


def session_out(session: Appointment) -> dict:
    return {
        "id": session.pk,
        "start": session.start.astimezone(LONDON).isoformat(),
        "end": session.end.astimezone(LONDON).isoformat(),
        "cancelled": session.cancelled,
    }


def programme_out(programme: GroupProgramme) -> dict:
    """Staff only (partner systems may not view diaries), who see every referral."""
    enrolled = [e for e in programme.enrolments.all() if e.withdrawn_at is None]
    return {
        "id": programme.pk,
        "name": programme.name,
        "description": programme.description,
        "audience": programme.audience,
        "capacity": programme.capacity,
        "enrolled": len(enrolled),
        "places_left": rules.places_left(capacity=programme.capacity, enrolled=len(enrolled)),
        "clinician": programme.clinician.username,
        "location": programme.location_id,
        "room": programme.room_id,
        "sessions": [session_out(s) for s in programme.sessions.all()],
        "children": [e.referral.reference for e in enrolled],
    }


class SessionOut(Schema):
    id: int
    start: str
    end: str
    cancelled: bool


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    audience: str
    capacity: int
    enrolled: int
    places_left: int
    clinician: str
    location: int
    room: int | None
    sessions: list[SessionOut]
    children: list[str]


def _programmes():
    return GroupProgramme.objects.select_related("clinician").prefetch_related(
        Prefetch("sessions", queryset=Appointment.objects.filter(kind=Kind.GROUP).order_by("start", "pk")),
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("referral").order_by("pk")),
    )


def _programme(request: HttpRequest, programme_id: int, action: Action) -> GroupProgramme:
    _require(request, action)
    programme = _programmes().filter(pk=programme_id).first()
    if programme is None:
        raise HttpError(404, f"No group {programme_id}.")
    return programme


@router.get("/groups", auth=BearerToken(), response={200: list[ProgrammeOut], 401: dict, 403: dict})
def list_groups(request: HttpRequest):
    """Every group programme: its places, sessions and the children enrolled (by referral reference)."""
    _require(request, Action.VIEW_DIARIES)
    return [programme_out(p) for p in _programmes().order_by("name", "pk")]


class ProgrammeIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=4000)] = ""
    audience: Literal["children", "parents"] = "children"
    capacity: Annotated[int, Field(ge=1, le=rules.MAX_CAPACITY)]
    clinician: Annotated[str, Field(min_length=1, max_length=150)]
    location: int
    room: int | None = None


@router.post("/groups", auth=BearerToken(), response={201: ProgrammeOut, **ERRORS}, summary="Set up a group")
def create_group(request: HttpRequest, payload: ProgrammeIn):
    _require(request, Action.MANAGE_GROUPS)
    clinician = User.objects.filter(username=payload.clinician).first()
    if clinician is None:
        raise bad_request("clinician", f"No member of staff with username {payload.clinician}")
    location = Location.objects.filter(pk=payload.location, is_active=True).first()
    if location is None:
        raise bad_request("location", f"No location with id {payload.location}")
    room = None
    if payload.room is not None:
        room = Room.objects.filter(pk=payload.room, location=location, is_active=True).first()
        if room is None:
            raise bad_request("room", f"No room with id {payload.room} at {location.name}")
    programme = _call(
        lambda: create_programme(
            name=payload.name,
            description=payload.description,
            audience=payload.audience,
            capacity=payload.capacity,
            clinician=clinician,
            location=location,
            room=room,
            created_by=request.auth,
        )
    )
    return Status(201, programme_out(_programmes().get(pk=programme.pk)))


class SessionsIn(Schema):
    first_start: DiaryTime
    sessions: Annotated[int, Field(ge=1, le=rules.MAX_SESSIONS)]
    interval_days: Annotated[int, Field(ge=1, le=90)] = 7
    duration_minutes: Annotated[int, Field(ge=5, le=480)] = 60
    override_reason: Annotated[str, Field(max_length=2000)] = ""


class SessionsOut(Schema):
    sessions: list[SessionOut]
    skipped: list[dict]
    warnings: list[PlanningWarningOut] = Field(
        default_factory=list,
        description="What to check: `in_the_past`, the sessions booked to start before now, each needing its "
        "register (no family in the group is sent a reminder or other message about them); `after_school_calendar`, "
        "at a school or nursery, the dates after the last day of the school holidays held, for which no holiday "
        "could be skipped. Empty when there is nothing to check.",
    )


@router.post(
    "/groups/{programme_id}/sessions",
    auth=BearerToken(),
    response={201: SessionsOut, **ERRORS},
    summary="Book sessions",
)
def create_sessions(request: HttpRequest, programme_id: int, payload: SessionsIn):
    """Sessions on the first N dates of the series (first_start, then every interval) that are not bank holidays,
    closure days or, in schools and nurseries, school holidays. All or nothing: 409 when any clashes with the
    clinician's or the room's diary; 422 outside the working pattern unless `override_reason` says why. Dates at a
    school after the school holidays held, and sessions before now, are booked all the same, with a `warnings` entry
    naming them."""
    programme = _programme(request, programme_id, Action.MANAGE_GROUPS)
    scheduled = _call(
        lambda: schedule_sessions(
            programme=programme,
            first_start=payload.first_start,
            sessions=payload.sessions,
            interval_days=payload.interval_days,
            duration_minutes=payload.duration_minutes,
            override_reason=payload.override_reason,
            scheduled_by=request.auth,
        )
    )
    return Status(
        201,
        {
            "sessions": [session_out(s) for s in scheduled.sessions],
            "skipped": [{"date": day.isoformat(), "why": why} for day, why in scheduled.skipped],
            "warnings": [warning_record(w) for w in scheduled.warnings],
        },
    )


class EnrolmentIn(Schema):
    referral: Annotated[str, Field(min_length=1, max_length=20)]


class EnrolmentOut(Schema):
    id: int
    programme: int
    referral: str
    referral_status: str
    enrolled_at: str
    places_left: int


@router.post(
    "/groups/{programme_id}/enrolments", auth=BearerToken(), response={201: EnrolmentOut, **ERRORS}, summary="Enrol"
)
def create_enrolment(request: HttpRequest, programme_id: int, payload: EnrolmentIn):
    """A child on the waiting list (waiting, invited or booked) or already seen. A waiting or invited child becomes
    booked. 409 when the group is full, the child is already enrolled, or the referral is not on the list."""
    programme = _programme(request, programme_id, Action.ENROL_IN_GROUP)
    referral = find_referral(request, payload.referral, action=Action.ENROL_IN_GROUP)
    enrolment = _call(lambda: enrol(programme=programme, referral=referral, enrolled_by=request.auth), "referral")
    taken = Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True).count()
    return Status(
        201,
        {
            "id": enrolment.pk,
            "programme": programme.pk,
            "referral": referral.reference,
            "referral_status": referral.status,
            "enrolled_at": enrolment.created_at.isoformat(),
            "places_left": rules.places_left(capacity=programme.capacity, enrolled=taken),
        },
    )


class WithdrawalIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=4000)]


class WithdrawalOut(Schema):
    id: int
    programme: int
    referral: str
    referral_status: str
    withdrawn_at: str
    places_left: int
    warnings: list[PlanningWarningOut] = Field(
        default_factory=list,
        description="`family_not_told`: no letter, email or text goes to the family about the withdrawal, and they "
        "get no more reminders of the group's sessions; unless they already know, staff tell them.",
    )


@router.post(
    "/groups/{programme_id}/enrolments/{enrolment_id}/withdraw",
    auth=BearerToken(),
    response={200: WithdrawalOut, **ERRORS},
    summary="Withdraw",
)
def withdraw_enrolment(request: HttpRequest, programme_id: int, enrolment_id: int, payload: WithdrawalIn):
    """Gives up the child's place in the group, with the reason (kept with the referral); the referral stays as it
    is. 404 for an enrolment not in this group or of a child this person may not see; 409 when already withdrawn."""
    programme = _programme(request, programme_id, Action.ENROL_IN_GROUP)
    enrolment = (
        Enrolment.objects.select_related("programme", "referral")
        .filter(programme=programme, referral__in=Referral.objects.visible_to(request.auth))
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise HttpError(404, f"No enrolment {enrolment_id} in group {programme_id}.")
    withdrawn = _call(lambda: withdraw(enrolment=enrolment, reason=payload.reason, withdrawn_by=request.auth), "reason")
    taken = Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True).count()
    status = Referral.objects.filter(pk=enrolment.referral_id).values_list("status", flat=True).get()
    return {
        "id": withdrawn.pk,
        "programme": programme.pk,
        "referral": withdrawn.referral.reference,
        "referral_status": status,
        "withdrawn_at": withdrawn.withdrawn_at.isoformat(),
        "places_left": rules.places_left(capacity=programme.capacity, enrolled=taken),
        "warnings": [{"code": FAMILY_NOT_TOLD, "message": rules.WITHDRAWN_NOT_TOLD, "dates": []}],
    }


class AttendanceIn(Schema):
    referral: Annotated[str, Field(min_length=1, max_length=20)]
    outcome: Literal["attended", "was_not_brought", "cancelled_by_family"]


class GroupAttendanceOut(Schema):
    session: int
    programme: int
    referral: str
    outcome: str
    referral_status: str


@router.post(
    "/groups/sessions/{appointment_id}/attendance",
    auth=BearerToken(),
    response={200: GroupAttendanceOut, **ERRORS},
    summary="Record attendance",
)
def create_attendance(request: HttpRequest, appointment_id: int, payload: AttendanceIn):
    """One child at one session. A first attended session stops the child's waiting-time clock; two "was not brought"
    in a row raise a flag for the clinician. 409 before the session starts, for a cancelled session, a child not
    enrolled, or a different outcome already recorded."""
    _require(request, Action.RECORD_OUTCOME)
    session = Appointment.objects.filter(pk=appointment_id, kind=Kind.GROUP, programme__isnull=False).first()
    if session is None:
        raise HttpError(404, f"No group session {appointment_id}.")
    referral = find_referral(request, payload.referral, action=Action.RECORD_OUTCOME)
    attendance = _call(
        lambda: record_attendance(
            appointment=session, referral=referral, outcome=payload.outcome, recorded_by=request.auth
        ),
        "outcome",
    )
    status = Referral.objects.filter(pk=referral.pk).values_list("status", flat=True).get()
    return {
        "session": session.pk,
        "programme": session.programme_id,
        "referral": referral.reference,
        "outcome": attendance.outcome,
        "referral_status": status,
    }
