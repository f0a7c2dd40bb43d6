"""Views every deployment needs (the health check used by load balancers and monitoring) and the audit trail's
pages for auditors."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from paedot.core import audit
from paedot.nhsuk_forms.fields import DateField
from paedot.staff.rules import Action, may, refusal


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "checks": {"database": "failed"}}, status=503)
    return JsonResponse({"status": "ok"})


# The audit trail, for auditors: search it and export what was found.
AUDIT_PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    child = forms.CharField(
        label="Child", required=False, max_length=40, help_text="NHS number, referral reference or child's id"
    )
    user = forms.CharField(label="User", required=False, max_length=150, help_text="Username")
    action = forms.CharField(
        label="Action", required=False, max_length=80, help_text="For example record.viewed or sign_in"
    )
    date_from = DateField(label="From", required=False, past_only=False, help_text="For example, 15 3 2027")
    date_to = DateField(label="To", required=False, past_only=False, help_text="For example, 15 3 2027")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "To must be the same as or after From")
        return cleaned

    def filters(self) -> audit.AuditFilters:
        return audit.AuditFilters(**{name: self.cleaned_data.get(name) or "" for name in self.fields})


def _require_auditor(user) -> None:
    if not may(user, Action.VIEW_AUDIT):
        raise PermissionDenied(refusal(Action.VIEW_AUDIT))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def search_audit_trail(request):
    _require_auditor(request.user)
    form = AuditSearchForm(request.GET or None)
    searched = form.is_bound and form.is_valid()
    filters = form.filters() if searched else audit.AuditFilters()
    if form.is_bound and not searched:
        page = None
    else:
        # Two queries whatever the trail's length: the count and the page, actors joined in.
        page = Paginator(audit.search_trail(filters), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    return render(
        request,
        "core/audit/search.jinja",
        {
            "page_title": "Audit trail",
            "active_nav": "audit",
            "form": form,
            "page": page,
            "query": query,
            "actor_name": audit.actor_name,
        },
        status=200 if page is not None else 400,
    )


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def export_audit_trail(request):
    _require_auditor(request.user)
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return search_audit_trail(request)
    filters = form.filters() if form.is_bound else audit.AuditFilters()
    # The export is itself recorded, with what was searched for, before any row leaves.
    audit.record_event(action=audit.Actions.AUDIT_EXPORTED, actor=request.user, detail=filters.as_detail())
    writer = csv.writer(_Echo())
    rows = (audit.csv_row(event) for event in audit.search_trail(filters).iterator(chunk_size=2000))
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _with_header(rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _with_header(rows):
    yield audit.CSV_COLUMNS
    yield from rows
