"""The web surface: Content Security Policy, the production security settings, rate limits and lock-out."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from paedot.core.audit import AuditEvent

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/check-if-we-can-help/", "/staff/sign-in"])
def test_every_page_carries_a_strict_content_security_policy(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    # The NHS template's one inline script carries the nonce, so it runs; nothing else inline would.
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert inline_scripts and all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)


def test_the_deployment_checks_pass_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "paediatric-ot.example.nhs.uk",
        "DJANGO_SETTINGS_MODULE": "paedot.config.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their live server, never in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_sign_in_attempts_from_one_address_are_limited(client, settings):
    settings.RATE_LIMITS = [("sign_in", "POST", r"^/staff/sign-in$", 3, 60)]
    answers = [
        client.post("/staff/sign-in", {"username": f"nobody{n}", "password": "wrong"}).status_code for n in range(4)
    ]
    assert answers[:3] == [200, 200, 200]
    assert answers[3] == 429


@pytest.mark.django_db
def test_the_eligibility_api_answers_429_in_json_with_retry_after(client, settings):
    settings.RATE_LIMITS = [("eligibility_api", "POST", r"^/api/eligibility$", 2, 60)]
    for _ in range(2):
        client.post("/api/eligibility", {}, content_type="application/json")
    response = client.post("/api/eligibility", {}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["message"].startswith("Too many requests")
    assert response["Retry-After"] == "60"


@pytest.mark.django_db
def test_the_public_referral_form_is_limited_per_address_and_says_what_to_do(client, settings):
    settings.RATE_LIMITS = [("referral_form", "POST", r"^/refer/", 1, 3600)]
    client.post("/refer/", {})
    response = client.post("/refer/", {})
    assert response.status_code == 429
    assert "Wait a few minutes" in response.content.decode()


@pytest.mark.django_db
def test_the_rate_limit_cache_never_holds_an_ip_address(client, settings):
    settings.RATE_LIMITS = [("sign_in", "POST", r"^/staff/sign-in$", 5, 60)]
    client.post("/staff/sign-in", {"username": "x", "password": "y"}, REMOTE_ADDR="203.0.113.77")
    keys = list(cache._cache.keys())  # local-memory cache in tests
    assert keys and not any("203.0.113.77" in key for key in keys)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, ot_user):
    ot_user.set_password("the-right-password-123")
    ot_user.save()
    for _ in range(5):
        client.post("/staff/sign-in", {"username": ot_user.username, "password": "wrong-password"})
    response = client.post("/staff/sign-in", {"username": ot_user.username, "password": "the-right-password-123"})
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_in.failed").count() >= 5


@pytest.mark.django_db
def test_a_right_password_before_the_limit_signs_in_and_resets_the_count(client, ot_user):
    ot_user.set_password("the-right-password-123")
    ot_user.save()
    for _ in range(4):
        client.post("/staff/sign-in", {"username": ot_user.username, "password": "wrong-password"})
    response = client.post("/staff/sign-in", {"username": ot_user.username, "password": "the-right-password-123"})
    assert response.status_code == 302
    client.post("/staff/sign-out")
    for _ in range(4):
        client.post("/staff/sign-in", {"username": ot_user.username, "password": "wrong-password"})
    assert (
        client.post("/staff/sign-in", {"username": ot_user.username, "password": "the-right-password-123"}).status_code
        == 302
    )
