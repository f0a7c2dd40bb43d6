"""Opening a child's episode of care: the first clinical record made on an accepted referral opens it."""

from __future__ import annotations

from django.db import transaction

from paedot.care.models import Episode
from paedot.core.audit import record_event
from paedot.referrals.models import Referral, Status
from paedot.referrals.services.journey import TransitionRefused

# An episode holds clinical work, so it opens once a referral has been accepted (never on one declined or still
# being screened), and stays readable after discharge.
CLINICAL_STATUSES = (Status.ACCEPTED, Status.WAITING, Status.INVITED, Status.BOOKED, Status.SEEN)


def open_episode(*, referral: Referral, opened_by) -> Episode:
    """The referral's episode of care, opened now if this is the first clinical record. Safe to call twice."""
    existing = Episode.objects.filter(referral=referral).first()
    if existing is not None:
        return existing
    if referral.status not in CLINICAL_STATUSES:
        raise TransitionRefused(
            f"Referral {referral.reference} is {referral.get_status_display().lower()}: "
            "an episode of care opens only on an accepted referral."
        )
    with transaction.atomic():
        episode, created = Episode.objects.get_or_create(referral=referral, defaults={"opened_by": opened_by})
        if created:
            record_event(action="episode.opened", actor=opened_by, target=episode, child_id=referral.child_id)
    return episode


def require_open(episode: Episode) -> None:
    """Clinical records are added only while the episode is open; after discharge the record is read-only."""
    if episode.discharged_at is not None or episode.referral.status == Status.DISCHARGED:
        raise TransitionRefused("This child has been discharged: the episode of care is closed.")
