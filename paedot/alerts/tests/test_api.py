"""Alerts in the API: the same services and permissions as the page, each refusal in the API's one shape."""

from __future__ import annotations

import json

import pytest

from paedot.alerts.models import Alert
from paedot.alerts.services import end_alert
from paedot.alerts.tests.factories import alert_on
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import referral_in
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    return referral_in("accepted")


def call(client, user, method: str, path: str, body: dict | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='alerts test')}"} if user else {}
    if method == "GET":
        return client.get(path, **headers)
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


def test_a_childs_alerts_are_listed_in_force_first_with_who_raised_them(client, referral, ot_user, auditor_user):
    ended = alert_on(referral, text="Old alert", by=ot_user)
    end_alert(alert=ended, reason="No longer holds", by=ot_user)
    alert = alert_on(referral, category="communication_needs", text="Mum is deaf: BSL interpreter", by=ot_user)

    response = call(client, auditor_user, "GET", f"/api/referrals/{referral.reference}/alerts")

    assert response.status_code == 200, response.content
    first, second = response.json()
    assert first == {
        "id": alert.pk,
        "category": "communication_needs",
        "category_words": "Communication needs",
        "text": "Mum is deaf: BSL interpreter",
        "details": "",
        "in_force": True,
        "raised_at": "2027-03-10T12:00:00+00:00",
        "raised_by": ot_user.username,
        "review_on": "2027-09-10",
        "review_overdue": False,
        "reviewed_at": None,
        "reviewed_by": None,
        "ended_at": None,
        "ended_by": None,
        "end_reason": "",
    }
    assert second["in_force"] is False and second["end_reason"] == "No longer holds"
    only = call(client, auditor_user, "GET", f"/api/referrals/{referral.reference}/alerts?status=in_force").json()
    assert [a["id"] for a in only] == [alert.pk]
    assert AuditEvent.objects.filter(action="record.viewed", actor=auditor_user).exists()


def test_an_alert_is_raised_reviewed_and_ended(client, referral, ota_user):
    raised = call(
        client,
        ota_user,
        "POST",
        f"/api/referrals/{referral.reference}/alerts",
        {"category": "risk_to_staff", "text": "Dog at the home", "review_on": "2027-06-01"},
    )
    assert raised.status_code == 201, raised.content
    alert_id = raised.json()["id"]
    assert raised.json()["review_on"] == "2027-06-01"

    reviewed = call(client, ota_user, "POST", f"/api/alerts/{alert_id}/review", {})
    assert reviewed.status_code == 200 and reviewed.json()["review_on"] == "2027-09-10"
    assert reviewed.json()["reviewed_by"] == ota_user.username

    ended = call(client, ota_user, "POST", f"/api/alerts/{alert_id}/end", {"reason": "Dog rehomed"})
    assert ended.status_code == 200 and ended.json()["in_force"] is False

    again = call(client, ota_user, "POST", f"/api/alerts/{alert_id}/end", {"reason": "Again"})
    assert again.status_code == 409 and "has ended" in again.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "gossip", "text": "x"}, "category"),
        ({"category": "other", "text": ""}, "text"),
        ({"category": "other", "text": "x" * 161}, "text"),
        ({"category": "other", "text": "x", "review_on": "2027-03-10"}, "review_on"),
        ({"category": "other", "text": "x", "review_on": "2029-01-01"}, "review_on"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, referral, ot_user, body, field):
    response = call(client, ot_user, "POST", f"/api/referrals/{referral.reference}/alerts", body)
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Alert.objects.exists()


def test_an_end_without_a_reason_is_a_400(client, referral, ot_user):
    alert = alert_on(referral, by=ot_user)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = call(client, ot_user, "POST", f"/api/alerts/{alert.pk}/end", body)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] in ("reason", "body")
    assert Alert.objects.get().in_force


def test_the_same_alert_raised_twice_is_a_409(client, referral, ot_user):
    alert_on(referral, category="other", text="Same", by=ot_user)
    body = {"category": "other", "text": "Same"}
    assert call(client, ot_user, "POST", f"/api/referrals/{referral.reference}/alerts", body).status_code == 409


def test_an_auditor_reads_but_may_not_change_alerts(client, referral, ot_user, auditor_user):
    alert = alert_on(referral, by=ot_user)
    path = f"/api/referrals/{referral.reference}/alerts"
    assert call(client, auditor_user, "POST", path, {"category": "other", "text": "x"}).status_code == 403
    assert call(client, auditor_user, "POST", f"/api/alerts/{alert.pk}/end", {"reason": "x"}).status_code == 403


def test_a_restricted_childs_alerts_are_not_found_by_staff_not_named(client, referral, ot_user, team_lead_user):
    alert = alert_on(referral, by=ot_user)
    restrict_record(child=referral.child, reason="Safeguarding (synthetic)", named_staff=[], by=team_lead_user)

    assert call(client, ot_user, "GET", f"/api/referrals/{referral.reference}/alerts").status_code == 404
    assert call(client, ot_user, "POST", f"/api/alerts/{alert.pk}/review", {}).status_code == 404
    assert call(client, team_lead_user, "POST", f"/api/alerts/{alert.pk}/review", {}).status_code == 200


def test_a_partner_system_finds_no_alerts_and_no_token_is_401(client, referral, ot_user, partner_user):
    alert = alert_on(referral, by=ot_user)
    assert call(client, partner_user, "GET", f"/api/referrals/{referral.reference}/alerts").status_code == 404
    assert call(client, partner_user, "POST", f"/api/alerts/{alert.pk}/end", {"reason": "x"}).status_code == 404
    assert call(client, None, "GET", f"/api/referrals/{referral.reference}/alerts").status_code == 401
