"""Allocation and caseloads in the API."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from paedot.caseloads.services import allocate_referral, caseloads
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.referrals.api import ACTION_RESPONSES, find_referral, perform, referral_out
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.models import User
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Caseloads"])


class AllocateIn(Schema):
    clinician: Annotated[str, Field(min_length=1, max_length=150)]
    reason: Annotated[str, Field(max_length=4000)] = ""


@router.post("/referrals/{reference}/allocate", auth=BearerToken(), response=ACTION_RESPONSES, summary="Allocate")
def allocate(request: HttpRequest, reference: str, payload: AllocateIn):
    """Allocate to a clinician by username. Moving a child from one clinician to another is a transfer: give a
    `reason`."""
    referral = find_referral(request, reference, action=Action.ALLOCATE)
    clinician = User.objects.filter(username=payload.clinician).first()
    if clinician is None:
        raise bad_request("clinician", f"No member of staff with username {payload.clinician}.")
    perform(
        lambda: allocate_referral(
            referral=referral, clinician=clinician, allocated_by=request.auth, reason=payload.reason
        )
    )
    return referral_out(referral)


class CaseloadOut(Schema):
    clinician: str
    name: str
    role: str
    total: int
    by_status: dict[str, int]
    by_priority: dict[str, int]


@router.get("/caseloads", auth=BearerToken(), response={200: list[CaseloadOut], 401: dict, 403: dict})
def list_caseloads(request: HttpRequest, clinician: str = ""):
    """Open referrals per clinician. Team leads, admin staff and auditors see everyone's; a clinician sees their own."""
    user = request.auth
    if not may(user, Action.VIEW_CASELOADS) and not may(user, Action.VIEW_ALL_CASELOADS):
        raise NotAllowed(refusal(Action.VIEW_CASELOADS))
    people = User.objects.clinicians().order_by("last_name", "first_name", "username")
    if not may(user, Action.VIEW_ALL_CASELOADS):
        if clinician and clinician != user.username:
            raise HttpError(403, "You may see your own caseload only.")
        people = people.filter(pk=user.pk)
    elif clinician:
        people = people.filter(username=clinician)
    return [
        {
            "clinician": load.clinician.username,
            "name": load.clinician.display_name,
            "role": load.clinician.role,
            "total": load.total,
            "by_status": load.by_status,
            "by_priority": load.by_priority,
        }
        for load in caseloads(people)
    ]
