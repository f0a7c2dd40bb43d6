"""Alerts on a child as UK Core Flags: the mapping (no database), reading and searching them with the same
permissions, scoping and audit as the other FHIR reads, and every answer valid R4."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.alerts.models import Alert
from paedot.core.audit import Actions
from paedot.core.models import AuditEvent
from paedot.fhir import resources
from paedot.fhir.resources import Context
from paedot.fhir.tests.conftest import entries
from paedot.fhir.tests.validation import validate
from paedot.staff.models import Role, User
from paedot.staff.rules import ALLOWED, Action

CTX = Context(canonical="https://ot.example.nhs.uk/fhir", service_name="Paediatric Occupational Therapy Service")
RAISED = dt.datetime(2027, 3, 10, 9, 30, tzinfo=dt.UTC)


def _alert(**overrides) -> Alert:
    values = {
        "pk": 4,
        "child_id": 7,
        "category": "risk_to_staff",
        "text": "Dog at the home: ask for it to be shut away",
        "raised_by": User(pk=3, username="ot1", first_name="Jo", last_name="Therapist", role="ot"),
        "raised_at": RAISED,
        "review_on": dt.date(2027, 9, 10),
        "updated_at": RAISED,
    }
    values.update(overrides)
    return Alert(**values)


# --- The mapping ------------------------------------------------------------------------------------------------------


def test_an_alert_in_force_is_an_active_uk_core_flag_with_its_category_and_text_in_words():
    flag = validate(resources.flag(_alert(), ctx=CTX, patient_id=7))

    assert flag["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Flag"]
    assert flag["status"] == "active"
    assert flag["category"] == [
        {
            "coding": [
                {
                    "system": "https://ot.example.nhs.uk/fhir/CodeSystem/alert-category",
                    "code": "risk_to_staff",
                    "display": "Risk to staff on visits",
                }
            ],
            "text": "Risk to staff on visits",
        }
    ]
    assert flag["code"] == {"text": "Dog at the home: ask for it to be shut away"}
    assert flag["subject"] == {"reference": "Patient/7"}
    assert flag["period"] == {"start": "2027-03-10T09:30:00+00:00"}
    assert flag["author"] == {"type": "Practitioner", "display": "Jo Therapist"}


def test_an_ended_alert_is_an_inactive_flag_whose_period_ends_when_it_ended():
    ended = RAISED + dt.timedelta(days=30)
    flag = validate(resources.flag(_alert(ended_at=ended, end_reason="Dog rehomed"), ctx=CTX, patient_id=7))
    assert flag["status"] == "inactive"
    assert flag["period"]["end"] == "2027-04-09T10:30:00+01:00"
    assert "Dog rehomed" not in str(flag)


def test_a_flag_claims_no_snomed_code_and_keeps_the_details_on_the_service():
    flag = resources.flag(_alert(details="Social worker: Sam Example (synthetic)"), ctx=CTX, patient_id=7)
    text = str(flag).lower()
    assert "snomed" not in text and "loinc" not in text and "social worker" not in text
    assert "coding" not in flag["code"]


# --- Reading and searching --------------------------------------------------------------------------------------------


@pytest.fixture
def alerted(record, ot_user):
    from paedot.alerts.services import end_alert
    from paedot.alerts.tests.factories import alert_on

    safeguarding = alert_on(
        record.referral, category="child_protection_plan", text="On a child protection plan", by=ot_user
    )
    ended = end_alert(alert=alert_on(record.referral, by=ot_user), reason="Dog rehomed", by=ot_user)
    return record, safeguarding, ended


@pytest.mark.django_db
def test_a_childs_flags_are_found_by_patient_active_and_inactive_and_read_by_id(fhir_as, ot_user, alerted):
    record, safeguarding, ended = alerted
    fhir = fhir_as(ot_user)

    found = entries(fhir.get("/fhir/Flag", {"patient": f"Patient/{record.child_id}"}))

    assert [(f["id"], f["status"]) for f in found] == [(str(safeguarding.pk), "active"), (str(ended.pk), "inactive")]
    assert found[0]["category"][0]["text"] == "Safeguarding: child protection plan"
    assert fhir.get(f"/fhir/Flag/{safeguarding.pk}") == found[0]
    assert entries(fhir.get("/fhir/Flag", {"patient": "999999"})) == []


@pytest.mark.django_db
def test_a_flag_search_needs_the_child(fhir_as, ot_user, alerted):
    outcome = fhir_as(ot_user).get("/fhir/Flag", status=400)
    assert outcome["issue"][0]["code"] == "required"


@pytest.mark.django_db
def test_every_flag_read_is_in_the_audit_trail_as_a_view_of_the_alert(fhir_as, ot_user, alerted):
    record, safeguarding, ended = alerted
    fhir = fhir_as(ot_user)
    fhir.get(f"/fhir/Flag/{safeguarding.pk}")
    fhir.get("/fhir/Flag", {"patient": record.child_id})

    viewed = AuditEvent.objects.filter(action=Actions.RECORD_VIEWED, object_type="alerts.alert").order_by("id")
    assert [(e.object_id, e.child_id, e.actor_id) for e in viewed] == [
        (str(safeguarding.pk), record.child_id, ot_user.pk),
        (str(safeguarding.pk), record.child_id, ot_user.pk),
        (str(ended.pk), record.child_id, ot_user.pk),
    ]


@pytest.mark.django_db
def test_a_restricted_childs_flags_are_not_found_by_staff_not_named(fhir_as, ot_user, team_lead_user, alerted):
    from paedot.restricted_records.services import restrict_record

    record, safeguarding, _ended = alerted
    restrict_record(child=record.referral.child, reason="Safeguarding (synthetic)", named_staff=[], by=team_lead_user)

    fhir_as(ot_user).get(f"/fhir/Flag/{safeguarding.pk}", status=404)
    assert entries(fhir_as(ot_user).get("/fhir/Flag", {"patient": record.child_id})) == []
    assert len(entries(fhir_as(team_lead_user).get("/fhir/Flag", {"patient": record.child_id}))) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_each_role_reads_flags_as_it_reads_the_alerts_page_and_api(client, token_for, alerted, role):
    from paedot.referrals.tests.factories import staff

    record, safeguarding, _ended = alerted
    caller = staff(role, f"flag-walk-{role}")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(caller)}"}
    expected = 200 if role in ALLOWED[Action.VIEW_REFERRALS] else 403

    assert client.get(f"/fhir/Flag/{safeguarding.pk}", **headers).status_code == expected
    assert client.get(f"/fhir/Flag?patient={record.child_id}", **headers).status_code == expected
    assert client.get(f"/fhir/Flag/{safeguarding.pk}").status_code == 401


@pytest.mark.django_db
def test_the_capability_statement_names_the_uk_core_flag_profile(fhir_as):
    statement = fhir_as(None).get("/fhir/metadata")
    (flag,) = [r for r in statement["rest"][0]["resource"] if r["type"] == "Flag"]
    assert flag["profile"] == "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Flag"
    assert [p["name"] for p in flag["searchParam"]] == ["patient"]
