"""Referral payloads and stored referrals for tests. All synthetic."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from typing import Any

from paedot.referrals.services import (
    ChildDetails,
    ParentCarerDetails,
    ReferralSubmission,
    ReferrerDetails,
    receive_referral,
)

BIRMINGHAM_PRACTICE = "M85001"  # active, North locality
SOLIHULL_PRACTICE = "M89001"

BASE_PAYLOAD: dict[str, Any] = {
    "child": {
        "given_name": "Ayaan",
        "family_name": "Testchild",
        "date_of_birth": "2018-05-10",
        "nhs_number": "9434765919",
        "address": "1 Soho Road, Birmingham",
        "postcode": "b21 9ry",
    },
    "parent_carer": {
        "name": "Sara Testchild",
        "relationship": "Mother",
        "phone": "07700 900123",
        "email": "sara@example.com",
    },
    "gp_practice_code": BIRMINGHAM_PRACTICE,
    "school_urn": "103120",
    "education": "mainstream_school",
    "difficulties": ["pencil_skills", "dressing"],
    "description": "Handwriting is hard to read and he cannot do buttons.",
    "referrer": {
        "name": "Dr Jo Example",
        "role": "gp",
        "organisation": "Example Surgery",
        "email": "jo@example.nhs.uk",
    },
    "previous_ot_episode": False,
    "consent_given": True,
}


def referral_payload(**overrides: Any) -> dict[str, Any]:
    """The base payload with overrides; nested keys as "child__date_of_birth"."""
    payload = copy.deepcopy(BASE_PAYLOAD)
    for key, value in overrides.items():
        target = payload
        *parents, leaf = key.split("__")
        for parent in parents:
            target = target[parent]
        if value is ...:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return payload


_children_made = itertools.count()


def submission(**overrides: Any) -> ReferralSubmission:
    """A valid submission. Each child gets a different date of birth (the same school year), so referrals made in
    a test are about different children unless the test says otherwise."""
    values = {
        "gp_practice_code": BIRMINGHAM_PRACTICE,
        "education": "mainstream_school",
        "difficulties": ("pencil_skills",),
        "description": "Handwriting is hard to read.",
        "consent_given": True,
        "previous_ot_episode": False,
        "school_urn": "",
    }
    child = {
        "given_name": "Mia",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2016, 9, 1) + dt.timedelta(days=next(_children_made) % 365),
        "postcode": "B21 9RY",
    }
    child.update(overrides.pop("child", {}))
    referrer = {"name": "Dr Jo Example", "role": "gp", "email": "jo@example.nhs.uk"}
    referrer.update(overrides.pop("referrer", {}))
    parent = {"name": "Sara Testchild", "relationship": "Mother", "email": "sara@example.com"}
    parent.update(overrides.pop("parent_carer", {}))
    values.update(overrides)
    return ReferralSubmission(
        child=ChildDetails(**child),
        parent_carer=ParentCarerDetails(**parent),
        referrer=ReferrerDetails(**referrer),
        **values,
    )


def make_referral(*, source: str = "online", received_date: dt.date | None = None, **overrides: Any):
    return receive_referral(
        submission=submission(**overrides), source=source, received_date=received_date, acknowledge=False
    )


def staff(role: str, username: str | None = None):
    """A member of staff of this role (made once per test database)."""
    from paedot.staff.models import User
    from paedot.staff.services import create_staff_user

    username = username or f"{role}-journey"
    return User.objects.filter(username=username).first() or create_staff_user(
        username=username, role=role, password="a-long-test-password-1", full_name=f"{role.title()} Person"
    )


def referral_in(status: str, **overrides: Any):
    """A referral brought to this status through the real services, as staff would."""
    from paedot.referrals.services import discharge_referral, screen_referral
    from paedot.triage.services import suggestion_for, triage_referral
    from paedot.waiting_list.services import invite_to_book, record_booking

    admin, ot = staff("clinical_admin"), staff("ot")
    referral = make_referral(**overrides)
    if status == "received":
        return referral
    if status in ("declined", "information_requested"):
        decision = "decline" if status == "declined" else "request_information"
        return screen_referral(referral=referral, decision=decision, reason="Test decision", screened_by=admin)
    screen_referral(referral=referral, decision="accept", reason="Meets the criteria", screened_by=admin)
    if status == "accepted":
        return referral
    if status == "discharged":
        return discharge_referral(referral=referral, reason="Family moved away", discharged_by=ot)
    priority = suggestion_for(referral).priority
    triage_referral(referral=referral, priority=priority, pathway="package_of_care", setting="clinic", triaged_by=ot)
    if status == "waiting":
        return referral
    invite_to_book(referral=referral, invited_by=admin)
    if status == "invited":
        return referral
    record_booking(referral=referral, recorded_by=admin)
    if status == "booked":
        return referral
    if status == "seen":
        from paedot.referrals.services import stop_waiting_clock

        return stop_waiting_clock(referral=referral, attended_on=referral.received_date, recorded_by=ot)
    raise ValueError(f"Unknown status {status!r}")
