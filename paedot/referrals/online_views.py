"""The online referral form: a page per section, a check-your-answers page, and a confirmation."""

from __future__ import annotations

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paedot.public.models import ServiceDetails
from paedot.referrals import online
from paedot.referrals import questions as q
from paedot.referrals.forms import TYPED_PREFIX, GPPracticeForm
from paedot.referrals.models import Referral
from paedot.referrals.services import DuplicateSubmission, receive_referral, referral_for_token

SECTIONS = q.REFERRAL_FORM


def _page_url(section: q.Section, *, change: bool = False) -> str:
    url = reverse("refer:page", args=[section.slug])
    return f"{url}?change=1" if change else url


def _next_url(index: int) -> str:
    return _page_url(SECTIONS[index + 1]) if index + 1 < len(SECTIONS) else reverse("refer:check_answers")


def _previous_url(index: int) -> str:
    return _page_url(SECTIONS[index - 1]) if index > 0 else reverse("refer:start")


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "referrals/online/start.jinja",
        {
            "page_title": "Refer a child",
            "first": _page_url(SECTIONS[0]),
            "prefilled": online.Draft(request.session).prefilled,
            "service": ServiceDetails.current(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        index, section = next((i, s) for i, s in enumerate(SECTIONS) if s.slug == slug)
    except StopIteration:
        raise Http404("No such page") from None
    draft = online.Draft(request.session)
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        draft.save_page(section.slug, request.POST)  # kept as typed, valid or not
        form = draft.bound_form(section)
        if form.is_valid():
            return redirect(reverse("refer:check_answers") if changing else _next_url(index))
    else:
        form = draft.form_for_page(section)
        if form.is_bound:
            form.is_valid()  # a page left with errors shows them again, with what was typed
    return render(
        request,
        "referrals/online/page.jinja",
        {
            "form": form,
            "section": section,
            "step": index + 1,
            "steps": len(SECTIONS),
            "back_href": reverse("refer:check_answers") if changing else _previous_url(index),
            "page_title": ("Error: " if form.is_bound and form.errors else "") + section.title,
            "gp_matches": getattr(form, "matches", []) if isinstance(form, GPPracticeForm) else [],
            "typed_prefix": TYPED_PREFIX,
            "changing": changing,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        already = referral_for_token(request.POST.get("token", ""))
        if already is not None:  # a second click, or a refresh, after the referral was made
            request.session[online.DONE_KEY] = {"reference": already.reference}
            return redirect("refer:confirmation")
    draft = online.Draft(request.session)
    incomplete = draft.first_incomplete()
    if incomplete is not None:
        return redirect(_page_url(incomplete))
    answers = draft.answers()
    if request.method == "POST":
        return _send(request, draft, answers)
    rows = [
        (
            section,
            [(question, online.display_answer(question, answers)) for question in section.questions],
            _page_url(section, change=True),
        )
        for section in SECTIONS
    ]
    return render(
        request,
        "referrals/online/check_answers.jinja",
        {
            "rows": rows,
            "token": draft.token,
            "page_title": "Check your answers before sending the referral",
            "back_href": _page_url(SECTIONS[-1]),
        },
    )


def _send(request: HttpRequest, draft: online.Draft, answers: dict) -> HttpResponse:
    """Send once. The token in the page matches the draft's; a repeat finds the referral already made."""
    token = request.POST.get("token", "")
    if token != draft.token:
        return redirect("refer:check_answers")
    referral = referral_for_token(token)
    if referral is None:
        try:
            referral = receive_referral(
                submission=online.submission_from_answers(answers),
                source="online",
                submitted_by=request.user,
                submission_token=token,
            )
        except (DuplicateSubmission, IntegrityError):
            referral = referral_for_token(token)
            if referral is None:
                raise
    request.session[online.DONE_KEY] = {"reference": referral.reference}
    draft.discard()
    return redirect("refer:confirmation")


@never_cache
def confirmation(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(online.DONE_KEY)
    if not sent:
        return redirect("refer:start")
    referral = Referral.objects.filter(reference=sent["reference"]).select_related("eligibility").first()
    if referral is None:
        return redirect("refer:start")
    return render(
        request,
        "referrals/online/confirmation.jinja",
        {"referral": referral, "page_title": "Referral sent", "service": ServiceDetails.current()},
    )
