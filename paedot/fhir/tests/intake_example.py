"""The example referral Bundle of docs/fhir.md ("A complete example"), read from the document itself so the example
and the tests cannot drift apart, and the same referral as POST /api/referrals's JSON. All synthetic."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

from paedot.referrals.tests.factories import referral_payload

DOCS = Path(__file__).resolve().parents[3] / "docs" / "fhir.md"
BASE = "https://paediatric-ot.example.nhs.uk/fhir"

# The same referral as the JSON intake's body: what the example Bundle must be read into.
JSON_EQUIVALENT: dict[str, Any] = referral_payload(
    child__address="1 Soho Road\nBirmingham",
    parent_carer__language="Punjabi",
    parent_carer__interpreter_needed=True,
)


@functools.cache
def _documented() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### A complete example", 1)[1]
    match = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert match, "docs/fhir.md has no json block under 'A complete example'"
    return match.group(1)


def example_bundle() -> dict[str, Any]:
    """A fresh copy of the documented Bundle, to change in a test."""
    return copy.deepcopy(json.loads(_documented()))


def index_of(bundle: dict[str, Any], resource_type: str, nth: int = 0) -> int:
    found = [i for i, entry in enumerate(bundle["entry"]) if entry["resource"]["resourceType"] == resource_type]
    return found[nth]


def resource(bundle: dict[str, Any], resource_type: str, nth: int = 0) -> dict[str, Any]:
    return bundle["entry"][index_of(bundle, resource_type, nth)]["resource"]


def path(bundle: dict[str, Any], resource_type: str, element: str = "", nth: int = 0) -> str:
    """The FHIRPath of an element of the nth resource of a type: Bundle.entry[1].resource.birthDate."""
    base = f"Bundle.entry[{index_of(bundle, resource_type, nth)}].resource"
    return f"{base}.{element}" if element else base


def extension(res: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in res["extension"] if e["url"] == f"{BASE}/StructureDefinition/{name}")


def without_extension(res: dict[str, Any], name: str) -> None:
    res["extension"] = [e for e in res["extension"] if e["url"] != f"{BASE}/StructureDefinition/{name}"]


def drop_entry(bundle: dict[str, Any], resource_type: str) -> None:
    del bundle["entry"][index_of(bundle, resource_type)]


# --- One broken part at a time, and the FHIRPath the refusal must name ------------------------------------------------


def _set(resource_type: str, element: str, value: Any, nth: int = 0):
    def change(bundle: dict[str, Any]) -> None:
        target: Any = resource(bundle, resource_type, nth)
        *parents, leaf = re.findall(r"[A-Za-z]+|\d+", element)
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is ...:
            del target[int(leaf) if leaf.isdigit() else leaf]
        else:
            target[int(leaf) if leaf.isdigit() else leaf] = value

    return change


def _at(resource_type: str, element: str = "", nth: int = 0):
    return lambda bundle: path(bundle, resource_type, element, nth)


def _add_observation(bundle: dict[str, Any]) -> None:
    bundle["entry"].append({"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}})


def _second_patient(bundle: dict[str, Any]) -> None:
    bundle["entry"].append(copy.deepcopy(bundle["entry"][index_of(bundle, "Patient")]) | {"fullUrl": "urn:uuid:2"})


def _subject_is_the_carer(bundle: dict[str, Any]) -> None:
    carer = bundle["entry"][index_of(bundle, "RelatedPerson")]["fullUrl"]
    resource(bundle, "ServiceRequest")["subject"] = {"reference": carer}


def _misspelt_extension(bundle: dict[str, Any]) -> None:
    extension(resource(bundle, "ServiceRequest"), "education")["url"] = f"{BASE}/StructureDefinition/educaton"


def _school_without_urn(bundle: dict[str, Any]) -> None:
    resource(bundle, "Organization", 1)["identifier"][0]["system"] = "https://example.org/schools"


def _unknown_education(bundle: dict[str, Any]) -> None:
    extension(resource(bundle, "ServiceRequest"), "education")["valueCoding"]["code"] = "grammar_school"


def _interpreter_yes(bundle: dict[str, Any]) -> None:
    extension(resource(bundle, "RelatedPerson"), "interpreter-needed")["valueBoolean"] = "yes"


def _no_school_extension(bundle: dict[str, Any]) -> None:
    without_extension(resource(bundle, "ServiceRequest"), "school")


def _no_education(bundle: dict[str, Any]) -> None:
    without_extension(resource(bundle, "ServiceRequest"), "education")


def _extension_path(resource_type: str, name: str, element: str):
    def where(bundle: dict[str, Any]) -> str:
        res = resource(bundle, resource_type)
        index = next(i for i, e in enumerate(res["extension"]) if e["url"].endswith(f"/{name}"))
        return path(bundle, resource_type, f"extension[{index}].{element}")

    return where


# (what is wrong, the change, the FHIRPath the OperationOutcome must name)
MUTATIONS = [
    ("a birth date that is not a full date", _set("Patient", "birthDate", "2018-05"), _at("Patient", "birthDate")),
    ("a birth date in the future", _set("Patient", "birthDate", "2099-01-01"), _at("Patient", "birthDate")),
    (
        "an NHS number failing its check digit",
        _set("Patient", "identifier.0.value", "1234561234"),
        _at("Patient", "identifier[0].value"),
    ),
    (
        "a postcode that is not one",
        _set("Patient", "address.0.postalCode", "NOT A POSTCODE"),
        _at("Patient", "address[0].postalCode"),
    ),
    ("a child with no family name", _set("Patient", "name.0.family", ...), _at("Patient", "name[0].family")),
    ("a name sent as a string", _set("Patient", "name", "Ayaan"), _at("Patient", "name")),
    ("no GP practice", _set("Patient", "generalPractitioner", ...), _at("Patient", "generalPractitioner")),
    ("a modifier extension", _set("Patient", "modifierExtension", [{"url": "x"}]), _at("Patient", "modifierExtension")),
    ("no education", _no_education, _at("ServiceRequest", "extension")),
    (
        "an education code the service lacks",
        _unknown_education,
        _extension_path("ServiceRequest", "education", "valueCoding.code"),
    ),
    (
        "a misspelt extension of the service's",
        _misspelt_extension,
        _extension_path("ServiceRequest", "educaton", "url"),
    ),
    (
        "a difficulty code the service lacks",
        _set("ServiceRequest", "reasonCode.0.coding.0.code", "handwriting"),
        _at("ServiceRequest", "reasonCode[0].coding[0].code"),
    ),
    ("no description", _set("ServiceRequest", "note", ...), _at("ServiceRequest", "note")),
    ("no requester", _set("ServiceRequest", "requester", ...), _at("ServiceRequest", "requester")),
    (
        "a requester not in the Bundle",
        _set("ServiceRequest", "requester", {"reference": "urn:uuid:not-here"}),
        _at("ServiceRequest", "requester.reference"),
    ),
    ("a subject that is not the Patient", _subject_is_the_carer, _at("ServiceRequest", "subject.reference")),
    ("a draft request", _set("ServiceRequest", "status", "draft"), _at("ServiceRequest", "status")),
    (
        "contained resources",
        _set("ServiceRequest", "contained", [{"resourceType": "Patient"}]),
        _at("ServiceRequest", "contained"),
    ),
    ("a school with no URN", _school_without_urn, _extension_path("ServiceRequest", "school", "valueReference")),
    (
        "a carer's email that is not one",
        _set("RelatedPerson", "telecom.1.value", "not-an-email"),
        _at("RelatedPerson", "telecom[1].value"),
    ),
    ("no relationship to the child", _set("RelatedPerson", "relationship", ...), _at("RelatedPerson", "relationship")),
    ("an overlong carer's name", _set("RelatedPerson", "name.0", {"text": "x" * 201}), _at("RelatedPerson", "name[0]")),
    (
        "an interpreter flag that is not a boolean",
        _interpreter_yes,
        _extension_path("RelatedPerson", "interpreter-needed", "valueBoolean"),
    ),
    (
        "a referrer-role code the service lacks",
        _set("PractitionerRole", "code.0.coding.0.code", "nurse"),
        _at("PractitionerRole", "code[0].coding[0].code"),
    ),
    ("a draft consent", _set("Consent", "status", "draft"), _at("Consent", "status")),
    (
        "an entry of a type the intake does not read",
        _add_observation,
        lambda b: "Bundle.entry[8].resource.resourceType",
    ),
    ("an entry nothing refers to", _no_school_extension, lambda b: f"Bundle.entry[{index_of(b, 'Organization', 1)}]"),
    ("a Bundle that is a search result", lambda b: b.update(type="searchset"), lambda b: "Bundle.type"),
    ("two Patients", _second_patient, lambda b: "Bundle.entry"),
]
