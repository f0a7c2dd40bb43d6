"""POST /api/eligibility: public, no personal data, every answer says why."""

from __future__ import annotations

import json

import pytest
import time_machine

pytestmark = pytest.mark.django_db

URL = "/api/eligibility"
QUESTION = {
    "date_of_birth": "2018-05-10",
    "referral_date": "2026-11-26",
    "education": "mainstream_school",
    "gp_practice_code": "M85001",
    "difficulties": ["pencil_skills"],
    "referrer_role": "gp",
    "previous_ot_episode": False,
    "consent_given": True,
}


def ask(client, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


def question(**changes):
    body = dict(QUESTION)
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


def test_an_eligible_child_is_accepted_with_no_reasons(client):
    response = ask(client, QUESTION)
    assert response.status_code == 200
    assert response.json() == {"outcome": "accept", "reasons": [], "policy": "service-page-2019"}


def test_a_special_school_pupil_needs_review(client):
    body = ask(client, question(education="special_school")).json()
    assert body["outcome"] == "review"
    assert [r["code"] for r in body["reasons"]] == ["special_school_case_by_case"]
    assert "signposting" not in body["reasons"][0]


def test_a_decline_gives_every_reason_and_where_to_go_instead(client):
    body = ask(client, question(gp_practice_code="m89001 ", referrer_role="teacher", consent_given=False)).json()
    assert body["outcome"] == "decline"
    assert [r["code"] for r in body["reasons"]] == ["gp_outside_birmingham", "referrer_not_accepted", "no_consent"]
    assert all(r["message"] and r["signposting"] for r in body["reasons"])


@pytest.mark.parametrize(
    ("code", "reason"),
    [("ZZZ999", "gp_practice_unknown"), ("M85134", "gp_practice_closed"), ("M89001", "gp_outside_birmingham")],
)
def test_gp_reasons(client, code, reason):
    body = ask(client, question(gp_practice_code=code)).json()
    assert [r["code"] for r in body["reasons"]] == [reason]


@time_machine.travel("2038-05-10 12:00 +0000")
def test_the_referral_date_defaults_to_today(client):
    body = ask(client, question(referral_date=...)).json()  # 20 on 10 May 2038
    assert [r["code"] for r in body["reasons"]] == ["age_out_of_range"]


def test_previous_ot_episode_defaults_to_false(client):
    body = ask(client, question(referrer_role="parent_carer", previous_ot_episode=...)).json()
    assert body["outcome"] == "decline"
    assert ask(client, question(referrer_role="parent_carer", previous_ot_episode=True)).json()["outcome"] == "accept"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (question(date_of_birth=...), "date_of_birth"),
        (question(education=...), "education"),
        (question(consent_given=...), "consent_given"),
        (question(date_of_birth="10/05/2018"), "date_of_birth"),
        (question(date_of_birth="2018-5-10"), "date_of_birth"),
        (question(date_of_birth="2018-02-30"), "date_of_birth"),
        (question(date_of_birth=1525910400), "date_of_birth"),
        (question(referral_date="2026-11-26T10:00:00"), "referral_date"),
        (question(date_of_birth="2026-11-27"), "date_of_birth"),
        (question(education="university"), "education"),
        (question(difficulties=["juggling"]), "difficulties.0"),
        (question(difficulties="pencil_skills"), "difficulties"),
        (question(referrer_role="neighbour"), "referrer_role"),
        (question(gp_practice_code=""), "gp_practice_code"),
    ],
)
def test_bad_input_gets_400_naming_the_field(client, body, field):
    response = ask(client, body)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert field in [error["field"] for error in answer["errors"]]
    assert all(error["message"] for error in answer["errors"])


@pytest.mark.parametrize("raw", ['{"date_of_birth": ', "not json", "[1, 2"])
def test_malformed_json_gets_400(client, raw):
    response = ask(client, raw)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_a_json_body_that_is_not_an_object_gets_400(client):
    response = ask(client, "[]")
    assert response.status_code == 400


def test_an_unknown_code_message_lists_what_is_allowed(client):
    message = ask(client, question(education="university")).json()["errors"][0]["message"]
    assert "mainstream_school" in message
