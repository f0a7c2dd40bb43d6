"""Reading a referral Bundle (paedot/fhir/bundle.py, intake.py): what each part of the Bundle becomes, and each
broken part refused at its FHIR path. No database, no request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paedot.fhir import intake
from paedot.fhir.resources import Context
from paedot.fhir.tests.intake_example import (
    BASE,
    JSON_EQUIVALENT,
    MUTATIONS,
    drop_entry,
    example_bundle,
    extension,
    index_of,
    path,
    resource,
)
from paedot.referrals.schemas import ReferralIn

CTX = Context(canonical=BASE, service_name="Paediatric OT")
TODAY = dt.date(2026, 11, 27)
DIFFICULTY = f"{BASE}/CodeSystem/difficulty"
ROLE = f"{BASE}/CodeSystem/referrer-role"


def read(bundle: Any) -> ReferralIn:
    body = bundle if isinstance(bundle, bytes) else json.dumps(bundle).encode()
    return intake.validate(intake.read_referral(intake.parse_body(body), ctx=CTX), today=TODAY)


def refused(bundle: Any) -> list[intake.Problem]:
    with pytest.raises(intake.BundleRefused) as caught:
        read(bundle)
    return caught.value.problems


def paths(bundle: Any) -> list[str]:
    return [problem.path for problem in refused(bundle)]


# --- What the parts become --------------------------------------------------------------------------------------------


def test_the_documented_example_is_a_valid_fhir_bundle():
    get_fhir_model_class("Bundle").model_validate(example_bundle())


def test_the_documented_example_reads_as_the_same_referral_as_the_json_intakes_body():
    assert read(example_bundle()).model_dump() == ReferralIn.model_validate(JSON_EQUIVALENT).model_dump()


def test_a_collection_referring_by_type_and_id_reads_the_same():
    bundle = example_bundle()
    bundle["type"] = "collection"
    by_url = {}
    for number, entry in enumerate(bundle["entry"]):
        entry.pop("request")
        entry["resource"]["id"] = f"r{number}"
        by_url[entry.pop("fullUrl")] = f"{entry['resource']['resourceType']}/r{number}"
    text = json.dumps(bundle)
    for full_url, relative in by_url.items():
        text = text.replace(full_url, relative)
    assert read(json.loads(text)).model_dump() == read(example_bundle()).model_dump()


def test_difficulties_sent_as_words_are_coded_when_they_name_one_and_kept_in_the_description_when_not():
    bundle = example_bundle()
    resource(bundle, "ServiceRequest")["reasonCode"] = [
        {"text": "Scissor skills"},
        {"coding": [{"system": "http://snomed.info/sct", "code": "1", "display": "washing"}]},
        {"text": "Cannot use a knife and fork"},
    ]
    referral = read(bundle)
    assert referral.difficulties == ["scissor_skills", "washing"]
    assert referral.description.endswith("Reasons for referral as sent: Cannot use a knife and fork")


def test_a_parent_referring_is_the_related_person_as_requester():
    bundle = example_bundle()
    carer = bundle["entry"][index_of(bundle, "RelatedPerson")]["fullUrl"]
    resource(bundle, "ServiceRequest")["requester"] = {"reference": carer}
    resource(bundle, "Organization")["name"] = "Example Surgery"
    drop_entry(bundle, "PractitionerRole")
    drop_entry(bundle, "Practitioner")
    referral = read(bundle)
    assert (referral.referrer.role, referral.referrer.name) == ("parent_carer", "Sara Testchild")
    assert (referral.referrer.phone, referral.referrer.email) == ("07700 900123", "sara@example.com")


def test_a_practitioner_without_a_role_is_other():
    bundle = example_bundle()
    practitioner = bundle["entry"][index_of(bundle, "Practitioner")]["fullUrl"]
    resource(bundle, "ServiceRequest")["requester"] = {"reference": practitioner}
    drop_entry(bundle, "PractitionerRole")
    resource(bundle, "Patient")["generalPractitioner"] = [
        {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "M85001"}}
    ]
    drop_entry(bundle, "Organization")
    referral = read(bundle)
    assert (referral.referrer.role, referral.referrer.name, referral.gp_practice_code) == (
        "other",
        "Dr Jo Example",
        "M85001",
    )


def test_a_role_coded_only_in_another_system_is_other_not_a_guess():
    bundle = example_bundle()
    resource(bundle, "PractitionerRole")["code"] = [
        {"coding": [{"system": "http://snomed.info/sct", "code": "62247001", "display": "General practitioner"}]}
    ]
    assert read(bundle).referrer.role == "other"


def test_the_role_in_source_of_service_request_counts_and_must_agree_with_the_requester():
    bundle = example_bundle()
    role = resource(bundle, "PractitionerRole")
    del role["code"]
    source = {
        "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-SourceOfServiceRequest",
        "valueCodeableConcept": {"coding": [{"system": ROLE, "code": "paediatrician"}]},
    }
    resource(bundle, "ServiceRequest")["extension"].append(source)
    assert read(bundle).referrer.role == "paediatrician"

    role["code"] = [{"coding": [{"system": ROLE, "code": "gp"}]}]
    (problem,) = refused(bundle)
    assert problem.path == path(bundle, "ServiceRequest", "extension[3].valueCodeableConcept.coding[0].code")


@pytest.mark.parametrize(
    ("consent", "given"),
    [
        ({"status": "active"}, True),
        ({"status": "active", "provision": {"type": "deny"}}, False),
        ({"status": "rejected"}, False),
        (None, False),
    ],
)
def test_consent_is_read_from_the_consent_entry_and_no_consent_entry_is_no_consent(consent, given):
    bundle = example_bundle()
    if consent is None:
        drop_entry(bundle, "Consent")
    else:
        entry = resource(bundle, "Consent")
        entry.pop("provision")
        entry.update(consent)
    assert read(bundle).consent_given is given


def test_a_relationship_sent_only_as_a_v3_code_is_stored_in_words():
    bundle = example_bundle()
    resource(bundle, "RelatedPerson")["relationship"] = [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "GRMTH"}]}
    ]
    assert read(bundle).parent_carer.relationship == "Grandmother"


def test_no_interpreter_extension_means_no_interpreter_and_the_preferred_language_is_read():
    bundle = example_bundle()
    carer = resource(bundle, "RelatedPerson")
    del carer["extension"]
    carer["communication"].insert(0, {"language": {"text": "English"}})
    referral = read(bundle)
    assert (referral.parent_carer.interpreter_needed, referral.parent_carer.language) == (False, "Punjabi")


def test_the_school_may_be_a_logical_reference_by_urn():
    bundle = example_bundle()
    school = extension(resource(bundle, "ServiceRequest"), "school")
    school["valueReference"] = {"identifier": {"system": f"{BASE}/Id/school-urn", "value": "103121"}}
    drop_entry(bundle, "Organization")  # the surgery stays as the first Organization...
    bundle["entry"].insert(
        5,
        {
            "fullUrl": "urn:uuid:1b3e7a52-0c1d-4f4e-9d39-6a1f0e9b0006",
            "resource": {
                "resourceType": "Organization",
                "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "M85001"}],
                "name": "Example Surgery",
            },
        },
    )
    del bundle["entry"][index_of(bundle, "Organization", 1)]  # ...and the school's entry goes
    assert read(bundle).school_urn == "103121"


# --- Refused, each problem at its path --------------------------------------------------------------------------------


@pytest.mark.parametrize(("wrong", "change", "expected"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_broken_part_is_refused_naming_its_fhir_path(wrong, change, expected):
    bundle = example_bundle()
    change(bundle)
    problems = refused(bundle)
    assert expected(bundle) in [p.path for p in problems], problems
    assert all(p.message for p in problems)


def test_every_structural_problem_comes_back_at_once():
    bundle = example_bundle()
    resource(bundle, "ServiceRequest")["status"] = "draft"
    del resource(bundle, "ServiceRequest")["note"]
    del resource(bundle, "Patient")["generalPractitioner"]
    assert set(paths(bundle)) >= {
        path(bundle, "ServiceRequest", "status"),
        path(bundle, "ServiceRequest", "note"),
        path(bundle, "Patient", "generalPractitioner"),
    }


def test_every_schema_problem_comes_back_at_once():
    bundle = example_bundle()
    resource(bundle, "Patient")["birthDate"] = "10/05/2018"
    resource(bundle, "Patient")["address"][0]["postalCode"] = "nowhere"
    assert set(paths(bundle)) == {
        path(bundle, "Patient", "birthDate"),
        path(bundle, "Patient", "address[0].postalCode"),
    }


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        (b"{not json", "is not valid JSON"),
        (b"\xff\xfe{}", "is not valid JSON"),
        (b'{"resourceType": "Bundle", "type": "collection", "type": "transaction"}', "repeats the key 'type'"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (json.dumps({"resourceType": "Bundle", "a": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}).encode(), "nested"),
        (b'{"resourceType": "Bundle", "entry": [{"x": "a\\u0000b"}]}', "NUL"),
        (b'{"resourceType": "Bundle", "entry": [{"a\\u0000": 1}]}', "NUL"),
        (b'{"resourceType": "Bundle", "id": "\\ud800"}', "surrogate"),
        (b'{"n": 1' + b"0" * 5000 + b"}", "is not valid JSON"),
        (b"x" * (intake.MAX_BODY_BYTES + 1), "KB"),
    ],
    ids=[
        "not JSON",
        "not UTF-8",
        "a repeated key",
        "deep arrays",
        "deeper than a referral",
        "a NUL in a value",
        "a NUL in a key",
        "a lone surrogate",
        "a huge number",
        "too big",
    ],
)
def test_a_hostile_body_is_refused_before_it_is_read(body, wrong):
    with pytest.raises(intake.BundleRefused) as caught:
        intake.parse_body(body)
    assert wrong in " ".join(p.message for p in caught.value.problems)


def test_a_nul_is_refused_at_its_path():
    bundle = example_bundle()
    resource(bundle, "Patient")["name"][0]["family"] = "Test\x00child"
    with pytest.raises(intake.BundleRefused) as caught:
        intake.parse_body(json.dumps(bundle).encode())
    assert [p.path for p in caught.value.problems] == [path(bundle, "Patient", "name[0].family")]


@pytest.mark.parametrize(
    "body",
    [
        {"resourceType": "Patient", "id": "1"},
        {"resourceType": "Bundle", "type": "transaction"},
        {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": "Patient"}]},
        [],
        "Bundle",
        None,
    ],
    ids=["a bare Patient", "no entries", "an entry that is not a resource", "an array", "a string", "null"],
)
def test_what_is_not_a_referral_bundle_is_refused(body):
    assert refused(body)


# --- Never anything but an answer -------------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _locations(value: Any, at: tuple = ()) -> list[tuple]:
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _locations(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _locations(inner, (*at, index))
    return found


LOCATIONS = _locations(example_bundle())[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(LOCATIONS), value=_JSON | st.just(...))
def test_any_part_of_the_example_replaced_by_anything_is_read_or_refused_never_an_error(where, value):
    bundle = example_bundle()
    target = bundle
    for step in where[:-1]:
        target = target[step]
    if value is ...:
        del target[where[-1]]
    else:
        target[where[-1]] = value
    try:
        read(bundle)
    except intake.BundleRefused as refusal:
        assert refusal.problems and all(p.path.startswith("Bundle") and p.message for p in refusal.problems)
        if where != ("resourceType",):  # only "not a Bundle at all" is about the whole body
            assert all(p.path != "Bundle" for p in refusal.problems), refusal.problems
