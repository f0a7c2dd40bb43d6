"""How notes read on staff pages and on the timeline: the contact, the status tag, who signed and countersigned."""

from __future__ import annotations

import datetime as dt

from paedot.casenotes.models import ClinicalNote, ContactKind, NoteStatus
from paedot.core.presenters import format_date, format_datetime
from paedot.diaries.rules import LONDON

STATUS_TAGS = {
    NoteStatus.DRAFT: ("Draft", "nhsuk-tag--grey"),
    NoteStatus.SIGNED: ("Signed", "nhsuk-tag--green"),
    NoteStatus.AWAITING_COUNTERSIGNATURE: ("Awaiting countersignature", "nhsuk-tag--yellow"),
    NoteStatus.COUNTERSIGNED: ("Countersigned", "nhsuk-tag--green"),
}


def status_tag(note: ClinicalNote) -> dict[str, str]:
    text, classes = STATUS_TAGS[NoteStatus(note.status)]
    return {"text": text, "classes": classes}


def contact_name(note: ClinicalNote) -> str:
    """ "Assessment" for an appointment's note (needs the appointment fetched with it), else "Telephone call"."""
    if note.contact_kind == ContactKind.APPOINTMENT and note.appointment is not None:
        return note.appointment.get_kind_display()
    return note.get_contact_kind_display()


def contact(note: ClinicalNote) -> str:
    """Assessment on 11 January 2027 at 09:30"""
    when = f"{contact_name(note)} on {format_date(note.contact_on)}"
    if note.contact_at is not None:
        when += f" at {note.contact_at:%H:%M}"
    return when


def contact_moment(note: ClinicalNote) -> dt.datetime:
    """When the contact happened, for ordering: its time when known, else the start of that day (Birmingham)."""
    return dt.datetime.combine(note.contact_on, note.contact_at or dt.time(0, 0), tzinfo=LONDON)


def signature(note: ClinicalNote) -> str:
    """Who signed it, when; "Not signed yet" for a draft. Needs the author fetched with it."""
    if note.signed_at is None:
        return f"Draft by {note.author.display_name}, not signed yet"
    return f"Signed by {note.author.display_name} on {format_datetime(note.signed_at)}"


def countersignature(note: ClinicalNote) -> str:
    """Needs the countersigner (and, for a note awaiting countersignature, the author's supervisor) fetched."""
    if note.status == NoteStatus.COUNTERSIGNED and note.countersigned_by is not None:
        return f"Countersigned by {note.countersigned_by.display_name} on {format_datetime(note.countersigned_at)}"
    if note.status == NoteStatus.AWAITING_COUNTERSIGNATURE:
        supervisor = note.author.supervisor
        return f"Awaiting countersignature by {supervisor.display_name}" if supervisor else "Awaiting countersignature"
    return ""


def excerpt(text: str, length: int = 200) -> str:
    """The first words of a note on one line, for lists and the timeline."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[: length - 1].rsplit(" ", 1)[0] + "…"
