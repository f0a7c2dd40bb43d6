"""The record's API contract: consents (GET/POST), reports (POST 201 with one letter per recipient, 409 naming the
recipients without consent, 403 for an assistant) and documents (GET)."""

from __future__ import annotations

import pytest

from paedot.care.tests.test_record_support import (
    assessment_for,
    bearer,
    child_with_episode,
    consent,
    package_for,
    review_for,
)
from paedot.letters.models import Letter
from paedot.referrals.tests.factories import referral_in

pytestmark = pytest.mark.django_db


def post(client, path: str, body: dict, role: str = "ot"):
    return client.post(path, body, content_type="application/json", **bearer(role))


def test_consents_are_recorded_and_listed_with_the_current_one_marked(client):
    referral = referral_in("waiting")
    path = f"/api/referrals/{referral.reference}/consents"
    first = post(client, path, {"recipient": "gp", "given": True, "given_by": "Sara, mother"}, "clinical_admin")
    assert first.status_code == 201, first.content
    assert first.json()["recorded_by"] == "clinical_admin-care-api"
    post(client, path, {"recipient": "gp", "given": False, "given_by": "Sara, mother", "note": "Changed her mind"})
    listed = client.get(path, **bearer("ot")).json()
    assert [(c["recipient"], c["given"], c["current"]) for c in listed] == [("gp", False, True), ("gp", True, False)]
    assert set(listed[0]) == {
        "id",
        "recipient",
        "recipient_name",
        "given",
        "given_by",
        "note",
        "recorded_by",
        "recorded_at",
        "current",
    }


def test_consent_for_another_professional_needs_their_name(client):
    referral, _ = child_with_episode()
    body = {"recipient": "other", "given": True, "given_by": "Sara"}
    response = post(client, f"/api/referrals/{referral.reference}/consents", body)
    assert response.status_code == 400
    assert "Name the professional" in response.json()["message"]


def test_consent_cannot_be_recorded_on_a_declined_referral(client):
    referral = referral_in("declined")
    response = post(
        client, f"/api/referrals/{referral.reference}/consents", {"recipient": "gp", "given": True, "given_by": "Sara"}
    )
    assert response.status_code == 409


def test_a_review_report_through_the_api(client):
    referral, episode = child_with_episode()
    review = review_for(package_for(episode))
    consent(episode, "family", "referrer")
    response = post(
        client,
        f"/api/referrals/{referral.reference}/reports",
        {"kind": "review_report", "review": review.pk, "recipients": ["family", "referrer"]},
    )
    assert response.status_code == 201, response.content
    letters = response.json()["letters"]
    assert [letter["recipients"][0]["role"] for letter in letters] == ["family", "referrer"]
    assert {letter["kind"] for letter in letters} == {"review_report"}
    assert letters[0]["pdf"] == f"/staff/letters/{letters[0]['id']}.pdf"
    stored = Letter.objects.get(pk=letters[0]["id"])
    assert "61.02" in stored.html


def test_a_report_without_consent_is_409_naming_the_recipients(client):
    referral, episode = child_with_episode()
    assessment = assessment_for(episode)
    consent(episode, "family")
    response = post(
        client,
        f"/api/referrals/{referral.reference}/reports",
        {"kind": "assessment_report", "assessment": assessment.pk, "recipients": ["family", "gp", "school"]},
    )
    assert response.status_code == 409
    assert response.json()["recipients"] == ["gp", "school"]
    assert not Letter.objects.filter(referral=referral, kind="assessment_report").exists()


def test_an_ot_assistant_may_not_issue_a_report_through_the_api(client):
    referral, episode = child_with_episode()
    assessment = assessment_for(episode)
    consent(episode, "family")
    response = post(
        client,
        f"/api/referrals/{referral.reference}/reports",
        {"kind": "assessment_report", "assessment": assessment.pk, "recipients": ["family"]},
        role="ota",
    )
    assert response.status_code == 403


def test_a_report_names_its_record_and_only_one_of_this_episode(client):
    referral, episode = child_with_episode()
    _other_referral, other_episode = child_with_episode()
    elsewhere = assessment_for(other_episode)
    consent(episode, "family")
    path = f"/api/referrals/{referral.reference}/reports"
    missing = post(client, path, {"kind": "assessment_report", "recipients": ["family"]})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "assessment"
    wrong = post(client, path, {"kind": "assessment_report", "assessment": elsewhere.pk, "recipients": ["family"]})
    assert wrong.status_code == 404
    summary = post(client, path, {"kind": "discharge_summary", "recipients": ["family"]})
    assert summary.status_code == 409  # not discharged yet


def test_the_documents_list_gives_each_pdf(client):
    referral, episode = child_with_episode()
    consent(episode, "family")
    post(
        client,
        f"/api/referrals/{referral.reference}/reports",
        {"kind": "assessment_report", "assessment": assessment_for(episode).pk, "recipients": ["family"]},
    )
    response = client.get(f"/api/referrals/{referral.reference}/documents", **bearer("clinical_admin"))
    assert response.status_code == 200
    documents = response.json()
    assert documents[0]["kind"] == "assessment_report"
    assert set(documents[0]) == {"id", "kind", "subject", "recipients", "issued_at", "issued_by", "pdf"}
    assert all(d["pdf"].endswith(".pdf") for d in documents)
