"""The clinical documents that leave the service: the assessment report, the review report and the discharge summary.

Each is a letter (paedot.letters) rendered from a template in care/jinja2/care/reports/ and kept exactly as sent.
Consent to share is checked for every recipient before anything is made: a missing consent sends nothing.

One letter per recipient, not one letter naming them all: consent is given per recipient, so each letter is exactly
what that recipient was sent (and may be printed again as such); a school never sees the GP's address on its copy,
and a question such as "what did the school get, and when?" is answered by one row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from paedot.care.models import (
    Assessment,
    Episode,
    FindingArea,
    Goal,
    GoalRating,
    Recipient,
    Review,
    TomsRating,
    TomsStage,
)
from paedot.care.rules import TOMS_DOMAINS, met_or_exceeded
from paedot.care.services.consent import latest_consent, require_consent
from paedot.care.services.packages import copm_change_for_review
from paedot.core.audit import record_event
from paedot.letters.models import Kind, Letter
from paedot.letters.services import family_recipient, gp_recipient, issue_letter, referrer_recipient
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.rules import Action

GAS_LEVEL_LABELS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "expected outcome",
    1: "somewhat more than expected",
    2: "much more than expected",
}
TOMS_LABELS = {
    "impairment": "Impairment",
    "activity": "Activity",
    "participation": "Participation",
    "wellbeing": "Wellbeing",
}


def check_recipients(recipients: Iterable[str]) -> list[str]:
    """The recipient codes, each once, in the order given; at least one, each one a report can go to."""
    chosen = list(dict.fromkeys(recipients))
    if not chosen:
        raise ValueError("Choose at least one recipient.")
    unknown = [r for r in chosen if r not in Recipient.values]
    if unknown:
        raise ValueError(f"{unknown[0]} is not someone a report can go to: use {', '.join(Recipient.values)}.")
    return chosen


def recipient_details(episode: Episode, code: str) -> dict[str, str]:
    """Who a letter to this recipient is addressed to, from the referral (and, for another professional, the name
    the family gave when they consented)."""
    referral = episode.referral
    if code == Recipient.FAMILY:
        return family_recipient(referral)
    if code == Recipient.REFERRER:
        return referrer_recipient(referral)
    if code == Recipient.GP:
        return gp_recipient(referral)
    if code == Recipient.SCHOOL:
        if not referral.school_name:
            raise ValueError("No school or nursery is recorded on the referral, so a report cannot be addressed to it.")
        return {"role": "school", "name": f"The SENCO, {referral.school_name}", "address": referral.school_urn}
    consent = latest_consent(episode, Recipient.OTHER)
    name = consent.recipient_name if consent else ""
    return {"role": "other", "name": name or "Another professional", "address": ""}


def salutation(recipient: dict[str, str]) -> str:
    """How the letter opens: a person by name; a GP practice or school by the role that reads it."""
    if recipient["role"] == Recipient.GP:
        return "Doctor"
    if recipient["role"] == Recipient.SCHOOL:
        return "SENCO"
    return recipient["name"]


def _issue(
    *,
    episode: Episode,
    kind: str,
    template: str,
    subject: str,
    recipients: Sequence[str],
    context: dict,
    issued_by,
    source: dict,
) -> list[Letter]:
    """Consent first, then one letter per recipient, all or none."""
    codes = check_recipients(recipients)
    require_consent(episode, codes)
    addressed = [recipient_details(episode, code) for code in codes]
    referral = episode.referral
    with transaction.atomic():
        letters = [
            issue_letter(
                referral=referral,
                kind=kind,
                template=template,
                subject=subject,
                recipients=[to],
                context={**context, "recipient": to, "salutation": salutation(to)},
                issued_by=issued_by,
            )
            for to in addressed
        ]
        record_event(
            action="report.issued",
            actor=issued_by,
            target=episode,
            child_id=referral.child_id,
            detail={"kind": kind, "letters": [letter.pk for letter in letters], "recipients": codes, **source},
        )
    return letters


# --- What the documents show ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRow:
    position: int
    description: str
    area: str
    weight: Decimal
    baseline: int
    baseline_text: str
    attained: int | None
    attained_text: str

    @property
    def baseline_label(self) -> str:
        return signed(self.baseline)

    @property
    def attained_label(self) -> str:
        return "" if self.attained is None else signed(self.attained)

    @property
    def met(self) -> bool | None:
        return None if self.attained is None else met_or_exceeded(self.attained)


def signed(level: int) -> str:
    """A GAS level as clinicians write it: +2, +1, 0, -1, -2."""
    return f"{level:+d}" if level else "0"


def _level_text(goal: Goal, level: int | None) -> str:
    if level is None:
        return ""
    described = (goal.levels or {}).get(str(level), "")
    return described or GAS_LEVEL_LABELS.get(level, "")


def goal_rows(goals: Iterable[Goal]) -> list[GoalRow]:
    """Each goal with its baseline and attained level (when rated), the level's description beside it."""
    rows = []
    for goal in goals:
        rating = _rating(goal)
        attained = rating.attained if rating is not None else None
        rows.append(
            GoalRow(
                position=goal.position,
                description=goal.description,
                area=goal.get_area_display(),
                weight=goal.weight,
                baseline=goal.baseline,
                baseline_text=_level_text(goal, goal.baseline),
                attained=attained,
                attained_text=_level_text(goal, attained),
            )
        )
    return rows


def _rating(goal: Goal):
    try:
        return goal.rating
    except GoalRating.DoesNotExist:
        return None


