"""Referrals on the waiting list, brought there through the real services (screening, triage), as staff would."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from paedot.directory.models import GPPractice
from paedot.referrals.models import Referral
from paedot.referrals.services import screen_referral
from paedot.referrals.tests.factories import make_referral, staff
from paedot.triage.services import suggestion_for, triage_referral

_names = itertools.count()


def practice_in(locality: str) -> str:
    """An open Birmingham GP practice in this locality (a child's locality is their GP's)."""
    practice = GPPractice.objects.birmingham().filter(locality=locality).order_by("code").first()
    assert practice is not None, f"No open Birmingham practice in {locality} in the reference data"
    return practice.code


def waiting_referral(
    *,
    received_date: dt.date | None = None,
    priority: str = "routine",
    pathway: str = "package_of_care",
    setting: str = "clinic",
    locality: str | None = None,
    date_of_birth: dt.date | None = None,
    admin=None,
    ot=None,
    **overrides: Any,
) -> Referral:
    """A referral received on `received_date`, accepted at screening and triaged to `priority`: status waiting."""
    admin = admin or staff("clinical_admin")
    ot = ot or staff("ot")
    if locality is not None:
        overrides["gp_practice_code"] = practice_in(locality)
    child = {"given_name": f"Child{next(_names)}", **overrides.pop("child", {})}
    if date_of_birth is not None:
        child["date_of_birth"] = date_of_birth
        if (received_date or timezone.localdate()) < date_of_birth.replace(year=date_of_birth.year + 5):
            overrides.setdefault("education", "early_years")
    referral = make_referral(received_date=received_date, child=child, **overrides)
    screen_referral(referral=referral, decision="accept", reason="Meets the criteria", screened_by=admin)
    suggested = suggestion_for(referral).priority
    triage_referral(
        referral=referral,
        priority=priority,
        pathway=pathway,
        setting=setting,
        reason_for_difference="" if suggested == priority else "Test: chosen by the test",
        triaged_by=ot,
    )
    referral.refresh_from_db()
    return referral


def days_ago(days: int, today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=days)
