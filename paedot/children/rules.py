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
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number

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
