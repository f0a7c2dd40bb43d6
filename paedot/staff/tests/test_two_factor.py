"""Two-factor sign-in: after the password, staff set up an authenticator app (QR code, then a code from it, then
ten recovery codes) or enter its code; until then no staff page opens. Wrong codes count towards lock-out."""

from __future__ import annotations

import base64
import urllib.parse
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from paedot.core.models import AuditEvent
from paedot.staff.services import (
    DEMO_TOTP_KEY,
    give_demo_device,
    issue_api_token,
    needs_two_factor,
    recovery_codes_left,
)
from paedot.staff.tests.factories import PASSWORD, code_now, verified_client, with_app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

INBOX = "/staff/referrals/"
VERIFY = "/staff/two-factor/verify"
SET_UP = "/staff/two-factor/set-up"


def sign_in(client: Client, user, **extra):
    return client.post("/staff/sign-in", {"username": user.username, "password": PASSWORD, **extra})


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def with_next(path: str, going_to: str) -> str:
    return f"{path}?{urllib.parse.urlencode({'next': going_to})}"


def wrong_code_for(device) -> str:
    return f"{(int(code_now(device)) + 1) % 1_000_000:06d}"


# Setting up an authenticator app.


def test_after_the_password_someone_without_an_app_is_sent_to_set_one_up(client, ot_user):
    response = sign_in(client, ot_user)
    assert response["Location"] == with_next(SET_UP, INBOX)


def test_the_set_up_page_shows_a_qr_code_image_and_the_key_to_type(client, ot_user):
    sign_in(client, ot_user)
    page = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=ot_user)
    assert not device.confirmed
    # The QR code is a data: image (img-src allows data:), and the SVG inside has no style for the CSP to refuse.
    start = page.index('src="data:image/svg+xml') + len('src="')
    uri = page[start : page.index('"', start)]
    svg = urllib.parse.unquote(uri.split(",", 1)[1])
    assert "<svg" in svg and "style" not in svg and "<script" not in svg
    assert "style=" not in page.split("<main", 1)[1]
    typed = base64.b32encode(device.bin_key).decode()
    assert " ".join(typed[i : i + 4] for i in range(0, len(typed), 4)) in page
    # Opening the page again shows the same key, so a half-finished set-up can be finished.
    client.get(SET_UP)
    assert TOTPDevice.objects.filter(user=ot_user).count() == 1


