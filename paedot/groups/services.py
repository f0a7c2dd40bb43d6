"""Group programmes: setting one up, booking its sessions, enrolling children from the waiting list, withdrawing
them, and the register of who came to each session.

A session is an appointment of kind "group" with no referral, so the clinician and the room cannot be double-booked
by a group any more than by a one-to-one appointment. Places are counted under a lock on the programme's row, so two
clerks taking the last place at once get one enrolment and one clear refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from paedot.appointments import rules as appointment_rules
from paedot.appointments.models import Appointment, Kind
from paedot.appointments.services import after_attendance, book_appointment
from paedot.core.audit import record_event
from paedot.diaries.models import SCHOOL_KINDS, Location, LocationKind, Room
from paedot.diaries.rules import LONDON, PlanWarning, plan_block, warning_record
from paedot.diaries.services import excluded_dates, school_calendar_warnings
from paedot.groups import rules
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.referrals.models import Referral, Status
from paedot.referrals.rules import STATUS_WORDS
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.models import User
from paedot.staff.rules import Action


class GroupFull(TransitionRefused):
    """Every place is taken (HTTP 409)."""


class AlreadyEnrolled(TransitionRefused):
    """The child already has a place in this group (HTTP 409)."""


class NotEnrollable(TransitionRefused):
    """The referral is not on the waiting list nor seen: closed, or not yet triaged (HTTP 409)."""


ENROLMENT_REFUSALS = {
    "not_on_waiting_list": NotEnrollable,
    "already_enrolled": AlreadyEnrolled,
    "group_full": GroupFull,
}


# Setting up a programme ------------------------------------------------------------------------------------------


def create_programme(
    *,
    name: str,
    description: str,
    audience: str,
    capacity: int,
    clinician: User,
    location: Location,
    room: Room | None,
    created_by,
) -> GroupProgramme:
    """A group (a handwriting group, a parent workshop) with its places, who runs it and where."""
    require(created_by, Action.MANAGE_GROUPS)
    name = (name or "").strip()
    if not name:
        raise ValueError("Give the group a name.")
    if audience not in GroupProgramme.Audience.values:
        raise ValueError(f"Choose who the group is for: {', '.join(GroupProgramme.Audience.values)}.")
    if not 1 <= capacity <= rules.MAX_CAPACITY:
        raise ValueError(f"A group has 1 to {rules.MAX_CAPACITY} places.")
    refusal = appointment_rules.may_deliver(
        role=clinician.role,
        kind=Kind.GROUP,
        has_supervisor=clinician.supervisor_id is not None,
        package_set_up_by_ot=True,
    )
    if refusal:
        raise ValueError(refusal.message)
    if not clinician.is_active:
        raise ValueError(f"{clinician.display_name} no longer works here.")
    if not location.is_active or location.kind == LocationKind.HOME:
        raise ValueError("Choose a place the group can meet: a clinic, centre, school, nursery or a video call.")
    if room is not None and room.location_id != location.pk:
        raise ValueError(f"{room.name} is not at {location.name}.")
    with transaction.atomic():
        programme = GroupProgramme.objects.create(
            name=name,
            description=(description or "").strip(),
            audience=audience,
            capacity=capacity,
            clinician=clinician,
            location=location,
            room=room,
            created_by=created_by,
        )
        record_event(
            action="group.created",
            actor=created_by,
            target=programme,
            detail={"name": name, "capacity": capacity, "clinician": clinician.username, "location": location.pk},
        )
    return programme


@dataclass(frozen=True)
class ScheduledSessions:
    sessions: list[Appointment]
    skipped: tuple[tuple[dt.date, str], ...]
    # Sessions booked in the past (each needs its register; the families are not told of them), then dates at a
    # school after the school holidays held (hazard H16).
    warnings: tuple[PlanWarning, ...] = ()


def schedule_sessions(
    *,
    programme: GroupProgramme,
    first_start: dt.datetime,
    sessions: int,
    interval_days: int = 7,
    duration_minutes: int = 60,
    override_reason: str = "",
    scheduled_by,
) -> ScheduledSessions:
    """Book N sessions on the first N series dates (first_start, then every interval, same wall-clock time) that are
    not bank holidays, closure days or, in a school or nursery, school holidays. All or nothing: one clash with the
    clinician's or the room's diary refuses the lot.

    Unlike a block of treatment, a group has no review session: each child's review is their own appointment. At a
    school, dates after the school holidays held are booked all the same, with a warning naming them (hazard H16).
    So are sessions before now (a group recorded after the event), with a warning naming them: each needs its
    register, and no family in the group is sent a message about them (no reminder is ever queued for a session
    that has started).
    """
    require(scheduled_by, Action.MANAGE_GROUPS)
    if not 1 <= sessions <= rules.MAX_SESSIONS:
        raise ValueError(f"Book 1 to {rules.MAX_SESSIONS} sessions.")
    if not 1 <= interval_days <= 90:
        raise ValueError("The interval is 1 to 90 days.")
    if timezone.is_naive(first_start):
        raise ValueError("Give the start time with its time zone (for example 2027-01-11T09:30:00+00:00).")
    first_day = first_start.astimezone(LONDON).date()
    horizon = first_day + dt.timedelta(days=interval_days * (sessions + 1) + 400)
    at_school = programme.location.kind in SCHOOL_KINDS
    excluded = excluded_dates(first_day, horizon, school_setting=at_school)
    # plan_block also picks a review date after the last session; a group does not use it (see above).
    plan = plan_block(first_start=first_start, sessions=sessions, interval_days=interval_days, excluded=excluded)
    in_the_past = rules.sessions_in_the_past(plan.sessions, timezone.now())
    warnings = (
        *((in_the_past,) if in_the_past else ()),
        *school_calendar_warnings(
            [start.astimezone(LONDON).date() for start in plan.sessions], school_setting=at_school
        ),
    )
    with transaction.atomic():
        programme = (
            GroupProgramme.objects.select_for_update(of=("self",))
            .select_related("clinician", "location", "room")
            .get(pk=programme.pk)
        )
        booked = [
            book_appointment(
                referral=None,
                clinician=programme.clinician,
                kind=Kind.GROUP,
                location=programme.location,
                room=programme.room,
                start=start,
                duration_minutes=duration_minutes,
                booked_by=scheduled_by,
                override_reason=override_reason,
                programme=programme,
                notify=False,
            )
            for start in plan.sessions
        ]
        record_event(
            action="group.sessions_scheduled",
            actor=scheduled_by,
            target=programme,
            reason=(override_reason or "").strip(),
            detail={
                "sessions": [a.pk for a in booked],
                "skipped": [{"date": day.isoformat(), "why": why} for day, why in plan.skipped],
                "warnings": [warning_record(w) for w in warnings],
            },
        )
    return ScheduledSessions(sessions=booked, skipped=plan.skipped, warnings=warnings)


# Places ----------------------------------------------------------------------------------------------------------


def enrol(*, programme: GroupProgramme, referral: Referral, enrolled_by) -> Enrolment:
    """Give a child on the waiting list (or already seen) a place. A waiting or invited child becomes booked: the
    group is their first appointment, and attending it stops their waiting-time clock."""
    require(enrolled_by, Action.ENROL_IN_GROUP)
    with transaction.atomic():
        # The programme's row is the queue for its places: whoever holds it counts and takes a place.
        locked = GroupProgramme.objects.select_for_update().get(pk=programme.pk)
        child = Referral.objects.select_for_update().get(pk=referral.pk)
        live = Enrolment.objects.filter(programme=locked, withdrawn_at__isnull=True)
        refusal = rules.enrolment_refusal(
            status=child.status,
            status_words=STATUS_WORDS.get(child.status, child.status),
            reference=child.reference,
            programme=locked.name,
            already_enrolled=live.filter(referral=child).exists(),
            enrolled=live.count(),
            capacity=locked.capacity,
        )
        if refusal:
            raise ENROLMENT_REFUSALS[refusal.code](refusal.message)
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(programme=locked, referral=child, enrolled_by=enrolled_by)
        except IntegrityError as error:  # the unique constraint, should the lock ever be bypassed
            raise AlreadyEnrolled(f"Referral {child.reference} is already enrolled in {locked.name}.") from error
        if child.status in (Status.WAITING, Status.INVITED):
            from paedot.waiting_list.services import record_booking

            record_booking(referral=child, recorded_by=enrolled_by, note=f"Enrolled in the group {locked.name}")
        record_event(
            action="group.enrolled",
            actor=enrolled_by,
            target=child,
            detail={"programme": locked.pk, "name": locked.name, "enrolment": enrolment.pk},
        )
    referral.refresh_from_db(fields=["status", "status_changed_at", "left_queue_at"])
    return enrolment


def withdraw(*, enrolment: Enrolment, reason: str, withdrawn_by) -> Enrolment:
    """Give up the child's place. Their referral stays as it is (a booked child stays booked: book them another
    appointment, or discharge them, as a separate decision). The family is sent nothing about it, and no more
    reminders of the group's sessions (rules.WITHDRAWAL_NOT_TOLD: the pages say so, for staff to tell them)."""
    require(withdrawn_by, Action.ENROL_IN_GROUP)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Give the reason for withdrawing the child from the group.")
    with transaction.atomic():
        locked = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("programme", "referral")
            .get(pk=enrolment.pk)
        )
        if locked.withdrawn_at is not None:
            raise TransitionRefused(f"Referral {locked.referral.reference} has already been withdrawn from the group.")
        locked.withdrawn_at = timezone.now()
        locked.withdrawal_reason = reason
        locked.save(update_fields=["withdrawn_at", "withdrawal_reason", "updated_at"])
        record_event(
            action="group.withdrawn",
            actor=withdrawn_by,
            target=locked.referral,
            reason=reason,
            detail={"programme": locked.programme_id, "name": locked.programme.name, "enrolment": locked.pk},
        )
    return locked


