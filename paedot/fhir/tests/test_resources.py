"""The mappings from records to FHIR resources, on records made in memory: no database is touched (these tests are
not marked django_db, so any query would fail them). Each resource is checked against FHIR's own model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from paedot.appointments.models import Appointment, Kind, Outcome
from paedot.care.models import Episode, Goal, Package, Review, TomsRating
from paedot.children.models import Child
from paedot.diaries.models import Location
from paedot.diaries.rules import LONDON
from paedot.fhir import resources
from paedot.fhir.resources import Context, LatestRating
from paedot.fhir.search import SEARCHES
from paedot.fhir.tests.validation import R4_CODES, validate
from paedot.referrals.models import Priority, Referral, Status
from paedot.staff.models import User

CTX = Context(canonical="https://ot.example.nhs.uk/fhir", service_name="Paediatric Occupational Therapy Service")
WHEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def child(**overrides) -> Child:
    values = {
        "pk": 7,
        "given_name": "Mia Rose",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2018, 5, 10),
        "nhs_number": "9434765919",
        "address": "1 Soho Road\nHandsworth\nBirmingham",
        "postcode": "B21 9RY",
        "updated_at": WHEN,
    }
    values.update(overrides)
    return Child(**values)


def ot() -> User:
    return User(pk=3, username="ot1", first_name="Jo", last_name="Therapist", role="ot")


def referral(**overrides) -> Referral:
    values = {
        "pk": 11,
        "reference": "OT-ABCD-EFGH",
        "child": child(),
        "status": Status.WAITING,
        "priority": Priority.SOON,
        "received_date": dt.date(2026, 10, 1),
        "referrer_name": "Dr Jo Example",
        "referrer_role": "gp",
        "referrer_organisation": "Example Surgery",
        "difficulties": ["dressing", "pencil_skills"],
        "description": "Cannot do buttons.",
        "updated_at": WHEN,
        "clinician": ot(),
    }
    values.update(overrides)
    return Referral(**values)


def episode(**overrides) -> Episode:
    values = {"pk": 5, "referral": referral(status=Status.SEEN), "created_at": WHEN, "updated_at": WHEN}
    values.update(overrides)
    return Episode(**values)


def package(**overrides) -> Package:
    values = {
        "pk": 21,
        "episode": episode(),
        "type": "package_of_care",
        "delivery": ["direct_ot"],
        "places": ["school", "home"],
        "components": ["equipment"],
        "sessions": 6,
        "block_number": 2,
        "previous_id": 20,
        "notes": "Mum will practise at home.",
        "created_by": ot(),
        "created_at": WHEN,
        "updated_at": WHEN,
    }
    values.update(overrides)
    return Package(**values)


def goal_record(**overrides) -> Goal:
    values = {
        "pk": 31,
        "package": package(),
        "position": 1,
        "description": "Does up 3 buttons on the school shirt by half term",
        "area": "self_care",
        "levels": {"-2": "Cannot yet", "-1": "With help", "0": "With a reminder", "1": "Alone", "2": "Alone, fast"},
        "weight": Decimal("1.00"),
        "baseline": -1,
        "updated_at": WHEN,
    }
    values.update(overrides)
    return Goal(**values)


# --- Patient ----------------------------------------------------------------------------------------------------------


def test_a_child_is_a_uk_core_patient_with_their_nhs_number_name_birth_address_and_gp():
    patient = validate(resources.patient(child(), gp_practice_code="M85001", gp_practice_name="Shah Zaman Surgery"))
    assert patient["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]
    assert patient["identifier"] == [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    assert patient["name"] == [{"use": "official", "family": "Testchild", "given": ["Mia", "Rose"]}]
    assert patient["birthDate"] == "2018-05-10"
    assert patient["address"] == [
        {"use": "home", "line": ["1 Soho Road", "Handsworth", "Birmingham"], "postalCode": "B21 9RY"}
    ]
    assert patient["generalPractitioner"] == [
        {
            "type": "Organization",
            "identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "M85001"},
            "display": "Shah Zaman Surgery",
        }
    ]
    assert patient["active"] is True and "link" not in patient


def test_the_nhs_number_carries_no_verification_status_since_the_service_does_not_know_it():
    patient = resources.patient(child())
    assert "extension" not in patient["identifier"][0]


def test_a_child_without_an_nhs_number_has_no_identifier_rather_than_an_empty_one():
    patient = validate(resources.patient(child(nhs_number="")))
    assert "identifier" not in patient


def test_an_address_typed_on_one_line_is_split_at_its_commas():
    assert resources.address_lines("Flat 2, 10 Soho Road, Birmingham") == ["Flat 2", "10 Soho Road", "Birmingham"]


def test_a_merged_record_is_inactive_and_replaced_by_the_surviving_one():
    patient = validate(resources.patient(child(pk=8, merged_into_id=7)))
    assert patient["active"] is False
    assert patient["link"] == [{"other": {"reference": "Patient/7"}, "type": "replaced-by"}]


def test_the_surviving_record_names_the_records_merged_into_it():
    patient = validate(resources.patient(child(), replaces=[8, 9]))
    assert [link["type"] for link in patient["link"]] == ["replaces", "replaces"]
    assert [link["other"]["reference"] for link in patient["link"]] == ["Patient/8", "Patient/9"]


# --- ServiceRequest ---------------------------------------------------------------------------------------------------


def test_a_referral_is_a_service_request_ordered_of_the_service_for_the_child():
    request = validate(resources.service_request(referral(), ctx=CTX))
    assert request["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"]
    assert request["id"] == "OT-ABCD-EFGH"
    assert request["identifier"] == [{"system": CTX.identifier_system("referral-reference"), "value": "OT-ABCD-EFGH"}]
    assert (request["status"], request["intent"]) == ("active", "order")
    assert request["authoredOn"] == "2026-10-01"
    assert request["requester"] == {"display": "Dr Jo Example (GP), Example Surgery"}
    assert request["performer"] == [{"type": "HealthcareService", "display": CTX.service_name}]
    assert request["subject"] == {
        "reference": "Patient/7",
        "identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"},
    }
    assert [reason["text"] for reason in request["reasonCode"]] == ["Dressing", "Pencil skills"]
    assert request["reasonCode"][0]["coding"] == [
        {"system": CTX.system("difficulty"), "code": "dressing", "display": "Dressing"}
    ]
    assert request["note"] == [{"text": "Cannot do buttons."}]


def test_the_referrers_role_is_the_uk_core_source_of_the_request_without_an_invented_snomed_code():
    request = resources.service_request(referral(referrer_role="school_nurse", referrer_organisation=""), ctx=CTX)
    assert request["requester"] == {"display": "Dr Jo Example (School nurse)"}
    (source,) = [e for e in request["extension"] if e["url"] == resources.SOURCE_OF_SERVICE_REQUEST]
    codings = source["valueCodeableConcept"]["coding"]
    assert all(coding["system"] != "http://snomed.info/sct" for coding in codings)
    assert codings == [{"system": CTX.system("referrer-role"), "code": "school_nurse", "display": "School nurse"}]


@pytest.mark.parametrize("status", list(Status))
def test_every_referral_status_maps_to_an_r4_request_status(status):
    mapped = resources.service_request_status(status, None)
    assert mapped in R4_CODES[("ServiceRequest", "status")]


@pytest.mark.parametrize(
    ("status", "first_attended", "expected"),
    [
        (Status.RECEIVED, None, "active"),
        (Status.INFORMATION_REQUESTED, None, "on-hold"),
        (Status.WAITING, None, "active"),
        (Status.SEEN, dt.date(2026, 10, 5), "active"),
        (Status.DECLINED, None, "revoked"),
        (Status.DISCHARGED, dt.date(2026, 10, 5), "completed"),
        (Status.DISCHARGED, None, "revoked"),
    ],
)
def test_a_discharge_completes_the_request_only_when_the_child_was_seen(status, first_attended, expected):
    assert resources.service_request_status(status, first_attended) == expected


def test_triage_priorities_keep_their_order_and_the_services_own_word_travels_beside_them():
    order = ["routine", "urgent", "asap", "stat"]
    mapped = [resources.PRIORITY[p] for p in (Priority.ROUTINE, Priority.SOON, Priority.URGENT)]
    assert mapped == sorted(mapped, key=order.index) and len(set(mapped)) == 3
    request = resources.service_request(referral(priority=Priority.SOON), ctx=CTX)
    assert request["priority"] == "urgent"
    (own,) = [e for e in request["extension"] if e["url"] == CTX.extension("triage-priority")]
    assert own["valueCoding"]["code"] == "soon"


def test_an_untriaged_referral_has_no_priority():
    request = validate(resources.service_request(referral(priority="", status=Status.RECEIVED), ctx=CTX))
    assert "priority" not in request
    assert CTX.extension("triage-priority") not in [e["url"] for e in request["extension"]]


# --- EpisodeOfCare and Appointment ------------------------------------------------------------------------------------


def test_an_episode_of_care_points_at_its_referral_and_clinician_and_finishes_at_discharge():
    open_episode = validate(resources.episode_of_care(episode(), ctx=CTX))
    assert open_episode["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-EpisodeOfCare"]
    assert open_episode["status"] == "active"
    assert open_episode["patient"] == {"reference": "Patient/7"}
    assert open_episode["referralRequest"] == [{"reference": "ServiceRequest/OT-ABCD-EFGH"}]
    assert open_episode["careManager"]["display"] == "Jo Therapist"
    assert "end" not in open_episode["period"]
    closed = validate(resources.episode_of_care(episode(discharged_at=WHEN + dt.timedelta(days=60)), ctx=CTX))
    assert closed["status"] == "finished"
    assert closed["period"]["end"].startswith("2027-01-01")


def _appointment(**overrides) -> Appointment:
    values = {
        "pk": 41,
        "referral": referral(status=Status.SEEN),
        "clinician": ot(),
        "location": Location(name="Soho Health Centre"),
        "kind": Kind.SCHOOL_VISIT,
        "start": dt.datetime(2026, 7, 1, 10, tzinfo=LONDON),
        "end": dt.datetime(2026, 7, 1, 10, 45, tzinfo=LONDON),
        "created_at": WHEN,
        "updated_at": WHEN,
    }
    values.update(overrides)
    return Appointment(**values)


@pytest.mark.parametrize(
    ("cancelled", "outcome", "expected"),
    [
        (False, "", "booked"),
        (False, Outcome.ATTENDED, "fulfilled"),
        (False, Outcome.WAS_NOT_BROUGHT, "noshow"),
        (True, Outcome.CANCELLED_BY_FAMILY, "cancelled"),
        (True, Outcome.CANCELLED_BY_SERVICE, "cancelled"),
        (True, "", "cancelled"),
    ],
)
def test_appointment_statuses_map_to_booked_fulfilled_noshow_or_cancelled(cancelled, outcome, expected):
    resource = validate(resources.appointment(_appointment(cancelled=cancelled, outcome=outcome), ctx=CTX))
    assert resource["status"] == expected
    assert ("cancelationReason" in resource) == (expected == "cancelled")


def test_an_appointment_shows_its_kind_times_in_uk_time_its_people_and_place():
    resource = resources.appointment(
        _appointment(cancelled=True, outcome=Outcome.CANCELLED_BY_FAMILY, cancellation_reason="Poorly"), ctx=CTX
    )
    assert resource["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment"]
    assert resource["start"] == "2026-07-01T10:00:00+01:00" and resource["minutesDuration"] == 45
    assert resource["appointmentType"]["text"] == "School visit"
    assert resource["basedOn"] == [{"reference": "ServiceRequest/OT-ABCD-EFGH"}]
    assert [p["actor"].get("reference") or p["actor"]["display"] for p in resource["participant"]] == [
        "Patient/7",
        "Jo Therapist",
        "Soho Health Centre",
    ]
    assert resource["cancelationReason"]["text"] == "Poorly"
    assert resource["cancelationReason"]["coding"][0]["code"] == "cancelled_by_family"


# --- CarePlan and Goal ------------------------------------------------------------------------------------------------


def test_a_package_of_care_is_a_care_plan_with_its_goals_and_the_block_it_follows():
    plan = validate(resources.care_plan(package(), ctx=CTX, goal_ids=[31, 32]))
    assert plan["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan"]
    assert (plan["status"], plan["intent"]) == ("active", "plan")
    assert plan["title"] == "Package of care (block 2)"
    assert plan["description"] == "6 sessions. Direct sessions with an OT. At school and home. Includes equipment."
    assert plan["goal"] == [{"reference": "Goal/31"}, {"reference": "Goal/32"}]
    assert plan["replaces"] == [{"reference": "CarePlan/20"}]
    assert plan["supportingInfo"] == [{"reference": "EpisodeOfCare/5"}]
    assert plan["subject"] == {"reference": "Patient/7"}


def test_a_reviewed_block_is_completed_and_one_stopped_by_discharge_is_revoked():
    reviewed = validate(resources.care_plan(package(), ctx=CTX, goal_ids=[], reviewed_on=dt.date(2026, 12, 1)))
    assert reviewed["status"] == "completed" and reviewed["period"]["end"] == "2026-12-01"
    stopped = resources.care_plan(package(episode=episode(discharged_at=WHEN)), ctx=CTX, goal_ids=[])
    assert stopped["status"] == "revoked"


@pytest.mark.parametrize("baseline", [-2, -1])
@pytest.mark.parametrize("attained", [-2, -1, 0, 1, 2])
def test_goal_achievement_follows_the_gas_level_against_the_expected_outcome_and_the_baseline(attained, baseline):
    achievement = resources.goal_achievement(attained=attained, baseline=baseline, active=False)
    if attained >= 0:
        assert achievement == "achieved"
    elif attained > baseline:
        assert achievement == "improving"
    elif attained == baseline:
        assert achievement == "no-change"
    else:
        assert achievement == "worsening"


def test_a_goal_is_a_base_r4_goal_described_with_its_gas_levels():
    resource = validate(resources.goal(goal_record(), ctx=CTX, latest=None))
    assert "profile" not in resource["meta"]
    assert resource["lifecycleStatus"] == "active"
    assert resource["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert resource["description"] == {"text": "Does up 3 buttons on the school shirt by half term"}
    assert resource["target"][0]["detailInteger"] == 0
    assert resource["note"][2] == {"text": "GAS level 0 (the expected outcome): With a reminder"}
    assert resource["subject"] == {"reference": "Patient/7"}


def test_a_rated_goal_is_completed_with_the_achievement_of_its_rating():
    latest = LatestRating(
        attained=1, baseline=-1, reviewed_on=dt.date(2026, 12, 1), own=True, level_description="Alone"
    )
    resource = validate(resources.goal(goal_record(), ctx=CTX, latest=latest))
    assert resource["lifecycleStatus"] == "completed"
    assert resource["statusDate"] == "2026-12-01"
    assert resource["achievementStatus"]["coding"][0]["code"] == "achieved"
    assert resource["achievementStatus"]["text"] == "Rated on 1 December 2026: GAS level +1 (more than expected): Alone"


def test_a_goal_carried_into_the_next_block_stays_active_with_the_latest_rating_from_the_block_before():
    latest = LatestRating(attained=-1, baseline=-2, reviewed_on=dt.date(2026, 12, 1), own=False)
    resource = validate(resources.goal(goal_record(), ctx=CTX, latest=latest))
    assert resource["lifecycleStatus"] == "active" and "statusDate" not in resource
    assert resource["achievementStatus"]["coding"][0]["code"] == "improving"
    assert resource["achievementStatus"]["text"].startswith("Rated in the block before on 1 December 2026")


def test_an_unrated_goal_of_a_discharged_episode_is_cancelled_with_no_achievement():
    resource = validate(
        resources.goal(goal_record(package=package(episode=episode(discharged_at=WHEN))), ctx=CTX, latest=None)
    )
    assert resource["lifecycleStatus"] == "cancelled" and "achievementStatus" not in resource


# --- Observation ------------------------------------------------------------------------------------------------------


def test_a_gas_t_score_is_a_final_therapy_observation_about_the_goals_it_rated():
    review = Review(pk=9, reviewed_on=dt.date(2026, 12, 1), reviewed_by=ot(), gas_t_score=Decimal("61.02"))
    observation = validate(resources.gas_t_observation(review, ctx=CTX, patient_id=7, goal_ids=[31, 32]))
    assert observation["id"] == "gas-t-9"
    assert observation["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"]
    assert observation["status"] == "final"
    assert observation["category"][0]["coding"][0]["code"] == "therapy"
    assert observation["code"]["coding"] == [
        {"system": CTX.system("outcome-measure"), "code": "gas-t-score", "display": "Goal Attainment Scaling T-score"}
    ]
    assert observation["valueQuantity"] == {
        "value": 61.02,
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
        "unit": "score",
    }
    assert observation["focus"] == [{"reference": "Goal/31"}, {"reference": "Goal/32"}]
    assert observation["effectiveDateTime"] == "2026-12-01"


def test_a_copm_score_is_the_mean_over_problems_with_each_problems_rating_beside_it():
    review = Review(pk=9, reviewed_on=dt.date(2026, 12, 1), reviewed_by=ot())
    observation = validate(
        resources.copm_observation(
            ctx=CTX,
            measure="satisfaction",
            occasion="review",
            source=review,
            patient_id=7,
            effective=review.reviewed_on,
            performer=ot(),
            ratings=[("Doing up buttons", 7), ("Using a knife and fork", 4)],
        )
    )
    assert observation["id"] == "copm-satisfaction-review-9"
    assert observation["code"]["coding"][0]["code"] == "copm-satisfaction"
    assert observation["valueQuantity"]["value"] == 5.5
    assert [(c["code"]["text"], c["valueInteger"]) for c in observation["component"]] == [
        ("Doing up buttons", 7),
        ("Using a knife and fork", 4),
    ]


def test_toms_is_one_observation_with_a_component_for_each_domain():
    rating = TomsRating(
        pk=4,
        stage="start",
        impairment=Decimal("2.0"),
        activity=Decimal("2.5"),
        participation=Decimal("3.0"),
        wellbeing=Decimal("3.5"),
        rated_on=dt.date(2026, 10, 20),
        rated_by=ot(),
    )
    observation = validate(resources.toms_observation(rating, ctx=CTX, patient_id=7))
    assert "valueQuantity" not in observation
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in observation["component"]] == [
        ("toms-impairment", 2),
        ("toms-activity", 2.5),
        ("toms-participation", 3),
        ("toms-wellbeing", 3.5),
    ]
    assert observation["note"] == [{"text": "Start of episode"}]


def test_no_coding_claims_snomed_or_loinc():
    """The service's measures and codes have no code known for certain in either: its own system is used."""
    review = Review(pk=9, reviewed_on=dt.date(2026, 12, 1), reviewed_by=ot(), gas_t_score=Decimal(50))
    made = [
        resources.service_request(referral(), ctx=CTX),
        resources.gas_t_observation(review, ctx=CTX, patient_id=7, goal_ids=[]),
        resources.goal(goal_record(), ctx=CTX, latest=None),
        resources.appointment(_appointment(), ctx=CTX),
    ]
    text = str(made)
    assert "snomed" not in text and "loinc" not in text


