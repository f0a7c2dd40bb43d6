"""POST /api/referrals/{reference}/allocate and GET /api/caseloads."""

from __future__ import annotations

import json

import pytest

from paedot.caseloads.services import allocate_referral
from paedot.referrals.models import Referral, Status
from paedot.staff.services import issue_api_token
from paedot.triage.tests.factories import referral_in

pytestmark = pytest.mark.django_db


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='t')}"}


def allocate(client, reference, body, user=None):
    return client.post(
        f"/api/referrals/{reference}/allocate",
        data=json.dumps(body),
        content_type="application/json",
        **(auth(user) if user else {}),
    )


def test_a_team_lead_allocates_a_referral_by_username(client, ot_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")

    response = allocate(client, referral.reference, {"clinician": ot_user.username}, team_lead_user)

    assert response.status_code == 200, response.content
    assert response.json()["clinician"] == ot_user.username
    assert response.json()["history"][-1]["action"] == "referral.allocated"


def test_admin_staff_transfer_with_a_reason(client, admin_user, ot_user, ota_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")
    allocate_referral(referral=referral, clinician=ot_user, allocated_by=team_lead_user)

    without = allocate(client, referral.reference, {"clinician": ota_user.username}, admin_user)
    with_reason = allocate(
        client, referral.reference, {"clinician": ota_user.username, "reason": "OT on leave"}, admin_user
    )

    assert without.status_code == 400
    assert [e["field"] for e in without.json()["errors"]] == ["reason"]
    assert with_reason.status_code == 200
    assert with_reason.json()["clinician"] == ota_user.username


def test_an_unknown_username_is_400(client, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")

    response = allocate(client, referral.reference, {"clinician": "nobody"}, team_lead_user)

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["clinician"]
    assert Referral.objects.get(pk=referral.pk).clinician is None


def test_a_member_of_staff_who_cannot_hold_a_caseload_is_400(client, admin_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")

    response = allocate(client, referral.reference, {"clinician": admin_user.username}, team_lead_user)

    assert response.status_code == 400


@pytest.mark.parametrize("fixture", ["ot_user", "ota_user", "auditor_user", "partner_user"])
def test_roles_that_may_not_allocate_get_403(client, request, ot_user, fixture):
    person = request.getfixturevalue(fixture)
    referral = referral_in(Status.WAITING, priority="routine")
    if fixture == "partner_user":
        # A partner system sees only what it sent: make it the sender, so the answer is 403 and not 404.
        Referral.objects.filter(pk=referral.pk).update(submitted_by=person)

    response = allocate(client, referral.reference, {"clinician": ot_user.username}, person)

    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).clinician is None


def test_an_unknown_reference_is_404(client, ot_user, team_lead_user):
    assert allocate(client, "NOSUCH", {"clinician": ot_user.username}, team_lead_user).status_code == 404


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.DECLINED, Status.DISCHARGED])
def test_a_referral_that_cannot_be_allocated_is_409(client, ot_user, team_lead_user, status):
    referral = referral_in(status)

    response = allocate(client, referral.reference, {"clinician": ot_user.username}, team_lead_user)

    assert response.status_code == 409
    assert "only an accepted, open referral" in response.json()["message"]


def test_allocating_to_the_same_clinician_is_409(client, ot_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")
    assert allocate(client, referral.reference, {"clinician": ot_user.username}, team_lead_user).status_code == 200

    response = allocate(client, referral.reference, {"clinician": ot_user.username, "reason": "x"}, team_lead_user)

    assert response.status_code == 409


def test_allocating_without_a_token_is_401(client, ot_user):
    referral = referral_in(Status.WAITING, priority="routine")

    assert allocate(client, referral.reference, {"clinician": ot_user.username}).status_code == 401


# GET /api/caseloads ------------------------------------------------------------------------------------------------


def test_a_team_lead_sees_every_caseload(client, ot_user, ota_user, team_lead_user):
    referral_in(Status.WAITING, priority="urgent", clinician=ot_user)
    referral_in(Status.ACCEPTED, clinician=ot_user)

    response = client.get("/api/caseloads", **auth(team_lead_user))

    assert response.status_code == 200
    loads = {load["clinician"]: load for load in response.json()}
    assert set(loads) == {ot_user.username, ota_user.username, team_lead_user.username}
    assert loads[ot_user.username]["total"] == 2
    assert loads[ot_user.username]["by_status"] == {"waiting": 1, "accepted": 1}
    assert loads[ot_user.username]["by_priority"] == {"urgent": 1, "untriaged": 1}
    assert loads[ota_user.username]["total"] == 0


def test_a_team_lead_can_ask_for_one_clinician(client, ot_user, ota_user, team_lead_user):
    response = client.get(f"/api/caseloads?clinician={ota_user.username}", **auth(team_lead_user))

    assert [load["clinician"] for load in response.json()] == [ota_user.username]


def test_a_clinician_sees_only_their_own_caseload(client, ot_user, ota_user):
    own = client.get("/api/caseloads", **auth(ota_user))
    other = client.get(f"/api/caseloads?clinician={ot_user.username}", **auth(ota_user))

    assert [load["clinician"] for load in own.json()] == [ota_user.username]
    assert other.status_code == 403


@pytest.mark.parametrize("fixture", ["partner_user", "system_admin_user"])
def test_caseloads_are_not_for_other_accounts(client, request, fixture):
    assert client.get("/api/caseloads", **auth(request.getfixturevalue(fixture))).status_code == 403


def test_caseloads_need_a_token(client):
    assert client.get("/api/caseloads").status_code == 401
