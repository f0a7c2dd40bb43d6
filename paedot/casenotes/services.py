"""Writing, signing and countersigning clinical notes, and adding addenda. Every change locks the note, checks
casenotes.rules, and writes its audit event (never the words of the note: those stay in the record) in one
transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from paedot.appointments.models import Appointment
from paedot.casenotes import rules
from paedot.casenotes.models import (
    CONTACTS_WITHOUT_APPOINTMENT,
    Addendum,
    ClinicalNote,
    ContactKind,
    NoteStatus,
)
from paedot.core.audit import record_event
from paedot.diaries.rules import LONDON
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused, require
from paedot.staff.models import Role, User
from paedot.staff.rules import Action, may

MAX_BODY = 20_000
ALREADY_WRITTEN = "You have already written the note of this appointment: change your draft, or add an addendum."


class NoteError(ValueError):
    """Bad input, naming the field it is about (400 in the API, an error on that field in a page)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)


def _refuse(refusal: rules.Refusal | None) -> None:
    if refusal is None:
        return
    if refusal.about_the_note:
        raise TransitionRefused(refusal.message)
    raise NotAllowed(refusal.message)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise NoteError("body", "Write the note")
    if len(body) > MAX_BODY:
        raise NoteError("body", f"A note has at most {MAX_BODY:,} characters")
    return body


def _today() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


def _event(action: str, *, note: ClinicalNote, actor: User, referral: Referral, **detail) -> None:
    record_event(
        action=action,
        actor=actor,
        target=note,
        child_id=referral.child_id,
        detail={"note": note.pk, "referral": referral.reference, **detail},
    )


def _contact_of_appointment(appointment: Appointment, referral: Referral | None) -> Referral:
    """The child an appointment's note is about: the appointment's own, or a child on a group session's register."""
    _refuse(
        rules.appointment_note_refusal(
            cancelled=appointment.cancelled, has_happened=appointment.start <= timezone.now()
        )
    )
    if appointment.referral_id is not None:
        if referral is not None and referral.pk != appointment.referral_id:
            raise NoteError("referral", "This appointment is for another child")
        return appointment.referral
    # A group session: one note per child on its register.
    if referral is None:
        raise NoteError("referral", "A group session's note is written for each child: say which child")
    if not appointment.attendances.filter(referral=referral).exists():
        raise NoteError("referral", f"{referral.reference} is not on this group session's register")
    return referral


def write_note(
    *,
    appointment: Appointment | None = None,
    referral: Referral | None = None,
    contact_kind: str = "",
    contact_on: dt.date | None = None,
    contact_at: dt.time | None = None,
    body: str,
    author: User,
    sign: bool = True,
) -> ClinicalNote:
    """The note of one contact: an appointment (its date and time by default), or a call, an email, school liaison
    or a meeting. Signed straight away unless kept as a draft; an OT assistant's signed note then waits for their
    supervising OT's countersignature. A contact where the child was not brought still gets its note."""
    require(author, Action.WRITE_NOTE)
    if appointment is not None:
        referral = _contact_of_appointment(appointment, referral)
        start = appointment.start.astimezone(LONDON)
        contact_kind = ContactKind.APPOINTMENT
        if contact_on is not None and contact_on != start.date():
            raise NoteError("contact_on", f"This appointment was on {start:%-d %B %Y}")
        contact_on = start.date()
        contact_at = contact_at or start.time().replace(second=0, microsecond=0)
    else:
        if referral is None:
            raise NoteError("referral", "Say whose contact this was")
        if contact_kind not in dict(CONTACTS_WITHOUT_APPOINTMENT):
            raise NoteError("contact_kind", "Choose what kind of contact it was")
        if contact_on is None:
            raise NoteError("contact_on", "Enter the date of the contact")
    if contact_on > _today():
        raise NoteError("contact_on", "The date of the contact must be today or in the past")
    if contact_on < referral.received_date:
        raise NoteError(
            "contact_on",
            f"The date of the contact cannot be before the referral was received ({referral.received_date:%-d %B %Y})",
        )
    body = _clean_body(body)
    if not Referral.objects.visible_to(author).filter(pk=referral.pk).exists():
        raise NotAllowed("You may not write notes about this referral.")
    with transaction.atomic():
        if (
            appointment is not None
            and ClinicalNote.objects.filter(appointment=appointment, author=author, referral=referral).exists()
        ):
            raise TransitionRefused(ALREADY_WRITTEN)
        now = timezone.now()
        status = rules.status_on_signing(author.role) if sign else NoteStatus.DRAFT
        try:
            with transaction.atomic():
                note = ClinicalNote.objects.create(
                    referral=referral,
                    appointment=appointment,
                    contact_kind=contact_kind,
                    contact_on=contact_on,
                    contact_at=contact_at,
                    author=author,
                    body=body,
                    status=status,
                    signed_at=now if sign else None,
                )
        except IntegrityError as error:  # the same note sent twice at once: the constraint kept one
            raise TransitionRefused(ALREADY_WRITTEN) from error
        _event(
            "note.signed" if sign else "note.drafted",
            note=note,
            actor=author,
            referral=referral,
            status=status,
            contact_kind=contact_kind,
            appointment=appointment.pk if appointment else None,
        )
    return note


