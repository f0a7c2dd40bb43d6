"""Would the service accept this child? Pure functions over a policy that is data with an effective date.

No database and no request here: the caller gathers the facts (the GP practice from the directory, the date the
referral was received) and the policy in force, and gets back an outcome with every reason that applies.
Outcome: decline if any decline reason holds, else review if any review reason holds, else accept.

The policy (policies/*.json, schema in policies/README.md) holds every number and list the rules use, and the
signposting for each decline; the sentences that explain a reason are worded here, from the policy's numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from paedot.core.dates import age_in_years
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
    message: str  # a sentence a parent could read
    severity: str  # "decline" or "review"
    signposting: str = ""  # for a decline: where to go instead


@dataclass(frozen=True)
class EligibilityDecision:
    outcome: str  # "accept" | "review" | "decline"
    reasons: tuple[Reason, ...]  # every reason that applies, in the order of codes.REASON_CODES
    policy_id: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class Policy:
    """A version of the service's referral criteria, parsed and checked from a policy document (policy_from_dict)."""

    id: str
    name: str
    effective_from: dt.date
    min_age_years: int
    max_age_years: int  # inclusive: declined from the birthday after it
    max_age_years_special_school: int | None  # None: special school pupils have the same upper age
    education_required_from_age: int
    education_accepted: frozenset[str]
    education_case_by_case: frozenset[str]  # accepted, but a therapist decides (review)
    gp_local_authority: str
    min_difficulties: int
    min_settings: int | None  # None: the policy does not ask where difficulties show
    initial_referrers: frozenset[str]
    re_referral_only_referrers: frozenset[str]  # accepted only after an earlier episode of OT
    consent_required: bool
    re_referral_needs_new_problem: bool
    signposting: Mapping[str, str] = field(default_factory=dict, hash=False)
    source: str = ""


# --- Reading a policy document ---------------------------------------------------------------------------------

_POLICY_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECTIONS: dict[str, tuple[str, ...]] = {
    "": (
        "id",
        "name",
        "effective_from",
        "source",
        "age",
        "education",
        "gp_practice",
        "difficulties",
        "referrers",
        "consent_required",
        "re_referral_needs_new_problem",
        "signposting",
    ),
    "age": ("min_years", "max_years", "max_years_special_school"),
    "education": ("required_from_age", "accepted", "case_by_case"),
    "gp_practice": ("local_authority",),
    "difficulties": ("min_count", "min_settings"),
    "referrers": ("initial", "re_referral_only"),
}
_MISSING = object()


class _Document:
    """One section of a policy document, read with checks that name the key at fault."""

    def __init__(self, data: Any, path: str = "") -> None:
        if not isinstance(data, dict):
            where = f"key {path!r}" if path else "as a whole"
            raise ValueError(f"Policy document {where} must be a JSON object.")
        unknown = sorted(str(key) for key in data if key not in _SECTIONS[path])
        if unknown:
            raise ValueError(f"Policy document key {self._path(path, unknown[0])!r} is not a key the policy knows.")
        self.data = data
        self.path = path

    @staticmethod
    def _path(section: str, key: str) -> str:
        return f"{section}.{key}" if section else key

    def name(self, key: str) -> str:
        return self._path(self.path, key)

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key not in self.data:
            if default is _MISSING:
                raise ValueError(f"Policy document is missing {self.name(key)!r}.")
            return default
        return self.data[key]

    def section(self, key: str) -> _Document:
        return _Document(self.get(key), self.name(key))

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"Policy document key {self.name(key)!r} must be some text.")
        return value.strip()

    def boolean(self, key: str, default: Any = _MISSING) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise ValueError(f"Policy document key {self.name(key)!r} must be true or false.")
        return value

    def whole_number(self, key: str, default: Any = _MISSING, *, low: int = 0, high: int = 120) -> Any:
        value = self.get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            nullable = " or null" if default is None else ""
            raise ValueError(
                f"Policy document key {self.name(key)!r} must be a whole number from {low} to {high}{nullable}."
            )
        return value

    def codes(self, key: str, allowed: Iterable[str], default: Any = _MISSING) -> frozenset[str]:
        values = self.get(key, default)
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise ValueError(f"Policy document key {self.name(key)!r} must be a list of codes.")
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(f"Policy document key {self.name(key)!r} has unknown codes: {', '.join(unknown)}.")
        return frozenset(values)


