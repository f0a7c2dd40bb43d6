"""Recording that letters were printed and posted, and undoing a wrong mark.

Every letter goes by post, a copy to each recipient: the emails and texts the service sends are reminders with a
calendar file, never the letter itself. Nobody recorded whether a letter went out, so a family could miss their
appointment or discharge letter unseen. Here the admin team (and a clinician, for a letter they issued) records it,
each change in one transaction with its audit event.

Kept apart from services.py as notifications keeps its outbox apart from its sending: issuing a letter is shared
machinery the referral services call, while this reads who may open which referral (and the referral services'
refusals), which services.py cannot import without a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.core.models import AuditEvent
from paedot.letters import rules
from paedot.letters.models import CLINICAL_KINDS, Letter
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused, require
from paedot.staff.rules import Action, may

POSTED = "letter.posted"
NOT_POSTED = "letter.not_posted"
# A batch is what one person has just put in the post: a page of the list at most, with room to spare.
MOST_AT_ONCE = 100


class PostingState(models.TextChoices):
    TO_POST = "to_post", "To post"
    POSTED = "posted", "Posted"


def letters_visible_to(user) -> QuerySet[Letter]:
    """Letters this person may look up to record their posting: those of referrals they may open (so a restricted
    record's, or another locality's, stay hidden), reports and advice packs only for those who may see the clinical
    record. Nothing for a role that does not record posting."""
    if not may(user, Action.RECORD_LETTER_POSTED):
        return Letter.objects.none()
    letters = Letter.objects.filter(referral__in=Referral.objects.visible_to(user))
    if not may(user, Action.VIEW_CLINICAL_RECORD):
        letters = letters.exclude(kind__in=CLINICAL_KINDS)
    return letters


def list_letters(user, *, state: str = PostingState.TO_POST) -> QuerySet[Letter]:
    """The letters to post, oldest first; or those posted, the latest posted first. Admin staff and team leads see
    every letter they may open; a clinician only the letters they issued. With what a list shows joined in, and
    without the letters' text."""
    letters = letters_visible_to(user)
    if not rules.posts_any_letter(getattr(user, "role", None)):
        letters = letters.filter(issued_by=user)
    if state == PostingState.POSTED:
        letters = letters.filter(posted_at__isnull=False).order_by("-posted_at", "-id")
    else:
        letters = letters.filter(posted_at__isnull=True).order_by("created_at", "id")
    return letters.select_related("referral", "issued_by", "posted_by").defer("html")


def find_letter(user, letter_id: int) -> Letter | None:
    return (
        letters_visible_to(user)
        .select_related("referral", "issued_by", "posted_by")
        .defer("html")
        .filter(pk=letter_id)
        .first()
    )


def find_letters(user, letter_ids: Sequence[int]) -> list[Letter]:
    """The letters named that this person may look up, in the order named; those they may not are left out."""
    found = {
        letter.pk: letter
        for letter in letters_visible_to(user).select_related("referral").defer("html").filter(pk__in=letter_ids)
    }
    return [found[pk] for pk in dict.fromkeys(letter_ids) if pk in found]


@dataclass(frozen=True)
class Posting:
    """One letter after marking it posted: `recorded` is False where it was already posted (nothing changed)."""

    letter: Letter
    recorded: bool
    message: str


def _posted_by_name(letter: Letter) -> str | None:
    return letter.posted_by.display_name if letter.posted_by_id and letter.posted_by else None


def _check_person(user, letter: Letter) -> None:
    decision = rules.posting_decision(
        role=getattr(user, "role", None), user_id=getattr(user, "pk", None), issued_by_id=letter.issued_by_id
    )
    if not decision.allowed:
        raise NotAllowed(decision.reason)


def _detail(letter: Letter) -> dict[str, Any]:
    return {
        "referral": letter.referral.reference,
        "kind": letter.kind,
        "recipients": [r.get("role", "") for r in letter.recipients],
    }


