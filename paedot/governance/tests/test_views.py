"""The subject access pages and API: find the child by a posted NHS number or reference (never in a URL), see what
the export holds, give the reason, download JSON or PDF; the same roles, refusals and audit in the API."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from pypdf import PdfReader

from paedot.core.models import AuditEvent
from paedot.governance.presenters import SECTIONS
from paedot.referrals.tests.factories import referral_in
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

FIND = "/staff/governance/subject-access"
DOWNLOAD = "/staff/governance/subject-access/download"
NHS_NUMBER = "9434765919"
REASON = "Subject access request from parent received 2026-11-20"


@pytest.fixture
def referral():
    return referral_in("seen", child={"given_name": "Ayaan", "family_name": "Requester", "nhs_number": NHS_NUMBER})


@pytest.mark.parametrize("role_fixture", ["team_lead_user", "admin_user"])
def test_team_leads_and_clinical_admin_open_the_page(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(FIND)
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["ot_user", "auditor_user", "ota_user"])
def test_others_may_not_export(client, request, role_fixture, referral):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(FIND).status_code == 403
    assert client.post(FIND, {"child": NHS_NUMBER}).status_code == 403
    assert client.post(DOWNLOAD, {"child": referral.child_id, "reason": REASON, "format": "json"}).status_code == 403
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_finding_the_child_shows_what_the_export_holds_and_records_the_look(client, team_lead_user, referral):
    client.force_login(team_lead_user)
    response = client.post(FIND, {"child": "943 476 5919"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Everything held about Ayaan Requester" in page
    assert referral.reference in page
    for _key, title, _layout in SECTIONS:
        assert title in page
    assert f'name="child" value="{referral.child_id}"' in page
    assert AuditEvent.objects.filter(action="record.viewed", child_id=referral.child_id, actor=team_lead_user).exists()
    # Nothing personal was put in a URL: the search and the download are posted.
    assert NHS_NUMBER not in FIND + DOWNLOAD
    assert 'action="/staff/governance/subject-access/download"' in page


def test_a_child_is_found_by_referral_reference_too(client, admin_user, referral):
    client.force_login(admin_user)
    response = client.post(FIND, {"child": referral.reference.lower()})
    assert response.status_code == 200
    assert "Ayaan Requester" in response.content.decode()


def test_an_unknown_child_is_said_so_and_what_was_typed_is_kept(client, team_lead_user):
    client.force_login(team_lead_user)
    response = client.post(FIND, {"child": "6541003238"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "No child found with that NHS number or referral reference" in page
    assert 'value="6541003238"' in page
    assert client.post(FIND, {"child": ""}).status_code == 400


def test_a_download_without_a_reason_is_refused_and_nothing_is_exported(client, team_lead_user, referral):
    client.force_login(team_lead_user)
    response = client.post(DOWNLOAD, {"child": referral.child_id, "reason": "  ", "format": "json"})
    assert response.status_code == 400
    assert "Enter the reason for this export" in response.content.decode()
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_the_json_download_is_the_export_and_is_audited_with_the_reason(client, team_lead_user, referral):
    client.force_login(team_lead_user)
    response = client.post(DOWNLOAD, {"child": referral.child_id, "reason": REASON, "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert NHS_NUMBER not in response["Content-Disposition"] and "Ayaan" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["child"]["nhs_number"] == NHS_NUMBER
    assert data["sections"]["referrals"][0]["reference"] == referral.reference
    event = AuditEvent.objects.get(action="subject_access.exported")
    assert (event.child_id, event.reason, event.detail["format"]) == (referral.child_id, REASON, "json")


def test_the_pdf_download_reads_back(client, admin_user, referral):
    client.force_login(admin_user)
    response = client.post(DOWNLOAD, {"child": referral.child_id, "reason": REASON, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Ayaan Requester" in " ".join(text.split())


def test_the_download_is_never_a_get(client, team_lead_user, referral):
    client.force_login(team_lead_user)
    assert client.get(DOWNLOAD, {"child": referral.child_id}).status_code == 405


# The API ---------------------------------------------------------------------------------------------------------

API = "/api/governance/subject-access"


def _post(client, user, body):
    token = issue_api_token(user=user, name="test")
    return client.post(API, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_exports_json_by_nhs_number(client, team_lead_user, referral):
    response = _post(client, team_lead_user, {"nhs_number": "943 476 5919", "reason": REASON})
    assert response.status_code == 200
    data = response.json()
    assert data["child"]["given_name"] == "Ayaan"
    assert list(data["sections"]) == [key for key, _title, _layout in SECTIONS]
    assert AuditEvent.objects.filter(action="subject_access.exported", reason=REASON).count() == 1


def test_the_api_exports_a_pdf_by_reference(client, admin_user, referral):
    response = _post(client, admin_user, {"reference": referral.reference, "reason": REASON, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role_fixture", ["ot_user", "auditor_user"])
def test_the_api_refuses_other_roles(client, request, role_fixture, referral):
    response = _post(client, request.getfixturevalue(role_fixture), {"nhs_number": NHS_NUMBER, "reason": REASON})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_the_api_says_404_for_an_unknown_child(client, team_lead_user):
    assert _post(client, team_lead_user, {"nhs_number": "6541003238", "reason": REASON}).status_code == 404
    assert _post(client, team_lead_user, {"reference": "OT-NONE", "reason": REASON}).status_code == 404


def test_the_api_needs_a_reason_and_says_which_field(client, team_lead_user, referral):
    response = _post(client, team_lead_user, {"nhs_number": NHS_NUMBER})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    assert not AuditEvent.objects.filter(action="subject_access.exported").exists()


def test_the_api_needs_a_child(client, team_lead_user):
    response = _post(client, team_lead_user, {"reason": REASON})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "nhs_number"
