"""The staff inbox and referral page."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from paedot.referrals.tests.factories import SOLIHULL_PRACTICE, make_referral

pytestmark = pytest.mark.django_db


def test_the_inbox_needs_a_signed_in_member_of_staff(client):
    response = client.get(reverse("referrals:inbox"))
    assert response.status_code == 302
    assert reverse("staff:sign_in") in response["Location"]


def test_the_inbox_lists_referrals_newest_first_with_outcome_and_reasons(client, admin_user):
    older = make_referral(received_date=dt.date(2026, 10, 1))
    newer = make_referral(received_date=dt.date(2026, 11, 1), gp_practice_code=SOLIHULL_PRACTICE)
    client.force_login(admin_user)

    page = unescape(client.get(reverse("referrals:inbox")).content.decode())

    assert page.index(newer.reference) < page.index(older.reference)
    assert "Does not meet criteria" in page
    assert "Meets criteria" in page
    assert newer.eligibility.reasons.get(code="gp_outside_birmingham").message in page
    assert "Clinical admin" in page  # who is signed in, and their role
    assert '<button class="nhsuk-header__account-button">Sign out</button>' in page


def test_the_inbox_runs_the_same_number_of_queries_however_long(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    make_referral()
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("referrals:inbox"))
    for _ in range(12):
        make_referral(gp_practice_code=SOLIHULL_PRACTICE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("referrals:inbox"))


def test_the_referral_page_shows_the_decision_reasons_and_signposting(client, admin_user):
    referral = make_referral(gp_practice_code=SOLIHULL_PRACTICE)
    client.force_login(admin_user)

    page = unescape(client.get(reverse("referrals:show_referral", args=[referral.reference])).content.decode())

    reason = referral.eligibility.reasons.get(code="gp_outside_birmingham")
    assert reason.message in page
    assert reason.signposting in page
    assert referral.eligibility.policy_id in page


def test_an_unknown_reference_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("referrals:show_referral", args=["OT-NONE-NONE"])).status_code == 404


def test_a_partner_system_account_may_not_use_the_staff_pages(client, partner_user):
    referral = make_referral()
    client.force_login(partner_user)
    assert client.get(reverse("referrals:show_referral", args=[referral.reference])).status_code == 403
    assert client.get(reverse("referrals:inbox")).status_code == 403


def test_staff_can_sign_in_and_out(client, admin_user):
    response = client.post(reverse("staff:sign_in"), {"username": "admin1", "password": "a-long-test-password-1"})
    assert response.status_code == 302
    assert client.get(reverse("referrals:inbox")).status_code == 200
    client.post(reverse("staff:sign_out"))
    assert client.get(reverse("referrals:inbox")).status_code == 302


def test_a_wrong_password_gets_a_clear_message(client, admin_user):
    response = client.post(reverse("staff:sign_in"), {"username": "admin1", "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
