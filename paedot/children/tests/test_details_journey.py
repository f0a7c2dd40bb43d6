"""Changing a family's address in a real browser: from the "Change" link on the referral page, through a mistake
that keeps what was typed, to the banner on the referral and the old address in the previous details."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from paedot.referrals.tests.factories import referral_in
from paedot.staff.services import create_staff_user

# The browser journeys' fixtures (paedot/tests/system): a page in Debian's chromium against the app in a thread.
from paedot.tests.browser import axe_violations
from paedot.tests.system.test_referral_journey import PASSWORD, sign_in

pytestmark = pytest.mark.browser


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def test_an_admin_changes_the_address_after_a_slip_and_the_old_one_stays_readable(page: Page):
    # Given a waiting child, and a member of the admin team
    referral = referral_in(
        "waiting", child={"given_name": "Ola", "family_name": "Movedhouse", "address": "3 Old Road, Birmingham"}
    )
    create_staff_user(username="admin-moves", role="clinical_admin", password=PASSWORD, full_name="Amira Admin")

    # When she follows "Change" beside the address on the referral page
    sign_in(page, "admin-moves")
    page.goto(f"/staff/referrals/{referral.reference}")
    page.get_by_role("link", name="Change address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the child's details")
    expect(page.get_by_label("Address")).to_have_value("3 Old Road, Birmingham")
    assert_accessible(page)

    # And types the new address with a postcode missing its last part
    page.get_by_label("Address").fill("9 New Street, Birmingham")
    page.get_by_label("Postcode").fill("B33")
    page.get_by_label("Reason for the change").fill("Mum phoned to say they have moved")
    page.get_by_role("button", name="Save the child's details").click()

    # Then she is told what is wrong, with everything she typed still there
    expect(page.get_by_role("alert")).to_contain_text("Enter a full UK postcode, like B21 9RY")
    expect(page.get_by_label("Address")).to_have_value("9 New Street, Birmingham")
    expect(page.get_by_label("Reason for the change")).to_have_value("Mum phoned to say they have moved")
    assert_accessible(page)

    # When she corrects the postcode
    page.get_by_label("Postcode").fill("b33 8qb")
    page.get_by_role("button", name="Save the child's details").click()

    # Then the referral page says what was done, and shows the new address
    expect(page.get_by_role("status").first).to_contain_text("The child's details are changed (address and postcode).")
    expect(page.get_by_text("9 New Street, Birmingham, B33 8QB")).to_be_visible()
    assert_accessible(page)

    # And the previous details keep the old address, with who changed it and why
    page.get_by_role("link", name="Previous details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Previous details")
    expect(page.get_by_text("3 Old Road, Birmingham")).to_be_visible()
    expect(page.get_by_text("Amira Admin: Mum phoned to say they have moved").first).to_be_visible()
    assert_accessible(page)
