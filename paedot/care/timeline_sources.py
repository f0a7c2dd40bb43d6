"""Gathering a child's timeline: the referral's journey, appointments, the clinical record, equipment, consent,
letters and discharge from here, and clinical notes and advice from their own apps.

Each source is one query (or two), whatever the number of entries, so the page stays fast for a child with years of
appointments: the number of queries is fixed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from itertools import groupby

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from paedot.appointments.models import Appointment
from paedot.care.models import Assessment, ConsentToShare, Episode, EquipmentIssue, Package, Review
from paedot.care.presenters import recipient_words
from paedot.care.timeline import TimelineEntry
from paedot.core.models import AuditEvent
from paedot.core.presenters import format_date
from paedot.letters.models import Letter
from paedot.referrals.models import Referral, ScreeningDecision
from paedot.referrals.presenters import OUTCOME_TAGS, action_label, status_label

# Modules of other apps offering `entries_for(referral) -> list[TimelineEntry]`, used when they are installed.
OTHER_SOURCES = ("paedot.casenotes.timeline", "paedot.advice.timeline")

# The referral's journey as the audit trail recorded it. Screening comes from its own rows (they keep the reason
# and whether the rules were overridden), discharge from the episode when there is one.
JOURNEY_ACTIONS = (
    "referral.information_received",
    "referral.triaged",
    "referral.allocated",
    "referral.transferred",
    "referral.invited",
    "invitation.no_reply",
    "invitation.extended",
    "referral.booked",
    "referral.first_attended",
    "referral.discharged",
    "referral.merged_as_duplicate",
)

# Titles the referral pages do not name well enough for a timeline.
JOURNEY_TITLES = {"referral.first_attended": "First appointment attended: the wait is over"}

# The filter offered on the page: the first part of an entry's kind, in the order a clinician thinks of them.
KIND_LABELS = {
    "referral": "Referral and waiting list",
    "appointment": "Appointments",
    "assessment": "Assessments",
    "package": "Packages of care and goals",
    "review": "Reviews",
    "note": "Clinical notes",
    "advice": "Advice",
    "equipment": "Equipment and splints",
    "consent": "Consent to share",
    "letter": "Letters and documents",
    "discharge": "Discharge",
}


def kind_group(kind: str) -> str:
    return kind.split(".", 1)[0]


def _who(user) -> str:
    return user.display_name if user is not None else ""


def _on(day: dt.date, recorded_at: dt.datetime) -> dt.datetime:
    """A record of a day (an assessment, a review) placed on that day at the time it was written, so the day's
    entries keep the order they happened in."""
    local = timezone.localtime(recorded_at)
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=local.tzinfo)


def clinical_url(name: str, *candidates: tuple) -> str:
    """The address of a clinical page, or "" while it does not exist. The pages for assessments, packages and
    reviews are another part of the app; their arguments are tried in the likely shapes."""
    for args in candidates:
        try:
            return reverse(name, args=list(args))
        except NoReverseMatch:
            continue
    return ""


def _journey(referral: Referral, episode: Episode | None) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            when=referral.received_at,
            kind="referral.received",
            title="Referral received",
            detail=f"From {referral.referrer_name} ({referral.get_source_display().lower()}).",
            url=reverse("referrals:show_referral", args=[referral.reference]),
        )
    ]
    decision = getattr(referral, "eligibility", None)
    if decision is not None:
        outcome = OUTCOME_TAGS.get(decision.outcome, (decision.outcome,))[0]
        reasons = [r.message for r in decision.reasons.all()]
        entries.append(
            TimelineEntry(
                when=decision.decided_at,
                kind="referral.eligibility",
                title=f"Eligibility checked: {outcome.lower()}",
                detail=" ".join(reasons),
            )
        )
    for screening in ScreeningDecision.objects.filter(referral=referral).select_related("screened_by"):
        overridden = " (overriding the automatic outcome)" if screening.overrides_automatic else ""
        entries.append(
            TimelineEntry(
                when=screening.created_at,
                kind="referral.screened",
                title=f"Screened: {screening.get_decision_display().lower()}{overridden}",
                detail=screening.reason,
                who=_who(screening.screened_by),
            )
        )
    events = AuditEvent.objects.filter(
        object_type="referrals.referral", object_id=str(referral.pk), action__in=JOURNEY_ACTIONS
    ).select_related("actor")
    for event in events:
        if event.action == "referral.discharged" and episode is not None and episode.discharged_at is not None:
            continue  # the episode's discharge says more
        change = ""
        if event.detail.get("from") and event.detail.get("to"):
            change = f"{status_label(event.detail['from'])} → {status_label(event.detail['to'])}. "
        entries.append(
            TimelineEntry(
                when=event.occurred_at,
                kind="discharge" if event.action == "referral.discharged" else "referral.status",
                title=JOURNEY_TITLES.get(event.action) or action_label(event.action),
                detail=f"{change}{event.reason}".strip(),
                who=_who(event.actor) or event.actor_label,
            )
        )
    return entries


def _appointments(referral: Referral) -> list[TimelineEntry]:
    appointments = Appointment.objects.filter(referral=referral).select_related("clinician", "location")
    return [
        TimelineEntry(
            when=a.start,
            kind="appointment",
            title=f"{a.get_kind_display()}: {a.get_outcome_display().lower() if a.outcome else 'booked'}",
            detail=f"At {a.location.name}."
            + (f" Cancelled: {a.cancellation_reason}" if a.cancelled and a.cancellation_reason else ""),
            url=reverse("appointments:show_appointment", args=[a.pk]),
            who=_who(a.clinician),
        )
        for a in appointments
    ]


def _clinical(referral: Referral, episode: Episode) -> list[TimelineEntry]:
    ref = referral.reference
    entries = []
    for assessment in Assessment.objects.filter(episode=episode).select_related("assessed_by"):
        entries.append(
            TimelineEntry(
                when=_on(assessment.assessed_on, assessment.created_at),
                kind="assessment",
                title="Assessment",
                detail=assessment.clinical_impression[:300],
                url=clinical_url("care:show_assessment", (ref, assessment.pk), (assessment.pk,)),
                who=_who(assessment.assessed_by),
            )
        )
    packages = Package.objects.filter(episode=episode).select_related("created_by").prefetch_related("goals")
    for package in packages:
        goals = sorted(package.goals.all(), key=lambda g: (g.position, g.pk))
        entries.append(
            TimelineEntry(
                when=package.created_at,
                kind="package",
                title=f"{package.get_type_display()} set: block {package.block_number}, {package.sessions} sessions",
                detail=" ".join(f"Goal {i}: {g.description}" for i, g in enumerate(goals, start=1)),
                url=clinical_url("care:show_package", (ref, package.pk), (package.pk,)),
                who=_who(package.created_by),
            )
        )
    for review in Review.objects.filter(package__episode=episode).select_related("package", "reviewed_by"):
        entries.append(
            TimelineEntry(
                when=_on(review.reviewed_on, review.created_at),
                kind="review",
                title=f"Review of block {review.package.block_number}: T-score {review.gas_t_score:.2f}",
                detail=f"{review.get_decision_display()}. {review.summary}".strip(),
                url=clinical_url("care:show_review", (ref, review.pk), (review.pk,)),
                who=_who(review.reviewed_by),
            )
        )
    for issue in EquipmentIssue.objects.filter(episode=episode).select_related("issued_by"):
        entries.append(
            TimelineEntry(
                when=_on(issue.issued_on, issue.created_at),
                kind="equipment.issued",
                title=f"{issue.get_kind_display()} issued: {issue.item}",
                detail=f"Review by {format_date(issue.review_on)}." if issue.review_on else "",
                who=_who(issue.issued_by),
            )
        )
        if issue.returned_on:
            entries.append(
                TimelineEntry(
                    when=_on(issue.returned_on, issue.updated_at),
                    kind="equipment.returned",
                    title=f"{issue.get_kind_display()} returned: {issue.item}",
                )
            )
    for consent in ConsentToShare.objects.filter(episode=episode).select_related("recorded_by"):
        to = recipient_words(consent) + (f" ({consent.recipient_name})" if consent.recipient_name else "")
        entries.append(
            TimelineEntry(
                when=consent.created_at,
                kind="consent",
                title=f"Consent to share with {to}: {'given' if consent.given else 'refused'}",
                detail=f"By {consent.given_by}. {consent.note}".strip(),
                who=_who(consent.recorded_by),
            )
        )
    if episode.discharged_at is not None:
        entries.append(
            TimelineEntry(
                when=episode.discharged_at,
                kind="discharge",
                title=f"Discharged: {episode.get_discharge_reason_display().lower()}",
                detail=episode.discharge_summary[:300],
                who=_who(episode.discharged_by),
            )
        )
    return entries


def _letters(referral: Referral) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            when=letter.created_at,
            kind="letter",
            title=f"{letter.get_kind_display()} sent",
            detail="To " + ", ".join(r.get("name", r.get("role", "")) for r in letter.recipients) + ".",
            url=reverse("letters:download_letter", args=[letter.pk]),
            who=_who(letter.issued_by),
        )
        for letter in Letter.objects.filter(referral=referral).select_related("issued_by")
    ]


def other_sources() -> list[Callable[[Referral], Iterable[TimelineEntry]]]:
    """The parts of the record other apps hold (clinical notes, advice packs), each app's own entries_for."""
    return [importlib.import_module(name).entries_for for name in OTHER_SOURCES]


