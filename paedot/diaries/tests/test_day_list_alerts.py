"""Hazard H25: the clinician's printed day list carries, next to each home visit, the child's alerts that matter on
a visit (for lone working), compactly and without their details; in one more query however many visits."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paedot.alerts.services import end_alert
from paedot.alerts.tests.factories import alert_on
from paedot.appointments.services import book_appointment
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.diaries.models import Location, LocationKind
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 11)
TODAY = "2027-01-04 09:00 +00:00"
PATH = f"/staff/diaries/clinicians/ot-diary/day/{MONDAY}/print"


def home() -> Location:
    return Location.objects.get(kind=LocationKind.HOME)


def book(referral, clinician, hour: int, *, location=None, kind="home_visit"):
    return book_appointment(
        referral=referral,
        clinician=clinician,
        kind=kind,
        location=location or home(),
        room=None,
        start=london(2027, 1, 11, hour, 0),
        duration_minutes=30,
        booked_by=staff("clinical_admin"),
        override_reason="",
    )


def the_line_of(page: str, name: str) -> str:
    """The day list's entry for a child: from their name to the end of its list item."""
    return page.split(f"{name} Testchild", 2)[-1].split("</li>")[0]


@time_machine.travel(TODAY, tick=False)
def test_the_day_list_shows_each_home_visits_alerts_safeguarding_first_without_details(client):
    ot = clinician_working()
    raiser = staff("ot", "ot-raiser")
    dog = referral_in("waiting", child={"given_name": "Dogged", "address": "2 Soho Road", "postcode": "B21 9RA"})
    alert_on(dog, category="risk_to_staff", text="Dog at the home: ask for it to be shut away", by=raiser)
    alert_on(dog, category="looked_after", text="Foster placement", details="Placement address held by SW", by=raiser)
    alert_on(dog, category="other", text="Prefers morning visits", by=raiser)
    ended = alert_on(dog, category="contact_restriction", text="Do not tell Dad the address", by=raiser)
    end_alert(alert=ended, reason="Order lifted", by=raiser)
    calm = referral_in("waiting", child={"given_name": "Calm", "address": "3 New Street", "postcode": "B1 1AA"})
    at_clinic = referral_in("waiting", child={"given_name": "Clinic"})
    alert_on(at_clinic, category="risk_to_staff", text="Aggressive uncle", by=raiser)
    book(dog, ot, 9)
    book(calm, ot, 11)
    book(at_clinic, ot, 14, location=clinic(), kind="assessment")
    client.force_login(staff("ot", "ot-printer"))

    page = client.get(PATH).content.decode()

    dogged = the_line_of(page, "Dogged")
    assert "Alerts:" in dogged
    assert dogged.index("Safeguarding: looked-after child") < dogged.index("Risk to staff on visits")
    assert "Foster placement" in dogged and "Dog at the home: ask for it to be shut away" in dogged
    assert "Prefers morning visits" not in page  # not an alert that matters on a visit
    assert "Do not tell Dad the address" not in page  # ended
    assert "Placement address held by SW" not in page  # details stay on the alerts page
    assert "Alerts:" not in the_line_of(page, "Calm")  # no alerts
    assert "Aggressive uncle" not in page  # not a home visit


@time_machine.travel(TODAY, tick=False)
def test_a_cancelled_home_visit_is_not_on_the_day_list_and_nor_are_its_alerts(client):
    from paedot.appointments.services import cancel_appointment

    ot = clinician_working()
    referral = referral_in("waiting", child={"given_name": "Gone", "postcode": "B21 9RA"})
    alert_on(referral, category="risk_to_staff", text="Dog at the home", by=staff("ot", "ot-raiser"))
    appointment = book(referral, ot, 9)
    cancel_appointment(appointment=appointment, by="family", reason="Unwell", cancelled_by=staff("ot", "ot-raiser"))
    client.force_login(staff("ot", "ot-printer"))
    page = client.get(PATH).content.decode()
    assert "Dog at the home" not in page


@time_machine.travel(TODAY, tick=False)
def test_the_day_list_reads_every_home_visits_alerts_in_one_query_however_many_visits(
    client, django_assert_num_queries
):
    ot = clinician_working()
    raiser = staff("ot", "ot-raiser")
    client.force_login(staff("ot", "ot-printer"))
    book(referral_in("waiting", child={"given_name": "First", "postcode": "B21 9RA"}), ot, 9)
    with CaptureQueriesContext(connection) as without_alerts:
        assert client.get(PATH).status_code == 200
    postcodes = ("B1 1AA", "B23 6QA", "B21 9RA", "B1 1AA", "B23 6QA")
    for hour, postcode in zip((10, 11, 12, 13, 14), postcodes, strict=True):
        referral = referral_in("waiting", child={"given_name": f"Child{hour}", "postcode": postcode})
        alert_on(referral, category="risk_to_staff", text=f"Risk {hour}", by=raiser)
        alert_on(referral, category="child_in_need", text=f"Need {hour}", by=raiser)
        book(referral, ot, hour)
    # The one query for the alerts runs whenever there is a home visit: six visits with alerts cost what one
    # without did.
    assert sum("alerts_alert" in q["sql"] for q in without_alerts.captured_queries) == 1
    with django_assert_num_queries(len(without_alerts.captured_queries)):
        page = client.get(PATH).content.decode()
    assert page.count("Alerts:</strong>") == 5
