"""GET /api/attention: the worklist's sections, counts and reasons, with the page's permissions."""

from __future__ import annotations

import pytest
import time_machine

from paedot.appointments.tests.factories import london
from paedot.attention.tests.factories import (
    NOW,
    appointment_for,
    days_ago,
    failed_message,
    open_flag,
    person,
    referral_at,
)
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_a_wednesday_in_march():
    with time_machine.travel(NOW, tick=False):
        yield


def get(client, user=None, query: str = ""):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='t')}"} if user else {}
    return client.get(f"/api/attention{query}", **headers)


def test_the_worklist_has_every_section_with_its_count_and_each_item_says_why(client, ot_user):
    referral = referral_at("waiting", received=days_ago(23), priority="urgent", clinician=ot_user)
    open_flag(referral, raised=days_ago(2))
    appointment_for(referral, clinician=ot_user, start=london(2027, 3, 9, 10))
    message = failed_message(referral, queued=days_ago(3))

    response = get(client, ot_user)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "mine"
    assert body["today"] == "2027-03-10"
    assert body["policy"] == {"effective_from": "2025-01-01", "confirmed_by_service": False}
    sections = {s["code"]: s for s in body["sections"]}
    assert list(sections) == [
        "was_not_brought",
        "outcomes_not_recorded",
        "screening",
        "triage",
        "waiting_over_target",
        "alerts_to_review",
        "messages_failed",
    ]
    assert {code: s["count"] for code, s in sections.items()} == {
        "was_not_brought": 1,
        "outcomes_not_recorded": 1,
        "screening": 0,
        "triage": 0,
        "waiting_over_target": 1,
        "alerts_to_review": 0,
        "messages_failed": 1,
    }
    (waiting,) = sections["waiting_over_target"]["items"]
    assert waiting == {
        "code": "wait_over_target",
        "reference": referral.reference,
        "what": "",
        "why": "Urgent: waited 23 days, target 14.",
        "since": days_ago(23).isoformat(),
        "days": 23,
        "limit": 14,
        "clinician": ot_user.username,
        "priority": "urgent",
        "status": "waiting",
        "link": f"/staff/referrals/{referral.reference}",
    }
    (failed,) = sections["messages_failed"]["items"]
    assert failed["code"] == "message_failed"
    assert failed["reference"] == referral.reference
    assert (failed["since"], failed["days"], failed["limit"]) == ("2027-03-07", 3, None)
    assert failed["why"].startswith("Email to the parent or carer, queued 7 March 2027, failed after 5 tries")
    assert failed["link"] == f"/staff/messages/{message.pk}"
    (missed,) = sections["outcomes_not_recorded"]["items"]
    assert missed["limit"] is None and missed["since"] == "2027-03-09" and missed["days"] == 1
    # References only: the API gives no child's name.
    assert referral.child.family_name not in response.content.decode()


def test_scope_all_shows_everyone_the_caller_may_see(client, ot_user):
    referral_at("waiting", received=days_ago(23), priority="urgent", clinician=person("ot", "ot-colleague"))

    mine, everyone = get(client, ot_user), get(client, ot_user, "?scope=all")

    assert sum(s["count"] for s in mine.json()["sections"]) == 0
    assert sum(s["count"] for s in everyone.json()["sections"]) == 1
    assert everyone.json()["scope"] == "all"


def test_a_team_lead_sees_everyone_by_default(client, team_lead_user):
    referral_at("waiting", received=days_ago(23), priority="urgent")
    assert get(client, team_lead_user).json()["scope"] == "all"


def test_an_unknown_scope_is_400(client, ot_user):
    response = get(client, ot_user, "?scope=everyone")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "scope"


def test_no_token_is_401(client):
    assert get(client).status_code == 401


@pytest.mark.parametrize("role", ["auditor", "commissioner", "system_admin", "partner_system"])
def test_auditors_commissioners_system_admins_and_partner_systems_get_403(client, role):
    assert get(client, person(role, f"{role}-api")).status_code == 403


def test_an_ot_assistant_who_may_not_see_the_outbox_gets_no_messages_section(client, ota_user):
    failed_message(referral_at("waiting", received=days_ago(3), clinician=ota_user), queued=days_ago(1))
    codes = [s["code"] for s in get(client, ota_user, "?scope=all").json()["sections"]]
    assert "messages_failed" not in codes and len(codes) == 6  # alerts_to_review among them


def test_team_leads_get_the_school_holidays_held_running_out_as_an_item_with_no_reference(client, team_lead_user):
    with time_machine.travel("2028-05-11 12:00 +01:00", tick=False):
        body = get(client, team_lead_user).json()

    sections = {s["code"]: s for s in body["sections"]}
    assert list(sections)[-1] == "school_calendar"
    calendar = sections["school_calendar"]
    assert calendar["title"] == "School holidays held running out" and calendar["count"] == 1
    (item,) = calendar["items"]
    assert item == {
        "code": "school_calendar_ending",
        "reference": None,
        "what": "School holidays (the whole service)",
        "why": "The school holidays held end on 31 August 2028, 112 days from today. Blocks of treatment and group "
        "sessions at schools and nurseries after that day cannot skip holidays. Load the next school year's term "
        "dates, checked against Birmingham City Council's.",
        "since": "2028-05-11",
        "days": 0,
        "limit": None,
        "clinician": None,
        "priority": None,
        "status": None,
        "link": "/staff/diaries/closures#school-holidays",
    }


def test_an_ot_gets_no_school_holidays_section(client, ot_user):
    with time_machine.travel("2028-05-11 12:00 +01:00", tick=False):
        codes = [s["code"] for s in get(client, ot_user, "?scope=all").json()["sections"]]
    assert "school_calendar" not in codes