def timeline_for(referral: Referral, *, kind: str = "") -> list[TimelineEntry]:
    """Everything in the child's record for this referral, newest first; `kind` keeps one group (e.g. "appointment",
    "equipment") or, with a dot, one kind exactly."""
    referral = (
        Referral.objects.select_related("child", "eligibility")
        .prefetch_related("eligibility__reasons")
        .get(pk=referral.pk)
    )
    episode = Episode.objects.select_related("discharged_by").filter(referral=referral).first()
    entries = _journey(referral, episode) + _appointments(referral) + _letters(referral)
    if episode is not None:
        entries += _clinical(referral, episode)
    for source in other_sources():
        entries += list(source(referral))
    if kind:
        entries = [e for e in entries if e.kind == kind or kind_group(e.kind) == kind]
    return sorted(entries, key=lambda e: e.when, reverse=True)


def grouped_by_date(entries: list[TimelineEntry]) -> list[tuple[dt.date, list[TimelineEntry]]]:
    """Entries (already newest first) under the Birmingham date they happened on."""
    return [(day, list(items)) for day, items in groupby(entries, key=lambda e: timezone.localtime(e.when).date())]


def kind_filters(entries: Iterable[TimelineEntry]) -> list[tuple[str, str]]:
    """The groups a page may filter by: the known ones, and any other app's kinds found on this timeline."""
    found = {kind_group(e.kind) for e in entries}
    known = list(KIND_LABELS.items())
    extra = [(k, k.replace("_", " ").capitalize()) for k in sorted(found - set(KIND_LABELS))]
    return known + extra
