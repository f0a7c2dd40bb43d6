"""The referral's letters: acknowledgement, decline, request for information and discharge.

The templates live with the referrals app; the letters app renders them on the letterhead and keeps them.
"""

from __future__ import annotations

from paedot.letters.models import Kind, Letter
from paedot.letters.services import family_recipient, gp_recipient, issue_letter, referrer_recipient
from paedot.referrals.models import Referral


def send_acknowledgement_letter(*, referral: Referral, issued_by=None) -> Letter:
    """Says the referral arrived, what happens next, and how long children are waiting now."""
    from paedot.waiting_list.services import recent_expected_wait_for_new_referral

    return issue_letter(
        referral=referral,
        kind=Kind.ACKNOWLEDGEMENT,
        template="referrals/letters/acknowledgement.jinja",
        subject="We have received your referral",
        recipients=[family_recipient(referral), referrer_recipient(referral)],
        context={"expected_wait": recent_expected_wait_for_new_referral()},
        issued_by=issued_by,
    )


def send_decline_letter(*, referral: Referral, reason: str, issued_by) -> Letter:
    reasons = [r for r in referral.eligibility.reasons.all() if r.severity == "decline"]
    return issue_letter(
        referral=referral,
        kind=Kind.DECLINE,
        template="referrals/letters/decline.jinja",
        subject="We are not able to accept this referral",
        recipients=[referrer_recipient(referral), family_recipient(referral)],
        context={"reason": reason, "reasons": reasons},
        issued_by=issued_by,
    )


def send_information_request(*, referral: Referral, missing: str, issued_by) -> Letter:
    return issue_letter(
        referral=referral,
        kind=Kind.INFORMATION_REQUEST,
        template="referrals/letters/information_request.jinja",
        subject="We need more information about this referral",
        recipients=[referrer_recipient(referral), family_recipient(referral)],
        context={"missing": missing},
        issued_by=issued_by,
    )


def send_discharge_letter(*, referral: Referral, reason: str, issued_by) -> Letter:
    return issue_letter(
        referral=referral,
        kind=Kind.DISCHARGE,
        template="referrals/letters/discharge.jinja",
        subject="Discharge from the occupational therapy service",
        recipients=[family_recipient(referral), referrer_recipient(referral), gp_recipient(referral)],
        context={"reason": reason},
        issued_by=issued_by,
    )
