"""Clinical notes in the API (same services and permissions as the pages): write the note of an appointment or of
another contact, change a draft, sign, countersign, add addenda, and the countersignature queue.

403 for a role that may not (or a countersigner who is neither the author's supervisor nor a team lead), 404 for a
record this caller may not see, 409 for a note whose state refuses it (a signed note is never edited: add an
addendum), 400 naming the field for bad input.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.appointments.models import Appointment
from paedot.casenotes.models import Addendum, ClinicalNote
from paedot.casenotes.services import (
    MAX_BODY,
    NoteError,
    add_addendum,
    countersign,
    countersignature_queue,
    edit_draft,
    sign_note,
    write_note,
)
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.audit import record_view
from paedot.diaries.rules import LONDON
from paedot.referrals.api import find_referral
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Clinical notes"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict}

Body = Annotated[str, Field(min_length=1, max_length=MAX_BODY)]


class AddendumOut(Schema):
    id: int
    author: str
    body: str
    created_at: str


class NoteOut(Schema):
    id: int
    referral: str
    appointment: int | None
    contact_kind: str
    contact_on: str
    author: str
    body: str
    status: str
    signed_at: str | None
    countersigned_by: str | None
    countersigned_at: str | None
    addenda: list[AddendumOut]


def _when(value: dt.datetime | None) -> str | None:
    return value.astimezone(LONDON).isoformat() if value else None


def addendum_out(addendum: Addendum) -> dict:
    return {
        "id": addendum.pk,
        "author": addendum.author.username,
        "body": addendum.body,
        "created_at": _when(addendum.created_at),
    }


def note_out(note: ClinicalNote) -> dict:
    """Needs the note fetched by _notes() (referral, author, countersigner and addenda with it)."""
    return {
        "id": note.pk,
        "referral": note.referral.reference,
        "appointment": note.appointment_id,
        "contact_kind": note.contact_kind,
        "contact_on": note.contact_on.isoformat(),
        "author": note.author.username,
        "body": note.body,
        "status": note.status,
        "signed_at": _when(note.signed_at),
        "countersigned_by": note.countersigned_by.username if note.countersigned_by else None,
        "countersigned_at": _when(note.countersigned_at),
        "addenda": [addendum_out(a) for a in note.addenda.all()],
    }


def _notes(queryset):
    return queryset.select_related("referral", "author", "countersigned_by").prefetch_related(
        Prefetch("addenda", queryset=Addendum.objects.select_related("author"))
    )


def _fresh(note: ClinicalNote) -> dict:
    return note_out(_notes(ClinicalNote.objects.all()).get(pk=note.pk))


def _require(request: HttpRequest, action: Action) -> None:
    if not may(request.auth, action):
        raise NotAllowed(refusal(action))


def _find_note(request: HttpRequest, note_id: int, action: Action) -> ClinicalNote:
    """The note this caller may read (a draft is its author's), or 404; then 403 if their role may not act."""
    note = _notes(ClinicalNote.objects.readable_by(request.auth)).filter(pk=note_id).first()
    if note is None:
        raise HttpError(404, f"No note {note_id}.")
    _require(request, action)
    return note


def _find_appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    """The appointment of a referral this caller may see (or a group session), or 404; then 403."""
    visible = Referral.objects.visible_to(request.auth)
    appointment = (
        Appointment.objects.select_related("referral")
        .filter(Q(referral__in=visible) | Q(referral__isnull=True), pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise HttpError(404, f"No appointment {appointment_id}.")
    _require(request, Action.WRITE_NOTE)
    return appointment


def _call(fn):
    """A service's bad input becomes a 400 naming its field; its refusals (403, 409) are mapped in config/api."""
    try:
        return fn()
    except NoteError as error:
        raise bad_request(error.field, error.message) from error
    except ValueError as error:
        raise bad_request("body", str(error)) from error


class AppointmentNoteIn(Schema):
    body: Body
    contact_on: dt.date | None = None
    sign: bool = True
    referral: Annotated[str, Field(max_length=20)] | None = None  # only for a group session: which child


@router.post(
    "/appointments/{appointment_id}/notes",
    auth=BearerToken(),
    response={201: NoteOut, **ERRORS},
    summary="Write the note of an appointment",
)
def create_appointment_note(request: HttpRequest, appointment_id: int, payload: AppointmentNoteIn):
    """The date is the appointment's. Signed unless `sign` is false (a draft); an OT assistant's signed note waits
    for countersignature. 409 for a cancelled or future appointment, or a second note by the same author."""
    appointment = _find_appointment(request, appointment_id)
    referral = None
    if payload.referral:
        referral = find_referral(request, payload.referral)
    note = _call(
        lambda: write_note(
            appointment=appointment,
            referral=referral,
            contact_on=payload.contact_on,
            body=payload.body,
            author=request.auth,
            sign=payload.sign,
        )
    )
    return Status(201, _fresh(note))


class ContactNoteIn(Schema):
    contact_kind: Literal["telephone", "email", "school_liaison", "multi_agency_meeting"]
    body: Body
    contact_on: dt.date | None = None  # today (Birmingham) unless given
    sign: bool = True


@router.post(
    "/referrals/{reference}/notes",
    auth=BearerToken(),
    response={201: NoteOut, **ERRORS},
    summary="Write the note of a contact without an appointment",
)
def create_contact_note(request: HttpRequest, reference: str, payload: ContactNoteIn):
    """A telephone call, an email, school liaison or a multi-agency meeting."""
    referral = find_referral(request, reference, action=Action.WRITE_NOTE)
    note = _call(
        lambda: write_note(
            referral=referral,
            contact_kind=payload.contact_kind,
            contact_on=payload.contact_on or dt.datetime.now(tz=LONDON).date(),
            body=payload.body,
            author=request.auth,
            sign=payload.sign,
        )
    )
    return Status(201, _fresh(note))


@router.get(
    "/referrals/{reference}/notes",
    auth=BearerToken(),
    response={200: list[NoteOut], **ERRORS},
    summary="A child's notes",
)
def list_notes(request: HttpRequest, reference: str):
    """Newest contact first, with addenda; drafts only their author's own."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    notes = _notes(ClinicalNote.objects.readable_by(request.auth).filter(referral=referral)).order_by(
        "-contact_on", "-id"
    )
    record_view(request, referral, child_id=referral.child_id)
    return [note_out(note) for note in notes]


@router.get(
    "/notes/countersignature-queue",
    auth=BearerToken(),
    response={200: list[NoteOut], **ERRORS},
    summary="Notes waiting for my countersignature",
)
def list_countersignature_queue(request: HttpRequest):
    """The signed notes of the OT assistants this OT supervises (a team lead: everyone's), oldest first."""
    _require(request, Action.COUNTERSIGN)
    return [note_out(note) for note in _notes(countersignature_queue(request.auth))]


@router.get("/notes/{note_id}", auth=BearerToken(), response={200: NoteOut, **ERRORS}, summary="Read a note")
def read_note(request: HttpRequest, note_id: int):
    note = _find_note(request, note_id, Action.VIEW_CLINICAL_RECORD)
    record_view(request, note, child_id=note.referral.child_id)
    return note_out(note)


class DraftIn(Schema):
    body: Body


@router.patch("/notes/{note_id}", auth=BearerToken(), response={200: NoteOut, **ERRORS}, summary="Change a draft")
def change_draft(request: HttpRequest, note_id: int, payload: DraftIn):
    """Only a draft, only by its author: a signed note is never changed (409: add an addendum)."""
    note = _find_note(request, note_id, Action.WRITE_NOTE)
    _call(lambda: edit_draft(note=note, body=payload.body, by=request.auth))
    return _fresh(note)


@router.post("/notes/{note_id}/sign", auth=BearerToken(), response={200: NoteOut, **ERRORS}, summary="Sign a draft")
def sign(request: HttpRequest, note_id: int):
    """The author signs their draft; an OT assistant's then waits for countersignature."""
    note = _find_note(request, note_id, Action.WRITE_NOTE)
    _call(lambda: sign_note(note=note, by=request.auth))
    return _fresh(note)


@router.post(
    "/notes/{note_id}/countersign", auth=BearerToken(), response={200: NoteOut, **ERRORS}, summary="Countersign"
)
def countersign_note(request: HttpRequest, note_id: int):
    """403 unless an OT or team lead, and the author's supervisor or a team lead (never the author); 409 when the
    note is not awaiting countersignature."""
    note = _find_note(request, note_id, Action.COUNTERSIGN)
    _call(lambda: countersign(note=note, by=request.auth))
    return _fresh(note)


class AddendumIn(Schema):
    body: Body


@router.post(
    "/notes/{note_id}/addenda",
    auth=BearerToken(),
    response={201: AddendumOut, **ERRORS},
    summary="Add an addendum to a signed note",
)
def create_addendum(request: HttpRequest, note_id: int, payload: AddendumIn):
    """The note itself never changes; the addendum is kept with who wrote it and when. A draft: change it (409)."""
    note = _find_note(request, note_id, Action.WRITE_NOTE)
    addendum = _call(lambda: add_addendum(note=note, body=payload.body, by=request.auth))
    return Status(201, addendum_out(addendum))
