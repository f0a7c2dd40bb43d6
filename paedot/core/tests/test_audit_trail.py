"""What the trail records (views, sign-ins, refusals, from where) and how auditors search and export it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from paedot.core.audit import Actions, client_ip, record_view
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import make_referral

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def _viewed(user, target, *, child_id=None, ip="10.1.2.3"):
    request = RequestFactory().get("/staff/referrals/somewhere?name=Secret", REMOTE_ADDR=ip, HTTP_USER_AGENT="Firefox")
    request.user = user
    return record_view(request, target, child_id=child_id)


# Who, when, what, from where.


def test_a_view_of_a_childs_record_says_who_what_and_from_where(ot_user):
    referral = make_referral()
    event = _viewed(ot_user, referral)
    assert event.action == Actions.RECORD_VIEWED
    assert event.actor == ot_user
    assert (event.object_type, event.object_id) == ("referrals.referral", str(referral.pk))
    assert event.child_id == referral.child_id
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "Firefox"
    assert event.occurred_at is not None
    # The path, never the query string: a search may carry a name or an NHS number.
    assert event.detail == {"method": "GET", "path": "/staff/referrals/somewhere"}


def test_x_forwarded_for_is_not_believed_unless_a_proxy_is_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert client_ip(request) == "10.0.0.1"
    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.7"


def test_a_service_change_during_a_request_records_where_it_came_from(client, team_lead_user):
    client.force_login(team_lead_user)
    response = client.post(
        "/staff/service-details",
        {
            "name": "Paediatric Occupational Therapy Service",
            "base_name": "Example Health Centre",
            "address": "1 Example Road\nBirmingham",
            "postcode": "B1 1AA",
            "phone": "0121 000 0000",
            "opening_hours": "Monday to Thursday, 9am to 4pm",
        },
        REMOTE_ADDR="10.9.8.7",
        HTTP_USER_AGENT="Edge",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="service_details.updated")
    assert (event.ip_address, event.user_agent) == ("10.9.8.7", "Edge")


def test_signing_in_is_recorded(client, ot_user):
    response = client.post(reverse("staff:sign_in"), {"username": "ot1", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Actions.SIGNED_IN)
    assert event.actor == ot_user
    assert event.ip_address == "10.0.0.5"


def test_a_failed_sign_in_records_the_username_tried_and_never_the_password(client, ot_user):
    response = client.post(reverse("staff:sign_in"), {"username": "ot1", "password": "not-my-password-77"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Actions.SIGN_IN_FAILED)
    assert event.actor is None
    assert event.actor_label == "ot1"
    assert event.detail == {"username": "ot1"}
    stored = str(AuditEvent.objects.filter(action=Actions.SIGN_IN_FAILED).values().get())
    assert "not-my-password-77" not in stored


def test_signing_out_is_recorded(client, ot_user):
    client.force_login(ot_user)
    client.post(reverse("staff:sign_out"))
    assert AuditEvent.objects.filter(action=Actions.SIGNED_OUT, actor=ot_user).exists()


def test_a_refused_page_is_recorded_with_the_path_but_not_the_query_string(client, ot_user):
    client.force_login(ot_user)
    response = client.get(reverse("audit:search_audit_trail") + "?child=9434765919", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=Actions.PERMISSION_REFUSED)
    assert event.actor == ot_user
    assert event.ip_address == "10.0.0.9"
    assert event.detail == {"method": "GET", "path": "/staff/audit/", "status": 403}
    assert "9434765919" not in str(event.detail)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_is_recorded_as_refused(client):
    response = client.get(reverse("audit:search_audit_trail"))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=Actions.PERMISSION_REFUSED).exists()


# Auditors search it.


def _rows(response) -> list[tuple[str, str]]:
    """(who, record) for each row of the trail's table."""
    body = response.content.decode()
    tbody = body.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0] if "<tbody" in body else ""
    rows = []
    for row in tbody.split('<tr class="nhsuk-table__row" role="row">')[1:]:
        cells = [re.sub(r"<[^>]+>", " ", cell) for cell in row.split("</td>")[:-1]]
        who = cells[1].replace("Who", "", 1).strip()
        record = cells[3].replace("Record", "", 1).strip().split("  ")[0].strip()
        rows.append((who, " ".join(record.split()[:2])))
    return rows


@pytest.mark.parametrize("role_fixture", ["auditor_user", "system_admin_user"])
def test_auditors_and_system_admins_may_search_the_trail(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("audit:search_audit_trail")).status_code == 200


@pytest.mark.parametrize("role_fixture", ["admin_user", "ot_user", "ota_user", "team_lead_user"])
def test_clinical_staff_may_not_search_the_trail(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("audit:search_audit_trail")).status_code == 403
    assert client.get(reverse("audit:export_audit_trail")).status_code == 403


@pytest.mark.parametrize("term", ["nhs_number", "reference", "child_id"])
def test_an_auditor_finds_who_looked_at_a_child(client, auditor_user, ot_user, team_lead_user, term):
    referral = make_referral(child={"nhs_number": "9434765919"})
    other = make_referral(child={"nhs_number": "4010232137", "given_name": "Other"})
    _viewed(ot_user, referral)
    _viewed(team_lead_user, other)
    search = {
        "nhs_number": referral.child.nhs_number,
        "reference": referral.reference,
        "child_id": str(referral.child_id),
    }[term]
    client.force_login(auditor_user)
    response = client.get(reverse("audit:search_audit_trail"), {"child": search, "action": "record.viewed"})
    assert response.status_code == 200
    assert _rows(response) == [("ot1", f"referrals.referral {referral.pk}")]


