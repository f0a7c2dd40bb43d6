"""Subject access exports and the retention report in the API, with the same permissions as the pages.

The export is a POST, so an NHS number never appears in a URL or an access log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.governance import services
from paedot.referrals.api import perform
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Information governance"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The export: JSON (the default) or, with format pdf, a PDF",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


class SubjectAccessIn(Schema):
    nhs_number: Annotated[str, Field(max_length=20)] = ""
    reference: Annotated[str, Field(max_length=20)] = ""
    reason: Annotated[str, Field(max_length=services.MAX_REASON)] = Field(
        "", description="Why: the request this answers (kept in the audit trail)"
    )
    format: Literal["json", "pdf"] = "json"


@router.post(
    "/governance/subject-access",
    auth=BearerToken(),
    response={200: dict, 400: dict, 401: dict, 403: dict, 404: dict, 409: dict},
    summary="Everything held about a child (subject access)",
    openapi_extra=PDF_RESPONSE,
)
def export_subject_access(request: HttpRequest, payload: SubjectAccessIn):
    """Find the child by NHS number or referral reference and export everything held about them, as JSON (its shape
    is documented in paedot/governance/subject_access.py) or as a PDF. Team leads and clinical admin staff; every
    export is audited with its reason."""
    if not may(request.auth, Action.EXPORT_SUBJECT_ACCESS):
        raise NotAllowed(refusal(Action.EXPORT_SUBJECT_ACCESS))
    field = "reference" if payload.reference and not payload.nhs_number else "nhs_number"
    try:
        child = services.find_child(user=request.auth, nhs_number=payload.nhs_number, reference=payload.reference)
    except services.ChildNotFound as missing:
        raise HttpError(404, str(missing)) from missing
    except services.SeveralChildren as several:
        raise HttpError(409, str(several)) from several
    except ValueError as problem:
        raise bad_request(field, str(problem)) from problem
    bundle = perform(
        lambda: services.subject_access_export(
            child=child, requested_by=request.auth, reason=payload.reason, format=payload.format
        ),
        field="reason",
    )
    if payload.format == "pdf":
        response = HttpResponse(bundle.as_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{bundle.filename("pdf")}"'
        response["Cache-Control"] = "no-store"
        return response
    return bundle.data


class RetentionQuery(Schema):
    as_of: dt.date | None = Field(None, description="YYYY-MM-DD; default today")


class RetentionOut(Schema):
    child_id: int
    references: list[str]
    date_of_birth: dt.date
    treatment_ended_on: dt.date
    age_at_end_of_treatment: int
    keep_until: dt.date
    rule: Literal["25th_birthday", "26th_birthday", "8_years_after_treatment"] = Field(
        description="Which date applies: the 25th birthday; the 26th birthday (17 at the end of treatment, or 18 "
        "or older when 8 years after the end of treatment is no later); or 8 years after the end of treatment (18 "
        "or older, when that is later than the 26th birthday)"
    )
    why: str
    merged_child_ids: list[int] = Field(description="Records merged into this child's, kept and disposed of with it")


@router.get(
    "/governance/retention",
    auth=BearerToken(),
    response={200: list[RetentionOut], 400: dict, 401: dict, 403: dict},
    summary="Records past their keep-until date",
)
def list_records_past_retention(request: HttpRequest, query: Query[RetentionQuery]):
    """Children whose every referral is closed and whose keep-until date (25th birthday; 26th if 17 at the end of
    treatment; from 18, the later of the 26th birthday and 8 years after the end of treatment) is before as_of. A
    report for a person to act on: nothing is deleted. Team leads and auditors; each read is audited."""
    if not may(request.auth, Action.VIEW_RETENTION):
        raise NotAllowed(refusal(Action.VIEW_RETENTION))
    rows = services.retention_report(user=request.auth, as_of=query.as_of or timezone.localdate())
    return [services.retention_json(row) for row in rows]
