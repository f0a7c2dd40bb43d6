"""Checking resources against FHIR's own models (fhir.resources, a test-only dependency) and R4's value sets.

fhir.resources models R4B, which for every resource served here has the same elements as R4 (4.0.1): it refuses
unknown or misspelt elements, wrong types, a missing required element and a wrong choice type (valueDecimal on an
Observation), but not a code outside its value set, so the R4 value sets this interface uses are checked here too.
UK Core's own constraints (profiles, the NHS number's system) are asserted in the tests themselves.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

# FHIR R4 (4.0.1) required value sets, as published.
R4_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("ServiceRequest", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("ServiceRequest", "intent"): frozenset(
        {"proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order"}
        | {"option"}
    ),
    ("ServiceRequest", "priority"): frozenset({"routine", "urgent", "asap", "stat"}),
    ("EpisodeOfCare", "status"): frozenset(
        {"planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error"}
    ),
    ("Appointment", "status"): frozenset(
        {
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist",
        }
    ),
    ("CarePlan", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("CarePlan", "intent"): frozenset({"proposal", "plan", "order", "option"}),
    ("Goal", "lifecycleStatus"): frozenset(
        {
            "proposed",
            "planned",
            "accepted",
            "active",
            "on-hold",
            "completed",
            "cancelled",
            "entered-in-error",
            "rejected",
        }
    ),
    ("Flag", "status"): frozenset({"active", "inactive", "entered-in-error"}),
    ("Observation", "status"): frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
    ),
}
GOAL_ACHIEVEMENT_CODES = frozenset(
    {
        "in-progress",
        "improving",
        "worsening",
        "no-change",
        "achieved",
        "sustaining",
        "not-achieved",
        "no-progress",
        "not-attainable",
    }
)
PATIENT_LINK_TYPES = frozenset({"replaced-by", "replaces", "refer", "seealso"})


def _check_codes(resource: dict[str, Any]) -> None:
    kind = resource["resourceType"]
    for (resource_type, element), codes in R4_CODES.items():
        if resource_type == kind and element in resource:
            assert resource[element] in codes, f"{kind}.{element} {resource[element]!r} is not an R4 code"
    if kind == "Goal" and "achievementStatus" in resource:
        for coding in resource["achievementStatus"]["coding"]:
            assert coding["code"] in GOAL_ACHIEVEMENT_CODES
    if kind == "Patient":
        for link in resource.get("link", []):
            assert link["type"] in PATIENT_LINK_TYPES
    if kind == "Appointment":
        assert resource["participant"], "an Appointment needs at least one participant"
    if kind == "Bundle":
        for entry in resource.get("entry", []):
            _check_codes(entry["resource"])


def validate(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource, after FHIR's model accepted it and its codes are R4's; an AssertionError or pydantic's
    ValidationError otherwise."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    _check_codes(resource)
    return resource
