"""What the outbox pages show: a message's status as a tag, to whom it went, and a row of the list (never its text)."""

from __future__ import annotations

from django.urls import reverse

from paedot.notifications.models import Message, MessageStatus

STATUS_WORDS = {
    MessageStatus.QUEUED: "Waiting to send",
    MessageStatus.SENT: "Sent",
    MessageStatus.FAILED: "Failed",
    MessageStatus.OUTBOX_ONLY: "Not sent (no text message service)",
    MessageStatus.DEALT_WITH: "Dealt with",
    MessageStatus.WITHDRAWN: "Withdrawn (out of date)",
}
STATUS_CLASSES = {
    MessageStatus.QUEUED: "nhsuk-tag--blue",
    MessageStatus.SENT: "nhsuk-tag--green",
    MessageStatus.FAILED: "nhsuk-tag--red",
    MessageStatus.OUTBOX_ONLY: "nhsuk-tag--orange",
    MessageStatus.DEALT_WITH: "nhsuk-tag--grey",
    MessageStatus.WITHDRAWN: "nhsuk-tag--grey",
}


def status_tag(status: str) -> dict[str, str]:
    return {"text": STATUS_WORDS.get(status, status), "classes": STATUS_CLASSES.get(status, "")}


def audience(message: Message) -> str:
    """Whom the message was for, in words: the family, or a member of staff about a child, or staff."""
    if message.to_parent_carer:
        return "Parent or carer"
    return "Staff, about this child" if message.referral_id else "Staff"


def referral_link(message: Message) -> str:
    return reverse("referrals:show_referral", args=[message.referral.reference]) if message.referral_id else ""


def row(message: Message) -> dict:
    return {
        "message": message,
        "link": reverse("notifications:show_message", args=[message.pk]),
        "status": status_tag(message.status),
        "audience": audience(message),
        "referral_link": referral_link(message),
        # The error's first line: a list is for scanning; the message's page has the whole of it.
        "error": message.error.splitlines()[0][:200] if message.error else "",
    }