def _locked(note: ClinicalNote) -> ClinicalNote:
    return ClinicalNote.objects.select_for_update().get(pk=note.pk)


def edit_draft(*, note: ClinicalNote, body: str, by: User) -> ClinicalNote:
    """Change the words of a draft: its author's, until they sign it."""
    require(by, Action.WRITE_NOTE)
    body = _clean_body(body)
    with transaction.atomic():
        locked = _locked(note)
        _refuse(rules.edit_refusal(status=locked.status, is_author=locked.author_id == by.pk))
        locked.body = body
        locked.save(update_fields=["body", "updated_at"])
        _event("note.draft_changed", note=locked, actor=by, referral=locked.referral)
    return locked


def sign_note(*, note: ClinicalNote, by: User) -> ClinicalNote:
    """The author signs their draft; from then on it never changes."""
    require(by, Action.WRITE_NOTE)
    with transaction.atomic():
        locked = _locked(note)
        _refuse(rules.sign_refusal(status=locked.status, is_author=locked.author_id == by.pk))
        locked.status = rules.status_on_signing(by.role)
        locked.signed_at = timezone.now()
        locked.save(update_fields=["status", "signed_at", "updated_at"])
        _event("note.signed", note=locked, actor=by, referral=locked.referral, status=locked.status)
    return locked


def countersign(*, note: ClinicalNote, by: User) -> ClinicalNote:
    """An OT assistant's signed note, countersigned by their supervising OT (or a team lead), never its author."""
    require(by, Action.COUNTERSIGN)
    with transaction.atomic():
        locked = _locked(note)
        author = User.objects.only("pk", "supervisor_id").get(pk=locked.author_id)
        _refuse(
            rules.countersign_refusal(
                status=locked.status,
                is_author=author.pk == by.pk,
                is_authors_supervisor=author.supervisor_id == by.pk,
                is_team_lead=by.role == Role.TEAM_LEAD,
            )
        )
        locked.status = NoteStatus.COUNTERSIGNED
        locked.countersigned_by = by
        locked.countersigned_at = timezone.now()
        locked.save(update_fields=["status", "countersigned_by", "countersigned_at", "updated_at"])
        _event("note.countersigned", note=locked, actor=by, referral=locked.referral, author=author.pk)
    return locked


def add_addendum(*, note: ClinicalNote, body: str, by: User) -> Addendum:
    """A correction or addition to a signed note, kept with who wrote it and when; the note itself is unchanged."""
    require(by, Action.WRITE_NOTE)
    body = _clean_body(body)
    with transaction.atomic():
        locked = _locked(note)
        _refuse(rules.addendum_refusal(status=locked.status))
        addendum = Addendum.objects.create(note=locked, author=by, body=body)
        _event("note.addendum_added", note=locked, actor=by, referral=locked.referral, addendum=addendum.pk)
    return addendum


def countersignature_queue(user: User) -> QuerySet[ClinicalNote]:
    """Notes waiting for this person's countersignature, oldest first: their supervisees' (a team lead: everyone's).
    Fetched with what the queue shows, so its length costs no extra queries."""
    if not may(user, Action.COUNTERSIGN):
        return ClinicalNote.objects.none()
    notes = (
        ClinicalNote.objects.filter(status=NoteStatus.AWAITING_COUNTERSIGNATURE)
        .filter(referral__in=Referral.objects.visible_to(user))
        .exclude(author=user)
        .select_related("referral__child", "author", "appointment")
        .order_by("signed_at", "id")
    )
    if user.role != Role.TEAM_LEAD:
        notes = notes.filter(author__supervisor=user)
    return notes
