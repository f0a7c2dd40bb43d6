"""Rate limits on the doors anyone can knock on: the public referral form, the eligibility checker (page and API)
and staff sign-in.

A fixed window per client address, counted in the cache (Redis in production, so every worker shares the count).
The address is hashed with the secret key before it becomes a cache key: the cache never holds an IP address.
Limits are settings (RATE_LIMITS), so a service manager can loosen them without a code change.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from paedot.core.audit import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    methods: frozenset[str]
    path: re.Pattern[str]
    requests: int
    per_seconds: int


@cache
def _limits(configured: tuple[tuple[str, str, str, int, int], ...]) -> tuple[Limit, ...]:
    return tuple(
        Limit(name, frozenset(methods.split("|")), re.compile(path), requests, per_seconds)
        for name, methods, path, requests, per_seconds in configured
    )


def limits() -> tuple[Limit, ...]:
    return _limits(tuple(tuple(entry) for entry in settings.RATE_LIMITS))


def _bucket(limit: Limit, request: HttpRequest, window: int) -> str:
    who = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request) or 'unknown'}".encode()).hexdigest()[:24]
    return f"ratelimit:{limit.name}:{who}:{window}"


def allow(limit: Limit, request: HttpRequest, now: float) -> bool:
    """Count this request in its window; False once the window's allowance is spent."""
    store = caches[settings.RATE_LIMIT_CACHE]
    window = int(now // limit.per_seconds)
    key = _bucket(limit, request, window)
    # add() sets the counter only if it is new; incr() is atomic on Redis and in the local-memory cache.
    store.add(key, 0, timeout=limit.per_seconds + 1)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=limit.per_seconds + 1)
        count = 1
    return count <= limit.requests


def too_many(request: HttpRequest, limit: Limit) -> HttpResponse:
    message = "Too many requests from your connection. Wait a few minutes, then try again."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"message": message}, status=429)
    else:
        html = render_to_string(
            "core/too_many_requests.jinja", {"message": message, "page_title": "Too many requests"}, request
        )
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(limit.per_seconds)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        for limit in limits():
            applies = request.method in limit.methods and limit.path.search(request.path)
            if applies and not allow(limit, request, time.time()):
                return too_many(request, limit)
        return self.get_response(request)
