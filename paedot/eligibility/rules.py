"""Would the service accept this child? Pure functions over a policy that is data with an effective date.

No database and no request here: the caller gathers the facts (the GP practice from the directory, the date the
referral was received) and the policy in force, and gets back an outcome with every reason that applies.
Outcome: decline if any decline reason holds, else review if any review reason holds, else accept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from paedot.eligibility import codes
from paedot.eligibility.codes import Difficulty, Education, ReferrerRole, Setting

DECLINE = "decline"
REVIEW = "review"
ACCEPT = "accept"


@dataclass(frozen=True)
class GPPracticeFacts:
    code: str
    found: bool  # a GP practice with this ODS code exists
    active: bool  # status A and a GP practice
    in_birmingham: bool  # local authority Birmingham
    name: str = ""
    local_authority: str = ""


@dataclass(frozen=True)
class ReferralFacts:
    date_of_birth: dt.date
    referral_date: dt.date  # the date the referral is received
    education: str
    gp_practice: GPPracticeFacts
    difficulties: tuple[str, ...]
    referrer_role: str
    previous_ot_episode: bool = False
    consent_given: bool = False
    settings_affected: tuple[str, ...] | None = None  # home/school/leisure; None = not asked
    new_or_changed_problem: bool | None = None  # for re-referrals; None = not asked


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    severity: str  # "decline" or "review"
    signposting: str = ""


@dataclass(frozen=True)
class EligibilityDecision:
    outcome: str
    reasons: tuple[Reason, ...]
    policy_id: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class Policy:
    """A version of the service's referral criteria. Loaded from JSON (policies/*.json); see policy_from_dict."""

    id: str
    name: str
    effective_from: dt.date
    min_age_years: int
    max_age_years: int  # inclusive: declined from the birthday after it
    max_age_years_special_school: int | None
    education_required_from_age: int
    education_accepted: frozenset[str]
    education_case_by_case: frozenset[str]
    gp_local_authority: str
    min_difficulties: int
    min_settings: int | None  # None: the policy does not ask where difficulties show
    initial_referrers: frozenset[str]
    re_referral_only_referrers: frozenset[str]
    consent_required: bool
    re_referral_needs_new_problem: bool
    signposting: dict[str, str] = field(default_factory=dict)


def _require(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    path = f"{where}{key}"
    if key not in data:
        raise ValueError(f"Policy document is missing {path!r}.")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"Policy document key {path!r} has the wrong type.")
    return value


def _codes(values: Any, allowed: list[str], path: str) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"Policy document key {path!r} must be a list of codes.")
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"Policy document key {path!r} has unknown codes: {', '.join(unknown)}.")
    return frozenset(values)


