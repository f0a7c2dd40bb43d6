"""Hazard H25: booking a home visit, planning a block at the child's home and the appointment and block pages show
the child's alerts that matter on a visit (safeguarding first, category and short text, never the details), on the
pages and in the API; alerts ended or of other kinds are not shown, nor are alerts on a visit elsewhere."""

from __future__ import annotations

import pytest
import time_machine

from paedot.alerts.services import end_alert
from paedot.alerts.tests.factories import alert_on
from paedot.appointments.models import Appointment, AppointmentSeries
from paedot.appointments.services import book_appointment
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.diaries.models import Location, LocationKind
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

TODAY = "2027-01-04 09:00 +00:00"
DETAILS = "Social worker Jo Example, 0121 496 0000"


def home() -> Location:
    return Location.objects.get(kind=LocationKind.HOME)


def with_alerts(referral):
    """A dog at the door and a child protection plan (shown), an old restriction ended and a preference (not)."""
    ot = staff("ot", "ot-alerts")
    alert_on(referral, category="risk_to_staff", text="Dog at the home: ask for it to be shut away", by=ot)
    alert_on(referral, category="child_protection_plan", text="On a plan since May", details=DETAILS, by=ot)
    alert_on(referral, category="other", text="Prefers morning visits", by=ot)
    ended = alert_on(referral, category="contact_restriction", text="Do not tell Dad the address", by=ot)
    end_alert(alert=ended, reason="Order lifted", by=ot)
    return referral


def assert_visit_alerts_shown(page: str) -> None:
    assert 'id="visit-alerts"' in page
    callout = page.split('id="visit-alerts"')[1].split("</div>")[0]
    assert callout.index("Safeguarding: child protection plan") < callout.index("Risk to staff on visits")
    assert "On a plan since May" in callout and "Dog at the home: ask for it to be shut away" in callout
    assert "Prefers morning visits" not in callout  # not an alert that matters on a visit
    assert "Do not tell Dad the address" not in page  # ended
    assert DETAILS not in page  # the details stay on the alerts page


def signed_in(client, role: str):
    user = staff(role, f"{role}-visit-alerts")
    client.force_login(user)
    return user


def book(referral, clinician, *, location, kind="home_visit"):
    return book_appointment(
        referral=referral,
        clinician=clinician,
        kind=kind,
        location=location,
        room=None,
        start=london(2027, 1, 11, 9, 30),
        duration_minutes=60,
        override_reason="",
        booked_by=staff("clinical_admin"),
    )


def booking_form(clinician, location) -> dict:
    return {
        "kind": "home_visit",
        "clinician": str(clinician.pk),
        "school_query": "",
        "location": str(location.pk),
        "room": "",
        "date_day": "11",
        "date_month": "1",
        "date_year": "2027",
        "time": "09:30",
        "duration_minutes": "60",
        "override_reason": "",
    }


def block_form(clinician, location) -> dict:
    return {
        "clinician": str(clinician.pk),
        "school_query": "",
        "location": str(location.pk),
        "room": "",
        "date_day": "15",
        "date_month": "3",
        "date_year": "2027",
        "time": "10:00",
        "sessions": "3",
        "interval_days": "7",
        "duration_minutes": "45",
        "override_reason": "",
    }


# --- Pages ------------------------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_booking_form_shows_the_alerts_that_matter_on_a_home_visit_without_their_details(client):
    clinician_working()
    referral = with_alerts(referral_in("waiting"))
    signed_in(client, "clinical_admin")
    page = client.get(f"/staff/appointments/book/{referral.reference}").content.decode()
    assert_visit_alerts_shown(page)
    assert "If you book a visit to the child" in page


@time_machine.travel(TODAY, tick=False)
def test_a_child_with_no_alerts_that_matter_on_a_visit_has_no_callout_on_the_booking_form(client):
    clinician_working()
    referral = referral_in("waiting")
    alert_on(referral, category="other", text="Prefers morning visits", by=staff("ot", "ot-alerts"))
    signed_in(client, "clinical_admin")
    page = client.get(f"/staff/appointments/book/{referral.reference}").content.decode()
    assert 'id="visit-alerts"' not in page


@time_machine.travel(TODAY, tick=False)
def test_booking_a_home_visit_confirms_it_on_its_page_with_the_alerts(client):
    ot = clinician_working()
    referral = with_alerts(referral_in("waiting"))
    signed_in(client, "clinical_admin")
    response = client.post(f"/staff/appointments/book/{referral.reference}", booking_form(ot, home()), follow=True)
    appointment = Appointment.objects.get(referral=referral)
    assert response.redirect_chain[-1][0] == f"/staff/appointments/{appointment.pk}"
    page = response.content.decode()
    assert "Home visit booked for" in page
    assert "Alerts for this home visit" in page
    assert_visit_alerts_shown(page)


