"""Sessions that end after 15 idle minutes, without writing the session on every request; and the second step
of signing in (two-factor) before any staff page."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from paedot.staff.services import app_device, needs_two_factor

TOUCH_KEY = "_last_seen"
TOUCH_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    """Moves a signed-in session's expiry on at most once a minute.

    Django's SESSION_SAVE_EVERY_REQUEST would write the session row on every page; marking it changed only when a
    minute has passed keeps the 15-minute idle limit (to within a minute) for a fraction of the writes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(TOUCH_KEY)
            if last is None or now - last >= TOUCH_EVERY_SECONDS:
                request.session[TOUCH_KEY] = now  # modified: the session middleware saves it with a new expiry
        return self.get_response(request)


def stamp_session_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in counts as use, so the first page after it need not write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCH_KEY] = int(time.time())


class TwoFactorMiddleware:
    """Staff pages need the second step of signing in: someone signed in with a password but not yet with a code
    is sent to set up an authenticator app (no app yet) or to enter its code, and comes back where they were
    going (?next=). The JSON API (bearer tokens) and the public pages are not touched.

    Sits right after django_otp's OTPMiddleware, which says whether this session is verified. On when
    settings.STAFF_TWO_FACTOR is (the default).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_TWO_FACTOR and request.path.startswith(STAFF_PREFIX) and not _exempt(request.path):
            user = getattr(request, "user", None)
            if needs_two_factor(user) and not is_verified(user):
                going_to = request.get_full_path() if request.method in ("GET", "HEAD") else ""
                return redirect(two_factor_step_url(user, going_to))
        return self.get_response(request)


STAFF_PREFIX = "/staff/"
# The pages someone signed in with only a password may open: to finish signing in, or to stop.
EXEMPT_URL_NAMES = ("staff:sign_in", "staff:sign_out", "staff:set_up_two_factor", "staff:verify_two_factor")


def _exempt(path: str) -> bool:
    return path in {reverse(name) for name in EXEMPT_URL_NAMES}


def is_verified(user) -> bool:
    """Whether this session passed the second step (django_otp's OTPMiddleware installs user.is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def two_factor_step_url(user, going_to: str = "") -> str:
    """Where someone who has given their password goes next: set up an app, or enter its code."""
    name = "staff:verify_two_factor" if app_device(user) is not None else "staff:set_up_two_factor"
    url = reverse(name)
    return f"{url}?{urlencode({'next': going_to})}" if going_to else url
