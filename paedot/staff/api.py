"""A user's own API tokens: list them, make one (shown once, with an expiry), revoke one."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.config.api import BearerToken
from paedot.staff.models import ApiToken
from paedot.staff.services import issue_api_token, revoke_api_token

router = Router(tags=["API tokens"])

MAX_DAYS = 365


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    expires_in_days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 90


class NewTokenOut(TokenOut):
    token: str


def _out(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/tokens", auth=BearerToken(), response={200: list[TokenOut], 401: dict})
def list_tokens(request: HttpRequest):
    """Your own tokens, newest first (never the token itself: only its first characters)."""
    return [_out(t) for t in ApiToken.objects.filter(user=request.auth).order_by("-created_at", "-id")]


@router.post("/tokens", auth=BearerToken(), response={201: NewTokenOut, 400: dict, 401: dict})
def create_token(request: HttpRequest, payload: NewTokenIn):
    """A new token for yourself, expiring within a year. The token is in this answer only: keep it safe."""
    expires_at = timezone.now() + dt.timedelta(days=payload.expires_in_days)
    secret = issue_api_token(user=request.auth, name=payload.name, expires_at=expires_at, issued_by=request.auth)
    token = ApiToken.objects.filter(user=request.auth).latest("created_at", "id")
    return Status(201, {**_out(token), "token": secret})


@router.delete("/tokens/{token_id}", auth=BearerToken(), response={204: None, 401: dict, 404: dict})
def revoke_token(request: HttpRequest, token_id: int):
    """Revoke one of your tokens (it may be the one you are using). Other people's tokens are not found."""
    token = ApiToken.objects.filter(pk=token_id, user=request.auth).first()
    if token is None:
        raise HttpError(404, f"You have no token {token_id}.")
    revoke_api_token(token=token, revoked_by=request.auth)
    return Status(204, None)
