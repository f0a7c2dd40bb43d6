"""Group programmes: setting up, booking sessions (no double booking, holidays left out), places (capacity, who may
join), withdrawing, and the register (attendance stops the clock; two "was not brought" raise a flag)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.appointments.models import Appointment, AttendanceFlag
from paedot.appointments.services import (
    DoubleBooking,
    OutsideAvailability,
    book_appointment,
    cancel_appointment,
    record_outcome,
)
from paedot.appointments.tests.factories import clinic, clinician_working
from paedot.core.models import AuditEvent
from paedot.diaries.models import ClosureDay, Location, LocationKind, Room
from paedot.groups.models import Enrolment, GroupAttendance, GroupProgramme
from paedot.groups.services import (
    AlreadyEnrolled,
    GroupFull,
    NotEnrollable,
    create_programme,
    enrol,
    record_attendance,
    record_register,
    schedule_sessions,
    withdraw,
)
from paedot.groups.tests.factories import NOW, at, enrolled_children, handwriting_group, with_sessions
from paedot.referrals.models import Referral
from paedot.referrals.services import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import referral_in, staff
from paedot.waiting_list.models import Invitation

pytestmark = [pytest.mark.django_db]

AFTER_THREE_SESSIONS = "2027-01-26 12:00 +00:00"


@pytest.fixture(autouse=True)
def early_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


class TestSettingUp:
    def test_an_ot_sets_up_a_group_and_it_is_audited(self):
        programme = handwriting_group(capacity=6)
        assert programme.capacity == 6 and programme.location == clinic()
        (event,) = events("group.created")
        assert event.object_type == "groups.groupprogramme" and event.object_id == str(programme.pk)

    @pytest.mark.parametrize("role", ["clinical_admin", "ota", "auditor"])
    def test_only_ots_and_team_leads_set_up_groups(self, role):
        with pytest.raises(NotAllowed):
            create_programme(
                name="Sensory workshop",
                description="",
                audience="parents",
                capacity=10,
                clinician=clinician_working(),
                location=clinic(),
                room=None,
                created_by=staff(role, f"{role}-creator"),
            )

    def test_an_assistant_with_a_supervising_ot_may_run_a_group(self):
        ota = clinician_working("ota", "ota-groups")
        ota.supervisor = staff("ot", "ot-supervisor")
        ota.save(update_fields=["supervisor"])
        assert handwriting_group(clinician=ota).clinician == ota

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"clinician": "clinical_admin"}, "Only OTs, OT assistants and team leads"),
            ({"clinician": "ota"}, "no supervising OT"),
            ({"capacity": 0}, "1 to 60 places"),
            ({"name": "  "}, "Give the group a name"),
            ({"audience": "teachers"}, "Choose who the group is for"),
            ({"location": "home"}, "Choose a place the group can meet"),
        ],
    )
    def test_bad_set_ups_are_refused_with_a_reason(self, change, message):
        values = {
            "name": "Handwriting group",
            "description": "",
            "audience": "children",
            "capacity": 8,
            "clinician": clinician_working(),
            "location": clinic(),
            "room": None,
            "created_by": staff("ot", "ot-groups"),
        }
        if "clinician" in change:
            change = {"clinician": staff(change["clinician"], "not-a-group-runner")}
        if change.get("location") == "home":
            change = {"location": Location.objects.get(kind=LocationKind.HOME)}
        with pytest.raises(ValueError, match=message):
            create_programme(**{**values, **change})
        assert not GroupProgramme.objects.exists()

    def test_a_room_must_be_at_the_groups_place(self):
        video = Location.objects.get(kind=LocationKind.VIDEO)
        room = Room.objects.create(location=clinic(), name="Room 2")
        with pytest.raises(ValueError, match="Room 2 is not at Video call"):
            create_programme(
                name="Online group",
                description="",
                audience="parents",
                capacity=8,
                clinician=clinician_working(),
                location=video,
                room=room,
                created_by=staff("ot", "ot-groups"),
            )


class TestSessions:
    def test_weekly_sessions_are_group_appointments_with_no_referral(self):
        programme = handwriting_group()
        sessions = with_sessions(programme, sessions=3)
        assert [s.start for s in sessions] == [at(2027, 1, d) for d in (11, 18, 25)]
        assert all(s.kind == "group" and s.referral_id is None and s.programme == programme for s in sessions)
        (event,) = events("group.sessions_scheduled")
        assert event.detail["sessions"] == [s.pk for s in sessions]

    def test_bank_holidays_and_closures_are_left_out_and_the_time_holds_across_the_clock_change(self):
        ClosureDay.objects.create(date=dt.date(2027, 3, 15), reason="Team training day")
        programme = handwriting_group()
        sessions = with_sessions(programme, first=at(2027, 3, 8), sessions=4)
        # 15 March closed; 29 March is Easter Monday; the clocks go forward on 28 March.
        assert [s.start for s in sessions] == [
            at(2027, 3, 8),
            at(2027, 3, 22),
            at(2027, 4, 5),
            at(2027, 4, 12),
        ]
        assert sessions[2].start.utcoffset() == dt.timedelta(hours=1)
        assert sessions[2].start.astimezone(dt.UTC).hour == 8
        skipped = {item["date"] for item in events("group.sessions_scheduled")[0].detail["skipped"]}
        assert skipped == {"2027-03-15", "2027-03-29"}

    def test_a_group_at_a_school_also_leaves_out_school_holidays(self):
        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary School", postcode="B21 9RY")
        programme = create_programme(
            name="Scissor skills at school",
            description="",
            audience="children",
            capacity=6,
            clinician=clinician_working(),
            location=school,
            room=None,
            created_by=staff("ot", "ot-groups"),
        )
        sessions = with_sessions(programme, first=at(2027, 2, 8, 13), sessions=2)
        assert [s.start.date() for s in sessions] == [dt.date(2027, 2, 8), dt.date(2027, 2, 22)]  # half term out

    def test_a_group_at_a_school_after_the_school_holidays_held_is_booked_with_a_warning_naming_those_sessions(self):
        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary School", postcode="B21 9RY")
        programme = create_programme(
            name="Scissor skills at school",
            description="",
            audience="children",
            capacity=6,
            clinician=clinician_working(),
            location=school,
            room=None,
            created_by=staff("ot", "ot-groups"),
        )
        scheduled = schedule_sessions(
            programme=programme,
            first_start=at(2028, 7, 17, 13),
            sessions=3,
            interval_days=7,
            duration_minutes=60,
            scheduled_by=staff("ot", "ot-groups"),
        )
        # 17 July; the summer holiday (21 July to 31 August) left out; then 4 and 11 September, after the last day held.
        assert [s.start.date() for s in scheduled.sessions] == [
            dt.date(2028, 7, 17),
            dt.date(2028, 9, 4),
            dt.date(2028, 9, 11),
        ]
        (warning,) = scheduled.warnings
        assert warning.code == "after_school_calendar"
        assert warning.dates == (dt.date(2028, 9, 4), dt.date(2028, 9, 11))
        (event,) = events("group.sessions_scheduled")
        assert [w["dates"] for w in event.detail["warnings"]] == [["2028-09-04", "2028-09-11"]]

    def test_a_group_at_a_school_within_the_school_holidays_held_and_a_clinic_group_after_them_have_no_warning(self):
        school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary School", postcode="B21 9RY")
        at_school = create_programme(
            name="Scissor skills at school",
            description="",
            audience="children",
            capacity=6,
            clinician=clinician_working(),
            location=school,
            room=None,
            created_by=staff("ot", "ot-groups"),
        )
        ot = staff("ot", "ot-groups")
        within = schedule_sessions(
            programme=at_school, first_start=at(2028, 7, 17, 13), sessions=1, interval_days=7, scheduled_by=ot
        )
        at_clinic = schedule_sessions(
            programme=handwriting_group(), first_start=at(2028, 9, 4), sessions=2, interval_days=7, scheduled_by=ot
        )
        assert within.warnings == () and at_clinic.warnings == ()

    def test_one_clash_books_none_of_the_sessions(self):
        ot = clinician_working()
        book_appointment(
            referral=referral_in("waiting"),
            clinician=ot,
            kind="assessment",
            location=clinic(),
            start=at(2027, 1, 25, 10, 0),
            duration_minutes=60,
            booked_by=staff("clinical_admin"),
        )
        programme = handwriting_group(clinician=ot)
        with pytest.raises(DoubleBooking, match="already has an appointment from 10:00 to 11:00"):
            with_sessions(programme, sessions=3)
        assert not Appointment.objects.filter(programme=programme).exists()
        assert not events("group.sessions_scheduled")

    def test_the_room_cannot_be_double_booked_by_two_groups(self):
        room = Room.objects.create(location=clinic(), name="Group room")
        first = handwriting_group(room=room)
        second = handwriting_group(room=room, clinician=clinician_working("ot", "ot-other"), name="Sensory group")
        with_sessions(first, sessions=2)
        with pytest.raises(DoubleBooking, match="Room Group room"):
            with_sessions(second, first=at(2027, 1, 18, 10, 0), sessions=2)

    def test_sessions_outside_working_hours_need_a_reason(self):
        programme = handwriting_group()
        with pytest.raises(OutsideAvailability):
            with_sessions(programme, first=at(2027, 1, 11, 17, 30), sessions=2)
        sessions = with_sessions(
            programme, first=at(2027, 1, 11, 17, 30), sessions=2, override_reason="After school for working parents"
        )
        assert sessions[0].override_reason == "After school for working parents"

    def test_only_ots_and_team_leads_book_sessions(self):
        programme = handwriting_group()
        with pytest.raises(NotAllowed):
            with_sessions(programme, scheduled_by=staff("clinical_admin", "clerk-groups"))


class TestPlaces:
    def test_enrolling_a_waiting_child_books_them(self):
        programme = handwriting_group()
        referral = referral_in("waiting")
        enrolment = enrol(programme=programme, referral=referral, enrolled_by=staff("clinical_admin"))
        assert enrolment.programme == programme
        assert referral.status == "booked"
        assert Referral.objects.get(pk=referral.pk).left_queue_at is not None
        (event,) = events("group.enrolled")
        assert event.object_type == "referrals.referral" and event.object_id == str(referral.pk)

    def test_enrolling_an_invited_child_closes_the_invitation(self):
        referral = referral_in("invited")
        enrol(programme=handwriting_group(), referral=referral, enrolled_by=staff("clinical_admin"))
        assert referral.status == "booked"
        assert Invitation.objects.get(referral=referral).state == Invitation.State.REPLIED

    @pytest.mark.parametrize("status", ["booked", "seen"])
    def test_a_booked_or_seen_child_can_join_and_stays_as_they_are(self, status):
        referral = referral_in(status)
        enrol(programme=handwriting_group(), referral=referral, enrolled_by=staff("ot"))
        assert Referral.objects.get(pk=referral.pk).status == status

    @pytest.mark.parametrize("status", ["received", "accepted", "declined", "discharged"])
    def test_a_child_not_on_the_waiting_list_cannot_join(self, status):
        referral = referral_in(status)
        with pytest.raises(NotEnrollable, match="only children on the waiting list, or already seen"):
            enrol(programme=handwriting_group(), referral=referral, enrolled_by=staff("clinical_admin"))
        assert not Enrolment.objects.exists()

    def test_a_child_cannot_be_enrolled_twice(self):
        programme = handwriting_group()
        (referral,) = enrolled_children(programme, 1)
        with pytest.raises(AlreadyEnrolled, match="already enrolled in Handwriting group"):
            enrol(programme=programme, referral=referral, enrolled_by=staff("clinical_admin"))

    def test_the_last_place_goes_then_the_group_is_full(self):
        programme = handwriting_group(capacity=2)
        enrolled_children(programme, 2)
        late = referral_in("waiting")
        with pytest.raises(GroupFull, match="Handwriting group is full: all 2 places are taken"):
            enrol(programme=programme, referral=late, enrolled_by=staff("clinical_admin"))
        assert Referral.objects.get(pk=late.pk).status == "waiting"

    def test_withdrawing_frees_the_place_and_the_child_can_come_back(self):
        programme = handwriting_group(capacity=1)
        (referral,) = enrolled_children(programme, 1)
        enrolment = Enrolment.objects.get(referral=referral)
        withdrawn = withdraw(enrolment=enrolment, reason="Family moving house", withdrawn_by=staff("clinical_admin"))
        assert withdrawn.withdrawn_at is not None and withdrawn.withdrawal_reason == "Family moving house"
        assert Referral.objects.get(pk=referral.pk).status == "booked"  # the referral itself stays as it is
        other = referral_in("waiting")
        enrol(programme=programme, referral=other, enrolled_by=staff("clinical_admin"))
        withdraw(
            enrolment=Enrolment.objects.get(referral=other), reason="Swapped", withdrawn_by=staff("clinical_admin")
        )
        enrol(programme=programme, referral=referral, enrolled_by=staff("clinical_admin"))
        assert Enrolment.objects.filter(referral=referral).count() == 2
        assert {e.reason for e in events("group.withdrawn")} == {"Family moving house", "Swapped"}

    def test_withdrawing_needs_a_reason_and_happens_once(self):
        programme = handwriting_group()
        enrolled_children(programme, 1)
        enrolment = Enrolment.objects.get()
        with pytest.raises(ValueError, match="Give the reason"):
            withdraw(enrolment=enrolment, reason=" ", withdrawn_by=staff("clinical_admin"))
        withdraw(enrolment=enrolment, reason="No longer needed", withdrawn_by=staff("clinical_admin"))
        with pytest.raises(TransitionRefused, match="already been withdrawn"):
            withdraw(enrolment=enrolment, reason="Again", withdrawn_by=staff("clinical_admin"))

    @pytest.mark.parametrize("role", ["ota", "auditor"])
    def test_assistants_and_auditors_do_not_enrol(self, role):
        with pytest.raises(NotAllowed):
            enrol(programme=handwriting_group(), referral=referral_in("waiting"), enrolled_by=staff(role))


def record(session, referral, outcome, by=None):
    return record_attendance(
        appointment=session, referral=referral, outcome=outcome, recorded_by=by or staff("ota", "ota-register")
    )


class TestRegister:
    def test_the_first_attended_session_stops_the_waiting_clock(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        referral = referral_in("waiting", received_date=dt.date(2026, 11, 2))
        enrol(programme=programme, referral=referral, enrolled_by=staff("clinical_admin"))
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            record(sessions[0], referral, "attended")
            record(sessions[1], referral, "attended")
        referral.refresh_from_db()
        assert referral.status == "seen"
        assert referral.first_attended_on == dt.date(2027, 1, 11)
        assert referral.days_waited == 70
        assert len(events("referral.first_attended")) == 1
        assert GroupAttendance.objects.filter(referral=referral, outcome="attended").count() == 2

    def test_was_not_brought_does_not_stop_the_clock_and_two_in_a_row_raise_a_flag(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            record(sessions[0], referral, "was_not_brought")
            assert not AttendanceFlag.objects.exists()
            record(sessions[1], referral, "cancelled_by_family")
            record(sessions[2], referral, "was_not_brought")
        referral.refresh_from_db()
        assert referral.status == "booked" and referral.first_attended_on is None
        (flag,) = AttendanceFlag.objects.filter(referral=referral)
        assert flag.state == "open" and "safeguarding" in flag.reason

    def test_a_missed_one_to_one_then_a_missed_group_session_raise_the_flag(self):
        ot = clinician_working()
        referral = referral_in("waiting")
        one_to_one = book_appointment(
            referral=referral,
            clinician=ot,
            kind="assessment",
            location=clinic(),
            start=at(2027, 1, 5, 14),
            duration_minutes=60,
            booked_by=staff("clinical_admin"),
        )
        programme = handwriting_group(clinician=ot)
        sessions = with_sessions(programme, sessions=1)
        enrol(programme=programme, referral=referral, enrolled_by=staff("clinical_admin"))
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            record_outcome(appointment=one_to_one, outcome="was_not_brought", recorded_by=ot)
            record(sessions[0], referral, "was_not_brought")
        assert AttendanceFlag.objects.filter(referral=referral).count() == 1

    def test_attendance_cannot_be_recorded_before_the_session_starts(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        with pytest.raises(TransitionRefused, match="has not started yet"):
            record(sessions[0], referral, "attended")
        with time_machine.travel("2027-01-11 09:30 +00:00", tick=False):
            record(sessions[0], referral, "attended")

    def test_only_enrolled_children_are_on_the_register(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        stranger = referral_in("waiting")
        with (
            time_machine.travel(AFTER_THREE_SESSIONS, tick=False),
            pytest.raises(TransitionRefused, match="not enrolled"),
        ):
            record(sessions[0], stranger, "attended")

    def test_a_child_withdrawn_after_a_session_stays_on_its_register(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        with time_machine.travel("2027-01-12 09:00 +00:00", tick=False):
            withdraw(enrolment=Enrolment.objects.get(), reason="Too far to travel", withdrawn_by=staff("ot"))
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            record(sessions[0], referral, "attended")
            with pytest.raises(TransitionRefused, match="not enrolled"):
                record(sessions[1], referral, "attended")

    def test_a_cancelled_session_has_no_register(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        cancel_appointment(appointment=sessions[0], by="service", reason="OT off sick", cancelled_by=staff("ot"))
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False), pytest.raises(TransitionRefused, match="cancelled"):
            record(sessions[0], referral, "attended")

    def test_recording_the_same_outcome_again_changes_nothing_but_a_different_one_is_refused(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            first = record(sessions[0], referral, "was_not_brought")
            assert record(sessions[0], referral, "was_not_brought").pk == first.pk
            with pytest.raises(TransitionRefused, match="already recorded"):
                record(sessions[0], referral, "attended")
        assert len(events("group.attendance.was_not_brought")) == 1

    def test_outcomes_are_the_three_a_child_can_have(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False), pytest.raises(ValueError, match="outcome"):
            record(sessions[0], referral, "cancelled_by_service")

    def test_an_individual_appointment_is_not_a_group_session(self):
        referral = referral_in("waiting")
        one_to_one = book_appointment(
            referral=referral,
            clinician=clinician_working(),
            kind="assessment",
            location=clinic(),
            start=at(2027, 1, 5, 14),
            duration_minutes=60,
            booked_by=staff("clinical_admin"),
        )
        with pytest.raises(ValueError, match="not a group session"):
            record(one_to_one, referral, "attended")

    def test_auditors_cannot_record_attendance(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        (referral,) = enrolled_children(programme, 1)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False), pytest.raises(NotAllowed):
            record(sessions[0], referral, "attended", by=staff("auditor"))

    def test_a_whole_register_is_all_or_nothing(self):
        programme = handwriting_group()
        sessions = with_sessions(programme)
        first, second = enrolled_children(programme, 2)
        with time_machine.travel(AFTER_THREE_SESSIONS, tick=False):
            record(sessions[0], second, "attended")
            with pytest.raises(TransitionRefused, match="already recorded"):
                record_register(
                    appointment=sessions[0],
                    outcomes={first.pk: "attended", second.pk: "was_not_brought"},
                    recorded_by=staff("ot"),
                )
            assert not GroupAttendance.objects.filter(referral=first).exists()
            saved = record_register(
                appointment=sessions[0],
                outcomes={first.pk: "was_not_brought", second.pk: "attended"},
                recorded_by=staff("ot"),
            )
        assert {(a.referral_id, a.outcome) for a in saved} == {(first.pk, "was_not_brought"), (second.pk, "attended")}


class TestSessionsInThePast:
    """Now is Monday 4 January 2027, 9am."""

    def test_sessions_scheduled_in_the_past_are_booked_with_a_warning_kept_in_the_audit_event(self):
        scheduled = schedule_sessions(
            programme=handwriting_group(),
            first_start=at(2026, 12, 21),  # then 4 January 2027 at 09:30, half an hour after now
            sessions=2,
            interval_days=14,
            scheduled_by=staff("ot", "ot-groups"),
        )
        assert [s.start for s in scheduled.sessions] == [at(2026, 12, 21), at(2027, 1, 4)]  # booked all the same
        (warning,) = scheduled.warnings
        assert warning.code == "in_the_past" and warning.dates == (dt.date(2026, 12, 21),)
        assert warning.message.startswith("1 session of this group is in the past: Monday 21 December 2026.")
        (event,) = events("group.sessions_scheduled")
        assert [(w["code"], w["dates"]) for w in event.detail["warnings"]] == [("in_the_past", ["2026-12-21"])]

    def test_families_in_the_group_get_no_message_about_sessions_in_the_past_only_a_reminder_of_the_next(self):
        from paedot.appointments import messages
        from paedot.notifications.models import Message

        programme = handwriting_group()
        admin = staff("clinical_admin", "clerk-groups")
        for _ in range(2):
            enrol(
                programme=programme,
                referral=referral_in("waiting", received_date=dt.date(2026, 10, 1)),
                enrolled_by=admin,
            )
        # 23 November, 7 and 21 December 2026 have happened; 4 January 2027 at 09:30 is still to come.
        sessions = with_sessions(programme, first=at(2026, 11, 23), sessions=4, interval_days=14)
        *past, next_one = sessions
        assert not Message.objects.exists()  # scheduling tells no family anything
        assert [messages.queue_reminders(session) for session in past] == [0, 0, 0]
        assert messages.send_appointment_reminders() == 2  # both families, of the session still to come
        reminded = set(Message.objects.values_list("reference", flat=True))
        assert reminded and all(ref.startswith(f"appointment:{next_one.pk}:reminder:") for ref in reminded)


class TestFamiliesAreNotMessagedAboutCancelledSessionsOrWithdrawal:
    """Now is Monday 4 January 2027, 9am. Hazard H12: a family is told only of what they hold and is still to come;
    the service sends nothing about a cancelled group session or a withdrawal, and the staff are told so."""

    # Cancelling a session still to come now tells the families reminded of it: test_cancelled_group_sessions.py.

    def test_cancelling_a_session_that_has_happened_says_so_and_sends_nothing(self):
        from paedot.appointments.services import cancel_warnings
        from paedot.notifications.models import Message

        programme = handwriting_group()
        enrolled_children(programme, 1)
        (session,) = with_sessions(programme, first=at(2026, 12, 21), sessions=1)
        cancelled = cancel_appointment(
            appointment=session, by="service", reason="Typed wrongly", cancelled_by=staff("ot")
        )
        assert not Message.objects.exists()
        (warning,) = cancel_warnings(cancelled)
        assert warning["message"].endswith("the session had already started when it was cancelled.")

    def test_withdrawing_sends_the_family_nothing_and_no_more_reminders(self):
        from paedot.appointments import messages
        from paedot.letters.models import Letter
        from paedot.notifications.models import Message

        programme = handwriting_group()
        with_sessions(programme, first=at(2027, 1, 5), sessions=2)
        stays, leaves = enrolled_children(programme, 2)
        withdraw(
            enrolment=Enrolment.objects.get(referral=leaves), reason="Family moving house", withdrawn_by=staff("ot")
        )
        assert not Message.objects.exists() and not Letter.objects.filter(referral=leaves).exists()
        assert messages.send_appointment_reminders() == 1
        assert set(Message.objects.values_list("referral", flat=True)) == {stays.pk}
