"""Every change to a referral: receiving it (intake), moving it along its journey (journey), and the flags a
person resolves (duplicates). Import from here; the modules are split only to keep each one readable."""

from paedot.referrals.services.intake import (
    REFERENCE_ALPHABET,
    ChildDetails,
    DuplicateSubmission,
    ParentCarerDetails,
    ReferralSubmission,
    ReferrerDetails,
    new_reference,
    receive_referral,
    referral_for_token,
)
from paedot.referrals.services.journey import (
    NotAllowed,
    TransitionRefused,
    discharge_referral,
    move_referral,
    record_information_received,
    screen_referral,
    stop_waiting_clock,
)

__all__ = [
    "REFERENCE_ALPHABET",
    "ChildDetails",
    "DuplicateSubmission",
    "NotAllowed",
    "ParentCarerDetails",
    "ReferralSubmission",
    "ReferrerDetails",
    "TransitionRefused",
    "discharge_referral",
    "move_referral",
    "new_reference",
    "receive_referral",
    "record_information_received",
    "referral_for_token",
    "screen_referral",
    "stop_waiting_clock",
]
