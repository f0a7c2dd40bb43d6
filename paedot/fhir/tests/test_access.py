"""Every FHIR route asked by every role with its own bearer token, and anonymously: the answer follows the Action of
the JSON API endpoint that shows the same record (paedot/staff/rules.py ALLOWED), so the two cannot drift apart.

(paedot/tests/test_routes_by_role.py walks pages with a signed-in session, which this interface does not accept:
there every FHIR route answers 401. This is the walk with tokens.)
"""

from __future__ import annotations

import pytest

from paedot.fhir.tests.conftest import make_record
from paedot.staff.models import Role
from paedot.staff.rules import ALLOWED, Action

pytestmark = pytest.mark.django_db

# The JSON API's Action for the same record (GET /api/referrals/{reference}, /api/appointments, /packages ...).
SAME_AS_API = {
    "Patient": Action.VIEW_REFERRALS,
    "ServiceRequest": Action.VIEW_REFERRALS,
    "EpisodeOfCare": Action.VIEW_CLINICAL_RECORD,
    "Appointment": Action.VIEW_DIARIES,
    "CarePlan": Action.VIEW_CLINICAL_RECORD,
    "Goal": Action.VIEW_CLINICAL_RECORD,
    "Observation": Action.VIEW_CLINICAL_RECORD,
}
CALLERS = ("anonymous", *Role.values)


@pytest.fixture
def walk(ot_user, token_for):
    from paedot.referrals.tests.factories import staff

    record = make_record(ot_user)
    callers = {role: staff(role, f"fhir-walk-{role}") for role in Role.values}
    paths = {
        "Patient": (f"/fhir/Patient/{record.child_id}", "/fhir/Patient?identifier=9434765919"),
        "ServiceRequest": (f"/fhir/ServiceRequest/{record.referral.reference}", "/fhir/ServiceRequest"),
        "EpisodeOfCare": (f"/fhir/EpisodeOfCare/{record.episode.pk}", f"/fhir/EpisodeOfCare?patient={record.child_id}"),
        "Appointment": (f"/fhir/Appointment/{record.appointment.pk}", f"/fhir/Appointment?patient={record.child_id}"),
        "CarePlan": (f"/fhir/CarePlan/{record.first_block.pk}", f"/fhir/CarePlan?patient={record.child_id}"),
        "Goal": (f"/fhir/Goal/{record.first_block.goals.first().pk}", f"/fhir/Goal?patient={record.child_id}"),
        "Observation": (f"/fhir/Observation/gas-t-{record.review.pk}", f"/fhir/Observation?patient={record.child_id}"),
    }
    return callers, paths, token_for


def expected(resource_type: str, interaction: str, caller: str) -> int:
    if caller == "anonymous":
        return 401
    if caller == Role.PARTNER_SYSTEM and resource_type == "ServiceRequest":
        # It sees the referrals it sent: not this one (404), and a search of its own (200, none of this child's).
        return 404 if interaction == "read" else 200
    return 200 if caller in ALLOWED[SAME_AS_API[resource_type]] else 403


@pytest.mark.parametrize("caller", CALLERS)
def test_each_route_answers_each_caller_as_the_json_api_would(client, walk, caller):
    callers, paths, token_for = walk
    headers = {} if caller == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {token_for(callers[caller])}"}
    wrong = []
    for resource_type, (read_path, search_path) in paths.items():
        for interaction, path in (("read", read_path), ("search", search_path)):
            status = client.get(path, **headers).status_code
            if status != expected(resource_type, interaction, caller):
                wrong.append(f"{path}: {status}, expected {expected(resource_type, interaction, caller)}")
    assert client.get("/fhir/metadata", **headers).status_code == 200
    assert wrong == []


def test_the_walk_expects_every_kind_of_answer_somewhere():
    answers = {expected(t, i, c) for t in SAME_AS_API for i in ("read", "search") for c in CALLERS}
    assert answers == {200, 401, 403, 404}
