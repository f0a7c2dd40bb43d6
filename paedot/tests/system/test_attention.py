"""The Needs attention page in a real browser: a team lead opens it from the navigation, sees a count per section and
why each item is there, and the page passes axe-core."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paedot.appointments.tests.factories import london
from paedot.attention.tests.factories import appointment_for, group_session, open_flag, person, referral_at
from paedot.tests.system.test_referral_journey import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_a_team_lead_opens_needs_attention_from_the_navigation_and_sees_why_each_item_is_there(page: Page):
    # Given a clinician's urgent child waiting 30 days, with an open flag, yesterday's appointment with no outcome and
    # a group register left incomplete; and a referral not screened for 20 days
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    ot = person("ot", "ot-attention-b")
    child = referral_at("waiting", received=today - dt.timedelta(days=30), priority="urgent", clinician=ot)
    open_flag(child, raised=today - dt.timedelta(days=2))
    appointment_for(child, clinician=ot, start=london(yesterday.year, yesterday.month, yesterday.day, 10))
    group_session(clinician=ot, start=london(yesterday.year, yesterday.month, yesterday.day, 14), children=[child])
    unscreened = referral_at("received", received=today - dt.timedelta(days=20))
    person("team_lead", "lead-attention-b")

    # When the team lead follows the link in the navigation
    sign_in(page, "lead-attention-b")
    page.get_by_role("link", name="Needs attention").first.click()

    # Then each section has its count and its table, each item saying why it is there
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs attention")
    expect(page.get_by_role("heading", level=2, name="5 items need attention")).to_be_visible()
    expect(page.locator("#count-outcomes_not_recorded")).to_have_text("2")
    expect(page.get_by_text("Urgent: waited 30 days, target 14.")).to_be_visible()
    expect(page.locator("#table-screening").get_by_role("link", name=unscreened.reference, exact=True)).to_be_visible()
    expect(page.locator("#empty-triage")).to_be_visible()
    assert_accessible(page)
    if os.environ.get("ATTENTION_SCREENSHOT"):
        page.screenshot(path=os.environ["ATTENTION_SCREENSHOT"], full_page=True)
