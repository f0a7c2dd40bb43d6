"""The goal bank: common goals for this service, each written SMART with its five GAS levels, for a clinician to start
from when setting a package's goals. Data in policies/goal_bank.json (the team lead changes it), checked on load so
a bad edit stops the service starting rather than showing a goal with a level missing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from paedot.care.models import Area

BANK_FILE = Path(__file__).resolve().parent / "policies" / "goal_bank.json"
LEVEL_KEYS = ("-2", "-1", "0", "1", "2")
# A goal's usual starting point: one level below expected, or the lowest level when nothing worse is possible.
BASELINES = (-2, -1)
PLACEHOLDER = "{child}"


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    area: str


@dataclass(frozen=True)
class BankGoal:
    id: str
    topic: str
    area: str
    description: str
    levels: dict[str, str]
    baseline: int

    def for_child(self, given_name: str) -> dict:
        """The goal as a package's goal row, with the child's first name in place of {child}."""
        name = given_name or "the child"
        return {
            "description": self.description.replace(PLACEHOLDER, name),
            "area": self.area,
            "levels": {key: text.replace(PLACEHOLDER, name) for key, text in self.levels.items()},
            "weight": 1,
            "baseline": self.baseline,
            "carried_from": None,
        }


@dataclass(frozen=True)
class GoalBank:
    effective_from: str
    topics: tuple[Topic, ...]
    goals: tuple[BankGoal, ...]

    def in_topic(self, topic: str) -> tuple[BankGoal, ...]:
        return tuple(goal for goal in self.goals if goal.topic == topic)

    def get(self, goal_id: str) -> BankGoal | None:
        return next((goal for goal in self.goals if goal.id == goal_id), None)


def _problem(path: Path, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{path}: {message}")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def load_goal_bank(path: Path = BANK_FILE) -> GoalBank:
    """Read and check the bank: unique ids, a known topic and area, a description, five non-empty levels, and a
    baseline of -1 or -2."""
    data = json.loads(path.read_text(encoding="utf-8"))
    topics: dict[str, Topic] = {}
    for raw in data.get("topics") or []:
        topic = Topic(id=_text(raw.get("id")), label=_text(raw.get("label")), area=_text(raw.get("area")))
        if not topic.id or not topic.label:
            raise _problem(path, "every topic needs an id and a label.")
        if topic.area not in Area.values:
            raise _problem(path, f"topic {topic.id} has area {topic.area!r}; use one of {', '.join(Area.values)}.")
        if topic.id in topics:
            raise _problem(path, f"topic {topic.id} is listed twice.")
        topics[topic.id] = topic
    goals: list[BankGoal] = []
    seen: set[str] = set()
    for raw in data.get("goals") or []:
        goal_id = _text(raw.get("id"))
        if not goal_id:
            raise _problem(path, "every goal needs an id.")
        if goal_id in seen:
            raise _problem(path, f"goal {goal_id} is listed twice.")
        seen.add(goal_id)
        area, topic = _text(raw.get("area")), _text(raw.get("topic"))
        if area not in Area.values:
            raise _problem(path, f"goal {goal_id} has area {area!r}; use one of {', '.join(Area.values)}.")
        if topic not in topics:
            raise _problem(path, f"goal {goal_id} has topic {topic!r}, which is not in the list of topics.")
        if topics[topic].area != area:
            raise _problem(path, f"goal {goal_id} is in area {area} but its topic {topic} is in {topics[topic].area}.")
        description = _text(raw.get("description"))
        if not description:
            raise _problem(path, f"goal {goal_id} has no description.")
        raw_levels = raw.get("levels") if isinstance(raw.get("levels"), dict) else {}
        if sorted(raw_levels) != sorted(LEVEL_KEYS) or not all(_text(raw_levels[k]) for k in LEVEL_KEYS):
            raise _problem(path, f"goal {goal_id} needs all five levels (-2, -1, 0, 1, 2), each described.")
        baseline = raw.get("baseline", -1)
        if isinstance(baseline, bool) or baseline not in BASELINES:
            raise _problem(
                path, f"goal {goal_id} has baseline {baseline!r}; use -1, or -2 if nothing worse is possible."
            )
        goals.append(
            BankGoal(
                id=goal_id,
                topic=topic,
                area=area,
                description=description,
                levels={key: _text(raw_levels[key]) for key in LEVEL_KEYS},
                baseline=int(baseline),
            )
        )
    if not goals:
        raise _problem(path, "the goal bank has no goals.")
    return GoalBank(effective_from=_text(data.get("effective_from")), topics=tuple(topics.values()), goals=tuple(goals))


@cache
def goal_bank() -> GoalBank:
    """The service's goal bank, read once."""
    return load_goal_bank()


def bank_goal(goal_id: str) -> BankGoal:
    """One goal of the bank by id (KeyError if there is none)."""
    goal = goal_bank().get(goal_id)
    if goal is None:
        raise KeyError(f"There is no goal {goal_id!r} in the goal bank.")
    return goal