def policy_from_dict(data: dict[str, Any]) -> Policy:
    """Validate a policy document and turn it into a Policy; a ValueError names the key that is wrong."""
    if not isinstance(data, dict):
        raise ValueError("Policy document must be a JSON object.")
    policy_id = _require(data, "id", str)
    if not policy_id.strip():
        raise ValueError("Policy document key 'id' must not be empty.")
    try:
        effective_from = dt.date.fromisoformat(_require(data, "effective_from", str))
    except ValueError as error:
        if "missing" in str(error) or "wrong type" in str(error):
            raise
        raise ValueError("Policy document key 'effective_from' must be a date YYYY-MM-DD.") from error
    age = _require(data, "age", dict)
    education = _require(data, "education", dict)
    gp = _require(data, "gp_practice", dict)
    difficulties = _require(data, "difficulties", dict)
    referrers = _require(data, "referrers", dict)
    signposting = data.get("signposting", {})
    if not isinstance(signposting, dict) or not all(isinstance(v, str) for v in signposting.values()):
        raise ValueError("Policy document key 'signposting' must map reason codes to text.")
    unknown_reasons = sorted(set(signposting) - set(codes.REASON_CODES))
    if unknown_reasons:
        raise ValueError(f"Policy document key 'signposting' has unknown reason codes: {', '.join(unknown_reasons)}.")
    special_max = age.get("max_years_special_school")
    if special_max is not None and (not isinstance(special_max, int) or isinstance(special_max, bool)):
        raise ValueError("Policy document key 'age.max_years_special_school' must be a whole number or null.")
    min_settings = difficulties.get("min_settings")
    if min_settings is not None and (not isinstance(min_settings, int) or isinstance(min_settings, bool)):
        raise ValueError("Policy document key 'difficulties.min_settings' must be a whole number or null.")
    policy = Policy(
        id=policy_id,
        name=_require(data, "name", str),
        effective_from=effective_from,
        min_age_years=_require(age, "min_years", int, "age."),
        max_age_years=_require(age, "max_years", int, "age."),
        max_age_years_special_school=special_max,
        education_required_from_age=_require(education, "required_from_age", int, "education."),
        education_accepted=_codes(
            _require(education, "accepted", list, "education."), Education.values, "education.accepted"
        ),
        education_case_by_case=_codes(education.get("case_by_case", []), Education.values, "education.case_by_case"),
        gp_local_authority=_require(gp, "local_authority", str, "gp_practice."),
        min_difficulties=_require(difficulties, "min_count", int, "difficulties."),
        min_settings=min_settings,
        initial_referrers=_codes(
            _require(referrers, "initial", list, "referrers."), ReferrerRole.values, "referrers.initial"
        ),
        re_referral_only_referrers=_codes(
            referrers.get("re_referral_only", []), ReferrerRole.values, "referrers.re_referral_only"
        ),
        consent_required=_require(data, "consent_required", bool),
        re_referral_needs_new_problem=bool(data.get("re_referral_needs_new_problem", False)),
        signposting=dict(signposting),
    )
    if policy.min_age_years < 0 or policy.max_age_years < policy.min_age_years:
        raise ValueError("Policy document key 'age' must have 0 <= min_years <= max_years.")
    return policy


