"""Is the child on an incoming referral a child we already know? Pure functions: no database, no request.

The NHS number decides when both records have a valid one: the same number is the same child, different numbers
are different children, whatever the names say (twins share a surname, a birthday and an address).
Without one on both sides, names, date of birth and postcode are weighed into a score out of 100:

    names          60  the mean of first-name and last-name similarity, each 0-100 (rapidfuzz)
    date of birth  25  the same; 20 when only the day and month are the other way round (03/04 for 04/03)
    postcode       15  the same; 10 the same sector (all but the last two characters); 7.5 not known; 0 different

"likely" needs all three gates and the score: the same (or transposed) date of birth, each name at least
NAME_PART_FLOOR alike, and a score of at least LIKELY_SCORE. "likely" asks a person to check; it never merges.

Reasons name what matched or differed without repeating anyone's details, so they are safe to store or log.

Below the matching: checking the details staff change once a referral is in (a family moves house, changes phone
or GP), as intake checks them: check_child_details, check_parent_carer and gp_practice_warnings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number
from paedot.directory import services as directory
from paedot.eligibility.codes import GP_OUTSIDE_BIRMINGHAM, GP_PRACTICE_CLOSED
from paedot.eligibility.rules import GPPracticeFacts

CERTAIN = "certain"
LIKELY = "likely"
NONE = "none"
STRENGTHS = (CERTAIN, LIKELY, NONE)  # strongest first

# Each name must be at least this alike (0-100). 80 lets through spelling variants seen in referrals
# (Aisha/Ayesha 84, Mohammed/Muhammad 85, Katie/Katy 85, Jon/John 93, Smith/Smyth 89) and keeps out different
# names (Ben/Amy 0, Sophie/Sofia 76 is the cost). Twins with near-identical names (Olivia/Oliver 87) still
# come out "likely": only an NHS number can tell them apart, and "likely" is a question for a person.
NAME_PART_FLOOR = 80.0
# With exact names and the same date of birth (85 before the postcode), a family that moved is still found;
# names only just over the floor (48 + 25) need the same postcode or sector to reach it.
LIKELY_SCORE = 80.0

NAMES_WEIGHT = 0.6
DATE_OF_BIRTH_POINTS = {"same": 25.0, "transposed": 20.0, "different": 0.0}
POSTCODE_POINTS = {"same": 15.0, "sector": 10.0, "not_known": 7.5, "different": 0.0}

# A name part that holds the other whole (a middle name, one half of a double-barrelled name), or a first name
# that is the start of the other (Alex, Alexander): strong evidence, but less than the same name.
PART_SCORE = 95.0
SHORTENED_SCORE = 90.0
SHORTENED_MIN_LENGTH = 3  # "Al" or "Jo" is the start of too many names

# Straight, curly and modifier-letter apostrophes, and the backtick some keyboards give for one.
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018\u02bc`")


@dataclass(frozen=True)
class ChildFacts:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    postcode: str
    nhs_number: str = ""


@dataclass(frozen=True)
class MatchReason:
    code: str
    message: str  # a plain-English sentence; names no one's details


@dataclass(frozen=True)
class ChildMatch:
    strength: str  # "certain" | "likely" | "none"
    score: float  # 0-100: 100 for the same NHS number, 0 for different ones, else the weighed evidence
    reasons: tuple[MatchReason, ...]  # NHS number first, then date of birth, names, postcode

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class NamePartComparison:
    kind: str  # "same" | "part_of" | "shortened" | "similar" | "different" | "not_known"
    score: float  # 0-100


def normalise_name(value: str) -> str:
    """Lower case, accents stripped, apostrophes dropped (O'Brien, OBrien), hyphens and other marks as spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(_APOSTROPHES)
    return " ".join("".join(ch if ch.isalpha() else " " for ch in letters).split())


def normalise_postcode(value: str) -> str:
    return "".join((value or "").split()).upper()


def transposed_date_of_birth(date_of_birth: dt.date) -> dt.date | None:
    """The date with day and month the other way round (2018-03-04 -> 2018-04-03), when that is another date."""
    if date_of_birth.day > 12 or date_of_birth.day == date_of_birth.month:
        return None
    return date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month)


