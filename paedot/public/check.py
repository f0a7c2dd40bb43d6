""" "Check if we can help": the eligibility questions, one a page, asked with the referral form's own questions."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils import timezone

from paedot.eligibility.rules import EligibilityDecision
from paedot.eligibility.services import check_eligibility
from paedot.referrals import questions as q

SESSION_KEY = "eligibility_check"

# What the referral form can take from the check, so nobody types it twice. Not consent: the referral form asks
# for it afresh, next to what the parent or carer is agreeing to.
CARRIED_TO_REFERRAL = (
    "child_date_of_birth",
    "education",
    "gp_practice",
    "difficulties",
    "referrer_role",
    "previous_ot_episode",
)


def _page(slug: str, key: str, label: str, **changes: Any) -> q.Section:
    question = next(question for question in q.all_questions() if question.key == key)
    question = dataclasses.replace(question, label=label, **changes)
    return q.Section(slug=slug, title=label, questions=(question,))


CHECK_SECTIONS: tuple[q.Section, ...] = (
    _page("date-of-birth", "child_date_of_birth", "What is the child's date of birth?"),
    _page("education", "education", "Where does the child spend their day?"),
    _page("gp-practice", "gp_practice", "Which GP practice is the child registered with?"),
    _page(
        "difficulties",
        "difficulties",
        "What does the child have difficulty with?",
        required=False,
        hint="Select all that apply. Leave them all unticked if none of these applies.",
    ),
    _page("referrer", "referrer_role", "Who will make the referral?"),
    _page("previous-ot", "previous_ot_episode", "Has the child had occupational therapy from this service before?"),
    _page(
        "consent",
        "consent_given",
        "Does a parent or carer (or the young person, if they can decide) agree to the referral?",
    ),
)


def decide(answers: dict[str, Any]) -> EligibilityDecision:
    """The same rules the referral will meet, on today's date."""
    return check_eligibility(
        date_of_birth=answers["child_date_of_birth"],
        referral_date=timezone.localdate(),
        education=answers["education"],
        gp_practice_code=answers["gp_practice_code"],
        difficulties=tuple(answers.get("difficulties") or ()),
        referrer_role=answers["referrer_role"],
        previous_ot_episode=bool(answers.get("previous_ot_episode")),
        consent_given=bool(answers.get("consent_given")),
    )


def answers_for_referral(answers: dict[str, Any]) -> dict[str, Any]:
    """The check's answers that the referral form asks again, under the referral form's own keys (the same)."""
    return {key: answers[key] for key in CARRIED_TO_REFERRAL if answers.get(key) not in (None, "", [], ())}
