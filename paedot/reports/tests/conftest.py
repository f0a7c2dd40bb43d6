"""The known service (factories.py) at its fixed today, and the people who read its figures."""

from __future__ import annotations

import pytest
import time_machine

from paedot.reports.tests.factories import NOW, known_service


@pytest.fixture
def on_known_day():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def known(db, on_known_day):
    return known_service()


@pytest.fixture
def commissioner_user(db):
    from paedot.staff.services import create_staff_user

    return create_staff_user(
        username="commissioner1", role="commissioner", password="a-long-test-password-1", full_name="Cara Commissioner"
    )


def token_for(user) -> dict:
    from paedot.staff.services import issue_api_token

    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user, name='reports test')}"}