def compare_name_part(first: str, second: str, *, allow_shortened: bool = False) -> NamePartComparison:
    """How alike two normalised names are. Symmetric: the order of the two names never changes the answer."""
    if not first or not second:
        return NamePartComparison("not_known", 0.0)
    first_tokens, second_tokens = first.split(), second.split()
    if first == second or sorted(first_tokens) == sorted(second_tokens):
        return NamePartComparison("same", 100.0)
    similarity = max(JaroWinkler.normalized_similarity(first, second) * 100, fuzz.token_sort_ratio(first, second))
    if set(first_tokens) < set(second_tokens) or set(second_tokens) < set(first_tokens):
        return NamePartComparison("part_of", max(PART_SCORE, similarity))
    shorter, longer = sorted((first, second), key=lambda name: (len(name), name))
    if allow_shortened and len(shorter) >= SHORTENED_MIN_LENGTH and longer.startswith(shorter):
        return NamePartComparison("shortened", max(SHORTENED_SCORE, similarity))
    if similarity >= NAME_PART_FLOOR:
        return NamePartComparison("similar", similarity)
    return NamePartComparison("different", similarity)


def match_child(incoming: ChildFacts, known: ChildFacts) -> ChildMatch:
    """Whether `incoming` (from a referral) is the child `known` (a record we hold), with every reason."""
    nhs_decision, nhs_reasons = _compare_nhs_numbers(incoming.nhs_number, known.nhs_number)
    score, demographic_reasons, gates_passed = _weigh_demographics(incoming, known)
    if nhs_decision == CERTAIN:
        return ChildMatch(CERTAIN, 100.0, nhs_reasons + demographic_reasons)
    if nhs_decision == NONE:
        return ChildMatch(NONE, 0.0, nhs_reasons + demographic_reasons)
    if gates_passed and score >= LIKELY_SCORE:
        return ChildMatch(LIKELY, score, nhs_reasons + demographic_reasons)
    if gates_passed:
        demographic_reasons += (
            MatchReason(
                "not_enough_in_common",
                "The details that match are not enough to suggest this is the same child.",
            ),
        )
    return ChildMatch(NONE, score, nhs_reasons + demographic_reasons)


def _compare_nhs_numbers(incoming: str, known: str) -> tuple[str | None, tuple[MatchReason, ...]]:
    """CERTAIN, NONE, or None when the NHS numbers cannot decide and the other details must."""
    incoming, known = normalise_nhs_number(incoming), normalise_nhs_number(known)
    reasons: tuple[MatchReason, ...] = ()
    for number, where in ((incoming, "on the referral"), (known, "on the record we hold")):
        if number and not is_valid_nhs_number(number):
            reasons += (
                MatchReason(
                    "nhs_number_not_valid",
                    f"The NHS number {where} is not a valid NHS number, so it was not used.",
                ),
            )
    incoming_valid, known_valid = is_valid_nhs_number(incoming), is_valid_nhs_number(known)
    if incoming_valid and known_valid and incoming == known:
        return CERTAIN, (MatchReason("same_nhs_number", "Both records have the same NHS number."),)
    if incoming_valid and known_valid:
        return NONE, (
            MatchReason(
                "different_nhs_number", "The records have different NHS numbers, so they are different children."
            ),
        )
    missing = "both records" if not (incoming_valid or known_valid) else "one record"
    reasons += (
        MatchReason(
            "nhs_number_not_known",
            f"There is no valid NHS number on {missing}, so the names, date of birth and postcode were compared.",
        ),
    )
    return None, reasons