# The register ----------------------------------------------------------------------------------------------------


def enrolled_at(session: Appointment):
    """The enrolments on a session's register: everyone with a place, and anyone withdrawn after it started."""
    return Enrolment.objects.filter(programme_id=session.programme_id).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=session.start)
    )


def record_attendance(*, appointment: Appointment, referral: Referral, outcome: str, recorded_by) -> GroupAttendance:
    """Attended, was not brought, or cancelled by the family, for one child at one session. A first attended
    session stops the child's waiting-time clock; two "was not brought" in a row (group or one-to-one) raise a flag
    for the clinician to review."""
    require(recorded_by, Action.RECORD_OUTCOME)
    if outcome not in rules.GROUP_OUTCOMES:
        raise ValueError(f"The outcome is one of: {', '.join(rules.GROUP_OUTCOMES)}.")
    if appointment.kind != Kind.GROUP or appointment.programme_id is None:
        raise ValueError("This appointment is not a group session: record its outcome on the appointment.")
    with transaction.atomic():
        child = Referral.objects.select_for_update().get(pk=referral.pk)
        session = Appointment.objects.select_for_update(of=("self",)).select_related("programme").get(pk=appointment.pk)
        existing = GroupAttendance.objects.filter(appointment=session, referral=child).first()
        refusal = rules.attendance_refusal(
            outcome=outcome,
            session_cancelled=session.cancelled,
            session_started=session.start <= timezone.now(),
            enrolled=enrolled_at(session).filter(referral=child).exists(),
            recorded=existing.outcome if existing else "",
        )
        if refusal:
            raise TransitionRefused(f"Referral {child.reference}: {refusal.message}")
        if existing and existing.outcome == outcome:
            return existing
        attendance, _ = GroupAttendance.objects.update_or_create(
            appointment=session, referral=child, defaults={"outcome": outcome, "recorded_by": recorded_by}
        )
        record_event(
            action=f"group.attendance.{outcome}",
            actor=recorded_by,
            target=child,
            detail={"appointment": session.pk, "programme": session.programme_id, "name": session.programme.name},
        )
        after_attendance(referral=child, outcome=outcome, on=session.start.astimezone(LONDON).date(), actor=recorded_by)
    return attendance


def record_register(*, appointment: Appointment, outcomes: dict[int, str], recorded_by) -> list[GroupAttendance]:
    """A whole register at once (referral id -> outcome); all or nothing. Children left blank are left unrecorded."""
    require(recorded_by, Action.RECORD_OUTCOME)
    chosen = {pk: outcome for pk, outcome in outcomes.items() if outcome}
    if not chosen:
        raise ValueError("Choose what happened for at least one child.")
    with transaction.atomic():
        enrolled = {e.referral_id: e.referral for e in enrolled_at(appointment).select_related("referral")}
        missing = set(chosen) - set(enrolled)
        if missing:
            raise TransitionRefused("The register has changed: a child on it is no longer enrolled. Reload the page.")
        return [
            record_attendance(appointment=appointment, referral=enrolled[pk], outcome=outcome, recorded_by=recorded_by)
            for pk, outcome in sorted(chosen.items())
        ]
