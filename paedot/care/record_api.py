"""The record around the clinical work in the API: the child's timeline, equipment, consent to share, discharge and
the documents issued. The same services and permissions as the pages: 403 for a role that may not, 404 for an
unknown reference, 409 for a closed episode or a missing consent (naming the recipients)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.care.models import (
    Assessment,
    ConsentToShare,
    Episode,
    EquipmentIssue,
    Review,
)
from paedot.care.rules import RatingError
from paedot.care.services import discharge as discharge_service
from paedot.care.services import equipment as equipment_service
from paedot.care.services import reports
from paedot.care.services.consent import record_consent
from paedot.care.services.episodes import open_episode
from paedot.care.timeline_sources import timeline_for
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.audit import record_view
from paedot.letters.models import Letter
from paedot.referrals.api import find_referral
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Episode of care: record"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict}
RecipientCode = Literal["family", "referrer", "gp", "school", "other"]


def perform(call, *, field: str):
    """Run a service: a rating off its scale is a 400 naming its own field (mapped centrally); other bad input a 400
    naming `field`."""
    try:
        return call()
    except RatingError:
        raise
    except ValueError as error:
        raise bad_request(field, str(error)) from error


def _episode(referral: Referral) -> Episode | None:
    return Episode.objects.filter(referral=referral).first()


def _user_name(user) -> str | None:
    return user.username if user is not None else None


# --- Timeline --------------------------------------------------------------------------------------------------------


class TimelineEntryOut(Schema):
    when: str
    kind: str
    title: str
    detail: str
    url: str
    who: str


@router.get("/referrals/{reference}/timeline", auth=BearerToken(), response={200: list[TimelineEntryOut], **ERRORS})
def read_timeline(request: HttpRequest, reference: str, kind: str = ""):
    """Everything in the child's record for this referral, newest first; `kind` keeps one group (e.g. appointment,
    equipment, letter) or one kind exactly (e.g. equipment.returned)."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    record_view(request, referral, child_id=referral.child_id)
    return [
        {
            "when": entry.when.isoformat(),
            "kind": entry.kind,
            "title": entry.title,
            "detail": entry.detail,
            "url": entry.url,
            "who": entry.who,
        }
        for entry in timeline_for(referral, kind=kind.strip())
    ]


# --- Equipment -------------------------------------------------------------------------------------------------------


class EquipmentOut(Schema):
    id: int
    referral: str
    kind: str
    item: str
    issued_on: dt.date
    review_on: dt.date | None
    returned_on: dt.date | None
    on_loan: bool
    notes: str
    issued_by: str
    reminder_sent_on: dt.date | None


def equipment_out(issue: EquipmentIssue, reference: str) -> dict:
    return {
        "id": issue.pk,
        "referral": reference,
        "kind": issue.kind,
        "item": issue.item,
        "issued_on": issue.issued_on,
        "review_on": issue.review_on,
        "returned_on": issue.returned_on,
        "on_loan": issue.returned_on is None,
        "notes": issue.notes,
        "issued_by": issue.issued_by.username,
        "reminder_sent_on": issue.reminder_sent_on,
    }


class EquipmentIn(Schema):
    kind: Literal["equipment", "splint", "adaptation"]
    item: Annotated[str, Field(min_length=1, max_length=200)]
    issued_on: dt.date
    review_on: dt.date | None = None
    notes: Annotated[str, Field(max_length=5000)] = ""


