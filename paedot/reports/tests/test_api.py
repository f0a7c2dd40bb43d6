"""GET /api/reports/summary, /api/reports/sitrep and /api/reports/csds: shapes, permissions, and the waiting list
figures agreeing with /api/waiting-list."""

from __future__ import annotations

import csv
import io

import pytest

from paedot.core.models import AuditEvent
from paedot.reports.tests.conftest import token_for
from paedot.waiting_list.rules import BAND_LABELS


def body_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode())))


def test_the_summary_gives_every_figure_for_the_period(client, known, team_lead_user):
    response = client.get("/api/reports/summary?date_from=2025-01-01&date_to=2025-06-15", **token_for(team_lead_user))
    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"], body["locality"]) == ("2025-01-01", "2025-06-15", "")
    assert [row["count"] for row in body["referrals_by_month"]] == [3, 2, 2, 2, 1, 3]
    assert body["referrals_by_month"][0] == {"month": "2025-01", "count": 3}
    assert body["referrals_by_referrer"][0] == {"referrer_role": "gp", "count": 6}
    assert {"status": "declined", "count": 3} in body["outcomes"]
    assert body["decline_reasons"][0] == {"code": "referrer_not_accepted", "count": 2}
    assert body["waiting_on"] == "2025-06-15"
    assert body["waiting_total"] == 7
    assert body["waiting_by_band"] == {"0-1": 1, "1-2": 1, "2-4": 1, "4-12": 1, "12-18": 0, "18-52": 1, "52+": 2}
    assert (body["waiting_median_days"], body["waiting_p92_days"], body["over_52_weeks"]) == (75, 410, 2)
    assert [row["count"] for row in body["waiting_over_time"]] == [4, 4, 4, 5, 5, 7]
    assert body["waiting_over_time"][0] == {"month": "2025-01", "on": "2025-01-31", "count": 4}
    assert body["first_appointment_waits"] == {
        "count": 3,
        "mean_days": 44.0,
        "median_days": 41,
        "p92_days": 70,
        "by_band": {"0-1": 0, "1-2": 0, "2-4": 1, "4-12": 2, "12-18": 0, "18-52": 0, "52+": 0},
    }
    assert body["caseload_by_clinician"][0] == {"username": "ada", "name": "Ada Therapist", "count": 3}
    assert body["attendance"] == {"attended": 5, "was_not_brought": 3, "was_not_brought_rate": 37.5}
    assert body["contacts_by_setting"][0] == {"setting": "clinic", "count": 3}
    assert body["contacts_by_kind"][0] == {"kind": "assessment", "count": 2}
    assert body["goal_attainment"] == {
        "reviews": 3,
        "mean_t_score": 49.54,
        "goals_rated": 7,
        "at_or_above_expected": 4,
        "share_at_or_above_expected": 57.1,
        "by_level": {"-2": 0, "-1": 3, "0": 2, "1": 1, "2": 1},
    }
    assert body["copm_change"] == {
        "reviews": 2,
        "mean_performance_change": 1.75,
        "mean_satisfaction_change": 2.0,
        "performance_up_2_or_more": 1,
        "share_performance_up_2_or_more": 50.0,
        "satisfaction_up_2_or_more": 1,
    }


def test_without_dates_the_summary_covers_the_last_twelve_months(client, known, commissioner_user):
    body = client.get("/api/reports/summary", **token_for(commissioner_user)).json()
    assert (body["date_from"], body["date_to"]) == ("2024-07-01", "2025-06-15")
    assert len(body["referrals_by_month"]) == 12


@pytest.mark.parametrize("locality", ["", "North", "South", "East"])
def test_the_summary_s_waiting_figures_agree_with_the_waiting_list_api(client, known, team_lead_user, locality):
    headers = token_for(team_lead_user)
    summary = client.get(f"/api/reports/summary?locality={locality}", **headers).json()
    listed = client.get(f"/api/waiting-list?locality={locality}", **headers).json()
    assert summary["waiting_total"] == listed["count"]
    for band in BAND_LABELS:
        in_band = client.get("/api/waiting-list", {"locality": locality, "band": band}, **headers).json()
        assert summary["waiting_by_band"][band] == in_band["count"], band


