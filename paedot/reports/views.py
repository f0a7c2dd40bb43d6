"""Staff pages for the service's figures: the dashboard and its CSV tables (team leads, commissioners read-only), and
the monthly national returns (team leads and clinical admin staff; the patient-level extract never for
commissioners)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from paedot.core.audit import record_event
from paedot.referrals.models import Referral
from paedot.reports import presenters, queries, returns, rules
from paedot.reports.forms import DashboardFilterForm, ReturnsForm
from paedot.staff.rules import Action, may, refusal

EXPORTED = "report.exported"


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise PermissionDenied(refusal(action))


def may_see_sitrep(user) -> bool:
    """The SitRep is counts only: whoever may see the dashboard or make the returns."""
    return may(user, Action.VIEW_SERVICE_REPORTS) or may(user, Action.RUN_NATIONAL_RETURNS)


csv_response = presenters.csv_response


# The dashboard ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def show_dashboard(request: HttpRequest) -> HttpResponse:
    """Every figure for the chosen period and children, each as a chart with its table and a CSV download."""
    _require(request.user, Action.VIEW_SERVICE_REPORTS)
    form = DashboardFilterForm(request.GET)
    today = timezone.localdate()
    sections = []
    filters = None
    if form.is_valid():
        filters = form.filters(today)
        sections = presenters.dashboard_sections(queries.summary(filters, today=today))
    query = request.GET.urlencode() if form.is_valid() else ""
    return render(
        request,
        "reports/show_dashboard.jinja",
        {
            "form": form,
            "filters": filters,
            "period": presenters.period_text(filters) if filters else "",
            "sections": sections,
            "csv_query": f"?{query}" if query else "",
            "filtered": bool(query),
            "may_run_returns": may_see_sitrep(request.user),
            "page_title": ("Error: " if form.errors else "") + "Service dashboard",
            "active_nav": "reports",
        },
    )


@login_required
@require_GET
def download_table(request: HttpRequest, name: str) -> HttpResponse:
    """One of the dashboard's tables as CSV, with the same filters. The download is recorded in the audit trail."""
    _require(request.user, Action.VIEW_SERVICE_REPORTS)
    if name not in presenters.TABLES:
        raise Http404("No such table")
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "The filters are not valid: " + "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    table = presenters.table_for(name, filters)
    detail = {"report": "dashboard", "table": name, **filters.as_detail()}
    record_event(action=EXPORTED, actor=request.user, detail=detail)
    return csv_response(presenters.csv_rows(table), f"{name}.csv")


# The national returns --------------------------------------------------------------------------------------------


@login_required
@require_GET
def show_returns(request: HttpRequest) -> HttpResponse:
    """Choose a month; see its SitRep counts; download the SitRep and (for those who make the returns) the CSDS."""
    if not may_see_sitrep(request.user):
        raise PermissionDenied(refusal(Action.RUN_NATIONAL_RETURNS))
    form = ReturnsForm(request.GET or None)
    month = form.chosen_month() if form.is_valid() else rules.parse_month(form.fields["month"].initial)
    figures = returns.sitrep(month)
    query = f"?month={month:%Y-%m}"
    return render(
        request,
        "reports/show_returns.jinja",
        {
            "form": form,
            "month": month,
            "sitrep": figures,
            "bands": [(presenters.band_label(band), count) for band, count in figures.by_band.items()],
            "sitrep_href": reverse("reports:download_sitrep") + query,
            "csds_hrefs": [
                (table, reverse("reports:download_csds", args=[table.lower()]) + query) for table in returns.CSDS_TABLES
            ]
            if may(request.user, Action.RUN_NATIONAL_RETURNS)
            else [],
            "may_see_dashboard": may(request.user, Action.VIEW_SERVICE_REPORTS),
            "page_title": ("Error: " if form.errors else "") + "National returns",
            "active_nav": "reports",
        },
    )


def _month_or_400(request: HttpRequest):
    form = ReturnsForm(request.GET)
    if not form.is_valid():
        return None, HttpResponse(
            "Choose a month that has begun, as YYYY-MM.", status=400, content_type="text/plain; charset=utf-8"
        )
    return form.chosen_month(), None


@login_required
@require_GET
def download_sitrep(request: HttpRequest) -> HttpResponse:
    if not may_see_sitrep(request.user):
        raise PermissionDenied(refusal(Action.RUN_NATIONAL_RETURNS))
    month, refused = _month_or_400(request)
    if refused:
        return refused
    figures = returns.sitrep(month)
    record_event(action=EXPORTED, actor=request.user, detail={"report": "sitrep", "month": f"{month:%Y-%m}"})
    return csv_response(returns.sitrep_rows(figures), f"sitrep-{month:%Y-%m}.csv")


@login_required
@require_GET
def download_csds(request: HttpRequest, table: str) -> HttpResponse:
    """The patient-level CSDS extract: team leads and clinical admin staff only, never commissioners."""
    _require(request.user, Action.RUN_NATIONAL_RETURNS)
    table = table.upper()
    if table not in returns.CSDS_TABLES:
        raise Http404("No such CSDS table")
    month, refused = _month_or_400(request)
    if refused:
        return refused
    record_event(
        action=EXPORTED, actor=request.user, detail={"report": "csds", "table": table, "month": f"{month:%Y-%m}"}
    )
    rows = returns.csds_rows(month, within=Referral.objects.visible_to(request.user), table=table)
    return csv_response(rows, f"csds-{table.lower()}-{month:%Y-%m}.csv")
