"""Consent to share: recorded per recipient, and checked before any report goes out."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from paedot.care.models import ConsentToShare, Episode, Recipient
from paedot.core.audit import record_event
from paedot.referrals.services.journey import require
from paedot.staff.rules import Action


class ConsentMissing(Exception):
    """A report was about to go to someone the family has not agreed to share with (HTTP 409)."""

    def __init__(self, recipients: list[str]) -> None:
        self.recipients = recipients
        names = ", ".join(Recipient(r).label.lower() for r in recipients)
        super().__init__(f"Record the family's consent to share with: {names}. Nothing was sent.")


def latest_consent(episode: Episode, recipient: str) -> ConsentToShare | None:
    return episode.consents.filter(recipient=recipient).order_by("-created_at", "-id").first()


def may_share_with(episode: Episode, recipient: str) -> bool:
    consent = latest_consent(episode, recipient)
    return consent is not None and consent.given


def require_consent(episode: Episode, recipients: Iterable[str]) -> None:
    """Raise ConsentMissing naming every recipient without consent given (none missing: returns)."""
    missing = [r for r in dict.fromkeys(recipients) if not may_share_with(episode, r)]
    if missing:
        raise ConsentMissing(missing)


def record_consent(
    *,
    episode: Episode,
    recipient: str,
    given: bool,
    given_by: str,
    recorded_by,
    recipient_name: str = "",
    note: str = "",
) -> ConsentToShare:
    """Record that the family agreed (or refused) to share reports with this recipient. A later record replaces it."""
    require(recorded_by, Action.RECORD_CONSENT)
    if recipient not in Recipient.values:
        raise ValueError(f"{recipient} is not someone a report can go to.")
    given_by = (given_by or "").strip()
    if not given_by:
        raise ValueError("Say who gave or refused consent (the parent, carer or young person).")
    if recipient == Recipient.OTHER and not recipient_name.strip():
        raise ValueError("Name the professional the report would go to.")
    with transaction.atomic():
        consent = ConsentToShare.objects.create(
            episode=episode,
            recipient=recipient,
            recipient_name=recipient_name.strip(),
            given=given,
            given_by=given_by,
            note=note.strip(),
            recorded_by=recorded_by,
        )
        record_event(
            action="consent.recorded",
            actor=recorded_by,
            target=consent,
            child_id=episode.referral.child_id,
            detail={"recipient": recipient, "given": given},
        )
    return consent
