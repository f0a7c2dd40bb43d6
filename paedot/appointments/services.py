"""Booking, moving, cancelling and recording appointments; blocks of treatment.

No double booking: each booking locks the clinician's row (and the room's) and checks for overlaps inside one
transaction; on PostgreSQL an exclusion constraint also makes an overlap impossible in the database, so two clerks
booking one slot at once get one booking and one clear refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from paedot.appointments import rules
from paedot.appointments.models import CANCELLED, Appointment, AppointmentSeries, AttendanceFlag, Kind, Outcome
from paedot.appointments.policy import attendance_policy
from paedot.core.audit import record_event
from paedot.diaries.models import SCHOOL_KINDS, Location, LocationKind, Room
from paedot.diaries.rules import LONDON, Problem, availability_problems, plan_block, warning_record
from paedot.diaries.services import diary_for, excluded_dates, school_calendar_warnings
from paedot.referrals.models import Referral, Status
from paedot.referrals.services.journey import TransitionRefused, require, stop_waiting_clock
from paedot.staff.models import User
from paedot.staff.rules import Action

MIN_MINUTES, MAX_MINUTES = 5, 8 * 60
# A child can be booked once accepted and triaged; an appointment for a waiting or invited child books them.
BOOKABLE = (Status.WAITING, Status.INVITED, Status.BOOKED, Status.SEEN)


class DoubleBooking(Exception):
    """The clinician or the room already has an appointment then (HTTP 409)."""


class OutsideAvailability(Exception):
    """Outside the working pattern, on leave, a closure day or a bank holiday: needs an override reason (HTTP 422)."""

    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = problems
        super().__init__(
            " ".join(p.message for p in problems) + " To book it anyway, give the reason for the exception."
        )


def _check_times(start: dt.datetime, duration_minutes: int) -> dt.datetime:
    if timezone.is_naive(start):
        raise ValueError("Give the start time with its time zone (for example 2027-01-11T09:30:00+00:00).")
    if not MIN_MINUTES <= duration_minutes <= MAX_MINUTES:
        raise ValueError(f"An appointment lasts {MIN_MINUTES} minutes to {MAX_MINUTES // 60} hours.")
    return start + dt.timedelta(minutes=duration_minutes)


def _check_clinician(clinician: User, kind: str, referral: Referral | None) -> None:
    package_by_ot = referral is None or referral.triaged_at is not None
    refusal = rules.may_deliver(
        role=clinician.role,
        kind=kind,
        has_supervisor=clinician.supervisor_id is not None,
        package_set_up_by_ot=package_by_ot,
    )
    if refusal:
        raise ValueError(refusal.message)
    if not clinician.is_active:
        raise ValueError(f"{clinician.display_name} no longer works here.")


def _check_after_received(referral: Referral | None, start: dt.datetime) -> None:
    if referral is not None and start.astimezone(LONDON).date() < referral.received_date:
        raise ValueError(
            f"The appointment cannot be before the referral was received ({referral.received_date:%-d %B %Y})."
        )


def availability(clinician: User, start: dt.datetime, end: dt.datetime) -> tuple[Problem, ...]:
    day = start.astimezone(LONDON).date()
    return availability_problems(start, end, diary_for(clinician, day, day))


def _clash_message(other: Appointment, what: str) -> str:
    local = other.start.astimezone(LONDON)
    return (
        f"{what} already has an appointment from {local:%H:%M} to {other.end.astimezone(LONDON):%H:%M} on "
        f"{local:%A %-d %B %Y}. Choose another time."
    )


def _lock_and_check(clinician: User, room: Room | None, start, end, *, ignore: int | None = None) -> None:
    """Serialise bookings for this clinician (and room), then look for an overlap."""
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()
    overlapping = Appointment.objects.live().between(start, end).exclude(pk=ignore)
    other = overlapping.filter(clinician=clinician).order_by("start").first()
    if other:
        raise DoubleBooking(_clash_message(other, clinician.display_name))
    if room is not None:
        other = overlapping.filter(room=room).order_by("start").first()
        if other:
            raise DoubleBooking(_clash_message(other, f"Room {room.name}"))


def _address_for(location: Location, referral: Referral | None) -> str:
    if location.kind == LocationKind.HOME and referral is not None:
        return ", ".join(part for part in (referral.child.address, referral.child.postcode) if part)
    return ", ".join(part for part in (location.name, location.address.replace("\n", ", "), location.postcode) if part)


def readdress_home_visits(*, child, changed_by) -> int:
    """The child's home visits still to come go to the address the child has now (as _address_for gives a home
    visit's); those that have started, have an outcome or were cancelled keep the address they had. Runs inside the
    caller's transaction (children.services.details.change_child_details writes the audit event, with how many);
    update(), so the addresses are not copied into the audit trail. Returns how many home visits are to come."""
    require(changed_by, Action.UPDATE_CHILD_DETAILS)
    now = timezone.now()
    to_come = Appointment.objects.filter(
        referral__child_id=child.pk, location__kind=LocationKind.HOME, start__gt=now, cancelled=False, outcome=""
    )
    address = ", ".join(part for part in (child.address, child.postcode) if part)
    return to_come.update(address=address, updated_at=now)


def booking_warnings(appointment: Appointment) -> list[dict]:
    """What to check about a booking once made, as kept in its audit event and given in the API: an appointment that
    starts before it was booked needs its outcome recorded (or it was typed wrongly). Empty when it is to come."""
    warning = rules.appointment_in_the_past(appointment.start, appointment.created_at)
    return [warning_record(warning)] if warning else []


def book_appointment(
    *,
    referral: Referral | None,
    clinician: User,
    kind: str,
    location: Location,
    start: dt.datetime,
    duration_minutes: int,
    booked_by,
    room: Room | None = None,
    override_reason: str = "",
    series: AppointmentSeries | None = None,
    programme=None,
    notify: bool = True,
) -> Appointment:
    """Book one appointment. A waiting or invited child becomes booked; the family gets a letter and a reminder.
    One that starts before now is booked all the same (recording what already happened is real work), and its audit
    event keeps the warning booking_warnings() gives; the family is told nothing of it (messages.py)."""
    require(booked_by, Action.BOOK_APPOINTMENT)
    if kind not in Kind.values:
        raise ValueError(f"Choose a kind of appointment: {', '.join(Kind.values)}.")
    end = _check_times(start, duration_minutes)
    if room is not None and room.location_id != location.pk:
        raise ValueError(f"{room.name} is not at {location.name}.")
    if referral is None and kind != Kind.GROUP:
        raise ValueError("Only a group session has no referral.")
    _check_clinician(clinician, kind, referral)
    _check_after_received(referral, start)
    override_reason = (override_reason or "").strip()
    problems = availability(clinician, start, end)
    if problems and not override_reason:
        raise OutsideAvailability(problems)
    try:
        with transaction.atomic():
            if referral is not None:
                referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
                if referral.status not in BOOKABLE:
                    raise TransitionRefused(
                        f"Referral {referral.reference} is {referral.get_status_display().lower()}: appointments are "
                        "booked for children who have been triaged and are still open."
                    )
            _lock_and_check(clinician, room, start, end)
            appointment = Appointment.objects.create(
                referral=referral,
                programme=programme,
                series=series,
                kind=kind,
                clinician=clinician,
                location=location,
                room=room,
                start=start,
                end=end,
                address=_address_for(location, referral),
                override_reason=override_reason if problems else "",
                booked_by=booked_by,
            )
            if referral is not None and referral.status in (Status.WAITING, Status.INVITED):
                from paedot.waiting_list.services import record_booking

                record_booking(referral=referral, recorded_by=booked_by, note=f"{appointment} booked")
            record_event(
                action="appointment.booked",
                actor=booked_by,
                target=referral or appointment,
                reason=override_reason if problems else "",
                detail={
                    "appointment": appointment.pk,
                    "kind": kind,
                    "start": start.isoformat(),
                    "clinician": clinician.username,
                    "overrides": [p.code for p in problems],
                    "warnings": booking_warnings(appointment),
                },
            )
            if notify and referral is not None:
                from paedot.appointments.messages import tell_family_about_booking

                tell_family_about_booking(appointment)
    except IntegrityError as error:  # the PostgreSQL exclusion constraint: someone else got there first
        if "appointment_no_overlap" in str(error):
            raise DoubleBooking(
                f"{clinician.display_name} or the room was booked for that time a moment ago."
            ) from error
        raise
    return appointment


def move_warnings(appointment: Appointment) -> list[dict]:
    """What to check about an appointment just moved (its updated_at is when it moved), as kept in the audit event
    and given in the API: one moved to start before then needs its outcome recorded, and the family was not told of
    the move (and, when the time they were told of is still to come, staff should tell them). Empty when its new time
    is to come."""
    warning = rules.moved_into_the_past(
        appointment.start, appointment.updated_at, told=appointment.family_last_told_start
    )
    return [warning_record(warning)] if warning else []


def move_appointment(
    *, appointment: Appointment, start: dt.datetime, moved_by, override_reason: str = ""
) -> Appointment:
    """Move one occurrence; the rest of its series stays where it is. Not to a day before the referral was received
    (refused, as a booking is). A move to a time before now is made all the same, with the warning move_warnings()
    gives, and the family is not told of it. A move to a time to come is told as rules.move_message() decides from
    the time the family was last told of: a change from that time, a booking letter if they never heard of it, or
    nothing when it is back at that very time."""
    require(moved_by, Action.BOOK_APPOINTMENT)
    if appointment.cancelled or appointment.outcome:
        raise TransitionRefused("This appointment has happened or been cancelled: book a new one instead.")
    end = _check_times(start, appointment.duration_minutes)
    _check_after_received(appointment.referral, start)
    problems = availability(appointment.clinician, start, end)
    if problems and not (override_reason or "").strip():
        raise OutsideAvailability(problems)
    now = timezone.now()
    with transaction.atomic():
        _lock_and_check(appointment.clinician, appointment.room, start, end, ignore=appointment.pk)
        # As it is now, under the clinician's lock (every move takes it): what the family was last told may have
        # changed since the caller read the appointment.
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.cancelled or current.outcome:
            raise TransitionRefused("This appointment has happened or been cancelled: book a new one instead.")
        before, told = current.start, current.family_last_told_start
        Appointment.objects.filter(pk=appointment.pk).update(
            start=start, end=end, override_reason=override_reason.strip() if problems else "", updated_at=now
        )
        appointment.start, appointment.end, appointment.updated_at = start, end, now
        appointment.family_last_told_start = told
        _withdraw_reminders(appointment, keep_start=start, why="The appointment was moved before this was sent.")
        sent = rules.move_message(told=told, start=start, now=now) if appointment.referral_id is not None else ""
        if sent:
            from paedot.appointments.messages import tell_family_about_booking, tell_family_about_change

            if sent == rules.SEND_CHANGE:
                tell_family_about_change(appointment, was=told, changed_by=moved_by)
            else:
                tell_family_about_booking(appointment, now=now, issued_by=moved_by)
        record_event(
            action="appointment.moved",
            actor=moved_by,
            target=appointment.referral or appointment,
            reason=override_reason,
            detail={
                "appointment": appointment.pk,
                "from": before.isoformat(),
                "to": start.isoformat(),
                "family_sent": sent,
                "warnings": move_warnings(appointment),
            },
        )
    return appointment


def cancel_warnings(appointment: Appointment) -> list[dict]:
    """What to check about an appointment just cancelled (outcome_recorded_at is when), as kept in the audit event
    and given in the API and on the page: when the service cancelled it and the family was sent nothing, why (never
    told of it, or the time they were told of had gone); for a group session, that no family in the group was sent
    anything. Empty when the family was told, or cancelled it themselves."""
    if not appointment.cancelled or appointment.outcome_recorded_at is None:
        return []
    if appointment.referral_id is None:
        told = families_told_of_cancellation(appointment)
        with_place = (
            Referral.objects.filter(
                group_enrolments__programme_id=appointment.programme_id, group_enrolments__withdrawn_at__isnull=True
            )
            .distinct()
            .count()
            if appointment.programme_id
            else 0
        )
        warning = rules.group_session_cancelled(
            start=appointment.start,
            cancelled_at=appointment.outcome_recorded_at,
            told=len(told),
            not_told=max(with_place - len(told), 0),
        )
    elif appointment.outcome == Outcome.CANCELLED_BY_SERVICE:
        warning = rules.cancelled_without_telling(
            told=appointment.family_last_told_start,
            start=appointment.start,
            cancelled_at=appointment.outcome_recorded_at,
        )
    else:  # the family cancelled: they know
        warning = None
    return [warning_record(warning)] if warning else []


def families_told_of_cancellation(appointment: Appointment) -> list[str]:
    """The referral references of the families sent a cancellation of this appointment (the confirmation says who
    was told): for a group session, those sent one by messages.tell_group_about_cancellation; otherwise the child's,
    when the service cancelled it while the time the family was last told of was still to come."""
    if not appointment.cancelled or appointment.outcome_recorded_at is None:
        return []
    if appointment.referral_id is None:
        from paedot.appointments.messages import families_told_of_group_cancellation

        return families_told_of_group_cancellation(appointment)
    if appointment.outcome == Outcome.CANCELLED_BY_SERVICE and rules.family_told_of_cancellation(
        told=appointment.family_last_told_start, now=appointment.outcome_recorded_at
    ):
        return [appointment.referral.reference]
    return []


def _withdraw_reminders(appointment: Appointment, *, why: str, keep_start: dt.datetime | None = None) -> int:
    """Reminders of this appointment not yet sent (waiting, or failed and to retry) are withdrawn when it moves or is
    cancelled: sent late, they would send the family to a time gone or a cancelled appointment (hazard H12). A
    reminder of the new time, if one is waiting, is kept."""
    from paedot.appointments.messages import reminder_prefix
    from paedot.notifications.services import withdraw_unsent

    prefix = reminder_prefix(appointment)
    keep = reminder_prefix(appointment, start=keep_start) if keep_start else ""
    return withdraw_unsent(reference_prefix=prefix, keep_prefix=keep, why=why)


def cancel_appointment(*, appointment: Appointment, by: str, reason: str, cancelled_by) -> Appointment:
    """Cancel one occurrence, by the family or the service; the others in its series are untouched. When the service
    cancels, the family is told only if the time they were last told of is still to come (never told of it, or told
    of a time gone, they are sent nothing, and cancel_warnings() says so). For a group session, the families with a
    place who were reminded of it are sent an email and text, while the time they were reminded of is to come; the
    others are sent nothing, and cancel_warnings() says so."""
    require(cancelled_by, Action.RECORD_OUTCOME)
    if by not in ("family", "service"):
        raise ValueError('Say who cancelled: "family" or "service".')
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Give the reason for cancelling.")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.cancelled or locked.outcome:
            raise TransitionRefused("This appointment already has an outcome.")
        locked.cancelled = True
        locked.outcome = Outcome.CANCELLED_BY_FAMILY if by == "family" else Outcome.CANCELLED_BY_SERVICE
        locked.cancellation_reason = reason
        locked.outcome_recorded_at = timezone.now()
        locked.outcome_recorded_by = cancelled_by
        locked.save()
        told = locked.family_last_told_start
        _withdraw_reminders(locked, why="The appointment was cancelled before this was sent.")
        if by == "service" and locked.referral_id is None:
            from paedot.appointments.messages import tell_group_about_cancellation

            tell_group_about_cancellation(locked, now=locked.outcome_recorded_at)
        record_event(
            action="appointment.cancelled",
            actor=cancelled_by,
            target=locked.referral or locked,
            reason=reason,
            detail={
                "appointment": locked.pk,
                "by": by,
                "warnings": cancel_warnings(locked),
                "told": families_told_of_cancellation(locked),
            },
        )
        # The family cancelled: they know. When we cancel, we tell them, of the time they hold, if it is still to come.
        if (
            by == "service"
            and locked.referral_id is not None
            and rules.family_told_of_cancellation(told=told, now=locked.outcome_recorded_at)
        ):
            from paedot.appointments.messages import tell_family_about_change

            tell_family_about_change(locked, was=told, changed_by=cancelled_by)
    return locked


def record_outcome(*, appointment: Appointment, outcome: str, recorded_by) -> Appointment:
    """Attended or was not brought. The first attended appointment stops the child's waiting-time clock; two
    "was not brought" in a row raise a flag for the clinician (never an automatic discharge)."""
    require(recorded_by, Action.RECORD_OUTCOME)
    if outcome in CANCELLED:
        raise ValueError("Record a cancellation with cancel, saying who cancelled and why.")
    if outcome not in (Outcome.ATTENDED, Outcome.WAS_NOT_BROUGHT):
        raise ValueError("The outcome is attended or was_not_brought.")
    if appointment.referral_id is None:
        raise ValueError("Record a group session's attendance for each child.")
    with transaction.atomic():
        locked = Appointment.objects.select_for_update(of=("self",)).select_related("referral").get(pk=appointment.pk)
        if locked.cancelled or locked.outcome:
            raise TransitionRefused("This appointment already has an outcome.")
        if locked.start > timezone.now():
            raise TransitionRefused("This appointment has not happened yet.")
        locked.outcome = outcome
        locked.outcome_recorded_at = timezone.now()
        locked.outcome_recorded_by = recorded_by
        locked.save()
        record_event(
            action=f"appointment.{outcome}",
            actor=recorded_by,
            target=locked.referral,
            detail={"appointment": locked.pk},
        )
        referral = locked.referral
        after_attendance(
            referral=referral, outcome=outcome, on=locked.start.astimezone(LONDON).date(), actor=recorded_by
        )
    return locked


def after_attendance(*, referral: Referral, outcome: str, on: dt.date, actor) -> None:
    """What an outcome means for the child's journey: the clock, and the missed-appointment flag."""
    if outcome == Outcome.ATTENDED and referral.first_attended_on is None and referral.status == Status.BOOKED:
        stop_waiting_clock(referral=referral, attended_on=on, recorded_by=actor)
    if outcome == Outcome.WAS_NOT_BROUGHT:
        from paedot.groups.models import GroupAttendance

        # One-to-one and group outcomes together, in the order the appointments happened.
        timeline = list(
            Appointment.objects.filter(referral=referral, outcome__gt="").values_list("start", "id", "outcome")
        ) + list(
            GroupAttendance.objects.filter(referral=referral, outcome__gt="").values_list(
                "appointment__start", "appointment_id", "outcome"
            )
        )
        outcomes = [outcome for _, _, outcome in sorted(timeline)]
        in_a_row = attendance_policy().was_not_brought_in_a_row
        if (
            rules.needs_attendance_review(outcomes, in_a_row)
            and not AttendanceFlag.objects.filter(referral=referral, state=AttendanceFlag.State.OPEN).exists()
        ):
            AttendanceFlag.objects.create(
                referral=referral,
                reason=f"{in_a_row} appointments in a row where the child was not brought. "
                "Review: missed appointments can be a safeguarding signal.",
            )
            record_event(action="referral.attendance_flag_raised", actor=actor, target=referral)