def _weigh_demographics(incoming: ChildFacts, known: ChildFacts) -> tuple[float, tuple[MatchReason, ...], bool]:
    """The score out of 100, the reasons, and whether the date of birth and both names pass their gates."""
    date_kind = _compare_dates_of_birth(incoming.date_of_birth, known.date_of_birth)
    given, family, swapped = _compare_names(incoming, known)
    postcode_kind = _compare_postcodes(incoming.postcode, known.postcode)

    reasons = (_DATE_OF_BIRTH_REASONS[date_kind],)
    if swapped:
        reasons += (
            MatchReason("names_swapped", "The first and last names look to be the other way round in one record."),
        )
    reasons += (_name_reason(given, "given"), _name_reason(family, "family"), _POSTCODE_REASONS[postcode_kind])

    names = (given.score + family.score) / 2
    score = round(NAMES_WEIGHT * names + DATE_OF_BIRTH_POINTS[date_kind] + POSTCODE_POINTS[postcode_kind], 1)
    passing = {"same", "part_of", "shortened", "similar"}
    gates_passed = date_kind != "different" and given.kind in passing and family.kind in passing
    return score, reasons, gates_passed


def _compare_dates_of_birth(incoming: dt.date, known: dt.date) -> str:
    if incoming == known:
        return "same"
    if transposed_date_of_birth(incoming) == known:
        return "transposed"
    return "different"


def _compare_names(incoming: ChildFacts, known: ChildFacts) -> tuple[NamePartComparison, NamePartComparison, bool]:
    """First-name and last-name comparisons, trying the names the other way round in one record too."""
    in_given, in_family = normalise_name(incoming.given_name), normalise_name(incoming.family_name)
    known_given, known_family = normalise_name(known.given_name), normalise_name(known.family_name)
    given = compare_name_part(in_given, known_given, allow_shortened=True)
    family = compare_name_part(in_family, known_family)
    # Swapped, neither pair is wholly a first name, so neither may count as a shortened first name; that keeps
    # the comparison the same whichever record is called incoming.
    swapped_given = compare_name_part(in_given, known_family)
    swapped_family = compare_name_part(in_family, known_given)
    if swapped_given.score + swapped_family.score > given.score + family.score:
        return swapped_given, swapped_family, True
    return given, family, False


def _compare_postcodes(incoming: str, known: str) -> str:
    incoming, known = normalise_postcode(incoming), normalise_postcode(known)
    if not incoming or not known:
        return "not_known"
    if incoming == known:
        return "same"
    if len(incoming) >= 5 and len(known) >= 5 and incoming[:-2] == known[:-2]:
        return "sector"
    return "different"


_DATE_OF_BIRTH_REASONS = {
    "same": MatchReason("same_date_of_birth", "The dates of birth are the same."),
    "transposed": MatchReason(
        "date_of_birth_transposed",
        "The dates of birth have the day and month the other way round, a common slip when writing a date.",
    ),
    "different": MatchReason("different_date_of_birth", "The dates of birth are different."),
}

_POSTCODE_REASONS = {
    "same": MatchReason("same_postcode", "The postcodes are the same."),
    "sector": MatchReason("same_postcode_sector", "The postcodes are different but in the same local area."),
    "not_known": MatchReason("postcode_not_known", "A postcode is missing, so postcodes could not be compared."),
    "different": MatchReason("different_postcode", "The postcodes are in different areas."),
}

_NAME_WORDS = {"given": "first name", "family": "last name"}


def _name_reason(comparison: NamePartComparison, part: str) -> MatchReason:
    word = _NAME_WORDS[part]
    messages = {
        "same": f"The {word}s are the same.",
        "part_of": f"One {word} is part of the other, as with a middle name or a double-barrelled name.",
        "shortened": f"One {word} is a shortened form of the other.",
        "similar": f"The {word}s are spelt similarly ({comparison.score:.0f}% alike).",
        "different": f"The {word}s are different ({comparison.score:.0f}% alike).",
        "not_known": f"A {word} is missing, so {word}s could not be compared.",
    }
    return MatchReason(f"{comparison.kind}_{part}_name", messages[comparison.kind])


# --- Checking the details staff change after the referral -------------------------------------------------------

CHILD_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number", "address", "postcode")
PARENT_CARER_FIELDS = ("name", "relationship", "phone", "email", "language", "interpreter_needed")

# The longest each may be: the columns' sizes (children.models), and the referral API's for an address.
_LONGEST = {
    "given_name": 100,
    "family_name": 100,
    "address": 500,
    "name": 200,
    "relationship": 100,
    "phone": 30,
    "email": 254,
    "language": 100,
    "school_urn": 10,
    "school_name": 200,
    "reason": 4000,
}
_PHONE = re.compile(r"^\+?[\d\s()-]{7,20}$")  # as the referral form accepts (referrals.forms.clean_phone)

