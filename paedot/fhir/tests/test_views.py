"""The FHIR interface end to end: each resource read and searched as FHIR JSON (checked against FHIR's model), who
may read what, paging, errors as OperationOutcomes, the audit trail, and a fixed number of queries per search."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paedot.children.models import Child
from paedot.core.audit import Actions
from paedot.core.models import AuditEvent
from paedot.fhir.resources import CONTENT_TYPE, NHS_NUMBER_SYSTEM
from paedot.fhir.tests.conftest import entries, link, make_record

pytestmark = pytest.mark.django_db

OTHER_NHS_NUMBER = "9912003888"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _views(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Actions.RECORD_VIEWED, **filters).order_by("id"))


# --- The capability statement and refusals ----------------------------------------------------------------------------


def test_the_capability_statement_is_public_fhir_json(fhir_as):
    statement = fhir_as(None).get("/fhir/metadata")
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["implementation"]["url"] == "http://testserver/fhir/"
    assert {entry["type"] for entry in statement["rest"][0]["resource"]} == {
        "Patient",
        "ServiceRequest",
        "EpisodeOfCare",
        "Appointment",
        "CarePlan",
        "Goal",
        "Observation",
        "Flag",
    }


@pytest.mark.parametrize("authorization", [None, "Bearer pot_not-a-real-token", "Basic b3Q6cGFzc3dvcmQ=", "Bearer"])
def test_without_a_valid_token_a_read_is_401_with_a_bearer_challenge(client, record, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get(f"/fhir/Patient/{record.child_id}", **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["issue"][0]["code"] == "login"
    assert _views() == []


def test_a_signed_in_session_is_not_a_token(client, record, ot_user):
    client.force_login(ot_user)
    assert client.get(f"/fhir/Patient/{record.child_id}").status_code == 401


def test_an_unsupported_search_parameter_is_a_400_operation_outcome(fhir_as, ot_user, record):
    outcome = fhir_as(ot_user).get("/fhir/Goal", {"patient": record.child_id, "_include": "Goal:subject"}, status=400)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-supported"
    assert "_include" in outcome["issue"][0]["diagnostics"]


def test_a_search_without_the_child_is_refused(fhir_as, ot_user):
    outcome = fhir_as(ot_user).get("/fhir/Observation", status=400)
    assert outcome["issue"][0]["code"] == "required"


def test_unknown_resources_ids_and_types_are_404_operation_outcomes(fhir_as, ot_user):
    fhir = fhir_as(ot_user)
    for path in ("/fhir/Patient/999999", "/fhir/Patient/abc", "/fhir/Observation/nonsense-1", "/fhir/Practitioner/1"):
        assert fhir.get(path, status=404)["issue"][0]["code"] == "not-found"


def test_the_interface_is_read_only(client, ot_user, token_for, record):
    response = client.post(f"/fhir/Patient/{record.child_id}", {}, HTTP_AUTHORIZATION=f"Bearer {token_for(ot_user)}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_client_asking_only_for_xml_is_told_json_is_all_there_is(fhir_as, ot_user, record):
    fhir = fhir_as(ot_user)
    fhir.get(f"/fhir/Patient/{record.child_id}", status=406, HTTP_ACCEPT="application/fhir+xml")
    fhir.get(f"/fhir/Patient/{record.child_id}", {"_format": "xml"}, status=406)
    fhir.get(f"/fhir/Patient/{record.child_id}", HTTP_ACCEPT="application/fhir+json, application/fhir+xml;q=0.5")


# --- Patient ----------------------------------------------------------------------------------------------------------


def test_a_child_is_read_by_id_with_their_nhs_number_and_gp_practice(fhir_as, ot_user, record):
    patient = fhir_as(ot_user).get(f"/fhir/Patient/{record.child_id}")
    assert patient["id"] == str(record.child_id)
    assert patient["identifier"] == [{"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}]
    assert patient["generalPractitioner"][0]["identifier"]["value"] == record.referral.gp_practice_code
    assert patient["name"][0]["given"] == ["Mia", "Rose"]


def test_a_child_is_found_by_nhs_number_in_a_searchset(fhir_as, ot_user, record):
    bundle = fhir_as(ot_user).get("/fhir/Patient", {"identifier": f"{NHS_NUMBER_SYSTEM}|9434765919"})
    (patient,) = entries(bundle)
    assert patient["id"] == str(record.child_id)
    assert bundle["entry"][0]["fullUrl"] == f"http://testserver/fhir/Patient/{record.child_id}"
    assert link(bundle, "self").startswith("http://testserver/fhir/Patient?identifier=")
    assert link(bundle, "next") is None
    assert entries(fhir_as(ot_user).get("/fhir/Patient", {"identifier": OTHER_NHS_NUMBER})) == []


def test_a_search_by_post_keeps_the_nhs_number_out_of_the_address_and_the_audit_trail(fhir_as, ot_user, record):
    bundle = fhir_as(ot_user).post("/fhir/Patient/_search", {"identifier": f"{NHS_NUMBER_SYSTEM}|9434765919"})
    assert [p["id"] for p in entries(bundle)] == [str(record.child_id)]
    (event,) = _views(object_type="children.child")
    assert event.detail == {"method": "POST", "path": "/fhir/Patient/_search"}
    assert "9434765919" not in str(event.detail)


def test_a_merged_record_answers_with_a_link_to_the_surviving_one(fhir_as, ot_user, record):
    merged = Child.objects.create(
        given_name="Mia",
        family_name="Testchlid",
        date_of_birth=record.referral.child.date_of_birth,
        nhs_number="9434765919",
        merged_into_id=record.child_id,
        merged_at=timezone.now(),
    )
    fhir = fhir_as(ot_user)
    old = fhir.get(f"/fhir/Patient/{merged.pk}")
    assert old["active"] is False
    assert old["link"] == [{"other": {"reference": f"Patient/{record.child_id}"}, "type": "replaced-by"}]
    survivor = fhir.get(f"/fhir/Patient/{record.child_id}")
    assert survivor["link"] == [{"other": {"reference": f"Patient/{merged.pk}"}, "type": "replaces"}]
    # A search by NHS number finds the child once: the surviving record.
    found = entries(fhir.get("/fhir/Patient", {"identifier": "9434765919"}))
    assert [p["id"] for p in found] == [str(record.child_id)]


# --- Who may see what -------------------------------------------------------------------------------------------------


def _restricted(record, team_lead_user):
    from paedot.restricted_records.services import restrict_record

    restrict_record(
        child=record.referral.child, reason="Safeguarding: synthetic", named_staff=[team_lead_user], by=team_lead_user
    )


def test_a_restricted_record_is_not_found_by_staff_not_named_on_it(fhir_as, record, team_lead_user):
    from paedot.referrals.tests.factories import staff

    _restricted(record, team_lead_user)
    other_ot = staff("ot", "ot-not-named")
    fhir = fhir_as(other_ot)
    child = record.child_id
    missing = fhir.get("/fhir/Patient/999999", status=404)
    for path in (
        f"/fhir/Patient/{child}",
        f"/fhir/ServiceRequest/{record.referral.reference}",
        f"/fhir/EpisodeOfCare/{record.episode.pk}",
        f"/fhir/Appointment/{record.appointment.pk}",
        f"/fhir/CarePlan/{record.first_block.pk}",
        f"/fhir/Goal/{record.first_block.goals.first().pk}",
        f"/fhir/Observation/gas-t-{record.review.pk}",
    ):
        outcome = fhir.get(path, status=404)
        # The same answer as for a record that does not exist: nothing says it is there.
        assert outcome["issue"][0]["code"] == missing["issue"][0]["code"] == "not-found"
    for resource_type in ("ServiceRequest", "EpisodeOfCare", "Appointment", "CarePlan", "Goal", "Observation"):
        assert entries(fhir.get(f"/fhir/{resource_type}", {"patient": f"Patient/{child}"})) == []
    assert entries(fhir.get("/fhir/Patient", {"identifier": "9434765919"})) == []
    assert _views() == []
    # The team lead named on it reads it.
    assert fhir_as(team_lead_user).get(f"/fhir/Patient/{child}")["id"] == str(child)


def test_staff_of_another_locality_do_not_find_the_child(fhir_as, record):
    from paedot.staff.services import create_staff_user

    assert record.referral.locality == "North"
    south = create_staff_user(username="ot-south", role="ot", full_name="South OT", localities=["South"])
    fhir = fhir_as(south)
    fhir.get(f"/fhir/Patient/{record.child_id}", status=404)
    assert entries(fhir.get("/fhir/CarePlan", {"patient": record.child_id})) == []


def test_a_partner_system_reads_only_the_service_requests_it_sent(fhir_as, partner_user, record):
    from paedot.referrals.services import receive_referral
    from paedot.referrals.tests.factories import submission

    sent = receive_referral(
        submission=submission(child={"nhs_number": OTHER_NHS_NUMBER}),
        source="api",
        submitted_by=partner_user,
        acknowledge=False,
    )
    fhir = fhir_as(partner_user)
    request = fhir.get(f"/fhir/ServiceRequest/{sent.reference}")
    assert request["id"] == sent.reference and request["subject"]["identifier"]["value"] == OTHER_NHS_NUMBER
    assert [r["id"] for r in entries(fhir.get("/fhir/ServiceRequest"))] == [sent.reference]
    fhir.get(f"/fhir/ServiceRequest/{record.referral.reference}", status=404)
    assert entries(fhir.get("/fhir/ServiceRequest", {"patient": record.child_id})) == []
    # Nothing else: not the child, not the clinical record.
    for path in (f"/fhir/Patient/{sent.child_id}", "/fhir/Goal?patient=1", "/fhir/Appointment?patient=1"):
        assert fhir.get(path, status=403)["issue"][0]["code"] == "forbidden"


def test_a_role_without_the_clinical_record_is_refused_and_the_refusal_audited(fhir_as, auditor_user, record):
    fhir = fhir_as(auditor_user)
    # Auditors see referrals (and so the child's details), not the clinical record.
    assert fhir.get(f"/fhir/Patient/{record.child_id}")["id"] == str(record.child_id)
    assert fhir.get(f"/fhir/ServiceRequest/{record.referral.reference}")["id"] == record.referral.reference
    outcome = fhir.get(f"/fhir/CarePlan/{record.first_block.pk}", status=403)
    assert outcome["issue"][0]["code"] == "forbidden"
    assert "clinical record" in outcome["issue"][0]["diagnostics"]
    refusal = AuditEvent.objects.get(action=Actions.PERMISSION_REFUSED)
    assert refusal.actor == auditor_user and refusal.detail["path"] == f"/fhir/CarePlan/{record.first_block.pk}"


@pytest.mark.parametrize("role", ["commissioner", "system_admin"])
def test_roles_that_see_no_childrens_records_are_refused_everything(fhir_as, record, role):
    from paedot.referrals.tests.factories import staff

    fhir = fhir_as(staff(role))
    fhir.get(f"/fhir/Patient/{record.child_id}", status=403)
    fhir.get("/fhir/ServiceRequest", status=403)


# --- The audit trail --------------------------------------------------------------------------------------------------


def test_every_read_writes_the_record_viewed_event_the_api_writes(fhir_as, ot_user, record):
    fhir = fhir_as(ot_user)
    reads = {
        f"/fhir/Patient/{record.child_id}": "children.child",
        f"/fhir/ServiceRequest/{record.referral.reference}": "referrals.referral",
        f"/fhir/EpisodeOfCare/{record.episode.pk}": "care.episode",
        f"/fhir/Appointment/{record.appointment.pk}": "appointments.appointment",
        f"/fhir/CarePlan/{record.first_block.pk}": "care.package",
        f"/fhir/Goal/{record.first_block.goals.first().pk}": "care.goal",
        f"/fhir/Observation/gas-t-{record.review.pk}": "care.review",  # read from the review that holds it
    }
    for path, object_type in reads.items():
        fhir.get(path)
        event = _views().pop()
        assert (event.object_type, event.actor, event.child_id) == (object_type, ot_user, record.child_id)
        assert event.detail == {"method": "GET", "path": path}


def test_a_search_writes_one_view_event_per_record_it_returned_and_none_when_it_found_nothing(fhir_as, ot_user, record):
    fhir = fhir_as(ot_user)
    bundle = fhir.get("/fhir/Goal", {"patient": record.child_id})
    events = _views(object_type="care.goal")
    assert sorted(int(e.object_id) for e in events) == sorted(int(g["id"]) for g in entries(bundle))
    assert {e.child_id for e in events} == {record.child_id} and len(events) == 3
    fhir.get("/fhir/Goal", {"patient": 999999})
    assert len(_views()) == 3


# --- The resources, from a real record --------------------------------------------------------------------------------


def test_a_referral_is_read_by_its_reference_and_found_by_patient_or_identifier(fhir_as, ot_user, record):
    fhir = fhir_as(ot_user)
    reference = record.referral.reference
    request = fhir.get(f"/fhir/ServiceRequest/{reference.lower()}")
    assert (request["id"], request["status"], request["intent"]) == (reference, "active", "order")
    assert request["authoredOn"] == record.referral.received_date.isoformat()
    by_patient = entries(fhir.get("/fhir/ServiceRequest", {"patient": f"Patient/{record.child_id}"}))
    assert [r["id"] for r in by_patient] == [reference]
    by_identifier = entries(fhir.get("/fhir/ServiceRequest", {"identifier": reference}))
    assert [r["id"] for r in by_identifier] == [reference]


def test_the_episode_of_care_is_found_for_the_child(fhir_as, ot_user, record):
    (episode,) = entries(fhir_as(ot_user).get("/fhir/EpisodeOfCare", {"patient": record.child_id}))
    assert episode["id"] == str(record.episode.pk) and episode["status"] == "active"
    assert episode["referralRequest"] == [{"reference": f"ServiceRequest/{record.referral.reference}"}]


def test_appointments_are_found_by_child_and_start_date_with_their_outcome_as_status(fhir_as, ot_user, record):
    import datetime as dt

    from paedot.appointments.models import Appointment

    later = record.appointment.start + dt.timedelta(days=7)
    Appointment.objects.create(
        referral=record.referral,
        clinician=ot_user,
        location=record.appointment.location,
        kind="treatment",
        start=later,
        end=later + dt.timedelta(minutes=45),
        outcome="was_not_brought",
        booked_by=ot_user,
    )
    fhir = fhir_as(ot_user)
    everything = entries(fhir.get("/fhir/Appointment", {"patient": record.child_id}))
    assert [a["status"] for a in everything] == ["fulfilled", "noshow"]
    first_day = record.appointment.start.date()
    for query, expected in (
        ({"date": f"ge{(first_day + dt.timedelta(days=1)).isoformat()}"}, ["noshow"]),
        ({"date": f"lt{(first_day + dt.timedelta(days=1)).isoformat()}"}, ["fulfilled"]),
        ({"date": first_day.isoformat()}, ["fulfilled"]),
        ({"date": [f"ge{first_day.isoformat()}", f"le{(first_day + dt.timedelta(days=7)).isoformat()}"]}, None),
    ):
        found = entries(fhir.get("/fhir/Appointment", {"patient": record.child_id, **query}))
        assert [a["status"] for a in found] == (expected or ["fulfilled", "noshow"])


def test_a_care_plans_goals_are_references_that_resolve(fhir_as, ot_user, record):
    fhir = fhir_as(ot_user)
    plans = entries(fhir.get("/fhir/CarePlan", {"patient": record.child_id}))
    assert [(p["title"], p["status"]) for p in plans] == [
        ("Package of care (block 1)", "completed"),
        ("Package of care (block 2)", "active"),
    ]
    assert plans[1]["replaces"] == [{"reference": f"CarePlan/{record.first_block.pk}"}]
    for plan in plans:
        for goal_reference in plan["goal"]:
            goal = fhir.get(f"/fhir/{goal_reference['reference']}")
            assert goal["id"] == goal_reference["reference"].split("/")[1]


def test_goals_carry_their_latest_gas_rating(fhir_as, ot_user, record):
    goals = entries(fhir_as(ot_user).get("/fhir/Goal", {"patient": record.child_id}))
    statuses = [(g["lifecycleStatus"], g["achievementStatus"]["coding"][0]["code"]) for g in goals]
    # Block 1 rated 0 and -1 (from a baseline of -1); block 2 carried the second goal over, not yet rated again.
    assert statuses == [("completed", "achieved"), ("completed", "no-change"), ("active", "no-change")]
    assert goals[2]["achievementStatus"]["text"].startswith("Rated in the block before")


def test_observations_hold_the_gas_t_score_copm_means_and_toms_domains(fhir_as, ot_user, record):
    fhir = fhir_as(ot_user)
    found = {o["id"]: o for o in entries(fhir.get("/fhir/Observation", {"patient": record.child_id}))}
    review, assessment = record.review.pk, record.assessment.pk
    toms = record.assessment.episode.toms_ratings.get()
    assert set(found) == {
        f"gas-t-{review}",
        f"copm-performance-assessment-{assessment}",
        f"copm-satisfaction-assessment-{assessment}",
        f"copm-performance-review-{review}",
        f"copm-satisfaction-review-{review}",
        f"toms-{toms.pk}",
    }
    assert Decimal(str(found[f"gas-t-{review}"]["valueQuantity"]["value"])) == record.review.gas_t_score
    # COPM at assessment: performance 3 and 4, satisfaction 2 and 4; at the review 6 and 5, 7 and 5.
    assert found[f"copm-performance-assessment-{assessment}"]["valueQuantity"]["value"] == 3.5
    assert found[f"copm-satisfaction-assessment-{assessment}"]["valueQuantity"]["value"] == 3
    assert found[f"copm-performance-review-{review}"]["valueQuantity"]["value"] == 5.5
    assert found[f"copm-satisfaction-review-{review}"]["valueQuantity"]["value"] == 6
    assert [c["valueQuantity"]["value"] for c in found[f"toms-{toms.pk}"]["component"]] == [2, 2.5, 3, 3]
    for observation_id, observation in found.items():
        assert fhir.get(f"/fhir/Observation/{observation_id}") == observation


# --- Paging -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource_type", ["Goal", "Observation"])
def test_searches_are_paged_with_next_and_previous_links(fhir_as, ot_user, record, resource_type):
    fhir = fhir_as(ot_user)
    everything = [r["id"] for r in entries(fhir.get(f"/fhir/{resource_type}", {"patient": record.child_id}))]
    pages, url = [], f"/fhir/{resource_type}?patient={record.child_id}&_count=2"
    while url:
        bundle = fhir.get(url)
        pages.append([r["id"] for r in entries(bundle)])
        assert (link(bundle, "previous") is None) == (len(pages) == 1)
        url = _path(link(bundle, "next")) if link(bundle, "next") else None
    assert all(len(page) <= 2 for page in pages) and len(pages) == -(-len(everything) // 2)
    assert [item for page in pages for item in page] == everything


# --- Queries ----------------------------------------------------------------------------------------------------------


def _queries(fhir, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        fhir.get(path)
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/ServiceRequest?patient={child}",
        "/fhir/ServiceRequest",
        "/fhir/EpisodeOfCare?patient={child}",
        "/fhir/Appointment?patient={child}",
        "/fhir/CarePlan?patient={child}",
        "/fhir/Goal?patient={child}",
    ],
)
def test_a_search_takes_as_many_queries_for_a_page_of_one_as_for_a_page_of_many(
    fhir_as, ot_user, record, django_assert_num_queries, path
):
    import datetime as dt

    from paedot.appointments.models import Appointment
    from paedot.care.tests.factories import episode_for
    from paedot.referrals.tests.factories import referral_in

    for n in range(1, 4):
        # The same child again (a re-referral, by the same NHS number), accepted, with an episode of its own.
        episode_for(referral_in("accepted", child={"nhs_number": "9434765919"}), by=ot_user)
        start = record.appointment.start + dt.timedelta(days=n)
        Appointment.objects.create(
            referral=record.referral,
            clinician=ot_user,
            location=record.appointment.location,
            kind="treatment",
            start=start,
            end=start + dt.timedelta(minutes=30),
            booked_by=ot_user,
        )
    fhir = fhir_as(ot_user)
    path = path.format(child=record.child_id)
    joiner = "&" if "?" in path else "?"
    fhir.get(path)  # the token's first use is noted once a minute: not counted below
    one = _queries(fhir, f"{path}{joiner}_count=1")
    with django_assert_num_queries(one):
        bundle = fhir.get(f"{path}{joiner}_count=50")
    assert len(entries(bundle)) > 1


def test_observations_take_as_many_queries_for_a_long_record_as_for_a_short_one(
    fhir_as, ot_user, record, django_assert_num_queries
):
    from paedot.care.tests.factories import reviewed

    longer = make_record(ot_user, nhs_number=OTHER_NHS_NUMBER, hour=14)
    reviewed(
        longer.second_block,
        [1],
        by=ot_user,
        decision="discharge",
        toms={"impairment": 3, "activity": 3, "participation": 3.5, "wellbeing": 4},
    )
    fhir = fhir_as(ot_user)
    fhir.get(f"/fhir/Observation?patient={record.child_id}")
    short = _queries(fhir, f"/fhir/Observation?patient={record.child_id}")
    with django_assert_num_queries(short):
        bundle = fhir.get(f"/fhir/Observation?patient={longer.child_id}")
    assert len(entries(bundle)) > len(entries(fhir.get(f"/fhir/Observation?patient={record.child_id}")))


def test_a_post_without_a_csrf_token_is_still_told_the_interface_is_read_only(ot_user, token_for, record):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(ot_user)}"}
    assert strict.post(f"/fhir/Goal/{record.first_block.goals.first().pk}", {}, **headers).status_code == 405
    searched = strict.post("/fhir/Patient/_search", {"identifier": "9434765919"}, **headers)
    assert searched.status_code == 200 and searched.json()["entry"][0]["resource"]["id"] == str(record.child_id)


def test_a_nul_character_in_a_fhir_request_is_refused_as_an_operation_outcome(client):
    answer = client.get("/fhir/Patient", {"identifier": "https://fhir.nhs.uk/Id/nhs-number|943\x004765919"})
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/fhir+json")
    body = answer.json()
    assert body["resourceType"] == "OperationOutcome" and "NUL" in body["issue"][0]["diagnostics"]
