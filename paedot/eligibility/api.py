"""POST /api/eligibility: would the service accept this child? Public, and asks for no personal data."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from paedot.config.api_errors import bad_request
from paedot.eligibility.rules import EligibilityDecision
from paedot.eligibility.schemas import EligibilityAnswer, EligibilityQuestion
from paedot.eligibility.services import NoPolicyInForce, check_eligibility

router = Router(tags=["Eligibility"])


def decision_as_json(decision: EligibilityDecision) -> dict:
    """The answer's shape; signposting only where there is some (on a decline)."""
    return {
        "outcome": decision.outcome,
        "reasons": [
            {"code": r.code, "message": r.message, **({"signposting": r.signposting} if r.signposting else {})}
            for r in decision.reasons
        ],
        "policy": decision.policy_id,
    }


@router.post(
    "/eligibility",
    auth=None,
    response={200: EligibilityAnswer},
    exclude_none=True,
    summary="Check whether the service can accept a child",
)
def check(request: HttpRequest, payload: EligibilityQuestion):
    """The outcome (`accept`, `review` or `decline`), every reason with a plain-English message, where to go
    instead on a decline, and the id of the policy that decided. `referral_date` defaults to today (UK time)."""
    referral_date = payload.referral_date or timezone.localdate()
    if payload.date_of_birth > referral_date:
        raise bad_request("date_of_birth", "The date of birth must be on or before the referral date")
    try:
        decision = check_eligibility(
            date_of_birth=payload.date_of_birth,
            referral_date=referral_date,
            education=payload.education,
            gp_practice_code=payload.gp_practice_code,
            difficulties=payload.difficulties,
            referrer_role=payload.referrer_role,
            previous_ot_episode=payload.previous_ot_episode,
            consent_given=payload.consent_given,
            settings_affected=payload.settings_affected,
            new_or_changed_problem=payload.new_or_changed_problem,
        )
    except NoPolicyInForce as error:
        raise bad_request("referral_date", "No eligibility policy is in force on that date") from error
    return decision_as_json(decision)
