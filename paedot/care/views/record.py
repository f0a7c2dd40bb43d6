"""Staff pages for the record around the clinical work: the episode page, the child's timeline, equipment and
splints, consent to share, discharge, and the documents issued. Thin: form -> service -> redirect, or query ->
render. Every record is fetched through the scoped querysets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from paedot.care.forms.record import (
    ConsentForm,
    DischargeForm,
    EquipmentForm,
    EquipmentReturnForm,
    EquipmentReviewForm,
    ReportForm,
)
from paedot.care.models import Assessment, ConsentToShare, Episode, EquipmentIssue, Package, Recipient, Review
from paedot.care.presenters import recipient_words
from paedot.care.rules import RatingError
from paedot.care.services import discharge as discharge_service
from paedot.care.services import equipment as equipment_service
from paedot.care.services import reports
from paedot.care.services.consent import ConsentMissing, record_consent
from paedot.care.services.episodes import CLINICAL_STATUSES, open_episode
from paedot.care.timeline_sources import KIND_LABELS, clinical_url, grouped_by_date, kind_filters, timeline_for
from paedot.core.audit import record_view
from paedot.core.dates import age_text
from paedot.letters.models import Letter
from paedot.referrals import presenters as referral_presenters
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.restricted_records.views import referral_or_break_glass
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _referral(request: HttpRequest, reference: str) -> Referral:
    return referral_or_break_glass(
        request,
        Referral.objects.visible_to(request.user).select_related("child", "parent_carer", "clinician"),
        reference,
    )


def _episode(request: HttpRequest, referral: Referral) -> Episode | None:
    return (
        Episode.objects.visible_to(request.user)
        .select_related("opened_by", "discharged_by")
        .filter(referral=referral)
        .first()
    )


def _has_record(referral: Referral, episode: Episode | None) -> bool:
    """An episode exists, or can be opened: the referral was accepted and is still open."""
    return episode is not None or referral.status in CLINICAL_STATUSES


def _no_episode(request: HttpRequest, referral: Referral) -> HttpResponse:
    return render(
        request,
        "care/episode_none.jinja",
        {
            "referral": referral,
            "status": referral_presenters.status_label(referral.status).lower(),
            "page_title": f"No episode of care for {referral.reference}",
            "back_href": reverse("referrals:show_referral", args=[referral.reference]),
        },
        status=409,
    )


def _attempt(form, call):
    """Call a service; its refusals become errors on the form (with the HTTP status), never a 500."""
    try:
        return call(), 200
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except (TransitionRefused, ConsentMissing) as refused:
        form.add_error(None, str(refused))
        return None, 409
    except RatingError as problem:
        field = problem.field.rsplit(".", 1)[-1]
        form.add_error(field if field in form.fields else None, problem.message)
        return None, 400
    except ValueError as problem:
        form.add_error(None, str(problem))
        return None, 400


def _episode_href(referral: Referral) -> str:
    return reverse("care:show_episode", args=[referral.reference])


def latest_consents(episode: Episode | None) -> list[ConsentToShare]:
    """The newest record for each recipient, in the order recipients are listed."""
    if episode is None:
        return []
    latest: dict[str, ConsentToShare] = {}
    for consent in episode.consents.select_related("recorded_by").order_by("created_at", "id"):
        latest[consent.recipient] = consent
    return [latest[code] for code in Recipient.values if code in latest]


def _consent_map(episode: Episode | None) -> dict[str, bool]:
    return discharge_service.recipients_with_consent(episode)


def _actions(user, referral: Referral, episode: Episode | None) -> list[dict]:
    """What this person may do next, from the permission table; nothing is added to a closed episode."""
    ref = referral.reference
    is_open = referral.status in CLINICAL_STATUSES and (episode is None or episode.discharged_at is None)
    candidates = [
        (is_open and may(user, Action.ASSESS), "Record an assessment", clinical_url("care:record_assessment", (ref,))),
        (is_open and may(user, Action.SET_PACKAGE), "Set a package of care", clinical_url("care:set_package", (ref,))),
        (is_open and may(user, Action.WRITE_NOTE), "Write a clinical note", f"/staff/notes/{ref}/new"),
        (is_open and may(user, Action.GIVE_ADVICE), "Give an advice pack", f"/staff/advice/{ref}/packs/new"),
        (
            is_open and may(user, Action.ISSUE_EQUIPMENT),
            "Issue equipment or a splint",
            reverse("care:issue_equipment", args=[ref]),
        ),
        (may(user, Action.RECORD_CONSENT), "Record consent to share", reverse("care:record_consent", args=[ref])),
        (
            episode is not None and may(user, Action.ISSUE_REPORT),
            "Issue a report",
            reverse("care:issue_report", args=[ref]),
        ),
        (is_open and may(user, Action.DISCHARGE), "Discharge", reverse("care:discharge_episode", args=[ref])),
    ]
    return [{"text": text, "href": href} for allowed, text, href in candidates if allowed and href]


def _current_package(episode: Episode | None) -> dict | None:
    if episode is None:
        return None
    package = (
        Package.objects.filter(episode=episode)
        .select_related("supervising_ot", "review")
        .prefetch_related("goals")
        .order_by("-created_at", "-id")
        .first()
    )
    if package is None:
        return None
    try:
        review = package.review
    except Review.DoesNotExist:
        review = None
    today = timezone.localdate()
    if review is not None:
        status = f"Reviewed on {review.reviewed_on:%-d %B %Y}: T-score {review.gas_t_score:.2f}"
    elif package.review_due_on and package.review_due_on < today:
        status = f"Review overdue: it was due on {package.review_due_on:%-d %B %Y}"
    elif package.review_due_on:
        status = f"Review due on {package.review_due_on:%-d %B %Y}"
    else:
        status = "Not reviewed yet"
    ref = episode.referral.reference
    return {
        "package": package,
        "goals": sorted(package.goals.all(), key=lambda g: (g.position, g.pk)),
        "review": review,
        "review_status": status,
        "href": clinical_url("care:show_package", (ref, package.pk), (package.pk,)),
        "review_href": clinical_url("care:show_review", (ref, review.pk), (review.pk,)) if review else "",
    }


@login_required
def show_episode(request: HttpRequest, reference: str) -> HttpResponse:
    """The child, the referral, the current package and its goals, the latest assessment, equipment on loan,
    consent to share, documents issued, and what this person may do next."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    referral = _referral(request, reference)
    episode = _episode(request, referral)
    if not _has_record(referral, episode):
        return _no_episode(request, referral)
    record_view(request, episode or referral, child_id=referral.child_id)
    child = referral.child
    assessment = None
    equipment: list[EquipmentIssue] = []
    if episode is not None:
        assessment = (
            Assessment.objects.filter(episode=episode)
            .select_related("assessed_by")
            .order_by("-assessed_on", "-id")
            .first()
        )
        equipment = list(episode.equipment.select_related("issued_by").order_by("returned_on", "review_on", "id"))
    letters = list(Letter.objects.filter(referral=referral).select_related("issued_by").order_by("-created_at", "-id"))
    ref = referral.reference
    return render(
        request,
        "care/episode.jinja",
        {
            "referral": referral,
            "episode": episode,
            "child": child,
            "age": age_text(child.date_of_birth, timezone.localdate()),
            "difficulties": referral_presenters.difficulty_labels(referral),
            "status_tag": referral_presenters.status_tag(referral.status),
            "current": _current_package(episode),
            "assessment": assessment,
            "assessment_href": clinical_url("care:show_assessment", (ref, assessment.pk), (assessment.pk,))
            if assessment
            else "",
            "on_loan": [e for e in equipment if e.returned_on is None],
            "returned": [e for e in equipment if e.returned_on is not None],
            "consents": latest_consents(episode),
            "letters": letters,
            "actions": _actions(request.user, referral, episode),
            "may_issue_equipment": may(request.user, Action.ISSUE_EQUIPMENT),
            "today": timezone.localdate(),
            "page_title": f"Episode of care: {child.full_name}",
            "back_href": reverse("referrals:show_referral", args=[ref]),
        },
    )


