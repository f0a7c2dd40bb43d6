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
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.django_db
def test_each_request_moves_the_session_expiry_on(client, admin_user):
    client.force_login(admin_user)
    client.get("/staff/referrals/")
    first = client.session.get_expiry_date()
    client.get("/staff/referrals/")
    assert client.session.get_expiry_date() >= first
