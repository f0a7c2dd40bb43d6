"""How referrals read on staff pages."""

from __future__ import annotations

from paedot.eligibility.codes import Difficulty, Education, ReferrerRole
from paedot.referrals.models import Referral

OUTCOME_TAGS = {
    "accept": ("Meets criteria", "nhsuk-tag--green"),
    "review": ("Needs review", "nhsuk-tag--yellow"),
    "decline": ("Does not meet criteria", "nhsuk-tag--red"),
}


def outcome_tag(outcome: str) -> dict[str, str]:
    text, classes = OUTCOME_TAGS.get(outcome, (outcome, ""))
    return {"text": text, "classes": classes}


def difficulty_labels(referral: Referral) -> list[str]:
    return [Difficulty(code).label if code in Difficulty.values else code for code in referral.difficulties]


def education_label(code: str) -> str:
    return Education(code).label if code in Education.values else code


def referrer_role_label(code: str) -> str:
    return ReferrerRole(code).label if code in ReferrerRole.values else code
