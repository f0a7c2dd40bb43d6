"""Episodes, assessments, packages of care with goals, and reviews for tests, made through the real services.
All synthetic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from paedot.care.models import Assessment, Episode, Package, Review
from paedot.care.services.assessments import record_assessment
from paedot.care.services.episodes import open_episode
from paedot.care.services.packages import record_review, set_package
from paedot.referrals.tests.factories import staff


def _ot(by):
    return by or staff("ot")


def episode_for(referral, by=None) -> Episode:
    """The referral's episode of care (opened now if need be)."""
    return open_episode(referral=referral, opened_by=_ot(by))


def gas_levels(what: str = "Does up 3 buttons on the school shirt") -> dict[str, str]:
    """Five GAS levels described around the expected outcome."""
    return {
        "-2": f"Cannot yet: {what.lower()}",
        "-1": f"With a lot of help: {what.lower()}",
        "0": f"{what}, with a reminder",
        "1": f"{what}, without help",
        "2": f"{what}, without help, within a minute",
    }


def goal(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """One goal as set_package (and the API) take it."""
    description = overrides.pop("description", f"Goal {n}: does up 3 buttons on the school shirt by half term")
    return {
        "description": description,
        "area": "self_care",
        "levels": gas_levels(),
        "weight": 1,
        "baseline": -1,
        **overrides,
    }


def package_with_goals(referral, n: int = 3, by=None, *, weights: Sequence[Any] | None = None, **overrides: Any):
    """A package of care (direct OT, at school, 6 sessions) with n goals; `weights` gives each goal its weight, and
    any other keyword goes to set_package."""
    goals = overrides.pop("goals", None)
    if goals is None:
        goals = [goal(i + 1) for i in range(n)]
        for spec, weight in zip(goals, weights or (), strict=False):
            spec["weight"] = weight
    values: dict[str, Any] = {
        "type": "package_of_care",
        "delivery": ["direct_ot"],
        "places": ["school"],
        "sessions": 6,
        "goals": goals,
    }
    values.update(overrides)
    return set_package(referral=referral, created_by=_ot(by), **values)


def reviewed(package: Package, levels: Sequence[int], by=None, **overrides: Any) -> Review:
    """The package reviewed with its goals (in order) at these levels; decision new_block unless overridden."""
    goals = list(package.goals.order_by("position", "id"))
    values: dict[str, Any] = {
        "reviewed_on": timezone.localdate(),
        "goals": [{"id": g.pk, "attained": level} for g, level in zip(goals, levels, strict=True)],
        "decision": "new_block",
    }
    values.update(overrides)
    return record_review(package=package, reviewed_by=_ot(by), **values)


def copm_problem(problem: str = "Doing up buttons", importance: int = 8, performance: int = 3, satisfaction: int = 2):
    return {"problem": problem, "importance": importance, "performance": performance, "satisfaction": satisfaction}


def assessed(referral, by=None, **overrides: Any) -> Assessment:
    """An assessment with a fine motor finding and two COPM problems, unless overridden."""
    values: dict[str, Any] = {
        "assessed_on": timezone.localdate(),
        "findings": {"fine_motor": "Immature pencil grasp; tires quickly when writing."},
        "standardised": [],
        "copm": [copm_problem(), copm_problem("Using a knife and fork", 6, 4, 4)],
    }
    values.update(overrides)
    return record_assessment(referral=referral, assessed_by=_ot(by), **values)
