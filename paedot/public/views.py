"""The public pages families and referrers read without signing in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paedot.public import check
from paedot.public.forms import ServiceDetailsForm
from paedot.public.models import ServiceDetails
from paedot.public.rules import may_edit_service_details
from paedot.public.services import update_service_details
from paedot.referrals.forms import TYPED_PREFIX, GPPracticeForm
from paedot.referrals.online import Draft


def service_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/service_page.jinja",
        {"page_title": "Children's occupational therapy", "service": ServiceDetails.current()},
    )


def _check_draft(request: HttpRequest) -> Draft:
    return Draft(request.session, sections=check.CHECK_SECTIONS, key=check.SESSION_KEY)


def _check_url(index: int) -> str:
    if index >= len(check.CHECK_SECTIONS):
        return reverse("public:check_result")
    return reverse("public:check_question", args=[check.CHECK_SECTIONS[index].slug])


@never_cache
def check_start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/check/start.jinja",
        {
            "page_title": "Check if we can help",
            "first": _check_url(0),
            "steps": len(check.CHECK_SECTIONS),
            "service": ServiceDetails.current(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def check_question(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        index, section = next((i, s) for i, s in enumerate(check.CHECK_SECTIONS) if s.slug == slug)
    except StopIteration:
        raise Http404("No such question") from None
    draft = _check_draft(request)
    if request.method == "POST":
        draft.save_page(section.slug, request.POST)
        form = draft.bound_form(section)
        if form.is_valid():
            return redirect(_check_url(index + 1))
    else:
        form = draft.form_for_page(section)
        if form.is_bound:
            form.is_valid()
    question = section.questions[0]
    return render(
        request,
        "public/check/question.jinja",
        {
            "form": form,
            "question": question,
            "page_title": ("Error: " if form.is_bound and form.errors else "") + section.title,
            "back_href": _check_url(index - 1) if index > 0 else reverse("public:check_start"),
            "gp_matches": form.matches if isinstance(form, GPPracticeForm) else [],
            "typed_prefix": TYPED_PREFIX,
        },
    )


@never_cache
def check_result(request: HttpRequest) -> HttpResponse:
    draft = _check_draft(request)
    incomplete = draft.first_incomplete()
    if incomplete is not None:
        return redirect("public:check_question", slug=incomplete.slug)
    decision = check.decide(draft.answers())
    return render(
        request,
        "public/check/result.jinja",
        {
            "decision": decision,
            "page_title": {
                "accept": "We can probably help",
                "review": "We may be able to help",
                "decline": "We are unlikely to be able to help",
            }[decision.outcome],
            "back_href": _check_url(len(check.CHECK_SECTIONS) - 1),
            "service": ServiceDetails.current(),
        },
    )


@require_http_methods(["POST"])
def refer_from_check(request: HttpRequest) -> HttpResponse:
    """The result page's "Make a referral" button posts here, so the answers carry over without JavaScript."""
    draft = _check_draft(request)
    incomplete = draft.first_incomplete()
    if incomplete is not None:
        return redirect("public:check_question", slug=incomplete.slug)
    Draft(request.session).prefill(check.answers_for_referral(draft.answers()))
    return redirect("refer:start")


@login_required
@require_http_methods(["GET", "POST"])
def edit_service_details(request: HttpRequest) -> HttpResponse:
    """What the public pages say about the service: name, base, phone, opening hours."""
    if not may_edit_service_details(request.user):
        raise PermissionDenied("Only a team lead or system admin may change the service details.")
    details = ServiceDetails.current()
    form = ServiceDetailsForm(request.POST or None, instance=details)
    if request.method == "POST" and form.is_valid():
        update_service_details(changes=form.cleaned_data, changed_by=request.user)
        messages.success(request, "Service details saved. The public pages show them now.")
        return redirect("public:edit_service_details")
    return render(
        request,
        "public/edit_service_details.jinja",
        {"form": form, "page_title": "Service details", "active_nav": "service"},
    )
