"""The outbox in the API (/api/messages): the page's list, message, resend and dealt-with, with its permissions."""

from __future__ import annotations

import pytest
from django.core import mail

from paedot.core.models import AuditEvent
from paedot.notifications.tests.factories import message, person
from paedot.referrals.tests.factories import referral_in
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import issue_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='t')}"}


def post(client, user, path: str, body: dict):
    return client.post(f"/api/messages/{path}", body, content_type="application/json", **auth(user))


def test_the_list_puts_messages_not_sent_first_and_never_gives_their_text(client, admin_user):
    referral = referral_in("waiting")
    sent = message("sent", referral=referral)
    failed = message("failed", referral=referral)
    unsent = message("outbox_only", channel="sms")

    response = client.get("/api/messages", **auth(admin_user))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    assert [m["id"] for m in body["messages"]] == [unsent.pk, failed.pk, sent.pk]
    first_failed = body["messages"][1]
    assert first_failed["referral"] == referral.reference
    assert first_failed["to_parent_carer"] is True
    assert (first_failed["status"], first_failed["attempts"]) == ("failed", 5)
    assert first_failed["error"].startswith("ConnectionRefusedError")
    assert "body" not in first_failed
    assert failed.body not in response.content.decode()

    only_texts = client.get("/api/messages?channel=sms", **auth(admin_user)).json()
    assert [m["id"] for m in only_texts["messages"]] == [unsent.pk]
    only_failed = client.get("/api/messages?status=failed", **auth(admin_user)).json()
    assert [m["id"] for m in only_failed["messages"]] == [failed.pk]
    assert client.get("/api/messages?status=lost", **auth(admin_user)).status_code == 400


def test_one_message_has_its_text_and_reading_it_is_recorded(client, ot_user):
    referral = referral_in("waiting")
    failed = message("failed", referral=referral)
    response = client.get(f"/api/messages/{failed.pk}", **auth(ot_user))
    assert response.status_code == 200
    assert response.json()["body"] == failed.body
    assert AuditEvent.objects.filter(action="record.viewed", child_id=referral.child_id, actor=ot_user).exists()


def test_a_failed_message_is_sent_again_through_the_api(client, team_lead_user, django_capture_on_commit_callbacks):
    failed = message("failed", referral=referral_in("waiting"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, team_lead_user, f"{failed.pk}/resend", {"reason": "Address corrected"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "queued"  # as answered; the worker then sends it
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="message.resent")
    assert (event.actor, event.reason) == (team_lead_user, "Address corrected")


def test_a_sent_message_is_not_sent_again_409(client, admin_user):
    sent = message("sent")
    response = post(client, admin_user, f"{sent.pk}/resend", {"reason": "Again"})
    assert response.status_code == 409
    assert "would tell the person twice" in response.json()["message"]
    assert post(client, admin_user, f"{sent.pk}/dealt-with", {"reason": "Phoned"}).status_code == 409


def test_marking_dealt_with_needs_a_reason_and_is_audited(client, admin_user):
    failed = message("failed")
    assert post(client, admin_user, f"{failed.pk}/dealt-with", {"reason": "   "}).status_code == 400
    response = post(client, admin_user, f"{failed.pk}/dealt-with", {"reason": "Letter posted"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["dealt_with_by"], body["dealt_with_reason"]) == (
        "dealt_with",
        admin_user.username,
        "Letter posted",
    )
    assert AuditEvent.objects.get(action="message.dealt_with").reason == "Letter posted"


def test_an_ot_reads_but_may_not_resend_or_close(client, ot_user):
    failed = message("failed")
    assert client.get("/api/messages", **auth(ot_user)).status_code == 200
    assert post(client, ot_user, f"{failed.pk}/resend", {"reason": "x"}).status_code == 403
    assert post(client, ot_user, f"{failed.pk}/dealt-with", {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("role", ["ota", "auditor", "commissioner", "system_admin", "partner_system"])
def test_other_roles_get_403(client, role):
    failed = message("failed")
    user = person(role, f"{role}-api-outbox")
    assert client.get("/api/messages", **auth(user)).status_code == 403
    assert client.get(f"/api/messages/{failed.pk}", **auth(user)).status_code == 403


def test_without_a_token_401(client):
    assert client.get("/api/messages").status_code == 401


def test_a_restricted_childs_messages_are_not_listed_nor_found(client):
    lead = person("team_lead", "lead-api-outbox")
    other = person("clinical_admin", "admin-api-other")
    restricted = referral_in("waiting")
    restrict_record(child=restricted.child, reason="Safeguarding.", named_staff=[], by=lead)
    hidden = message("failed", referral=restricted)

    assert client.get("/api/messages", **auth(other)).json()["count"] == 0
    assert client.get(f"/api/messages/{hidden.pk}", **auth(other)).status_code == 404
    assert post(client, other, f"{hidden.pk}/resend", {"reason": "x"}).status_code == 404