@router.get("/referrals/{reference}/equipment", auth=BearerToken(), response={200: list[EquipmentOut], **ERRORS})
def list_equipment(request: HttpRequest, reference: str):
    """Everything issued to the child in this episode, on loan or returned, in the order it was issued."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    episode = _episode(referral)
    if episode is None:
        return []
    record_view(request, episode, child_id=referral.child_id)
    issues = episode.equipment.select_related("issued_by").order_by("issued_on", "id")
    return [equipment_out(issue, referral.reference) for issue in issues]


@router.post("/referrals/{reference}/equipment", auth=BearerToken(), response={201: EquipmentOut, **ERRORS})
def create_equipment(request: HttpRequest, reference: str, payload: EquipmentIn):
    """Issue equipment, a splint or an adaptation (opens the episode on an accepted referral)."""
    referral = find_referral(request, reference, action=Action.ISSUE_EQUIPMENT)
    issue = perform(
        lambda: equipment_service.issue_equipment(
            referral=referral,
            kind=payload.kind,
            item=payload.item,
            issued_on=payload.issued_on,
            review_on=payload.review_on,
            notes=payload.notes,
            issued_by=request.auth,
        ),
        field="body",
    )
    return Status(201, equipment_out(issue, referral.reference))


def _equipment(request: HttpRequest, issue_id: int) -> EquipmentIssue:
    if not may(request.auth, Action.ISSUE_EQUIPMENT):
        raise NotAllowed(refusal(Action.ISSUE_EQUIPMENT))
    issue = (
        EquipmentIssue.objects.select_related("episode__referral", "issued_by")
        .filter(episode__in=Episode.objects.visible_to(request.auth), pk=issue_id)
        .first()
    )
    if issue is None:
        raise HttpError(404, f"No equipment {issue_id}.")
    return issue


class ReturnIn(Schema):
    returned_on: dt.date


@router.post("/equipment/{issue_id}/return", auth=BearerToken(), response={200: EquipmentOut, **ERRORS})
def return_equipment(request: HttpRequest, issue_id: int, payload: ReturnIn):
    """409 if it was already returned."""
    issue = _equipment(request, issue_id)
    updated = perform(
        lambda: equipment_service.record_return(issue=issue, returned_on=payload.returned_on, by=request.auth),
        field="returned_on",
    )
    return equipment_out(updated, issue.episode.referral.reference)


class EquipmentReviewIn(Schema):
    note: Annotated[str, Field(min_length=1, max_length=5000)]
    next_review_on: dt.date | None = None


@router.post("/equipment/{issue_id}/review", auth=BearerToken(), response={200: EquipmentOut, **ERRORS})
def review_equipment(request: HttpRequest, issue_id: int, payload: EquipmentReviewIn):
    """What the review found, and the next review date (null: no further review)."""
    issue = _equipment(request, issue_id)
    updated = perform(
        lambda: equipment_service.record_equipment_review(
            issue=issue, next_review_on=payload.next_review_on, note=payload.note, by=request.auth
        ),
        field="next_review_on",
    )
    return equipment_out(updated, issue.episode.referral.reference)


# --- Consent to share ------------------------------------------------------------------------------------------------


class ConsentOut(Schema):
    id: int
    recipient: str
    recipient_name: str
    given: bool
    given_by: str
    note: str
    recorded_by: str
    recorded_at: str
    current: bool


def consent_out(consent: ConsentToShare, current: bool) -> dict:
    return {
        "id": consent.pk,
        "recipient": consent.recipient,
        "recipient_name": consent.recipient_name,
        "given": consent.given,
        "given_by": consent.given_by,
        "note": consent.note,
        "recorded_by": consent.recorded_by.username,
        "recorded_at": consent.created_at.isoformat(),
        "current": current,
    }


class ConsentIn(Schema):
    recipient: RecipientCode
    given: bool
    given_by: Annotated[str, Field(min_length=1, max_length=200)]
    recipient_name: Annotated[str, Field(max_length=200)] = ""
    note: Annotated[str, Field(max_length=5000)] = ""


@router.get("/referrals/{reference}/consents", auth=BearerToken(), response={200: list[ConsentOut], **ERRORS})
def list_consents(request: HttpRequest, reference: str):
    """Every consent recorded, newest first; `current` marks the newest for each recipient, which is the one that
    counts."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    episode = _episode(referral)
    if episode is None:
        return []
    record_view(request, episode, child_id=referral.child_id)
    consents = list(episode.consents.select_related("recorded_by").order_by("-created_at", "-id"))
    seen: set[str] = set()
    out = []
    for consent in consents:
        out.append(consent_out(consent, consent.recipient not in seen))
        seen.add(consent.recipient)
    return out


@router.post("/referrals/{reference}/consents", auth=BearerToken(), response={201: ConsentOut, **ERRORS})
def create_consent(request: HttpRequest, reference: str, payload: ConsentIn):
    """Record consent (or a refusal) to share reports with a recipient; it replaces any earlier one for them."""
    referral = find_referral(request, reference, action=Action.RECORD_CONSENT)

    def record():
        episode = open_episode(referral=referral, opened_by=request.auth)
        return record_consent(
            episode=episode,
            recipient=payload.recipient,
            given=payload.given,
            given_by=payload.given_by,
            recipient_name=payload.recipient_name,
            note=payload.note,
            recorded_by=request.auth,
        )

    consent = perform(record, field="body")
    return Status(201, consent_out(consent, True))


# --- Discharge -------------------------------------------------------------------------------------------------------


class EpisodeOut(Schema):
    referral: str
    status: str
    opened_at: str
    opened_by: str
    discharged_at: str | None
    discharged_by: str | None
    discharge_reason: str | None
    discharge_summary: str


def episode_out(episode: Episode) -> dict:
    episode.refresh_from_db()
    referral = Referral.objects.only("reference", "status").get(pk=episode.referral_id)
    return {
        "referral": referral.reference,
        "status": referral.status,
        "opened_at": episode.created_at.isoformat(),
        "opened_by": episode.opened_by.username,
        "discharged_at": episode.discharged_at.isoformat() if episode.discharged_at else None,
        "discharged_by": _user_name(episode.discharged_by),
        "discharge_reason": episode.discharge_reason or None,
        "discharge_summary": episode.discharge_summary,
    }