@login_required
def show_timeline(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything in the child's record, newest first, under each date; ?kind= keeps one kind of entry."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    referral = _referral(request, reference)
    record_view(request, referral, child_id=referral.child_id)
    kind = request.GET.get("kind", "").strip()
    entries = timeline_for(referral)
    shown = [e for e in entries if not kind or e.kind == kind or e.kind.split(".", 1)[0] == kind]
    return render(
        request,
        "care/timeline.jinja",
        {
            "referral": referral,
            "days": grouped_by_date(shown),
            "count": len(shown),
            "kind": kind,
            "kind_label": KIND_LABELS.get(kind, kind),
            "filters": kind_filters(entries),
            "page_title": f"Timeline: {referral.child.full_name}",
            "back_href": _episode_href(referral),
        },
    )


# --- Equipment -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def issue_equipment(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request.user, Action.ISSUE_EQUIPMENT)
    referral = _referral(request, reference)
    if not _has_record(referral, _episode(request, referral)):
        return _no_episode(request, referral)
    posted = request.method == "POST"
    form = EquipmentForm(request.POST if posted else None, initial={"issued_on": timezone.localdate()})
    status = 400 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data
        issue, status = _attempt(
            form,
            lambda: equipment_service.issue_equipment(
                referral=referral,
                kind=data["kind"],
                item=data["item"],
                issued_on=data["issued_on"],
                review_on=data["review_on"],
                notes=data["notes"],
                issued_by=request.user,
            ),
        )
        if issue is not None:
            messages.success(request, f"{issue.get_kind_display()} issued: {issue.item}.")
            return redirect(_episode_href(referral) + "#equipment")
    return render(
        request,
        "care/equipment_issue.jinja",
        {
            "referral": referral,
            "form": form,
            "page_title": ("Error: " if form.errors else "") + f"Issue equipment for {referral.reference}",
            "back_href": _episode_href(referral),
        },
        status=status,
    )


def _issue(request: HttpRequest, referral: Referral, issue_id: int) -> EquipmentIssue:
    return get_object_or_404(
        EquipmentIssue.objects.filter(episode__in=Episode.objects.visible_to(request.user), episode__referral=referral),
        pk=issue_id,
    )


def _equipment_change(request, reference, issue_id, *, form_class, template, call, done) -> HttpResponse:
    _require(request.user, Action.ISSUE_EQUIPMENT)
    referral = _referral(request, reference)
    issue = _issue(request, referral, issue_id)
    posted = request.method == "POST"
    form = form_class(request.POST if posted else None)
    status = 400 if posted else 200
    if posted and form.is_valid():
        result, status = _attempt(form, lambda: call(issue, form.cleaned_data))
        if result is not None:
            messages.success(request, done(result))
            return redirect(_episode_href(referral) + "#equipment")
    return render(
        request,
        template,
        {
            "referral": referral,
            "issue": issue,
            "form": form,
            "page_title": ("Error: " if form.errors else "") + f"{issue.item} for {referral.reference}",
            "back_href": _episode_href(referral),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_equipment(request: HttpRequest, reference: str, issue_id: int) -> HttpResponse:
    return _equipment_change(
        request,
        reference,
        issue_id,
        form_class=EquipmentReviewForm,
        template="care/equipment_review.jinja",
        call=lambda issue, data: equipment_service.record_equipment_review(
            issue=issue, next_review_on=data["next_review_on"], note=data["note"], by=request.user
        ),
        done=lambda issue: (
            f"Review of {issue.item} recorded."
            + (f" Next review by {issue.review_on:%-d %B %Y}." if issue.review_on else " No further review is due.")
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_equipment(request: HttpRequest, reference: str, issue_id: int) -> HttpResponse:
    return _equipment_change(
        request,
        reference,
        issue_id,
        form_class=EquipmentReturnForm,
        template="care/equipment_return.jinja",
        call=lambda issue, data: equipment_service.record_return(
            issue=issue, returned_on=data["returned_on"], by=request.user
        ),
        done=lambda issue: f"{issue.item} returned on {issue.returned_on:%-d %B %Y}.",
    )


@login_required
def equipment_due(request: HttpRequest) -> HttpResponse:
    """Every item on loan whose review date has come, earliest first (the daily job reminds once per date)."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    today = timezone.localdate()
    due = equipment_service.equipment_reviews_due(today).filter(episode__in=Episode.objects.visible_to(request.user))
    return render(
        request,
        "care/equipment_due.jinja",
        {"items": list(due), "today": today, "page_title": "Equipment reviews due"},
    )


# --- Consent to share ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_consent_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the family's consent (or refusal) to share reports with a recipient; the newest record counts."""
    _require(request.user, Action.RECORD_CONSENT)
    referral = _referral(request, reference)
    episode = _episode(request, referral)
    if not _has_record(referral, episode):
        return _no_episode(request, referral)
    posted = request.method == "POST"
    form = ConsentForm(request.POST if posted else None, initial={"recipient": request.GET.get("recipient", "")})
    status = 400 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data

        def record():
            opened = episode or open_episode(referral=referral, opened_by=request.user)
            return record_consent(
                episode=opened,
                recipient=data["recipient"],
                given=data["given"],
                given_by=data["given_by"],
                recipient_name=data["recipient_name"],
                note=data["note"],
                recorded_by=request.user,
            )

        consent, status = _attempt(form, record)
        if consent is not None:
            word = "given" if consent.given else "refused"
            messages.success(request, f"Consent to share with {recipient_words(consent)}: {word}.")
            return redirect(_episode_href(referral) + "#consent")
    if episode is not None:
        record_view(request, episode, child_id=referral.child_id)
    history = list(episode.consents.select_related("recorded_by").order_by("-created_at", "-id")) if episode else []
    return render(
        request,
        "care/consent.jinja",
        {
            "referral": referral,
            "form": form,
            "latest": latest_consents(episode),
            "history": history,
            "page_title": ("Error: " if form.errors else "") + f"Consent to share for {referral.reference}",
            "back_href": _episode_href(referral),
        },
        status=status,
    )


# --- Discharge -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def discharge_episode_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Discharge with a reason and a summary (a draft from the goals and last review), the TOMs at the end, and the
    discharge summary to the recipients the family agreed to."""
    _require(request.user, Action.DISCHARGE)
    referral = _referral(request, reference)
    episode = _episode(request, referral)
    if not _has_record(referral, episode):
        return _no_episode(request, referral)
    consent = _consent_map(episode)
    posted = request.method == "POST"
    initial = {
        "summary": discharge_service.suggested_summary(episode),
        "send_to": [code for code, given in consent.items() if given],
    }
    form = DischargeForm(request.POST if posted else None, initial=initial, consent=consent)
    status = 400 if posted else 200
    already = episode is not None and episode.discharged_at is not None
    if posted and form.is_valid():
        data = form.cleaned_data
        done, status = _attempt(
            form,
            lambda: discharge_service.discharge_episode(
                referral=referral,
                reason=data["reason"],
                summary=data["summary"],
                send_to=data["send_to"],
                toms_end=form.toms_end(),
                discharged_by=request.user,
            ),
        )
        if done is not None:
            sent = len(data["send_to"])
            messages.success(
                request,
                f"{referral.child.full_name} has been discharged."
                + (f" The discharge summary was issued to {sent} recipient{'s' if sent != 1 else ''}." if sent else ""),
            )
            return redirect(_episode_href(referral))
    return render(
        request,
        "care/discharge.jinja",
        {
            "referral": referral,
            "episode": episode,
            "already": already or referral.status not in CLINICAL_STATUSES,
            "form": form,
            "consent": consent,
            "page_title": ("Error: " if form.errors else "") + f"Discharge {referral.reference}",
            "back_href": _episode_href(referral),
        },
        status=status,
    )


# --- Documents -------------------------------------------------------------------------------------------------------


def _documents_available(referral: Referral, episode: Episode | None) -> list[tuple[str, str]]:
    """The documents that can be issued: each assessment's report, each review's report, the discharge summary."""
    if episode is None:
        return []
    choices = [
        (f"assessment:{a.pk}", f"Assessment report: assessment of {a.assessed_on:%-d %B %Y}")
        for a in Assessment.objects.filter(episode=episode).order_by("assessed_on", "id")
    ]
    choices += [
        (f"review:{r.pk}", f"Review report: block {r.package.block_number}, reviewed {r.reviewed_on:%-d %B %Y}")
        for r in Review.objects.filter(package__episode=episode).select_related("package").order_by("reviewed_on", "id")
    ]
    if episode.discharged_at is not None:
        choices.append(("discharge_summary", "Discharge summary"))
    return choices


def _issue_document(user, episode: Episode, document: str, recipients: list[str]):
    kind, _, pk = document.partition(":")
    if kind == "assessment":
        assessment = get_object_or_404(Assessment.objects.filter(episode=episode), pk=pk)
        return reports.issue_assessment_report(assessment=assessment, recipients=recipients, issued_by=user)
    if kind == "review":
        review = get_object_or_404(Review.objects.filter(package__episode=episode), pk=pk)
        return reports.issue_review_report(review=review, recipients=recipients, issued_by=user)
    return reports.issue_discharge_summary(episode=episode, recipients=recipients, issued_by=user)


@login_required
@require_http_methods(["GET", "POST"])
def issue_report(request: HttpRequest, reference: str) -> HttpResponse:
    """Choose a document and its recipients; consent to share is shown and checked for each."""
    if not (may(request.user, Action.ISSUE_REPORT) or may(request.user, Action.DISCHARGE)):
        raise PermissionDenied(refusal(Action.ISSUE_REPORT))
    referral = _referral(request, reference)
    episode = _episode(request, referral)
    if episode is None:
        return _no_episode(request, referral) if not _has_record(referral, None) else redirect(_episode_href(referral))
    consent = _consent_map(episode)
    documents = _documents_available(referral, episode)
    posted = request.method == "POST"
    form = ReportForm(
        request.POST if posted else None,
        documents=documents,
        consent=consent,
        initial={
            "document": request.GET.get("document", ""),
            "recipients": [code for code, given in consent.items() if given],
        },
    )
    status = 400 if posted else 200
    if posted and form.is_valid():
        data = form.cleaned_data
        letters, status = _attempt(
            form, lambda: _issue_document(request.user, episode, data["document"], data["recipients"])
        )
        if letters is not None:
            count = len(letters)
            messages.success(
                request, f"{letters[0].get_kind_display()} issued to {count} recipient{'s' if count != 1 else ''}."
            )
            return redirect("care:documents", reference=referral.reference)
    return render(
        request,
        "care/documents_issue.jinja",
        {
            "referral": referral,
            "form": form,
            "has_documents": bool(documents),
            "consent": consent,
            "page_title": ("Error: " if form.errors else "") + f"Issue a report for {referral.reference}",
            "back_href": _episode_href(referral),
        },
        status=status,
    )


@login_required
def documents(request: HttpRequest, reference: str) -> HttpResponse:
    """Every letter and report issued for this referral, newest first, each printable exactly as sent."""
    _require(request.user, Action.VIEW_CLINICAL_RECORD)
    referral = _referral(request, reference)
    record_view(request, referral, child_id=referral.child_id)
    letters = Letter.objects.filter(referral=referral).select_related("issued_by").order_by("-created_at", "-id")
    return render(
        request,
        "care/documents.jinja",
        {
            "referral": referral,
            "letters": list(letters),
            "may_issue": may(request.user, Action.ISSUE_REPORT) or may(request.user, Action.DISCHARGE),
            "page_title": f"Documents for {referral.reference}",
            "back_href": _episode_href(referral),
        },
    )
