"""The Needs attention page: a count per section, a table per section, who may open it, and a fixed cost."""

from __future__ import annotations

import pytest
import time_machine

from paedot.appointments.tests.factories import london
from paedot.attention.tests.factories import (
    NOW,
    appointment_for,
    days_ago,
    failed_message,
    group_session,
    open_flag,
    person,
    referral_at,
)

pytestmark = pytest.mark.django_db

URL = "/staff/attention/"


@pytest.fixture(autouse=True)
def _on_a_wednesday_in_march():
    with time_machine.travel(NOW, tick=False):
        yield


def one_of_each(clinician, n: int = 1):
    """n items in each section (and n group sessions), every one about a child allocated to this clinician."""
    made = []
    for i in range(n):
        waiting = referral_at("waiting", received=days_ago(30 + i), priority="urgent", clinician=clinician)
        open_flag(waiting, raised=days_ago(2))
        appointment_for(waiting, clinician=clinician, start=london(2027, 3, 9, 9 + i % 8))
        failed_message(waiting, queued=days_ago(1 + i))
        group_session(clinician=clinician, start=london(2027, 3, 1 + i % 7, 9, 30), children=[waiting])
        made += [
            waiting,
            referral_at("received", received=days_ago(20 + i), clinician=clinician),
            referral_at("accepted", received=days_ago(20), moved=days_ago(10 + i), clinician=clinician),
        ]
    return made


def test_the_page_counts_each_section_and_lists_each_item_with_why(client, ot_user):
    waiting, screening, triage = one_of_each(ot_user)
    client.force_login(ot_user)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Needs attention</h1>" in page
    assert "7 items need attention" in page
    for code, count in [
        ("was_not_brought", 1),
        ("outcomes_not_recorded", 2),
        ("screening", 1),
        ("triage", 1),
        ("waiting_over_target", 1),
        ("messages_failed", 1),
    ]:
        assert f'<strong id="count-{code}">{count}</strong>' in page
        assert f'id="table-{code}"' in page
    for referral in (waiting, screening, triage):
        assert f'href="/staff/referrals/{referral.reference}"' in page
    assert waiting.child.full_name in page
    assert "Urgent: waited 30 days, target 14." in page
    assert "nhsuk-tag--red" in page  # the priority's tag
    assert "Complete the register" in page and "Record the outcome" in page and "Open the message" in page
    assert "These limits are not yet confirmed" in page


def test_empty_sections_say_so(client, team_lead_user):
    client.force_login(team_lead_user)

    page = client.get(URL).content.decode()

    assert "0 items need attention" in page
    for code in (
        "was_not_brought",
        "outcomes_not_recorded",
        "screening",
        "triage",
        "waiting_over_target",
        "messages_failed",
    ):
        assert f'id="empty-{code}"' in page
    assert "No open \u201cwas not brought\u201d flags." in page


def test_a_clinician_starts_with_their_own_work_and_can_switch_to_everyone(client, ot_user):
    colleague = person("ot", "ot-colleague")
    one_of_each(colleague)
    client.force_login(ot_user)

    mine = client.get(URL).content.decode()
    everyone = client.get(URL + "?scope=all").content.decode()

    assert "0 items need attention" in mine and 'href="?scope=all"' in mine
    assert "7 items need attention" in everyone and 'href="?scope=mine"' in everyone


def test_the_link_is_in_the_staff_navigation_for_those_who_may_open_it(client, admin_user, auditor_user):
    client.force_login(admin_user)
    assert f'href="{URL}"' in client.get("/staff/referrals/").content.decode()
    client.force_login(auditor_user)
    assert f'href="{URL}"' not in client.get("/staff/referrals/").content.decode()


@pytest.mark.parametrize("role", ["auditor", "commissioner", "system_admin", "partner_system"])
def test_auditors_commissioners_system_admins_and_partner_systems_may_not_open_it(client, role):
    client.force_login(person(role, f"{role}-attention"))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", ["clinical_admin", "ot", "ota", "team_lead"])
def test_admin_staff_clinicians_and_team_leads_may_open_it(client, role):
    client.force_login(person(role, f"{role}-attention"))
    assert client.get(URL).status_code == 200


# Session, user; a count and the oldest rows for each section (outcomes: one-to-one and groups; failed messages);
# the alerts past their review date (a count: none here, so no rows); for a team lead, the letters not posted (the
# closure days and a count: none here, so no rows) and the school holidays held (one query).
PAGE_QUERIES = 21


@pytest.mark.parametrize("how_many", [1, 4])
def test_the_page_takes_the_same_queries_however_many_items(
    client, team_lead_user, django_assert_num_queries, how_many
):
    one_of_each(person("ot", "ot-busy"), n=how_many)
    client.force_login(team_lead_user)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL)

    assert f"{7 * how_many} items need attention" in response.content.decode()


def test_an_ot_is_sent_to_the_triage_form_and_admin_staff_who_may_not_triage_to_the_referral(
    client, ot_user, admin_user
):
    referral = referral_at("accepted", received=days_ago(20), moved=days_ago(10), clinician=ot_user)

    client.force_login(ot_user)
    assert f'href="/staff/triage/{referral.reference}"' in client.get(URL).content.decode()
    client.force_login(admin_user)
    assert f'href="/staff/triage/{referral.reference}"' not in client.get(URL).content.decode()


def test_a_team_lead_sees_the_school_holidays_held_running_out_and_an_ot_does_not(client, team_lead_user, ot_user):
    with time_machine.travel("2028-05-11 12:00 +01:00", tick=False):
        client.force_login(team_lead_user)
        lead_page = client.get(URL).content.decode()
        client.force_login(ot_user)
        ot_page = client.get(URL + "?scope=all").content.decode()

    assert '<strong id="count-school_calendar">1</strong>' in lead_page
    assert 'id="table-school_calendar"' in lead_page
    assert "School holidays (the whole service)" in lead_page
    assert "The school holidays held end on 31 August 2028, 112 days from today." in lead_page
    assert "from 16 weeks before their last day" in lead_page
    assert 'href="/staff/diaries/closures#school-holidays"' in lead_page
    assert "school_calendar" not in ot_page


def test_a_team_lead_sees_the_school_holidays_section_empty_while_they_run_far_enough_ahead(client, team_lead_user):
    client.force_login(team_lead_user)
    page = client.get(URL).content.decode()
    assert 'id="empty-school_calendar"' in page and "The school holidays held run far enough ahead." in page
