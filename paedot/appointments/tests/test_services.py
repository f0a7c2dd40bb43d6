"""Booking rules: no double booking (even two clerks at once), clock changes, holidays in blocks, what an OT
assistant may do, outcomes stopping the clock, and the missed-appointment flag."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from paedot.appointments.models import Appointment, AttendanceFlag
from paedot.appointments.services import (
    DoubleBooking,
    OutsideAvailability,
    book_appointment,
    booking_warnings,
    cancel_appointment,
    cancel_warnings,
    move_appointment,
    move_warnings,
    plan_treatment_block,
    record_outcome,
)
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.core.models import AuditEvent
from paedot.diaries.models import Absence, ClosureDay, Location, LocationKind, Room, SchoolCalendar
from paedot.referrals.models import Referral
from paedot.referrals.services import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import referral_in, staff

NOW = "2027-01-04 09:00 +00:00"


@pytest.fixture
def early_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


def book(referral, clinician, start, **kw):
    return book_appointment(
        referral=referral,
        clinician=clinician,
        kind=kw.pop("kind", "assessment"),
        location=kw.pop("location", clinic()),
        start=start,
        duration_minutes=kw.pop("duration_minutes", 60),
        booked_by=kw.pop("booked_by", staff("clinical_admin")),
        **kw,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("early_january_2027")
class TestBooking:
    def test_back_to_back_appointments_do_not_collide(self):
        ot = clinician_working()
        book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 30))
        book(referral_in("waiting"), ot, london(2027, 1, 11, 10, 30))
        assert Appointment.objects.count() == 2

    @pytest.mark.parametrize(("hour", "minute"), [(9, 30), (10, 0), (9, 0), (10, 29)])
    def test_any_overlap_with_the_clinicians_booking_is_refused(self, hour, minute):
        ot = clinician_working()
        book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 30))
        second = referral_in("waiting")
        with pytest.raises(DoubleBooking):
            book(second, ot, london(2027, 1, 11, hour, minute), duration_minutes=45)
        assert Referral.objects.get(pk=second.pk).status == "waiting"

    def test_a_room_cannot_be_double_booked_by_two_clinicians(self):
        room = Room.objects.create(location=clinic(), name="Therapy room 1")
        book(referral_in("waiting"), clinician_working("ot", "ot-a"), london(2027, 1, 11, 9, 30), room=room)
        with pytest.raises(DoubleBooking, match="Room Therapy room 1"):
            book(referral_in("waiting"), clinician_working("ot", "ot-b"), london(2027, 1, 11, 10, 0), room=room)

    def test_a_cancelled_appointment_frees_the_slot(self):
        ot = clinician_working()
        first = book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 30))
        cancel_appointment(appointment=first, by="family", reason="Poorly", cancelled_by=staff("clinical_admin"))
        book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 30))

    def test_leave_and_closure_days_need_an_override_reason(self):
        ot = clinician_working()
        Absence.objects.create(
            clinician=ot, starts_on=dt.date(2027, 1, 11), ends_on=dt.date(2027, 1, 12), reason="Leave"
        )
        ClosureDay.objects.create(date=dt.date(2027, 1, 13), reason="Team training day")
        with pytest.raises(OutsideAvailability) as on_leave:
            book(referral_in("waiting"), ot, london(2027, 1, 12))
        assert [p.code for p in on_leave.value.problems] == ["clinician_absent"]
        with pytest.raises(OutsideAvailability) as closed:
            book(referral_in("waiting"), ot, london(2027, 1, 13))
        assert [p.code for p in closed.value.problems] == ["service_closed"]
        kept = book(referral_in("waiting"), ot, london(2027, 1, 13), override_reason="Urgent: agreed with the lead")
        assert kept.override_reason == "Urgent: agreed with the lead"

    def test_a_weekend_is_outside_the_pattern(self):
        with pytest.raises(OutsideAvailability) as saturday:
            book(referral_in("waiting"), clinician_working(), london(2027, 1, 9))
        assert saturday.value.problems[0].code == "outside_working_pattern"

    def test_an_appointment_ending_after_hours_is_outside_the_pattern(self):
        with pytest.raises(OutsideAvailability):
            book(referral_in("waiting"), clinician_working(), london(2027, 1, 11, 16, 30))

    def test_a_naive_time_is_refused(self):
        with pytest.raises(ValueError, match="time zone"):
            book(referral_in("waiting"), clinician_working(), dt.datetime(2027, 1, 11, 9, 30))

    def test_moving_one_occurrence_leaves_the_others(self):
        ot = clinician_working()
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=clinic(),
            first_start=london(2027, 1, 11, 10),
            sessions=3,
            planned_by=ot,
        )
        moved = move_appointment(appointment=block.sessions[1], start=london(2027, 1, 19, 14), moved_by=ot)
        starts = [a.start for a in Appointment.objects.filter(series=block.series).order_by("id")]
        assert starts[0] == london(2027, 1, 11, 10) and starts[2] == london(2027, 1, 25, 10)
        assert moved.start == london(2027, 1, 19, 14)

    def test_an_appointment_in_the_past_is_booked_and_its_audit_event_keeps_the_warning(self):
        referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
        appointment = book(referral, clinician_working(), london(2026, 12, 14, 9, 30))
        assert Appointment.objects.filter(pk=appointment.pk).exists()
        (warning,) = booking_warnings(appointment)
        assert warning["code"] == "in_the_past" and warning["dates"] == ["2026-12-14"]
        assert warning["message"].startswith("This appointment is in the past: Monday 14 December 2026 at 09:30.")
        event = AuditEvent.objects.get(action="appointment.booked", detail__appointment=appointment.pk)
        assert event.detail["warnings"] == [warning]

    def test_an_appointment_to_come_has_no_warning(self):
        appointment = book(referral_in("waiting"), clinician_working(), london(2027, 1, 11, 9, 30))
        assert booking_warnings(appointment) == []
        assert AuditEvent.objects.get(action="appointment.booked").detail["warnings"] == []

    def test_an_accepted_but_untriaged_child_cannot_be_booked(self):
        with pytest.raises(TransitionRefused):
            book(referral_in("accepted"), clinician_working(), london(2027, 1, 11))

    def test_a_home_visit_keeps_the_childs_address(self):
        referral = referral_in("waiting")
        home = Location.objects.get(kind=LocationKind.HOME)
        visit = book(referral, clinician_working(), london(2027, 1, 11), kind="home_visit", location=home)
        assert referral.child.postcode in visit.address

    def test_an_auditor_cannot_book(self):
        with pytest.raises(NotAllowed):
            book(referral_in("waiting"), clinician_working(), london(2027, 1, 11), booked_by=staff("auditor"))


@pytest.mark.django_db
@pytest.mark.usefixtures("early_january_2027")
class TestMovingIntoThePast:
    def test_an_appointment_moved_into_the_past_is_moved_and_its_audit_event_keeps_the_warning(self):
        referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
        appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
        moved = move_appointment(appointment=appointment, start=london(2026, 12, 14, 9, 30), moved_by=staff("ot"))
        assert Appointment.objects.get(pk=appointment.pk).start == london(2026, 12, 14, 9, 30)  # moved all the same
        (warning,) = move_warnings(moved)
        assert warning["code"] == "in_the_past" and warning["dates"] == ["2026-12-14"]
        assert warning["message"].startswith(
            "This appointment has been moved into the past: Monday 14 December 2026 at 09:30."
        )
        assert "No letter, email or text message was sent to the family about the move" in warning["message"]
        event = AuditEvent.objects.get(action="appointment.moved")
        assert event.detail["warnings"] == [warning]
        assert event.detail["from"] == london(2027, 1, 11, 9, 30).isoformat()

    def test_an_appointment_the_family_was_told_of_moved_into_the_past_warns_that_their_calendar_still_shows_it(self):
        referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
        appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))  # told: 11 January
        moved = move_appointment(appointment=appointment, start=london(2026, 12, 14, 9, 30), moved_by=staff("ot"))
        (warning,) = move_warnings(moved)
        assert (
            "The family was told it is on Monday 11 January 2027 at 09:30, and their letter and calendar still say "
            "so: unless they already know it has changed, tell them yourself." in warning["message"]
        )
        assert AuditEvent.objects.get(action="appointment.moved").detail["warnings"] == [warning]

    def test_a_move_to_a_day_before_the_referral_was_received_is_refused_as_a_booking_is(self):
        referral = referral_in("waiting", received_date=dt.date(2026, 12, 1))
        appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
        with pytest.raises(ValueError) as booking:
            book(referral, clinician_working(), london(2026, 11, 30, 9, 30))
        with pytest.raises(ValueError) as move:
            move_appointment(appointment=appointment, start=london(2026, 11, 30, 9, 30), moved_by=staff("ot"))
        assert str(move.value) == str(booking.value)
        assert str(move.value) == "The appointment cannot be before the referral was received (1 December 2026)."
        assert Appointment.objects.get(pk=appointment.pk).start == london(2027, 1, 11, 9, 30)
        assert not AuditEvent.objects.filter(action="appointment.moved").exists()
        # The day it was received is allowed, as for a booking.
        move_appointment(appointment=appointment, start=london(2026, 12, 1, 9, 30), moved_by=staff("ot"))

    def test_an_appointment_moved_to_a_time_to_come_has_no_warning(self):
        appointment = book(referral_in("waiting"), clinician_working(), london(2027, 1, 11, 9, 30))
        moved = move_appointment(appointment=appointment, start=london(2027, 1, 4, 9, 0), moved_by=staff("ot"))
        assert move_warnings(moved) == []  # this very minute is still to come
        assert AuditEvent.objects.get(action="appointment.moved").detail["warnings"] == []


@pytest.mark.django_db
@pytest.mark.usefixtures("early_january_2027")
class TestCancellingWithoutTellingTheFamily:
    def test_a_cancellation_the_family_is_not_told_of_is_audited_with_the_warning(self):
        referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
        appointment = book(referral, clinician_working(), london(2026, 12, 14, 9, 30))  # booked after it happened
        cancelled = cancel_appointment(
            appointment=appointment, by="service", reason="Typed wrongly", cancelled_by=staff("ot")
        )
        (warning,) = cancel_warnings(cancelled)
        assert warning["code"] == "family_not_told" and warning["dates"] == ["2026-12-14"]
        assert "because they were never told of this appointment" in warning["message"]
        assert AuditEvent.objects.get(action="appointment.cancelled").detail["warnings"] == [warning]
        assert not referral.letters.filter(kind="appointment_change").exists()

    def test_a_cancellation_the_family_is_told_of_or_made_by_the_family_has_no_warning(self):
        referral = referral_in("waiting")
        told = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
        by_family = book(referral, clinician_working(), london(2027, 1, 12, 9, 30))
        assert (
            cancel_warnings(
                cancel_appointment(appointment=told, by="service", reason="OT unwell", cancelled_by=staff("ot"))
            )
            == []
        )
        assert (
            cancel_warnings(
                cancel_appointment(appointment=by_family, by="family", reason="Holiday", cancelled_by=staff("ot"))
            )
            == []
        )
        assert referral.letters.filter(kind="appointment_change").count() == 1  # the service's cancellation only


@pytest.mark.django_db
@pytest.mark.usefixtures("early_january_2027")
class TestAssistants:
    def test_an_assistant_delivers_treatment_in_a_package_an_ot_set_up(self):
        ota = clinician_working("ota", "ota-diary")
        ota.supervisor = staff("ot")
        ota.save()
        book(referral_in("waiting"), ota, london(2027, 1, 11), kind="treatment")

    @pytest.mark.parametrize("kind", ["assessment", "review"])
    def test_an_assistant_never_assesses_or_reviews_alone(self, kind):
        ota = clinician_working("ota", "ota-diary")
        with pytest.raises(ValueError, match="OT assistant cannot"):
            book(referral_in("waiting"), ota, london(2027, 1, 11), kind=kind)

    def test_an_assistants_block_is_reviewed_by_their_supervising_ot(self):
        supervisor = clinician_working("ot", "supervising-ot")
        ota = clinician_working("ota", "ota-diary")
        ota.supervisor = supervisor
        ota.save()
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ota,
            location=clinic(),
            first_start=london(2027, 1, 11, 10),
            sessions=2,
            planned_by=supervisor,
        )
        assert {a.clinician for a in block.sessions} == {ota}
        assert block.review.clinician == supervisor
        assert block.review.kind == "review"

    def test_an_assistant_cannot_plan_a_block(self):
        ota = clinician_working("ota", "ota-diary")
        with pytest.raises(NotAllowed):
            plan_treatment_block(
                referral=referral_in("waiting"),
                clinician=ota,
                location=clinic(),
                first_start=london(2027, 1, 11, 10),
                sessions=2,
                planned_by=ota,
            )


@pytest.mark.django_db
@pytest.mark.usefixtures("early_january_2027")
class TestBlocks:
    def test_a_block_at_school_skips_the_school_holiday_and_keeps_local_time_across_the_clock_change(self):
        ot = clinician_working()
        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary", school_urn="999001")
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=school,
            first_start=london(2027, 3, 15, 13, 30),
            sessions=3,
            planned_by=ot,
        )
        days = [a.start.astimezone(london(2027, 1, 1).tzinfo).date().isoformat() for a in block.sessions]
        # 29 March: Easter Monday and the Easter school holiday (29 March to 9 April): two weeks skipped.
        assert days == ["2027-03-15", "2027-03-22", "2027-04-12"]
        assert all(a.start.astimezone(london(2027, 1, 1).tzinfo).hour == 13 for a in block.sessions)
        assert block.review.start == london(2027, 4, 19, 13, 30)
        whys = [s["why"] for s in block.series.skipped_dates]
        assert whys[0].startswith("bank holiday") and whys[1].startswith("school holiday")

    def test_a_clinic_block_ignores_school_holidays(self):
        ot = clinician_working()
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=clinic(),
            first_start=london(2027, 3, 22, 10),
            sessions=2,
            planned_by=ot,
        )
        assert [a.start.date().isoformat() for a in block.sessions] == ["2027-03-22", "2027-04-05"]

    @pytest.mark.parametrize(
        ("known_until", "warned_of"),
        [(dt.date(2028, 7, 20), []), (dt.date(2028, 7, 19), ["2028-07-20"])],
        ids=["review on the last known day", "review the day after it"],
    )
    def test_a_school_block_warns_of_the_days_after_the_school_holidays_held_and_books_them_all_the_same(
        self, known_until, warned_of
    ):
        SchoolCalendar.objects.filter(pk=1).update(covers_until=known_until)
        ot = clinician_working()
        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary", school_urn="999001")
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=school,
            first_start=london(2028, 7, 17, 13, 30),  # Monday to Wednesday, then the review on Thursday 20 July
            sessions=3,
            interval_days=1,
            planned_by=ot,
        )
        assert block.review.start == london(2028, 7, 20, 13, 30)
        assert [w["dates"] for w in block.series.warnings] == ([warned_of] if warned_of else [])
        event = AuditEvent.objects.get(action="referral.block_planned")
        assert event.detail["warnings"] == block.series.warnings

    def test_a_school_block_running_past_the_last_school_year_held_names_the_sessions_after_it(self):
        ot = clinician_working()
        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary", school_urn="999001")
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=school,
            first_start=london(2028, 7, 13, 13, 30),
            sessions=3,
            planned_by=ot,
        )
        # The summer holiday 2028 (21 July to 31 August) is skipped; nothing is known after it.
        days = [a.start.astimezone(london(2028, 1, 1).tzinfo).date().isoformat() for a in block.sessions]
        assert days == ["2028-07-13", "2028-07-20", "2028-09-07"]
        (warning,) = block.series.warnings
        assert warning["code"] == "after_school_calendar"
        assert warning["dates"] == ["2028-09-07", "2028-09-14"]  # the third session and the review
        assert warning["message"].startswith("The school holidays held end on 31 August 2028: 2 sessions fall after")
        assert "Thursday 7 September 2028, Thursday 14 September 2028" in warning["message"]

    def test_a_clinic_block_after_the_school_holidays_held_has_no_warning(self):
        ot = clinician_working()
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=clinic(),
            first_start=london(2028, 9, 4, 10),
            sessions=2,
            planned_by=ot,
        )
        assert block.series.warnings == []

    def test_a_block_starting_in_the_past_is_booked_with_a_warning_naming_the_sessions_in_the_past(self):
        ot = clinician_working()
        referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
        block = plan_treatment_block(
            referral=referral,
            clinician=ot,
            location=clinic(),
            first_start=london(2026, 11, 16, 10),  # 2026 typed for 2027: every session and the review are past
            sessions=4,
            planned_by=ot,
        )
        assert Appointment.objects.filter(series=block.series).count() == 5  # booked all the same
        (warning,) = block.series.warnings
        assert warning["code"] == "in_the_past"
        assert warning["dates"] == ["2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14"]
        assert warning["message"].startswith(
            "4 sessions of this block are in the past: Monday 16 November 2026, Monday 23 November 2026, Monday 30 "
            "November 2026 and Monday 7 December 2026, and so is the review, Monday 14 December 2026."
        )
        assert "record the outcome of each" in warning["message"]
        event = AuditEvent.objects.get(action="referral.block_planned")
        assert event.detail["warnings"] == block.series.warnings
        booked = AuditEvent.objects.filter(action="appointment.booked", detail__appointment=block.sessions[0].pk).get()
        assert [w["code"] for w in booked.detail["warnings"]] == ["in_the_past"]

    def test_a_block_partly_in_the_past_names_only_the_sessions_before_now(self):
        ot = clinician_working()
        block = plan_treatment_block(
            referral=referral_in("waiting", received_date=dt.date(2026, 10, 1)),
            clinician=ot,
            location=clinic(),
            first_start=london(2026, 12, 21, 10),  # then 4 January 2027 at 10:00, an hour after now
            sessions=2,
            interval_days=14,
            planned_by=ot,
        )
        (warning,) = block.series.warnings
        assert warning["dates"] == ["2026-12-21"]
        assert warning["message"].startswith("1 session of this block is in the past: Monday 21 December 2026. It is")

    def test_a_block_wholly_to_come_has_no_warning_of_the_past(self):
        ot = clinician_working()
        block = plan_treatment_block(
            referral=referral_in("waiting"),
            clinician=ot,
            location=clinic(),
            first_start=london(2027, 1, 4, 9, 0),  # starts this very minute: not in the past
            sessions=2,
            planned_by=ot,
        )
        assert block.series.warnings == []
        assert AuditEvent.objects.get(action="referral.block_planned").detail["warnings"] == []

    def test_one_clash_refuses_the_whole_block(self):
        ot = clinician_working()
        book(referral_in("waiting"), ot, london(2027, 1, 25, 10))
        referral = referral_in("waiting")
        with pytest.raises(DoubleBooking):
            plan_treatment_block(
                referral=referral,
                clinician=ot,
                location=clinic(),
                first_start=london(2027, 1, 11, 10),
                sessions=4,
                planned_by=ot,
            )
        assert not Appointment.objects.filter(referral=referral).exists()


@pytest.mark.django_db
class TestOutcomes:
    def test_attending_the_first_appointment_stops_the_clock_once(self):
        with time_machine.travel(NOW, tick=False):
            ot = clinician_working()
            referral = referral_in("waiting", received_date=dt.date(2026, 12, 1))
            first = book(referral, ot, london(2027, 1, 11))
            second = book(referral, ot, london(2027, 1, 18), kind="treatment")
        with time_machine.travel("2027-01-20 12:00 +00:00", tick=False):
            record_outcome(appointment=first, outcome="attended", recorded_by=ot)
            record_outcome(appointment=second, outcome="attended", recorded_by=ot)
        referral.refresh_from_db()
        assert referral.status == "seen"
        assert referral.first_attended_on == dt.date(2027, 1, 11)
        assert referral.days_waited == 41
        assert not referral.is_on_waiting_list

    def test_an_outcome_cannot_be_recorded_before_the_appointment(self):
        with time_machine.travel(NOW, tick=False):
            appointment = book(referral_in("waiting"), clinician_working(), london(2027, 1, 11))
            with pytest.raises(TransitionRefused, match="not happened yet"):
                record_outcome(appointment=appointment, outcome="attended", recorded_by=staff("ot"))

    def test_two_was_not_brought_in_a_row_raise_one_flag_and_never_discharge(self):
        with time_machine.travel(NOW, tick=False):
            ot = clinician_working()
            referral = referral_in("waiting")
            appointments = [book(referral, ot, london(2027, 1, d), kind="treatment") for d in (11, 18, 25)]
        with time_machine.travel("2027-02-01 12:00 +00:00", tick=False):
            record_outcome(appointment=appointments[0], outcome="was_not_brought", recorded_by=ot)
            assert not AttendanceFlag.objects.exists()
            record_outcome(appointment=appointments[1], outcome="was_not_brought", recorded_by=ot)
            record_outcome(appointment=appointments[2], outcome="was_not_brought", recorded_by=ot)
        assert AttendanceFlag.objects.filter(referral=referral, state="open").count() == 1
        assert Referral.objects.get(pk=referral.pk).status == "booked"

    def test_attending_in_between_breaks_the_run(self):
        with time_machine.travel(NOW, tick=False):
            ot = clinician_working()
            referral = referral_in("waiting")
            appointments = [book(referral, ot, london(2027, 1, d), kind="treatment") for d in (11, 18, 25)]
        with time_machine.travel("2027-02-01 12:00 +00:00", tick=False):
            for appointment, outcome in zip(
                appointments, ["was_not_brought", "attended", "was_not_brought"], strict=True
            ):
                record_outcome(appointment=appointment, outcome=outcome, recorded_by=ot)
        assert not AttendanceFlag.objects.exists()


def test_two_clerks_booking_the_same_slot_at_once_get_one_booking_and_one_refusal(committed_db):
    """Runs on SQLite (IMMEDIATE transactions) and PostgreSQL (row locks and the exclusion constraint)."""
    with time_machine.travel(NOW, tick=False):
        ot = clinician_working()
        referrals = [referral_in("waiting"), referral_in("waiting")]
        clerks = [staff("clinical_admin", "clerk-a"), staff("clinical_admin", "clerk-b")]
        location = clinic()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            book(referrals[index], ot, london(2027, 1, 11, 9, 30), location=location, booked_by=clerks[index])
            results.append("booked")
        except DoubleBooking:
            results.append("refused")
        except Exception as error:
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    with time_machine.travel(NOW, tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(results) == ["booked", "refused"]
    assert Appointment.objects.filter(clinician=ot, cancelled=False).count() == 1


@pytest.mark.django_db
def test_on_postgresql_the_database_itself_refuses_an_overlap_that_skips_the_service():
    """On SQLite the booking service's locked check is the only guard, and this direct insert goes through."""
    from django.db import IntegrityError, transaction

    with time_machine.travel(NOW, tick=False):
        ot = clinician_working()
        first = book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 30))
    overlapping = {
        "referral": referral_in("waiting"),
        "kind": "assessment",
        "clinician": ot,
        "location": first.location,
        "start": london(2027, 1, 11, 10, 0),
        "end": london(2027, 1, 11, 11, 0),
        "booked_by": ot,
    }
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="appointment_no_overlap_clinician"), transaction.atomic():
            Appointment.objects.create(**overlapping)
        Appointment.objects.create(**overlapping, cancelled=True)  # a cancelled one holds no time
    else:
        Appointment.objects.create(**overlapping)


@pytest.mark.django_db
def test_an_appointment_cannot_be_before_the_referral_was_received():
    with time_machine.travel(NOW, tick=False):
        referral = referral_in("waiting", received_date=dt.date(2027, 1, 4))
        with pytest.raises(ValueError, match="before the referral was received"):
            book(referral, clinician_working(), london(2027, 1, 1))


def test_the_attendance_policy_is_data_with_sensible_values():
    from paedot.appointments.policy import attendance_policy

    policy = attendance_policy()
    assert policy.was_not_brought_in_a_row == 2
    assert policy.reminder_days_ahead == 2


def test_a_policy_file_with_nonsense_is_refused(tmp_path):
    from paedot.appointments.policy import attendance_policy

    bad = tmp_path / "attendance.json"
    bad.write_text('{"was_not_brought_in_a_row": 0, "reminder_days_ahead": 2}')
    with pytest.raises(ValueError, match="1 or more"):
        attendance_policy(bad)
