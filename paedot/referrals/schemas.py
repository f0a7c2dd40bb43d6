"""The shape of a referral as partner systems send it (POST /api/referrals)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import Field, field_validator

from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number
from paedot.directory.services import normalise_postcode
from paedot.eligibility.schemas import DifficultyCode, EducationCode, IsoDate, ReferrerRoleCode

Text = Annotated[str, Field(min_length=1, max_length=200)]
OptionalText = Annotated[str, Field(max_length=200)]


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError as error:
            raise ValueError("Enter an email address in the right format, like name@example.nhs.uk") from error
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This cannot be blank")
    return value.strip()


class ChildIn(Schema):
    given_name: Text
    family_name: Text
    date_of_birth: IsoDate
    nhs_number: str | None = None
    address: Annotated[str, Field(max_length=500)] = ""
    postcode: Annotated[str, Field(min_length=1, max_length=10)]

    _blank = field_validator("given_name", "family_name")(_not_blank)

    @field_validator("nhs_number")
    @classmethod
    def check_nhs_number(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not is_valid_nhs_number(value):
            raise ValueError("NHS number must be 10 digits and pass the Modulus 11 check")
        return normalise_nhs_number(value)

    @field_validator("postcode")
    @classmethod
    def check_postcode(cls, value: str) -> str:
        normalised = normalise_postcode(value)
        if normalised is None:
            raise ValueError("Enter a full UK postcode, like B21 9RY")
        return normalised


class ParentCarerIn(Schema):
    name: Text
    relationship: Annotated[str, Field(min_length=1, max_length=100)]
    phone: Annotated[str, Field(max_length=30)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    language: Annotated[str, Field(max_length=100)] = ""
    interpreter_needed: bool = False

    _blank = field_validator("name", "relationship")(_not_blank)
    _email = field_validator("email")(_email)


class ReferrerIn(Schema):
    name: Text
    role: ReferrerRoleCode
    organisation: OptionalText = ""
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[str, Field(max_length=30)] = ""

    _blank = field_validator("name")(_not_blank)
    _email = field_validator("email")(_email)


class ReferralIn(Schema):
    child: ChildIn
    parent_carer: ParentCarerIn
    gp_practice_code: Annotated[str, Field(min_length=1, max_length=10)]
    school_urn: Annotated[str, Field(max_length=10)] | None = None
    education: EducationCode
    difficulties: list[DifficultyCode] = Field(max_length=20)
    description: Annotated[str, Field(min_length=1, max_length=5000)]
    referrer: ReferrerIn
    previous_ot_episode: bool = False
    consent_given: bool
    received_date: IsoDate | None = None
    source: Literal["paper", "email", "phone"] | None = None

    _blank = field_validator("gp_practice_code", "description")(_not_blank)


class ReceiptReasonOut(Schema):
    code: str
    message: str
    signposting: str | None = None


class ReferralReceipt(Schema):
    reference: str
    outcome: str
    reasons: list[ReceiptReasonOut]


class ErrorOut(Schema):
    message: str
    errors: list[dict] | None = None


class HistoryOut(Schema):
    at: str
    action: str
    by: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str = ""


class ReferralOut(Schema):
    reference: str
    status: str
    received_date: str
    source: str
    eligibility: dict
    priority: str | None
    pathway: str | None
    setting: str | None
    locality: str | None
    clinician: str | None
    previous_referral: str | None
    first_attended: str | None = None
    days_waited: int | None = None
    history: list[HistoryOut]


class ScreenIn(Schema):
    decision: Literal["accept", "decline", "request_information"]
    reason: Annotated[str, Field(min_length=1, max_length=4000)]

    _reason = field_validator("reason")(classmethod(lambda cls, v: _not_blank(v)))


class ReasonIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=4000)]

    _reason = field_validator("reason")(classmethod(lambda cls, v: _not_blank(v)))


class NoteIn(Schema):
    note: Annotated[str, Field(min_length=1, max_length=4000)]

    _note = field_validator("note")(classmethod(lambda cls, v: _not_blank(v)))


class UnmergeIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=4000, description="Why these are not the same child")]

    _reason = field_validator("reason")(classmethod(lambda cls, v: _not_blank(v)))


class UnmergeOut(Schema):
    """The possible duplicate after its merge was undone, and what the undo did."""

    id: int
    state: str
    referral: str = Field(description="The new referral's reference (the one that was flagged)")
    existing_referral: str
    undone_by: str | None
    undone_at: str | None
    undo_reason: str
    referrals_moved_back: list[str] = Field(description="Back on the record made for the new referral")
    parent_carers_moved_back: int
    reopened: str | None = Field(description="The referral the merge closed as a duplicate, reopened")
    reopened_status: str | None
    previous_referral_unlinked: str | None
    staying_with_surviving_record: list[str] = Field(
        description="Referrals received since the merge: they stay, and a person checks each is about that child"
    )
    not_restored: list[str] = Field(description="Appointments and group places cancelled since: to book again")
    letters: str


class DuplicateReasonOut(Schema):
    code: str
    message: str


class DuplicateOut(Schema):
    """A possible duplicate: a new referral that may be about a child the service already knows."""

    id: int
    state: str = Field(description="open, merged, dismissed (not the same child) or unmerged (merge undone)")
    strength: str = Field(description="certain (same NHS number) or likely (name, birth, address)")
    referral: str = Field(description="The new referral's reference (the one that was flagged)")
    existing_referral: str
    existing_referral_hidden: bool = Field(
        description="The other referral is a restricted record you are not named on: its reasons are left out, "
        "and only the staff named on it (or someone who breaks the glass) may decide"
    )
    reasons: list[DuplicateReasonOut]
    created_at: str
    resolved_by: str | None
    resolution_reason: str
    undone_by: str | None
    undone_at: str | None
    undo_reason: str


class DuplicatePage(Schema):
    count: int
    page: int
    pages: int
    duplicates: list[DuplicateOut]


class FlagDuplicateIn(Schema):
    other_reference: Annotated[str, Field(min_length=1, max_length=20, description="The other referral's reference")]
    reason: Annotated[str, Field(min_length=1, max_length=4000, description="Why these may be the same child")]

    _reason = field_validator("reason")(classmethod(lambda cls, v: _not_blank(v)))
