"""Staff enter referrals that came on paper, by email or by phone, through the online form's own questions.

The flow is the online form's (paedot.referrals.online) with one page in front, how the referral arrived and when,
and one at the end, the scanned form. The draft lives under its own session key, so a staff member's entry never
mixes with a public referral started in the same browser, and its one-time token makes the final submit safe to
click twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paedot.core.audit import record_view
from paedot.referrals import attachments, online
from paedot.referrals import questions as q
from paedot.referrals.forms import TYPED_PREFIX, GPPracticeForm
from paedot.referrals.models import Referral, ReferralAttachment, Source
from paedot.referrals.services import DuplicateSubmission, receive_referral, referral_for_token
from paedot.staff.rules import Action, may

SESSION_KEY = "paper_referral_draft"
SCAN_EXPECTED = frozenset({Source.PAPER, Source.EMAIL})

ARRIVAL = q.Section(
    slug="arrival",
    title="How the referral arrived",
    intro="The pages after this one ask the online form's questions: type in the referral's answers.",
    staff_only=True,
    questions=(
        q.Question(
            "source",
            "How did the referral arrive?",
            q.RADIOS,
            choices=(
                q.Choice(Source.PAPER.value, "Paper form", hint="By post, or handed in"),
                q.Choice(Source.EMAIL.value, "Email"),
                q.Choice(Source.PHONE.value, "Phone", hint="Taken over the phone"),
            ),
        ),
        q.Question(
            "received_date",
            "Date received",
            q.DATE,
            hint="The date the service received it, for example 15 3 2026. The child's wait counts from this date.",
        ),
    ),
)
SECTIONS: tuple[q.Section, ...] = (ARRIVAL, *q.REFERRAL_FORM)

ACCEPTED_FILES = ".pdf,.doc,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
FILE_HINT = "A PDF, Word document, JPEG or PNG, smaller than {limit}"


def _require_entry(request: HttpRequest) -> None:
    if not may(request.user, Action.ENTER_PAPER_REFERRAL):
        raise PermissionDenied("Only clinical admin staff may enter paper, emailed or phoned referrals.")


def _draft(request: HttpRequest) -> online.Draft:
    return online.Draft(request.session, sections=SECTIONS, key=SESSION_KEY)


def _page_url(section: q.Section, *, change: bool = False) -> str:
    url = reverse("paper_entry:start") if section is ARRIVAL else reverse("paper_entry:page", args=[section.slug])
    return f"{url}?change=1" if change else url


def _next_url(index: int) -> str:
    return _page_url(SECTIONS[index + 1]) if index + 1 < len(SECTIONS) else reverse("paper_entry:check_answers")


def _previous_url(index: int) -> str:
    return _page_url(SECTIONS[index - 1]) if index > 0 else reverse("referrals:inbox")


def date_problems(answers: dict[str, Any]) -> list[str]:
    """What is wrong between pages: only seen once both the child's and the referral's dates are known."""
    received: dt.date | None = answers.get("received_date")
    born: dt.date | None = answers.get("child_date_of_birth")
    if received and born and received < born:
        return ["The date received must be on or after the child's date of birth"]
    return []


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    return _page(request, ARRIVAL.slug)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, slug)


def _page(request: HttpRequest, slug: str) -> HttpResponse:
    _require_entry(request)
    try:
        index, section = next((i, s) for i, s in enumerate(SECTIONS) if s.slug == slug)
    except StopIteration:
        raise Http404("No such page") from None
    draft = _draft(request)
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        draft.save_page(section.slug, request.POST)  # kept as typed, valid or not
        form = draft.bound_form(section)
        if form.is_valid():
            return redirect(reverse("paper_entry:check_answers") if changing else _next_url(index))
    else:
        form = draft.form_for_page(section)
        if form.is_bound:
            form.is_valid()  # a page left with errors shows them again, with what was typed
    return render(
        request,
        "referrals/paper_entry/page.jinja",
        {
            "form": form,
            "section": section,
            "step": index + 1,
            "steps": len(SECTIONS),
            "back_href": reverse("paper_entry:check_answers") if changing else _previous_url(index),
            "page_title": ("Error: " if form.is_bound and form.errors else "") + section.title,
            "gp_matches": getattr(form, "matches", []) if isinstance(form, GPPracticeForm) else [],
            "typed_prefix": TYPED_PREFIX,
            "changing": changing,
            "in_progress": section is ARRIVAL and bool(draft.data["pages"]),
            "active_nav": "paper_entry",
        },
    )


@login_required
@require_POST
def start_again(request: HttpRequest) -> HttpResponse:
    _require_entry(request)
    _draft(request).discard()
    return redirect("paper_entry:start")


@login_required
@never_cache
@require_GET
def check_answers(request: HttpRequest) -> HttpResponse:
    _require_entry(request)
    draft = _draft(request)
    incomplete = draft.first_incomplete()
    if incomplete is not None:
        return redirect(_page_url(incomplete))
    answers = draft.answers()
    problems = date_problems(answers)
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
        "referrals/paper_entry/check_answers.jinja",
        {
            "rows": rows,
            "problems": [
                {"text": problem, "href": _page_url(ARRIVAL, change=True) + "#id_received_date_day"}
                for problem in problems
            ],
            "page_title": ("Error: " if problems else "") + "Check the referral's answers",
            "back_href": _page_url(SECTIONS[-1]),
            "active_nav": "paper_entry",
        },
    )


class ScanForm(forms.Form):
    """The scanned form, checked by content. Expected for paper and email (or a promise to add it later)."""

    file = forms.FileField(
        label="The scanned referral form",
        required=False,
        widget=forms.FileInput,
        error_messages={"empty": attachments.EMPTY, "invalid": attachments.WRONG_TYPE},
    )
    later = forms.MultipleChoiceField(
        label="If you cannot attach it now",
        choices=[("yes", "I will add the scan from the referral's page later")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, source: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        limit = attachments.too_big_message().removeprefix("The file must be smaller than ")
        self.fields["file"].help_text = FILE_HINT.format(limit=limit)
        if source not in SCAN_EXPECTED:
            self.fields["file"].label = "A scanned form or notes of the call (optional)"
            del self.fields["later"]

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            try:
                attachments.check_upload(uploaded)
            except ValueError as error:
                raise ValidationError(str(error)) from error
        return uploaded

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.source in SCAN_EXPECTED and not self.errors and not cleaned.get("file") and not cleaned.get("later"):
            self.add_error("file", "Select the scanned referral form, or tick the box to add it later")
        return cleaned


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def attach_scan(request: HttpRequest) -> HttpResponse:
    """The last step: attach the scan and save the referral, once however many times it is sent."""
    _require_entry(request)
    if request.method == "POST":
        posted_token = request.POST.get("token", "")
        already = referral_for_token(posted_token)
        if already is not None:  # a second click, or a refresh, after the referral was made
            draft = _draft(request)
            if draft.token == posted_token:  # never throw away a newer draft started since
                draft.discard()
            return redirect("referrals:show_referral", already.reference)
    draft = _draft(request)
    incomplete = draft.first_incomplete()
    if incomplete is not None:
        return redirect(_page_url(incomplete))
    answers = draft.answers()
    if date_problems(answers):
        return redirect("paper_entry:check_answers")
    source = answers["source"]
    if request.method == "POST":
        form = ScanForm(request.POST, request.FILES, source=source)
        if request.POST.get("token", "") != draft.token:
            return redirect("paper_entry:check_answers")
        if form.is_valid():
            uploaded = form.cleaned_data.get("file")
            referral = _save(request, draft, answers, uploaded)
            draft.discard()
            scan = " with its scanned form" if uploaded else ""
            messages.success(request, f"Referral {referral.reference} saved{scan}. It is waiting to be screened.")
            return redirect("referrals:show_referral", referral.reference)
    else:
        form = ScanForm(source=source)
    return render(
        request,
        "referrals/paper_entry/attach_scan.jinja",
        {
            "form": form,
            "token": draft.token,
            "source_label": Source(source).label,
            "scan_expected": source in SCAN_EXPECTED,
            "file_lost": bool(form.errors and request.FILES),
            "accept": ACCEPTED_FILES,
            "page_title": ("Error: " if form.errors else "") + "Attach the scanned form",
            "back_href": reverse("paper_entry:check_answers"),
            "active_nav": "paper_entry",
        },
    )


def _save(request: HttpRequest, draft: online.Draft, answers: dict[str, Any], uploaded) -> Referral:
    """The referral and its scan together, or neither; a repeat with the same token finds the first."""
    token = draft.token
    try:
        with transaction.atomic():
            referral = receive_referral(
                submission=online.submission_from_answers(answers),
                source=answers["source"],
                received_date=answers["received_date"],
                submitted_by=request.user,
                submission_token=token,
            )
            if uploaded:
                attachments.add_attachment(referral=referral, uploaded_file=uploaded, uploaded_by=request.user)
    except (DuplicateSubmission, IntegrityError):
        referral = referral_for_token(token)
        if referral is None:
            raise
    return referral


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="The scanned referral form",
        widget=forms.FileInput,
        error_messages={
            "required": "Select the scanned referral form",
            "empty": attachments.EMPTY,
            "invalid": attachments.WRONG_TYPE,
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = attachments.too_big_message().removeprefix("The file must be smaller than ")
        self.fields["file"].help_text = FILE_HINT.format(limit=limit)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            attachments.check_upload(uploaded)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        return uploaded


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def attach_to_referral(request: HttpRequest, reference: str) -> HttpResponse:
    """Add a scanned form to a referral already in the system (a scan that came later, or a second page)."""
    _require_entry(request)
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("child"), reference=reference.strip().upper()
    )
    form = AttachmentForm(request.POST, request.FILES) if request.method == "POST" else AttachmentForm()
    if request.method == "POST" and form.is_valid():
        attachments.add_attachment(referral=referral, uploaded_file=form.cleaned_data["file"], uploaded_by=request.user)
        messages.success(request, "Scanned form attached.")
        return redirect("referrals:show_referral", referral.reference)
    return render(
        request,
        "referrals/paper_entry/attach_to_referral.jinja",
        {
            "form": form,
            "referral": referral,
            "accept": ACCEPTED_FILES,
            "page_title": ("Error: " if form.errors else "") + f"Attach a scanned form to {referral.reference}",
            "back_href": reverse("referrals:show_referral", args=[referral.reference]),
            "active_nav": "inbox",
        },
    )


@login_required
def download_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A scanned form, for staff who may see its referral. Always a download, never shown inline."""
    if not may(request.user, Action.VIEW_REFERRALS):
        raise PermissionDenied("Your role does not allow this.")
    attachment = get_object_or_404(
        ReferralAttachment.objects.filter(referral__in=Referral.objects.visible_to(request.user)), pk=attachment_id
    )
    record_view(request, attachment, child_id=attachment.referral.child_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachments.download_name(attachment),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
