"""Staff pages for information governance: a subject access export (find the child, see what it holds, give the
reason, download JSON or PDF) and the retention report. Every step of the export is a POST, so no NHS number, name
or reason ever lands in a URL or a server log."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paedot.core.audit import record_view
from paedot.governance import services
from paedot.governance.forms import ExportForm, FindChildForm
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def _preview(request: HttpRequest, child, form: ExportForm, *, status: int = 200) -> HttpResponse:
    """The child found, what the export will hold, and the reason and download buttons."""
    counts = services.preview_subject_access(child=child, requested_by=request.user)
    record_view(request, child, child_id=child.pk, reason="Subject access: checking what an export holds")
    references = list(child.referrals.order_by("received_date", "id").values_list("reference", flat=True))
    return render(
        request,
        "governance/subject_access_preview.jinja",
        {
            "page_title": "Subject access export",
            "child": child,
            "references": references,
            "counts": counts,
            "total": sum(n for _key, _title, n in counts),
            "form": form,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find the child by NHS number or referral reference (posted, never in the URL)."""
    _require(request.user, Action.EXPORT_SUBJECT_ACCESS)
    form = FindChildForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                child = services.find_child(user=request.user, **form.lookup())
            except services.ChildNotFound:
                form.add_error("child", "No child found with that NHS number or referral reference")
                status = 404
            except services.SeveralChildren as several:
                form.add_error("child", str(several))
                status = 409
            except ValueError as problem:
                form.add_error("child", str(problem))
            else:
                return _preview(request, child, ExportForm(initial={"child": child.pk}))
    return render(
        request,
        "governance/subject_access_find.jinja",
        {"page_title": "Subject access export", "form": form},
        status=status,
    )


@never_cache
@login_required
@require_POST
def download_subject_access(request: HttpRequest) -> HttpResponse:
    """The export itself, as JSON or PDF: audited with its reason."""
    _require(request.user, Action.EXPORT_SUBJECT_ACCESS)
    form = ExportForm(request.POST)
    child_id = form.data.get("child", "")
    child = get_object_or_404(
        services.children_for_subject_access(request.user), pk=int(child_id) if str(child_id).isdigit() else 0
    )
    if not form.is_valid():
        return _preview(request, child, form, status=400)
    data = form.cleaned_data
    try:
        bundle = services.subject_access_export(
            child=child, requested_by=request.user, reason=data["reason"], format=data["format"]
        )
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from refused
    except ValueError as problem:
        form.add_error("reason", str(problem))
        return _preview(request, child, form, status=400)
    if data["format"] == "pdf":
        response = HttpResponse(bundle.as_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{bundle.filename("pdf")}"'
    else:
        response = HttpResponse(bundle.as_json(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{bundle.filename("json")}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def show_retention(request: HttpRequest) -> HttpResponse:
    """Records past their keep-until date, for a person to act on. Nothing is deleted here."""
    _require(request.user, Action.VIEW_RETENTION)
    today = timezone.localdate()
    rows = services.retention_report(user=request.user, as_of=today)
    return render(
        request,
        "governance/retention.jinja",
        {"page_title": "Records past their keep-until date", "rows": rows, "today": today},
    )


@login_required
@require_GET
def download_retention(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.VIEW_RETENTION)
    today = timezone.localdate()
    rows = services.retention_report(user=request.user, as_of=today, exported=True)
    out = io.StringIO()
    csv.writer(out).writerows(services.retention_csv_rows(rows))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="records-past-retention-{today.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response
