"""A referral's child and family in the API: change their details, and read what they were before.

The same services as the staff pages, so the same permissions and the same checks: 400 naming each field that cannot
be kept, 403 for a role that may not change details, 404 for a referral the caller may not see, 409 for an NHS number
another child's record holds (or a merged record: change the surviving one).
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import Field

from paedot.children import presenters
from paedot.children.rules import DetailsProblem
from paedot.children.services import (
    DetailsChanged,
    DetailsInvalid,
    NhsNumberHeld,
    change_child_details,
    change_gp_practice,
    change_parent_carer,
    change_school,
    details_history,
)
from paedot.config.api import BearerToken
from paedot.eligibility.schemas import IsoDate
from paedot.referrals.api import find_referral
from paedot.referrals.schemas import ErrorOut
from paedot.staff.rules import Action

router = Router(tags=["Child and family details"])

Reason = Annotated[str, Field(max_length=4000, description="How the service heard of the change: kept with it.")]


class ChildDetailsChangeIn(Schema):
    """Only the details sent are changed; leave the others out. A blank NHS number, address or postcode removes it."""

    given_name: Annotated[str, Field(max_length=200)] | None = None
    family_name: Annotated[str, Field(max_length=200)] | None = None
    date_of_birth: IsoDate | None = Field(default=None, description="YYYY-MM-DD")
    nhs_number: Annotated[str, Field(max_length=20)] | None = None
    address: Annotated[str, Field(max_length=1000)] | None = None
    postcode: Annotated[str, Field(max_length=20)] | None = None
    reason: Reason = ""


class ParentCarerDetailsChangeIn(Schema):
    """Only the details sent are changed. The reason is optional here."""

    name: Annotated[str, Field(max_length=400)] | None = None
    relationship: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=60)] | None = None
    email: Annotated[str, Field(max_length=400)] | None = None
    language: Annotated[str, Field(max_length=200)] | None = None
    interpreter_needed: bool | None = None
    reason: Reason = ""


class GpPracticeChangeIn(Schema):
    gp_practice_code: Annotated[str, Field(max_length=20, description="ODS code, e.g. M85001")]
    reason: Reason = ""


class SchoolChangeIn(Schema):
    """A school from the directory by its URN (its name comes from there); or a name alone for one the directory
    does not hold; or neither, when the child is at no school or nursery."""

    school_urn: Annotated[str, Field(max_length=20)] | None = None
    school_name: Annotated[str, Field(max_length=400)] | None = None
    reason: Reason = ""


class DetailsWarningOut(Schema):
    code: str
    message: str


class ChildDetailsOut(Schema):
    reference: str
    given_name: str
    family_name: str
    date_of_birth: str
    nhs_number: str | None
    address: str
    postcode: str
    changed: list[str]
    home_visits_readdressed: int
    message: str


class ParentCarerDetailsOut(Schema):
    reference: str
    name: str
    relationship: str
    phone: str
    email: str
    language: str
    interpreter_needed: bool
    changed: list[str]
    message: str


class GpPracticeChangeOut(Schema):
    reference: str
    gp_practice_code: str
    gp_practice_name: str
    locality: str | None
    locality_before: str | None
    changed: list[str]
    warnings: list[DetailsWarningOut] = Field(
        description="The practice is closed or outside Birmingham: the child may no longer be eligible and a person "
        "decides (nothing is discharged)."
    )
    message: str


class SchoolChangeOut(Schema):
    reference: str
    school_urn: str | None
    school_name: str | None
    in_directory: bool
    changed: list[str]
    message: str


class DetailsChangeOut(Schema):
    changed_at: str
    section: str
    field: str
    label: str
    before: str
    after: str
    reason: str
    changed_by: str
    referral: str | None


class DetailsHistoryOut(Schema):
    reference: str
    changes: list[DetailsChangeOut]


class NhsNumberHeldOut(Schema):
    message: str
    other_referral: str | None = None


def _invalid(problems: tuple[DetailsProblem, ...]) -> ValidationError:
    """Every problem as the API's 400 gives them: one entry per field, named."""
    return ValidationError(
        [{"loc": ["body", problem.field], "msg": problem.message, "type": "value_error"} for problem in problems]
    )


def _perform(call) -> DetailsChanged:
    try:
        return call()
    except DetailsInvalid as invalid:
        raise _invalid(invalid.problems) from invalid


