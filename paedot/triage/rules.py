"""Suggesting a triage priority, with reasons. A suggestion only: the clinician decides, and says why if they differ.

Pure functions over plain facts, so the rules can be read, tested and changed without a database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from paedot.core.dates import age_in_years

URGENT, SOON, ROUTINE = "urgent", "soon", "routine"
ORDER = {URGENT: 1, SOON: 2, ROUTINE: 3}

# Words in a referral that point to a risk of harm in daily life. Deliberately plain: triage staff can see
# exactly why a suggestion was made, and the clinician always has the last word.
SAFETY_WORDS = re.compile(
    r"\b(chok\w*|aspirat\w*|gag\w*|unsafe|danger\w*|injur\w*|falls?|falling|fell|burn\w*|scald\w*|"
    r"run\w* into the road|bolt\w*|absconds?|self[- ]harm\w*|sore skin|pressure sore\w*|infection\w*)\b",
    re.IGNORECASE,
)
SAFETY_AREAS = {
    "feeding": ("feeding_safety", "There is a safety concern with eating or drinking (for example choking)."),
    "toileting": ("toileting_safety", "There is a safety or health concern with toileting."),
    "accessing_environment": (
        "moving_about_safety",
        "There is a safety concern with moving about (for example falls or running off).",
    ),
}
EARLY_YEARS_AGE = 5
MANY_AREAS = 3
AREA_OF = {
    "dressing": "self care",
    "washing": "self care",
    "feeding": "self care",
    "toileting": "self care",
    "pencil_skills": "school",
    "scissor_skills": "school",
    "concentration": "school",
    "accessing_environment": "school",
    "play": "play and leisure",
    "leisure": "play and leisure",
}


@dataclass(frozen=True)
class TriageFacts:
    date_of_birth: dt.date
    on_date: dt.date
    difficulties: tuple[str, ...]
    text: str = ""  # what the referrer wrote: the description and how the difficulties affect the child


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class PrioritySuggestion:
    priority: str
    reasons: tuple[Reason, ...]


def suggest_priority(facts: TriageFacts) -> PrioritySuggestion:
    """Urgent for a safety concern in feeding, toileting or moving about; soon for a child under 5 or with
    difficulties in all three areas of daily life; otherwise routine."""
    reasons: list[Reason] = []
    safety_mentioned = bool(SAFETY_WORDS.search(facts.text or ""))
    if safety_mentioned:
        for difficulty in facts.difficulties:
            if difficulty in SAFETY_AREAS:
                code, message = SAFETY_AREAS[difficulty]
                reasons.append(Reason(code, message))
    if reasons:
        return PrioritySuggestion(URGENT, tuple(reasons))
    if age_in_years(facts.date_of_birth, facts.on_date) < EARLY_YEARS_AGE:
        reasons.append(
            Reason("under_five", "The child is under 5: the potential for change is greatest in younger children.")
        )
    areas = {AREA_OF[d] for d in facts.difficulties if d in AREA_OF}
    if len(areas) >= MANY_AREAS:
        reasons.append(Reason("all_areas_affected", "Self care, school and play are all affected."))
    if reasons:
        return PrioritySuggestion(SOON, tuple(reasons))
    return PrioritySuggestion(
        ROUTINE,
        (Reason("no_priority_indicators", "Nothing in the referral suggests the child needs to be seen sooner."),),
    )


def needs_reason_to_differ(suggested: str, chosen: str) -> bool:
    return suggested != chosen
