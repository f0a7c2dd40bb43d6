"""Referrals at each point of the journey, for the triage and caseload tests. All synthetic."""

from __future__ import annotations

from typing import Any

from paedot.referrals.models import PRIORITY_RANK, Priority, Referral
from paedot.referrals.services import screen_referral
from paedot.referrals.tests.factories import make_referral
from paedot.triage.services import suggestion_for, triage_referral


def accepted_referral(*, screened_by, **overrides: Any) -> Referral:
    referral = make_referral(**overrides)
    screen_referral(referral=referral, decision="accept", reason="Meets criteria", screened_by=screened_by)
    return referral


def waiting_referral(
    *, screened_by, triaged_by, priority: str | None = None, pathway: str = "package_of_care", **overrides: Any
) -> Referral:
    """Accepted and triaged; at the suggested priority unless told otherwise (then with a reason)."""
    referral = accepted_referral(screened_by=screened_by, **overrides)
    suggested = suggestion_for(referral).priority
    priority = priority or suggested
    triage_referral(
        referral=referral,
        priority=priority,
        pathway=pathway,
        setting="school",
        reason_for_difference="" if priority == suggested else "Clinical judgement from the referrer's phone call",
        triaged_by=triaged_by,
    )
    return referral


def referral_in(status: str, *, priority: str = "", clinician=None, **overrides: Any) -> Referral:
    """A referral put straight into a status, for tests where how it got there does not matter."""
    referral = make_referral(**overrides)
    rank = PRIORITY_RANK[Priority(priority)] if priority else None
    Referral.objects.filter(pk=referral.pk).update(
        status=status, priority=priority, priority_rank=rank, clinician=clinician
    )
    referral.refresh_from_db()
    return referral
