"""POST /api/referrals: how GP and school systems send a referral."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Status
from ninja.errors import HttpError

from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.idempotency import MAX_KEY_LENGTH, IdempotencyConflict, run_once
from paedot.referrals.rules import may_set_received_date, may_submit_referrals
from paedot.referrals.schemas import ErrorOut, ReferralIn, ReferralReceipt
from paedot.referrals.services import (
    ChildDetails,
    ParentCarerDetails,
    ReferralSubmission,
    ReferrerDetails,
    receive_referral,
)

router = Router(tags=["Referrals"])


def _submission(payload: ReferralIn) -> ReferralSubmission:
    return ReferralSubmission(
        child=ChildDetails(
            given_name=payload.child.given_name,
            family_name=payload.child.family_name,
            date_of_birth=payload.child.date_of_birth,
            nhs_number=payload.child.nhs_number or "",
            address=payload.child.address,
            postcode=payload.child.postcode,
        ),
        parent_carer=ParentCarerDetails(**payload.parent_carer.model_dump()),
        referrer=ReferrerDetails(**payload.referrer.model_dump()),
        gp_practice_code=payload.gp_practice_code,
        education=payload.education,
        difficulties=tuple(dict.fromkeys(payload.difficulties)),
        description=payload.description,
        consent_given=payload.consent_given,
        previous_ot_episode=payload.previous_ot_episode,
        school_urn=payload.school_urn or "",
    )


def _receipt(referral) -> dict:
    decision = referral.eligibility
    return {
        "reference": referral.reference,
        "outcome": decision.outcome,
        "reasons": [
            {"code": r.code, "message": r.message, **({"signposting": r.signposting} if r.signposting else {})}
            for r in decision.reasons.all()
        ],
    }


@router.post(
    "/referrals",
    auth=BearerToken(),
    response={201: ReferralReceipt, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    exclude_none=True,
    summary="Submit a referral",
)
def submit_referral(
    request: HttpRequest,
    payload: ReferralIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Every referral is kept: the eligibility outcome and its reasons come back to inform, never to refuse.

    Send an `Idempotency-Key` header to make retries safe: the same key and body return the first answer and
    create nothing new; the same key with a different body gets 422.
    """
    user = request.auth
    if not may_submit_referrals(user):
        raise HttpError(403, "This account may not submit referrals.")
    if (payload.received_date or payload.source) and not may_set_received_date(user):
        raise HttpError(403, "Only clinical admin staff may set received_date or source.")
    today = timezone.localdate()
    received_date = payload.received_date or today
    if received_date > today:
        raise bad_request("received_date", "The received date cannot be in the future")
    if payload.child.date_of_birth > received_date:
        raise bad_request("child.date_of_birth", "The date of birth must be on or before the date of the referral")

    def create() -> tuple[int, dict]:
        referral = receive_referral(
            submission=_submission(payload),
            source=payload.source or "api",
            received_date=received_date,
            submitted_by=user,
        )
        return 201, _receipt(referral)

    if idempotency_key is None:
        return Status(*create())
    if not idempotency_key.strip() or len(idempotency_key) > MAX_KEY_LENGTH:
        raise HttpError(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    try:
        status, body = run_once(user=user, key=idempotency_key, payload=payload.model_dump(mode="json"), action=create)
    except IdempotencyConflict as conflict:
        raise HttpError(422, str(conflict)) from conflict
    return Status(status, body)
