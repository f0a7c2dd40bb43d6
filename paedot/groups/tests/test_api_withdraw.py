"""Withdrawing a child from a group in the API: as on the page (who may, the reason kept, the place freed, the family
not told and the answer saying so), 404 for an enrolment of another group, 409 when already withdrawn."""

from __future__ import annotations

import pytest
import time_machine

from paedot.core.models import AuditEvent
from paedot.groups.models import Enrolment
from paedot.groups.rules import WITHDRAWN_NOT_TOLD
from paedot.groups.tests.factories import NOW, enrolled_children, handwriting_group
from paedot.referrals.tests.factories import staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def early_january_2027():
    with time_machine.travel(NOW, tick=False):
        yield


def withdraw(client, programme_id: int, enrolment_id: int, body: dict, role: str = "clinical_admin"):
    token = issue_api_token(user=staff(role, f"{role}-withdraw-api"), name="t")
    return client.post(
        f"/api/groups/{programme_id}/enrolments/{enrolment_id}/withdraw",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_withdrawing_frees_the_place_keeps_the_reason_and_says_the_family_was_not_told(client):
    group = handwriting_group(capacity=2)
    (referral,) = enrolled_children(group, 1)
    enrolment = Enrolment.objects.get(programme=group, referral=referral)

    response = withdraw(client, group.pk, enrolment.pk, {"reason": "Family moved away"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == enrolment.pk and body["programme"] == group.pk and body["referral"] == referral.reference
    assert body["places_left"] == 2
    assert body["referral_status"] == "booked"  # the referral stays as it was
    assert body["warnings"] == [{"code": "family_not_told", "message": WITHDRAWN_NOT_TOLD, "dates": []}]
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is not None and enrolment.withdrawal_reason == "Family moved away"
    assert AuditEvent.objects.filter(action="group.withdrawn").count() == 1


def test_withdrawing_twice_is_409_and_without_a_reason_is_refused(client):
    group = handwriting_group()
    (referral,) = enrolled_children(group, 1)
    enrolment = Enrolment.objects.get(programme=group, referral=referral)
    assert withdraw(client, group.pk, enrolment.pk, {"reason": ""}).status_code in (400, 422)
    assert withdraw(client, group.pk, enrolment.pk, {"reason": "   "}).status_code == 400
    assert withdraw(client, group.pk, enrolment.pk, {"reason": "Moved"}).status_code == 200
    assert withdraw(client, group.pk, enrolment.pk, {"reason": "Moved"}).status_code == 409


def test_an_enrolment_of_another_group_is_not_found_and_roles_without_enrolling_are_refused(client):
    group = handwriting_group()
    other = handwriting_group(name="Scissor skills", clinician=group.clinician)
    (referral,) = enrolled_children(other, 1)
    enrolment = Enrolment.objects.get(programme=other, referral=referral)
    assert withdraw(client, group.pk, enrolment.pk, {"reason": "Moved"}).status_code == 404
    assert withdraw(client, other.pk, enrolment.pk, {"reason": "Moved"}, role="auditor").status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None


def test_the_withdrawal_schema_documents_that_the_family_is_not_told(client):
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "`family_not_told`" in components["WithdrawalOut"]["properties"]["warnings"]["description"]
    assert components["WithdrawalIn"]["required"] == ["reason"]
