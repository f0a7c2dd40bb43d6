"""Two-factor sign-in in a real browser: a therapist with an authenticator app gives the password, then the code
the app shows, and reaches the referral inbox; a new colleague sets up the app from the page's key, saves the
recovery codes and carries on."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from paedot.staff.services import APP_DEVICE_NAME, create_staff_user, recovery_codes_left
from paedot.tests.browser import axe_violations
from paedot.tests.system.test_referral_journey import PASSWORD

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def code_from(key: bytes) -> str:
    return f"{totp(key):06d}"


def give_password(page: Page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_therapist_signs_in_with_password_and_code_and_reaches_the_inbox(page: Page, settings):
    # Given two-factor sign-in is on, and a therapist whose phone has the service in its authenticator app
    settings.STAFF_TWO_FACTOR = True
    therapist = create_staff_user(username="ot-2fa", role="ot", password=PASSWORD, full_name="Tess Twofactor")
    device = TOTPDevice.objects.create(user=therapist, name=APP_DEVICE_NAME, confirmed=True)

    # When she gives her password, she is asked for the code
    give_password(page, "ot-2fa")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)

    # And the referral inbox opens only once she enters the code her app shows
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(code_from(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral inbox")
    expect(page).to_have_url(re.compile(r"/staff/referrals/$"))


def test_a_new_colleague_sets_up_the_app_and_saves_recovery_codes(page: Page, settings):
    # Given two-factor sign-in is on, and a clerk who has never set up an app
    settings.STAFF_TWO_FACTOR = True
    create_staff_user(username="clerk-2fa", role="clinical_admin", password=PASSWORD, full_name="Cal Clerk")

    # When he gives his password, he is shown a QR code and the key to type
    give_password(page, "clerk-2fa")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)

    # And confirms with the code his app makes from the key (typed here from the page, as he would)
    typed_key = page.locator(".nhsuk-code__content").inner_text()
    key = base64.b32decode("".join(typed_key.split()))
    page.get_by_label("Code from your authenticator app").fill(code_from(key))
    page.get_by_role("button", name="Confirm and continue").click()

    # Then he sees his ten recovery codes once, and carries on to the inbox
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    assert_accessible(page)
    assert len(page.locator(".nhsuk-code__content").inner_text().split()) == 10
    page.get_by_role("button", name="I have saved these codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral inbox")
    assert recovery_codes_left(TOTPDevice.objects.get(user__username="clerk-2fa").user) == 10
