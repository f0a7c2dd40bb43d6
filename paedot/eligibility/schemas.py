"""Types the API shares: strict ISO dates and the stable codes, so a bad value gets a 400 naming the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _strict_iso_date(value: Any) -> dt.date:
    """Only YYYY-MM-DD: pydantic's own date type would also take datetimes, timestamps and numbers."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
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


class EligibilityQuestion(Schema):
    date_of_birth: IsoDate
    referral_date: IsoDate | None = None
    education: EducationCode
    gp_practice_code: Annotated[str, Field(min_length=1, max_length=10)]
    difficulties: list[DifficultyCode] = Field(max_length=20)
    referrer_role: ReferrerRoleCode
    previous_ot_episode: bool = False
    consent_given: bool
    settings_affected: list[SettingCode] | None = None
    new_or_changed_problem: bool | None = None


class ReasonOut(Schema):
    code: str
    message: str
    signposting: str | None = None


class EligibilityAnswer(Schema):
    outcome: Literal["accept", "review", "decline"]
    reasons: list[ReasonOut]
    policy: str
