"""POST /api/referrals/{reference}/triage and the suggestion endpoint."""

from __future__ import annotations

import json

import pytest

from paedot.referrals.models import Referral, Status
from paedot.staff.services import issue_api_token
from paedot.triage.models import Triage
from paedot.triage.tests.factories import accepted_referral

pytestmark = pytest.mark.django_db

BODY = {"priority": "routine", "pathway": "package_of_care", "setting": "school", "notes": "Handwriting."}


def url(reference: str) -> str:
    return f"/api/referrals/{reference}/triage"


def post(client, reference, body, user=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='t')}"} if user else {}
    return client.post(url(reference), data=json.dumps(body), content_type="application/json", **headers)


def test_an_ot_triages_an_accepted_referral_onto_the_waiting_list(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)

    response = post(client, referral.reference, BODY, ot_user)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["priority"], body["pathway"], body["setting"]) == (
        "waiting",
        "routine",
        "package_of_care",
        "school",
    )
    assert body["history"][-1]["action"] == "referral.triaged"


def test_a_reference_in_lower_case_is_found(client, admin_user, team_lead_user):
    referral = accepted_referral(screened_by=admin_user)

    response = post(client, referral.reference.lower(), BODY, team_lead_user)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"priority": "whenever"}, "priority"),
        ({"pathway": "surgery"}, "pathway"),
        ({"setting": "moon"}, "setting"),
        ({"priority": "urgent"}, "reason_for_difference"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_changes_nothing(client, admin_user, ot_user, change, field):
    referral = accepted_referral(screened_by=admin_user)

    response = post(client, referral.reference, BODY | change, ot_user)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED
    assert not Triage.objects.exists()


def test_differing_with_a_reason_is_accepted(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)

    response = post(
        client, referral.reference, BODY | {"priority": "urgent", "reason_for_difference": "Safeguarding"}, ot_user
    )

    assert response.status_code == 200
    assert response.json()["priority"] == "urgent"


@pytest.mark.parametrize("fixture", ["ota_user", "admin_user", "auditor_user", "partner_user"])
def test_roles_that_may_not_triage_get_403(client, request, admin_user, fixture):
    referral = accepted_referral(screened_by=admin_user)
    if fixture == "partner_user":
        # A partner system sees only the referrals it sent: make it the sender, so the answer is 403 not 404.
        Referral.objects.filter(pk=referral.pk).update(submitted_by=request.getfixturevalue(fixture))

    response = post(client, referral.reference, BODY, request.getfixturevalue(fixture))

    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_an_unknown_reference_is_404(client, ot_user):
    assert post(client, "NOSUCH", BODY, ot_user).status_code == 404


def test_triaging_again_is_409(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    assert post(client, referral.reference, BODY, ot_user).status_code == 200

    response = post(client, referral.reference, BODY, ot_user)

    assert response.status_code == 409
    assert "on the waiting list" in response.json()["message"]
    assert Triage.objects.count() == 1


def test_without_a_token_is_401(client, admin_user):
    referral = accepted_referral(screened_by=admin_user)

    response = post(client, referral.reference, BODY)

    assert response.status_code == 401
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_the_suggestion_comes_with_its_reasons(client, admin_user, ot_user):
    referral = accepted_referral(
        screened_by=admin_user, difficulties=("accessing_environment",), description="Frequent falls in the corridor."
    )
    token = issue_api_token(user=ot_user, name="t")

    response = client.get(
        f"/api/referrals/{referral.reference}/triage-suggestion", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200
    assert response.json()["priority"] == "urgent"
    assert [r["code"] for r in response.json()["reasons"]] == ["moving_about_safety"]


def test_triaging_a_referral_already_waiting_is_409_whatever_the_answers(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    assert post(client, referral.reference, BODY, ot_user).status_code == 200

    response = post(client, referral.reference, BODY | {"priority": "urgent"}, ot_user)

    assert response.status_code == 409
