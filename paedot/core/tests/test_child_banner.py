"""Every page of a child's record says which child it is the same way: date of birth with age, and NHS number."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.core.presenters import age_today
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False)
def test_the_age_is_in_years_and_for_the_under_fives_in_years_and_months():
    assert age_today(dt.date(2016, 7, 1)) == "10 years"
    assert age_today(dt.date(2023, 2, 28)) == "3 years 8 months"
    assert age_today(dt.date(2026, 10, 27)) == "1 month"


@time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False)
def test_the_referral_and_episode_pages_show_birth_date_age_and_nhs_number_under_the_name(client):
    referral = referral_in(
        "accepted",
        child={
            "given_name": "Banner",
            "family_name": "Child",
            "date_of_birth": dt.date(2016, 7, 1),
            "nhs_number": "9434765919",
        },
    )
    client.force_login(staff("ot"))
    html = client.get(f"/staff/referrals/{referral.reference}").content.decode()
    assert "Born 1 July 2016 (10 years) · NHS number 943 476 5919" in " ".join(html.split())
