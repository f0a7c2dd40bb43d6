"""POST /api/referrals: the contract partner systems rely on."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from paedot.children.models import Child
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import SOLIHULL_PRACTICE, referral_payload
from paedot.staff.models import ApiToken
from paedot.staff.services import create_staff_user, issue_api_token

pytestmark = pytest.mark.django_db

URL = "/api/referrals"


def post(client: Client, payload, token: str | None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", **headers)


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_an_eligible_referral_is_stored_and_acknowledged(
    client, partner_token, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, referral_payload(), partner_token)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "accept"
    assert body["reasons"] == []
    referral = Referral.objects.select_related("child", "parent_carer", "eligibility").get(reference=body["reference"])
    assert referral.child.nhs_number == "9434765919"
    assert referral.child.postcode == "B21 9RY"
    assert referral.parent_carer.name == "Sara Testchild"
    assert referral.source == "api"
    assert referral.eligibility.outcome == "accept"
    assert referral.eligibility.policy_id
    assert referral.gp_practice_name  # the practice's name, looked up from the directory
    assert sorted(m.to[0] for m in mail.outbox) == ["jo@example.nhs.uk", "sara@example.com"]
    assert all(body["reference"] in m.subject for m in mail.outbox)


def test_an_ineligible_referral_is_still_kept_with_reasons_and_signposting(client, partner_token):
    payload = referral_payload(gp_practice_code=SOLIHULL_PRACTICE, consent_given=False)

    response = post(client, payload, partner_token)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "decline"
    codes = [reason["code"] for reason in body["reasons"]]
    assert "gp_outside_birmingham" in codes and "no_consent" in codes
    assert all(reason["message"] and reason.get("signposting") for reason in body["reasons"])
    assert Referral.objects.filter(reference=body["reference"]).exists()


def test_a_referral_without_a_token_is_refused_with_401(client):
    response = post(client, referral_payload(), None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Referral.objects.exists()


@pytest.mark.parametrize("token", ["not-a-token", "pot_wrongwrongwrong"])
def test_a_referral_with_an_unknown_token_is_refused_with_401(client, token):
    assert post(client, referral_payload(), token).status_code == 401


def test_a_revoked_token_is_refused(client, partner_token):
    from django.utils import timezone

    ApiToken.objects.update(revoked_at=timezone.now())
    assert post(client, referral_payload(), partner_token).status_code == 401


def test_a_role_that_may_not_submit_gets_403(client):
    auditor = create_staff_user(username="aud", role="auditor")
    response = post(client, referral_payload(), issue_api_token(user=auditor))
    assert response.status_code == 403
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"child__nhs_number": "1234561234"}, "child.nhs_number"),
        ({"child__given_name": ...}, "child.given_name"),
        ({"child__date_of_birth": "10/05/2018"}, "child.date_of_birth"),
        ({"child__date_of_birth": "2018-05-10T00:00:00"}, "child.date_of_birth"),
        ({"child__date_of_birth": "2099-01-01"}, "child.date_of_birth"),
        ({"child__postcode": "not a postcode"}, "child.postcode"),
        ({"difficulties": ["juggling"]}, "difficulties.0"),
        ({"education": "university"}, "education"),
        ({"referrer__role": "other_person"}, "referrer.role"),
        ({"consent_given": ...}, "consent_given"),
        ({"parent_carer__email": "not-an-email"}, "parent_carer.email"),
        ({"description": "   "}, "description"),
    ],
)
def test_bad_input_gets_400_naming_the_field(client, partner_token, overrides, field):
    response = post(client, referral_payload(**overrides), partner_token)
    assert response.status_code == 400, response.content
    assert field in error_fields(response)
    assert response.json()["message"]
    assert not Referral.objects.exists()


def test_malformed_json_gets_400(client, partner_token):
    response = post(client, '{"child": {', partner_token)
    assert response.status_code == 400
    assert error_fields(response) == ["body"]


def test_an_nhs_number_typed_with_spaces_is_accepted(client, partner_token):
    response = post(client, referral_payload(child__nhs_number="943 476 5919"), partner_token)
    assert response.status_code == 201
    assert Child.objects.get().nhs_number == "9434765919"


def test_a_partner_system_may_not_back_date_a_referral(client, partner_token):
    response = post(client, referral_payload(received_date="2026-01-05", source="paper"), partner_token)
    assert response.status_code == 403


def test_clinical_admin_may_enter_a_paper_referral_with_its_received_date(client, admin_user):
    token = issue_api_token(user=admin_user)
    response = post(client, referral_payload(received_date="2026-01-05", source="paper"), token)
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert str(referral.received_date) == "2026-01-05"
    assert referral.source == "paper"
    assert referral.submitted_by == admin_user


class TestIdempotencyKey:
    def test_a_retry_returns_the_first_answer_and_creates_nothing(self, client, partner_token):
        first = post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="abc-123")
        second = post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="abc-123")

        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert Referral.objects.count() == 1

    def test_the_same_key_with_a_different_body_gets_422(self, client, partner_token):
        post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="abc-123")
        response = post(
            client, referral_payload(child__given_name="Someone"), partner_token, HTTP_IDEMPOTENCY_KEY="abc-123"
        )
        assert response.status_code == 422
        assert "different" in response.json()["message"]
        assert Referral.objects.count() == 1

    def test_different_keys_make_different_referrals(self, client, partner_token):
        post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="one")
        post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="two")
        assert Referral.objects.count() == 2

    def test_keys_belong_to_one_client(self, client, partner_token, admin_user):
        other = issue_api_token(user=admin_user)
        post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="shared")
        response = post(client, referral_payload(), other, HTTP_IDEMPOTENCY_KEY="shared")
        assert response.status_code == 201
        assert Referral.objects.count() == 2

    def test_an_overlong_key_is_refused(self, client, partner_token):
        response = post(client, referral_payload(), partner_token, HTTP_IDEMPOTENCY_KEY="k" * 256)
        assert response.status_code == 400
        assert not Referral.objects.exists()
