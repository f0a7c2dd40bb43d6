"""POST /fhir/ServiceRequest end to end: a referral sent as a FHIR Bundle is stored exactly as POST /api/referrals
stores the same referral, answers with the ServiceRequest and its eligibility decision, is safe to retry, and every
refusal is an OperationOutcome naming the FHIR path, with nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.forms.models import model_to_dict

from paedot.children.models import Child, ParentCarer
from paedot.core.models import IdempotencyRecord
from paedot.fhir.resources import CONTENT_TYPE
from paedot.fhir.tests.intake_example import (
    BASE,
    JSON_EQUIVALENT,
    MUTATIONS,
    example_bundle,
    resource,
)
from paedot.fhir.tests.validation import validate
from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.tests.factories import SOLIHULL_PRACTICE, referral_payload, staff

pytestmark = pytest.mark.django_db

URL = "/fhir/ServiceRequest"
ELIGIBILITY = f"{BASE}/StructureDefinition/eligibility"


def send(client, token: str | None, body: Any, *, key: str | None = None, content_type=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type or "application/fhir+json", **headers)


def send_json(client, token: str, payload: dict, **headers):
    headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post("/api/referrals", data=json.dumps(payload), content_type="application/json", **headers)


def created(response) -> dict[str, Any]:
    assert response.status_code == 201, response.content[:2000]
    assert response["Content-Type"] == CONTENT_TYPE
    return validate(response.json())


def decision(service_request: dict[str, Any]) -> dict[str, Any]:
    """The eligibility extension read back: {"outcome": ..., "reasons": [{code, message, signposting?}]}."""
    (found,) = [e for e in service_request["extension"] if e["url"] == ELIGIBILITY]
    outcome = next(part["valueCoding"]["code"] for part in found["extension"] if part["url"] == "outcome")
    reasons = []
    for part in found["extension"]:
        if part["url"] == "reason":
            values = {p["url"]: p.get("valueString") or p.get("valueCoding", {}).get("code") for p in part["extension"]}
            reasons.append(values)
    return {"outcome": outcome, "reasons": reasons}


def refusal(response, status: int = 400) -> list[str]:
    """The FHIRPaths an OperationOutcome names."""
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"] == CONTENT_TYPE
    outcome = validate(response.json())
    assert outcome["resourceType"] == "OperationOutcome"
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in outcome["issue"])
    return [path for issue in outcome["issue"] for path in issue.get("expression", [])]


def nothing_stored() -> bool:
    return not (
        Referral.objects.exists()
        or Child.objects.exists()
        or ParentCarer.objects.exists()
        or IdempotencyRecord.objects.exists()
    )


VOLATILE = {"id", "reference", "child", "parent_carer", "received_at", "submission_token"}


def stored(reference: str) -> dict[str, Any]:
    """Everything the intake kept about a referral, but what differs between any two (ids, the reference, times)."""
    referral = Referral.objects.select_related("child", "parent_carer", "eligibility").get(reference=reference)
    return {
        "referral": {k: v for k, v in model_to_dict(referral).items() if k not in VOLATILE},
        "child": {k: v for k, v in model_to_dict(referral.child).items() if k not in {"id", "merged_into"}},
        "parent_carer": {k: v for k, v in model_to_dict(referral.parent_carer).items() if k not in {"id", "child"}},
        "eligibility": (referral.eligibility.outcome, referral.eligibility.policy_id),
        "reasons": [(r.code, r.severity, r.message, r.signposting) for r in referral.eligibility.reasons.all()],
        "letters": sorted(referral.letters.values_list("kind", flat=True)),
        "duplicates": PossibleDuplicate.objects.filter(referral=referral).count(),
    }


def in_a_savepoint(send_it) -> tuple[Any, dict[str, Any]]:
    """Send, read what was stored, and undo it all: two doors can then be compared on an empty database."""
    with transaction.atomic():
        answer, reference = send_it()
        kept = stored(reference)
        transaction.set_rollback(True)
    return answer, kept


# --- Accepted -----------------------------------------------------------------------------------------------------


def test_a_referral_bundle_is_stored_exactly_as_the_json_intake_stores_the_same_referral(client, partner_token):
    def as_fhir():
        body = created(send(client, partner_token, example_bundle()))
        return body, body["id"]

    def as_json():
        response = send_json(client, partner_token, JSON_EQUIVALENT)
        assert response.status_code == 201, response.content
        return response.json(), response.json()["reference"]

    fhir_answer, through_fhir = in_a_savepoint(as_fhir)
    json_answer, through_json = in_a_savepoint(as_json)

    # The same referral, told apart only by the door it came through.
    assert (through_fhir["referral"].pop("source"), through_json["referral"].pop("source")) == ("fhir", "api")
    assert through_fhir == through_json
    assert through_fhir["referral"]["school_name"]  # looked up from the directory, as for JSON
    assert through_fhir["parent_carer"]["interpreter_needed"] is True
    assert through_fhir["parent_carer"]["language"] == "Punjabi"
    assert decision(fhir_answer) == {"outcome": json_answer["outcome"], "reasons": json_answer["reasons"]}


def test_the_answer_is_the_service_request_as_a_read_returns_it_with_the_eligibility_decision(client, partner_token):
    response = send(client, partner_token, example_bundle())
    body = created(response)
    reference = body["id"]
    assert response["Location"] == f"http://testserver/fhir/ServiceRequest/{reference}"

    read = client.get(f"/fhir/ServiceRequest/{reference}", HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    assert read.status_code == 200
    without = {**body, "extension": [e for e in body["extension"] if e["url"] != ELIGIBILITY]}
    assert without == read.json()
    assert decision(body) == {"outcome": "accept", "reasons": []}
    assert body["subject"]["identifier"]["value"] == "9434765919"
    assert [c["coding"][0]["code"] for c in body["reasonCode"]] == ["pencil_skills", "dressing"]


def test_the_acknowledgements_go_out_as_for_the_json_intake(
    client, partner_token, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        reference = created(send(client, partner_token, example_bundle()))["id"]
    assert sorted(m.to[0] for m in mail.outbox) == ["jo@example.nhs.uk", "sara@example.com"]
    assert all(reference in m.subject for m in mail.outbox)


def test_an_ineligible_referral_is_kept_and_its_reasons_come_back_as_the_json_intake_gives_them(client, partner_token):
    bundle = example_bundle()
    resource(bundle, "Organization")["identifier"][0]["value"] = SOLIHULL_PRACTICE
    resource(bundle, "Consent")["status"] = "rejected"

    def as_fhir():
        body = created(send(client, partner_token, bundle))
        return decision(body), body["id"]

    def as_json():
        payload = referral_payload(**{**_flat(JSON_EQUIVALENT), "gp_practice_code": SOLIHULL_PRACTICE})
        payload["consent_given"] = False
        answer = send_json(client, partner_token, payload).json()
        return {"outcome": answer["outcome"], "reasons": answer["reasons"]}, answer["reference"]

    (fhir_decision, _), (json_decision, _) = in_a_savepoint(as_fhir), in_a_savepoint(as_json)
    assert fhir_decision == json_decision
    assert fhir_decision["outcome"] == "decline"
    codes = [reason["code"] for reason in fhir_decision["reasons"]]
    assert "gp_outside_birmingham" in codes and "no_consent" in codes
    assert all(reason["message"] and reason["signposting"] for reason in fhir_decision["reasons"])


def _flat(payload: dict[str, Any]) -> dict[str, Any]:
    """referral_payload's override keys (child__address) for a nested payload."""
    flat = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            flat.update({f"{key}__{inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    return flat


def test_a_role_the_service_cannot_tell_is_kept_as_other_and_declined_saying_who_may_refer(client, partner_token):
    bundle = example_bundle()
    resource(bundle, "PractitionerRole")["code"] = [{"text": "Community nursery nurse"}]
    body = created(send(client, partner_token, bundle))
    assert Referral.objects.get(reference=body["id"]).referrer_role == "other"
    assert [r["code"] for r in decision(body)["reasons"]] == ["referrer_not_accepted"]


def test_a_second_referral_for_the_same_child_joins_their_record_as_the_json_intake_does(client, partner_token):
    first = created(send(client, partner_token, example_bundle()))
    second = created(send(client, partner_token, example_bundle()))
    assert first["id"] != second["id"]
    assert first["subject"]["reference"] == second["subject"]["reference"]
    assert Child.objects.count() == 1


def test_a_referral_joining_a_restricted_record_answers_with_the_receipt_and_nothing_about_the_child(client, token_for):
    from paedot.restricted_records.services import restrict_record

    admin = staff("clinical_admin", "fhir-intake-admin")
    lead = staff("team_lead", "fhir-intake-lead")
    created(send(client, token_for(admin), example_bundle()))
    restrict_record(child=Child.objects.get(), reason="Safeguarding.", named_staff=[], by=lead)

    response = send(client, token_for(admin), example_bundle())
    assert response.status_code == 201
    outcome = validate(response.json())
    assert outcome["resourceType"] == "OperationOutcome"
    assert {issue["severity"] for issue in outcome["issue"]} == {"information"}
    text = json.dumps(outcome)
    assert "Testchild" not in text and "9434765919" not in text and "Patient/" not in text
    reference = response["Location"].rsplit("/", 1)[1]
    assert Referral.objects.get(reference=reference).restricted


# --- Retries --------------------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_gives_the_same_referral_and_stores_nothing_new(client, partner_token):
    first = created(send(client, partner_token, example_bundle(), key="gp-system-0001"))
    again = created(send(client, partner_token, example_bundle(), key="gp-system-0001"))
    assert again == first
    assert Referral.objects.count() == 1


def test_a_retry_whose_bundle_has_new_ids_and_full_urls_is_still_the_same_referral(client, partner_token):
    first = created(send(client, partner_token, example_bundle(), key="gp-system-0002"))
    text = json.dumps(example_bundle()).replace("1b3e7a52-0c1d-4f4e-9d39", "99999999-aaaa-4bbb-8ccc")
    again = created(send(client, partner_token, text, key="gp-system-0002"))
    assert again["id"] == first["id"]
    assert Referral.objects.count() == 1


def test_the_same_key_with_a_different_referral_is_422_and_stores_nothing(client, partner_token):
    created(send(client, partner_token, example_bundle(), key="gp-system-0003"))
    changed = example_bundle()
    resource(changed, "ServiceRequest")["note"] = [{"text": "Another child entirely."}]
    assert refusal(send(client, partner_token, changed, key="gp-system-0003"), 422) == []
    assert Referral.objects.count() == 1


def test_a_key_first_used_on_the_json_intake_gives_the_same_referral_here(client, partner_token):
    answer = send_json(client, partner_token, JSON_EQUIVALENT, HTTP_IDEMPOTENCY_KEY="gp-system-0004").json()
    again = created(send(client, partner_token, example_bundle(), key="gp-system-0004"))
    assert again["id"] == answer["reference"]
    assert decision(again) == {"outcome": answer["outcome"], "reasons": answer["reasons"]}
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_a_blank_or_overlong_key_is_refused(client, partner_token, key):
    refusal(send(client, partner_token, example_bundle(), key=key))
    assert nothing_stored()


def test_conditional_create_is_refused_pointing_to_the_idempotency_key(client, partner_token):
    response = send(client, partner_token, example_bundle(), HTTP_IF_NONE_EXIST="identifier=x")
    refusal(response)
    assert "Idempotency-Key" in response.json()["issue"][0]["diagnostics"]
    assert nothing_stored()


# --- Refused: each broken part named, nothing stored --------------------------------------------------------------


@pytest.mark.parametrize(("wrong", "change", "expected"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_broken_part_is_a_400_naming_its_path_and_nothing_is_stored(
    client, partner_token, wrong, change, expected
):
    bundle = example_bundle()
    change(bundle)
    assert expected(bundle) in refusal(send(client, partner_token, bundle, key="k1"))
    assert nothing_stored()


HOSTILE = [
    ("a body over 256 KB", b'{"resourceType": "Bundle", "id": "' + b"x" * 300_000 + b'"}', 413),
    ("a NUL in a string", json.dumps(example_bundle()).replace('"Testchild"', '"Test\\u0000child"', 1), 400),
    ("a lone surrogate", json.dumps(example_bundle()).replace('"Testchild"', '"Test\\ud800child"', 1), 400),
    ("a bare Patient", json.dumps(resource(example_bundle(), "Patient")), 400),
    ("an OperationOutcome", json.dumps({"resourceType": "OperationOutcome", "issue": []}), 400),
    ("not JSON", "resourceType=Bundle", 400),
    ("an array", "[]", 400),
    ("deep nesting", "[" * 100_000 + "]" * 100_000, 400),
    ("a repeated key", '{"resourceType": "Bundle", "resourceType": "Bundle"}', 400),
    ("too many entries", json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{}] * 21}), 400),
]


@pytest.mark.parametrize(("hostile", "body", "status"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_body_is_refused_as_an_operation_outcome_with_nothing_stored(
    client, partner_token, hostile, body, status
):
    refusal(send(client, partner_token, body, key="k2"), status)
    assert nothing_stored()


def test_a_nul_is_named_at_its_path(client, partner_token):
    body = json.dumps(example_bundle()).replace('"Testchild"', '"Test\\u0000child"', 1)
    assert refusal(send(client, partner_token, body)) == ["Bundle.entry[1].resource.name[0].family"]


def test_a_body_that_is_not_fhir_json_is_415(client, partner_token):
    refusal(send(client, partner_token, "resourceType=Bundle", content_type="application/x-www-form-urlencoded"), 415)
    refusal(send(client, partner_token, json.dumps(example_bundle()), content_type="text/plain"), 415)
    assert nothing_stored()


def test_only_get_and_post_are_answered_here(client, partner_token):
    response = client.put(URL, data="{}", content_type=CONTENT_TYPE, HTTP_AUTHORIZATION=f"Bearer {partner_token}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_the_capability_statement_says_a_service_request_may_be_created_and_how(client):
    statement = client.get("/fhir/metadata").json()
    (service_request,) = [r for r in statement["rest"][0]["resource"] if r["type"] == "ServiceRequest"]
    create = next(i for i in service_request["interaction"] if i["code"] == "create")
    assert "Bundle" in create["documentation"] and "Idempotency-Key" in create["documentation"]
    assert service_request["conditionalCreate"] is False
    others = [r for r in statement["rest"][0]["resource"] if r["type"] != "ServiceRequest"]
    assert all("create" not in {i["code"] for i in r["interaction"]} for r in others)
