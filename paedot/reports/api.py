"""The service's figures and the national returns in the API: the dashboard's figures as JSON, and the SitRep and
CSDS extract as CSV. The same permissions as the pages: the summary for team leads and commissioners, the SitRep
also for clinical admin staff, the patient-level CSDS extract never for commissioners. Downloads are audited."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field, model_validator

from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.audit import record_event
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.reports import presenters, queries, returns, rules
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Reports"])

EXPORTED = "report.exported"
CSV_RESPONSE = {
    "responses": {
        200: {"description": "CSV, with a heading row", "content": {"text/csv": {"schema": {"type": "string"}}}}
    }
}


class SummaryQuery(Schema):
    date_from: dt.date | None = Field(None, description="Inclusive; default: the first day of the month 11 months ago")
    date_to: dt.date | None = Field(None, description="Inclusive; default: today")
    locality: Literal["Central", "East", "North", "South", "West", ""] = ""
    priority: Literal["urgent", "soon", "routine", ""] = ""
    pathway: Literal["advice_and_strategies", "package_of_care", "group", ""] = ""

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_to must be the same as or after date_from")
        return self


class MonthCount(Schema):
    month: str = Field(description="YYYY-MM")
    count: int


class WaitingMonth(MonthCount):
    on: dt.date = Field(description="The day the waiting list was counted: the month's end, or the period's end")


class ReferrerCount(Schema):
    referrer_role: str
    count: int


class StatusCount(Schema):
    status: str
    count: int


class ReasonCount(Schema):
    code: str = Field(description="An eligibility reason code, or screeners_decision when no rule failed")
    count: int


class FirstAppointmentOut(Schema):
    count: int
    mean_days: float | None
    median_days: int | None
    p92_days: int | None
    by_band: dict[str, int]


class ClinicianCount(Schema):
    username: str
    name: str
    count: int


class AttendanceOut(Schema):
    attended: int
    was_not_brought: int
    was_not_brought_rate: float | None = Field(description="Percentage of appointments attended or missed")


class SettingCount(Schema):
    setting: str
    count: int


class KindCount(Schema):
    kind: str
    count: int


class GoalAttainmentOut(Schema):
    reviews: int
    mean_t_score: float | None
    goals_rated: int
    at_or_above_expected: int
    share_at_or_above_expected: float | None = Field(description="Percentage of goals rated 0 or above")
    by_level: dict[str, int]


class CopmChangeOut(Schema):
    reviews: int
    mean_performance_change: float | None
    mean_satisfaction_change: float | None
    performance_up_2_or_more: int
    share_performance_up_2_or_more: float | None
    satisfaction_up_2_or_more: int


class SummaryOut(Schema):
    date_from: dt.date
    date_to: dt.date
    locality: str
    priority: str
    pathway: str
    referrals_by_month: list[MonthCount]
    referrals_by_referrer: list[ReferrerCount]
    outcomes: list[StatusCount]
    decline_reasons: list[ReasonCount]
    waiting_on: dt.date = Field(description="The waiting list is counted at the end of the period (today at most)")
    waiting_total: int = Field(description="Agrees with the count of GET /api/waiting-list with the same locality")
    waiting_by_band: dict[str, int]
    waiting_median_days: int | None
    waiting_p92_days: int | None
    over_52_weeks: int
    waiting_over_time: list[WaitingMonth]
    first_appointment_waits: FirstAppointmentOut
    caseload_by_clinician: list[ClinicianCount]
    attendance: AttendanceOut
    contacts_by_setting: list[SettingCount]
    contacts_by_kind: list[KindCount]
    goal_attainment: GoalAttainmentOut
    copm_change: CopmChangeOut


@router.get(
    "/reports/summary",
    auth=BearerToken(),
    response={200: SummaryOut, 400: dict, 401: dict, 403: dict},
    summary="The service dashboard's figures",
)
def get_summary(request: HttpRequest, query: Query[SummaryQuery]):
    """Referrals by month, referrer type, outcome and decline reason; the waiting list (total, national bands, median
    and 92nd percentile days, over 52 weeks, month-end sizes); first-appointment waits; caseloads; attendance and
    contacts; goal attainment and COPM change. Percentiles are nearest-rank. Team leads and commissioners."""
    if not may(request.auth, Action.VIEW_SERVICE_REPORTS):
        raise NotAllowed(refusal(Action.VIEW_SERVICE_REPORTS))
    filters = queries.Filters.for_period(
        query.date_from, query.date_to, locality=query.locality, priority=query.priority, pathway=query.pathway
    )
    if filters.date_from > filters.date_to:
        raise bad_request("date_from", "date_from must be the same as or before date_to")
    if (filters.date_to - filters.date_from).days > MAX_PERIOD_DAYS:
        raise bad_request("date_from", "The period can be at most 10 years")
    return presenters.as_json(queries.summary(filters))


# The waiting list over time has a column per month-end: ten years is plenty, and keeps the query bounded.
MAX_PERIOD_DAYS = 3653


class MonthQuery(Schema):
    month: str = Field(description="YYYY-MM: a month that has begun")


class CsdsQuery(MonthQuery):
    table: Literal["CYP101", "CYP201"] = Field("CYP101", description="CYP101 referrals, or CYP201 care contacts")


def _month(text: str) -> dt.date:
    try:
        return returns.check_month(rules.parse_month(text), timezone.localdate())
    except ValueError as error:
        raise bad_request("month", str(error)) from error


@router.get(
    "/reports/sitrep",
    auth=BearerToken(),
    response={400: dict, 401: dict, 403: dict},
    summary="The month's waiting list counts (SitRep), as CSV",
    openapi_extra=CSV_RESPONSE,
)
def get_sitrep(request: HttpRequest, query: Query[MonthQuery]):
    """Children waiting at the month's end by national band (today, and marked provisional, for this month). Counts
    only: team leads, commissioners and clinical admin staff."""
    if not (may(request.auth, Action.VIEW_SERVICE_REPORTS) or may(request.auth, Action.RUN_NATIONAL_RETURNS)):
        raise NotAllowed(refusal(Action.RUN_NATIONAL_RETURNS))
    month = _month(query.month)
    figures = returns.sitrep(month)
    record_event(action=EXPORTED, actor=request.auth, detail={"report": "sitrep", "month": f"{month:%Y-%m}"})
    return presenters.csv_response(returns.sitrep_rows(figures), f"sitrep-{month:%Y-%m}.csv")


@router.get(
    "/reports/csds",
    auth=BearerToken(),
    response={400: dict, 401: dict, 403: dict},
    summary="The month's Community Services Data Set extract, as CSV",
    openapi_extra=CSV_RESPONSE,
)
def get_csds(request: HttpRequest, query: Query[CsdsQuery]):
    """Patient-level rows shaped on CSDS CYP101 (referrals open in the month; the default) or CYP201 (care contacts
    in the month). Team leads and clinical admin staff only: never commissioners."""
    if not may(request.auth, Action.RUN_NATIONAL_RETURNS):
        raise NotAllowed(refusal(Action.RUN_NATIONAL_RETURNS))
    month = _month(query.month)
    record_event(
        action=EXPORTED, actor=request.auth, detail={"report": "csds", "table": query.table, "month": f"{month:%Y-%m}"}
    )
    rows = returns.csds_rows(month, within=Referral.objects.visible_to(request.auth), table=query.table)
    return presenters.csv_response(rows, f"csds-{query.table.lower()}-{month:%Y-%m}.csv")
