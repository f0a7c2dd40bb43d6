"""The public front door in a real browser: check if we can help, refer, and staff find the referral."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from paedot.referrals.models import Referral
from paedot.staff.services import create_staff_user
from paedot.tests.system.conftest import axe_violations

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def continue_(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^(Continue|Save and continue)$")).click()


def answer_check_if_we_can_help(page: Page, *, gp: str, referrer: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Check if we can help").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2018")
    assert_accessible(page)
    continue_(page)
    page.get_by_label("Mainstream school").check()
    continue_(page)
    page.get_by_label("Which GP practice is the child registered with?").fill(gp)
    continue_(page)
    page.get_by_label("Pencil skills").check()
    continue_(page)
    page.get_by_label(referrer, exact=True).check()
    continue_(page)
    page.get_by_label("No", exact=True).check()
    continue_(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)


def test_check_if_we_can_help_answers_both_ways(page: Page):
    """Given a family on the service page, when they answer the questions, then they get an honest answer."""
    answer_check_if_we_can_help(page, gp="M85001", referrer="GP")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can probably help")
    assert_accessible(page)

    answer_check_if_we_can_help(page, gp="M89001", referrer="Teacher or SENCO")
    expect(page.get_by_role("heading", level=1)).to_have_text("We are unlikely to be able to help")
    expect(page.get_by_text("is not in Birmingham")).to_be_visible()
    expect(page.get_by_text("Ask the child's GP, health visitor")).to_be_visible()
    assert_accessible(page)


def fill_referral(page: Page) -> None:
    page.get_by_label("First name").fill("Ayaan")
    page.get_by_label("Last name").fill("Browsertest")
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("5")
    page.get_by_label("Year").fill("2018")
    page.get_by_label("NHS number (if you know it)").fill("943 476 5919")
    page.get_by_label("Address").fill("1 Soho Road, Birmingham")
    page.get_by_label("Postcode").fill("B21 9RY")
    continue_(page)
    page.get_by_label("Full name").fill("Sara Browsertest")
    page.get_by_label("Relationship to the child").fill("Mother")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("Email address (optional)").fill("sara@example.com")
    page.get_by_label("No", exact=True).check()
    continue_(page)
    finder = page.get_by_label("The child's GP practice")
    finder.fill("Shah Zaman")
    expect(page.locator("datalist option").first).to_have_attribute("value", "Shah Zaman Surgery (M85001)")
    finder.fill("Shah Zaman Surgery (M85001)")
    continue_(page)
    page.get_by_label("Mainstream school").check()
    page.get_by_label("Name of the school or nursery").fill("Bordesley Green East Nursery School")
    continue_(page)
    page.get_by_label("Pencil skills").check()
    page.get_by_label("Describe the difficulties").fill("Handwriting is very hard to read.")
    page.get_by_label("How do they affect the child at school or nursery?").fill("Falls behind in writing.")
    continue_(page)
    page.get_by_label("What has been tried already, and did it help?").fill("Pencil grips.")
    page.get_by_label("No", exact=True).check()
    continue_(page)
    page.get_by_label("Your full name").fill("Dr Jo Browsertest")
    page.get_by_label("GP", exact=True).check()
    page.get_by_label("Your email address").fill("jo@example.nhs.uk")
    continue_(page)
    page.get_by_label("Yes", exact=True).check()
    continue_(page)


def test_a_referral_from_the_service_page_reaches_the_staff_inbox(page: Page, app_server):
    """Given a GP on the service page, when they refer online, then staff find it in the inbox with its reasons."""
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Make a referral online").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    continue_(page)  # nothing filled in: errors, and nothing lost
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    fill_referral(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the referral")
    assert_accessible(page)
    page.get_by_role("button", name="Send referral").dblclick()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    assert_accessible(page)
    reference = page.locator(".app-reference").inner_text()
    assert Referral.objects.filter(reference=reference).count() == 1
    assert Referral.objects.count() == 1

    create_staff_user(username="admin-b", role="clinical_admin", password="a-long-test-password-1")
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill("admin-b")
    page.get_by_label("Password", exact=True).fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Meets criteria")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ayaan Browsertest")
    expect(page.get_by_text("The referral meets every criterion")).to_be_visible()


def test_a_declined_referral_shows_its_reasons_in_the_inbox(page: Page):
    from paedot.referrals.tests.factories import SOLIHULL_PRACTICE, make_referral

    referral = make_referral(gp_practice_code=SOLIHULL_PRACTICE)
    create_staff_user(username="admin-c", role="clinical_admin", password="a-long-test-password-1")
    page.goto("/staff/sign-in")
    page.get_by_label("Username").fill("admin-c")
    page.get_by_label("Password", exact=True).fill("a-long-test-password-1")
    page.get_by_role("button", name="Sign in").click()
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Does not meet criteria")
    expect(row).to_contain_text("is not in Birmingham")
    assert_accessible(page)


def test_the_accessibility_check_itself_finds_a_serious_problem(page: Page):
    """Guard against an axe check that silently passes everything."""
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label"} <= found
