"""POST /api/eligibility: public, no personal data, every answer says why."""

from __future__ import annotations

import datetime as dt
import json
from typing import get_args

import pytest
import time_machine

from paedot.eligibility import schemas
from paedot.eligibility.codes import Difficulty, Education, ReferrerRole, Setting
from paedot.eligibility.services import POLICY_DIR, load_policy_document, read_policy_file

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
    assert "10 May 2038" in body["reasons"][0]["message"]


@time_machine.travel("2026-06-30 23:30 +0000")
def test_today_is_the_date_in_the_uk(client):
    """Half past midnight on 1 July in London (BST) is still 30 June in UTC: the child is 20 in London."""
    body = ask(client, question(referral_date=..., date_of_birth="2006-07-01")).json()
    assert [r["code"] for r in body["reasons"]] == ["age_out_of_range"]
    assert "1 July 2026" in body["reasons"][0]["message"]


@time_machine.travel("2026-06-30 22:30 +0000")
def test_the_day_before_the_20th_birthday_in_the_uk_is_accepted(client):
    assert ask(client, question(referral_date=..., date_of_birth="2006-07-01")).json()["outcome"] == "accept"


def test_the_answer_comes_from_the_policy_in_force_on_the_referral_date(client):
    load_policy_document(read_policy_file(POLICY_DIR / "available" / "newer-0-18.json"))
    nineteen = question(date_of_birth="2008-01-15", settings_affected=["home", "school"])
    old = ask(client, nineteen | {"referral_date": "2027-03-31"}).json()
    new = ask(client, nineteen | {"referral_date": "2027-04-01"}).json()
    assert (old["outcome"], old["policy"]) == ("accept", "service-page-2019")
    assert (new["outcome"], new["policy"]) == ("decline", "criteria-0-18-2027")
    assert [r["code"] for r in new["reasons"]] == ["age_out_of_range"]


def test_the_optional_questions_reach_the_newer_policy(client):
    load_policy_document(read_policy_file(POLICY_DIR / "available" / "newer-0-18.json"))
    base = question(referral_date="2027-06-01", referrer_role="teacher", previous_ot_episode=True)
    not_asked = ask(client, base).json()
    assert not_asked["outcome"] == "review"
    assert [r["code"] for r in not_asked["reasons"]] == ["settings_not_known", "new_problem_not_known"]
    assert all("signposting" not in r for r in not_asked["reasons"])

    answered = base | {"settings_affected": ["school"], "new_or_changed_problem": False}
    declined = ask(client, answered).json()
    assert [r["code"] for r in declined["reasons"]] == ["difficulty_in_one_setting_only", "no_new_or_changed_problem"]
    assert all(r["signposting"] for r in declined["reasons"])

    accepted = base | {"settings_affected": ["school", "home"], "new_or_changed_problem": True}
    assert ask(client, accepted).json() == {"outcome": "accept", "reasons": [], "policy": "criteria-0-18-2027"}


def test_unknown_fields_are_ignored(client):
    body = question() | {"child_name": "Amir", "nhs_number": "9434765919", "colour": "blue"}
    response = ask(client, body)
    assert response.status_code == 200 and response.json()["outcome"] == "accept"


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
        (question(gp_practice_code="   "), "gp_practice_code"),
        (question(gp_practice_code=...), "gp_practice_code"),
        (question(gp_practice_code=85001), "gp_practice_code"),
        (question(difficulties=...), "difficulties"),
        (question(referrer_role=...), "referrer_role"),
        (question(date_of_birth=None), "date_of_birth"),
        (question(date_of_birth="2018-05-10T00:00:00"), "date_of_birth"),
        (question(date_of_birth="2018-05-10T00:00:00Z"), "date_of_birth"),
        (question(date_of_birth="20180510"), "date_of_birth"),
        (question(date_of_birth="2018-05-10 "), "date_of_birth"),
        (question(date_of_birth="\uff12\uff10\uff11\uff18-05-10"), "date_of_birth"),
        (question(date_of_birth="2018-W19-4"), "date_of_birth"),
        (question(referral_date=20261126), "referral_date"),
        (question(referral_date="2015-06-01", date_of_birth="2010-01-01"), "referral_date"),
        (question(consent_given="yes"), "consent_given"),
        (question(consent_given=1), "consent_given"),
        (question(previous_ot_episode="true"), "previous_ot_episode"),
        (question(settings_affected=["garden"]), "settings_affected.0"),
        (question(new_or_changed_problem="maybe"), "new_or_changed_problem"),
    ],
)
def test_bad_input_gets_400_naming_the_field(client, body, field):
    response = ask(client, body)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert field in [error["field"] for error in answer["errors"]]
    assert all(error["message"] for error in answer["errors"])


def test_a_birth_date_after_the_referral_date_says_so(client):
    answer = ask(client, question(date_of_birth="2026-11-27")).json()
    assert answer["errors"] == [
        {"field": "date_of_birth", "message": "The date of birth must be on or before the referral date"}
    ]


def test_a_birth_date_on_the_referral_date_is_fine(client):
    assert ask(client, question(date_of_birth="2026-11-26", education="none")).json()["outcome"] == "accept"


def test_a_missing_field_is_named_in_the_message_summary_too(client):
    answer = ask(client, question(education=...)).json()
    assert answer["message"].startswith("education:")


@pytest.mark.parametrize("raw", ['{"date_of_birth": ', "not json", "[1, 2", "{'single': 'quotes'}"])
def test_malformed_json_gets_400_naming_the_body(client, raw):
    response = ask(client, raw)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "body", "message": "The request body is not valid JSON."}]


@pytest.mark.parametrize("raw", ["[]", "null", '"text"', "42", "{}"])
def test_a_json_body_that_is_not_an_object_gets_400_naming_the_fields_it_lacks(client, raw):
    # Ninja reads a JSON body that is not an object as one with no fields.
    response = ask(client, raw)
    assert response.status_code == 400, response.content
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == [
        "date_of_birth",
        "education",
        "gp_practice_code",
        "difficulties",
        "referrer_role",
        "consent_given",
    ]


def test_an_empty_body_gets_400_naming_the_body(client):
    response = ask(client, "")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["body"]


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("education", "university", "mainstream_school"),
        ("referrer_role", "neighbour", "health_visitor"),
        ("difficulties", ["juggling"], "pencil_skills"),
    ],
)
def test_an_unknown_code_message_lists_what_is_allowed(client, field, value, allowed):
    message = ask(client, question(**{field: value})).json()["errors"][0]["message"]
    assert allowed in message


def test_the_endpoint_is_public_and_takes_only_post(client):
    assert ask(client, QUESTION).status_code == 200  # no Authorization header
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (schemas.EducationCode, Education),
        (schemas.DifficultyCode, Difficulty),
        (schemas.ReferrerRoleCode, ReferrerRole),
        (schemas.SettingCode, Setting),
    ],
)
def test_the_api_codes_are_the_stable_codes(literal, choices):
    assert list(get_args(literal)) == list(choices.values)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2018-05-10", True), ("2020-02-29", True), ("2019-02-29", False), ("0000-01-01", False), ("2018-5-10", False)],
)
def test_the_strict_iso_date_type(value, ok):
    from pydantic import TypeAdapter, ValidationError

    adapter = TypeAdapter(schemas.IsoDate)
    if ok:
        assert adapter.validate_python(value) == dt.date.fromisoformat(value)
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
