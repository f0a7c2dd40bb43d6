"""The staff side of the outbox (hazard H12): which messages a person may see, and sending one again or closing it
as dealt with another way.

Unlike services.py and tasks.py (shared machinery that knows nothing of referrals), this reads who may open which
referral: a message about a child is shown only to those who may open that child's referral
(Referral.objects.visible_to), so a restricted record's messages stay hidden. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from paedot.core.audit import record_event
from paedot.core.models import AuditEvent
from paedot.notifications import rules
from paedot.notifications.models import NOT_SENT, Message, MessageStatus
from paedot.notifications.tasks import enqueue_send
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.restricted_records.services import BREAK_GLASS_NOTICE
from paedot.staff.models import Role
from paedot.staff.rules import Action, may

RESENT = "message.resent"
DEALT_WITH = "message.dealt_with"


def messages_visible_to(user) -> QuerySet[Message]:
    """Messages this person may see: those about a referral they may open, and those about no child (a team lead's
    digest). Nothing for someone who may not see the outbox."""
    if not may(user, Action.VIEW_MESSAGES):
        return Message.objects.none()
    visible = Message.objects.filter(Q(referral__isnull=True) | Q(referral__in=Referral.objects.visible_to(user)))
    if user.role != Role.TEAM_LEAD:
        visible = visible.exclude(reference__startswith=BREAK_GLASS_NOTICE)
    return visible


def not_sent_first(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Failed and kept-unsent messages first, then the rest; newest first within each."""
    return messages.annotate(
        not_sent=Case(When(status__in=NOT_SENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("not_sent", "-created_at", "-id")


def list_messages(user, *, status: str = "", channel: str = "") -> QuerySet[Message]:
    """The outbox for this person, filtered, with each message's referral joined in. A list never shows a message's
    text, so the bodies and attachments are not read."""
    messages = messages_visible_to(user)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return not_sent_first(messages).select_related("referral").defer("body", "attachment")


def find_message(user, message_id: int) -> Message | None:
    return messages_visible_to(user).select_related("referral", "dealt_with_by").filter(pk=message_id).first()


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str
    reason: str


def history(message: Message) -> list[HistoryEntry]:
    """What staff did with this message (sent again, dealt with), oldest first, from the audit trail."""
    events = (
        AuditEvent.objects.filter(
            object_type=Message._meta.label_lower, object_id=str(message.pk), action__in=(RESENT, DEALT_WITH)
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    words = {RESENT: "Sent again", DEALT_WITH: "Dealt with another way"}
    return [
        HistoryEntry(
            at=event.occurred_at,
            who=event.actor.display_name if event.actor else event.actor_label,
            what=f"{words[event.action]} (it had {event.detail.get('attempts', 0)} failed tries)"
            if event.action == RESENT
            else words[event.action],
            reason=event.reason,
        )
        for event in events
    ]


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(f"Give {what}: it is kept in the audit trail.")
    return reason


def _audit(action: str, *, message: Message, actor, reason: str, was: str) -> None:
    record_event(
        action=action,
        actor=actor,
        target=message,
        child_id=message.referral.child_id if message.referral_id else None,
        reason=reason,
        # The error's class only: its text can carry an address.
        detail={
            "was": was,
            "channel": message.channel,
            "attempts": message.attempts,
            "error": message.error.split(":", 1)[0][:100],
            "referral": message.referral.reference if message.referral_id else None,
        },
    )


def _claim(message: Message, decide, changes: dict) -> str:
    """Move the message on only from the status it is in now, so two people acting at once do it once."""
    current = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
    decision = decide(current or "")
    if not decision.allowed:
        raise TransitionRefused(decision.reason)
    moved = Message.objects.filter(pk=message.pk, status=current).update(updated_at=timezone.now(), **changes)
    if not moved:
        raise TransitionRefused("Someone else changed this message just now: look at it again.")
    return current


def resend_message(*, message: Message, reason: str, resent_by) -> Message:
    """A message that failed (or a text kept unsent) goes back to the queue with its tries reset; the worker sends
    it once this commits. Not for one already sent: that would tell the family twice."""
    require(resent_by, Action.ACT_ON_MESSAGES)
    reason = _reason(reason, "the reason for sending it again")
    with transaction.atomic():
        was = _claim(message, rules.resend_decision, {"status": MessageStatus.QUEUED, "attempts": 0})
        _audit(RESENT, message=message, actor=resent_by, reason=reason, was=was)
        transaction.on_commit(partial(enqueue_send, message.pk))
    message.refresh_from_db()
    return message


def mark_dealt_with(*, message: Message, reason: str, dealt_with_by) -> Message:
    """Staff told the person another way (a phone call, a letter): the message leaves the list of those to act on,
    with who did it and how."""
    require(dealt_with_by, Action.ACT_ON_MESSAGES)
    reason = _reason(reason, "how the person was told instead")
    with transaction.atomic():
        was = _claim(
            message,
            rules.dealt_with_decision,
            {
                "status": MessageStatus.DEALT_WITH,
                "dealt_with_at": timezone.now(),
                "dealt_with_by": dealt_with_by,
                "dealt_with_reason": reason,
            },
        )
        _audit(DEALT_WITH, message=message, actor=dealt_with_by, reason=reason, was=was)
    message.refresh_from_db()
    return message
