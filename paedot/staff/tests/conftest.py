"""Fixtures for the two-factor tests: enforcement switched on (the root conftest turns it off for every other
test), and a clock that stands still so a TOTP code is known for as long as a test needs it."""

from __future__ import annotations

import pytest
import time_machine


@pytest.fixture
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True


@pytest.fixture
def clock():
    """Monday 4 January 2027, 09:00 London time, standing still until a test moves it (clock.shift(seconds))."""
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False) as traveller:
        yield traveller
