"""Signing in and out, the second step of signing in (two-factor), a person's own security page, resetting a
colleague's two-factor, and the permission table."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from paedot.staff import presenters
from paedot.staff.forms import AppCodeForm, FindColleagueForm, ResetTwoFactorForm, SecondFactorForm, SignInForm
from paedot.staff.middleware import is_verified, two_factor_step_url
from paedot.staff.models import ApiToken, Role, User
from paedot.staff.rules import Action, may
from paedot.staff.services import (
    CodeCheck,
    app_device,
    check_second_factor,
    confirm_two_factor_set_up,
    make_new_recovery_codes,
    needs_two_factor,
    record_failed_code,
    recovery_codes_left,
    reset_two_factor,
    revoke_api_token,
    sign_out_everywhere,
    start_two_factor_set_up,
)

FAILURES_KEY = "_two_factor_failures"
NEW_CODES_KEY = "_new_recovery_codes"


def home_for(user) -> str:
    """Where a person lands after signing in with nowhere else asked for: the inbox, or for the roles that may not
    see referrals, the page their role is for."""
    if may(user, Action.VIEW_REFERRALS):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    if may(user, Action.VIEW_SERVICE_REPORTS):
        return resolve_url("reports:show_dashboard")
    if may(user, Action.VIEW_AUDIT):
        return resolve_url("audit:search_audit_trail")
    return resolve_url("staff:show_security")


class SignInView(auth_views.LoginView):
    template_name = "staff/sign_in.jinja"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"page_title": "Sign in"}

    def get_success_url(self) -> str:
        """After the password, straight on to the second step when it is needed (the middleware would send them
        there anyway, one redirect later)."""
        going_to = super().get_success_url()
        user = self.request.user
        if going_to == resolve_url(settings.LOGIN_REDIRECT_URL):
            going_to = home_for(user)
        if settings.STAFF_TWO_FACTOR and needs_two_factor(user) and not is_verified(user):
            return two_factor_step_url(user, going_to)
        return going_to


class SignOutView(auth_views.LogoutView):
    pass


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes shows once an account has had too many failed sign-ins (429, our own page)."""
    from django.template.loader import render_to_string

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = render_to_string(
        "staff/locked_out.jinja", {"page_title": "Your account is locked for now", "minutes": minutes}, request
    )
    return HttpResponse(html, status=429)


# The second step of signing in.


