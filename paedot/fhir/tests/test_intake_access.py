"""Who may send a referral as FHIR: exactly who may use POST /api/referrals (paedot/referrals/rules.py
may_submit_referrals), every role asked with its own token. (paedot/tests/test_routes_by_role.py asks with a signed-in
session, which this interface does not accept: there the route answers 401 to everyone.)"""

from __future__ import annotations

import json

import pytest

from paedot.core.audit import Actions
from paedot.core.models import AuditEvent
from paedot.fhir.resources import CONTENT_TYPE
from paedot.fhir.tests.intake_example import JSON_EQUIVALENT, example_bundle
from paedot.referrals.models import Referral
from paedot.referrals.rules import SUBMITTING_ROLES
from paedot.referrals.tests.factories import staff
from paedot.staff.models import Role

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", *Role.values)


def headers_for(caller: str, token_for) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(staff(caller, f'fhir-intake-{caller}'))}"}


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_may_send_a_referral_as_fhir_exactly_when_they_may_post_one_as_json(client, token_for, caller):
    headers = headers_for(caller, token_for)
    as_json = client.post("/api/referrals", json.dumps(JSON_EQUIVALENT), content_type="application/json", **headers)
    sent_before = Referral.objects.count()

    as_fhir = client.post("/fhir/ServiceRequest", json.dumps(example_bundle()), content_type=CONTENT_TYPE, **headers)

    assert as_fhir.status_code == as_json.status_code
    expected = 401 if caller == "anonymous" else 201 if caller in SUBMITTING_ROLES else 403
    assert as_fhir.status_code == expected
    assert as_fhir["Content-Type"] == CONTENT_TYPE
    assert Referral.objects.count() == sent_before + (1 if expected == 201 else 0)
    if expected != 201:
        outcome = as_fhir.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == {401: "login", 403: "forbidden"}[expected]
    if expected == 401:
        assert as_fhir["WWW-Authenticate"] == "Bearer"


def test_a_refused_role_is_refused_before_the_body_is_read_and_the_refusal_is_audited(client, token_for):
    headers = headers_for(Role.OT, token_for)
    response = client.post("/fhir/ServiceRequest", "not even JSON", content_type=CONTENT_TYPE, **headers)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Actions.PERMISSION_REFUSED, detail__path="/fhir/ServiceRequest").exists()


def test_a_partner_system_reads_back_the_referrals_it_sent_and_no_other_system_does(client, token_for):
    sender = headers_for(Role.PARTNER_SYSTEM, token_for)
    other = {"HTTP_AUTHORIZATION": f"Bearer {token_for(staff(Role.PARTNER_SYSTEM, 'fhir-intake-other-system'))}"}
    reference = client.post(
        "/fhir/ServiceRequest", json.dumps(example_bundle()), content_type=CONTENT_TYPE, **sender
    ).json()["id"]
    assert client.get(f"/fhir/ServiceRequest/{reference}", **sender).status_code == 200
    assert client.get(f"/fhir/ServiceRequest/{reference}", **other).status_code == 404
