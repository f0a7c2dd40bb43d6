"""Letters to post in a real browser: an admin opens the list from the navigation, posts one letter with its own
button and two more ticked together, and the page passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paedot.letters.models import Letter
from paedot.letters.tests.factories import FAMILY, GP, letter, person
from paedot.tests.system.test_referral_journey import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_an_admin_posts_one_letter_then_two_ticked_together_and_the_list_empties(page: Page):
    # Given three letters issued over the last days, and a colleague on the admin team
    now = timezone.now()
    first, second, third = (
        letter(subject=f"Your appointment {n}", recipients=[FAMILY, GP], issued_at=now - dt.timedelta(days=4 - n))
        for n in range(3)
    )
    person("clinical_admin", "admin-letters-b")

    # When the admin opens "Letters to post" from the navigation
    sign_in(page, "admin-letters-b")
    page.get_by_role("link", name="Letters to post").first.click()

    # Then the letters are listed oldest first, each with its copies to post
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters to post")
    expect(page.locator("#letters-count")).to_have_text("3 letters to post")
    expect(page.locator(f"#letter-{first.pk}")).to_contain_text("GP: The GP, Example Surgery, M85001")
    assert_accessible(page)

    # When they mark the oldest with its own button
    page.locator(f"#letter-{first.pk}").get_by_role("button", name="Mark as posted").click()

    # Then it leaves the list
    expect(page.get_by_text("1 letter recorded as posted.")).to_be_visible()
    expect(page.locator("#letters-count")).to_have_text("2 letters to post")

    # When they tick the other two and mark them together
    page.get_by_role("checkbox", name=f"Posted: Your appointment 1, {second.referral.reference}").check()
    page.get_by_role("checkbox", name=f"Posted: Your appointment 2, {third.referral.reference}").check()
    page.get_by_role("button", name="Mark the ticked letters as posted").click()

    # Then none is left to post, and each is recorded as posted by them
    expect(page.get_by_text("2 letters recorded as posted.")).to_be_visible()
    expect(page.locator("#no-letters")).to_be_visible()
    assert Letter.objects.filter(posted_by__username="admin-letters-b").count() == 3
    assert_accessible(page)
