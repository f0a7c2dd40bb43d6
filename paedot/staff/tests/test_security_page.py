"""A person's own security page: two-factor status, new recovery codes, signing out of every device, and their
API tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from paedot.core.models import AuditEvent
from paedot.staff.models import ApiToken
from paedot.staff.services import issue_api_token, recovery_codes_left, sign_out_everywhere
from paedot.staff.tests.factories import code_now, verified_client, with_app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

SECURITY = "/staff/security"
INBOX = "/staff/referrals/"


def test_the_security_page_shows_two_factor_status_and_recovery_codes_left(ot_user, clock):
    device, _codes = with_app(ot_user)
    StaticToken.objects.filter(device__user=ot_user).first().delete()
    page = verified_client(ot_user, device, clock).get(SECURITY).content.decode()
    assert "Set up on 4 January 2027" in page
    assert "9 of 10" in page
    assert "Make new recovery codes" in page
    assert "Sign out of every device" in page
    assert 'href="/staff/permissions"' in page


def test_every_staff_page_header_links_to_the_security_page(ot_user, clock):
    client = verified_client(ot_user, with_app(ot_user)[0], clock)
    assert f'href="{SECURITY}"' in client.get(INBOX).content.decode()


def test_signing_out_everywhere_ends_another_devices_session_too(ot_user, clock):
    device, _ = with_app(ot_user)
    laptop = verified_client(ot_user, device, clock)
    ward_pc = verified_client(ot_user, device, clock, client=Client())
    assert ward_pc.get(INBOX).status_code == 200

    response = laptop.post(f"{SECURITY}/sign-out-everywhere", follow=True)
    assert response.redirect_chain[-1][0] == "/staff/sign-in"
    assert "signed out of every device" in response.content.decode()
    assert AuditEvent.objects.filter(action="session.signed_out_everywhere", actor=ot_user).count() == 1

    assert ward_pc.get(INBOX)["Location"].startswith("/staff/sign-in")
    assert laptop.get(INBOX)["Location"].startswith("/staff/sign-in")
    # Signing in again works as before.
    assert verified_client(ot_user, device, clock).get(INBOX).status_code == 200


def test_signing_out_everywhere_changes_the_hash_every_session_carries(ot_user):
    before = ot_user.get_session_auth_hash()
    sign_out_everywhere(user=ot_user)
    assert ot_user.session_generation == 1
    assert ot_user.get_session_auth_hash() != before
    # Still Django's rule too: a new password also ends every session.
    after = ot_user.get_session_auth_hash()
    ot_user.set_password("another-long-password-2")
    assert ot_user.get_session_auth_hash() != after


def test_signing_out_everywhere_needs_a_post(ot_user, clock):
    client = verified_client(ot_user, with_app(ot_user)[0], clock)
    assert client.get(f"{SECURITY}/sign-out-everywhere").status_code == 405
    assert client.get(INBOX).status_code == 200


def test_new_recovery_codes_need_a_current_code_from_the_app(ot_user, clock):
    device, old_codes = with_app(ot_user)
    client = verified_client(ot_user, device, clock)
    clock.shift(30)

    wrong = client.post(f"{SECURITY}/recovery-codes", {"code": f"{(int(code_now(device)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert AuditEvent.objects.get(action="two_factor.failed").detail["stage"] == "new_recovery_codes"
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(old_codes)

    clock.shift(30)
    made = client.post(f"{SECURITY}/recovery-codes", {"code": code_now(device)})
    assert made["Location"] == "/staff/two-factor/recovery-codes?next=%2Fstaff%2Fsecurity"
    new_codes = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)
    assert AuditEvent.objects.filter(action="recovery_codes.replaced", actor=ot_user).exists()
    shown = client.get(made["Location"]).content.decode()
    assert all(f"{code[:4]}-{code[4:]}" in shown for code in new_codes)


def test_a_recovery_code_cannot_make_new_recovery_codes(ot_user, clock):
    device, codes = with_app(ot_user)
    client = verified_client(ot_user, device, clock)
    response = client.post(f"{SECURITY}/recovery-codes", {"code": codes[0]})
    assert response.status_code == 400
    assert recovery_codes_left(ot_user) == 10


def test_the_page_lists_only_your_own_api_tokens_and_revokes_one(ot_user, admin_user, clock):
    mine = issue_api_token(user=ot_user, name="my script")
    issue_api_token(user=admin_user, name="someone else's")
    client = verified_client(ot_user, with_app(ot_user)[0], clock)
    page = client.get(SECURITY).content.decode()
    assert "my script" in page and mine[:12] in page and mine not in page
    assert "someone else&#39;s" not in page and "someone else's" not in page

    token = ApiToken.objects.get(user=ot_user)
    others = ApiToken.objects.get(user=admin_user)
    assert client.post(f"{SECURITY}/tokens/{others.pk}/revoke").status_code == 404
    assert client.post(f"{SECURITY}/tokens/{token.pk}/revoke")["Location"] == SECURITY
    token.refresh_from_db()
    others.refresh_from_db()
    assert token.revoked_at is not None and others.revoked_at is None
    assert client.get("/api/tokens", HTTP_AUTHORIZATION=f"Bearer {mine}").status_code == 401


def test_with_two_factor_off_the_page_says_so(ot_user, client, settings):
    settings.STAFF_TWO_FACTOR = False
    client.force_login(ot_user)
    page = client.get(SECURITY).content.decode()
    assert "Two-factor sign-in is switched off" in page
    assert "Not set up yet" in page


def test_team_leads_see_the_link_to_reset_a_colleague_and_others_do_not(ot_user, team_lead_user, clock):
    lead = verified_client(team_lead_user, with_app(team_lead_user)[0], clock)
    ot = verified_client(ot_user, with_app(ot_user)[0], clock)
    assert 'href="/staff/two-factor/reset"' in lead.get(SECURITY).content.decode()
    assert 'href="/staff/two-factor/reset"' not in ot.get(SECURITY).content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(SECURITY)["Location"].startswith("/staff/sign-in")
