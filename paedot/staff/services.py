"""Making staff accounts and API tokens; two-factor sign-in; signing out everywhere."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from paedot.core.audit import record_event
from paedot.staff.models import ApiToken, Locality, Role, User
from paedot.staff.rules import Action, may, refusal

TOKEN_PREFIX = "pot_"  # noqa: S105 - a marker that says what a string is, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_staff_user(
    *,
    username: str,
    role: str,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    localities: list[str] | tuple[str, ...] = (),
    supervisor: User | None = None,
) -> User:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}. Roles: {', '.join(Role.values)}.")
    unknown = [code for code in localities if code not in Locality.values]
    if unknown:
        raise ValueError(f"Unknown locality {unknown[0]!r}. Localities: {', '.join(Locality.values)}.")
    given, _, family = full_name.partition(" ")
    user = User(
        username=username,
        role=role,
        email=email,
        first_name=given,
        last_name=family,
        localities=list(dict.fromkeys(localities)),
        supervisor=supervisor,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record_event(action="staff.user_created", actor_label="manage.py", target=user, detail={"role": role})
    return user


@transaction.atomic
def issue_api_token(*, user: User, name: str = "", expires_at=None, issued_by=None) -> str:
    """Make a token for the user and return it; it cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, token_hash=hash_token(token), prefix=token[:12], expires_at=expires_at
    )
    record_event(
        action="staff.api_token_issued",
        actor=issued_by,
        actor_label="" if issued_by else "manage.py",
        target=user,
        detail={"name": name, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token


@transaction.atomic
def revoke_api_token(*, token: ApiToken, revoked_by) -> ApiToken:
    """Stop a token working from now on. Revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            action="staff.api_token_revoked", actor=revoked_by, target=token.user, detail={"token": token.prefix}
        )
    return token


def authenticate_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    api_token = ApiToken.objects.usable().select_related("user").filter(token_hash=hash_token(token)).first()
    if api_token is None:
        return None
    _note_token_used(api_token)
    return api_token.user


# "Last used" tells staff whether a token is still in use, to the minute; writing it on every request would cost a
# partner system sending many referrals a write (and a commit) each.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _note_token_used(api_token: ApiToken) -> None:
    """Move `last_used_at` on when the stored time is more than a minute old (or was never set)."""
    now = timezone.now()
    stale = now - LAST_USED_PRECISION
    if api_token.last_used_at is not None and api_token.last_used_at >= stale:
        return
    ApiToken.objects.filter(pk=api_token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)).update(
        last_used_at=now
    )


# Two-factor sign-in (django-otp): an authenticator app (TOTP) and single-use recovery codes (static tokens).
# Checking a code and recording the outcome are separate transactions on purpose: a wrong code must leave its
# throttling count and its audit event behind, which an exception inside one transaction would roll back.

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"
DEMO_DEVICE_NAME = "demo"
# Published on purpose (README, seed_demo): the synthetic demo accounts' authenticator key, so anyone trying the
# demo can get a code with `manage.py demo_two_factor_code <username>`. Never give it to a real account.
DEMO_TOTP_KEY = b"paedot-demo-2fa-key!".hex()


@dataclass(frozen=True)
class CodeCheck:
    """What checking a code found. `device` is set when it was accepted; `locked_until` when the device is
    throttled after recent wrong codes and was not asked at all."""

    device: Device | None = None
    used_recovery_code: bool = False
    recovery_codes_left: int = 0
    locked_until: dt.datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None


def needs_two_factor(user) -> bool:
    """Everyone who signs in to pages; partner systems only use API tokens."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) != Role.PARTNER_SYSTEM


def app_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and hyphens (we show recovery codes as abcd-efgh) do not matter."""
    return "".join(code.split()).replace("-", "").lower()


def start_two_factor_set_up(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator-app device whose key the set-up page shows; the same one each time the page
    is opened, so a half-finished set-up can be finished."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def _throttled_until(device: Device) -> dt.datetime | None:
    allowed, data = device.verify_is_allowed()
    return None if allowed else (data or {}).get("locked_until")


def _check_device(device: Device, code: str) -> bool:
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        return bool(locked.verify_token(code))


def confirm_two_factor_set_up(*, user: User, device: TOTPDevice, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirm the authenticator app with the code it shows; on success make the recovery codes (returned, to be
    shown once) and record the set-up. A wrong code changes nothing but the device's throttling count."""
    if device.user_id != user.pk:
        raise ValueError("That device is not yours.")
    locked_until = _throttled_until(device)
    if locked_until is not None:
        return CodeCheck(locked_until=locked_until), []
    if not _check_device(device, normalise_code(code)):
        return CodeCheck(), []
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        # Any earlier unconfirmed attempts are no use now.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        record_event(action="two_factor.set_up", actor=user, target=user, detail={"device": APP_DEVICE_NAME})
    device.refresh_from_db()
    return CodeCheck(device=device, recovery_codes_left=len(codes)), codes


def check_second_factor(*, user: User, code: str) -> CodeCheck:
    """A 6-digit code from the authenticator app, or one of the recovery codes (which then never works again).
    Records what happened when a code was accepted; a wrong code is recorded by record_failed_code."""
    code = normalise_code(code)
    if code.isdigit():
        device: Device | None = app_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return CodeCheck(recovery_codes_left=recovery_codes_left(user))
    locked_until = _throttled_until(device)
    if locked_until is not None:
        return CodeCheck(locked_until=locked_until, recovery_codes_left=recovery_codes_left(user))
    if not _check_device(device, code):
        return CodeCheck(recovery_codes_left=recovery_codes_left(user))
    used_recovery_code = isinstance(device, StaticDevice)
    left = recovery_codes_left(user)
    with transaction.atomic():
        if used_recovery_code:
            record_event(action="recovery_codes.used", actor=user, target=user, detail={"left": left})
        method = "recovery_code" if used_recovery_code else "authenticator_app"
        record_event(action="two_factor.verified", actor=user, target=user, detail={"method": method})
    return CodeCheck(device=device, used_recovery_code=used_recovery_code, recovery_codes_left=left)


@transaction.atomic
def record_failed_code(*, user: User, stage: str, failures: int) -> None:
    """A wrong two-factor code: `stage` is set_up, verify or new_recovery_codes; `failures` counts this session's."""
    record_event(action="two_factor.failed", actor=user, target=user, detail={"stage": stage, "failures": failures})


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones (the old stop working) and return them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


def make_new_recovery_codes(*, user: User, code: str) -> tuple[CodeCheck, list[str]]:
    """New recovery codes for someone who proves they still have their authenticator app (a recovery code will
    not do: it would let a stolen list renew itself)."""
    device = app_device(user)
    if device is None:
        raise ValueError("Set up an authenticator app first.")
    locked_until = _throttled_until(device)
    if locked_until is not None:
        return CodeCheck(locked_until=locked_until), []
    if not _check_device(device, normalise_code(code)):
        return CodeCheck(), []
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record_event(action="recovery_codes.replaced", actor=user, target=user, detail={"count": len(codes)})
    return CodeCheck(device=device, recovery_codes_left=len(codes)), codes


@transaction.atomic
def reset_two_factor(*, user: User, reset_by: User, reason: str) -> None:
    """For a lost phone: remove the colleague's authenticator app and recovery codes and end their sessions, so
    their next sign-in sets up a new app. Only team leads and system admins, and never for themselves."""
    if not may(reset_by, Action.RESET_TWO_FACTOR):
        raise PermissionDenied(refusal(Action.RESET_TWO_FACTOR))
    if user.pk == reset_by.pk:
        raise ValueError("You cannot reset your own two-factor sign-in: ask another team lead or a system admin.")
    if not needs_two_factor(user):
        raise ValueError(f"{user.display_name} is a partner system, which signs in with API tokens only.")
    if not reason.strip():
        raise ValueError("Say why, for example that their phone was lost.")
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    record_event(
        action="two_factor.reset", actor=reset_by, target=user, reason=reason.strip(), detail={"devices": removed}
    )


@transaction.atomic
def sign_out_everywhere(*, user: User) -> None:
    """End every session this person has, on every device (this one too): each session's hash includes the
    generation, so Django refuses them all on their next request."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    record_event(action="session.signed_out_everywhere", actor=user, target=user)


@transaction.atomic
def give_demo_device(user: User) -> TOTPDevice:
    """For the synthetic demo accounts only: a confirmed authenticator app named "demo" with the published demo
    key (DEMO_TOTP_KEY). Idempotent."""
    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)
    return device