_WORDS = {
    "given_name": "the child's given name",
    "family_name": "the child's family name",
    "date_of_birth": "the child's date of birth",
    "name": "the parent or carer's name",
    "relationship": "their relationship to the child, like Mother or Foster carer",
}


@dataclass(frozen=True)
class DetailsProblem:
    """Why a changed detail cannot be kept: the field it is about, a stable code and a sentence to show."""

    field: str
    code: str
    message: str


@dataclass(frozen=True)
class DetailsCheck:
    """The details as they would be kept (trimmed, normalised), or the problems with them."""

    values: Mapping[str, Any]
    problems: tuple[DetailsProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class DetailsWarning:
    """Something a person must decide about a change that was kept: never a refusal, never an automatic discharge."""

    code: str
    message: str


def _long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def check_text(field: str, value: Any, *, required: bool) -> tuple[str, DetailsProblem | None]:
    """Text as kept: trimmed, given when required, no longer than its column."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", DetailsProblem(field, "not_text", "Give this as text.")
    value = value.strip()
    if required and not value:
        return "", DetailsProblem(field, "required", f"Enter {_WORDS.get(field, field.replace('_', ' '))}")
    longest = _LONGEST.get(field)
    if longest is not None and len(value) > longest:
        return value, DetailsProblem(field, "too_long", f"This must be {longest} characters or fewer")
    return value, None


def _date_of_birth(value: Any, *, today: dt.date, first_received: dt.date | None) -> tuple[Any, DetailsProblem | None]:
    field = "date_of_birth"
    if isinstance(value, str) and value.strip():
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value, DetailsProblem(field, "not_a_date", "The date of birth must be a real date (YYYY-MM-DD)")
    if value is None or value == "":
        return None, DetailsProblem(field, "required", "Enter the child's date of birth")
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return value, DetailsProblem(field, "not_a_date", "The date of birth must be a real date (YYYY-MM-DD)")
    if value > today:
        return value, DetailsProblem(field, "in_the_future", "The date of birth must be today or in the past")
    if first_received is not None and value > first_received:
        return value, DetailsProblem(
            field,
            "after_first_referral",
            f"The date of birth must be on or before the date of the child's first referral "
            f"({_long_date(first_received)})",
        )
    return value, None


def _nhs_number(value: Any) -> tuple[str, DetailsProblem | None]:
    text, problem = check_text("nhs_number", value, required=False)
    if problem or not text:
        return "", problem
    digits = normalise_nhs_number(text)
    if not digits.isdigit() or len(digits) != 10:
        return text, DetailsProblem("nhs_number", "not_ten_digits", "NHS number must be 10 digits")
    if not is_valid_nhs_number(digits):
        return text, DetailsProblem(
            "nhs_number", "failed_check", "Enter a valid NHS number: check you have typed it correctly"
        )
    return digits, None


def _postcode(value: Any) -> tuple[str, DetailsProblem | None]:
    text, problem = check_text("postcode", value, required=False)
    if problem or not text:
        return "", problem
    normalised = directory.normalise_postcode(text)
    if normalised is None:
        return text, DetailsProblem("postcode", "not_a_postcode", "Enter a full UK postcode, like B21 9RY")
    return normalised, None


def _unknown(fields: Mapping[str, Any], known: tuple[str, ...]) -> list[DetailsProblem]:
    return [
        DetailsProblem(name, "unknown_field", f"{name} is not a detail that can be changed here")
        for name in fields
        if name not in known
    ]


def check_child_details(
    changes: Mapping[str, Any], *, today: dt.date, first_received: dt.date | None = None
) -> DetailsCheck:
    """The child's details as intake checks them: names given, a real date of birth that is not in the future (nor
    after the child's first referral), a blank or valid NHS number (Modulus 11), a blank or well-formed postcode.
    Only the fields given are checked; every problem is reported, each naming its field."""
    problems = _unknown(changes, CHILD_FIELDS)
    values: dict[str, Any] = {}
    for name, value in changes.items():
        problem: DetailsProblem | None = None
        if name in ("given_name", "family_name"):
            values[name], problem = check_text(name, value, required=True)
        elif name == "address":
            values[name], problem = check_text(name, value, required=False)
        elif name == "date_of_birth":
            values[name], problem = _date_of_birth(value, today=today, first_received=first_received)
        elif name == "nhs_number":
            values[name], problem = _nhs_number(value)
        elif name == "postcode":
            values[name], problem = _postcode(value)
        if problem:
            problems.append(problem)
    return DetailsCheck(values=values, problems=tuple(problems))


def check_parent_carer(changes: Mapping[str, Any]) -> DetailsCheck:
    """A parent or carer's details as the referral form checks them: a name and a relationship, a phone number that
    looks like one, an email address in the right format; language as written; interpreter needed yes or no."""
    problems = _unknown(changes, PARENT_CARER_FIELDS)
    values: dict[str, Any] = {}
    for name, value in changes.items():
        problem: DetailsProblem | None = None
        if name in ("name", "relationship"):
            values[name], problem = check_text(name, value, required=True)
        elif name == "language":
            values[name], problem = check_text(name, value, required=False)
        elif name == "phone":
            values[name], problem = check_text(name, value, required=False)
            if not problem and values[name] and not _PHONE.match(values[name]):
                problem = DetailsProblem(
                    name, "not_a_phone_number", "Enter a phone number, like 0121 465 8551 or 07700 900 982"
                )
        elif name == "email":
            values[name], problem = check_text(name, value, required=False)
            if not problem and values[name]:
                try:
                    validate_email(values[name])
                except ValidationError:
                    problem = DetailsProblem(
                        name, "not_an_email", "Enter an email address in the right format, like name@example.com"
                    )
        elif name == "interpreter_needed":
            if isinstance(value, bool):
                values[name] = value
            else:
                problem = DetailsProblem(name, "not_yes_or_no", "Say whether an interpreter is needed: yes or no")
        if problem:
            problems.append(problem)
    return DetailsCheck(values=values, problems=tuple(problems))


def check_reason(reason: Any, *, required: bool = True) -> tuple[str, DetailsProblem | None]:
    """How the service heard of the change, kept with it (and in the audit trail): needed for every change of the
    child's details, GP or school; optional for a parent or carer's contact details."""
    text, problem = check_text("reason", reason, required=False)
    if problem is None and required and not text:
        problem = DetailsProblem(
            "reason", "required", "Give the reason for the change, like how the family told you: it is kept with it"
        )
    return text, problem


def practice_label(name: str, code: str) -> str:
    """ODS names are upper case ("SHAH ZAMAN SURGERY"): shown as "Shah Zaman Surgery (M85001)"."""
    if not name:
        return code
    titled = re.sub(r"[A-Za-z]+", lambda match: match.group(0).capitalize(), name.strip())
    titled = re.sub(r"'S\b", "'s", titled)  # O'Brien's, not O'Brien'S
    return f"{titled} ({code})"


def gp_practice_warnings(practice: GPPracticeFacts, *, area: str = "Birmingham") -> tuple[DetailsWarning, ...]:
    """What a person must decide after a child's GP practice changed to one the service does not cover: the change
    is kept (the family's GP is a fact), but the child may no longer be eligible. Nobody is discharged by this."""
    label = practice_label(practice.name, practice.code)
    decide = (
        "so the child may no longer be eligible. A person decides whether the service goes on seeing them: nothing "
        "has been discharged."
    )
    if not practice.active:
        return (
            DetailsWarning(
                GP_PRACTICE_CLOSED,
                f"The GP practice {label} is not open any more. The service sees children registered with an open "
                f"{area} GP practice, {decide}",
            ),
        )
    if not practice.in_birmingham:
        where = f" (it is in {practice.local_authority})" if practice.local_authority else ""
        return (
            DetailsWarning(
                GP_OUTSIDE_BIRMINGHAM,
                f"The GP practice {label} is not in {area}{where}. The service sees children registered with a "
                f"{area} GP, {decide}",
            ),
        )
    return ()
