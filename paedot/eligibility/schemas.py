"""Types the API shares: strict ISO dates and the stable codes, so a bad value gets a 400 naming the field.

The referrals API reuses IsoDate and the *Code types; tests check the Literals match codes.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StrictBool, StringConstraints

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _strict_iso_date(value: Any) -> dt.date:
    """Only YYYY-MM-DD: pydantic's own date type would also take datetimes, timestamps and numbers."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # from Python callers; JSON never gives a date object
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Enter a date as YYYY-MM-DD, for example 2018-05-10")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValueError("Enter a real date as YYYY-MM-DD, for example 2018-05-10") from error


IsoDate = Annotated[dt.date, BeforeValidator(_strict_iso_date)]

EducationCode = Literal["none", "early_years", "mainstream_school", "special_school", "college", "home_educated"]
DifficultyCode = Literal[
    "dressing",
    "washing",
    "feeding",
    "toileting",
    "pencil_skills",
    "scissor_skills",
    "concentration",
    "accessing_environment",
    "play",
    "leisure",
]
ReferrerRoleCode = Literal[
    "gp",
    "paediatrician",
    "other_doctor",
    "educational_support_service",
    "social_care",
    "health_visitor",
    "physiotherapist",
    "speech_and_language_therapist",
    "school_nurse",
    "other_health_professional",
    "teacher",
    "parent_carer",
    "other",
]
SettingCode = Literal["home", "school", "leisure"]
GPPracticeCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]


class EligibilityQuestion(Schema):
    """What the rules need, and nothing that identifies a child. Unknown fields are ignored."""

    date_of_birth: IsoDate = Field(description="YYYY-MM-DD", examples=["2018-05-10"])
    referral_date: IsoDate | None = Field(
        default=None, description="The date the referral is received, YYYY-MM-DD; today (UK) if left out."
    )
    education: EducationCode
    gp_practice_code: GPPracticeCode = Field(description="ODS code of the child's GP practice", examples=["M85001"])
    difficulties: list[DifficultyCode] = Field(max_length=20, description="Functional difficulties in daily life")
    referrer_role: ReferrerRoleCode
    previous_ot_episode: StrictBool = Field(default=False, description="Has the child had OT from this service before?")
    consent_given: StrictBool
    settings_affected: list[SettingCode] | None = Field(
        default=None, description="Where the difficulties show; leave out if not asked."
    )
    new_or_changed_problem: StrictBool | None = Field(
        default=None, description="For a re-referral: is there a new or changed problem? Leave out if not asked."
    )


class ReasonOut(Schema):
    code: str
    message: str
    signposting: str | None = Field(default=None, description="On a decline: where to go instead.")


class EligibilityAnswer(Schema):
    outcome: Literal["accept", "review", "decline"]
    reasons: list[ReasonOut]
    policy: str = Field(description="The id of the policy that decided.")
