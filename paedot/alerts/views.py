"""The alerts page of a child's record: the alerts in force and ended, and the forms that raise, review and end them.
Every change goes through paedot.alerts.services; the child is found only through the referrals this person may
see, and a form with an error is shown again with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from paedot.alerts import presenters
from paedot.alerts.forms import EndAlertForm, RaiseAlertForm, ReviewAlertForm
from paedot.alerts.models import Alert
from paedot.alerts.policy import policy_on
from paedot.alerts.services import AlertError, default_review_on, end_alert, raise_alert, review_alert, today
from paedot.core.audit import record_view
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _referral(request: HttpRequest, reference: str) -> Referral:
    return get_object_or_404(Referral.objects.visible_to(request.user).select_related("child"), reference=reference)


def _alerts_href(referral: Referral, alert: Alert | None = None) -> str:
    href = reverse("alerts:referral_alerts", args=[referral.reference])
    return f"{href}#alert-{alert.pk}" if alert is not None else href


def _alert(request: HttpRequest, referral: Referral, alert_id: int) -> Alert:
    return get_object_or_404(Alert.objects.visible_to(request.user).of_child(referral.child_id), pk=alert_id)


def _attempt(form, call):
    """Call a service; its refusals become errors on the form (and an HTTP status), never a 500."""
    try:
        return call(), 200
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except TransitionRefused as refused:
        form.add_error(None, str(refused))
        return None, 409
    except AlertError as problem:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        return None, 400


def _prefix(alert: Alert) -> str:
    return f"alert-{alert.pk}"


def _show(
    request: HttpRequest,
    referral: Referral,
    *,
    raise_form: RaiseAlertForm | None = None,
    failed: tuple[int, str, ReviewAlertForm | EndAlertForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, with a form that failed (the raise form, or one alert's review or end form) shown again."""
    user = request.user
    may_manage = may(user, Action.MANAGE_ALERTS)
    day = today()
    alerts = list(
        Alert.objects.visible_to(user)
        .of_child(referral.child_id)
        .select_related("raised_by", "reviewed_by", "ended_by")
        .order_by("raised_at", "id")
    )
    rows = []
    for alert in alerts:
        row = {"row": presenters.alert_row(alert, day), "review_form": None, "end_form": None, "open": ""}
        if may_manage and alert.in_force:
            row["review_form"] = ReviewAlertForm(prefix=_prefix(alert) + "-review")
            row["end_form"] = EndAlertForm(prefix=_prefix(alert) + "-end")
            if failed is not None and failed[0] == alert.pk:
                row[f"{failed[1]}_form"] = failed[2]
                row["open"] = failed[1]
        rows.append(row)
    in_force = [r for r in rows if r["row"].alert.in_force]
    ended = [r for r in rows if not r["row"].alert.in_force]
    in_force.sort(key=lambda r: presenters.CATEGORY_ORDER.get(r["row"].alert.category, 99))
    ended.sort(key=lambda r: r["row"].alert.ended_at, reverse=True)
    failed_form = raise_form if raise_form is not None and raise_form.errors else (failed[2] if failed else None)
    policy = policy_on(day)
    return render(
        request,
        "alerts/referral_alerts.jinja",
        {
            "referral": referral,
            "in_force": in_force,
            "ended": ended,
            "may_manage": may_manage,
            "raise_form": raise_form or RaiseAlertForm(),
            "failed_form": failed_form,
            "default_review_on": default_review_on(day),
            "review_months": policy.review_after_months,
            "policy_confirmed": policy.confirmed_by_service,
            "page_title": ("Error: " if status >= 400 else "") + f"Alerts for {referral.reference}",
            "back_href": reverse("referrals:show_referral", args=[referral.reference]),
            "active_nav": "inbox",
        },
        status=status,
    )


@login_required
@require_GET
def referral_alerts(request: HttpRequest, reference: str) -> HttpResponse:
    """The child's alerts in force (safeguarding first) and ended, for anyone who may open the record."""
    _require(request.user, Action.VIEW_REFERRALS)
    referral = _referral(request, reference)
    record_view(request, referral, child_id=referral.child_id)
    return _show(request, referral)


@login_required
@require_POST
def raise_alert_view(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    _require(user, Action.MANAGE_ALERTS)
    referral = _referral(request, reference)
    form = RaiseAlertForm(request.POST)
    if not form.is_valid():
        return _show(request, referral, raise_form=form, status=400)
    data = form.cleaned_data
    alert, status = _attempt(
        form,
        lambda: raise_alert(
            referral=referral,
            category=data["category"],
            text=data["text"],
            details=data.get("details", ""),
            review_on=data.get("review_on"),
            by=user,
        ),
    )
    if alert is None:
        return _show(request, referral, raise_form=form, status=status)
    messages.success(request, f"Alert raised: {presenters.category_words(alert.category)}.")
    return redirect(_alerts_href(referral, alert))


@login_required
@require_POST
def review_alert_view(request: HttpRequest, reference: str, alert_id: int) -> HttpResponse:
    """The alert still holds: it stays, with its next review date."""
    user = request.user
    _require(user, Action.MANAGE_ALERTS)
    referral = _referral(request, reference)
    alert = _alert(request, referral, alert_id)
    form = ReviewAlertForm(request.POST, prefix=_prefix(alert) + "-review")
    if not form.is_valid():
        return _show(request, referral, failed=(alert.pk, "review", form), status=400)
    review_on = form.cleaned_data["review_on"]
    reviewed, status = _attempt(form, lambda: review_alert(alert=alert, review_on=review_on, by=user))
    if reviewed is None:
        return _show(request, referral, failed=(alert.pk, "review", form), status=status)
    messages.success(request, f"Alert reviewed: it stays, to be reviewed again by {reviewed.review_on:%-d %B %Y}.")
    return redirect(_alerts_href(referral, reviewed))


@login_required
@require_POST
def end_alert_view(request: HttpRequest, reference: str, alert_id: int) -> HttpResponse:
    """The alert no longer holds: it leaves the record's pages and is kept here as ended, with the reason."""
    user = request.user
    _require(user, Action.MANAGE_ALERTS)
    referral = _referral(request, reference)
    alert = _alert(request, referral, alert_id)
    form = EndAlertForm(request.POST, prefix=_prefix(alert) + "-end")
    if not form.is_valid():
        return _show(request, referral, failed=(alert.pk, "end", form), status=400)
    ended, status = _attempt(form, lambda: end_alert(alert=alert, reason=form.cleaned_data["reason"], by=user))
    if ended is None:
        return _show(request, referral, failed=(alert.pk, "end", form), status=status)
    messages.success(request, "Alert ended. It is kept below with the reason.")
    return redirect(_alerts_href(referral, ended))