def _next_url(request: HttpRequest) -> str:
    """Where to go once this step is done: ?next= when it is one of our own pages, else the referrals inbox."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _verified(request: HttpRequest, device) -> None:
    """This session has passed the second step. A new session key, as at any rise in what a session may do."""
    import django_otp

    request.session.cycle_key()
    django_otp.login(request, device)
    request.session.pop(FAILURES_KEY, None)


def _wrong_code(request: HttpRequest, *, stage: str) -> HttpResponse | None:
    """Count a wrong code: in the audit trail, in this session, and towards django-axes' lock-out of the account,
    as a wrong password is. After AXES_FAILURE_LIMIT wrong codes the person is signed out (and axes, having
    counted the same failures since the password was accepted, shows the "account locked" page instead)."""
    from axes.handlers.proxy import AxesProxyHandler

    user = request.user
    failures = int(request.session.get(FAILURES_KEY, 0)) + 1
    request.session[FAILURES_KEY] = failures
    record_failed_code(user=user, stage=stage, failures=failures)
    AxesProxyHandler.user_login_failed(
        sender=_wrong_code, credentials={"username": user.get_username()}, request=request
    )
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    logout(request)
    messages.error(
        request,
        f"A wrong code was entered {failures} times, so you have been signed out. If your phone is lost, ask your "
        "team lead to reset your two-factor sign-in.",
    )
    return redirect("staff:sign_in")


def _code_refused(form, check: CodeCheck, request: HttpRequest, *, stage: str) -> HttpResponse | int:
    """A refused code: an error on the form and the status to show it with, or the response that signs the person
    out after too many."""
    if check.locked_until is not None:
        # After wrong codes the device waits 1, 2, 4 ... seconds before it checks another, and was not asked now.
        seconds = max(1, math.ceil((check.locked_until - timezone.now()).total_seconds()))
        wait = f"{seconds} second{'' if seconds == 1 else 's'}"
        form.add_error("code", f"Too many wrong codes in a row: wait {wait}, then enter the code again")
        return 429
    signed_out = _wrong_code(request, stage=stage)
    if signed_out is not None:
        return signed_out
    form.add_error("code", "That code is not right. Check the code your app shows now and try again")
    return 400


@login_required
@require_http_methods(["GET", "POST"])
def set_up_two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with the code it shows."""
    user = request.user
    next_url = _next_url(request)
    if not needs_two_factor(user):
        return redirect(next_url)
    if app_device(user) is not None:
        if is_verified(user):
            return redirect("staff:show_security")
        return redirect(_with_next(reverse("staff:verify_two_factor"), next_url))
    device = start_two_factor_set_up(user=user)
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check, codes = confirm_two_factor_set_up(user=user, device=device, code=form.cleaned_data["code"])
        if check.accepted:
            _verified(request, check.device)
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next(reverse("staff:show_recovery_codes"), next_url))
        refused = _code_refused(form, check, request, stage="set_up")
        if isinstance(refused, HttpResponse):
            return refused
        status = refused
    elif form.errors:
        status = 400
    return render(
        request,
        "staff/set_up_two_factor.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "Set up two-factor sign-in",
            "form": form,
            "next": next_url,
            "qr_code": presenters.qr_code_data_uri(device),
            "typed_key": presenters.typed_key(device),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def show_recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown in this session until the person says they have saved them."""
    codes = request.session.get(NEW_CODES_KEY)
    next_url = _next_url(request)
    if request.method == "POST":
        request.session.pop(NEW_CODES_KEY, None)
        return redirect(next_url)
    if not codes:
        return redirect("staff:show_security")
    return render(
        request,
        "staff/recovery_codes.jinja",
        {
            "page_title": "Save your recovery codes",
            "codes": [presenters.recovery_code(code) for code in codes],
            "next": next_url,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify_two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if not needs_two_factor(user) or is_verified(user):
        return redirect(next_url)
    if app_device(user) is None:
        return redirect(_with_next(reverse("staff:set_up_two_factor"), next_url))
    left = recovery_codes_left(user)
    form = SecondFactorForm(request.POST if request.method == "POST" else None, recovery_codes_left=left)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = check_second_factor(user=user, code=form.cleaned_data["code"])
        if check.accepted:
            _verified(request, check.device)
            if check.used_recovery_code:
                # A page of its own, not a message: not every page shows messages, and this one matters.
                return redirect(_with_next(reverse("staff:show_recovery_code_used"), next_url))
            return redirect(next_url)
        refused = _code_refused(form, check, request, stage="verify")
        if isinstance(refused, HttpResponse):
            return refused
        status = refused
    elif form.errors:
        status = 400
    return render(
        request,
        "staff/verify_two_factor.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + "Enter your code",
            "form": form,
            "next": next_url,
            "recovery_codes_left": left,
        },
        status=status,
    )


@login_required
def show_recovery_code_used(request: HttpRequest) -> HttpResponse:
    """After signing in with a recovery code: how many are left, and where to make new ones."""
    return render(
        request,
        "staff/recovery_code_used.jinja",
        {
            "page_title": "You used a recovery code",
            "recovery_codes_left": recovery_codes_left(request.user),
            "next": _next_url(request),
        },
    )


# A person's own security page.


def _security_page(request: HttpRequest, *, code_form: AppCodeForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    code_form = code_form or AppCodeForm()
    return render(
        request,
        "staff/security.jinja",
        {
            "page_title": ("Error: " if code_form.errors else "") + "Security",
            "device": app_device(user),
            "recovery_codes_left": recovery_codes_left(user),
            "two_factor_needed": needs_two_factor(user),
            "two_factor_enforced": settings.STAFF_TWO_FACTOR,
            "code_form": code_form,
            "tokens": list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id")),
            "may_reset_others": may(user, Action.RESET_TWO_FACTOR),
        },
        status=status,
    )


@login_required
def show_security(request: HttpRequest) -> HttpResponse:
    """Two-factor status, recovery codes, signing out everywhere, and this person's API tokens."""
    return _security_page(request)


@login_required
@require_POST
def make_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old stop working), for someone who gives a current code from their app."""
    form = AppCodeForm(request.POST)
    if not form.is_valid():
        return _security_page(request, code_form=form, status=400)
    try:
        check, codes = make_new_recovery_codes(user=request.user, code=form.cleaned_data["code"])
    except ValueError as problem:
        form.add_error("code", str(problem))
        return _security_page(request, code_form=form, status=409)
    if check.accepted:
        request.session[NEW_CODES_KEY] = codes
        return redirect(_with_next(reverse("staff:show_recovery_codes"), reverse("staff:show_security")))
    refused = _code_refused(form, check, request, stage="new_recovery_codes")
    if isinstance(refused, HttpResponse):
        return refused
    return _security_page(request, code_form=form, status=refused)


@login_required
@require_POST
def sign_out_everywhere_view(request: HttpRequest) -> HttpResponse:
    """End every session of this person on every device, this one included."""
    sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You have been signed out of every device, including this one.")
    return redirect("staff:sign_in")


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Stop one of your own API tokens working (someone else's is not found)."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    revoke_api_token(token=token, revoked_by=request.user)
    messages.success(request, f"Token {token.prefix}… has been revoked.")
    return redirect("staff:show_security")


# Resetting a colleague's two-factor after a lost phone.


def _require_may_reset(user) -> None:
    if not may(user, Action.RESET_TWO_FACTOR):
        raise PermissionDenied("Only team leads and system admins may reset someone's two-factor sign-in.")


@login_required
def find_colleague(request: HttpRequest) -> HttpResponse:
    """Whose two-factor to reset: by username."""
    _require_may_reset(request.user)
    form = FindColleagueForm(request.GET or None)
    status = 200
    if form.is_valid():
        username = form.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exclude(role=Role.PARTNER_SYSTEM).exists():
            return redirect("staff:reset_two_factor", username=username)
        form.add_error("username", "There is no member of staff with that username")
    if form.errors:
        status = 400
    return render(
        request,
        "staff/find_colleague.jinja",
        {"page_title": ("Error: " if form.errors else "") + "Reset a colleague's two-factor sign-in", "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reset_two_factor_view(request: HttpRequest, username: str) -> HttpResponse:
    """Remove a colleague's authenticator app and recovery codes (lost phone): they set up a new one at their
    next sign-in, and every session they have ends now."""
    _require_may_reset(request.user)
    colleague = get_object_or_404(User.objects.exclude(role=Role.PARTNER_SYSTEM), username=username)
    form = ResetTwoFactorForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reset_two_factor(user=colleague, reset_by=request.user, reason=form.cleaned_data["reason"])
        except ValueError as problem:
            form.add_error(None, str(problem))
            status = 409
        else:
            messages.success(
                request,
                f"{colleague.display_name}'s two-factor sign-in has been reset and they have been signed out. They "
                "will set up their authenticator app again when they next sign in.",
            )
            return redirect("staff:find_colleague")
    elif form.errors:
        status = 400
    return render(
        request,
        "staff/reset_two_factor.jinja",
        {
            "page_title": ("Error: " if form.errors else "") + f"Reset {colleague.display_name}'s two-factor sign-in",
            "colleague": colleague,
            "device": app_device(colleague),
            "recovery_codes_left": recovery_codes_left(colleague),
            "form": form,
            "back_href": reverse("staff:find_colleague"),
        },
        status=status,
    )


# The permission table.


@login_required
def show_permissions(request: HttpRequest) -> HttpResponse:
    """Who may do what: every action against every role, from staff/rules.py (the table the pages and API use)."""
    return render(
        request,
        "staff/permissions.jinja",
        {
            "page_title": "Who may do what",
            "roles": presenters.ROLE_COLUMNS,
            "rows": presenters.permission_rows(),
        },
    )