def _reachable_decline_codes(policy: Policy) -> set[str]:
    """The decline reasons this policy can give: each needs signposting, so no decline leaves a family stuck."""
    reachable = set(codes.DECLINE_REASON_CODES)
    if policy.min_settings is None:
        reachable.discard(codes.DIFFICULTY_IN_ONE_SETTING_ONLY)
    if not policy.re_referral_needs_new_problem:
        reachable.discard(codes.NO_NEW_OR_CHANGED_PROBLEM)
    if not policy.consent_required:
        reachable.discard(codes.NO_CONSENT)
    if set(ReferrerRole.values) <= policy.initial_referrers:
        reachable.discard(codes.REFERRER_NOT_ACCEPTED)
    return reachable


def policy_from_dict(data: dict[str, Any]) -> Policy:
    """Check a policy document and turn it into a Policy. A ValueError names the key at fault (dotted path)."""
    document = _Document(data)
    policy_id = document.text("id")
    if not _POLICY_ID.fullmatch(policy_id):
        raise ValueError("Policy document key 'id' must be a slug: lower-case letters, digits, - and _.")
    effective_from_text = document.text("effective_from")
    try:
        if not _ISO_DATE.fullmatch(effective_from_text):
            raise ValueError(effective_from_text)
        effective_from = dt.date.fromisoformat(effective_from_text)
    except ValueError as error:
        raise ValueError("Policy document key 'effective_from' must be a date YYYY-MM-DD.") from error

    age = document.section("age")
    education = document.section("education")
    gp = document.section("gp_practice")
    difficulties = document.section("difficulties")
    referrers = document.section("referrers")

    signposting = document.get("signposting", {})
    if not isinstance(signposting, dict):
        raise ValueError("Policy document key 'signposting' must map reason codes to text.")
    for code, text in signposting.items():
        if code not in codes.REASON_CODES:
            raise ValueError(f"Policy document key 'signposting.{code}' is not a reason code.")
        if code not in codes.DECLINE_REASON_CODES:
            raise ValueError(f"Policy document key 'signposting.{code}': only a decline reason has signposting.")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"Policy document key 'signposting.{code}' must be some text.")

    min_age = age.whole_number("min_years")
    max_age = age.whole_number("max_years")
    if max_age < min_age:
        raise ValueError("Policy document key 'age.max_years' must not be less than 'age.min_years'.")
    max_age_special = age.whole_number("max_years_special_school", None)
    if max_age_special is not None and max_age_special < max_age:
        raise ValueError("Policy document key 'age.max_years_special_school' must not be less than 'age.max_years'.")

    accepted = education.codes("accepted", Education.values)
    case_by_case = education.codes("case_by_case", Education.values, [])
    if not case_by_case <= accepted:
        raise ValueError("Policy document key 'education.case_by_case' may list only codes in 'education.accepted'.")

    initial = referrers.codes("initial", ReferrerRole.values)
    re_referral_only = referrers.codes("re_referral_only", ReferrerRole.values, [])
    if initial & re_referral_only:
        raise ValueError("Policy document key 'referrers.re_referral_only' repeats a code in 'referrers.initial'.")

    policy = Policy(
        id=policy_id,
        name=document.text("name"),
        effective_from=effective_from,
        min_age_years=min_age,
        max_age_years=max_age,
        max_age_years_special_school=max_age_special,
        education_required_from_age=education.whole_number("required_from_age", high=25),
        education_accepted=accepted,
        education_case_by_case=case_by_case,
        gp_local_authority=gp.text("local_authority"),
        min_difficulties=difficulties.whole_number("min_count", low=1, high=len(Difficulty.values)),
        min_settings=difficulties.whole_number("min_settings", None, low=1, high=len(Setting.values)),
        initial_referrers=initial,
        re_referral_only_referrers=re_referral_only,
        consent_required=document.boolean("consent_required"),
        re_referral_needs_new_problem=document.boolean("re_referral_needs_new_problem", False),
        signposting=MappingProxyType({code: text.strip() for code, text in signposting.items()}),
        source=document.text("source") if "source" in data else "",
    )
    missing = sorted(_reachable_decline_codes(policy) - set(policy.signposting))
    if missing:
        raise ValueError(
            f"Policy document key 'signposting.{missing[0]}' is missing: every decline says where to go instead."
        )
    return policy


