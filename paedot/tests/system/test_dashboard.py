"""The service dashboard in a real browser: a team lead reads the figures, filters them and downloads a table; a
commissioner reads the same dashboard and the SitRep but is offered no patient-level extract. Every page is checked
with axe-core, and the Content Security Policy must refuse nothing (the charts are SVG with no inline styles)."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in
from paedot.staff.services import create_staff_user
from paedot.tests.browser import axe_violations
from paedot.tests.system.test_referral_journey import PASSWORD, sign_in

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def sign_in_to_the_dashboard(page: Page, username: str) -> None:
    """Signs in straight to the dashboard (a commissioner may not open the referrals inbox, the usual landing)."""
    page.context.clear_cookies()
    page.goto("/staff/sign-in?next=/staff/reports/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service dashboard")


def waiting_child(days: int, locality: str) -> Referral:
    referral = referral_in("waiting", received_date=timezone.localdate() - dt.timedelta(days=days))
    Referral.objects.filter(pk=referral.pk).update(locality=locality)
    return referral


def test_a_team_lead_reads_filters_and_downloads_the_figures_and_a_commissioner_reads_them(page: Page):
    # Given children waiting 3, 40 and 400 days (two in North, one in South), and a team lead and a commissioner
    waiting_child(3, "North")
    waiting_child(40, "South")
    waiting_child(400, "North")
    create_staff_user(username="lead-r", role="team_lead", password=PASSWORD, full_name="Grace Lead")
    create_staff_user(username="commissioner-r", role="commissioner", password=PASSWORD, full_name="Cara Commissioner")

    # When the team lead opens the dashboard
    sign_in(page, "lead-r")
    page.goto("/staff/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service dashboard")
    assert_accessible(page)

    # Then every section is there, each chart drawn with the table of its figures beside it
    for heading in ("Referrals received", "The waiting list", "Attendance and contacts", "Outcomes of care"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(
        page.get_by_role("img", name="Chart of children on the waiting list at the end of each month").first
    ).to_be_visible()
    measures = page.locator("#table-waiting-measures")
    expect(measures.get_by_role("row", name="Children waiting 3")).to_be_visible()
    expect(measures.get_by_role("row", name="Children waiting over 52 weeks 1")).to_be_visible()
    if os.environ.get("DASHBOARD_SCREENSHOT"):
        page.screenshot(path=os.environ["DASHBOARD_SCREENSHOT"], full_page=True)

    # When they look at North only
    page.get_by_label("Locality").select_option("North")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_text("North locality")).to_be_visible()
    expect(page.locator("#table-waiting-measures").get_by_role("row", name="Children waiting 2")).to_be_visible()
    assert_accessible(page)

    # And download the waiting list's bands for North
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of children waiting", exact=False).first.click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["Weeks waited", "Children waiting"]
    assert sum(int(count) for _, count in rows[1:]) == 2

    # Then a commissioner sees the same dashboard, and the SitRep, but no patient-level extract
    sign_in_to_the_dashboard(page, "commissioner-r")
    assert_accessible(page)
    page.get_by_role("link", name="Monthly national returns (waiting list SitRep and CSDS)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National returns")
    assert_accessible(page)
    expect(page.get_by_role("link", name="Download the SitRep", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Community Services Data Set extract", exact=False)).to_have_count(0)
    expect(page.get_by_role("link", name="CYP101", exact=False)).to_have_count(0)