def record_letters_posted(*, letters: Sequence[Letter], posted_by) -> list[Posting]:
    """Record that these letters were printed and posted, now, by this person: all of them or, if this person may
    not record one of them, none. A letter already posted is left as it was (who posted it and when stay), so
    marking twice, or two people marking the same batch at once, records each letter once."""
    require(posted_by, Action.RECORD_LETTER_POSTED)
    letters = list({letter.pk: letter for letter in letters}.values())
    if not letters:
        raise ValueError("Choose the letters you have posted.")
    if len(letters) > MOST_AT_ONCE:
        raise ValueError(f"Mark at most {MOST_AT_ONCE} letters as posted at once.")
    for letter in letters:
        _check_person(posted_by, letter)
    ids = [letter.pk for letter in letters]
    with transaction.atomic():
        now = timezone.now()
        # Locked in one order, so two batches that share letters wait for each other instead of deadlocking.
        unposted = set(
            Letter.objects.select_for_update()
            .filter(pk__in=ids, posted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if unposted:
            Letter.objects.filter(pk__in=unposted).update(
                posted_at=now, posted_by=posted_by, posted_before_recording=False, updated_at=now
            )
        for letter in letters:
            if letter.pk in unposted:
                record_event(
                    action=POSTED,
                    actor=posted_by,
                    target=letter,
                    child_id=letter.referral.child_id,
                    detail={**_detail(letter), "batch": len(letters)},
                )
    fresh = {
        letter.pk: letter
        for letter in Letter.objects.select_related("referral", "posted_by").defer("html").filter(pk__in=ids)
    }
    postings = []
    for pk in ids:
        letter = fresh[pk]
        if pk in unposted:
            message = "Recorded as posted."
        else:
            message = rules.already_posted_message(
                posted_at=letter.posted_at,
                posted_by_name=_posted_by_name(letter),
                before_recording=letter.posted_before_recording,
            )
        postings.append(Posting(letter=letter, recorded=pk in unposted, message=message))
    return postings


def record_letter_posted(*, letter: Letter, posted_by) -> Posting:
    """Record that this letter was printed and posted (a copy to each recipient). Idempotent: a letter already
    posted keeps who posted it and when, and the answer says so."""
    return record_letters_posted(letters=[letter], posted_by=posted_by)[0]


def record_letter_not_posted(*, letter: Letter, reason: str, recorded_by) -> Letter:
    """Undo a wrong mark: the letter was not posted after all (marked by mistake, or found in the tray), so it goes
    back on the list to post. The reason, and who posted it before, stay in the audit trail."""
    require(recorded_by, Action.RECORD_LETTER_POSTED)
    _check_person(recorded_by, letter)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Say why the letter was not posted after all: it is kept in the audit trail.")
    with transaction.atomic():
        locked = (
            Letter.objects.select_for_update(of=("self",)).select_related("posted_by").defer("html").get(pk=letter.pk)
        )
        decision = rules.undo_decision(posted=locked.is_posted)
        if not decision.allowed:
            raise TransitionRefused(decision.reason)
        was = {
            "was_posted_at": locked.posted_at.isoformat() if locked.posted_at else None,
            "was_posted_by": rules.posted_by_words(
                posted_by_name=locked.posted_by.get_username() if locked.posted_by else None,
                before_recording=locked.posted_before_recording,
            ),
        }
        Letter.objects.filter(pk=letter.pk).update(
            posted_at=None, posted_by=None, posted_before_recording=False, updated_at=timezone.now()
        )
        record_event(
            action=NOT_POSTED,
            actor=recorded_by,
            target=letter,
            child_id=letter.referral.child_id,
            reason=reason,
            detail={**_detail(letter), **was},
        )
    letter.refresh_from_db()
    return letter


@dataclass(frozen=True)
class PostingEntry:
    at: dt.datetime
    who: str
    what: str
    reason: str


def posting_history(letter: Letter) -> list[PostingEntry]:
    """Marked posted, and not posted after all, oldest first, from the audit trail (with the posting before it was
    recorded first, where the letter was counted as posted by the migration)."""
    events = (
        AuditEvent.objects.filter(
            object_type=Letter._meta.label_lower, object_id=str(letter.pk), action__in=(POSTED, NOT_POSTED)
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    entries = []
    if letter.posted_before_recording or any(
        e.action == NOT_POSTED and e.detail.get("was_posted_by") == rules.BEFORE_RECORDING for e in events
    ):
        entries.append(
            PostingEntry(at=letter.created_at, who=rules.BEFORE_RECORDING, what="Counted as posted", reason="")
        )
    words = {POSTED: "Recorded as posted", NOT_POSTED: "Not posted after all"}
    for event in events:
        who = event.actor.display_name if event.actor else event.actor_label
        entries.append(PostingEntry(at=event.occurred_at, who=who, what=words[event.action], reason=event.reason))
    return entries
