"""The referral queue in a real browser: an admin screens a new referral, an OT triages it, it takes its place on
the waiting list, the family is invited, and a team lead allocates it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import make_referral, referral_in
from paedot.staff.services import create_staff_user
from paedot.tests.browser import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password-1"


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def sign_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_referral_is_screened_triaged_waits_in_its_place_is_invited_and_allocated(page: Page):
    # Given a new referral, and children already waiting: one urgent, and routine ones received before and after.
    today = timezone.localdate()
    urgent = referral_in("waiting", received_date=today - dt.timedelta(days=3))
    Referral.objects.filter(pk=urgent.pk).update(priority="urgent", priority_rank=1)
    older_routine = referral_in("waiting", received_date=today - dt.timedelta(days=200))
    newer_routine = referral_in("waiting", received_date=today - dt.timedelta(days=1))
    Referral.objects.filter(pk__in=[older_routine.pk, newer_routine.pk]).update(priority="routine", priority_rank=3)
    new = make_referral(
        received_date=today - dt.timedelta(days=40),
        child={"given_name": "Zainab", "family_name": "Journeytest"},
        difficulties=("pencil_skills",),
    )
    create_staff_user(username="admin-j", role="clinical_admin", password=PASSWORD, full_name="Amira Admin")
    create_staff_user(username="ot-j", role="ot", password=PASSWORD, full_name="Olu Therapist")
    create_staff_user(username="lead-j", role="team_lead", password=PASSWORD, full_name="Grace Lead")

    # When the admin screens it from the screening queue
    sign_in(page, "admin-j")
    page.get_by_role("link", name="Screening").first.click()
    assert_accessible(page)
    page.get_by_role("link", name=new.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zainab Journeytest")
    assert_accessible(page)
    page.get_by_label("Accept").check()
    page.get_by_role("textbox", name="Reason").fill("Meets every criterion; handwriting affects school work.")
    page.get_by_role("button", name="Record screening decision").click()
    expect(page.get_by_text("Referral accepted")).to_be_visible()

    # And an OT triages it as routine (the suggestion), package of care, first seen at school
    sign_in(page, "ot-j")
    page.get_by_role("link", name="Triage").first.click()
    assert_accessible(page)
    page.get_by_role("row").filter(has_text=new.reference).get_by_role("link").last.click()
    assert_accessible(page)
    page.get_by_label("Routine").check()
    page.get_by_label("Package of care").check()
    page.get_by_label("School", exact=True).check()
    page.get_by_label("Notes (optional)").fill("Fine motor assessment at school.")
    page.get_by_role("button", name="Save triage").click()
    expect(page.get_by_text("Triaged").first).to_be_visible()
    assert Referral.objects.get(pk=new.pk).status == "waiting"

    # Then it waits after the urgent child and the older routine one, before the newer routine one
    page.get_by_role("link", name="Waiting list").first.click()
    assert_accessible(page)
    references = page.locator("tbody tr").all_inner_texts()
    order = [next(r for r in (urgent, older_routine, new, newer_routine) if r.reference in row) for row in references]
    assert order == [urgent, older_routine, new, newer_routine]
    row = page.get_by_role("row").filter(has_text=new.reference)
    expect(row).to_contain_text("4-12")  # 40 days: the 4 to 12 weeks band

    # When the admin invites the family from the waiting list
    sign_in(page, "admin-j")
    page.get_by_role("link", name="Waiting list").first.click()
    page.get_by_role("row").filter(has_text=new.reference).get_by_role("button", name="Invite to book").click()
    expect(page.get_by_role("row").filter(has_text=new.reference)).to_contain_text("Invited")
    assert Referral.objects.get(pk=new.pk).status == "invited"

    # And the team lead allocates the child to the OT
    sign_in(page, "lead-j")
    page.goto(f"/staff/referrals/{new.reference}")
    page.get_by_role("link", name="Allocate to a clinician").click()
    assert_accessible(page)
    page.get_by_label("Clinician").select_option(label=page.locator("option", has_text="Olu Therapist").inner_text())
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("Olu Therapist").first).to_be_visible()
    assert Referral.objects.get(pk=new.pk).clinician.username == "ot-j"

    # Then the referral's page tells the whole story, with the letters sent
    page.goto(f"/staff/referrals/{new.reference}")
    history = page.locator("#history + table")
    for step in ("Screened: accepted", "Triaged", "Invited to book", "Allocated"):
        expect(history).to_contain_text(step)
    expect(page.get_by_role("link", name="Invitation to book (PDF)")).to_be_visible()
    assert_accessible(page)