# --- Bundles, errors, the capability statement ------------------------------------------------------------------------


def test_a_searchset_links_to_itself_and_the_pages_either_side():
    patient = resources.patient(child())
    bundle = validate(
        resources.searchset(
            [("https://x/fhir/Patient/7", patient)],
            self_url="https://x/fhir/Patient?page=2",
            next_url="https://x/fhir/Patient?page=3",
            previous_url="https://x/fhir/Patient",
        )
    )
    assert [link["relation"] for link in bundle["link"]] == ["self", "previous", "next"]
    assert bundle["entry"][0]["search"] == {"mode": "match"}


def test_an_operation_outcome_is_valid_fhir():
    outcome = validate(resources.operation_outcome("not-found", "No Patient with id '1'."))
    assert outcome["issue"][0]["severity"] == "error"


def test_the_capability_statement_lists_exactly_the_resources_and_search_parameters_served():
    statement = validate(
        resources.capability_statement(
            base_url="https://x/fhir/", date="2026-11-27", software_version="1", service_name="OT", searches=SEARCHES
        )
    )
    assert statement["fhirVersion"] == "4.0.1" and statement["kind"] == "instance"
    served = {
        entry["type"]: sorted(p["name"] for p in entry["searchParam"]) for entry in statement["rest"][0]["resource"]
    }
    assert served == {
        "Patient": ["identifier"],
        "ServiceRequest": ["identifier", "patient"],
        "EpisodeOfCare": ["patient"],
        "Appointment": ["date", "patient"],
        "CarePlan": ["patient"],
        "Goal": ["patient"],
        "Observation": ["patient"],
        "Flag": ["patient"],
    }
    goal_entry = next(e for e in statement["rest"][0]["resource"] if e["type"] == "Goal")
    assert "profile" not in goal_entry
