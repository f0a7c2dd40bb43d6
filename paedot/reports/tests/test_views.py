"""The dashboard, its CSV tables, and the returns page: who sees what, what the page holds, and safe downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest

from paedot.core.models import AuditEvent
from paedot.reports import presenters
from paedot.staff.models import User

DASHBOARD = "/staff/reports/"
PERIOD_QUERY = "?date_from_day=1&date_from_month=1&date_from_year=2025&date_to_day=15&date_to_month=6&date_to_year=2025"


def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_team_lead_sees_every_section_as_a_chart_with_its_table_and_download(
    client, known, team_lead_user, django_assert_max_num_queries
):
    client.force_login(team_lead_user)
    with django_assert_max_num_queries(30):
        response = client.get(DASHBOARD + PERIOD_QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Referrals received",
        "Outcomes and decline reasons",
        "The waiting list",
        "Waits to the first appointment",
        "Caseloads",
        "Attendance and contacts",
        "Outcomes of care",
    ):
        assert f">{heading}</h2>" in page
    assert page.count("app-chart__svg") >= 10
    for name in presenters.TABLES:
        assert f"/staff/reports/tables/{name}.csv?" in page, name
    assert "1 January 2025 to 15 June 2025" in page
    # The strict Content Security Policy refuses inline styles: the charts use attributes and classes only.
    assert not re.search(r"\sstyle=", page)
    assert "reports/charts.css" in page


def test_the_dashboard_defaults_to_the_last_twelve_months(client, known, commissioner_user):
    client.force_login(commissioner_user)
    page = client.get(DASHBOARD).content.decode()
    assert "1 July 2024 to 15 June 2025" in page


def test_filters_that_are_not_valid_are_reported_and_kept(client, known, team_lead_user):
    client.force_login(team_lead_user)
    response = client.get(
        DASHBOARD + "?date_from_day=31&date_from_month=2&date_from_year=2025&locality=North&pathway=nonsense"
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "From must be a real date" in page
    assert "Choose a pathway from the list" in page
    assert 'value="31"' in page
    assert "app-chart__svg" not in page


@pytest.mark.parametrize("role", ["ot", "ota", "clinical_admin", "auditor"])
def test_the_dashboard_is_refused_to_other_roles(client, known, role):
    from paedot.referrals.tests.factories import staff

    client.force_login(staff(role, f"{role}-dash"))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get("/staff/reports/tables/outcomes.csv").status_code == 403


def test_a_table_downloads_as_csv_with_the_same_filters_and_the_export_is_audited(client, known, team_lead_user):
    client.force_login(team_lead_user)
    response = client.get("/staff/reports/tables/contacts-by-setting.csv" + PERIOD_QUERY + "&locality=North")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert csv_of(response) == [["Setting", "Contacts"], ["Clinic or health centre", "3"], ["School", "1"]]
    event = AuditEvent.objects.get(action="report.exported")
    assert event.actor == team_lead_user
    assert event.detail == {
        "report": "dashboard",
        "table": "contacts-by-setting",
        "date_from": "2025-01-01",
        "date_to": "2025-06-15",
        "locality": "North",
    }


def test_every_table_downloads(client, known, commissioner_user):
    client.force_login(commissioner_user)
    for name in presenters.TABLES:
        response = client.get(f"/staff/reports/tables/{name}.csv" + PERIOD_QUERY)
        assert response.status_code == 200, name
        rows = csv_of(response)
        assert len(rows[0]) == 2 and len(rows) >= 2, name


def test_an_unknown_table_is_404_and_bad_filters_400(client, known, team_lead_user):
    client.force_login(team_lead_user)
    assert client.get("/staff/reports/tables/children.csv").status_code == 404
    assert client.get("/staff/reports/tables/outcomes.csv?locality=Atlantis").status_code == 400


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, known, team_lead_user):
    User.objects.filter(username="ben").update(first_name='=HYPERLINK("http://evil.example")', last_name="")
    client.force_login(team_lead_user)
    rows = csv_of(client.get("/staff/reports/tables/caseload-by-clinician.csv" + PERIOD_QUERY))
    assert rows[2] == ['\'=HYPERLINK("http://evil.example")', "1"]


def test_numbers_stay_numbers_in_csv_even_below_zero():
    table = presenters.Table("t", "T", ("Measure", "Value"), (("-1 less than expected", -0.5), ("@x", None)))
    assert list(presenters.csv_rows(table)) == [["Measure", "Value"], ["'-1 less than expected", -0.5], ["'@x", ""]]


# The returns page ------------------------------------------------------------------------------------------------


def test_a_team_lead_sees_the_month_s_sitrep_and_both_csds_downloads(client, known, team_lead_user):
    client.force_login(team_lead_user)
    page = client.get("/staff/reports/returns?month=2025-05").content.decode()
    assert "Waiting list SitRep for May 2025" in page
    assert "31 May 2025" in page
    assert "/staff/reports/returns/sitrep.csv?month=2025-05" in page
    assert "/staff/reports/returns/csds-cyp101.csv?month=2025-05" in page
    assert "/staff/reports/returns/csds-cyp201.csv?month=2025-05" in page


def test_the_returns_page_offers_last_month_by_default(client, known, admin_user):
    client.force_login(admin_user)
    page = client.get("/staff/reports/returns").content.decode()
    assert "Waiting list SitRep for May 2025" in page


def test_a_commissioner_gets_the_sitrep_but_never_the_patient_level_extract(client, known, commissioner_user):
    client.force_login(commissioner_user)
    page = client.get("/staff/reports/returns?month=2025-05").content.decode()
    assert "sitrep.csv" in page
    assert "csds-" not in page
    assert client.get("/staff/reports/returns/sitrep.csv?month=2025-05").status_code == 200
    assert client.get("/staff/reports/returns/csds-cyp101.csv?month=2025-05").status_code == 403
    assert not AuditEvent.objects.filter(action="report.exported", detail__report="csds").exists()


def test_an_ot_may_not_see_the_returns(client, known, ot_user):
    client.force_login(ot_user)
    assert client.get("/staff/reports/returns").status_code == 403
    assert client.get("/staff/reports/returns/sitrep.csv?month=2025-05").status_code == 403


def test_admin_staff_download_the_csds_and_the_download_is_audited(client, known, admin_user):
    client.force_login(admin_user)
    response = client.get("/staff/reports/returns/csds-cyp201.csv?month=2025-03")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="csds-cyp201-2025-03.csv"'
    header, *rows = csv_of(response)
    assert header[0] == "CARE CONTACT IDENTIFIER"
    assert len(rows) == 2
    assert AuditEvent.objects.filter(action="report.exported", detail__table="CYP201", actor=admin_user).exists()
    assert client.get("/staff/reports/returns/csds-cyp999.csv?month=2025-03").status_code == 404
    assert client.get("/staff/reports/returns/csds-cyp101.csv?month=2031-01").status_code == 400
