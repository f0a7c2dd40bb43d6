"""Appointment pages: booking from a referral (success, a clash, outside the working pattern then an override),
recording what happened (attended stops the clock), cancelling and moving, blocks of treatment, the referral page's
appointments and missed-appointment flags, and who may do each."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from paedot.appointments.models import Appointment, AppointmentSeries, AttendanceFlag
from paedot.appointments.services import book_appointment
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.core.models import AuditEvent
from paedot.diaries.models import Location, LocationKind
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

TODAY = "2027-01-04 09:00 +00:00"


def signed_in(client, role: str, username: str | None = None):
    user = staff(role, username or f"{role}-page")
    client.force_login(user)
    return user


def booking_form(clinician, **overrides) -> dict:
    data = {
        "kind": "assessment",
        "clinician": str(clinician.pk),
        "school_query": "",
        "location": str(clinic().pk),
        "room": "",
        "date_day": "11",
        "date_month": "1",
        "date_year": "2027",
        "time": "09:30",
        "duration_minutes": "60",
        "override_reason": "",
    }
    data.update(overrides)
    return data


def book(referral, clinician, start, **kwargs):
    return book_appointment(
        referral=referral,
        clinician=clinician,
        kind=kwargs.pop("kind", "assessment"),
        location=kwargs.pop("location", clinic()),
        start=start,
        duration_minutes=kwargs.pop("minutes", 60),
        booked_by=staff("clinical_admin"),
        **kwargs,
    )


# --- Who may do what --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "system_admin"])
@time_machine.travel(TODAY, tick=False)
def test_roles_that_do_not_book_are_refused_the_booking_and_appointment_pages(client, role):
    ot = clinician_working()
    referral = referral_in("waiting")
    appointment = book(referral, ot, london(2027, 1, 11))
    signed_in(client, role)
    assert client.get(f"/staff/appointments/book/{referral.reference}").status_code == 403
    assert client.post(f"/staff/appointments/book/{referral.reference}", booking_form(ot)).status_code == 403
    assert client.get(f"/staff/appointments/block/{referral.reference}").status_code == 403
    assert client.get(f"/staff/appointments/{appointment.pk}").status_code == 403
    assert client.post(f"/staff/appointments/{appointment.pk}/outcome", {"outcome": "attended"}).status_code == 403
    assert client.post(f"/staff/appointments/{appointment.pk}/cancel", {"by": "family"}).status_code == 403
    assert client.post(f"/staff/appointments/{appointment.pk}/move", {}).status_code == 403


@pytest.mark.parametrize("role", ["clinical_admin", "ota"])
def test_only_ots_and_team_leads_plan_blocks(client, role):
    referral = referral_in("waiting")
    signed_in(client, role)
    assert client.get(f"/staff/appointments/block/{referral.reference}").status_code == 403
    assert client.post(f"/staff/appointments/block/{referral.reference}", {}).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    referral = referral_in("waiting")
    response = client.get(f"/staff/appointments/book/{referral.reference}")
    assert response.status_code == 302 and "sign-in" in response.url.replace("_", "-").lower()


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("clinical_admin", ["Book an appointment"]),
        ("ot", ["Book an appointment", "Plan a block of treatment"]),
        ("ota", ["Book an appointment"]),
        ("auditor", []),
    ],
)
def test_the_referral_page_offers_booking_to_those_who_may(client, role, links):
    referral = referral_in("invited")
    signed_in(client, role)
    page = client.get(f"/staff/referrals/{referral.reference}").content.decode()
    for text in ["Book an appointment", "Plan a block of treatment"]:
        assert (text in page) == (text in links), text


# --- Booking ----------------------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_a_clerk_books_an_assessment_for_an_invited_child(client):
    ot = clinician_working()
    referral = referral_in("invited", school_urn="103120")
    signed_in(client, "clinical_admin")
    form = client.get(f"/staff/appointments/book/{referral.reference}").content.decode()
    assert "The child&#39;s school: Bordesley Green East Nursery School" in form
    assert "Ot Person (Occupational therapist" in form
    # Triage said the child is first seen at the clinic: that place is offered first.
    assert re.search(rf'value="{clinic().pk}"\s*selected', form)

    response = client.post(f"/staff/appointments/book/{referral.reference}", booking_form(ot), follow=True)
    assert response.redirect_chain == [(f"/staff/referrals/{referral.reference}", 302)]
    page = response.content.decode()
    assert "Assessment booked for Monday 11 January 2027, 09:30 to 10:30 with Ot Person at Soho Health Centre" in page
    appointment = Appointment.objects.get(referral=referral)
    assert appointment.start == dt.datetime(2027, 1, 11, 9, 30, tzinfo=dt.UTC)
    assert Referral.objects.get(pk=referral.pk).status == "booked"
    assert f'href="/staff/appointments/{appointment.pk}"' in page  # the referral page lists it


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_booked_in_the_past_opens_its_page_with_a_warning_callout_to_record_the_outcome(client):
    ot = clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    signed_in(client, "clinical_admin")
    form = booking_form(ot, date_day="14", date_month="12", date_year="2026")  # 2026: a month ago

    response = client.post(f"/staff/appointments/book/{referral.reference}", form, follow=True)

    appointment = Appointment.objects.get(referral=referral)  # booked all the same
    assert response.redirect_chain == [(f"/staff/appointments/{appointment.pk}", 302)]
    page = response.content.decode()
    assert "Assessment booked for Monday 14 December 2026, 09:30 to 10:30" in page
    assert "nhsuk-warning-callout" in page
    assert "This appointment is in the past: Monday 14 December 2026 at 09:30." in page
    assert "record its outcome (attended or was not brought)" in page
    assert "Record outcome" in page  # on the page it was sent to
    event = AuditEvent.objects.get(action="appointment.booked")
    assert [w["code"] for w in event.detail["warnings"]] == ["in_the_past"]


@time_machine.travel(TODAY, tick=False)
def test_a_time_in_summer_is_london_time_not_utc(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "ot")
    response = client.post(
        f"/staff/appointments/book/{referral.reference}",
        booking_form(ot, date_day="7", date_month="6", time="9.30"),
    )
    assert response.status_code == 302
    assert Appointment.objects.get().start == dt.datetime(2027, 6, 7, 8, 30, tzinfo=dt.UTC)


@time_machine.travel(TODAY, tick=False)
def test_a_clash_is_a_clear_error_keeping_what_was_typed(client):
    ot = clinician_working()
    book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 0))
    referral = referral_in("waiting")
    signed_in(client, "clinical_admin")
    response = client.post(f"/staff/appointments/book/{referral.reference}", booking_form(ot, time="09:30"))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Ot Person already has an appointment from 09:00 to 10:00 on Monday 11 January 2027" in page
    assert 'value="09:30"' in page
    assert not Appointment.objects.filter(referral=referral).exists()


@time_machine.travel(TODAY, tick=False)
def test_outside_working_hours_shows_the_problem_then_books_with_the_reason(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "clinical_admin")
    evening = booking_form(ot, time="18:00")
    response = client.post(f"/staff/appointments/book/{referral.reference}", evening)
    page = response.content.decode()
    assert response.status_code == 422
    assert "is outside the clinician&#39;s working hours" in page
    assert "Reason for booking outside the working pattern" in page
    assert 'value="18:00"' in page
    assert not Appointment.objects.exists()

    reason = "Only time dad can come after work"
    response = client.post(f"/staff/appointments/book/{referral.reference}", {**evening, "override_reason": reason})
    assert response.status_code == 302
    assert Appointment.objects.get().override_reason == reason
    assert AuditEvent.objects.get(action="appointment.booked").detail["overrides"] == ["outside_working_pattern"]


@time_machine.travel(TODAY, tick=False)
def test_missing_answers_are_listed_and_nothing_is_booked(client):
    clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "clinical_admin")
    response = client.post(
        f"/staff/appointments/book/{referral.reference}",
        {"kind": "assessment", "clinician": "", "location": "", "time": "half nine", "duration_minutes": "60"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    for message in ["Choose a clinician", "Choose a place", "Enter date", "Start time must be a time on the 24-hour"]:
        assert message in page
    assert not Appointment.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_an_assistant_cannot_be_booked_for_an_assessment(client, ota_user):
    clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "clinical_admin")
    response = client.post(f"/staff/appointments/book/{referral.reference}", booking_form(ota_user))
    assert response.status_code == 400
    assert "An OT assistant cannot do an assessment or a review on their own" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_a_school_found_by_name_becomes_the_place_of_the_visit(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "ot")
    typed = booking_form(ot, kind="school_visit", location="", school_query="Brearley", find_school="1")
    found = client.post(f"/staff/appointments/book/{referral.reference}", typed)
    page = found.content.decode()
    assert found.status_code == 200
    assert "There is a problem" not in page  # finding a school is not a failed booking
    assert 'value="school:103121"' in page and "Found: Brearley Nursery School" in page
    assert 'value="09:30"' in page  # what was typed is kept

    typed.pop("find_school")
    response = client.post(f"/staff/appointments/book/{referral.reference}", {**typed, "location": "school:103121"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.location.school_urn == "103121"
    assert appointment.location.kind == LocationKind.NURSERY
    assert "B19 3XJ" in appointment.address


def test_a_referral_not_yet_triaged_cannot_be_booked(client):
    referral = referral_in("accepted")
    signed_in(client, "clinical_admin")
    page = client.get(f"/staff/appointments/book/{referral.reference}").content.decode()
    assert "Cannot be booked" in page and "Book appointment" not in page


# --- One appointment --------------------------------------------------------------------------------------------


def test_recording_attended_stops_the_clock(client):
    with time_machine.travel(TODAY, tick=False):
        ot = clinician_working()
        referral = referral_in("invited", received_date=dt.date(2026, 11, 2))
        appointment = book(referral, ot, london(2027, 1, 11))
    with time_machine.travel("2027-01-11 11:00 +00:00", tick=False):
        signed_in(client, "ot")
        page = client.get(f"/staff/appointments/{appointment.pk}").content.decode()
        assert "Record outcome" in page and "Outcome to record" in page
        response = client.post(f"/staff/appointments/{appointment.pk}/outcome", {"outcome": "attended"}, follow=True)
        assert "The waiting-time clock has stopped: 70 days waited" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "seen"
    assert referral.first_attended_on == dt.date(2027, 1, 11)
    assert Appointment.objects.get().outcome == "attended"
    referral_page = client.get(f"/staff/referrals/{referral.reference}").content.decode()
    assert "First attended on <strong>11 January 2027</strong>: the wait was 70 days" in referral_page


def test_an_outcome_cannot_be_recorded_before_the_appointment(client):
    with time_machine.travel(TODAY, tick=False):
        ot = clinician_working()
        appointment = book(referral_in("waiting"), ot, london(2027, 1, 11))
        signed_in(client, "clinical_admin")
        assert (
            "Record what happened once the appointment has started"
            in client.get(f"/staff/appointments/{appointment.pk}").content.decode()
        )
        response = client.post(f"/staff/appointments/{appointment.pk}/outcome", {"outcome": "attended"})
    assert response.status_code == 409
    assert "This appointment has not happened yet" in response.content.decode()
    assert Appointment.objects.get().outcome == ""


def test_two_was_not_brought_in_a_row_raise_a_flag_a_clinician_reviews_on_the_referral_page(client):
    with time_machine.travel(TODAY, tick=False):
        ot = clinician_working()
        referral = referral_in("waiting")
        first = book(referral, ot, london(2027, 1, 11), kind="treatment")
        second = book(referral, ot, london(2027, 1, 18), kind="treatment")
    with time_machine.travel("2027-01-19 09:00 +00:00", tick=False):
        signed_in(client, "clinical_admin")
        client.post(f"/staff/appointments/{first.pk}/outcome", {"outcome": "was_not_brought"})
        response = client.post(f"/staff/appointments/{second.pk}/outcome", {"outcome": "was_not_brought"}, follow=True)
        assert "flagged on the referral for a clinician to review" in response.content.decode()
        flag = AttendanceFlag.objects.get(referral=referral)

        admin_view = client.get(f"/staff/referrals/{referral.reference}").content.decode()
        assert "Missed appointments to review" in admin_view and "Record the review" not in admin_view
        assert client.post(f"/staff/appointments/attendance-flags/{flag.pk}/review", {"note": "x"}).status_code == 403

        signed_in(client, "ot")
        assert "Record the review" in client.get(f"/staff/referrals/{referral.reference}").content.decode()
        empty = client.post(f"/staff/appointments/attendance-flags/{flag.pk}/review", {"note": " "}, follow=True)
        assert "Say what you decided about the missed appointments" in empty.content.decode()
        response = client.post(
            f"/staff/appointments/attendance-flags/{flag.pk}/review",
            {"note": "Spoke to mum: transport problem, offered home visits"},
            follow=True,
        )
    assert "Missed appointments reviewed" in response.content.decode()
    assert "transport problem" in response.content.decode()
    flag.refresh_from_db()
    assert flag.state == "reviewed"
    assert Referral.objects.get(pk=referral.pk).status == "booked"  # never an automatic discharge


@time_machine.travel(TODAY, tick=False)
def test_cancelling_needs_who_and_why_and_leaves_the_rest_of_the_series(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    first = book(referral, ot, london(2027, 1, 11), kind="treatment")
    second = book(referral, ot, london(2027, 1, 18), kind="treatment")
    signed_in(client, "clinical_admin")
    missing = client.post(f"/staff/appointments/{first.pk}/cancel", {"by": "family", "reason": ""})
    assert missing.status_code == 400 and "Give the reason for cancelling" in missing.content.decode()
    response = client.post(
        f"/staff/appointments/{first.pk}/cancel", {"by": "family", "reason": "Child unwell"}, follow=True
    )
    assert "Cancelled by the family" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.cancelled, first.outcome, first.cancellation_reason) == (True, "cancelled_by_family", "Child unwell")
    assert not second.cancelled


@time_machine.travel(TODAY, tick=False)
def test_moving_an_appointment_checks_the_diary_like_booking(client):
    ot = clinician_working()
    appointment = book(referral_in("waiting"), ot, london(2027, 1, 11, 9, 0))
    book(referral_in("waiting"), ot, london(2027, 1, 12, 9, 0))
    signed_in(client, "clinical_admin")
    new_date = {"date_day": "12", "date_month": "1", "date_year": "2027"}

    clash = client.post(f"/staff/appointments/{appointment.pk}/move", {**new_date, "time": "09:30"})
    assert clash.status_code == 409 and "already has an appointment from 09:00 to 10:00" in clash.content.decode()

    late = client.post(f"/staff/appointments/{appointment.pk}/move", {**new_date, "time": "17:30"})
    assert late.status_code == 422
    assert "outside the clinician&#39;s working hours" in late.content.decode()
    assert 'value="17:30"' in late.content.decode()

    moved = client.post(
        f"/staff/appointments/{appointment.pk}/move",
        {**new_date, "time": "17:30", "override_reason": "Family asked for after school"},
        follow=True,
    )
    assert "Moved to Tuesday 12 January 2027, 17:30 to 18:30" in moved.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == dt.datetime(2027, 1, 12, 17, 30, tzinfo=dt.UTC)


# --- Blocks of treatment ----------------------------------------------------------------------------------------


def block_form(clinician, **overrides) -> dict:
    data = {
        "clinician": str(clinician.pk),
        "school_query": "",
        "location": str(clinic().pk),
        "room": "",
        "date_day": "15",
        "date_month": "3",
        "date_year": "2027",
        "time": "10:00",
        "sessions": "4",
        "interval_days": "7",
        "duration_minutes": "45",
        "override_reason": "",
    }
    data.update(overrides)
    return data


@time_machine.travel(TODAY, tick=False)
def test_an_ot_plans_a_block_and_sees_the_sessions_the_skipped_bank_holiday_and_the_review(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "ot")
    assert client.get(f"/staff/appointments/block/{referral.reference}").status_code == 200
    response = client.post(f"/staff/appointments/block/{referral.reference}", block_form(ot), follow=True)
    series = AppointmentSeries.objects.get(referral=referral)
    assert response.redirect_chain == [(f"/staff/appointments/block/{referral.reference}/{series.pk}", 302)]
    page = response.content.decode()
    assert "Block of 4 sessions booked, with the review on Monday 19 April 2027, 10:00 to 10:45" in page
    assert "Monday 5 April 2027, 10:00 to 10:45" in page  # after the clocks change: still 10:00
    assert "Monday 29 March 2027: bank holiday (Easter Monday)" in page
    assert Appointment.objects.filter(series=series).count() == 5


@time_machine.travel(TODAY, tick=False)
def test_a_block_outside_the_working_pattern_asks_for_the_reason(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "ot")
    response = client.post(f"/staff/appointments/block/{referral.reference}", block_form(ot, time="17:00"))
    assert response.status_code == 422
    assert "outside the clinician&#39;s working hours" in response.content.decode()
    assert not AppointmentSeries.objects.exists() and not Appointment.objects.exists()
    response = client.post(
        f"/staff/appointments/block/{referral.reference}",
        block_form(ot, time="17:00", override_reason="After-school sessions agreed with the family"),
    )
    assert response.status_code == 302
    assert Appointment.objects.filter(override_reason__startswith="After-school").count() == 5


@time_machine.travel(TODAY, tick=False)
def test_a_block_that_clashes_books_nothing(client):
    ot = clinician_working()
    book(referral_in("waiting"), ot, london(2027, 3, 22, 10, 0), kind="treatment")
    referral = referral_in("waiting")
    signed_in(client, "team_lead")
    response = client.post(f"/staff/appointments/block/{referral.reference}", block_form(ot))
    assert response.status_code == 409
    assert "already has an appointment" in response.content.decode()
    assert not AppointmentSeries.objects.exists()
    assert Appointment.objects.count() == 1


@time_machine.travel(TODAY, tick=False)
def test_a_group_session_page_says_attendance_is_per_child(client):
    ot = clinician_working()
    appointment = Appointment.objects.create(
        kind="group",
        clinician=ot,
        location=Location.objects.get(name="Soho Health Centre"),
        start=london(2027, 1, 11),
        end=london(2027, 1, 11, 10, 30),
        booked_by=ot,
    )
    signed_in(client, "ot")
    page = client.get(f"/staff/appointments/{appointment.pk}").content.decode()
    assert "Attendance at a group session is recorded for each child" in page


@time_machine.travel(TODAY, tick=False)
def test_a_block_at_school_after_the_school_holidays_held_is_booked_with_a_warning_callout_naming_the_sessions(client):
    ot = clinician_working()
    school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary", school_urn="999001")
    referral = referral_in("waiting")
    signed_in(client, "ot")
    form = block_form(ot, location=str(school.pk), date_day="13", date_month="7", date_year="2028", sessions="3")

    response = client.post(f"/staff/appointments/block/{referral.reference}", form, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Block of 3 sessions booked" in page
    assert 'class="nhsuk-card nhsuk-card--warning' in page and 'id="warning-after_school_calendar"' in page
    assert "School holidays not known for some sessions" in page
    assert "The school holidays held end on 31 August 2028: 2 sessions fall after that" in page
    assert "Thursday 7 September 2028, Thursday 14 September 2028" in page
    # Kept with the block: it says so whenever the block is opened again.
    series = AppointmentSeries.objects.get(referral=referral)
    again = client.get(f"/staff/appointments/block/{referral.reference}/{series.pk}").content.decode()
    assert 'id="warning-after_school_calendar"' in again


@time_machine.travel(TODAY, tick=False)
def test_a_clinic_block_after_the_school_holidays_held_has_no_warning_callout(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    signed_in(client, "ot")
    form = block_form(ot, date_day="4", date_month="9", date_year="2028", sessions="2")

    page = client.post(f"/staff/appointments/block/{referral.reference}", form, follow=True).content.decode()

    assert "Block of 2 sessions booked" in page
    assert "warning-after_school_calendar" not in page and "nhsuk-card--warning" not in page


@time_machine.travel(TODAY, tick=False)
def test_a_block_with_its_first_date_in_the_past_is_booked_with_a_warning_callout_until_each_outcome_is_recorded(
    client,
):
    ot = clinician_working()
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    signed_in(client, "ot")
    form = block_form(ot, date_day="16", date_month="11", date_year="2026")  # 2026 typed for 2027

    response = client.post(f"/staff/appointments/block/{referral.reference}", form, follow=True)

    series = AppointmentSeries.objects.get(referral=referral)
    assert response.redirect_chain == [(f"/staff/appointments/block/{referral.reference}/{series.pk}", 302)]
    page = response.content.decode()
    assert "Block of 4 sessions booked" in page
    assert 'id="warning-in_the_past"' in page and "Sessions booked in the past" in page
    assert (
        "4 sessions of this block are in the past: Monday 16 November 2026, Monday 23 November 2026, Monday 30 "
        "November 2026 and Monday 7 December 2026, and so is the review, Monday 14 December 2026." in page
    )
    assert "record the outcome of each (attended or was not brought)" in page
    event = AuditEvent.objects.get(action="referral.block_planned")
    assert [w["code"] for w in event.detail["warnings"]] == ["in_the_past"]

    # Once every one of them has its outcome (or was cancelled), the callout has done its job.
    appointments = list(series.appointments.order_by("start"))
    for appointment in appointments[:-1]:
        client.post(f"/staff/appointments/{appointment.pk}/outcome", {"outcome": "attended"})
    still = client.get(f"/staff/appointments/block/{referral.reference}/{series.pk}").content.decode()
    assert 'id="warning-in_the_past"' in still  # the review has no outcome yet
    client.post(f"/staff/appointments/{appointments[-1].pk}/cancel", {"by": "service", "reason": "Typed wrongly"})
    done = client.get(f"/staff/appointments/block/{referral.reference}/{series.pk}").content.decode()
    assert 'id="warning-in_the_past"' not in done
    assert AppointmentSeries.objects.get(pk=series.pk).warnings == series.warnings  # still kept with the block


# Booked or moved after the event: the page says the family was told nothing of it (hazard H12).

APPOINTMENT_LETTERS = ("appointment", "treatment_block", "appointment_change")


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_booked_in_the_past_says_on_its_page_that_no_letter_was_sent_and_none_is(client):
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    signed_in(client, "clinical_admin")
    form = booking_form(clinician_working(), date_day="14", date_month="12", date_year="2026")

    page = client.post(f"/staff/appointments/book/{referral.reference}", form, follow=True).content.decode()

    assert "No letter, email or text message was sent to the family, because it has already happened." in page
    assert not referral.letters.filter(kind__in=APPOINTMENT_LETTERS).exists()
    assert not referral.messages.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_block_wholly_in_the_past_says_on_its_page_that_no_letter_was_sent_and_none_is(client):
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    signed_in(client, "ot")
    form = block_form(clinician_working(), date_day="16", date_month="11", date_year="2026")

    page = client.post(f"/staff/appointments/block/{referral.reference}", form, follow=True).content.decode()

    assert "Block of 4 sessions booked" in page
    callout = page.split('id="warning-in_the_past"')[1].split("</div>")[0]
    assert (
        "No letter, email or text message was sent to the family, because these sessions have already happened."
        in callout
    )
    assert not referral.letters.filter(kind__in=APPOINTMENT_LETTERS).exists()
    assert not referral.messages.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_block_partly_in_the_past_says_on_its_page_that_the_family_was_told_only_of_what_is_to_come(client):
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    signed_in(client, "ot")
    # 21 December 2026, then 4 January 2027 at 10:00 (an hour after now), and the review on 18 January.
    form = block_form(clinician_working(), date_day="21", date_month="12", date_year="2026", sessions="2")
    form["interval_days"] = "14"

    page = client.post(f"/staff/appointments/block/{referral.reference}", form, follow=True).content.decode()

    assert "The family was told only of the appointments still to come" in page
    [letter] = referral.letters.filter(kind__in=APPOINTMENT_LETTERS)
    assert letter.kind == "treatment_block"
    assert "21 December 2026" not in letter.html and "Session 1<" not in letter.html
    assert "<td>Session 2</td><td>Monday 4 January 2027</td>" in letter.html
    assert "Monday 18 January 2027" in letter.html  # the review


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_moved_into_the_past_says_so_in_a_callout_on_its_page_and_the_family_is_not_told(client):
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
    told = set(referral.letters.values_list("pk", flat=True))
    signed_in(client, "clinical_admin")
    new_date = {"date_day": "14", "date_month": "12", "date_year": "2026", "time": "09:30"}

    response = client.post(f"/staff/appointments/{appointment.pk}/move", new_date, follow=True)

    assert response.redirect_chain == [(f"/staff/appointments/{appointment.pk}", 302)]
    page = response.content.decode()
    assert "Moved to Monday 14 December 2026, 09:30 to 10:30" in page
    assert "nhsuk-warning-callout" in page
    assert "This appointment has been moved into the past: Monday 14 December 2026 at 09:30." in page
    assert "No letter, email or text message was sent to the family about the move" in page
    assert "Record outcome" in page  # its outcome can be recorded here
    assert set(referral.letters.values_list("pk", flat=True)) == told  # no letter about the move
    assert not referral.messages.filter(reference__contains=":moved:").exists()
    event = AuditEvent.objects.get(action="appointment.moved")
    assert [w["code"] for w in event.detail["warnings"]] == ["in_the_past"]


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_moved_to_a_time_to_come_has_no_warning_callout(client):
    appointment = book(referral_in("waiting"), clinician_working(), london(2027, 1, 11, 9, 30))
    signed_in(client, "clinical_admin")
    new_date = {"date_day": "12", "date_month": "1", "date_year": "2027", "time": "09:30"}

    page = client.post(f"/staff/appointments/{appointment.pk}/move", new_date, follow=True).content.decode()

    assert "Moved to Tuesday 12 January 2027, 09:30 to 10:30" in page
    assert "nhsuk-warning-callout" not in page


# Cancelled or moved: the page says what the family was and was not sent, from what they were last told (H12).


@time_machine.travel(TODAY, tick=False)
def test_cancelling_an_appointment_booked_after_it_happened_says_on_its_page_that_the_family_was_sent_nothing(client):
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    appointment = book(referral, clinician_working(), london(2026, 12, 14, 9, 30))
    signed_in(client, "clinical_admin")

    response = client.post(
        f"/staff/appointments/{appointment.pk}/cancel", {"by": "service", "reason": "Typed wrongly"}, follow=True
    )

    page = response.content.decode()
    assert "Cancelled by the service" in page
    callout = page.split('class="nhsuk-warning-callout"')[1].split("</div>")[0]
    assert (
        "No letter, email or text message was sent to the family about the cancellation, because they were never "
        "told of this appointment" in callout
    )
    assert not referral.letters.filter(kind__in=APPOINTMENT_LETTERS).exists()
    assert not referral.messages.exists()


@time_machine.travel(TODAY, tick=False)
def test_cancelling_an_appointment_the_family_was_told_of_sends_the_cancellation_with_no_warning_callout(client):
    referral = referral_in("waiting")
    appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
    signed_in(client, "clinical_admin")

    page = client.post(
        f"/staff/appointments/{appointment.pk}/cancel", {"by": "service", "reason": "OT unwell"}, follow=True
    ).content.decode()

    assert "Cancelled by the service" in page and "nhsuk-warning-callout" not in page
    assert referral.letters.filter(kind="appointment_change").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_cancelling_a_group_session_says_on_its_page_that_no_family_in_the_group_was_sent_anything(client):
    ot = clinician_working()
    session = book(None, ot, london(2027, 1, 11), kind="group", notify=False)
    signed_in(client, "ot")

    page = client.post(
        f"/staff/appointments/{session.pk}/cancel", {"by": "service", "reason": "OT unwell"}, follow=True
    ).content.decode()

    assert "Cancelled by the service" in page
    assert "No letter, email or text message was sent to the families in the group about the cancellation" in page
    assert "Tell the families with a place in the group yourself." in page


@time_machine.travel(TODAY, tick=False)
def test_a_move_to_a_day_before_the_referral_was_received_is_refused_on_the_page_keeping_what_was_typed(client):
    referral = referral_in("waiting", received_date=dt.date(2026, 12, 1))
    appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
    signed_in(client, "clinical_admin")

    response = client.post(
        f"/staff/appointments/{appointment.pk}/move",
        {"date_day": "30", "date_month": "11", "date_year": "2026", "time": "09:30"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The appointment cannot be before the referral was received (1 December 2026)." in page
    assert 'value="30"' in page and 'value="2026"' in page
    assert Appointment.objects.get(pk=appointment.pk).start == london(2027, 1, 11, 9, 30)


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_the_family_was_told_of_moved_into_the_past_tells_staff_to_tell_them(client):
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    appointment = book(referral, clinician_working(), london(2027, 1, 11, 9, 30))
    signed_in(client, "clinical_admin")

    page = client.post(
        f"/staff/appointments/{appointment.pk}/move",
        {"date_day": "14", "date_month": "12", "date_year": "2026", "time": "09:30"},
        follow=True,
    ).content.decode()

    assert (
        "The family was told it is on Monday 11 January 2027 at 09:30, and their letter and calendar still say so: "
        "unless they already know it has changed, tell them yourself." in page
    )


@time_machine.travel(TODAY, tick=False)
def test_a_block_planned_without_telling_the_family_says_on_its_page_that_nothing_was_sent(client):
    from paedot.appointments.services import plan_treatment_block

    ot = clinician_working()
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    # 21 December 2026 has happened; 4 January 2027 at 10:00 and the review on 18 January are to come.
    block = plan_treatment_block(
        referral=referral,
        clinician=ot,
        location=clinic(),
        first_start=london(2026, 12, 21, 10),
        sessions=2,
        interval_days=14,
        planned_by=ot,
        notify=False,
    )
    signed_in(client, "ot")

    page = client.get(f"/staff/appointments/block/{referral.reference}/{block.series.pk}").content.decode()

    callout = page.split('id="warning-in_the_past"')[1].split("</div>")[0]
    assert "No letter, email or text message was sent to the family about this block" in callout
    assert "told only of the appointments still to come" not in page
    assert not referral.letters.filter(kind__in=APPOINTMENT_LETTERS).exists()
