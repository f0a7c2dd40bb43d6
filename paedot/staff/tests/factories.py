"""Authenticator apps and signed-in, code-checked sessions for tests."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from paedot.staff.services import APP_DEVICE_NAME, _new_recovery_codes

PASSWORD = "a-long-test-password-1"  # the root conftest's role fixtures use it


def with_app(user, *, recovery_codes: bool = True) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator app for the user, and (unless told not to) their recovery codes."""
    device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=True)
    codes = _new_recovery_codes(user) if recovery_codes else []
    return device, codes


def code_now(device: TOTPDevice) -> str:
    """The code the person's app shows at this moment (time_machine moves the moment)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def verified_client(user, device: TOTPDevice, clock, client: Client | None = None) -> Client:
    """A client that signed in with the password and then a real code. Moves the clock on one 30-second step
    first: a code, once used, is not accepted again (django-otp keeps the last step used)."""
    client = client or Client()
    clock.shift(30)
    response = client.post("/staff/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response
    response = client.post("/staff/two-factor/verify", {"code": code_now(device)})
    assert response.status_code == 302 and "/two-factor/" not in response["Location"], response
    return client
