"""The staff outbox: emails and texts that failed or were kept unsent come first, so a family not told is seen and
acted on (sent again, or closed once told another way), not only logged."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from paedot.core.audit import record_view
from paedot.notifications import outbox, presenters, rules
from paedot.notifications.forms import DealtWithForm, OutboxFilterForm, ResendForm
from paedot.notifications.models import NOT_SENT, Message
from paedot.referrals.services.journey import TransitionRefused
from paedot.staff.rules import Action, may, refusal

PAGE_SIZE = 50


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _message(request: HttpRequest, message_id: int) -> Message:
    """Through the scoped query: another locality's or a restricted child's message is not found."""
    _require(request.user, Action.VIEW_MESSAGES)
    message = outbox.find_message(request.user, message_id)
    if message is None:
        raise Http404("No such message")
    return message


@login_required
@require_GET
def list_messages(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.VIEW_MESSAGES)
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = outbox.list_messages(request.user, status=filters.get("status", ""), channel=filters.get("channel", ""))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/list_messages.jinja",
        {
            "form": form,
            "page": page,
            "rows": [presenters.row(message) for message in page.object_list],
            "query": query.urlencode(),
            "page_title": "Messages to families",
            "active_nav": "messages",
        },
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _show(
    request: HttpRequest, message: Message, *, forms: dict | None = None, status: int = 200, refused: str = ""
) -> HttpResponse:
    forms = forms or {}
    may_act = may(request.user, Action.ACT_ON_MESSAGES)
    return render(
        request,
        "notifications/show_message.jinja",
        {
            "message": message,
            "status_tag": presenters.status_tag(message.status),
            "audience": presenters.audience(message),
            "referral_link": presenters.referral_link(message),
            "history": outbox.history(message),
            "not_sent": message.status in NOT_SENT,
            "may_resend": may_act and rules.resend_decision(message.status).allowed,
            "may_close": may_act and rules.dealt_with_decision(message.status).allowed,
            "resend_form": forms.get("resend") or ResendForm(),
            "dealt_with_form": forms.get("dealt_with") or DealtWithForm(),
            "refused": refused,
            "page_title": ("Error: " if status >= 400 else "") + "Message",
            "back_href": reverse("notifications:list_messages"),
            "active_nav": "messages",
        },
        status=status,
    )


@login_required
@require_GET
def show_message(request: HttpRequest, message_id: int) -> HttpResponse:
    """The message's text, its tries and last error, and what staff did with it."""
    message = _message(request, message_id)
    record_view(request, message, child_id=message.referral.child_id if message.referral_id else None)
    return _show(request, message)


def _act(request: HttpRequest, message_id: int, *, name: str, form_class, act, done: str) -> HttpResponse:
    message = _message(request, message_id)
    _require(request.user, Action.ACT_ON_MESSAGES)
    form = form_class(request.POST)
    if not form.is_valid():
        return _show(request, message, forms={name: form}, status=400)
    try:
        act(message=message, reason=form.cleaned_data["reason"], user=request.user)
    except TransitionRefused as refused:
        message.refresh_from_db()
        return _show(request, message, forms={name: form}, status=409, refused=str(refused))
    flash.success(request, done)
    return redirect("notifications:show_message", message_id=message.pk)


@login_required
@require_POST
def resend_message(request: HttpRequest, message_id: int) -> HttpResponse:
    return _act(
        request,
        message_id,
        name="resend",
        form_class=ResendForm,
        act=lambda message, reason, user: outbox.resend_message(message=message, reason=reason, resent_by=user),
        done="The message is queued to be sent again. Check back here that it was sent.",
    )


@login_required
@require_POST
def mark_dealt_with(request: HttpRequest, message_id: int) -> HttpResponse:
    return _act(
        request,
        message_id,
        name="dealt_with",
        form_class=DealtWithForm,
        act=lambda message, reason, user: outbox.mark_dealt_with(message=message, reason=reason, dealt_with_by=user),
        done="Recorded as dealt with. The message is no longer in the list of those to act on.",
    )
