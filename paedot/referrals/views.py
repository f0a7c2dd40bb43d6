"""Staff pages for referrals: the inbox, the work queues, a referral's page, and the decisions taken on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paedot.appointments.models import Appointment
from paedot.core.audit import record_view
from paedot.referrals import presenters
from paedot.referrals.forms import FlagDuplicateForm, InformationReceivedForm, ReasonForm, ScreeningForm
from paedot.referrals.models import PossibleDuplicate, Referral, Status
from paedot.referrals.rules import may_undo_merge
from paedot.referrals.services import (
    NotAllowed,
    TransitionRefused,
    discharge_referral,
    record_information_received,
    screen_referral,
)
from paedot.referrals.services.duplicates import (
    HIDDEN_OTHER,
    LETTERS_UNCHANGED,
    dismiss_duplicate,
    flag_possible_duplicate,
    merge_duplicate,
    plan_undo_merge,
    unmerge_duplicate,
)
from paedot.restricted_records.views import referral_or_break_glass
from paedot.staff.rules import Action, may

PAGE_SIZE = 50


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied


@login_required
def inbox(request):
    _require(request.user, Action.VIEW_REFERRALS)
    referrals = Referral.objects.visible_to(request.user).for_inbox()
    status = request.GET.get("status", "")
    if status in Status.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/inbox.jinja",
        {
            "page": page,
            "presenters": presenters,
            "page_title": "Referral inbox",
            "active_nav": "inbox",
            "status": status,
            "statuses": Status.choices,
        },
    )


@login_required
def screening_queue(request):
    """Referrals to screen (oldest first), those waiting for information, and possible duplicates to decide."""
    _require(request.user, Action.VIEW_REFERRALS)
    visible = Referral.objects.visible_to(request.user)
    to_screen = list(visible.awaiting_screening().select_related("child", "eligibility")[:200])
    waiting_for_information = list(
        visible.filter(status=Status.INFORMATION_REQUESTED)
        .select_related("child")
        .order_by("received_date", "id")[:200]
    )
    duplicates = list(
        PossibleDuplicate.objects.filter(state=PossibleDuplicate.State.OPEN, referral__in=visible)
        .select_related("referral__child", "existing_referral__child")
        .order_by("created_at")[:200]
    )
    return render(
        request,
        "referrals/screening_queue.jinja",
        {
            "to_screen": to_screen,
            "waiting_for_information": waiting_for_information,
            "duplicates": duplicates,
            "open_others": set(
                visible.filter(pk__in={d.existing_referral_id for d in duplicates}).values_list("pk", flat=True)
            ),
            "presenters": presenters,
            "page_title": "Screening",
            "active_nav": "screening",
        },
    )


def _referral_for_page(request, reference: str) -> Referral:
    _require(request.user, Action.VIEW_REFERRALS)
    queryset = (
        Referral.objects.visible_to(request.user)
        .for_inbox()
        .select_related("parent_carer", "clinician", "previous_referral")
        .prefetch_related(
            "screenings__screened_by",
            "triages__triaged_by",
            "letters",
            "attachments",
            "later_referrals",
            Prefetch("appointments", queryset=Appointment.objects.select_related("clinician", "location")),
            "attendance_flags__reviewed_by",
            Prefetch(
                "possible_duplicates",
                queryset=PossibleDuplicate.objects.select_related(
                    "existing_referral__child", "resolved_by", "undone_by"
                ),
            ),
        )
    )
    return referral_or_break_glass(request, queryset, reference)


def _show(request, referral: Referral, *, forms: dict | None = None, status: int = 200):
    record_view(request, referral)
    forms = forms or {}
    user = request.user
    context = {
        "referral": referral,
        "presenters": presenters,
        "page_title": f"Referral {referral.reference}",
        "back_href": "/staff/referrals/",
        "active_nav": "inbox",
        "history": presenters.history_rows(referral),
        "screening_form": forms.get("screening", ScreeningForm()),
        "information_form": forms.get("information", InformationReceivedForm()),
        "discharge_form": forms.get("discharge", ReasonForm()),
        "duplicate_forms": forms.get("duplicates", {}),
        "undo_merge_forms": forms.get("undo_merge", {}),
        "undo_merge_plans": _undo_merge_plans(user, referral),
        "hidden_others": _flags_about_records_hidden_from(user, referral),
        "gp_practice_warnings": _gp_practice_warnings(referral),
        "letters_unchanged": LETTERS_UNCHANGED,
        "hidden_other_message": HIDDEN_OTHER,
        "can": {action.value: may(user, action) for action in Action},
        "expected_wait": presenters.expected_wait(referral),
    }
    return render(request, "referrals/show_referral.jinja", context, status=status)


def _gp_practice_warnings(referral: Referral) -> tuple:
    """For a referral past screening and still open: whether its GP practice is now closed or outside Birmingham
    (the practice closed, or the family changed GP), for a person to decide. Before screening, the eligibility
    check already says so; a closed referral needs no decision."""
    from paedot.children.services.details import current_gp_practice_warnings
    from paedot.referrals.models import CLOSED_STATUSES

    if referral.status in (Status.RECEIVED, Status.INFORMATION_REQUESTED, *CLOSED_STATUSES):
        return ()
    return current_gp_practice_warnings(referral)


def _flags_about_records_hidden_from(user, referral: Referral) -> set[int]:
    """The flags whose other referral this person may not open (a restricted record they are not named on): the
    page says only that such a record exists, and offers no decision."""
    flags = referral.possible_duplicates.all()
    others = {flag.existing_referral_id for flag in flags}
    if not others:
        return set()
    open_to_them = set(Referral.objects.visible_to(user).filter(pk__in=others).values_list("pk", flat=True))
    return {flag.pk for flag in flags if flag.existing_referral_id not in open_to_them}


def _undo_merge_plans(user, referral: Referral) -> dict:
    """For each merge on this referral that this person may undo: what undoing it would do, or why it cannot."""
    return {
        flag.pk: plan_undo_merge(flag)
        for flag in referral.possible_duplicates.all()
        if flag.state == PossibleDuplicate.State.MERGED and may_undo_merge(user, merged_by_id=flag.resolved_by_id)
    }


@login_required
def show_referral(request, reference: str):
    return _show(request, _referral_for_page(request, reference))


def _act(request, referral: Referral, form, form_key: str, call, success: str, shown=None):
    """Validate the form, call the service, and say what happened; a refusal is a message, never a 500. `shown` is
    what the page gets back under form_key when it is not the form itself (the duplicates' forms, by flag).
    `success` is the message, or a function of what the service returned that makes it."""
    shown = form if shown is None else shown
    if not form.is_valid():
        return _show(request, referral, forms={form_key: shown}, status=400)
    try:
        result = call(form.cleaned_data)
    except NotAllowed as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("referrals:show_referral", reference=referral.reference)
    except ValueError as problem:
        form.add_error(None, str(problem))
        return _show(request, referral, forms={form_key: shown}, status=400)
    messages.success(request, success(result) if callable(success) else success)
    return redirect("referrals:show_referral", reference=referral.reference)


@login_required
@require_POST
def screen(request, reference: str):
    referral = _referral_for_page(request, reference)
    _require(request.user, Action.SCREEN)
    form = ScreeningForm(request.POST)
    outcomes = {
        "accept": "Referral accepted: it is now waiting for triage.",
        "decline": "Referral declined. The letter to the referrer and the family is ready to print below.",
        "request_information": "Information requested. The letter is ready to print below.",
    }
    return _act(
        request,
        referral,
        form,
        "screening",
        lambda data: screen_referral(
            referral=referral, decision=data["decision"], reason=data["reason"], screened_by=request.user
        ),
        outcomes.get(request.POST.get("decision", ""), "Screening recorded."),
    )


@login_required
@require_POST
def information_received(request, reference: str):
    referral = _referral_for_page(request, reference)
    _require(request.user, Action.RECORD_INFORMATION_RECEIVED)
    return _act(
        request,
        referral,
        InformationReceivedForm(request.POST),
        "information",
        lambda data: record_information_received(referral=referral, note=data["note"], recorded_by=request.user),
        "Information recorded: the referral is back for screening.",
    )


@login_required
@require_POST
def discharge(request, reference: str):
    referral = _referral_for_page(request, reference)
    _require(request.user, Action.DISCHARGE)
    return _act(
        request,
        referral,
        ReasonForm(request.POST),
        "discharge",
        lambda data: discharge_referral(referral=referral, reason=data["reason"], discharged_by=request.user),
        "Discharged. The letter to the family, the referrer and the GP is ready to print below.",
    )


@login_required
@require_POST
def resolve_duplicate(request, reference: str, flag_id: int, decision: str):
    if decision not in ("merge", "dismiss"):
        raise Http404("No such decision")
    referral = _referral_for_page(request, reference)
    _require(request.user, Action.RESOLVE_DUPLICATE)
    flag = get_object_or_404(PossibleDuplicate, pk=flag_id, referral=referral)
    form = ReasonForm(request.POST)
    service = merge_duplicate if decision == "merge" else dismiss_duplicate
    return _act(
        request,
        referral,
        form,
        "duplicates",
        lambda data: service(flag=flag, reason=data["reason"], resolved_by=request.user),
        "Marked as the same child." if decision == "merge" else "Marked as a different child.",
        shown={flag.pk: form},
    )


@login_required
def flag_duplicate(request, reference: str):
    """Flag this referral and another as possibly the same child, for the usual decision on the referral page."""
    referral = _referral_for_page(request, reference)
    _require(request.user, Action.RESOLVE_DUPLICATE)
    form = FlagDuplicateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag = flag_possible_duplicate(
                referral=referral,
                other_reference=form.cleaned_data["other_reference"],
                reason=form.cleaned_data["reason"],
                flagged_by=request.user,
            )
        except NotAllowed as refusal:
            raise PermissionDenied(str(refusal)) from refusal
        except (ValueError, TransitionRefused) as problem:
            form.add_error("other_reference", str(problem))
        else:
            messages.success(
                request, f"Flagged as possibly the same child as {flag.existing_referral.reference}: decide it below."
            )
            return redirect(reverse("referrals:show_referral", args=[flag.referral.reference]) + "#possible-duplicates")
    return render(
        request,
        "referrals/flag_duplicate.jinja",
        {"referral": referral, "form": form, "page_title": "Flag a possible duplicate", "active_nav": "inbox"},
        status=400 if request.method == "POST" else 200,
    )


def _merge_undone_message(plan) -> str:
    said = ["Merge undone."]
    if plan.separated is not None:
        said.append(f"{plan.separated.full_name}'s record is separate again, with its referrals and contacts.")
    if plan.reopening:
        said.append(f"Referral {plan.reopening} is back to: {presenters.status_label(plan.reopened_status).lower()}.")
    if plan.invitations_reopened:
        said.append("Its invitation to book, closed while the referral was closed, is open again.")
    if plan.unlinking:
        said.append(f"Referral {plan.unlinking} is no longer linked to the earlier episode.")
    said.extend(plan.not_restored)
    if plan.staying:
        said.append(
            f"Referrals received since the merge stay with {plan.surviving.full_name}'s record: check each is about "
            f"the right child ({', '.join(plan.staying)})."
        )
    said.append(LETTERS_UNCHANGED)
    return " ".join(said)


@login_required
@require_POST
def undo_merge(request, reference: str, flag_id: int):
    """A team lead, or the person who merged, separates two records a wrong merge joined (with a reason)."""
    referral = _referral_for_page(request, reference)
    _require(request.user, Action.UNDO_MERGE)
    flag = get_object_or_404(PossibleDuplicate, pk=flag_id, referral=referral)
    form = ReasonForm(request.POST)
    return _act(
        request,
        referral,
        form,
        "undo_merge",
        lambda data: unmerge_duplicate(flag=flag, reason=data["reason"], undone_by=request.user),
        _merge_undone_message,
        shown={flag.pk: form},
    )
