"""The attendance policy a service manager may change: data in policies/attendance.json, read once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

POLICY_FILE = Path(__file__).resolve().parent / "policies" / "attendance.json"


@dataclass(frozen=True)
class AttendancePolicy:
    was_not_brought_in_a_row: int
    reminder_days_ahead: int


@cache
def attendance_policy(path: Path = POLICY_FILE) -> AttendancePolicy:
    data = json.loads(path.read_text())
    policy = AttendancePolicy(
        was_not_brought_in_a_row=int(data["was_not_brought_in_a_row"]),
        reminder_days_ahead=int(data["reminder_days_ahead"]),
    )
    if policy.was_not_brought_in_a_row < 1 or policy.reminder_days_ahead < 0:
        raise ValueError(f"{path}: was_not_brought_in_a_row must be 1 or more and reminder_days_ahead 0 or more.")
    return policy
