"""Receiving a referral: every referral is kept, whatever the eligibility rules say about it."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from paedot.children.models import Child, ParentCarer
from paedot.core.audit import record_event
from paedot.core.identifiers import normalise_nhs_number
from paedot.core.locks import hold_nhs_number
from paedot.directory.models import School
from paedot.directory.services import find_gp_practice, normalise_postcode
from paedot.eligibility.rules import EligibilityDecision as Decision
from paedot.eligibility.services import check_eligibility
from paedot.referrals.letters import send_acknowledgement_letter
from paedot.referrals.models import EligibilityDecision, EligibilityReason, Referral, Source
from paedot.referrals.services.duplicates import (
    flag_possible_duplicates,
    known_child_with_same_nhs_number,
    latest_closed_referral,
)
from paedot.referrals.tasks import queue_acknowledgements
from paedot.staff.models import Locality

# No 0/O, 1/I/L: a reference is read out over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ChildDetails:
    given_name: str
    family_name: str
    date_of_birth: dt.date
    nhs_number: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class ParentCarerDetails:
    name: str
    relationship: str
    phone: str = ""
    email: str = ""
    language: str = ""
    interpreter_needed: bool = False


@dataclass(frozen=True)
class ReferrerDetails:
    name: str
    role: str
    organisation: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ReferralSubmission:
    """A referral as any door (API, online form, paper entry) hands it over, already validated."""

    child: ChildDetails
    parent_carer: ParentCarerDetails
    referrer: ReferrerDetails
    gp_practice_code: str
    education: str
    difficulties: tuple[str, ...]
    description: str
    consent_given: bool
    previous_ot_episode: bool = False
    school_urn: str = ""
    school_name: str = ""
    settings_affected: tuple[str, ...] | None = field(default=None)
    impact_home: str = ""
    impact_school: str = ""
    impact_leisure: str = ""
    strategies_tried: str = ""
    other_professionals: str = ""


class DuplicateSubmission(Exception):
    """The online form's token was used already: the referral exists, so show it rather than make another."""


def referral_for_token(token: str) -> Referral | None:
    return Referral.objects.filter(submission_token=token).first() if token else None


def new_reference() -> str:
    """OT-XXXX-XXXX: 31^8 (about 850 billion) possibilities, so a guess finds nothing."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"OT-{chars[:4]}-{chars[4:]}"


def decide_for(submission: ReferralSubmission, received_date: dt.date) -> Decision:
    return check_eligibility(
        date_of_birth=submission.child.date_of_birth,
        referral_date=received_date,
        education=submission.education,
        gp_practice_code=submission.gp_practice_code,
        difficulties=tuple(submission.difficulties),
        referrer_role=submission.referrer.role,
        previous_ot_episode=submission.previous_ot_episode,
        consent_given=submission.consent_given,
        settings_affected=submission.settings_affected,
    )


def receive_referral(
    *,
    submission: ReferralSubmission,
    source: str,
    received_date: dt.date | None = None,
    submitted_by=None,
    acknowledge: bool = True,
    submission_token: str | None = None,
) -> Referral:
    """Store the referral with its child, parent/carer, referrer and eligibility decision, all or nothing.

    The decision informs staff; it never refuses the referral. The acknowledgement emails are a task queued with
    the referral (referrals.tasks), sent by the worker: a slow or failing mail server can neither lose a referral
    nor slow its intake.
    """
    if source not in Source.values:
        raise ValueError(f"Unknown source {source!r}.")
    received_at = timezone.now()
    received_date = received_date or timezone.localdate(received_at)
    decision = decide_for(submission, received_date)
    school_name = submission.school_name
    if submission.school_urn and not school_name:
        school = School.objects.filter(urn=submission.school_urn).only("name").first()
        school_name = school.name if school else ""

    practice = find_gp_practice(submission.gp_practice_code)
    locality = practice.locality if practice and practice.locality in Locality.values else ""

    with transaction.atomic():
        # Two referrals for one new child at once would each find no record and make one: the second waits here.
        hold_nhs_number(normalise_nhs_number(submission.child.nhs_number))
        known = known_child_with_same_nhs_number(submission.child.nhs_number)
        child = known or Child.objects.create(
            given_name=submission.child.given_name.strip(),
            family_name=submission.child.family_name.strip(),
            date_of_birth=submission.child.date_of_birth,
            nhs_number=normalise_nhs_number(submission.child.nhs_number),
            address=submission.child.address.strip(),
            postcode=normalise_postcode(submission.child.postcode) or submission.child.postcode.strip().upper(),
        )
        parent = ParentCarer.objects.create(
            child=child,
            name=submission.parent_carer.name.strip(),
            relationship=submission.parent_carer.relationship.strip(),
            phone=submission.parent_carer.phone.strip(),
            email=submission.parent_carer.email.strip(),
            language=submission.parent_carer.language.strip(),
            interpreter_needed=submission.parent_carer.interpreter_needed,
        )
        referral = _create_with_unique_reference(
            child=child,
            parent_carer=parent,
            received_date=received_date,
            received_at=received_at,
            source=source,
            education=submission.education,
            gp_practice_code=submission.gp_practice_code.strip().upper(),
            gp_practice_name=practice.name if practice else "",
            locality=locality,
            previous_referral=latest_closed_referral(child) if known else None,
            school_urn=submission.school_urn.strip(),
            school_name=school_name,
            difficulties=list(submission.difficulties),
            description=submission.description.strip(),
            impact_home=submission.impact_home.strip(),
            impact_school=submission.impact_school.strip(),
            impact_leisure=submission.impact_leisure.strip(),
            strategies_tried=submission.strategies_tried.strip(),
            other_professionals=submission.other_professionals.strip(),
            submission_token=submission_token,
            previous_ot_episode=submission.previous_ot_episode,
            consent_given=submission.consent_given,
            referrer_name=submission.referrer.name.strip(),
            referrer_role=submission.referrer.role,
            referrer_organisation=submission.referrer.organisation.strip(),
            referrer_email=submission.referrer.email.strip(),
            referrer_phone=submission.referrer.phone.strip(),
            submitted_by=submitted_by if getattr(submitted_by, "is_authenticated", False) else None,
        )
        stored = EligibilityDecision.objects.create(
            referral=referral, outcome=decision.outcome, policy_id=decision.policy_id
        )
        EligibilityReason.objects.bulk_create(
            EligibilityReason(
                decision=stored,
                position=position,
                code=reason.code,
                severity=reason.severity,
                message=reason.message,
                signposting=reason.signposting,
            )
            for position, reason in enumerate(decision.reasons)
        )
        record_event(
            action="referral.received",
            actor=submitted_by,
            actor_label="" if submitted_by else "public online form",
            target=referral,
            detail={
                "reference": referral.reference,
                "source": source,
                "outcome": decision.outcome,
                "policy": decision.policy_id,
                "reasons": [reason.code for reason in decision.reasons],
            },
        )
        if known is not None:
            from paedot.restricted_records.services import restrict_new_referral

            restrict_new_referral(referral)
        flag_possible_duplicates(referral=referral, submission=submission, same_child=known is not None)
        if acknowledge:
            send_acknowledgement_letter(referral=referral, issued_by=submitted_by)
            queue_acknowledgements(referral.pk)
    return referral


def _create_with_unique_reference(**fields) -> Referral:
    """A clash of random references is all but impossible; if one happens, draw again."""
    attempts = 5
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return Referral.objects.create(reference=new_reference(), **fields)
        except IntegrityError:
            token = fields.get("submission_token")
            if token and Referral.objects.filter(submission_token=token).exists():
                raise DuplicateSubmission(token) from None
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
