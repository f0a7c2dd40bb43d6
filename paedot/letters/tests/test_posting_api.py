"""/api/letters: the letters to post (or posted), recording one posted and undoing a wrong mark, with the page's
permissions."""

from __future__ import annotations

import json

import pytest

from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.letters.tests.factories import FAMILY, GP, ago, letter, person
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


def headers(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='t')}"} if user else {}


def get(client, user, query: str = ""):
    return client.get(f"/api/letters{query}", **headers(user))


def post(client, user, path: str, body: dict | None = None):
    return client.post(f"/api/letters/{path}", json.dumps(body or {}), content_type="application/json", **headers(user))


def test_the_letters_to_post_oldest_first_with_their_recipients_and_who_issued_them(client, admin_user, ot_user):
    newer = letter(issued_by=ot_user, issued_at=ago(hours=1), recipients=[FAMILY, GP])
    older = letter(issued_at=ago(days=2))
    letter(posted_by=admin_user)

    response = get(client, admin_user)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    assert [x["id"] for x in body["letters"]] == [older.pk, newer.pk]
    item = body["letters"][1]
    assert item["referral"] == newer.referral.reference
    assert item["kind"] == "appointment" and item["subject"] == newer.subject
    assert item["recipients"] == [FAMILY, GP]
    assert item["issued_by"] == ot_user.username and body["letters"][0]["issued_by"] is None
    assert (item["posted"], item["posted_at"], item["posted_by"], item["posted_before_recording"]) == (
        False,
        None,
        None,
        False,
    )
    assert item["pdf"] == f"/staff/letters/{newer.pk}.pdf"
    assert "html" not in item


def test_the_letters_posted_latest_first(client, admin_user, team_lead_user):
    earlier = letter(posted_by=team_lead_user, posted_at=ago(days=2))
    later = letter(posted_by=admin_user, posted_at=ago(hours=1))
    letter()

    body = get(client, admin_user, "?state=posted").json()

    assert [x["id"] for x in body["letters"]] == [later.pk, earlier.pk]
    assert body["letters"][1]["posted_by"] == team_lead_user.username


def test_the_list_is_paged(client, admin_user, monkeypatch):
    monkeypatch.setattr("paedot.letters.api.PAGE_SIZE", 2)
    made = [letter(issued_at=ago(minutes=10 - i)) for i in range(3)]

    body = get(client, admin_user, "?page=2").json()

    assert (body["count"], body["page"], body["pages"]) == (3, 2, 2)
    assert [x["id"] for x in body["letters"]] == [made[2].pk]


def test_an_unknown_state_is_400(client, admin_user):
    response = get(client, admin_user, "?state=lost")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"


def test_recording_a_letter_posted_and_again_is_harmless(client, admin_user, team_lead_user):
    sent = letter()

    first = post(client, admin_user, f"{sent.pk}/posted")
    again = post(client, team_lead_user, f"{sent.pk}/posted")

    assert first.status_code == 200, first.content
    assert first.json()["recorded"] is True and first.json()["posted_by"] == admin_user.username
    assert again.status_code == 200
    assert again.json()["recorded"] is False
    assert again.json()["message"].startswith(f"Already recorded as posted by {admin_user.display_name} on ")
    assert again.json()["posted_by"] == admin_user.username
    assert AuditEvent.objects.filter(action="letter.posted").count() == 1


def test_an_ot_assistant_may_not_record_a_letter_they_did_not_issue(client, ota_user):
    theirs = letter(issued_by=person("ot", "ot-colleague"))
    response = post(client, ota_user, f"{theirs.pk}/posted")
    assert response.status_code == 403
    assert "only letters you issued yourself" in response.json()["message"]
    assert not Letter.objects.get(pk=theirs.pk).is_posted


def test_a_restricted_childs_letter_is_not_found(client, team_lead_user):
    other = person("clinical_admin", "admin-other")
    hidden = letter()
    child = hidden.referral.child
    restrict_record(child=child, reason="Safeguarding.", named_staff=[team_lead_user], by=team_lead_user)

    assert post(client, other, f"{hidden.pk}/posted").status_code == 404
    assert hidden.pk not in [x["id"] for x in get(client, other).json()["letters"]]
    assert not Letter.objects.get(pk=hidden.pk).is_posted


def test_a_wrong_mark_is_undone_with_a_reason(client, admin_user):
    sent = letter(posted_by=admin_user)

    missing = post(client, admin_user, f"{sent.pk}/not-posted", {"reason": "  "})
    undone = post(client, admin_user, f"{sent.pk}/not-posted", {"reason": "Marked by mistake"})

    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    assert undone.status_code == 200, undone.content
    assert undone.json()["posted"] is False and undone.json()["posted_by"] is None
    assert AuditEvent.objects.get(action="letter.not_posted").reason == "Marked by mistake"
    assert [x["id"] for x in get(client, admin_user).json()["letters"]] == [sent.pk]


def test_undoing_a_letter_not_posted_is_409(client, admin_user):
    response = post(client, admin_user, f"{letter().pk}/not-posted", {"reason": "Mistake"})
    assert response.status_code == 409
    assert response.json()["message"] == "This letter is not recorded as posted: there is nothing to undo."


def test_no_token_is_401(client):
    assert get(client, None).status_code == 401
    assert post(client, None, f"{letter().pk}/posted").status_code == 401


@pytest.mark.parametrize("role", ["auditor", "commissioner", "system_admin", "partner_system"])
def test_roles_that_do_not_post_letters_get_403(client, role):
    caller = person(role, f"{role}-letters-api")
    sent = letter()
    assert get(client, caller).status_code == 403
    assert post(client, caller, f"{sent.pk}/posted").status_code == 403
    assert not Letter.objects.get(pk=sent.pk).is_posted
