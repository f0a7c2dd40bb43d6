"""Equipment, splints and adaptations lent to a child: issuing them, reviewing them, their return, and the daily
reminder when a review date comes round."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from paedot.care.models import EquipmentIssue, EquipmentKind
from paedot.care.services.episodes import open_episode, require_open
from paedot.core.audit import record_event
from paedot.core.presenters import format_date
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.rules import Action

logger = logging.getLogger(__name__)


def _check_dates(issued_on: dt.date, review_on: dt.date | None, today: dt.date) -> None:
    if issued_on > today:
        raise ValueError("The date it was issued must be today or in the past.")
    if review_on is not None and review_on < issued_on:
        raise ValueError("The review date must be on or after the date it was issued.")


def issue_equipment(
    *,
    referral: Referral,
    kind: str,
    item: str,
    issued_on: dt.date,
    review_on: dt.date | None = None,
    notes: str = "",
    issued_by,
) -> EquipmentIssue:
    """Record an item lent to the child. The first clinical record on an accepted referral opens its episode."""
    require(issued_by, Action.ISSUE_EQUIPMENT)
    if kind not in EquipmentKind.values:
        raise ValueError(f"Choose what was issued: one of {', '.join(EquipmentKind.values)}.")
    item = (item or "").strip()
    if not item:
        raise ValueError("Say what was issued (for example: writing slope, resting splint for the left hand).")
    _check_dates(issued_on, review_on, timezone.localdate())
    with transaction.atomic():
        episode = open_episode(referral=referral, opened_by=issued_by)
        require_open(episode)
        issue = EquipmentIssue.objects.create(
            episode=episode,
            kind=kind,
            item=item[:200],
            issued_on=issued_on,
            review_on=review_on,
            notes=(notes or "").strip(),
            issued_by=issued_by,
        )
        record_event(
            action="equipment.issued",
            actor=issued_by,
            target=issue,
            child_id=referral.child_id,
            detail={
                "kind": kind,
                "issued_on": issued_on.isoformat(),
                "review_on": review_on.isoformat() if review_on else None,
            },
        )
    return issue


def _on_loan(issue: EquipmentIssue) -> EquipmentIssue:
    locked = EquipmentIssue.objects.select_for_update().get(pk=issue.pk)
    if locked.returned_on is not None:
        raise TransitionRefused(f"This was returned on {format_date(locked.returned_on)}: it is no longer on loan.")
    return locked


def record_equipment_review(*, issue: EquipmentIssue, next_review_on: dt.date | None, note: str, by) -> EquipmentIssue:
    """An item was checked: what was found is added to its notes, and the next review date (if any) set.

    A new review date gets its own reminder when it comes round.
    """
    require(by, Action.ISSUE_EQUIPMENT)
    note = (note or "").strip()
    if not note:
        raise ValueError("Say what the review found (fit, condition, whether it is still needed).")
    today = timezone.localdate()
    if next_review_on is not None and next_review_on <= today:
        raise ValueError("The next review date must be in the future.")
    with transaction.atomic():
        locked = _on_loan(issue)
        # The notes are the item's running record, so a later reader sees each review in order.
        line = f"Reviewed on {format_date(today)} by {by.display_name}: {note}"
        locked.notes = f"{locked.notes}\n{line}".strip()
        previous = locked.review_on
        locked.review_on = next_review_on
        locked.reminder_sent_on = None
        locked.save(update_fields=["notes", "review_on", "reminder_sent_on", "updated_at"])
        record_event(
            action="equipment.reviewed",
            actor=by,
            target=locked,
            child_id=locked.episode.referral.child_id,
            reason=note,
            detail={
                "review_was_due": previous.isoformat() if previous else None,
                "next_review_on": next_review_on.isoformat() if next_review_on else None,
            },
        )
    issue.refresh_from_db()
    return issue


def record_return(*, issue: EquipmentIssue, returned_on: dt.date, by) -> EquipmentIssue:
    """The item came back. Allowed after discharge too: equipment is often returned once the episode has ended."""
    require(by, Action.ISSUE_EQUIPMENT)
    if returned_on > timezone.localdate():
        raise ValueError("The date it was returned must be today or in the past.")
    with transaction.atomic():
        locked = _on_loan(issue)
        if returned_on < locked.issued_on:
            raise ValueError(f"It cannot be returned before it was issued ({format_date(locked.issued_on)}).")
        locked.returned_on = returned_on
        locked.save(update_fields=["returned_on", "updated_at"])
        record_event(
            action="equipment.returned",
            actor=by,
            target=locked,
            child_id=locked.episode.referral.child_id,
            detail={"returned_on": returned_on.isoformat()},
        )
    issue.refresh_from_db()
    return issue


def equipment_reviews_due(today: dt.date):
    """Items still on loan whose review date has come, earliest first, with what the list shows fetched."""
    return (
        EquipmentIssue.objects.review_due_by(today)
        .select_related("episode__referral__child", "episode__referral__clinician", "issued_by")
        .order_by("review_on", "id")
    )


def send_equipment_review_reminders(today: dt.date | None = None) -> int:
    """The daily job: each item whose review has come and has had no reminder gets one. Returns how many.

    The reminder is an audit event (for the record) and the "equipment reviews due" page lists the item until it is
    reviewed or returned; the child's clinician (or whoever issued it) is also emailed, when they have an email
    address, with the referral's reference only: no child's name leaves the system in an email.
    Running it twice on a day reminds nobody twice.
    """
    today = today or timezone.localdate()
    sent = 0
    for issue in equipment_reviews_due(today).filter(reminder_sent_on__isnull=True):
        with transaction.atomic():
            claimed = EquipmentIssue.objects.filter(pk=issue.pk, reminder_sent_on__isnull=True).update(
                reminder_sent_on=today, updated_at=timezone.now()
            )
            if not claimed:  # another run got there first
                continue
            referral = issue.episode.referral
            record_event(
                action="equipment.review_reminder",
                actor_label="system",
                target=issue,
                child_id=referral.child_id,
                detail={"review_on": issue.review_on.isoformat() if issue.review_on else None},
            )
            _email_clinician(issue, referral, today)
        sent += 1
    return sent


def _email_clinician(issue: EquipmentIssue, referral: Referral, today: dt.date) -> None:
    person = referral.clinician or issue.issued_by
    if not person.email:
        return
    from paedot.notifications.services import queue_message

    path = reverse("care:equipment_due")
    queue_message(
        channel="email",
        recipient=person.email,
        subject=f"Equipment review due: {referral.reference}",
        body=(
            f"The review of an item of {issue.get_kind_display().lower()} lent for referral {referral.reference} "
            f"was due on {format_date(issue.review_on)}.\n\nSee the equipment reviews due: {path}"
        ),
        reference=f"equipment:{issue.pk}:review:{issue.review_on.isoformat() if issue.review_on else today}",
        referral=referral,
    )
