"""Referral payloads and stored referrals for tests. All synthetic."""

from __future__ import annotations

import copy
import datetime as dt
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


def submission(**overrides: Any) -> ReferralSubmission:
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
        "date_of_birth": dt.date(2017, 3, 1),
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
