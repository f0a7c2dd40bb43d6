"""Breaking the glass in a real browser: a therapist signs in with two-factor, opens a restricted child's record by
giving a reason, and an auditor, also signed in with two-factor, then finds that access in the audit trail."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from paedot.referrals.tests.factories import referral_in
from paedot.restricted_records.services import restrict_record
from paedot.staff.services import APP_DEVICE_NAME, create_staff_user
from paedot.tests.browser import axe_violations
from paedot.tests.system.test_referral_journey import PASSWORD

pytestmark = pytest.mark.browser

REASON = "School phoned: Safi fell in PE and the splint may be rubbing."


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def sign_in_with_two_factor(page: Page, username: str, device: TOTPDevice) -> None:
    page.context.clear_cookies()
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()


def staff_with_app(username: str, role: str, name: str) -> tuple:
    user = create_staff_user(username=username, role=role, password=PASSWORD, full_name=name)
    return user, TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=True)


def test_a_therapist_breaks_the_glass_and_an_auditor_finds_it_in_the_trail(page: Page, settings):
    # Given two-factor sign-in, a restricted child's record, a therapist not named on it, and an auditor
    settings.STAFF_TWO_FACTOR = True
    referral = referral_in("waiting", child={"given_name": "Safi", "family_name": "Sealedrecord"})
    lead = create_staff_user(username="lead-bg", role="team_lead", password=PASSWORD, full_name="Lena Lead")
    restrict_record(child=referral.child, reason="Child protection plan.", named_staff=[], by=lead)
    _, therapist_app = staff_with_app("ot-bg", "ot", "Theo Therapist")
    _, auditor_app = staff_with_app("auditor-bg", "auditor", "Aisha Auditor")

    # When the therapist signs in with her code and opens the child's referral
    sign_in_with_two_factor(page, "ot-bg", therapist_app)
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral inbox")
    page.goto(f"/staff/referrals/{referral.reference}")

    # Then she is told the record is restricted, and nothing about the child is shown
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not usually have access to this record")
    expect(page.get_by_text("Sealedrecord")).to_have_count(0)
    assert_accessible(page)

    # When she gives no reason, she is asked for one; then she gives it and opens the record
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    page.get_by_label("Why do you need to open this record now?").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safi Sealedrecord")
    expect(page.get_by_text("Restricted record")).to_be_visible()

    # Then the auditor, signed in with his own code, finds that access in the audit trail by the child
    sign_in_with_two_factor(page, "auditor-bg", auditor_app)
    page.goto("/staff/audit/")
    page.get_by_label("Child").fill(referral.reference)
    page.get_by_label("Action").fill("record.break_glass")
    page.get_by_role("button", name="Search the trail").click()
    row = page.get_by_role("row").filter(has_text="record.break_glass")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ot-bg")
    expect(row).to_contain_text(REASON)
    assert_accessible(page)