@time_machine.travel(TODAY, tick=False)
def test_an_appointment_at_the_clinic_shows_no_visit_callout(client):
    ot = clinician_working()
    referral = with_alerts(referral_in("waiting"))
    appointment = book(referral, ot, location=clinic(), kind="assessment")
    signed_in(client, "ot")
    page = client.get(f"/staff/appointments/{appointment.pk}").content.decode()
    assert 'id="visit-alerts"' not in page


@time_machine.travel(TODAY, tick=False)
def test_booking_at_the_clinic_for_a_child_with_alerts_still_goes_back_to_the_referral(client):
    ot = clinician_working()
    referral = with_alerts(referral_in("waiting"))
    signed_in(client, "clinical_admin")
    form = booking_form(ot, clinic()) | {"kind": "assessment"}
    response = client.post(f"/staff/appointments/book/{referral.reference}", form)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/referrals/{referral.reference}"


@time_machine.travel(TODAY, tick=False)
def test_planning_a_block_at_home_shows_the_alerts_on_the_form_and_on_the_block(client):
    ot = clinician_working()
    referral = with_alerts(referral_in("waiting"))
    signed_in(client, "ot")
    path = f"/staff/appointments/block/{referral.reference}"
    assert_visit_alerts_shown(client.get(path).content.decode())
    response = client.post(path, block_form(ot, home()), follow=True)
    assert AppointmentSeries.objects.filter(referral=referral).exists()
    page = response.content.decode()
    assert "Alerts for these home visits" in page
    assert_visit_alerts_shown(page)


@time_machine.travel(TODAY, tick=False)
def test_a_block_at_the_clinic_shows_no_visit_callout(client):
    ot = clinician_working()
    referral = with_alerts(referral_in("waiting"))
    signed_in(client, "ot")
    path = f"/staff/appointments/block/{referral.reference}"
    page = client.post(path, block_form(ot, clinic()), follow=True).content.decode()
    assert AppointmentSeries.objects.filter(referral=referral).exists()
    assert 'id="visit-alerts"' not in page


# --- API --------------------------------------------------------------------------------------------------------


def post(client, path: str, body: dict, role: str):
    token = issue_api_token(user=staff(role, f"{role}-visit-alerts-api"), name="t")
    return client.post(path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


EXPECTED = [
    {"category": "child_protection_plan", "text": "On a plan since May"},
    {"category": "risk_to_staff", "text": "Dog at the home: ask for it to be shut away"},
]


@time_machine.travel(TODAY, tick=False)
def test_booking_a_home_visit_in_the_api_answers_with_the_alerts_and_keeps_every_field(client):
    clinician_working()
    referral = with_alerts(referral_in("waiting"))
    body = {
        "referral": referral.reference,
        "clinician": "ot-diary",
        "kind": "home_visit",
        "location": home().pk,
        "start": "2027-01-11T09:30:00+00:00",
        "duration_minutes": 60,
    }
    response = post(client, "/api/appointments", body, "clinical_admin")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["alerts"] == EXPECTED
    assert {"id", "referral", "kind", "address", "warnings", "override_reason"} <= set(answer)
    assert DETAILS not in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_booking_at_the_clinic_in_the_api_answers_with_no_alerts(client):
    clinician_working()
    referral = with_alerts(referral_in("waiting"))
    body = {
        "referral": referral.reference,
        "clinician": "ot-diary",
        "kind": "assessment",
        "location": clinic().pk,
        "start": "2027-01-11T09:30:00+00:00",
        "duration_minutes": 60,
    }
    response = post(client, "/api/appointments", body, "clinical_admin")
    assert response.status_code == 201, response.content
    assert response.json()["alerts"] == []


@time_machine.travel(TODAY, tick=False)
def test_planning_a_block_at_home_in_the_api_answers_with_the_alerts(client):
    clinician_working()
    referral = with_alerts(referral_in("waiting"))
    body = {
        "clinician": "ot-diary",
        "location": home().pk,
        "first_start": "2027-03-15T10:00:00+00:00",
        "sessions": 2,
        "interval_days": 7,
        "duration_minutes": 45,
    }
    response = post(client, f"/api/referrals/{referral.reference}/blocks", body, "ot")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["alerts"] == EXPECTED
    assert {"series", "appointments", "review", "skipped", "package", "warnings"} <= set(answer)


def test_the_booking_and_block_schemas_document_the_alerts(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "alerts" in schema["BookedAppointmentOut"]["properties"]
    assert "alerts" in schema["BlockOut"]["properties"]
    assert "alerts" not in schema["BookedAppointmentOut"].get("required", [])
    assert set(schema["VisitAlertOut"]["properties"]) == {"category", "text"}
