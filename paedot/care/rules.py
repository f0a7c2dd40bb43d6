"""The arithmetic of the outcome measures (GAS, COPM, TOMs) and the checks on ratings. Pure: no database.

Formulas are those in the service's domain notes: Goal Attainment Scaling after Kiresuk and Sherman with rho 0.3,
COPM means over problems, TOMs in half points 0-5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GAS_LEVELS = (-2, -1, 0, 1, 2)
GAS_RHO = 0.3
COPM_MIN, COPM_MAX = 1, 10
COPM_MAX_PROBLEMS = 5
# A change of 2 or more in a COPM score is conventionally taken as clinically important.
COPM_IMPORTANT_CHANGE = Decimal(2)
TOMS_DOMAINS = ("impairment", "activity", "participation", "wellbeing")
TWO_PLACES = Decimal("0.01")


class RatingError(ValueError):
    """A rating outside its scale. `field` names the field, as the API reports it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- Goal Attainment Scaling -------------------------------------------------------------------------------------


def check_gas_level(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or value not in GAS_LEVELS:
        raise RatingError(field, "A goal's level must be one of -2, -1, 0, 1 or 2.")
    return int(value)


def check_weight(value: object, field: str) -> Decimal:
    try:
        weight = Decimal(str(value))
    except ArithmeticError:
        raise RatingError(field, "A goal's weight must be a positive number.") from None
    if isinstance(value, bool) or not weight.is_finite() or weight <= 0:
        raise RatingError(field, "A goal's weight must be a positive number.")
    return weight


def gas_t_score(goals: Iterable[tuple[float | Decimal, int]], rho: float = GAS_RHO) -> Decimal:
    """The GAS T-score for (weight, attained level) pairs, to two decimal places.

    T = 50 + 10 * sum(w*x) / sqrt((1 - rho) * sum(w^2) + rho * (sum w)^2). 50 means every goal was met as expected.
    """
    pairs = [(float(weight), int(level)) for weight, level in goals]
    if not pairs:
        raise ValueError("A T-score needs at least one goal.")
    weighted = sum(w * x for w, x in pairs)
    sum_w = sum(w for w, _ in pairs)
    sum_w2 = sum(w * w for w, _ in pairs)
    t = 50 + 10 * weighted / math.sqrt((1 - rho) * sum_w2 + rho * sum_w**2)
    return Decimal(repr(t)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def met_or_exceeded(level: int) -> bool:
    """A goal at or above its expected outcome (level 0)."""
    return level >= 0


# --- COPM ---------------------------------------------------------------------------------------------------------


def check_copm_score(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not COPM_MIN <= value <= COPM_MAX:
        raise RatingError(field, "A COPM score must be a whole number from 1 to 10.")
    return value


@dataclass(frozen=True)
class CopmProblemChange:
    problem: str
    performance_before: int
    performance_after: int
    satisfaction_before: int
    satisfaction_after: int

    @property
    def performance_change(self) -> int:
        return self.performance_after - self.performance_before

    @property
    def satisfaction_change(self) -> int:
        return self.satisfaction_after - self.satisfaction_before

    @property
    def important(self) -> bool:
        return (
            abs(self.performance_change) >= COPM_IMPORTANT_CHANGE
            or abs(self.satisfaction_change) >= COPM_IMPORTANT_CHANGE
        )


@dataclass(frozen=True)
class CopmChange:
    """COPM at assessment and at review: the mean scores, their change, and the change per problem."""

    problems: tuple[CopmProblemChange, ...]
    performance_before: Decimal
    performance_after: Decimal
    satisfaction_before: Decimal
    satisfaction_after: Decimal

    @property
    def performance_change(self) -> Decimal:
        return self.performance_after - self.performance_before

    @property
    def satisfaction_change(self) -> Decimal:
        return self.satisfaction_after - self.satisfaction_before

    @property
    def performance_important(self) -> bool:
        return abs(self.performance_change) >= COPM_IMPORTANT_CHANGE

    @property
    def satisfaction_important(self) -> bool:
        return abs(self.satisfaction_change) >= COPM_IMPORTANT_CHANGE


def copm_mean(scores: Sequence[int]) -> Decimal:
    """The COPM score: the mean over problems, to two decimal places."""
    if not scores:
        raise ValueError("A COPM score needs at least one problem.")
    return (Decimal(sum(scores)) / Decimal(len(scores))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def copm_change(problems: Sequence[CopmProblemChange]) -> CopmChange:
    return CopmChange(
        problems=tuple(problems),
        performance_before=copm_mean([p.performance_before for p in problems]),
        performance_after=copm_mean([p.performance_after for p in problems]),
        satisfaction_before=copm_mean([p.satisfaction_before for p in problems]),
        satisfaction_after=copm_mean([p.satisfaction_after for p in problems]),
    )


# --- TOMs ---------------------------------------------------------------------------------------------------------


def check_toms_score(value: object, field: str) -> Decimal:
    message = "A TOMs score must be from 0 to 5 in half points (0, 0.5, 1 ... 5)."
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RatingError(field, message)
    try:
        score = Decimal(str(value))
    except ArithmeticError:
        raise RatingError(field, message) from None
    if not score.is_finite() or not 0 <= score <= 5 or (score * 2) % 1 != 0:
        raise RatingError(field, message)
    return score.quantize(Decimal("0.1"))


def check_toms(ratings: dict[str, object], field: str = "toms") -> dict[str, Decimal]:
    """All four domains, each in half points from 0 to 5."""
    if not isinstance(ratings, dict):
        raise RatingError(field, f"TOMs needs a score for each of {', '.join(TOMS_DOMAINS)}.")
    unknown = sorted(set(ratings) - set(TOMS_DOMAINS))
    if unknown:
        raise RatingError(f"{field}.{unknown[0]}", f"TOMs has no domain called {unknown[0]}.")
    missing = [d for d in TOMS_DOMAINS if d not in ratings]
    if missing:
        raise RatingError(f"{field}.{missing[0]}", f"TOMs needs a score for {missing[0]}.")
    return {domain: check_toms_score(ratings[domain], f"{field}.{domain}") for domain in TOMS_DOMAINS}


def toms_change(start: dict[str, Decimal], end: dict[str, Decimal]) -> dict[str, Decimal]:
    return {domain: Decimal(end[domain]) - Decimal(start[domain]) for domain in TOMS_DOMAINS}
