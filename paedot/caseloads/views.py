"""Staff pages for allocation and caseloads: allocating or transferring a child, and who holds which children."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from paedot.caseloads.forms import AllocationForm, LocalityFilterForm
from paedot.caseloads.services import ALLOCATABLE, Caseload, allocate_referral, caseloads
from paedot.referrals import presenters
from paedot.referrals.models import Priority, Referral, Status
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.staff.models import CLINICAL_ROLES, User
from paedot.staff.rules import Action, may, refusal
from paedot.triage.presenters import priority_tag
from paedot.waiting_list import rules as waiting_rules

PAGE_SIZE = 100
# The columns of a caseload: the open statuses a clinician's children can be in, and the priorities.
STATUS_COLUMNS = [
    (Status.ACCEPTED.value, "Accepted (not triaged)"),
    *((s.value, s.label) for s in (Status.WAITING, Status.INVITED, Status.BOOKED)),
]
PRIORITY_COLUMNS = [*((p.value, p.label) for p in Priority), ("untriaged", "Not triaged")]


@login_required
@require_http_methods(["GET", "POST"])
def allocate_referral_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Allocate a referral to a clinician; moving it from one clinician to another is a transfer, with a reason."""
    if not may(request.user, Action.ALLOCATE):
        raise PermissionDenied(refusal(Action.ALLOCATE))
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("child", "clinician"), reference=reference
    )
    form = AllocationForm(request.POST if request.method == "POST" else None, referral=referral)
    if request.method == "POST" and form.is_valid():
        clinician = form.cleaned_data["clinician"]
        transfer_from = referral.clinician
        try:
            allocate_referral(
                referral=referral, clinician=clinician, allocated_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValueError as error:
            form.add_error("reason" if str(error).startswith("Say why") else "clinician", str(error))
        except TransitionRefused as refused:
            form.add_error(None, str(refused))
        except NotAllowed as not_allowed:
            raise PermissionDenied(str(not_allowed)) from not_allowed
        else:
            done = (
                f"transferred from {transfer_from.display_name} to {clinician.display_name}"
                if transfer_from
                else f"allocated to {clinician.display_name}"
            )
            messages.success(request, f"Referral {referral.reference} {done}.")
            return redirect("referrals:show_referral", reference=referral.reference)
    is_transfer = referral.clinician_id is not None
    return render(
        request,
        "caseloads/allocate_referral.jinja",
        {
            "referral": referral,
            "form": form,
            "is_transfer": is_transfer,
            "allocatable": referral.status in ALLOCATABLE,
            "presenters": presenters,
            "priority_tag": priority_tag,
            "page_title": ("Error: " if form.errors else "")
            + (f"Transfer referral {referral.reference}" if is_transfer else f"Allocate referral {referral.reference}"),
            "back_href": reverse("referrals:show_referral", args=[referral.reference]),
            "active_nav": "caseloads",
        },
    )


def _caseload_row(load: Caseload) -> dict:
    return {
        "clinician": load.clinician,
        "statuses": [load.by_status.get(code, 0) for code, _ in STATUS_COLUMNS],
        "priorities": [load.by_priority.get(code, 0) for code, _ in PRIORITY_COLUMNS],
        "total": load.total,
    }


@login_required
def team_caseloads(request: HttpRequest) -> HttpResponse:
    """Every clinician's caseload, one row each, for the team lead to balance the work."""
    if not may(request.user, Action.VIEW_ALL_CASELOADS):
        raise PermissionDenied(refusal(Action.VIEW_ALL_CASELOADS))
    filters = LocalityFilterForm(request.GET or None)
    locality = filters.cleaned_data["locality"] if filters.is_valid() else ""
    people = User.objects.clinicians().select_related("supervisor").order_by("last_name", "first_name", "username")
    # A handful of clinicians: filtering the JSON list in Python works the same on SQLite and PostgreSQL.
    clinicians = [p for p in people if not locality or locality in (p.localities or [])]
    rows = [_caseload_row(load) for load in caseloads(clinicians)]
    totals = {
        "statuses": [sum(r["statuses"][i] for r in rows) for i in range(len(STATUS_COLUMNS))],
        "priorities": [sum(r["priorities"][i] for r in rows) for i in range(len(PRIORITY_COLUMNS))],
        "total": sum(r["total"] for r in rows),
    }
    return render(
        request,
        "caseloads/team_caseloads.jinja",
        {
            "rows": rows,
            "totals": totals,
            "filters": filters,
            "locality": locality,
            "status_columns": STATUS_COLUMNS,
            "priority_columns": PRIORITY_COLUMNS,
            "page_title": "Caseloads" + (f" in {locality}" if locality else ""),
            "active_nav": "caseloads",
        },
    )


@login_required
def my_caseload(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_clinician:
        if may(user, Action.VIEW_ALL_CASELOADS):
            return redirect("caseloads:team_caseloads")
        raise PermissionDenied("Only clinicians hold a caseload.")
    return _render_caseload(request, user)


@login_required
def show_caseload(request: HttpRequest, username: str) -> HttpResponse:
    """One clinician's caseload. A clinician sees their own; the team lead, admin staff and auditors see anyone's."""
    user = request.user
    own = username == user.get_username()
    if not (may(user, Action.VIEW_ALL_CASELOADS) or (own and may(user, Action.VIEW_CASELOADS))):
        raise PermissionDenied("You may see your own caseload only.")
    clinician = get_object_or_404(
        User.objects.filter(role__in=CLINICAL_ROLES).select_related("supervisor"), username=username
    )
    return _render_caseload(request, clinician)


def _render_caseload(request: HttpRequest, clinician: User) -> HttpResponse:
    if not clinician.is_clinician:
        raise Http404("No such clinician.")
    (load,) = caseloads([clinician])
    referrals = (
        Referral.objects.visible_to(request.user)
        .open()
        .filter(clinician=clinician)
        .select_related("child")
        # Waiting-list order; children not yet triaged (no priority) after those that are.
        .order_by(F("priority_rank").asc(nulls_last=True), "received_date", "id")
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for referral in page.object_list:
        days = waiting_rules.days_waiting(referral.received_date, today)
        rows.append(
            {
                "referral": referral,
                "weeks_waiting": waiting_rules.weeks_waiting(days),
                "band": waiting_rules.band_for(days),
                "stands_out": waiting_rules.band_for(days) in waiting_rules.LONG_WAIT_BANDS,
            }
        )
    own = clinician.pk == request.user.pk
    return render(
        request,
        "caseloads/show_caseload.jinja",
        {
            "clinician": clinician,
            "own": own,
            "row": _caseload_row(load),
            "page": page,
            "rows": rows,
            "status_columns": STATUS_COLUMNS,
            "priority_columns": PRIORITY_COLUMNS,
            "priority_tag": priority_tag,
            "presenters": presenters,
            "page_title": "My caseload" if own else f"Caseload: {clinician.display_name}",
            "back_href": reverse("caseloads:team_caseloads") if may(request.user, Action.VIEW_ALL_CASELOADS) else "",
            "active_nav": "caseloads",
        },
    )
