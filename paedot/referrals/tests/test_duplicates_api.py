"""Possible duplicates through the API, with the page's rules: list and read them, merge or dismiss with a reason."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.tests.factories import make_referral, staff
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

MIA = {"given_name": "Mia", "family_name": "Apiflag", "date_of_birth": dt.date(2017, 6, 2), "postcode": "B21 9RY"}
MYA = {**MIA, "given_name": "Mya"}


def auth(role: str, username: str | None = None) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=staff(role, username), name='test')}"}


def pair():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    return first, second, PossibleDuplicate.objects.get(referral=second, existing_referral=first)


def test_the_open_possible_duplicates_are_listed_with_their_reasons(client):
    first, second, flag = pair()
    answer = client.get("/api/duplicates?state=open", **auth("clinical_admin"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and body["pages"] == 1
    [row] = body["duplicates"]
    assert row["id"] == flag.pk and row["state"] == "open" and row["strength"] == "likely"
    assert row["referral"] == second.reference and row["existing_referral"] == first.reference
    assert row["existing_referral_hidden"] is False and row["reasons"]
    assert client.get("/api/duplicates?state=merged", **auth("clinical_admin")).json()["count"] == 0


def test_merging_through_the_api_closes_the_new_referral_as_the_page_does(client):
    first, second, flag = pair()
    answer = client.post(
        f"/api/duplicates/{flag.pk}/merge",
        data={"reason": "Same school and parent."},
        content_type="application/json",
        **auth("clinical_admin"),
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "merged" and answer.json()["resolution_reason"] == "Same school and parent."
    second = Referral.objects.get(pk=second.pk)
    assert second.status == "discharged" and second.child_id == first.child_id

    again = client.post(
        f"/api/duplicates/{flag.pk}/dismiss",
        data={"reason": "Changed my mind."},
        content_type="application/json",
        **auth("clinical_admin"),
    )
    assert again.status_code == 409


def test_dismissing_needs_a_reason_and_a_role_that_resolves_duplicates(client):
    _, second, flag = pair()
    blank = client.post(
        f"/api/duplicates/{flag.pk}/dismiss", data={"reason": "  "}, content_type="application/json", **auth("ot")
    )
    assert blank.status_code == 400
    assistant = client.post(
        f"/api/duplicates/{flag.pk}/dismiss",
        data={"reason": "Different children."},
        content_type="application/json",
        **auth("ota"),
    )
    assert assistant.status_code == 403
    dismissed = client.post(
        f"/api/duplicates/{flag.pk}/dismiss",
        data={"reason": "Different children."},
        content_type="application/json",
        **auth("ot"),
    )
    assert dismissed.status_code == 200 and dismissed.json()["state"] == "dismissed"
    assert Referral.objects.get(pk=second.pk).status == "received"


def test_a_restricted_other_record_is_hidden_in_the_api_and_cannot_be_decided_by_staff_not_named(client):
    first, _, flag = pair()
    restrict_record(child=first.child, reason="Safeguarding.", named_staff=[], by=staff("team_lead"))

    row = client.get(f"/api/duplicates/{flag.pk}", **auth("clinical_admin")).json()
    assert row["existing_referral_hidden"] is True and row["reasons"] == []

    answer = client.post(
        f"/api/duplicates/{flag.pk}/merge",
        data={"reason": "Same child."},
        content_type="application/json",
        **auth("clinical_admin"),
    )
    assert answer.status_code == 403
    assert "restricted record you are not named on" in answer.json()["message"]
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "open"

    # The team lead who restricted it is named on it, and decides.
    lead = client.post(
        f"/api/duplicates/{flag.pk}/merge",
        data={"reason": "Same child."},
        content_type="application/json",
        **auth("team_lead"),
    )
    assert lead.status_code == 200


def test_a_flag_about_a_referral_hidden_from_the_caller_is_not_found(client):
    _, second, flag = pair()
    restrict_record(child=second.child, reason="Safeguarding.", named_staff=[], by=staff("team_lead"))
    assert client.get(f"/api/duplicates/{flag.pk}", **auth("clinical_admin")).status_code == 404
    assert client.get("/api/duplicates", **auth("clinical_admin")).json()["count"] == 0
