"""The referral journey in the API: GET a referral, screen, information received, discharge.

401 without a token, 403 for a role that may not, 404 for an unknown reference, 409 for a move the journey does
not allow, 400 for bad input: the same rules as the pages, because both call the same services.
"""

from __future__ import annotations

import pytest

from paedot.directory.services import find_gp_practice
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

ROLES = ["clinical_admin", "ot", "ota", "team_lead", "auditor", "system_admin", "partner_system"]


def token_for(role: str) -> str:
    return issue_api_token(user=staff(role, f"{role}-api"), name="test")


def call(client, method: str, path: str, token: str | None, body: dict | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, **headers)
    return client.post(path, data=body or {}, content_type="application/json", **headers)


def test_a_referral_reads_with_its_status_eligibility_triage_and_history(client):
    referral = referral_in("waiting")
    response = call(client, "get", f"/api/referrals/{referral.reference}", token_for("ot"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "reference",
        "status",
        "eligibility",
        "priority",
        "pathway",
        "locality",
        "clinician",
        "history",
    }
    assert body["status"] == "waiting"
    assert body["eligibility"]["outcome"] == "accept"
    assert body["priority"] in {"urgent", "soon", "routine"}
    assert body["pathway"] == "package_of_care"
    assert body["locality"] == find_gp_practice("M85001").locality != ""  # the GP practice's locality
    assert body["clinician"] is None
    moves = [(h["from_status"], h["to_status"]) for h in body["history"] if h["to_status"]]
    assert moves == [("received", "accepted"), ("accepted", "waiting")]
    assert body["history"][0]["action"] == "referral.received"


def test_reading_needs_a_token(client):
    assert call(client, "get", f"/api/referrals/{referral_in('received').reference}", None).status_code == 401


def test_an_unknown_reference_is_404(client):
    assert call(client, "get", "/api/referrals/OT-ZZZZ-ZZZZ", token_for("ot")).status_code == 404


def test_a_partner_system_reads_only_the_referrals_it_sent(client):
    partner = staff("partner_system", "gp-system-a")
    token = issue_api_token(user=partner, name="a")
    own = referral_in("received")
    Referral.objects.filter(pk=own.pk).update(submitted_by=partner)
    other = referral_in("received")
    assert call(client, "get", f"/api/referrals/{own.reference}", token).status_code == 200
    assert call(client, "get", f"/api/referrals/{other.reference}", token).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_each_role_screening_through_the_api(client, role):
    referral = referral_in("received")
    response = call(
        client,
        "post",
        f"/api/referrals/{referral.reference}/screen",
        token_for(role),
        {"decision": "accept", "reason": "Meets the criteria"},
    )
    if role in {"clinical_admin", "ot", "team_lead"}:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "accepted"
    elif role == "partner_system":
        assert response.status_code == 404  # a partner system cannot see referrals it did not send
    else:
        assert response.status_code == 403
        assert "may screen" in response.json()["message"]
    assert Referral.objects.get(pk=referral.pk).status == ("accepted" if response.status_code == 200 else "received")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_discharging_through_the_api(client, role):
    referral = referral_in("waiting")
    response = call(
        client, "post", f"/api/referrals/{referral.reference}/discharge", token_for(role), {"reason": "Moved away"}
    )
    expected = {"ot": 200, "team_lead": 200, "partner_system": 404}.get(role, 403)
    assert response.status_code == expected


def test_screening_a_referral_twice_is_a_409_that_changes_nothing(client):
    referral = referral_in("accepted")
    response = call(
        client,
        "post",
        f"/api/referrals/{referral.reference}/screen",
        token_for("ot"),
        {"decision": "decline", "reason": "Changed my mind"},
    )
    assert response.status_code == 409
    assert "accepted and waiting for triage" in response.json()["message"]
    assert Referral.objects.get(pk=referral.pk).status == "accepted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "reason": "x"}, "decision"),
        ({"decision": "accept", "reason": "   "}, "reason"),
        ({"decision": "accept"}, "reason"),
    ],
)
def test_bad_screening_input_is_a_400_naming_the_field(client, body, field):
    referral = referral_in("received")
    response = call(client, "post", f"/api/referrals/{referral.reference}/screen", token_for("ot"), body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_information_coming_back_returns_the_referral_to_screening(client):
    referral = referral_in("information_requested")
    response = call(
        client,
        "post",
        f"/api/referrals/{referral.reference}/information-received",
        token_for("clinical_admin"),
        {"note": "School report arrived"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "received"


def test_discharge_from_a_closed_referral_is_409(client):
    referral = referral_in("declined")
    response = call(client, "post", f"/api/referrals/{referral.reference}/discharge", token_for("ot"), {"reason": "x"})
    assert response.status_code == 409
    assert "closed" in response.json()["message"]


def test_the_whole_journey_through_the_api(client):
    """Screen, triage, invite, book and allocate: every step by the role that does it."""
    referral = referral_in("received")
    ref = referral.reference
    admin, ot, lead = token_for("clinical_admin"), token_for("ot"), token_for("team_lead")
    assert (
        call(client, "post", f"/api/referrals/{ref}/screen", admin, {"decision": "accept", "reason": "ok"}).json()[
            "status"
        ]
        == "accepted"
    )
    triage = {
        "priority": "routine",
        "pathway": "group",
        "setting": "school",
        "notes": "Handwriting group",
        "reason_for_difference": "Group this term",
    }
    assert call(client, "post", f"/api/referrals/{ref}/triage", ot, triage).json()["status"] == "waiting"
    listed = call(client, "get", "/api/waiting-list", admin).json()
    assert ref in [row["reference"] for row in listed["results"]]
    assert call(client, "post", f"/api/referrals/{ref}/invite", admin).json()["status"] == "invited"
    allocated = call(client, "post", f"/api/referrals/{ref}/allocate", lead, {"clinician": "ot-api"}).json()
    assert allocated["clinician"] == "ot-api"
    assert (
        call(client, "post", f"/api/referrals/{ref}/book", admin, {"note": "Mum phoned"}).json()["status"] == "booked"
    )