def toms_rows(*ratings: TomsRating | None) -> list[dict]:
    """One row per TOMs domain with a column per rating given (None columns are left out)."""
    present = [r for r in ratings if r is not None]
    return [{"domain": TOMS_LABELS[d], "scores": [getattr(r, d) for r in present]} for d in TOMS_DOMAINS if present]


def _toms(episode: Episode, stage: str, **filters) -> TomsRating | None:
    return TomsRating.objects.filter(episode=episode, stage=stage, **filters).order_by("-rated_on", "-id").first()


def findings_rows(assessment: Assessment) -> list[dict]:
    findings = assessment.findings or {}
    rows = [{"area": area.label, "text": findings[area.value]} for area in FindingArea if findings.get(area.value)]
    # Headings the form may add later still print, under their own code.
    rows += [
        {"area": code.replace("_", " ").capitalize(), "text": text}
        for code, text in findings.items()
        if code not in FindingArea.values and text
    ]
    return rows


# --- The three documents ---------------------------------------------------------------------------------------------


def issue_assessment_report(*, assessment: Assessment, recipients: list[str], issued_by) -> list[Letter]:
    """The findings of an assessment, its standardised scores, the COPM and the TOMs at the start."""
    require(issued_by, Action.ISSUE_REPORT)
    episode = Episode.objects.select_related("referral__child", "referral__parent_carer").get(pk=assessment.episode_id)
    context = {
        "assessment": assessment,
        "findings": findings_rows(assessment),
        "copm_problems": list(assessment.copm_problems.order_by("position", "id")),
        "toms": toms_rows(_toms(episode, TomsStage.START, assessment=assessment) or _toms(episode, TomsStage.START)),
        "assessed_by": assessment.assessed_by.display_name,
    }
    return _issue(
        episode=episode,
        kind=Kind.ASSESSMENT_REPORT,
        template="care/reports/assessment_report.jinja",
        subject="Occupational therapy assessment report",
        recipients=recipients,
        context=context,
        issued_by=issued_by,
        source={"assessment": assessment.pk},
    )


def issue_review_report(*, review: Review, recipients: list[str], issued_by) -> list[Letter]:
    """The goals and how far each was attained, the GAS T-score, COPM change and TOMs, and what happens next."""
    require(issued_by, Action.ISSUE_REPORT)
    package = review.package
    episode = Episode.objects.select_related("referral__child", "referral__parent_carer").get(pk=package.episode_id)
    start = _toms(episode, TomsStage.START)
    at_review = _toms(episode, TomsStage.REVIEW, review=review) or _toms(episode, TomsStage.END, review=review)
    context = {
        "review": review,
        "package": package,
        "goals": goal_rows(package.goals.select_related("rating").order_by("position", "id")),
        "copm": copm_change_for_review(review),
        "toms": toms_rows(start, at_review),
        "toms_headings": [h for h, r in (("Start", start), ("At this review", at_review)) if r is not None],
        "reviewed_by": review.reviewed_by.display_name,
    }
    return _issue(
        episode=episode,
        kind=Kind.REVIEW_REPORT,
        template="care/reports/review_report.jinja",
        subject=f"Occupational therapy review report: block {package.block_number}",
        recipients=recipients,
        context=context,
        issued_by=issued_by,
        source={"review": review.pk},
    )


def discharge_context(episode: Episode) -> dict:
    """What the discharge summary shows: why, the summary, each block's goals and outcome, equipment still on loan,
    TOMs at the start and end, and the advice given."""
    packages = list(episode.packages.prefetch_related("goals__rating").select_related("review").order_by("created_at"))
    blocks = []
    for package in packages:
        review = _review(package)
        blocks.append(
            {
                "package": package,
                "review": review,
                "goals": goal_rows(sorted(package.goals.all(), key=lambda g: (g.position, g.pk))),
            }
        )
    start, end = _toms(episode, TomsStage.START), _toms(episode, TomsStage.END)
    return {
        "episode": episode,
        "reason": episode.get_discharge_reason_display(),
        "summary": episode.discharge_summary,
        "blocks": blocks,
        "on_loan": list(episode.equipment.on_loan().order_by("issued_on", "id")),
        "toms": toms_rows(start, end),
        "toms_headings": [h for h, r in (("Start", start), ("End", end)) if r is not None],
        "advice": advice_given(episode.referral),
    }


def _review(package) -> Review | None:
    try:
        return package.review
    except Review.DoesNotExist:
        return None


def advice_given(referral: Referral) -> list[str]:
    """The advice packs given, as the advice app puts them on the timeline (nothing, until that app is there)."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("paedot.advice.timeline") is None:
        return []
    entries = importlib.import_module("paedot.advice.timeline").entries_for(referral)
    return [f"{entry.title}{': ' + entry.detail if entry.detail else ''}" for entry in entries]


def issue_discharge_summary(*, episode: Episode, recipients: list[str], issued_by) -> list[Letter]:
    """The summary of a discharged episode. Printed again later, it says what was sent then."""
    require(issued_by, Action.DISCHARGE)
    if episode.discharged_at is None:
        raise TransitionRefused("This child has not been discharged yet: discharge them first.")
    return _issue(
        episode=episode,
        kind=Kind.DISCHARGE_SUMMARY,
        template="care/reports/discharge_summary.jinja",
        subject="Occupational therapy discharge summary",
        recipients=recipients,
        context=discharge_context(episode),
        issued_by=issued_by,
        source={"discharge_reason": episode.discharge_reason},
    )