def test_dates_out_of_order_or_unknown_filters_are_refused_naming_the_field(client, known, team_lead_user):
    headers = token_for(team_lead_user)
    backwards = client.get("/api/reports/summary?date_from=2025-06-01&date_to=2025-01-01", **headers)
    assert backwards.status_code == 400
    unknown = client.get("/api/reports/summary?locality=Atlantis", **headers)
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "locality"


def test_the_sitrep_is_csv_of_the_month_end_waiting_list_by_band(client, known, team_lead_user):
    response = client.get("/api/reports/sitrep?month=2025-05", **token_for(team_lead_user))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, row = body_csv(response)
    assert header[:3] == ["REPORTING PERIOD", "WAITING LIST DATE", "SERVICE LINE"]
    figures = dict(zip(header, row, strict=True))
    # On 31 May: W3 (6 days), W4 (60), W5 (119), W7 (364: still 18-52), W6 (395).
    assert figures["WAITING LIST DATE"] == "2025-05-31"
    assert [figures[f"WAITING {band} WEEKS"] for band in BAND_LABELS] == ["1", "0", "0", "1", "1", "1", "1"]
    assert (figures["TOTAL WAITING"], figures["PROVISIONAL"]) == ("5", "N")
    assert AuditEvent.objects.filter(action="report.exported", detail__report="sitrep").count() == 1


def test_this_month_s_sitrep_is_counted_today_and_provisional(client, known, admin_user):
    header, row = body_csv(client.get("/api/reports/sitrep?month=2025-06", **token_for(admin_user)))
    figures = dict(zip(header, row, strict=True))
    assert (figures["WAITING LIST DATE"], figures["TOTAL WAITING"], figures["PROVISIONAL"]) == ("2025-06-15", "7", "Y")


@pytest.mark.parametrize("month", ["2025-13", "June", "2025-07", ""])
def test_a_month_that_is_not_real_or_has_not_begun_is_refused(client, known, team_lead_user, month):
    response = client.get(f"/api/reports/sitrep?month={month}", **token_for(team_lead_user))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "month"


def test_the_csds_extract_is_csv_shaped_on_cyp101_and_cyp201(client, known, team_lead_user):
    headers = token_for(team_lead_user)
    referrals = client.get("/api/reports/csds?month=2025-04", **headers)
    assert referrals.status_code == 200
    assert referrals["Content-Type"].startswith("text/csv")
    header, *rows = body_csv(referrals)
    assert header[:4] == [
        "LOCAL PATIENT IDENTIFIER (EXTENDED)",
        "NHS NUMBER",
        "SERVICE REQUEST IDENTIFIER",
        "REFERRAL REQUEST RECEIVED DATE",
    ]
    assert len(rows) == 8
    contacts = client.get("/api/reports/csds?month=2025-04&table=CYP201", **headers)
    header, *rows = body_csv(contacts)
    assert header[0] == "CARE CONTACT IDENTIFIER"
    assert len(rows) == 3  # A5, and the two group places
    event = AuditEvent.objects.filter(action="report.exported", detail__report="csds").latest("id")
    assert event.detail == {"report": "csds", "table": "CYP201", "month": "2025-04"}


@pytest.mark.parametrize(
    ("role", "summary", "sitrep", "csds"),
    [
        ("ot", 403, 403, 403),
        ("ota", 403, 403, 403),
        ("auditor", 403, 403, 403),
        ("commissioner", 200, 200, 403),
        ("clinical_admin", 403, 200, 200),
        ("team_lead", 200, 200, 200),
    ],
)
def test_who_may_read_which_report(client, known, role, summary, sitrep, csds):
    from paedot.referrals.tests.factories import staff

    headers = token_for(staff(role, f"{role}-reports"))
    assert client.get("/api/reports/summary", **headers).status_code == summary
    assert client.get("/api/reports/sitrep?month=2025-05", **headers).status_code == sitrep
    assert client.get("/api/reports/csds?month=2025-05", **headers).status_code == csds


def test_without_a_token_the_reports_are_401(client, db):
    assert client.get("/api/reports/summary").status_code == 401
    assert client.get("/api/reports/csds?month=2025-05").status_code == 401


@pytest.mark.django_db
def test_a_period_of_centuries_is_400_naming_date_from_not_a_500(client):
    from paedot.referrals.tests.factories import staff
    from paedot.staff.services import issue_api_token

    token = issue_api_token(user=staff("team_lead", "lead-centuries"), name="t")
    response = client.get(
        "/api/reports/summary?date_from=1353-01-14&date_to=2026-11-01", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date_from"
