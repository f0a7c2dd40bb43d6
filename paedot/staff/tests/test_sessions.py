"""Sign-in safety settings: Argon2 for passwords, and sessions that end after 15 minutes idle."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings


def test_new_passwords_are_hashed_with_argon2():
    # The test run swaps in a fast hasher; the production setting is Argon2 first.
    from paedot.config import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        hashed = make_password("a-long-test-password-1")
        assert identify_hasher(hashed).algorithm == "argon2"
        assert check_password("a-long-test-password-1", hashed)


def test_a_staff_session_ends_after_fifteen_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 15 * 60


@pytest.mark.django_db
def test_use_moves_the_expiry_on_at_most_once_a_minute(client, admin_user):
    import time_machine

    from paedot.staff.middleware import TOUCH_KEY

    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        client.force_login(admin_user)
        client.get("/staff/referrals/")
        first = client.session[TOUCH_KEY]
    with time_machine.travel("2027-01-04 09:00:30 +00:00", tick=False):
        client.get("/staff/referrals/")
        assert client.session[TOUCH_KEY] == first  # not written again within the minute
    with time_machine.travel("2027-01-04 09:10 +00:00", tick=False):
        client.get("/staff/referrals/")
        assert client.session[TOUCH_KEY] == first + 600
        assert client.session.get_expiry_age() == 15 * 60


@pytest.mark.django_db
def test_an_idle_session_is_signed_out_after_fifteen_minutes(client, admin_user):
    import time_machine

    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        client.force_login(admin_user)
        assert client.get("/staff/referrals/").status_code == 200
    with time_machine.travel("2027-01-04 09:16 +00:00", tick=False):
        response = client.get("/staff/referrals/")
        assert response.status_code == 302 and "/staff/sign-in" in response["Location"]