# --- Deciding --------------------------------------------------------------------------------------------------


def _age_phrase(age: int) -> str:
    return "under 1 year old" if age == 0 else f"{age} year{'s' if age != 1 else ''} old"


def _long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _join(items: Iterable[str], last: str = "and") -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _lower_first(label: str) -> str:
    """'Teacher or SENCO' -> 'teacher or SENCO'; an abbreviation such as 'GP' stays as it is."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _practice_name(gp: GPPracticeFacts) -> str:
    """ODS names are upper case ("SHAH ZAMAN SURGERY"); a parent reads "Shah Zaman Surgery (M85001)"."""
    if not gp.name:
        return gp.code
    name = re.sub(r"[A-Za-z]+(?:'[A-Za-z]+)?", lambda match: match.group(0).capitalize(), gp.name.strip())
    return f"{name} ({gp.code})"


def _reason(policy: Policy, code: str, message: str) -> Reason:
    severity = codes.REASON_SEVERITY[code]
    return Reason(
        code=code,
        message=message,
        severity=severity,
        signposting=policy.signposting.get(code, "") if severity == DECLINE else "",
    )


def _age_reasons(facts: ReferralFacts, policy: Policy, age: int) -> list[Reason]:
    max_age = policy.max_age_years
    special = policy.max_age_years_special_school
    if facts.education == Education.SPECIAL_SCHOOL and special is not None:
        max_age = special
    if policy.min_age_years <= age <= max_age:
        return []
    ages = f"aged {policy.min_age_years} to {policy.max_age_years}"
    if special is not None and special != policy.max_age_years:
        ages += f", or up to {special} for young people in full-time education at a special school"
    message = (
        f"The child was {_age_phrase(age)} on {_long_date(facts.referral_date)}, the date of the referral. "
        f"We see children and young people {ages}."
    )
    return [_reason(policy, codes.AGE_OUT_OF_RANGE, message)]


def _education_label(code: str) -> str:
    return _lower_first(Education(code).label) if code in Education.values else code


def _education_reasons(facts: ReferralFacts, policy: Policy, age: int) -> list[Reason]:
    if age < policy.education_required_from_age:
        return []
    if facts.education not in policy.education_accepted:
        accepted = _join(
            (_education_label(code) for code in Education.values if code in policy.education_accepted), "or"
        )
        message = (
            f"The child is {_age_phrase(age)} and the referral gives their education as: "
            f"{_education_label(facts.education)}. From age {policy.education_required_from_age} we see children "
            f"in full-time school-based education ({accepted})."
        )
        return [_reason(policy, codes.NOT_IN_SCHOOL_BASED_EDUCATION, message)]
    if facts.education in policy.education_case_by_case:
        if facts.education == Education.SPECIAL_SCHOOL:
            message = (
                "The child goes to a special school. We have no dedicated provision in special schools, so a "
                "therapist will decide case by case whether we can help."
            )
        else:
            message = (
                f"The referral gives the child's education as: {_education_label(facts.education)}. A therapist "
                "will decide case by case whether we can help."
            )
        return [_reason(policy, codes.SPECIAL_SCHOOL_CASE_BY_CASE, message)]
    return []


def _in_area(gp: GPPracticeFacts, area: str) -> bool:
    # The directory tells us Birmingham as a fact of its own; another area is matched by its local authority name.
    if area.casefold() == "birmingham":
        return gp.in_birmingham
    return gp.local_authority.strip().casefold() == area.casefold()


def _gp_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    """One GP reason at most, the first that holds: unknown, then closed, then outside the area."""
    gp = facts.gp_practice
    area = policy.gp_local_authority
    if not gp.found:
        given = f"the code {gp.code}" if gp.code.strip() else "no code"
        message = f"We could not find an NHS GP practice with {given}. We see children registered with a {area} GP."
        return [_reason(policy, codes.GP_PRACTICE_UNKNOWN, message)]
    if not gp.active:
        message = (
            f"The GP practice {_practice_name(gp)} is not open any more. We see children registered with an open "
            f"{area} GP practice."
        )
        return [_reason(policy, codes.GP_PRACTICE_CLOSED, message)]
    if not _in_area(gp, area):
        where = f" It is in {gp.local_authority}." if gp.local_authority else ""
        message = (
            f"We see children registered with a {area} GP. The GP practice {_practice_name(gp)} is not in {area}."
            f"{where}"
        )
        return [_reason(policy, codes.GP_OUTSIDE_BIRMINGHAM, message)]
    return []


def _settings_phrase(minimum: int) -> str:
    return "more than one setting" if minimum == 2 else f"at least {minimum} settings"


def _difficulty_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    known = [code for code in dict.fromkeys(facts.difficulties) if code in Difficulty.values]
    if not known:
        message = (
            "The referral does not describe a difficulty with everyday activities: self care (such as dressing or "
            "feeding), school activities (such as pencil or scissor skills), or play and leisure."
        )
        return [_reason(policy, codes.NO_FUNCTIONAL_DIFFICULTY, message)]
    if len(known) < policy.min_difficulties:
        message = (
            f"The referral describes {len(known)} difficult{'y' if len(known) == 1 else 'ies'} with everyday "
            f"activities. We see children with at least {policy.min_difficulties}."
        )
        return [_reason(policy, codes.NO_FUNCTIONAL_DIFFICULTY, message)]
    if policy.min_settings is None:
        return []
    wanted = _settings_phrase(policy.min_settings)
    if facts.settings_affected is None:
        message = (
            f"We see children whose difficulties show in {wanted} (at home, at school, in play or leisure time). "
            "The referral does not say where they show, so a therapist will check."
        )
        return [_reason(policy, codes.SETTINGS_NOT_KNOWN, message)]
    settings = [code for code in Setting.values if code in facts.settings_affected]
    if len(settings) < policy.min_settings:
        shown = f"only {_join(_lower_first(Setting(code).label) for code in settings)}" if settings else "in no setting"
        message = (
            f"We see children whose difficulties show in {wanted} (at home, at school, in play or leisure time). "
            f"The referral says they show {shown}."
        )
        return [_reason(policy, codes.DIFFICULTY_IN_ONE_SETTING_ONLY, message)]
    return []


def _groups(roles: frozenset[str]) -> list[str]:
    return [codes.REFERRER_GROUPS[role] for role in ReferrerRole.values if role in roles]


def _referrer_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    role = facts.referrer_role
    if role in policy.initial_referrers:
        return []
    if role in policy.re_referral_only_referrers and facts.previous_ot_episode:
        return []
    label = _lower_first(ReferrerRole(role).label) if role in ReferrerRole.values else role
    initial = _join(_groups(policy.initial_referrers))
    if role in policy.re_referral_only_referrers:
        message = (
            f"A {label} can refer a child who has had occupational therapy from us before. This is the child's "
            f"first referral, so it needs to come from {_join(_groups(policy.initial_referrers), 'or')}."
        )
    else:
        later = _join(_groups(policy.re_referral_only_referrers))
        after = f", and after earlier therapy with us also from {later}" if later else ""
        message = f"We take referrals from {initial}{after}. This referral is from: {label}."
    return [_reason(policy, codes.REFERRER_NOT_ACCEPTED, message)]


def _re_referral_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    if not (policy.re_referral_needs_new_problem and facts.previous_ot_episode):
        return []
    if facts.new_or_changed_problem is None:
        message = (
            "The child has had occupational therapy from us before. A re-referral needs a new problem or a change "
            "in the old one, and the referral does not say, so a therapist will check."
        )
        return [_reason(policy, codes.NEW_PROBLEM_NOT_KNOWN, message)]
    if not facts.new_or_changed_problem:
        message = (
            "The child has had occupational therapy from us before. A re-referral needs a new problem or a change "
            "in the old one, and the referral says there is neither."
        )
        return [_reason(policy, codes.NO_NEW_OR_CHANGED_PROBLEM, message)]
    return []


def _consent_reasons(facts: ReferralFacts, policy: Policy) -> list[Reason]:
    if not policy.consent_required or facts.consent_given:
        return []
    message = (
        "The referral does not show that a parent or carer (or the young person, where they can decide for "
        "themselves) agrees to it."
    )
    return [_reason(policy, codes.NO_CONSENT, message)]


def decide_eligibility(facts: ReferralFacts, policy: Policy) -> EligibilityDecision:
    """Every reason that applies, in a stable order (codes.REASON_CODES), and the outcome they add up to."""
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
