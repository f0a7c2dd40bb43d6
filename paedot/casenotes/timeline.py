"""The notes' part of a child's timeline: every signed note (an OT assistant's too, while it waits for its
countersignature: it is already part of the record) and every addendum. Drafts are their author's until signed.
Two queries, however many notes."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse

from paedot.care.timeline import TimelineEntry
from paedot.casenotes import presenters
from paedot.casenotes.models import Addendum, ClinicalNote, NoteStatus
from paedot.referrals.models import Referral


def entries_for(referral: Referral) -> list[TimelineEntry]:
    notes = (
        ClinicalNote.objects.signed()
        .filter(referral=referral)
        .select_related("author", "appointment", "countersigned_by")
        .prefetch_related(Prefetch("addenda", queryset=Addendum.objects.select_related("author")))
        .order_by("contact_on", "id")
    )
    page = reverse("casenotes:referral_notes", args=[referral.reference])
    entries: list[TimelineEntry] = []
    for note in notes:
        title = f"Note: {presenters.contact_name(note)}"
        if note.status == NoteStatus.AWAITING_COUNTERSIGNATURE:
            title += " (awaiting countersignature)"
        elif note.status == NoteStatus.COUNTERSIGNED:
            title += f" (countersigned by {note.countersigned_by.display_name})"
        entries.append(
            TimelineEntry(
                when=presenters.contact_moment(note),
                kind="note",
                title=title,
                detail=presenters.excerpt(note.body),
                url=f"{page}#note-{note.pk}",
                who=note.author.display_name,
            )
        )
        for addendum in note.addenda.all():
            entries.append(
                TimelineEntry(
                    when=addendum.created_at,
                    kind="addendum",
                    title=f"Addendum to the note of {presenters.contact(note)}",
                    detail=presenters.excerpt(addendum.body),
                    url=f"{page}#addendum-{addendum.pk}",
                    who=addendum.author.display_name,
                )
            )
    return entries
