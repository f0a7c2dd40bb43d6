"""A letter as the family received it (the PDF made from the HTML kept when it was issued), and the admin team's
list of letters still to post, where they record that letters were printed and posted."""

from __future__ import annotations

import logging

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paedot.core.audit import record_view
from paedot.letters import posting, presenters, rules
from paedot.letters.forms import LettersPostedForm, NotPostedForm
from paedot.letters.models import Letter
from paedot.letters.posting import PostingState
from paedot.letters.services import letter_pdf
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.rules import Action, may, refusal

logger = logging.getLogger(__name__)


@login_required
def download_letter(request, letter_id: int):
    if not may(request.user, Action.VIEW_REFERRALS):
        raise PermissionDenied
    letter = get_object_or_404(
        Letter.objects.filter(referral__in=Referral.objects.visible_to(request.user)), pk=letter_id
    )
    if letter.is_clinical and not may(request.user, Action.VIEW_CLINICAL_RECORD):
        raise PermissionDenied(refusal(Action.VIEW_CLINICAL_RECORD))
    record_view(request, letter, child_id=letter.referral.child_id)
    try:
        pdf = letter_pdf(letter)
    except Exception as error:  # any failure of the PDF renderer: the letter is kept; say so, not a bare 500
        # The letter's id and the error's class only: the error's text may quote the letter.
        logger.error("Letter %s could not be made into a PDF: %s", letter.pk, type(error).__name__)
        response = render(
            request,
            "letters/print_failed.jinja",
            {"letter": letter, "page_title": "The letter could not be printed"},
            status=503,
        )
        response["Retry-After"] = "60"
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries the reference and the kind, never the child's name.
    response["Content-Disposition"] = f'inline; filename="{letter.referral.reference}-{letter.kind}-{letter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# Letters to post -----------------------------------------------------------------------------------------------

PAGE_SIZE = 50


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _state(request: HttpRequest) -> PostingState:
    asked = request.GET.get("state", "")
    return PostingState(asked) if asked in PostingState.values else PostingState.TO_POST


def _list(request: HttpRequest, state: PostingState, *, form: LettersPostedForm | None = None, status: int = 200):
    found = posting.list_letters(request.user, state=state)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "letters/list_letters.jinja",
        {
            "state": state.value,
            "page": page,
            "rows": [presenters.row(letter) for letter in page.object_list],
            "form": form or LettersPostedForm(),
            "query": f"state={state.value}",
            "posts_any_letter": rules.posts_any_letter(request.user.role),
            "page_title": ("Error: " if status >= 400 else "")
            + ("Letters to post" if state == PostingState.TO_POST else "Letters posted"),
            "active_nav": "letters",
        },
        status=status,
    )


@login_required
@require_GET
def list_letters(request: HttpRequest) -> HttpResponse:
    """The letters issued and not yet posted, oldest first (or, with ?state=posted, those posted, latest first)."""
    _require(request.user, Action.RECORD_LETTER_POSTED)
    return _list(request, _state(request))


def _posted_words(postings: list[posting.Posting]) -> str:
    recorded = sum(1 for p in postings if p.recorded)
    return f"{recorded} letter{'s' if recorded != 1 else ''} recorded as posted."


@login_required
@require_POST
def record_posted(request: HttpRequest) -> HttpResponse:
    """One letter (its row's button) or the ticked ones (the button under the list), recorded as posted."""
    _require(request.user, Action.RECORD_LETTER_POSTED)
    form = LettersPostedForm(request.POST)
    if not form.is_valid():
        return _list(request, PostingState.TO_POST, form=form, status=400)
    chosen = form.cleaned_data["chosen"]
    letters = posting.find_letters(request.user, chosen)
    if len(letters) != len(chosen):
        raise Http404("No such letter, or it is about a child whose record you may not open.")
    try:
        postings = posting.record_letters_posted(letters=letters, posted_by=request.user)
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from refused
    if any(p.recorded for p in postings):
        flash.success(request, _posted_words(postings))
    for already in (p for p in postings if not p.recorded):
        flash.warning(request, f"{already.letter.referral.reference}, {already.letter.subject}: {already.message}")
    return redirect(reverse("letters:list_letters") + "?state=to_post")


def _show_not_posted(
    request: HttpRequest, letter: Letter, *, form: NotPostedForm | None = None, status: int = 200, refused: str = ""
) -> HttpResponse:
    return render(
        request,
        "letters/record_not_posted.jinja",
        {
            "letter": letter,
            "row": presenters.row(letter),
            "history": posting.posting_history(letter),
            "form": form or NotPostedForm(),
            "refused": refused,
            "page_title": ("Error: " if status >= 400 else "") + "Not posted after all",
            "back_href": reverse("letters:list_letters") + "?state=posted",
            "active_nav": "letters",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_not_posted(request: HttpRequest, letter_id: int) -> HttpResponse:
    """Undo a wrong mark, with the reason: the letter goes back on the list to post."""
    _require(request.user, Action.RECORD_LETTER_POSTED)
    letter = posting.find_letter(request.user, letter_id)
    if letter is None:
        raise Http404("No such letter, or it is about a child whose record you may not open.")
    decision = rules.posting_decision(role=request.user.role, user_id=request.user.pk, issued_by_id=letter.issued_by_id)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    if request.method == "GET":
        record_view(request, letter, child_id=letter.referral.child_id)
        return _show_not_posted(request, letter)
    form = NotPostedForm(request.POST)
    if not form.is_valid():
        return _show_not_posted(request, letter, form=form, status=400)
    try:
        posting.record_letter_not_posted(letter=letter, reason=form.cleaned_data["reason"], recorded_by=request.user)
    except TransitionRefused as refused:
        return _show_not_posted(request, letter, form=form, status=409, refused=str(refused))
    flash.success(request, f"{letter.referral.reference}, {letter.subject}: back on the list of letters to post.")
    return redirect(reverse("letters:list_letters") + "?state=to_post")
