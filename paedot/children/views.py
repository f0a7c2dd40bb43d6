"""Staff pages for changing a child's and family's details from the referral page: one form per section (the
child, the parent or carer, the GP practice, the school), and the list of previous details. Thin: form -> service ->
redirect, with each refusal put back against its question. Referrals only through Referral.objects.visible_to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from paedot.children import presenters
from paedot.children.forms import ChildDetailsForm, GPPracticeForm, ParentCarerForm, SchoolForm
from paedot.children.services import (
    DetailsChanged,
    DetailsInvalid,
    NhsNumberHeld,
    RecordMerged,
    change_child_details,
    change_gp_practice,
    change_parent_carer,
    change_school,
    details_history,
)
from paedot.children.services.details import current_gp_practice_warnings, school_label
from paedot.core.audit import record_view
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.restricted_records.views import referral_or_break_glass
from paedot.staff.rules import Action, may, refusal

# Where the services' field names are asked on the pages.
FORM_FIELDS = {"gp_practice_code": "gp_practice", "school_urn": "school", "school_name": "school"}


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _referral(request: HttpRequest, reference: str) -> Referral:
    return referral_or_break_glass(
        request, Referral.objects.visible_to(request.user).select_related("child", "parent_carer"), reference
    )


def _referral_href(referral: Referral) -> str:
    return reverse("referrals:show_referral", args=[referral.reference])


def _attempt(form, call) -> tuple[DetailsChanged | None, int]:
    """Call the service; each refusal goes back on the form against its question (the status for the page)."""
    try:
        return call(), 200
    except NotAllowed as not_allowed:
        raise PermissionDenied(str(not_allowed)) from not_allowed
    except DetailsInvalid as invalid:
        for problem in invalid.problems:
            field = FORM_FIELDS.get(problem.field, problem.field)
            form.add_error(field if field in form.fields else None, problem.message)
        return None, 400
    except NhsNumberHeld as held:
        form.add_error("nhs_number" if "nhs_number" in form.fields else None, str(held))
        return None, 409
    except RecordMerged as merged:
        form.add_error(None, str(merged))
        return None, 409


def _page(request, template: str, referral: Referral, form, *, title: str, status: int, **extra) -> HttpResponse:
    if request.method == "GET":
        record_view(request, referral)
    context = {
        "referral": referral,
        "form": form,
        "page_title": ("Error: " if form.errors else "") + f"{title} for {referral.reference}",
        "heading": title,
        "back_href": _referral_href(referral),
        "active_nav": "inbox",
        **extra,
    }
    return render(request, template, context, status=status)


def _done(request, referral: Referral, result: DetailsChanged) -> HttpResponse:
    messages.success(request, presenters.confirmation(result))
    return redirect(_referral_href(referral) + "#child-and-family")


@login_required
@require_http_methods(["GET", "POST"])
def change_child_details_page(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request.user, Action.UPDATE_CHILD_DETAILS)
    referral = _referral(request, reference)
    child = referral.child
    posted = request.method == "POST"
    form = ChildDetailsForm(request.POST if posted else None, initial=ChildDetailsForm.initial_for(child))
    status = 400 if posted else 200
    if posted and form.is_valid():
        result, status = _attempt(
            form,
            lambda: change_child_details(
                child=child,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                changed_by=request.user,
                referral=referral,
            ),
        )
        if result is not None:
            return _done(request, referral, result)
    return _page(
        request, "children/change_child.jinja", referral, form, title="Change the child's details", status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_parent_carer_page(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request.user, Action.UPDATE_CHILD_DETAILS)
    referral = _referral(request, reference)
    parent = referral.parent_carer
    posted = request.method == "POST"
    form = ParentCarerForm(request.POST if posted else None, initial=ParentCarerForm.initial_for(parent))
    status = 400 if posted else 200
    if posted and form.is_valid():
        result, status = _attempt(
            form,
            lambda: change_parent_carer(
                parent_carer=parent,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                changed_by=request.user,
                referral=referral,
            ),
        )
        if result is not None:
            return _done(request, referral, result)
    return _page(
        request,
        "children/change_parent_carer.jinja",
        referral,
        form,
        title="Change the parent or carer's details",
        status=status,
        shared=referral.parent_carer.referrals.exclude(pk=referral.pk).count(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_gp_practice_page(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request.user, Action.UPDATE_CHILD_DETAILS)
    referral = _referral(request, reference)
    posted = request.method == "POST"
    current = presenters.practice_shown(referral)
    form = GPPracticeForm(request.POST if posted else None, initial={"gp_practice": current})
    status = 400 if posted else 200
    if posted and form.is_valid():
        result, status = _attempt(
            form,
            lambda: change_gp_practice(
                referral=referral,
                gp_practice_code=form.cleaned_data["gp_practice_code"],
                reason=form.cleaned_data["reason"],
                changed_by=request.user,
            ),
        )
        if result is not None:
            said = presenters.confirmation(result)
            if not Referral.objects.visible_to(request.user).filter(pk=referral.pk).exists():
                # Its new locality is not one of this person's: no page of the referral opens for them any more, so
                # this answer says what was done (the reference only; nothing about the child).
                return render(
                    request,
                    "children/moved_away.jinja",
                    {
                        "reference": referral.reference,
                        "said": said,
                        "warnings": result.warnings,
                        "page_title": f"GP practice changed for {referral.reference}",
                        "back_href": reverse("referrals:inbox"),
                        "active_nav": "inbox",
                    },
                )
            if result.warnings:
                # The GP page says what a person must now decide, for as long as the practice is one we do not cover.
                messages.success(request, said)
                return redirect("children:change_gp_practice", reference=referral.reference)
            return _done(request, referral, result)
    return _page(
        request,
        "children/change_gp_practice.jinja",
        referral,
        form,
        title="Change the GP practice",
        status=status,
        current=current,
        warnings=current_gp_practice_warnings(referral),
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_school_page(request: HttpRequest, reference: str) -> HttpResponse:
    _require(request.user, Action.UPDATE_CHILD_DETAILS)
    referral = _referral(request, reference)
    posted = request.method == "POST"
    form = SchoolForm(
        request.POST if posted else None, initial={"school": school_label(referral.school_urn, referral.school_name)}
    )
    status = 400 if posted else 200
    if posted and form.is_valid():
        result, status = _attempt(
            form,
            lambda: change_school(
                referral=referral,
                school_urn=form.cleaned_data["school_urn"],
                school_name=form.cleaned_data["school_name"],
                reason=form.cleaned_data["reason"],
                changed_by=request.user,
            ),
        )
        if result is not None:
            return _done(request, referral, result)
    return _page(request, "children/change_school.jinja", referral, form, title="Change the school", status=status)


@login_required
@require_GET
def previous_details(request: HttpRequest, reference: str) -> HttpResponse:
    """What the child's and family's details were before each change, newest first."""
    _require(request.user, Action.VIEW_REFERRALS)
    referral = _referral(request, reference)
    record_view(request, referral)
    return render(
        request,
        "children/previous_details.jinja",
        {
            "referral": referral,
            "rows": presenters.history_rows(details_history(referral), reference=referral.reference),
            "page_title": f"Previous details for {referral.reference}",
            "back_href": _referral_href(referral),
            "active_nav": "inbox",
            "can_change": may(request.user, Action.UPDATE_CHILD_DETAILS),
        },
    )
