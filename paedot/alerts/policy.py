"""When an alert on a child is reviewed: the service's data in policies/review.json, each version from its date.

Read once; a mistake in the file fails loudly here (naming the key), not at a clinician's desk.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).resolve().parent / "policies" / "review.json"
KEYS = frozenset({"effective_from", "confirmed_by_service", "review_after_months", "longest_review_months"})
LONGEST = 60  # five years: anything longer is a typing mistake, not a review interval


@dataclass(frozen=True)
class ReviewPolicy:
    effective_from: dt.date
    confirmed_by_service: bool
    review_after_months: int  # the review date offered when an alert is raised or reviewed
    longest_review_months: int  # no review date further ahead than this


def _months(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LONGEST:
        raise ValueError(f"{where}: '{key}' must be a whole number of months from 1 to {LONGEST}.")
    return value


def policy_from_dict(data: dict[str, Any], where: str = "policy") -> ReviewPolicy:
    unknown, missing = set(data) - KEYS, KEYS - set(data)
    if unknown or missing:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}.")
    if not isinstance(data["confirmed_by_service"], bool):
        raise ValueError(f"{where}: 'confirmed_by_service' must be true or false.")
    policy = ReviewPolicy(
        effective_from=dt.date.fromisoformat(str(data["effective_from"])),
        confirmed_by_service=data["confirmed_by_service"],
        review_after_months=_months(data["review_after_months"], "review_after_months", where),
        longest_review_months=_months(data["longest_review_months"], "longest_review_months", where),
    )
    if policy.review_after_months > policy.longest_review_months:
        raise ValueError(f"{where}: 'review_after_months' cannot be longer than 'longest_review_months'.")
    return policy


@cache
def review_policies(path: Path = POLICY_FILE) -> tuple[ReviewPolicy, ...]:
    data = json.loads(path.read_text())
    versions = tuple(
        sorted(
            (policy_from_dict(v, f"{path.name} version {i}") for i, v in enumerate(data["versions"])),
            key=lambda p: p.effective_from,
        )
    )
    dates = [v.effective_from for v in versions]
    if not versions or len(set(dates)) != len(dates):
        raise ValueError(f"{path.name}: give at least one version, and no two taking effect on the same day.")
    return versions


def policy_on(day: dt.date, path: Path = POLICY_FILE) -> ReviewPolicy:
    """The version in force on this day: the latest that took effect on or before it."""
    in_force = [p for p in review_policies(path) if p.effective_from <= day]
    if not in_force:
        raise ValueError(f"{path.name}: no version is in force on {day.isoformat()}.")
    return in_force[-1]
