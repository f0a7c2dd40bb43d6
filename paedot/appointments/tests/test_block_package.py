"""Planning a block of treatment for a package of care, from the plan-block page (?package=<id>) and the API
("package": id): the block is linked to the package and the package's review falls due on the review appointment's
day. A package that cannot take the block leaves nothing booked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from paedot.appointments.models import Appointment, AppointmentSeries
from paedot.appointments.tests.factories import clinic, clinician_working
from paedot.care.models import Package
from paedot.care.tests.factories import package_with_goals, reviewed
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        yield


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


def block_body(**overrides) -> dict:
    return {
        "clinician": "ot-diary",
        "location": clinic().pk,
        "first_start": "2027-03-15T10:00:00+00:00",
        "sessions": 4,
        "interval_days": 7,
        "duration_minutes": 45,
        **overrides,
    }


def post_block(client, referral, body: dict):
    token = issue_api_token(user=staff("ot", "ot-block-api"), name="t")
    return client.post(
        f"/api/referrals/{referral.reference}/blocks",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def sessions_value(page: str) -> str:
    field = re.search(r'<input[^>]*name="sessions"[^>]*>', page)
    assert field is not None
    return re.search(r'value="([^"]*)"', field[0])[1]


# --- The page ----------------------------------------------------------------------------------------------------


def test_the_page_for_a_package_offers_its_sessions_and_links_the_block_it_books(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    package = package_with_goals(referral, sessions=4)
    client.force_login(staff("ot", "ot-page"))
    url = f"/staff/appointments/block/{referral.reference}?package={package.pk}"
    page = client.get(url).content.decode()
    assert sessions_value(page) == "4"
    assert "This block delivers the package of care (block 1), set for 4 sessions." in page
    response = client.post(url, block_form(ot), follow=True)
    series = AppointmentSeries.objects.get(referral=referral)
    assert response.redirect_chain == [(f"/staff/appointments/block/{referral.reference}/{series.pk}", 302)]
    assert "It delivers package of care (block 1): its review is due then." in response.content.decode()
    package.refresh_from_db()
    assert package.series == series
    assert package.review_appointment.kind == "review"
    assert package.review_due_on == dt.date(2027, 4, 19)  # Easter Monday skipped: sessions to 12 April, then review


def test_the_page_without_a_package_offers_six_sessions_and_links_nothing(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    package = package_with_goals(referral, sessions=8)
    client.force_login(staff("ot", "ot-page"))
    page = client.get(f"/staff/appointments/block/{referral.reference}").content.decode()
    assert sessions_value(page) == "6" and "This block delivers" not in page
    assert client.post(f"/staff/appointments/block/{referral.reference}", block_form(ot)).status_code == 302
    assert Package.objects.get(pk=package.pk).series is None


@pytest.mark.parametrize("which", ["another_childs", "unknown", "not_a_number"])
def test_the_page_does_not_find_a_package_that_is_not_this_childs(client, which):
    referral = referral_in("waiting")
    elsewhere = package_with_goals(referral_in("waiting"))
    value = {"another_childs": elsewhere.pk, "unknown": 999999, "not_a_number": "first"}[which]
    client.force_login(staff("ot", "ot-page"))
    assert client.get(f"/staff/appointments/block/{referral.reference}?package={value}").status_code == 404


def test_a_reviewed_package_takes_no_block_and_nothing_is_booked(client):
    ot = clinician_working()
    referral = referral_in("waiting")
    package = package_with_goals(referral, n=1)
    reviewed(package, [0])
    client.force_login(staff("ot", "ot-page"))
    url = f"/staff/appointments/block/{referral.reference}?package={package.pk}"
    response = client.post(url, block_form(ot))
    assert response.status_code == 409
    assert "has been reviewed" in response.content.decode()
    assert not AppointmentSeries.objects.exists() and not Appointment.objects.exists()


# --- The API -----------------------------------------------------------------------------------------------------


def test_the_api_plans_a_block_for_a_package_and_the_package_shows_it(client):
    clinician_working()
    referral = referral_in("waiting")
    package = package_with_goals(referral)
    response = post_block(client, referral, block_body(package=package.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["package"] == package.pk
    token = issue_api_token(user=staff("ot", "ot-block-api"), name="r")
    read = client.get(f"/api/packages/{package.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert read["series"] == body["series"]
    assert read["review_appointment"] == body["review"]["id"]
    assert read["review_due_on"] == "2027-04-19"


def test_the_api_without_a_package_is_as_before(client):
    clinician_working()
    response = post_block(client, referral_in("waiting"), block_body())
    assert response.status_code == 201 and response.json()["package"] is None


def test_the_api_refuses_another_childs_package_and_books_nothing(client):
    clinician_working()
    elsewhere = package_with_goals(referral_in("waiting"))
    response = post_block(client, referral_in("waiting"), block_body(package=elsewhere.pk))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "package"
    assert not AppointmentSeries.objects.exists()


def test_the_api_refuses_a_reviewed_package_with_409_and_books_nothing(client):
    clinician_working()
    referral = referral_in("waiting")
    package = package_with_goals(referral, n=1)
    reviewed(package, [1])
    response = post_block(client, referral, block_body(package=package.pk))
    assert response.status_code == 409
    assert not AppointmentSeries.objects.exists() and not Appointment.objects.exists()