def review_attendance_flag(*, flag: AttendanceFlag, note: str, reviewed_by) -> AttendanceFlag:
    require(reviewed_by, Action.REVIEW_ATTENDANCE)
    note = (note or "").strip()
    if not note:
        raise ValueError("Say what you decided, and why.")
    with transaction.atomic():
        AttendanceFlag.objects.filter(pk=flag.pk).update(
            state=AttendanceFlag.State.REVIEWED, reviewed_by=reviewed_by, review_note=note, updated_at=timezone.now()
        )
        record_event(action="referral.attendance_flag_reviewed", actor=reviewed_by, target=flag.referral, reason=note)
    flag.refresh_from_db()
    return flag


@dataclass(frozen=True)
class Block:
    series: AppointmentSeries
    sessions: list[Appointment]
    review: Appointment


def plan_treatment_block(
    *,
    referral: Referral,
    clinician: User,
    location: Location,
    first_start: dt.datetime,
    sessions: int,
    interval_days: int = 7,
    duration_minutes: int = 45,
    override_reason: str = "",
    room: Room | None = None,
    planned_by,
    notify: bool = True,
) -> Block:
    """N sessions on the first N series dates that are not bank holidays, closure days or (in schools and nurseries)
    school holidays, then the review after the last. All or nothing: one clash refuses the whole block.

    An OT assistant may deliver the sessions; the review is then booked with their supervising OT. At a school, any
    date after the school holidays held is booked all the same (refusing would stop real work) and the block keeps a
    warning naming those dates (hazard H16). Likewise sessions (or the review) before now: a block recorded after the
    event is booked, with a warning naming the sessions in the past, each needing its outcome; the family is told
    only of the appointments still to come, and nothing at all when every one is past. With `notify` off (the demo)
    the family is told nothing, and the warning says that instead.
    """
    require(planned_by, Action.PLAN_BLOCK)
    if not 1 <= sessions <= 52:
        raise ValueError("A block has 1 to 52 sessions.")
    if not 1 <= interval_days <= 90:
        raise ValueError("The interval is 1 to 90 days.")
    _check_times(first_start, duration_minutes)
    first_day = first_start.astimezone(LONDON).date()
    horizon = first_day + dt.timedelta(days=interval_days * (sessions + 1) + 400)
    at_school = location.kind in SCHOOL_KINDS
    excluded = excluded_dates(first_day, horizon, school_setting=at_school)
    plan = plan_block(first_start=first_start, sessions=sessions, interval_days=interval_days, excluded=excluded)
    days = [start.astimezone(LONDON).date() for start in (*plan.sessions, plan.review)]
    now = timezone.now()
    in_the_past = rules.block_in_the_past(plan.sessions, plan.review, now, notify=notify)
    warnings = [
        warning_record(w)
        for w in (in_the_past, *school_calendar_warnings(days, school_setting=at_school))
        if w is not None
    ]
    reviewer = clinician.supervisor if clinician.role == "ota" and clinician.supervisor else clinician
    with transaction.atomic():
        series = AppointmentSeries.objects.create(
            referral=referral,
            clinician=clinician,
            location=location,
            sessions=sessions,
            interval_days=interval_days,
            duration_minutes=duration_minutes,
            skipped_dates=[{"date": day.isoformat(), "why": why} for day, why in plan.skipped],
            warnings=warnings,
            created_by=planned_by,
        )
        booked = [
            book_appointment(
                referral=referral,
                clinician=clinician,
                kind=Kind.TREATMENT,
                location=location,
                room=room,
                start=start,
                duration_minutes=duration_minutes,
                booked_by=planned_by,
                override_reason=override_reason,
                series=series,
                notify=False,
            )
            for start in plan.sessions
        ]
        review = book_appointment(
            referral=referral,
            clinician=reviewer,
            kind=Kind.REVIEW,
            location=location,
            room=room,
            start=plan.review,
            duration_minutes=duration_minutes,
            booked_by=planned_by,
            override_reason=override_reason,
            series=series,
            notify=False,
        )
        record_event(
            action="referral.block_planned",
            actor=planned_by,
            target=referral,
            detail={
                "series": series.pk,
                "sessions": sessions,
                "skipped": series.skipped_dates,
                "warnings": series.warnings,
            },
        )
        if notify:
            from paedot.appointments.messages import tell_family_about_block

            tell_family_about_block(series, now=now)
    return Block(series=series, sessions=booked, review=review)
