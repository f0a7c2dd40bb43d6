"""POST /api/referrals/{reference}/triage: an OT's triage moves an accepted referral onto the waiting list."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from paedot.config.api import BearerToken
from paedot.referrals.api import ACTION_RESPONSES, find_referral, perform, referral_out
from paedot.staff.rules import Action
from paedot.triage.services import suggestion_for, triage_referral

router = Router(tags=["Triage"])


class TriageIn(Schema):
    priority: Literal["urgent", "soon", "routine"]
    pathway: Literal["advice_and_strategies", "package_of_care", "group"]
    setting: Literal["clinic", "school", "nursery", "home", "cdc"]
    notes: Annotated[str, Field(max_length=4000)] = ""
    reason_for_difference: Annotated[str, Field(max_length=4000)] = ""


class SuggestionOut(Schema):
    priority: str
    reasons: list[dict]


@router.get(
    "/referrals/{reference}/triage-suggestion",
    auth=BearerToken(),
    response={200: SuggestionOut, 401: dict, 403: dict, 404: dict},
    summary="The suggested priority, with reasons",
)
def triage_suggestion(request: HttpRequest, reference: str):
    referral = find_referral(request, reference, action=Action.TRIAGE)
    suggestion = suggestion_for(referral)
    return {
        "priority": suggestion.priority,
        "reasons": [{"code": r.code, "message": r.message} for r in suggestion.reasons],
    }


@router.post("/referrals/{reference}/triage", auth=BearerToken(), response=ACTION_RESPONSES, summary="Triage")
def triage(request: HttpRequest, reference: str, payload: TriageIn):
    """Priority, pathway, where the first appointment should be, and notes. The rules suggest a priority; to choose
    another, give `reason_for_difference`. OTs and team leads only."""
    referral = find_referral(request, reference, action=Action.TRIAGE)
    perform(
        lambda: triage_referral(
            referral=referral,
            priority=payload.priority,
            pathway=payload.pathway,
            setting=payload.setting,
            notes=payload.notes,
            reason_for_difference=payload.reason_for_difference,
            triaged_by=request.auth,
        ),
        field="reason_for_difference",
    )
    return referral_out(referral)