def test_an_auditor_finds_what_a_user_opened_within_dates(client, auditor_user, ot_user, team_lead_user):
    import time_machine

    first, second = make_referral(), make_referral(child={"nhs_number": "4010232137"})
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        _viewed(ot_user, first)
    with time_machine.travel("2027-01-06 09:00 +00:00", tick=False):
        _viewed(ot_user, second)
        _viewed(team_lead_user, second)
    client.force_login(auditor_user)
    response = client.get(
        reverse("audit:search_audit_trail"),
        {
            "user": "ot1",
            "date_from_day": "5",
            "date_from_month": "1",
            "date_from_year": "2027",
            "date_to_day": "6",
            "date_to_month": "1",
            "date_to_year": "2027",
        },
    )
    assert response.status_code == 200
    assert _rows(response) == [("ot1", f"referrals.referral {second.pk}")]


def test_a_search_with_dates_the_wrong_way_round_is_refused_politely(client, auditor_user):
    client.force_login(auditor_user)
    response = client.get(
        reverse("audit:search_audit_trail"),
        {
            "date_from_day": "6",
            "date_from_month": "1",
            "date_from_year": "2027",
            "date_to_day": "5",
            "date_to_month": "1",
            "date_to_year": "2027",
        },
    )
    assert response.status_code == 400
    assert "must be the same as or after" in response.content.decode()


def test_the_trail_page_takes_the_same_number_of_queries_however_long_it_is(
    client, auditor_user, ot_user, django_assert_max_num_queries
):
    referral = make_referral()
    client.force_login(auditor_user)
    _viewed(ot_user, referral)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("audit:search_audit_trail"))
    for _ in range(30):
        _viewed(ot_user, referral)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("audit:search_audit_trail"))
    assert len(_rows(response)) >= 31


# And export it.


def _csv(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_an_export_holds_the_filtered_trail_and_is_itself_recorded(client, auditor_user, ot_user):
    referral = make_referral()
    _viewed(ot_user, referral)
    client.force_login(auditor_user)
    response = client.get(reverse("audit:export_audit_trail"), {"child": referral.reference})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert {row["actor"] for row in rows if row["action"] == Actions.RECORD_VIEWED} == {"ot1"}
    export = AuditEvent.objects.get(action=Actions.AUDIT_EXPORTED)
    assert export.actor == auditor_user
    assert export.detail == {"child": referral.reference}


def test_an_export_never_hands_a_spreadsheet_a_formula(client, auditor_user):
    client.post(reverse("staff:sign_in"), {"username": '=HYPERLINK("http://evil")', "password": "x"})
    client.force_login(auditor_user)
    rows = _csv(client.get(reverse("audit:export_audit_trail"), {"action": Actions.SIGN_IN_FAILED}))
    assert rows[0]["actor"].startswith("'=")


# The API.


def _bearer(user) -> dict[str, str]:
    from paedot.staff.services import issue_api_token

    return {"Authorization": f"Bearer {issue_api_token(user=user, name='test')}"}


def test_the_api_needs_a_token(client):
    assert client.get("/api/audit").status_code == 401


@pytest.mark.parametrize("role_fixture", ["ot_user", "team_lead_user", "admin_user", "partner_user"])
def test_the_api_refuses_everyone_but_auditors_and_records_the_refusal(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    response = client.get("/api/audit", {"child": "9434765919"}, headers=_bearer(user))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=Actions.PERMISSION_REFUSED)
    assert event.actor == user
    assert event.detail == {"method": "GET", "path": "/api/audit", "status": 403}


def test_the_api_answers_who_looked_at_a_child(client, auditor_user, ot_user, team_lead_user):
    referral = make_referral(child={"nhs_number": "9434765919"})
    _viewed(team_lead_user, make_referral(child={"nhs_number": "4010232137"}))
    _viewed(ot_user, referral)
    response = client.get("/api/audit", {"child": referral.child.nhs_number}, headers=_bearer(auditor_user))
    assert response.status_code == 200
    body = response.json()
    viewed = [e for e in body["events"] if e["action"] == Actions.RECORD_VIEWED]
    assert [(e["actor"], e["child_id"], e["ip_address"]) for e in viewed] == [("ot1", referral.child_id, "10.1.2.3")]
    assert AuditEvent.objects.filter(action=Actions.AUDIT_READ_THROUGH_API, actor=auditor_user).exists()


def test_the_api_pages_through_the_trail_by_id(client, auditor_user, ot_user):
    referral = make_referral()
    for _ in range(5):
        _viewed(ot_user, referral)
    headers = _bearer(auditor_user)
    first = client.get("/api/audit", {"action": Actions.RECORD_VIEWED, "limit": 3}, headers=headers).json()
    second = client.get(
        "/api/audit", {"action": Actions.RECORD_VIEWED, "limit": 3, "before": first["next_before"]}, headers=headers
    ).json()
    ids = [e["id"] for e in first["events"] + second["events"]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    assert second["next_before"] is None


def test_the_api_refuses_dates_the_wrong_way_round(client, auditor_user):
    response = client.get(
        "/api/audit", {"date_from": "2027-01-06", "date_to": "2027-01-05"}, headers=_bearer(auditor_user)
    )
    assert response.status_code == 400
