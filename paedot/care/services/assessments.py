"""Recording an assessment: findings under each heading, standardised scores, the clinical impression, the problems
the family named in the COPM with their first ratings, and TOMs at the start of the episode."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from paedot.care.models import Assessment, CopmProblem, FindingArea, TomsRating, TomsStage
from paedot.care.policy import check_standardised
from paedot.care.rules import COPM_MAX_PROBLEMS, RatingError, check_copm_score, check_toms
from paedot.care.services.episodes import open_episode, require_open
from paedot.core.audit import record_event
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import require
from paedot.staff.rules import Action

PROBLEM_LENGTH = CopmProblem._meta.get_field("problem").max_length or 300
COPM_SCORES = ("importance", "performance", "satisfaction")


def check_day(day: object, field: str, *, not_before: dt.date | None = None, what: str = "The date") -> dt.date:
    """A clinical record's date: a real date, not in the future, and not before the referral arrived."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise RatingError(field, f"{what} must be a date.")
    if day > timezone.localdate():
        raise RatingError(field, f"{what} cannot be in the future.")
    if not_before is not None and day < not_before:
        received = f"{not_before.day} {not_before:%B %Y}"
        raise RatingError(field, f"{what} cannot be before the referral was received ({received}).")
    return day


def check_findings(findings: object) -> dict[str, str]:
    """{finding area code: text}, in the headings' order; an empty heading is left out."""
    if not isinstance(findings, dict):
        raise RatingError("findings", "Findings are text under each heading.")
    for key, text in findings.items():
        if key not in FindingArea.values:
            headings = ", ".join(FindingArea.values)
            raise RatingError(f"findings.{key}", f"There is no heading called {key} (use {headings}).")
        if not isinstance(text, str):
            raise RatingError(f"findings.{key}", "A finding is text.")
    return {code: findings[code].strip() for code in FindingArea.values if (findings.get(code) or "").strip()}


def check_copm_problems(problems: object, *, already: int) -> list[dict]:
    """The family's problems, each rated for importance, performance and satisfaction (1-10), with no more than five
    in the whole episode (`already` have been named at earlier assessments)."""
    if not isinstance(problems, list | tuple):
        raise RatingError("copm", "COPM problems are a list of {problem, importance, performance, satisfaction}.")
    if already + len(problems) > COPM_MAX_PROBLEMS:
        left = max(COPM_MAX_PROBLEMS - already, 0)
        raise RatingError(
            "copm",
            f"The COPM has up to {COPM_MAX_PROBLEMS} problems in an episode; {already} already recorded, "
            f"so {left} more at most.",
        )
    cleaned = []
    for index, item in enumerate(problems):
        if not isinstance(item, dict):
            raise RatingError(f"copm.{index}", "Each COPM problem needs its text and three ratings.")
        unknown = sorted(set(item) - {"problem", *COPM_SCORES})
        if unknown:
            raise RatingError(f"copm.{index}.{unknown[0]}", "A COPM problem has only its text and three ratings.")
        text = item.get("problem")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise RatingError(f"copm.{index}.problem", "Describe the problem in the family's words.")
        if len(text) > PROBLEM_LENGTH:
            raise RatingError(f"copm.{index}.problem", f"Describe the problem in {PROBLEM_LENGTH} characters or fewer.")
        scores = {name: check_copm_score(item.get(name), f"copm.{index}.{name}") for name in COPM_SCORES}
        cleaned.append({"problem": text, **scores})
    return cleaned


def record_assessment(
    *,
    referral: Referral,
    assessed_by,
    assessed_on: dt.date,
    findings: dict[str, str],
    standardised: Sequence[dict] = (),
    clinical_impression: str = "",
    copm: Sequence[dict] = (),
    toms: dict | None = None,
    appointment=None,
) -> Assessment:
    """Record an assessment, opening the episode of care if it is the first clinical record.

    A child still on the waiting list (booked, say) may be assessed; the referral's status is the diary's business
    (the attended appointment stops the clock), so it is not changed here.
    """
    require(assessed_by, Action.ASSESS)
    assessed_on = check_day(assessed_on, "assessed_on", not_before=referral.received_date, what="The assessment date")
    cleaned_findings = check_findings(findings)
    cleaned_standardised = check_standardised(standardised, "standardised")
    impression = (clinical_impression or "").strip()
    if appointment is not None and (appointment.referral_id != referral.pk or appointment.cancelled):
        raise RatingError("appointment", "Choose one of this child's appointments that was not cancelled.")
    ratings = check_toms(toms, "toms") if toms is not None else None
    with transaction.atomic():
        episode = open_episode(referral=referral, opened_by=assessed_by)
        require_open(episode)
        # Lock the episode so two assessments saved at once cannot take the COPM past five problems between them.
        episode = type(episode).objects.select_for_update().select_related("referral").get(pk=episode.pk)
        already = CopmProblem.objects.filter(episode=episode).count()
        problems = check_copm_problems(copm, already=already)
        if not (cleaned_findings or cleaned_standardised or impression or problems or ratings):
            raise RatingError("findings", "Record at least one finding, score, impression or rating.")
        assessment = Assessment.objects.create(
            episode=episode,
            appointment=appointment,
            assessed_on=assessed_on,
            assessed_by=assessed_by,
            findings=cleaned_findings,
            standardised=cleaned_standardised,
            clinical_impression=impression,
        )
        CopmProblem.objects.bulk_create(
            CopmProblem(episode=episode, assessment=assessment, position=already + number, **problem)
            for number, problem in enumerate(problems, start=1)
        )
        if ratings is not None:
            TomsRating.objects.create(
                episode=episode,
                stage=TomsStage.START,
                assessment=assessment,
                rated_on=assessed_on,
                rated_by=assessed_by,
                **ratings,
            )
        record_event(
            action="assessment.recorded",
            actor=assessed_by,
            target=assessment,
            child_id=referral.child_id,
            detail={
                "referral": referral.reference,
                "findings": sorted(cleaned_findings),
                "standardised": [entry["template"] for entry in cleaned_standardised],
                "copm_problems": len(problems),
                "toms": ratings is not None,
            },
        )
    return assessment
