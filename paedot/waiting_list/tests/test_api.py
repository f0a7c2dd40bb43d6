"""The waiting list and invitations in the API: the contract partner systems and reports rely on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from paedot.referrals.models import Referral
from paedot.referrals.services import receive_referral
from paedot.referrals.tests.factories import referral_in, submission
from paedot.staff.services import issue_api_token
from paedot.waiting_list.models import Invitation
from paedot.waiting_list.tests.factories import days_ago, waiting_referral

pytestmark = pytest.mark.django_db

ROW_KEYS = {
    "reference",
    "priority",
    "pathway",
    "received_date",
    "days_waiting",
    "weeks_waiting",
    "band",
    "locality",
    "status",
}


def token_for(user) -> str:
    return issue_api_token(user=user, name="test")


def get(client: Client, token: str | None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/api/waiting-list", params, **headers)


def post(client: Client, token: str, path: str, body: dict | None = None):
    return client.post(path, data=body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def ot_token(ot_user):
    return token_for(ot_user)


def test_the_waiting_list_has_exactly_the_contracts_shape(client, ot_token):
    referral = waiting_referral(priority="soon", pathway="group", received_date=days_ago(130), locality="North")

    response = get(client, ot_token)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "results"}
    assert body["count"] == 1
    [row] = body["results"]
    assert set(row) == ROW_KEYS  # nothing more (no "stands_out"), nothing less
    assert row == {
        "reference": referral.reference,
        "priority": "soon",
        "pathway": "group",
        "received_date": days_ago(130).isoformat(),
        "days_waiting": 130,
        "weeks_waiting": 18,
        "band": "18-52",
        "locality": "North",
        "status": "waiting",
    }


def test_the_waiting_list_is_in_waiting_list_order_with_every_clock_running_status(client, ot_token):
    routine = waiting_referral(priority="routine", received_date=days_ago(60))
    urgent = waiting_referral(priority="urgent", received_date=days_ago(5))
    invited = referral_in("invited")
    booked = referral_in("booked")
    referral_in("accepted")

    body = get(client, ot_token).json()

    assert body["count"] == 4
    references = [row["reference"] for row in body["results"]]
    assert references.index(urgent.reference) < references.index(routine.reference)
    assert {row["status"] for row in body["results"]} == {"waiting", "invited", "booked"}
    assert {invited.reference, booked.reference} <= set(references)


def test_the_waiting_list_filters_by_locality_priority_and_pathway(client, ot_token):
    north_urgent = waiting_referral(locality="North", priority="urgent", pathway="group")
    waiting_referral(locality="East", priority="urgent", pathway="group")
    waiting_referral(locality="North", priority="routine", pathway="group")
    waiting_referral(locality="North", priority="urgent", pathway="package_of_care")

    body = get(client, ot_token, locality="North", priority="urgent", pathway="group").json()

    assert body["count"] == 1
    assert [row["reference"] for row in body["results"]] == [north_urgent.reference]


def test_the_waiting_list_comes_50_a_page_and_counts_every_match(client, ot_token, admin_user, ot_user):
    for n in range(51):
        waiting_referral(received_date=days_ago(100 - n), admin=admin_user, ot=ot_user)

    first = get(client, ot_token).json()
    second = get(client, ot_token, page=2).json()
    third = get(client, ot_token, page=3).json()

    assert (first["count"], second["count"], third["count"]) == (51, 51, 51)
    assert (len(first["results"]), len(second["results"]), len(third["results"])) == (50, 1, 0)
    assert second["results"][0]["days_waiting"] == 50  # the most recently received comes last
    assert first["results"][0]["days_waiting"] == 100


def test_the_waiting_list_needs_a_token(client):
    response = get(client, None)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_partner_system_may_not_read_the_waiting_list(client, partner_token):
    assert get(client, partner_token).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"locality": "Solihull"}, "locality"),
        ({"priority": "whenever"}, "priority"),
        ({"pathway": "magic"}, "pathway"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
    ],
)
def test_a_bad_filter_or_page_is_a_400_naming_it(client, ot_token, params, field):
    response = get(client, ot_token, **params)

    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]]


# Invite and book --------------------------------------------------------------------------------------------------


def test_staff_who_may_invite_get_the_referral_back_invited(client, admin_user):
    referral = waiting_referral()

    response = post(client, token_for(admin_user), f"/api/referrals/{referral.reference}/invite")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "invited"
    assert Invitation.objects.filter(referral=referral, state="open").count() == 1


def test_the_reference_is_found_whatever_its_case(client, admin_user):
    referral = waiting_referral()

    response = post(client, token_for(admin_user), f"/api/referrals/{referral.reference.lower()}/invite")

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("role_fixture", ["auditor_user", "ota_user"])
def test_a_role_that_may_not_invite_gets_403_and_nothing_changes(client, request, role_fixture):
    referral = waiting_referral()
    token = token_for(request.getfixturevalue(role_fixture))

    response = post(client, token, f"/api/referrals/{referral.reference}/invite")

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "waiting"


@pytest.mark.parametrize(("action", "status"), [("invite", "waiting"), ("book", "invited")])
def test_a_partner_system_may_not_invite_or_book_even_for_its_own_referral(
    client, partner_user, partner_token, action, status
):
    referral = receive_referral(submission=submission(), source="api", submitted_by=partner_user, acknowledge=False)
    Referral.objects.filter(pk=referral.pk).update(status=status, priority="routine", priority_rank=3)

    response = post(client, partner_token, f"/api/referrals/{referral.reference}/{action}")

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == status


def test_a_partner_system_cannot_see_a_referral_it_did_not_send(client, partner_token):
    referral = waiting_referral()

    assert post(client, partner_token, f"/api/referrals/{referral.reference}/invite").status_code == 404


def test_inviting_an_unknown_reference_is_a_404(client, admin_user):
    assert post(client, token_for(admin_user), "/api/referrals/NOPE1234/invite").status_code == 404


@pytest.mark.parametrize("status", ["accepted", "invited", "booked", "discharged"])
def test_inviting_a_child_who_is_not_waiting_is_a_409_and_changes_nothing(client, admin_user, status):
    referral = referral_in(status)
    invitations = Invitation.objects.count()

    response = post(client, token_for(admin_user), f"/api/referrals/{referral.reference}/invite")

    assert response.status_code == 409, response.content
    assert response.json()["message"]
    referral.refresh_from_db()
    assert referral.status == status
    assert Invitation.objects.count() == invitations


def test_recording_a_booking_moves_an_invited_child_to_booked(client, ota_user):
    referral = referral_in("invited")

    response = post(client, token_for(ota_user), f"/api/referrals/{referral.reference}/book", {"note": "10 April"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "booked"
    assert Invitation.objects.get(referral=referral).state == "replied"


def test_a_booking_needs_no_note(client, admin_user):
    referral = referral_in("invited")

    assert post(client, token_for(admin_user), f"/api/referrals/{referral.reference}/book").status_code == 200


def test_an_auditor_may_not_record_a_booking(client, auditor_user):
    referral = referral_in("invited")

    response = post(client, token_for(auditor_user), f"/api/referrals/{referral.reference}/book")

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "invited"


def test_booking_an_unknown_reference_is_a_404(client, admin_user):
    assert post(client, token_for(admin_user), "/api/referrals/NOPE1234/book").status_code == 404


@pytest.mark.parametrize("status", ["accepted", "booked", "seen", "discharged"])
def test_booking_a_child_who_is_not_waiting_or_invited_is_a_409(client, admin_user, status):
    referral = referral_in(status)

    response = post(client, token_for(admin_user), f"/api/referrals/{referral.reference}/book")

    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == status


def test_the_dates_in_the_waiting_list_are_iso_dates(client, ot_token):
    waiting_referral(received_date=dt.date(2024, 2, 29))

    [row] = get(client, ot_token).json()["results"]

    assert row["received_date"] == "2024-02-29"


def test_the_waiting_list_filters_by_weeks_waited_band(client, ot_token):
    long_wait = waiting_referral(received_date=days_ago(400))
    waiting_referral(received_date=days_ago(10))

    body = get(client, ot_token, band="52+").json()

    assert [row["reference"] for row in body["results"]] == [long_wait.reference]
    assert get(client, ot_token, band="99+").status_code == 400
