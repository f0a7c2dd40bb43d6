"""Making staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.staff.models import ApiToken, Locality, Role, User

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
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
    return api_token.user
