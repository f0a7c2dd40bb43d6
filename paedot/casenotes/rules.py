"""The rules of clinical notes, as pure decisions: what signing makes a note, and who may change, sign,
countersign or add to one. Each refusal has a stable code, a sentence, and whether it is about who is asking
(403) or about the state the note is in (409)."""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
SIGNED = "signed"
AWAITING = "awaiting_countersignature"
COUNTERSIGNED = "countersigned"


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    about_the_note: bool  # True: the note's state refuses it (409); False: this person may not (403)


def status_on_signing(author_role: str) -> str:
    """An OT assistant's signed note waits for their supervising OT's countersignature; an OT's is complete."""
    return AWAITING if author_role == "ota" else SIGNED


def appointment_note_refusal(*, cancelled: bool, has_happened: bool) -> Refusal | None:
    """An appointment's note is of a contact that happened: a child who was not brought still gets one (what was
    tried, who was told), a cancelled appointment had no contact, and a future one has not happened yet."""
    if cancelled:
        return Refusal(
            "appointment_cancelled",
            "This appointment was cancelled: there was no contact to write about. Write the note of the call or "
            "other contact from the child's notes instead.",
            about_the_note=True,
        )
    if not has_happened:
        return Refusal(
            "appointment_not_happened",
            "This appointment has not happened yet: write its note after the contact.",
            about_the_note=True,
        )
    return None


def edit_refusal(*, status: str, is_author: bool) -> Refusal | None:
    """Only a draft changes, and only by its author."""
    if status != DRAFT:
        return Refusal("note_signed", "A signed note is never changed: add an addendum.", about_the_note=True)
    if not is_author:
        return Refusal("not_author", "Only the author of a draft may change it.", about_the_note=False)
    return None


def sign_refusal(*, status: str, is_author: bool) -> Refusal | None:
    """Only the author signs, and only a draft."""
    if status != DRAFT:
        return Refusal("already_signed", "This note is already signed.", about_the_note=True)
    if not is_author:
        return Refusal("not_author", "Only the author of a note may sign it.", about_the_note=False)
    return None


def countersign_refusal(
    *, status: str, is_author: bool, is_authors_supervisor: bool, is_team_lead: bool
) -> Refusal | None:
    """A note awaiting countersignature, by the author's supervising OT or a team lead; never by its author."""
    if status != AWAITING:
        if status == COUNTERSIGNED:
            message = "This note is already countersigned."
        elif status == DRAFT:
            message = "This note is a draft: its author signs it first."
        else:
            message = "This note does not need a countersignature: its author is an OT."
        return Refusal("not_awaiting_countersignature", message, about_the_note=True)
    if is_author:
        return Refusal("own_note", "Nobody countersigns their own note.", about_the_note=False)
    if not (is_authors_supervisor or is_team_lead):
        return Refusal(
            "not_supervisor",
            "Only the author's supervising OT or a team lead may countersign this note.",
            about_the_note=False,
        )
    return None


def addendum_refusal(*, status: str) -> Refusal | None:
    """Addenda correct or add to a signed note; a draft is simply changed."""
    if status == DRAFT:
        return Refusal(
            "note_is_draft", "This note is a draft: change it instead of adding an addendum.", about_the_note=True
        )
    return None
