"""Discharging a child at the end of the episode of care: why, a summary, the TOMs at the end, and the discharge
summary to those the family agreed may have it."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from paedot.care.models import DischargeReason, Episode, Recipient, Review, TomsRating, TomsStage
from paedot.care.rules import check_toms
from paedot.care.services.consent import ConsentMissing, require_consent
from paedot.care.services.episodes import open_episode, require_open
from paedot.care.services.reports import check_recipients, goal_rows, issue_discharge_summary
from paedot.core.audit import record_event
from paedot.core.presenters import format_date
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import discharge_referral, require
from paedot.staff.rules import Action


def discharge_episode(
    *,
    referral: Referral,
    reason: str,
    summary: str,
    discharged_by,
    send_to: Sequence[str] = (),
    toms_end: dict | None = None,
) -> Episode:
    """End the episode: the referral is discharged (open invitations closed, future appointments cancelled) and the
    discharge summary goes to each recipient in send_to.

    Every check comes first: consent for every recipient, then the discharge. If any recipient lacks consent,
    ConsentMissing names them all and nothing changes.
    """
    require(discharged_by, Action.DISCHARGE)
    if reason not in DischargeReason.values:
        raise ValueError(f"Choose the reason for discharge: one of {', '.join(DischargeReason.values)}.")
    summary = (summary or "").strip()
    if not summary:
        raise ValueError("Write the discharge summary: what was done and where the child is now.")
    recipients = check_recipients(send_to) if send_to else []
    toms = check_toms(toms_end, "toms_end") if toms_end else None
    episode = Episode.objects.filter(referral=referral).first()
    if recipients:
        if episode is None:  # no episode, so no consent recorded for anyone
            raise ConsentMissing(recipients)
        require_consent(episode, recipients)
    if episode is not None:
        require_open(episode)
    label = DischargeReason(reason).label
    with transaction.atomic():
        episode = episode or open_episode(referral=referral, opened_by=discharged_by)
        # The referral's own discharge closes invitations and cancels future bookings; its generic letter is
        # replaced by the discharge summary, which says more and goes only where consent allows.
        discharge_referral(
            referral=referral,
            reason=f"{label}: {summary.splitlines()[0]}",
            discharged_by=discharged_by,
            letter=False,
        )
        episode.discharge_reason = reason
        episode.discharge_summary = summary
        episode.discharged_at = timezone.now()
        episode.discharged_by = discharged_by
        episode.save(
            update_fields=["discharge_reason", "discharge_summary", "discharged_at", "discharged_by", "updated_at"]
        )
        if toms is not None:
            TomsRating.objects.create(
                episode=episode,
                stage=TomsStage.END,
                rated_on=timezone.localdate(),
                rated_by=discharged_by,
                **toms,
            )
        record_event(
            action="episode.discharged",
            actor=discharged_by,
            target=episode,
            child_id=referral.child_id,
            reason=summary,
            detail={"reason": reason, "send_to": recipients, "toms_end": bool(toms)},
        )
        if recipients:
            issue_discharge_summary(episode=episode, recipients=recipients, issued_by=discharged_by)
    return episode


def suggested_summary(episode: Episode | None) -> str:
    """A first draft of the summary from the goals and the last review, for the clinician to edit."""
    if episode is None:
        return ""
    package = episode.packages.select_related("review").order_by("-created_at", "-id").first()
    if package is None:
        return ""
    lines = []
    rows = goal_rows(package.goals.select_related("rating").order_by("position", "id"))
    rated = [row for row in rows if row.attained is not None]
    if rated:
        met = sum(1 for row in rated if row.met)
        lines.append(f"{met} of {len(rated)} goals were met or exceeded in block {package.block_number}.")
    for row in rows:
        outcome = f"{row.attained_label} ({row.attained_text})" if row.attained is not None else "not rated"
        lines.append(f"- {row.description}: {outcome}")
    try:
        review = package.review
    except Review.DoesNotExist:  # the last block has not been reviewed
        review = None
    if review is not None:
        lines.append(f"Reviewed on {format_date(review.reviewed_on)}: GAS T-score {review.gas_t_score:.2f}.")
        if review.summary:
            lines.append(review.summary)
    return "\n".join(lines)


def recipients_with_consent(episode: Episode | None) -> dict[str, bool]:
    """For each recipient, whether the family's latest word is yes (no episode: nobody yet)."""
    latest: dict[str, bool] = {}
    if episode is not None:
        for consent in episode.consents.order_by("created_at", "id"):
            latest[consent.recipient] = consent.given
    return {code: latest.get(code, False) for code in Recipient.values}