def test_set_up_is_confirmed_with_a_real_code_and_shows_ten_recovery_codes_once(client, ot_user, clock):
    sign_in(client, ot_user, next="/staff/waiting-list/")
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=ot_user)

    wrong = client.post(SET_UP, {"code": wrong_code_for(device), "next": "/staff/waiting-list/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert events("two_factor.failed").get().detail == {"stage": "set_up", "failures": 1}

    clock.shift(2)  # past the one-second wait after a wrong code
    done = client.post(SET_UP, {"code": code_now(device), "next": "/staff/waiting-list/"})
    assert done["Location"] == with_next("/staff/two-factor/recovery-codes", "/staff/waiting-list/")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert recovery_codes_left(ot_user) == 10
    assert events("two_factor.set_up").get().actor == ot_user

    shown = client.get(done["Location"]).content.decode()
    tokens = StaticToken.objects.filter(device__user=ot_user).values_list("token", flat=True)
    assert all(f"{token[:4]}-{token[4:]}" in shown for token in tokens)
    assert "I have saved these codes" in shown

    saved = client.post("/staff/two-factor/recovery-codes", {"next": "/staff/waiting-list/"})
    assert saved["Location"] == "/staff/waiting-list/"
    assert client.get("/staff/two-factor/recovery-codes")["Location"] == "/staff/security"  # not shown again
    assert client.get("/staff/waiting-list/").status_code == 200  # the session is verified


def test_a_code_not_six_numbers_is_refused_before_it_is_checked(client, ot_user):
    sign_in(client, ot_user)
    client.get(SET_UP)
    response = client.post(SET_UP, {"code": "12a456"})
    assert response.status_code == 400
    assert "numbers only" in response.content.decode()
    assert not events("two_factor.failed").exists()


def test_someone_with_an_app_cannot_set_up_another_without_a_reset(client, ot_user):
    with_app(ot_user)
    sign_in(client, ot_user)
    assert client.get(SET_UP)["Location"] == with_next(VERIFY, INBOX)
    assert TOTPDevice.objects.filter(user=ot_user).count() == 1


# Entering the code at each sign-in.


def test_someone_with_an_app_enters_its_code_and_reaches_the_page_they_asked_for(client, ot_user, clock):
    device, _ = with_app(ot_user)
    response = sign_in(client, ot_user, next="/staff/waiting-list/")
    assert response["Location"] == with_next(VERIFY, "/staff/waiting-list/")
    assert client.get("/staff/waiting-list/").status_code == 302  # not yet

    verify_page = client.get(response["Location"])
    assert "You have 10 left" in verify_page.content.decode()
    done = client.post(VERIFY, {"code": code_now(device), "next": "/staff/waiting-list/"})
    assert done["Location"] == "/staff/waiting-list/"
    assert client.get("/staff/waiting-list/").status_code == 200
    assert events("two_factor.verified").get().detail == {"method": "authenticator_app"}


def test_a_wrong_code_is_refused_recorded_and_counted_towards_lock_out(client, ot_user, clock):
    device, _ = with_app(ot_user)
    sign_in(client, ot_user)
    wrong = wrong_code_for(device)
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get(INBOX)["Location"].startswith(VERIFY)
    assert events("two_factor.failed").get().detail == {"stage": "verify", "failures": 1}
    attempt = AccessAttempt.objects.get(username=ot_user.username)
    assert attempt.failures_since_start == 1
    assert "code=****" in attempt.post_data and wrong not in attempt.post_data  # axes keeps the form, masked


def test_a_code_already_used_does_not_work_again(client, ot_user, clock):
    device, _ = with_app(ot_user)
    code = code_now(device)
    first = Client()
    sign_in(first, ot_user)
    assert first.post(VERIFY, {"code": code})["Location"] == INBOX
    sign_in(client, ot_user)
    clock.shift(2)
    assert client.post(VERIFY, {"code": code}).status_code == 400


def test_right_after_a_wrong_code_the_app_code_waits_a_moment_and_the_wait_is_not_a_failure(client, ot_user, clock):
    device, _ = with_app(ot_user)
    sign_in(client, ot_user)
    client.post(VERIFY, {"code": wrong_code_for(device)})
    waiting = client.post(VERIFY, {"code": code_now(device)})
    assert waiting.status_code == 429
    assert "wait 1 second, then enter the code again" in waiting.content.decode()
    assert events("two_factor.failed").count() == 1
    clock.shift(1)
    assert client.post(VERIFY, {"code": code_now(device)})["Location"] == INBOX


def test_a_recovery_code_works_once_and_says_how_many_are_left(client, ot_user, clock):
    _, codes = with_app(ot_user)
    sign_in(client, ot_user)
    typed = f"{codes[0][:4]}-{codes[0][4:]}".upper()  # as printed, in capitals: both are fine
    response = client.post(VERIFY, {"code": typed}, follow=True)
    assert response.redirect_chain[0][0] == with_next("/staff/two-factor/recovery-code-used", INBOX)
    page = response.content.decode()
    assert "You used a recovery code" in page and "you have 9 left" in page
    assert f'href="{INBOX}"' in page  # Continue: on to where they were going
    assert client.get(INBOX).status_code == 200
    assert events("recovery_codes.used").get().detail == {"left": 9}
    assert events("two_factor.verified").get().detail == {"method": "recovery_code"}

    again = Client()
    sign_in(again, ot_user)
    assert "You have 9 left" in again.get(VERIFY).content.decode()
    clock.shift(2)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert again.get(INBOX)["Location"].startswith(VERIFY)


def test_after_five_wrong_codes_the_person_is_signed_out_and_the_account_locked(client, ot_user, clock):
    device, _ = with_app(ot_user)
    sign_in(client, ot_user)
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong_code_for(device)}).status_code == 400
        clock.shift(60)  # past the growing wait, so each attempt is checked and counted
    fifth = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert fifth.status_code == 429  # django-axes' "account locked" page: codes count as wrong passwords do
    assert "locked" in fifth.content.decode()
    assert events("two_factor.failed").count() == 5
    assert client.get(INBOX)["Location"].startswith("/staff/sign-in")  # signed out
    assert sign_in(client, ot_user).status_code == 429  # and the password alone will not get back in


