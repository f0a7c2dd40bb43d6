"""A child's whole clinical record and API tokens, for asking the FHIR interface about it. All synthetic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from paedot.fhir.resources import CONTENT_TYPE
from paedot.fhir.tests.validation import validate


@dataclass
class Record:
    referral: Any
    episode: Any
    assessment: Any
    first_block: Any
    review: Any
    second_block: Any
    appointment: Any

    @property
    def child_id(self) -> int:
        return self.referral.child_id


def make_record(ot, *, nhs_number: str = "9434765919", hour: int = 10, **overrides: Any) -> Record:
    """A child seen and assessed (COPM with two problems, TOMs at the start), a first block of two goals reviewed
    (levels 0 and -1, COPM re-rated), a second block carrying the second goal over, and an attended appointment at
    `hour` (another record for the same OT needs another hour: PostgreSQL refuses a double booking)."""
    from paedot.appointments.models import Appointment
    from paedot.appointments.tests.factories import clinic, london
    from paedot.care.tests.factories import assessed, episode_for, goal, package_with_goals, reviewed
    from paedot.referrals.tests.factories import referral_in

    referral = referral_in("seen", child={"nhs_number": nhs_number, "given_name": "Mia Rose"}, **overrides)
    episode = episode_for(referral, by=ot)
    assessment = assessed(referral, by=ot, toms={"impairment": 2, "activity": 2.5, "participation": 3, "wellbeing": 3})
    first = package_with_goals(referral, n=2, by=ot)
    problems = list(assessment.copm_problems.order_by("position"))
    review = reviewed(
        first,
        [0, -1],
        by=ot,
        copm=[
            {"problem": problems[0].pk, "performance": 6, "satisfaction": 7},
            {"problem": problems[1].pk, "performance": 5, "satisfaction": 5},
        ],
    )
    carried = first.goals.order_by("position").last()
    second = package_with_goals(
        referral, by=ot, previous=first, goals=[goal(1, carried_from=carried.pk, description=carried.description)]
    )
    day = referral.received_date
    appointment = Appointment.objects.create(
        referral=referral,
        clinician=ot,
        location=clinic(),
        kind="assessment",
        start=london(day.year, day.month, day.day, hour),
        end=london(day.year, day.month, day.day, hour + 1),
        outcome="attended",
        outcome_recorded_at=timezone.now(),
        booked_by=ot,
    )
    return Record(referral, episode, assessment, first, review, second, appointment)


@pytest.fixture
def record(ot_user) -> Record:
    return make_record(ot_user)


@pytest.fixture
def token_for():
    from paedot.staff.services import issue_api_token

    made: dict[int, str] = {}

    def token(user) -> str:
        if user.pk not in made:
            made[user.pk] = issue_api_token(user=user, name="FHIR test")
        return made[user.pk]

    return token


class Fhir:
    """Asks the interface as one account; every answer is checked to be FHIR JSON, and a resource valid R4."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, data: dict | None = None, *, status: int = 200, **extra: str) -> dict[str, Any]:
        response = self.client.get(path, data or {}, **self.headers(), **extra)
        return self._read(response, status)

    def post(self, path: str, data: dict, *, status: int = 200) -> dict[str, Any]:
        response = self.client.post(path, data, **self.headers())
        return self._read(response, status)

    def _read(self, response, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.content[:500]
        assert response["Content-Type"] == CONTENT_TYPE
        body = response.json()
        validate(body)
        self.last_response = response
        return body


@pytest.fixture
def fhir_as(client, token_for):
    def ask_as(user=None) -> Fhir:
        return Fhir(client, token_for(user) if user is not None else None)

    return ask_as


def entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    return [entry["resource"] for entry in bundle.get("entry", [])]


def link(bundle: dict[str, Any], relation: str) -> str | None:
    return next((item["url"] for item in bundle["link"] if item["relation"] == relation), None)
