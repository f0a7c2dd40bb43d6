"""Alerts on a child past their review date on the Needs attention list: from the day after the review date, for the
child's clinician and for admin staff and team leads, only for children they may see, with the category and never
the alert's words."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.alerts.services import end_alert, review_alert
from paedot.alerts.tests.factories import alert_on, backdate
from paedot.attention.services import ALERTS, Scope, needs_attention, section_counts
from paedot.attention.tests.factories import NOW, TODAY, days_ago, person, referral_at
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

SECRET = "Dad must not be told where the child lives"


@pytest.fixture(autouse=True)
def _on_a_wednesday_in_march():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ot():
    return person("ot", "ot-alerts")


@pytest.fixture
def lead():
    return person("team_lead", "lead-alerts")


def due(referral, *, review_on: dt.date, by, **fields):
    return backdate(alert_on(referral, by=by, **fields), review_on=review_on)


def section(user, *, scope=Scope.ALL):
    (found,) = [s for s in needs_attention(user, scope=scope).sections if s.code == ALERTS.code]
    return found


def test_an_alert_is_listed_the_day_after_its_review_date_not_on_it(lead, ot):
    referral = referral_at("waiting", received=days_ago(40), priority="routine", clinician=ot)
    today = due(referral, review_on=TODAY, by=ot, text="Due today")
    yesterday = due(referral, review_on=days_ago(1), by=ot, category="contact_restriction", text=SECRET)

    found = section(lead)

    assert found.count == 1
    (item,) = found.items
    assert item.code == "alert_review_overdue" and item.reference == referral.reference
    assert item.link == f"/staff/referrals/{referral.reference}/alerts#alert-{yesterday.pk}"
    assert item.finding.why == (
        "Contact restriction alert: its review was due on 9 March 2027, 1 day ago. Check it still holds: review it, "
        "or end it with the reason."
    )
    assert item.clinician == ot and item.child_name == referral.child.full_name
    assert SECRET not in item.finding.why and today.pk != yesterday.pk


def test_a_reviewed_or_ended_alert_leaves_the_list(lead, ot):
    referral = referral_at("waiting", received=days_ago(40), priority="routine", clinician=ot)
    reviewed = due(referral, review_on=days_ago(3), by=ot, text="One")
    ended = due(referral, review_on=days_ago(3), by=ot, text="Two")
    assert section(lead).count == 2

    review_alert(alert=reviewed, by=lead)
    end_alert(alert=ended, reason="No longer holds", by=lead)

    assert section(lead).count == 0


def test_a_clinician_sees_their_own_childrens_alerts_even_when_asking_for_everyone(ot, lead):
    colleague = person("ot", "ot-colleague-alerts")
    mine = referral_at("waiting", received=days_ago(40), priority="routine", clinician=ot)
    theirs = referral_at("waiting", received=days_ago(40), priority="routine", clinician=colleague)
    unallocated = referral_at("accepted", received=days_ago(5))
    for referral in (mine, theirs, unallocated):
        due(referral, review_on=days_ago(2), by=ot)

    assert [i.reference for i in section(ot, scope=Scope.MINE).items] == [mine.reference]
    assert [i.reference for i in section(ot, scope=Scope.ALL).items] == [mine.reference]
    assert section(lead).count == 3
    assert section(person("clinical_admin", "clerk-alerts")).count == 3
    assert section(person("ota", "ota-alerts")).count == 0


def test_a_discharged_childs_alert_waits_for_a_new_referral(lead, ot):
    discharged = referral_at("discharged", received=days_ago(300), clinician=ot)
    due(discharged, review_on=days_ago(2), by=ot)
    assert section(lead).count == 0


def test_a_restricted_record_and_another_locality_are_neither_listed_nor_counted(lead, ot):
    restricted = referral_at("waiting", received=days_ago(40), priority="routine", clinician=ot)
    south = referral_at("waiting", received=days_ago(40), priority="routine", locality="South")
    due(restricted, review_on=days_ago(2), by=ot)
    due(south, review_on=days_ago(2), by=ot)
    restrict_record(child=restricted.child, reason="Safeguarding (synthetic)", named_staff=[], by=lead)

    assert section(person("team_lead", "lead-north", localities=["North"])).count == 0
    assert section_counts(person("team_lead", "lead-north-2", localities=["North"]))[ALERTS.code] == 0
    assert section(person("team_lead", "lead-other")).count == 1  # the south child; not the restricted one
    assert section(lead).count == 2  # named on the restriction they made


def test_the_page_shows_the_section_and_the_api_its_items(client, lead, ot):
    referral = referral_at("waiting", received=days_ago(40), priority="routine", clinician=ot)
    alert = due(referral, review_on=days_ago(4), by=ot, category="child_protection_plan", text=SECRET)
    client.force_login(lead)

    page = client.get("/staff/attention/").content.decode()

    assert '<strong id="count-alerts_to_review">1</strong>' in page and 'id="table-alerts_to_review"' in page
    assert f'href="/staff/referrals/{referral.reference}/alerts#alert-{alert.pk}"' in page
    assert "Review the alert" in page and SECRET not in page
    token = issue_api_token(user=lead, name="t")
    body = client.get("/api/attention", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    (alerts,) = [s for s in body["sections"] if s["code"] == "alerts_to_review"]
    assert alerts["count"] == 1 and alerts["items"][0]["what"] == "Safeguarding: child protection plan"
    assert alerts["items"][0]["days"] == 4 and alerts["items"][0]["limit"] is None


@pytest.mark.parametrize("how_many", [1, 4])
def test_the_page_takes_the_same_queries_however_many_alerts(
    client, team_lead_user, django_assert_num_queries, how_many
):
    clinician = person("ot", "ot-busy-alerts")
    for n in range(how_many):
        referral = referral_at("waiting", received=days_ago(40), priority="routine", clinician=clinician)
        due(referral, review_on=days_ago(2 + n), by=clinician)
    client.force_login(team_lead_user)

    # Session, user, each section's count and rows (no past appointments here: no register to check); for the
    # alerts, a count, the rows and their referrals, however many.
    with django_assert_num_queries(21):
        response = client.get("/staff/attention/")

    assert f'<strong id="count-alerts_to_review">{how_many}</strong>' in response.content.decode()


def test_the_digest_counts_alerts_past_their_review_date(lead, ot):
    referral = referral_at("waiting", received=days_ago(40), priority="routine", clinician=ot)
    due(referral, review_on=days_ago(2), by=ot)
    assert section_counts(lead)[ALERTS.code] == 1