def test_without_axes_five_wrong_codes_still_sign_the_person_out_with_a_message(client, ot_user, clock, settings):
    settings.AXES_ENABLED = False
    device, _ = with_app(ot_user)
    sign_in(client, ot_user)
    for _ in range(4):
        client.post(VERIFY, {"code": wrong_code_for(device)})
        clock.shift(60)
    response = client.post(VERIFY, {"code": wrong_code_for(device)}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/sign-in"
    assert "A wrong code was entered 5 times, so you have been signed out" in response.content.decode()
    assert client.get(INBOX)["Location"].startswith("/staff/sign-in")


def test_a_right_code_clears_the_count_of_wrong_ones(client, ot_user, clock):
    device, _ = with_app(ot_user)
    sign_in(client, ot_user)
    for _ in range(3):
        client.post(VERIFY, {"code": wrong_code_for(device)})
        clock.shift(60)
    assert client.post(VERIFY, {"code": code_now(device)})["Location"] == INBOX
    assert "_two_factor_failures" not in client.session


def test_next_never_leads_off_the_site(client, ot_user, clock):
    device, _ = with_app(ot_user)
    sign_in(client, ot_user)
    response = client.post(VERIFY, {"code": code_now(device), "next": "https://example.org/phish"})
    assert response["Location"] == INBOX


# The middleware: no staff page until the second step is done.


def test_an_unverified_user_is_sent_from_referrals_to_the_code_page_with_next_kept(client, ot_user):
    with_app(ot_user)
    client.force_login(ot_user)  # the password step only
    response = client.get("/staff/referrals/?status=received&page=2")
    assert response.status_code == 302
    assert response["Location"] == with_next(VERIFY, "/staff/referrals/?status=received&page=2")


def test_an_unverified_user_without_an_app_is_sent_to_set_one_up_with_next_kept(client, ot_user):
    client.force_login(ot_user)
    assert client.get("/staff/waiting-list/")["Location"] == with_next(SET_UP, "/staff/waiting-list/")


@pytest.mark.parametrize(
    "path", ["/staff/security", "/staff/permissions", "/staff/audit/", "/staff/two-factor/recovery-codes"]
)
def test_every_other_staff_page_waits_for_the_second_step(client, ot_user, path):
    with_app(ot_user)
    client.force_login(ot_user)
    assert client.get(path)["Location"].startswith(VERIFY)


def test_a_post_from_an_unverified_session_changes_nothing(client, ot_user):
    with_app(ot_user)
    client.force_login(ot_user)
    response = client.post("/staff/security/sign-out-everywhere")
    assert response["Location"] == VERIFY
    assert not events("session.signed_out_everywhere").exists()


def test_the_pages_to_finish_or_stop_signing_in_stay_open(client, ot_user):
    with_app(ot_user)
    client.force_login(ot_user)
    assert client.get(VERIFY).status_code == 200
    assert client.get(SET_UP)["Location"].startswith(VERIFY)  # has an app: to the code page, not a loop
    assert client.post("/staff/sign-out")["Location"] == "/staff/sign-in"


def test_public_pages_and_the_api_are_not_asked_for_a_code(client, ot_user, partner_token):
    client.force_login(ot_user)  # an unverified session does not get in the way either
    assert client.get("/").status_code == 200
    token = issue_api_token(user=ot_user, name="script")
    assert client.get("/api/tokens", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert Client().get("/api/tokens", HTTP_AUTHORIZATION=f"Bearer {partner_token}").status_code == 200


def test_partner_systems_only_use_tokens_and_are_never_asked(partner_user, ot_user):
    assert not needs_two_factor(partner_user)
    assert needs_two_factor(ot_user)


def test_with_two_factor_switched_off_the_password_is_enough(client, ot_user, settings):
    settings.STAFF_TWO_FACTOR = False
    assert sign_in(client, ot_user)["Location"] == INBOX
    assert client.get(INBOX).status_code == 200


# Resetting a colleague's two-factor after a lost phone.


def test_a_team_lead_resets_a_colleagues_two_factor_and_they_set_up_again(ot_user, team_lead_user, clock):
    lead = verified_client(team_lead_user, with_app(team_lead_user)[0], clock)
    ot_device, _ = with_app(ot_user)
    ot_session = verified_client(ot_user, ot_device, clock)
    assert ot_session.get(INBOX).status_code == 200

    page = lead.get(f"/staff/two-factor/reset/{ot_user.username}")
    assert page.status_code == 200 and "Recovery codes left" in page.content.decode()
    response = lead.post(f"/staff/two-factor/reset/{ot_user.username}", {"reason": "Phone lost; rang them back."})
    assert response["Location"] == "/staff/two-factor/reset"

    assert not TOTPDevice.objects.filter(user=ot_user).exists()
    assert recovery_codes_left(ot_user) == 0
    event = events("two_factor.reset").get()
    assert (event.actor, event.object_id, event.reason) == (
        team_lead_user,
        str(ot_user.pk),
        "Phone lost; rang them back.",
    )
    assert ot_session.get(INBOX)["Location"].startswith("/staff/sign-in")  # their sessions ended
    assert sign_in(Client(), ot_user)["Location"] == with_next(SET_UP, INBOX)


def test_a_reset_needs_a_reason(ot_user, team_lead_user, clock):
    lead = verified_client(team_lead_user, with_app(team_lead_user)[0], clock)
    with_app(ot_user)
    response = lead.post(f"/staff/two-factor/reset/{ot_user.username}", {"reason": ""})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=ot_user).exists()


def test_a_system_admin_may_reset_but_not_their_own(system_admin_user, ot_user, clock):
    device, _ = with_app(system_admin_user)
    admin = verified_client(system_admin_user, device, clock)
    with_app(ot_user)
    assert admin.post(f"/staff/two-factor/reset/{ot_user.username}", {"reason": "Lost phone"}).status_code == 302
    own = admin.post(f"/staff/two-factor/reset/{system_admin_user.username}", {"reason": "Lost phone"})
    assert own.status_code == 409
    assert "ask another team lead" in own.content.decode()
    assert TOTPDevice.objects.filter(user=system_admin_user).exists()


def test_other_roles_may_not_reset_anyones_two_factor(admin_user, ot_user, clock):
    clerk = verified_client(admin_user, with_app(admin_user)[0], clock)
    with_app(ot_user)
    assert clerk.get("/staff/two-factor/reset").status_code == 403
    assert clerk.post(f"/staff/two-factor/reset/{ot_user.username}", {"reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(user=ot_user).exists()


def test_a_lead_finds_the_colleague_by_username(ot_user, team_lead_user, partner_user, clock):
    lead = verified_client(team_lead_user, with_app(team_lead_user)[0], clock)
    found = lead.get("/staff/two-factor/reset", {"username": ot_user.username})
    assert found["Location"] == f"/staff/two-factor/reset/{ot_user.username}"
    assert lead.get("/staff/two-factor/reset", {"username": "nobody"}).status_code == 400
    assert lead.get("/staff/two-factor/reset", {"username": partner_user.username}).status_code == 400
    assert lead.get(f"/staff/two-factor/reset/{partner_user.username}").status_code == 404


# The demo accounts.


def test_a_demo_device_is_confirmed_named_demo_with_the_published_key_and_made_once(ot_user):
    device = give_demo_device(ot_user)
    assert (device.name, device.key, device.confirmed) == ("demo", DEMO_TOTP_KEY, True)
    assert give_demo_device(ot_user) == device
    assert TOTPDevice.objects.filter(user=ot_user).count() == 1


def test_the_demo_command_prints_the_code_that_signs_a_demo_account_in(client, ot_user, clock):
    device = give_demo_device(ot_user)
    out = StringIO()
    call_command("demo_two_factor_code", ot_user.username, stdout=out)
    printed = out.getvalue().strip()
    assert printed == code_now(device)
    sign_in(client, ot_user)
    assert client.post(VERIFY, {"code": printed})["Location"] == INBOX


def test_the_demo_command_refuses_every_account_but_a_demo_one(ot_user, admin_user, team_lead_user):
    with_app(ot_user)  # a real app
    TOTPDevice.objects.create(user=admin_user, name="demo", confirmed=True)  # named demo, but a real key
    for user in (ot_user, admin_user, team_lead_user):
        with pytest.raises(CommandError, match="not a demo account"):
            call_command("demo_two_factor_code", user.username, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo_two_factor_code", "nobody", stdout=StringIO())
