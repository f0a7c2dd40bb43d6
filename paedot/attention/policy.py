"""The limits and waiting targets behind the "Needs attention" list: the service's data in policies/limits.json.

Each version takes effect on its `effective_from` date, so the list can always say which limits it applied. The
file is read once; a mistake in it fails loudly here (naming the key), not quietly at a clinician's desk.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from paedot.referrals.models import Priority

POLICY_FILE = Path(__file__).resolve().parent / "policies" / "limits.json"

DAY_KEYS = (
    "screening_days",
    "information_requested_days",
    "triage_days",
    "school_calendar_warning_days",
    "letters_to_post_working_days",
)
KEYS = frozenset({"effective_from", "confirmed_by_service", *DAY_KEYS, "waiting_targets_days"})
LONGEST = 3650  # ten years: anything longer is a typing mistake, not a limit


@dataclass(frozen=True)
class AttentionPolicy:
    effective_from: dt.date
    confirmed_by_service: bool
    screening_days: int
    information_requested_days: int
    triage_days: int
    waiting_targets_days: MappingProxyType[str, int]
    # How long before the school holidays held run out (diaries' term dates) the list says so (hazard H16).
    school_calendar_warning_days: int
    # How many working days (Monday to Friday, not a bank holiday or a closure day) a letter may wait to be posted.
    letters_to_post_working_days: int

    def target_for(self, priority: str) -> int:
        return self.waiting_targets_days[priority]


def _days(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LONGEST:
        raise ValueError(f"{where}: '{key}' must be a whole number of days from 0 to {LONGEST}.")
    return value


def policy_from_dict(data: dict[str, Any], where: str = "policy") -> AttentionPolicy:
    unknown = set(data) - KEYS
    missing = KEYS - set(data)
    if unknown or missing:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}.")
    if not isinstance(data["confirmed_by_service"], bool):
        raise ValueError(f"{where}: 'confirmed_by_service' must be true or false.")
    targets = data["waiting_targets_days"]
    if not isinstance(targets, dict) or set(targets) != set(Priority.values):
        raise ValueError(f"{where}: 'waiting_targets_days' needs a target for each of {', '.join(Priority.values)}.")
    return AttentionPolicy(
        effective_from=dt.date.fromisoformat(str(data["effective_from"])),
        confirmed_by_service=data["confirmed_by_service"],
        screening_days=_days(data["screening_days"], "screening_days", where),
        information_requested_days=_days(data["information_requested_days"], "information_requested_days", where),
        triage_days=_days(data["triage_days"], "triage_days", where),
        waiting_targets_days=MappingProxyType(
            {p: _days(targets[p], f"waiting_targets_days.{p}", where) for p in Priority.values}
        ),
        school_calendar_warning_days=_days(data["school_calendar_warning_days"], "school_calendar_warning_days", where),
        letters_to_post_working_days=_days(data["letters_to_post_working_days"], "letters_to_post_working_days", where),
    )


@cache
def attention_policies(path: Path = POLICY_FILE) -> tuple[AttentionPolicy, ...]:
    """Every version in the file, earliest first."""
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


def policy_on(day: dt.date, path: Path = POLICY_FILE) -> AttentionPolicy:
    """The version in force on this day: the latest that took effect on or before it."""
    in_force = [p for p in attention_policies(path) if p.effective_from <= day]
    if not in_force:
        raise ValueError(f"{path.name}: no version is in force on {day.isoformat()}.")
    return in_force[-1]
