"""Appointments in a real browser: a clerk books an assessment for an invited child and records it attended, the
OT sets up a block of treatment with a review, and the clinician's week view shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paedot.appointments.models import Appointment
from paedot.diaries.models import WorkingDay
from paedot.diaries.rules import LONDON
from paedot.directory.models import BankHoliday
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in
from paedot.staff.services import create_staff_user
from paedot.tests.browser import axe_violations
from paedot.tests.system.test_referral_journey import PASSWORD, sign_in

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def fill_date(page: Page, day: dt.date, legend: str = "Date") -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def recent_working_day() -> dt.date:
    """A day in the past week that is not a bank holiday, so the assessment has happened and needs no override."""
    day = timezone.localdate() - dt.timedelta(days=1)
    while BankHoliday.objects.filter(date=day).exists():
        day -= dt.timedelta(days=1)
    return day


def test_a_clerk_books_and_records_an_assessment_and_the_ot_plans_a_block_seen_in_the_week_view(page: Page):
    # Given an invited child, an OT who works every day, and a clerk
    referral = referral_in(
        "invited",
        child={"given_name": "Idris", "family_name": "Diarytest"},
        received_date=timezone.localdate() - dt.timedelta(days=60),
    )
    ot = create_staff_user(username="ot-d", role="ot", password=PASSWORD, full_name="Olu Diary")
    for weekday in range(7):
        WorkingDay.objects.create(clinician=ot, weekday=weekday, starts=dt.time(0, 0), ends=dt.time(23, 59))
    create_staff_user(username="clerk-d", role="clinical_admin", password=PASSWORD, full_name="Clara Clerk")
    assessed_on = recent_working_day()

    # When the clerk books an assessment from the referral's page
    sign_in(page, "clerk-d")
    page.goto(f"/staff/referrals/{referral.reference}")
    page.get_by_role("link", name="Book an appointment").click()
    assert_accessible(page)
    page.get_by_label("Kind of appointment").select_option("assessment")
    page.get_by_label("Clinician").select_option(label=page.locator("option", has_text="Olu Diary").inner_text())
    page.get_by_label("Place").select_option(
        label=page.locator("option", has_text="Soho Health Centre").first.inner_text()
    )
    fill_date(page, assessed_on)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Idris Diarytest")
    assert Referral.objects.get(pk=referral.pk).status == "booked"

    # And records that the child attended
    appointment = Appointment.objects.get(referral=referral)
    page.goto(f"/staff/appointments/{appointment.pk}")
    assert_accessible(page)
    page.get_by_label("Attended").check()
    page.get_by_role("button", name="Record outcome").click()
    referral.refresh_from_db()
    assert referral.status == "seen"
    assert referral.days_waited == (assessed_on - referral.received_date).days

    # Then the OT sets up a block of four weekly sessions with a review
    sign_in(page, "ot-d")
    page.goto(f"/staff/referrals/{referral.reference}")
    page.get_by_role("link", name="Plan a block of treatment").click()
    assert_accessible(page)
    first = timezone.localdate() + dt.timedelta(days=7)
    page.get_by_label("Clinician").select_option(label=page.locator("option", has_text="Olu Diary").inner_text())
    page.get_by_label("Place").select_option(
        label=page.locator("option", has_text="Soho Health Centre").first.inner_text()
    )
    fill_date(page, first, "Date of the first session")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_label("Days between sessions").fill("7")
    page.get_by_label("Length of each session in minutes").fill("45")
    page.get_by_role("button", name="Book the block").click()
    expect(page.locator("#maincontent").get_by_text("Review").first).to_be_visible()
    assert_accessible(page)
    sessions = Appointment.objects.filter(referral=referral, series__isnull=False).order_by("start")
    assert [a.kind for a in sessions] == ["treatment"] * 4 + ["review"]

    # And the OT's week view shows the first session
    first_session = sessions[0].start.astimezone(LONDON)
    page.goto(f"/staff/diaries/clinicians/ot-d/week?start={first_session.date().isoformat()}")
    assert_accessible(page)
    expect(page.get_by_text(referral.reference).first).to_be_visible()
    expect(page.get_by_text("14:00").first).to_be_visible()
