"""A referral whose child and family details are changed in these tests. All synthetic."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.referrals.tests.factories import make_referral

NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "9912003888"
CHILD = {
    "given_name": "Zara",
    "family_name": "Exampleton",
    "date_of_birth": dt.date(2018, 5, 10),
    "nhs_number": NHS_NUMBER,
    "address": "12 Example Street, Birmingham",
    "postcode": "B21 9RY",
}
PARENT = {"name": "Sam Exampleton", "relationship": "Mother", "email": "sam@example.com", "phone": "07700 900123"}
NORTH_PRACTICE = "M85001"  # Shah Zaman Surgery: open, Birmingham, North locality
EAST_PRACTICE = "M85005"  # The Park Medical Centre: open, Birmingham, East locality
CLOSED_PRACTICE = "M85015"  # Sparkhill Surgery: Birmingham, closed in 2018
SOLIHULL_PRACTICE = "M89002"  # Kingshurst: open, Solihull
NO_LOCALITY_PRACTICE = "Y02620"  # The Hill General Practice: open, Birmingham, not in the locality lookup
SCHOOL_URN = "103120"  # Bordesley Green East Nursery School
OTHER_SCHOOL_URN = "103121"  # Brearley Nursery School


@pytest.fixture
def a_wednesday_in_term():
    """The same day every run (the details tests use it): home visits are "to come" or "past" against it."""
    with time_machine.travel("2027-01-20 12:00 +00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def referral(db):
    return make_referral(
        child=CHILD,
        parent_carer=PARENT,
        gp_practice_code=NORTH_PRACTICE,
        school_urn=SCHOOL_URN,
        received_date=dt.date(2027, 1, 4),
    )