def age_in_years(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a date. A 29 February child has their birthday on 1 March in other years
    (the convention of UK law, e.g. for coming of age)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def _age_phrase(age: int) -> str:
    return f"{age} year{'s' if age != 1 else ''} old"


def _reason(policy: Policy, code: str, severity: str, message: str) -> Reason:
    return Reason(
        code=code,
        message=message,
        severity=severity,
        signposting=policy.signposting.get(code, "") if severity == DECLINE else "",
    )


def _age_reasons(facts: ReferralFacts, policy: Policy, age: int) -> list[Reason]:
    max_age = policy.max_age_years
    if facts.education == Education.SPECIAL_SCHOOL and policy.max_age_years_special_school is not None:
        max_age = policy.max_age_years_special_school
    if policy.min_age_years <= age <= max_age:
        return []
    special = ""
    if max_age != policy.max_age_years:
        special = f" ({max_age} for young people in full-time education at a special school)"
    message = (
        f"The child was {_age_phrase(age)} on the date of the referral. "
        f"We see children and young people aged {policy.min_age_years} to {policy.max_age_years}{special}."
    )
    return [_reason(policy, codes.AGE_OUT_OF_RANGE, DECLINE, message)]


def _education_reasons(facts: ReferralFacts, policy: Policy, age: int) -> list[Reason]:
    if age < policy.education_required_from_age:
        return []
    label = Education(facts.education).label.lower() if facts.education in Education.values else facts.education
    if facts.education not in policy.education_accepted:
        message = (
            f"From age {policy.education_required_from_age} we see children who are in full-time school-based "
            f"education. The referral says: {label}."
        )
        return [_reason(policy, codes.NOT_IN_SCHOOL_BASED_EDUCATION, DECLINE, message)]
    if facts.education in policy.education_case_by_case:
        message = (
            "The child goes to a special school. We have no dedicated provision in special schools, so a "
            "therapist decides case by case whether we can help."
        )
        return [_reason(policy, codes.SPECIAL_SCHOOL_CASE_BY_CASE, REVIEW, message)]
    return []


def _gp_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    """Exactly one GP reason at most: unknown, then closed, then outside the area."""
    gp = facts.gp_practice
    area = policy.gp_local_authority
    name = f"{gp.name.title()} ({gp.code})" if gp.name else gp.code
    if not gp.found:
        message = f"We could not find a GP practice with the code {gp.code or '(none given)'}."
        return [_reason(policy, codes.GP_PRACTICE_UNKNOWN, DECLINE, message)]
    if not gp.active:
        message = f"The GP practice {name} is no longer open."
        return [_reason(policy, codes.GP_PRACTICE_CLOSED, DECLINE, message)]
    if not gp.in_birmingham:
        where = f" It is in {gp.local_authority}." if gp.local_authority else ""
        message = f"We see children registered with a {area} GP. The GP practice {name} is not in {area}.{where}"
        return [_reason(policy, codes.GP_OUTSIDE_BIRMINGHAM, DECLINE, message)]
    return []


def _difficulty_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    known = [d for d in dict.fromkeys(facts.difficulties) if d in Difficulty.values]
    if len(known) < max(policy.min_difficulties, 1):
        message = (
            "The referral does not describe a difficulty with everyday activities such as self care, school "
            "activities, or play and leisure."
        )
        return [_reason(policy, codes.NO_FUNCTIONAL_DIFFICULTY, DECLINE, message)]
    if policy.min_settings is None:
        return []
    if facts.settings_affected is None:
        message = "The referral does not say where the difficulties show: at home, at school, or in leisure time."
        return [_reason(policy, codes.SETTINGS_NOT_KNOWN, REVIEW, message)]
    settings = {s for s in facts.settings_affected if s in Setting.values}
    if len(settings) < policy.min_settings:
        message = (
            f"We see children whose difficulties show in more than one setting (at home, at school, in leisure "
            f"time). The referral gives {len(settings)}."
        )
        return [_reason(policy, codes.DIFFICULTY_IN_ONE_SETTING_ONLY, DECLINE, message)]
    return []


def _referrer_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    role = facts.referrer_role
    if role in policy.initial_referrers:
        return []
    if role in policy.re_referral_only_referrers and facts.previous_ot_episode:
        return []
    label = ReferrerRole(role).label if role in ReferrerRole.values else role
    if role in policy.re_referral_only_referrers:
        message = (
            f"A {label.lower()} can refer a child who has had occupational therapy from us before. This child has "
            "not, so the first referral needs to come from a doctor, a health professional, social care or an "
            "Educational Support Service."
        )
    else:
        message = (
            "We take referrals from doctors, health professionals, social care and Educational Support Services "
            f"(and, after earlier therapy with us, from teachers and parents or carers). The referrer is: {label}."
        )
    return [_reason(policy, codes.REFERRER_NOT_ACCEPTED, DECLINE, message)]


def _re_referral_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    if not (policy.re_referral_needs_new_problem and facts.previous_ot_episode):
        return []
    if facts.new_or_changed_problem is None:
        message = "This is a re-referral; it does not say whether there is a new or changed problem."
        return [_reason(policy, codes.NEW_PROBLEM_NOT_KNOWN, REVIEW, message)]
    if not facts.new_or_changed_problem:
        message = (
            "A re-referral needs a new problem, or a change in the problem we saw before. The referral has neither."
        )
        return [_reason(policy, codes.NO_NEW_OR_CHANGED_PROBLEM, DECLINE, message)]
    return []


def _consent_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    if not policy.consent_required or facts.consent_given:
        return []
    message = (
        "The referral does not show that a parent or carer (or the young person, where they can decide) agrees to it."
    )
    return [_reason(policy, codes.NO_CONSENT, DECLINE, message)]


def decide_eligibility(facts: ReferralFacts, policy: Policy) -> EligibilityDecision:
    """Every reason that applies, in a stable order, and the outcome they add up to."""
    if facts.date_of_birth > facts.referral_date:
        raise ValueError("The date of birth is after the date of the referral.")
    age = age_in_years(facts.date_of_birth, facts.referral_date)
    reasons = (
        _age_reasons(facts, policy, age)
        + _education_reasons(facts, policy, age)
        + _gp_reasons(facts, policy)
        + _difficulty_reasons(facts, policy)
        + _referrer_reasons(facts, policy)
        + _re_referral_reasons(facts, policy)
        + _consent_reasons(facts, policy)
    )
    if any(reason.severity == DECLINE for reason in reasons):
        outcome = DECLINE
    elif reasons:
        outcome = REVIEW
    else:
        outcome = ACCEPT
    return EligibilityDecision(outcome=outcome, reasons=tuple(reasons), policy_id=policy.id)