class TomsIn(Schema):
    impairment: float | str
    activity: float | str
    participation: float | str
    wellbeing: float | str


class DischargeIn(Schema):
    reason: Literal[
        "goals_met", "moved_to_advice", "no_longer_eligible", "moved_away", "family_declined", "not_brought", "other"
    ]
    summary: Annotated[str, Field(min_length=1, max_length=20000)]
    send_to: list[RecipientCode] = []
    toms_end: TomsIn | None = None


@router.post(
    "/referrals/{reference}/episode/discharge",
    auth=BearerToken(),
    response={200: EpisodeOut, **ERRORS},
    summary="Discharge",
)
def discharge(request: HttpRequest, reference: str, payload: DischargeIn):
    """Discharge with a reason and summary: open invitations close, future appointments are cancelled, and the
    discharge summary goes to each of `send_to`. 409 naming the recipients when consent to share is missing: then
    nothing changes."""
    referral = find_referral(request, reference, action=Action.DISCHARGE)
    episode = perform(
        lambda: discharge_service.discharge_episode(
            referral=referral,
            reason=payload.reason,
            summary=payload.summary,
            send_to=list(payload.send_to),
            toms_end=payload.toms_end.model_dump() if payload.toms_end else None,
            discharged_by=request.auth,
        ),
        field="summary",
    )
    return episode_out(episode)


# --- Documents -------------------------------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    kind: str
    subject: str
    recipients: list[dict]
    issued_at: str
    issued_by: str | None
    pdf: str


def letter_out(letter: Letter) -> dict:
    return {
        "id": letter.pk,
        "kind": letter.kind,
        "subject": letter.subject,
        "recipients": letter.recipients,
        "issued_at": letter.created_at.isoformat(),
        "issued_by": _user_name(letter.issued_by),
        "pdf": reverse("letters:download_letter", args=[letter.pk]),
    }


class ReportIn(Schema):
    kind: Literal["assessment_report", "review_report", "discharge_summary"]
    assessment: int | None = None
    review: int | None = None
    recipients: Annotated[list[RecipientCode], Field(min_length=1)]


class ReportOut(Schema):
    letters: list[DocumentOut]


@router.post("/referrals/{reference}/reports", auth=BearerToken(), response={201: ReportOut, **ERRORS})
def issue_report(request: HttpRequest, reference: str, payload: ReportIn):
    """Issue a report: one letter per recipient, each kept as sent (its PDF at `pdf`). 409 naming the recipients
    without consent to share: then nothing is issued."""
    action = Action.DISCHARGE if payload.kind == "discharge_summary" else Action.ISSUE_REPORT
    referral = find_referral(request, reference, action=action)
    episode = _episode(referral)
    if episode is None:
        raise HttpError(409, f"Referral {referral.reference} has no episode of care yet: there is nothing to report.")
    letters = perform(lambda: _issue_report(request, episode, payload), field="recipients")
    return Status(201, {"letters": [letter_out(letter) for letter in letters]})


def _issue_report(request: HttpRequest, episode: Episode, payload: ReportIn) -> list[Letter]:
    recipients = list(payload.recipients)
    if payload.kind == "assessment_report":
        if payload.assessment is None:
            raise bad_request("assessment", "Give the id of the assessment to report on")
        assessment = Assessment.objects.filter(episode=episode, pk=payload.assessment).first()
        if assessment is None:
            raise HttpError(404, f"No assessment {payload.assessment} in this episode.")
        return reports.issue_assessment_report(assessment=assessment, recipients=recipients, issued_by=request.auth)
    if payload.kind == "review_report":
        if payload.review is None:
            raise bad_request("review", "Give the id of the review to report on")
        review = Review.objects.filter(package__episode=episode, pk=payload.review).first()
        if review is None:
            raise HttpError(404, f"No review {payload.review} in this episode.")
        return reports.issue_review_report(review=review, recipients=recipients, issued_by=request.auth)
    return reports.issue_discharge_summary(episode=episode, recipients=recipients, issued_by=request.auth)


@router.get("/referrals/{reference}/documents", auth=BearerToken(), response={200: list[DocumentOut], **ERRORS})
def list_documents(request: HttpRequest, reference: str):
    """Every letter and report issued for this referral, newest first, each with the address of its PDF."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    record_view(request, referral, child_id=referral.child_id)
    letters = Letter.objects.filter(referral=referral).select_related("issued_by").order_by("-created_at", "-id")
    return [letter_out(letter) for letter in letters]
