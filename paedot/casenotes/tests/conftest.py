"""Notes tests happen on one day, and the role fixtures get names, so a page can be read for who did what."""

from __future__ import annotations

import pytest
import time_machine

from paedot.casenotes.tests.factories import TODAY


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with time_machine.travel(TODAY, tick=False):
        yield


def _named(user, given: str, family: str):
    user.first_name, user.last_name = given, family
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def ot_user(ot_user):
    return _named(ot_user, "Olu", "Therapist")


@pytest.fixture
def ota_user(ota_user):
    return _named(ota_user, "Ama", "Assistant")


@pytest.fixture
def team_lead_user(team_lead_user):
    return _named(team_lead_user, "Lee", "Lead")
