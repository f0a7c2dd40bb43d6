"""The appointments API contract: book (201), collide (409), outside hours (422 unless overridden), outcome, cancel,
and blocks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.appointments.tests.factories import clinic, clinician_working
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


def post(client, path: str, body: dict, role: str = "clinical_admin"):
    token = issue_api_token(user=staff(role, f"{role}-appt-api"), name="t")
    return client.post(path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def booking(referral, **overrides) -> dict:
    return {
        "referral": referral.reference,
        "clinician": "ot-diary",
        "kind": "assessment",
        "location": clinic().pk,
        "start": "2027-01-11T09:30:00+00:00",
        "duration_minutes": 60,
        **overrides,
    }


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_booking_an_assessment_for_an_invited_child_books_them(client):
    clinician_working()
    referral = referral_in("invited")
    response = post(client, "/api/appointments", booking(referral))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] and body["start"] == "2027-01-11T09:30:00+00:00"
    assert Referral.objects.get(pk=referral.pk).status == "booked"


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_clash_with_the_clinicians_other_booking_is_409(client):
    clinician_working()
    first, second = referral_in("waiting"), referral_in("waiting")
    assert post(client, "/api/appointments", booking(first)).status_code == 201
    response = post(client, "/api/appointments", booking(second, start="2027-01-11T10:00:00+00:00"))
    assert response.status_code == 409
    assert "already has an appointment from 09:30 to 10:30" in response.json()["message"]


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_outside_working_hours_is_422_unless_the_reason_is_given(client):
    clinician_working()
    referral = referral_in("waiting")
    evening = booking(referral, start="2027-01-11T18:00:00+00:00")
    response = post(client, "/api/appointments", evening)
    assert response.status_code == 422
    assert "outside the clinician's working hours" in response.json()["message"]
    assert (
        post(client, "/api/appointments", {**evening, "override_reason": "Only time dad can come"}).status_code == 201
    )


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_bank_holiday_needs_an_override(client):
    clinician_working()
    response = post(client, "/api/appointments", booking(referral_in("waiting"), start="2027-03-29T09:30:00+01:00"))
    assert response.status_code == 422
    assert "bank holiday" in response.json()["message"]


def test_the_first_attended_appointment_stops_the_clock(client):
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        clinician_working()
        referral = referral_in("invited", received_date=__import__("datetime").date(2026, 11, 2))
        appointment_id = post(client, "/api/appointments", booking(referral)).json()["id"]
    with time_machine.travel("2027-01-11 11:00 +00:00", tick=False):
        response = post(client, f"/api/appointments/{appointment_id}/outcome", {"outcome": "attended"})
        assert response.status_code == 200, response.content
        read = client.get(
            f"/api/referrals/{referral.reference}",
            HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=staff('ot', 'reader'), name='r')}",
        ).json()
    assert read["status"] == "seen"
    assert read["first_attended"] == "2027-01-11"
    assert read["days_waited"] == 70


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_block_skips_the_bank_holiday_and_books_the_review_after_the_last_session(client):
    clinician_working()
    referral = referral_in("waiting")
    response = post(
        client,
        f"/api/referrals/{referral.reference}/blocks",
        {
            "clinician": "ot-diary",
            "location": clinic().pk,
            "first_start": "2027-03-15T10:00:00+00:00",
            "sessions": 4,
            "interval_days": 7,
            "duration_minutes": 45,
        },
        role="ot",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    starts = [a["start"][:10] for a in body["appointments"]]
    # 29 March 2027 is Easter Monday: skipped. The clocks change on 28 March: still 10:00 local.
    assert starts == ["2027-03-15", "2027-03-22", "2027-04-05", "2027-04-12"]
    assert body["appointments"][2]["start"] == "2027-04-05T10:00:00+01:00"
    assert body["review"]["start"][:10] == "2027-04-19"
    assert body["review"]["kind"] == "review"
    assert body["skipped"] == [{"date": "2027-03-29", "why": "bank holiday (Easter Monday)"}]


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_an_assistant_cannot_be_booked_for_an_assessment(client):
    clinician_working("ota", "ota-diary")
    response = post(client, "/api/appointments", booking(referral_in("waiting"), clinician="ota-diary"))
    assert response.status_code == 400
    assert "cannot do an assessment" in response.json()["errors"][0]["message"]


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_block_at_school_after_the_school_holidays_held_keeps_every_field_and_adds_warnings(client):
    from paedot.diaries.models import Location, LocationKind

    clinician_working()
    school = Location.objects.create(kind=LocationKind.SCHOOL, name="Test Primary", school_urn="999001")
    block = {
        "clinician": "ot-diary",
        "location": school.pk,
        "first_start": "2028-07-13T13:30:00+01:00",
        "sessions": 3,
        "interval_days": 7,
        "duration_minutes": 45,
    }
    response = post(client, f"/api/referrals/{referral_in('waiting').reference}/blocks", block, role="ot")
    assert response.status_code == 201, response.content
    body = response.json()
    # The fields other systems read are as they were; `warnings` is new.
    assert list(body) == ["series", "appointments", "review", "skipped", "package", "warnings", "alerts"]
    assert isinstance(body["series"], int) and body["package"] is None
    assert [a["start"][:10] for a in body["appointments"]] == ["2028-07-13", "2028-07-20", "2028-09-07"]
    assert body["review"]["start"] == "2028-09-14T13:30:00+01:00"
    assert body["skipped"][0] == {"date": "2028-07-27", "why": "school holiday (Summer holiday)"}
    assert all(set(s) == {"date", "why"} for s in body["skipped"])
    (warning,) = body["warnings"]
    assert warning["code"] == "after_school_calendar"
    assert warning["dates"] == ["2028-09-07", "2028-09-14"]
    assert "could not be skipped" in warning["message"]

    clinic_block = {**block, "location": clinic().pk, "first_start": "2028-09-04T10:00:00+01:00", "sessions": 2}
    response = post(client, f"/api/referrals/{referral_in('waiting').reference}/blocks", clinic_block, role="ot")
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []


def test_the_block_schema_keeps_its_fields_and_documents_the_warnings(client):
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    block = components["BlockOut"]
    assert set(block["required"]) == {"series", "appointments", "review", "skipped"}
    assert list(block["properties"]) == ["series", "appointments", "review", "skipped", "package", "warnings", "alerts"]
    assert block["properties"]["skipped"]["type"] == "array"
    assert set(components["PlanningWarningOut"]["required"]) == {"code", "message", "dates"}


APPOINTMENT_FIELDS = [
    "id",
    "referral",
    "programme",
    "series",
    "kind",
    "clinician",
    "location",
    "room",
    "start",
    "end",
    "duration_minutes",
    "address",
    "cancelled",
    "outcome",
    "override_reason",
]


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_an_appointment_booked_in_the_past_keeps_every_field_and_adds_a_warning(client):
    clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    response = post(client, "/api/appointments", booking(referral, start="2026-12-14T09:30:00+00:00"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == [*APPOINTMENT_FIELDS, "warnings", "alerts"]
    assert body["start"] == "2026-12-14T09:30:00+00:00"
    (warning,) = body["warnings"]
    assert warning["code"] == "in_the_past"
    assert warning["dates"] == ["2026-12-14"]
    assert warning["message"].startswith("This appointment is in the past: Monday 14 December 2026 at 09:30.")

    to_come = post(client, "/api/appointments", booking(referral_in("invited"), start="2027-01-11T11:00:00+00:00"))
    assert to_come.status_code == 201, to_come.content
    assert to_come.json()["warnings"] == []


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_block_in_the_past_keeps_every_field_and_adds_a_warning_naming_the_past_sessions(client):
    clinician_working()
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    block = {
        "clinician": "ot-diary",
        "location": clinic().pk,
        "first_start": "2026-12-21T10:00:00+00:00",  # then 4 January 2027 at 10:00, an hour after now
        "sessions": 2,
        "interval_days": 14,
        "duration_minutes": 45,
    }
    response = post(client, f"/api/referrals/{referral.reference}/blocks", block, role="ot")
    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == ["series", "appointments", "review", "skipped", "package", "warnings", "alerts"]
    assert [a["start"][:10] for a in body["appointments"]] == ["2026-12-21", "2027-01-04"]
    assert all(list(a) == APPOINTMENT_FIELDS for a in [*body["appointments"], body["review"]])
    (warning,) = body["warnings"]
    assert warning["code"] == "in_the_past"
    assert warning["dates"] == ["2026-12-21"]
    assert warning["message"].startswith("1 session of this block is in the past: Monday 21 December 2026.")


def test_the_booking_schema_keeps_the_appointment_fields_and_documents_the_warnings(client):
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    booked, appointment = components["BookedAppointmentOut"], components["AppointmentOut"]
    assert list(booked["properties"]) == [*appointment["properties"], "warnings", "alerts"]
    assert set(booked["required"]) == set(appointment["required"])
    assert "in_the_past" in components["PlanningWarningOut"]["properties"]["code"]["description"]
    assert list(appointment["properties"]) == APPOINTMENT_FIELDS


# Booked or moved after the event: the family is told nothing of it, and the warning says so (hazard H12).


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_an_appointment_booked_in_the_past_says_no_letter_was_sent_and_none_is(client):
    clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    response = post(client, "/api/appointments", booking(referral, start="2026-12-14T09:30:00+00:00"))
    assert response.status_code == 201, response.content
    (warning,) = response.json()["warnings"]
    assert (
        "No letter, email or text message was sent to the family, because it has already happened."
        in (warning["message"])
    )
    assert not referral.letters.filter(kind="appointment").exists()
    assert not referral.messages.exists()


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_block_wholly_in_the_past_says_no_letter_was_sent_and_none_is(client):
    clinician_working()
    referral = referral_in("waiting", received_date=dt.date(2026, 10, 1))
    block = {
        "clinician": "ot-diary",
        "location": clinic().pk,
        "first_start": "2026-11-16T10:00:00+00:00",
        "sessions": 2,
    }
    response = post(client, f"/api/referrals/{referral.reference}/blocks", block, role="ot")
    assert response.status_code == 201, response.content
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "in_the_past"
    assert (
        "No letter, email or text message was sent to the family, because these sessions have already happened."
        in warning["message"]
    )
    assert not referral.letters.filter(kind="treatment_block").exists()
    assert not referral.messages.exists()


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_moving_an_appointment_into_the_past_keeps_every_field_and_adds_a_warning(client):
    clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    appointment_id = post(client, "/api/appointments", booking(referral)).json()["id"]

    response = post(client, f"/api/appointments/{appointment_id}/move", {"start": "2026-12-14T09:30:00+00:00"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == [*APPOINTMENT_FIELDS, "warnings"]
    assert body["id"] == appointment_id and body["start"] == "2026-12-14T09:30:00+00:00"
    (warning,) = body["warnings"]
    assert warning["code"] == "in_the_past" and warning["dates"] == ["2026-12-14"]
    assert warning["message"].startswith("This appointment has been moved into the past: Monday 14 December 2026")
    assert "No letter, email or text message was sent to the family about the move" in warning["message"]
    assert not referral.letters.filter(kind="appointment_change").exists()
    assert not referral.messages.filter(reference__contains=":moved:").exists()


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_moving_an_appointment_to_come_tells_the_family_of_the_change(client):
    clinician_working()
    referral = referral_in("invited")
    appointment_id = post(client, "/api/appointments", booking(referral)).json()["id"]

    response = post(client, f"/api/appointments/{appointment_id}/move", {"start": "2027-01-12T09:30:00+00:00"})

    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == []
    assert referral.letters.filter(kind="appointment_change").count() == 1


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_moving_checks_the_diary_and_the_appointment_like_booking(client):
    clinician_working()
    first, second = referral_in("waiting"), referral_in("waiting")
    first_id = post(client, "/api/appointments", booking(first)).json()["id"]
    post(client, "/api/appointments", booking(second, start="2027-01-12T09:30:00+00:00"))
    move = f"/api/appointments/{first_id}/move"

    clash = post(client, move, {"start": "2027-01-12T10:00:00+00:00"})
    assert clash.status_code == 409 and "already has an appointment" in clash.json()["message"]
    evening = post(client, move, {"start": "2027-01-12T18:00:00+00:00"})
    assert evening.status_code == 422 and "working hours" in evening.json()["message"]
    after_school = {"start": "2027-01-12T18:00:00+00:00", "override_reason": "After school"}
    assert post(client, move, after_school).status_code == 200
    assert post(client, move, {"start": "2027-01-12T18:00:00"}).status_code in (400, 422)  # no time zone
    assert post(client, "/api/appointments/999999/move", {"start": "2027-01-13T10:00:00+00:00"}).status_code == 404
    for role in ("auditor", "partner_system"):
        assert post(client, move, {"start": "2027-01-13T10:00:00+00:00"}, role=role).status_code == 403


def test_the_move_schema_keeps_the_appointment_fields_and_documents_the_warnings(client):
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    moved, appointment = components["MovedAppointmentOut"], components["AppointmentOut"]
    assert list(moved["properties"]) == [*appointment["properties"], "warnings"]
    assert "in_the_past" in moved["properties"]["warnings"]["description"]
    assert "/api/appointments/{appointment_id}/move" in schema["paths"]


# Cancelled or moved: the API says what the family was and was not sent, from what they were last told (H12).


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_cancelling_an_appointment_booked_after_it_happened_keeps_every_field_and_warns_the_family_was_sent_nothing(
    client,
):
    clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    appointment_id = post(client, "/api/appointments", booking(referral, start="2026-12-14T09:30:00+00:00")).json()[
        "id"
    ]

    response = post(
        client, f"/api/appointments/{appointment_id}/cancel", {"by": "service", "reason": "Typed wrongly"}, role="ot"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == [*APPOINTMENT_FIELDS, "warnings", "told"]
    assert body["cancelled"] is True and body["outcome"] == "cancelled_by_service"
    assert body["told"] == []
    (warning,) = body["warnings"]
    assert warning["code"] == "family_not_told" and warning["dates"] == ["2026-12-14"]
    assert "because they were never told of this appointment" in warning["message"]
    assert not referral.letters.filter(kind="appointment_change").exists()
    assert not referral.messages.exists()


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_cancelling_an_appointment_the_family_was_told_of_tells_them_with_no_warning(client):
    clinician_working()
    referral = referral_in("invited")
    appointment_id = post(client, "/api/appointments", booking(referral)).json()["id"]

    response = post(client, f"/api/appointments/{appointment_id}/cancel", {"by": "service", "reason": "OT unwell"})

    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == []
    assert response.json()["told"] == [referral.reference]
    assert referral.letters.filter(kind="appointment_change").count() == 1


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_cancelling_a_group_session_warns_that_no_family_in_the_group_was_sent_anything(client):
    from paedot.appointments.models import Appointment

    ot = clinician_working()
    session = Appointment.objects.create(
        kind="group",
        clinician=ot,
        location=clinic(),
        start=dt.datetime(2027, 1, 11, 9, tzinfo=dt.UTC),
        end=dt.datetime(2027, 1, 11, 10, tzinfo=dt.UTC),
        booked_by=ot,
    )

    response = post(client, f"/api/appointments/{session.pk}/cancel", {"by": "service", "reason": "OT unwell"})

    assert response.status_code == 200, response.content
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "family_not_told"
    assert "sent to the families in the group about the cancellation" in warning["message"]


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_the_cancel_schema_keeps_the_appointment_fields_and_documents_the_warnings(client):
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    cancelled, appointment = components["CancelledAppointmentOut"], components["AppointmentOut"]
    assert list(cancelled["properties"]) == [*appointment["properties"], "warnings", "told"]
    assert "family_not_told" in cancelled["properties"]["warnings"]["description"]
    assert "reminded" in cancelled["properties"]["told"]["description"]


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_a_move_to_a_day_before_the_referral_was_received_is_400_with_the_bookings_message(client):
    clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 12, 1))
    appointment_id = post(client, "/api/appointments", booking(referral)).json()["id"]
    refused_booking = post(client, "/api/appointments", booking(referral, start="2026-11-30T09:30:00+00:00"))

    response = post(client, f"/api/appointments/{appointment_id}/move", {"start": "2026-11-30T09:30:00+00:00"})

    assert response.status_code == 400 and refused_booking.status_code == 400
    said = "The appointment cannot be before the referral was received (1 December 2026)."
    assert response.json()["message"] == f"start: {said}"  # the field moved, and the booking's words
    assert refused_booking.json()["message"].endswith(said)
    assert referral.appointments.get().start == dt.datetime(2027, 1, 11, 9, 30, tzinfo=dt.UTC)


@time_machine.travel("2027-01-04 09:00 +00:00", tick=False)
def test_an_appointment_told_of_moved_into_the_past_and_back_to_come_is_told_as_a_change_from_the_time_they_hold(
    client,
):
    clinician_working()
    referral = referral_in("invited", received_date=dt.date(2026, 10, 1))
    appointment_id = post(client, "/api/appointments", booking(referral)).json()["id"]  # told: 11 January at 09:30
    move = f"/api/appointments/{appointment_id}/move"

    into_the_past = post(client, move, {"start": "2026-12-14T09:30:00+00:00"})
    (warning,) = into_the_past.json()["warnings"]
    assert "The family was told it is on Monday 11 January 2027 at 09:30" in warning["message"]
    back = post(client, move, {"start": "2027-01-12T09:30:00+00:00"})

    assert back.status_code == 200 and back.json()["warnings"] == []
    assert not referral.letters.filter(kind="appointment").exclude(subject__contains="11 January").exists()
    [change] = referral.letters.filter(kind="appointment_change")
    assert change.subject == "Your appointment has moved to Tuesday 12 January 2027 at 9:30am"
    assert "which was on Monday 11 January 2027 at 9:30am" in change.html