CHANGE_RESPONSES = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.patch(
    "/referrals/{reference}/child",
    auth=BearerToken(),
    response={200: ChildDetailsOut, **CHANGE_RESPONSES, 409: NhsNumberHeldOut},
    summary="Change the child's details",
)
def change_child(request: HttpRequest, reference: str, payload: ChildDetailsChangeIn):
    """Names, date of birth, NHS number, address and postcode, checked as a referral's are; the reason is needed
    when anything changes. The old values are kept (GET .../details-history). A new address also moves the child's
    home visits still to come (`home_visits_readdressed`). 409 when another child's record has the NHS number
    (`other_referral`: a possible duplicate for a person to check), or when this record was merged into another."""
    referral = find_referral(request, reference, action=Action.UPDATE_CHILD_DETAILS)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    child = referral.child
    try:
        result = _perform(
            lambda: change_child_details(
                child=child, changes=changes, reason=reason, changed_by=request.auth, referral=referral
            )
        )
    except NhsNumberHeld as held:
        return Status(409, {"message": str(held), "other_referral": held.other_reference or None})
    return {
        "reference": referral.reference,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "nhs_number": child.nhs_number or None,
        "address": child.address,
        "postcode": child.postcode,
        "changed": list(result.fields),
        "home_visits_readdressed": result.home_visits_readdressed,
        "message": presenters.confirmation(result),
    }


@router.patch(
    "/referrals/{reference}/parent-carer",
    auth=BearerToken(),
    response={200: ParentCarerDetailsOut, **CHANGE_RESPONSES},
    summary="Change the parent or carer's details",
)
def change_parent(request: HttpRequest, reference: str, payload: ParentCarerDetailsChangeIn):
    """The referral's main contact: name, relationship, phone, email, preferred language, interpreter needed. Letters,
    emails and texts from now on use them, on every referral naming this contact."""
    referral = find_referral(request, reference, action=Action.UPDATE_CHILD_DETAILS)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    parent = referral.parent_carer
    result = _perform(
        lambda: change_parent_carer(
            parent_carer=parent, changes=changes, reason=reason, changed_by=request.auth, referral=referral
        )
    )
    return {
        "reference": referral.reference,
        **{name: getattr(parent, name) for name in ("name", "relationship", "phone", "email", "language")},
        "interpreter_needed": parent.interpreter_needed,
        "changed": list(result.fields),
        "message": presenters.confirmation(result),
    }


@router.put(
    "/referrals/{reference}/gp-practice",
    auth=BearerToken(),
    response={200: GpPracticeChangeOut, **CHANGE_RESPONSES},
    summary="Change the child's GP practice",
)
def change_gp(request: HttpRequest, reference: str, payload: GpPracticeChangeIn):
    """By ODS code, from the directory. The referral moves to the practice's locality (it then appears in that
    locality's lists). A closed practice, or one outside Birmingham, is recorded with `warnings`: the child may no
    longer be eligible, and a person decides. An unknown code is a 400."""
    referral = find_referral(request, reference, action=Action.UPDATE_CHILD_DETAILS)
    result = _perform(
        lambda: change_gp_practice(
            referral=referral,
            gp_practice_code=payload.gp_practice_code,
            reason=payload.reason,
            changed_by=request.auth,
        )
    )
    return {
        "reference": referral.reference,
        "gp_practice_code": referral.gp_practice_code,
        "gp_practice_name": referral.gp_practice_name,
        "locality": referral.locality or None,
        "locality_before": result.locality_before or None,
        "changed": list(result.fields),
        "warnings": [{"code": warning.code, "message": warning.message} for warning in result.warnings],
        "message": presenters.confirmation(result),
    }


@router.put(
    "/referrals/{reference}/school",
    auth=BearerToken(),
    response={200: SchoolChangeOut, **CHANGE_RESPONSES},
    summary="Change the child's school or nursery",
)
def change_school_endpoint(request: HttpRequest, reference: str, payload: SchoolChangeIn):
    referral = find_referral(request, reference, action=Action.UPDATE_CHILD_DETAILS)
    result = _perform(
        lambda: change_school(
            referral=referral,
            school_urn=payload.school_urn or "",
            school_name=payload.school_name or "",
            reason=payload.reason,
            changed_by=request.auth,
        )
    )
    return {
        "reference": referral.reference,
        "school_urn": referral.school_urn or None,
        "school_name": referral.school_name or None,
        "in_directory": result.in_directory,
        "changed": list(result.fields),
        "message": presenters.confirmation(result),
    }


@router.get(
    "/referrals/{reference}/details-history",
    auth=BearerToken(),
    response={200: DetailsHistoryOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Read the child's and family's previous details",
)
def read_details_history(request: HttpRequest, reference: str):
    """Each detail changed since the referral, newest first, with what it was and became, who changed it and why:
    the child's and their parents' or carers' details, and this referral's GP practice and school."""
    referral = find_referral(request, reference, action=Action.VIEW_REFERRALS)
    rows = presenters.history_rows(details_history(referral), reference=referral.reference)
    return {
        "reference": referral.reference,
        "changes": [
            {
                "changed_at": row["at"].isoformat(),
                "section": row["section"],
                "field": row["field"],
                "label": row["what"],
                "before": row["before_value"],
                "after": row["after_value"],
                "reason": row["reason"],
                "changed_by": row["username"],
                "referral": row["referral"] or None,
            }
            for row in rows
        ],
    }
