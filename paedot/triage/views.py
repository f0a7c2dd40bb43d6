"""Staff pages for triage: the queue of accepted referrals, and the triage form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from paedot.core.dates import age_text
from paedot.referrals import presenters
from paedot.referrals.models import Priority, Referral, Status
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal
from paedot.triage.forms import TriageForm
from paedot.triage.presenters import priority_tag
from paedot.triage.services import suggestion_for, triage_referral
from paedot.waiting_list import rules as waiting_rules

PAGE_SIZE = 50


@login_required
def show_queue(request: HttpRequest) -> HttpResponse:
    """Accepted referrals waiting for an OT's triage, oldest first, each with the rules' suggested priority."""
    if not may(request.user, Action.VIEW_REFERRALS):
        raise PermissionDenied(refusal(Action.VIEW_REFERRALS))
    referrals = Referral.objects.visible_to(request.user).awaiting_triage().select_related("child")
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "referral": referral,
            "suggestion": suggestion_for(referral),
            "age": age_text(referral.child.date_of_birth, today),
            "days_waiting": waiting_rules.days_waiting(referral.received_date, today),
        }
        for referral in page.object_list
    ]
    return render(
        request,
        "triage/show_queue.jinja",
        {
            "page": page,
            "rows": rows,
            "may_triage": may(request.user, Action.TRIAGE),
            "priority_tag": priority_tag,
            "presenters": presenters,
            "page_title": "Triage queue",
            "active_nav": "triage",
        },
    )


def _field_for(message: str) -> str:
    """Which question a service's ValueError is about; the form checks the same things, so this is rare."""
    for name in ("priority", "pathway", "setting"):
        if message.startswith(f"Choose a {name}"):
            return name
    return "reason_for_difference"


@login_required
@require_http_methods(["GET", "POST"])
def triage_referral_view(request: HttpRequest, reference: str) -> HttpResponse:
    if not may(request.user, Action.TRIAGE):
        raise PermissionDenied(refusal(Action.TRIAGE))
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user)
        .select_related("child", "eligibility")
        .prefetch_related("eligibility__reasons"),
        reference=reference,
    )
    suggestion = suggestion_for(referral)
    form = TriageForm(request.POST if request.method == "POST" else None, suggestion=suggestion)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            triage_referral(
                referral=referral,
                priority=data["priority"],
                pathway=data["pathway"],
                setting=data["setting"],
                notes=data["notes"],
                reason_for_difference=data["reason_for_difference"],
                triaged_by=request.user,
            )
        except ValueError as error:
            form.add_error(_field_for(str(error)), str(error))
        except TransitionRefused as refused:
            form.add_error(None, str(refused))
        except NotAllowed as not_allowed:
            raise PermissionDenied(str(not_allowed)) from not_allowed
        else:
            messages.success(
                request,
                f"Referral {referral.reference} triaged as {Priority(data['priority']).label.lower()}: "
                "it is on the waiting list.",
            )
            return redirect("referrals:show_referral", reference=referral.reference)
    today = timezone.localdate()
    return render(
        request,
        "triage/triage_referral.jinja",
        {
            "referral": referral,
            "form": form,
            "suggestion": suggestion,
            "awaiting_triage": referral.status == Status.ACCEPTED,
            "age": age_text(referral.child.date_of_birth, today),
            "days_waiting": waiting_rules.days_waiting(referral.received_date, today),
            "priority_tag": priority_tag,
            "presenters": presenters,
            "page_title": ("Error: " if form.errors else "") + f"Triage referral {referral.reference}",
            "back_href": reverse("triage:show_queue"),
            "active_nav": "triage",
        },
    )
