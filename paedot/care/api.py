"""Assessments, packages of care with their goals, and reviews in the API (same permissions as the pages).

Ratings (GAS levels, weights, COPM and TOMs scores) are typed loosely here on purpose: the services check them and a
bad one is a 400 naming its field ("goals.0.attained"), instead of the schema quietly turning 1.5 into 1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from paedot.appointments.models import Appointment
from paedot.care.models import Assessment, CopmProblem, FindingArea, Goal, Package, Review, TomsRating
from paedot.care.policy import standardised_templates, template_out
from paedot.care.rules import TOMS_DOMAINS, RatingError, copm_mean
from paedot.care.services.assessments import record_assessment
from paedot.care.services.packages import LEVEL_KEYS, copm_change_for_review, record_review, set_package
from paedot.config.api import BearerToken
from paedot.config.api_errors import bad_request
from paedot.core.audit import record_view
from paedot.referrals.api import find_referral
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.staff.models import User
from paedot.staff.rules import Action, may, refusal

router = Router(tags=["Assessments, packages of care and reviews"])

ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict}


def _call(fn, field: str = "body"):
    """A service's bad input is a 400: a RatingError names its own field (mapped in config/api); any other
    ValueError is reported against `field`. Refusals (403, 409) are mapped in config/api too."""
    try:
        return fn()
    except RatingError:
        raise
    except ValueError as error:
        raise bad_request(field, str(error)) from error


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _two_places(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _require(user, action: Action) -> None:
    if not may(user, action):
        raise NotAllowed(refusal(action))


# --- Standardised assessments --------------------------------------------------------------------------------------


class TemplateFieldOut(Schema):
    key: str
    label: str
    kind: str
    min: float | None
    max: float | None
    choices: list[str]


class TemplateOut(Schema):
    id: str
    name: str
    fields: list[TemplateFieldOut]


@router.get("/standardised-assessments", auth=BearerToken(), response={200: list[TemplateOut], 401: dict, 403: dict})
def list_standardised_assessments(request: HttpRequest):
    """The standardised assessments whose scores can be recorded: each score's key, kind and range or choices."""
    _require(request.auth, Action.VIEW_CLINICAL_RECORD)
    return [template_out(template) for template in standardised_templates().values()]


# --- Assessments ---------------------------------------------------------------------------------------------------


class CopmProblemIn(Schema):
    problem: Any
    importance: Any
    performance: Any
    satisfaction: Any


class AssessmentIn(Schema):
    assessed_on: dt.date | None = Field(None, description="Defaults to today.")
    appointment: int | None = Field(None, description="The appointment the assessment was done at, if any.")
    findings: dict[str, Any] = Field(
        default_factory=dict,
        description="{heading: text}; headings fine_motor, gross_motor, sensory, self_care, perceptual, "
        "school_skills, play.",
    )
    standardised: list[Any] = Field(
        default_factory=list, description='[{"template": id, "scores": {key: value}}]: see /standardised-assessments.'
    )
    clinical_impression: Annotated[str, Field(max_length=20000)] = ""
    copm: list[CopmProblemIn] = Field(default_factory=list, description="Up to 5 problems in the episode; 1-10.")
    toms: dict[str, Any] | None = Field(
        None, description="Start of episode: impairment, activity, participation, wellbeing; 0-5 in half points."
    )


class CopmProblemOut(Schema):
    id: int
    problem: str
    importance: int
    performance: int
    satisfaction: int


class TomsOut(Schema):
    impairment: float
    activity: float
    participation: float
    wellbeing: float


class CopmScoresOut(Schema):
    performance: float | None
    satisfaction: float | None


class AssessmentOut(Schema):
    id: int
    reference: str
    assessed_on: dt.date
    findings: dict[str, str]
    standardised: list[dict]
    clinical_impression: str
    copm: list[CopmProblemOut]
    toms: TomsOut | None
    copm_scores: CopmScoresOut


def _in_order(values: dict, keys) -> dict:
    """JSON objects come back from PostgreSQL (jsonb) with their keys reordered: put them back in the order a reader
    expects, anything unknown after."""
    known = [key for key in keys if key in values]
    return {**{key: values[key] for key in known}, **{k: v for k, v in values.items() if k not in known}}


def _standardised_out(results: list[dict]) -> list[dict]:
    templates = standardised_templates()
    out = []
    for result in results:
        template = templates.get(result.get("template"))
        order = [f.key for f in template.fields] if template is not None else []
        out.append({**result, "scores": _in_order(result.get("scores") or {}, order)})
    return out


def _toms_out(rating: TomsRating | None) -> dict | None:
    if rating is None:
        return None
    return {domain: float(getattr(rating, domain)) for domain in TOMS_DOMAINS}


def assessment_out(assessment: Assessment, reference: str, toms: TomsRating | None) -> dict:
    problems = list(assessment.copm_problems.all())
    return {
        "id": assessment.pk,
        "reference": reference,
        "assessed_on": assessment.assessed_on,
        "findings": _in_order(assessment.findings, FindingArea.values),
        "standardised": _standardised_out(assessment.standardised),
        "clinical_impression": assessment.clinical_impression,
        "copm": [
            {
                "id": p.pk,
                "problem": p.problem,
                "importance": p.importance,
                "performance": p.performance,
                "satisfaction": p.satisfaction,
            }
            for p in problems
        ],
        "toms": _toms_out(toms),
        "copm_scores": {
            "performance": float(copm_mean([p.performance for p in problems])) if problems else None,
            "satisfaction": float(copm_mean([p.satisfaction for p in problems])) if problems else None,
        },
    }


def _assessments_out(referral: Referral, assessments: list[Assessment]) -> list[dict]:
    # TOMs point at their assessment without a reverse accessor: fetch them all in one query.
    toms = {
        rating.assessment_id: rating
        for rating in TomsRating.objects.filter(assessment__in=[a.pk for a in assessments]).order_by("id")
    }
    return [assessment_out(a, referral.reference, toms.get(a.pk)) for a in assessments]


def _assessments(referral: Referral, **filters) -> list[Assessment]:
    return list(
        Assessment.objects.filter(episode__referral=referral, **filters).prefetch_related(
            Prefetch("copm_problems", queryset=CopmProblem.objects.order_by("position", "id"))
        )
    )


@router.post(
    "/referrals/{reference}/assessments",
    auth=BearerToken(),
    response={201: AssessmentOut, **ERRORS},
    summary="Record an assessment",
)
def create_assessment(request: HttpRequest, reference: str, payload: AssessmentIn):
    """Findings, standardised scores, the clinical impression, the family's COPM problems with their first ratings
    and TOMs at the start. The first clinical record opens the child's episode of care. 409 after discharge."""
    referral = find_referral(request, reference, action=Action.ASSESS)
    appointment = None
    if payload.appointment is not None:
        appointment = Appointment.objects.filter(pk=payload.appointment, referral=referral).first()
        if appointment is None:
            raise bad_request("appointment", f"No appointment {payload.appointment} for referral {referral.reference}")
    assessment = _call(
        lambda: record_assessment(
            referral=referral,
            assessed_by=request.auth,
            assessed_on=payload.assessed_on or timezone.localdate(),
            findings=payload.findings,
            standardised=payload.standardised,
            clinical_impression=payload.clinical_impression,
            copm=[problem.model_dump() for problem in payload.copm],
            toms=payload.toms,
            appointment=appointment,
        )
    )
    return Status(201, _assessments_out(referral, _assessments(referral, pk=assessment.pk))[0])


@router.get(
    "/referrals/{reference}/assessments",
    auth=BearerToken(),
    response={200: list[AssessmentOut], 401: dict, 403: dict, 404: dict},
    summary="List assessments",
)
def list_assessments(request: HttpRequest, reference: str):
    """The child's assessments in this episode, earliest first."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    record_view(request, referral, child_id=referral.child_id)
    return _assessments_out(referral, _assessments(referral))


# --- Packages of care ----------------------------------------------------------------------------------------------


class GoalIn(Schema):
    description: Any = None
    area: Any = None
    levels: Any = Field(None, description='{"-2": ..., "-1": ..., "0": expected outcome, "1": ..., "2": ...}')
    weight: Any = Field(1, description="A positive number; 1 unless some goals matter more.")
    baseline: Any = Field(-1, description="The level now: usually -1, or -2 if nothing worse is possible.")
    carried_from: Any = Field(None, description="The id of the previous block's goal this one carries over.")


class PackageIn(Schema):
    type: str = Field(description="package_of_care or advice_and_strategies")
    delivery: list[Any] = Field(default_factory=list, description="direct_ot, ota, group, indirect_programme")
    settings: list[Any] = Field(default_factory=list, description="school, home")
    components: list[Any] = Field(default_factory=list, description="equipment, splint, environmental_adaptation")
    sessions: int
    supervising_ot: str | None = Field(None, description="Username of the OT supervising an assistant's sessions.")
    previous: int | None = Field(None, description="The reviewed package this block follows.")
    goals: list[GoalIn] = Field(default_factory=list)
    review_due_on: dt.date | None = None
    notes: Annotated[str, Field(max_length=20000)] = ""


class GoalOut(Schema):
    id: int
    position: int
    description: str
    area: str
    levels: dict[str, str]
    weight: float
    baseline: int
    carried_from: int | None


class ReviewGoalOut(Schema):
    id: int
    description: str
    weight: float
    baseline: int
    attained: int | None


class CopmProblemChangeOut(Schema):
    id: int
    problem: str
    performance_before: int
    performance_after: int
    performance_change: int
    satisfaction_before: int
    satisfaction_after: int
    satisfaction_change: int
    important: bool


class ReviewCopmChangeOut(Schema):
    performance_before: float
    performance_after: float
    performance_change: float
    satisfaction_before: float
    satisfaction_after: float
    satisfaction_change: float
    important: bool
    problems: list[CopmProblemChangeOut]


class ReviewOut(Schema):
    id: int
    package: int
    reviewed_on: dt.date
    decision: str
    goals: list[ReviewGoalOut]
    gas_t_score: float
    copm: ReviewCopmChangeOut | None
    summary: str


class PackageOut(Schema):
    id: int
    reference: str
    type: str
    delivery: list[str]
    settings: list[str]
    components: list[str]
    sessions: int
    block_number: int
    supervising_ot: str | None
    previous: int | None
    review_due_on: dt.date | None
    series: int | None
    review_appointment: int | None
    goals: list[GoalOut]
    review: ReviewOut | None


def _review_of(package: Package) -> Review | None:
    try:
        return package.review
    except Review.DoesNotExist:
        return None


def review_out(review: Review, goals: list[Goal]) -> dict:
    attained = {rating.goal_id: rating.attained for rating in review.goal_ratings.all()}
    change = copm_change_for_review(review)
    copm = None
    if change is not None:
        rerated = sorted(review.copm_reratings.all(), key=lambda r: (r.problem.position, r.problem_id))
        copm = {
            "performance_before": float(change.performance_before),
            "performance_after": float(change.performance_after),
            "performance_change": float(change.performance_change),
            "satisfaction_before": float(change.satisfaction_before),
            "satisfaction_after": float(change.satisfaction_after),
            "satisfaction_change": float(change.satisfaction_change),
            "important": change.performance_important or change.satisfaction_important,
            "problems": [
                {
                    "id": rerating.problem_id,
                    "problem": problem.problem,
                    "performance_before": problem.performance_before,
                    "performance_after": problem.performance_after,
                    "performance_change": problem.performance_change,
                    "satisfaction_before": problem.satisfaction_before,
                    "satisfaction_after": problem.satisfaction_after,
                    "satisfaction_change": problem.satisfaction_change,
                    "important": problem.important,
                }
                for rerating, problem in zip(rerated, change.problems, strict=True)
            ],
        }
    return {
        "id": review.pk,
        "package": review.package_id,
        "reviewed_on": review.reviewed_on,
        "decision": review.decision,
        "goals": [
            {
                "id": goal.pk,
                "description": goal.description,
                "weight": _number(goal.weight),
                "baseline": goal.baseline,
                "attained": attained.get(goal.pk),
            }
            for goal in goals
        ],
        "gas_t_score": _two_places(review.gas_t_score),
        "copm": copm,
        "summary": review.summary,
    }


def package_out(package: Package) -> dict:
    goals = list(package.goals.all())
    review = _review_of(package)
    return {
        "id": package.pk,
        "reference": package.episode.referral.reference,
        "type": package.type,
        "delivery": package.delivery,
        "settings": package.places,
        "components": package.components,
        "sessions": package.sessions,
        "block_number": package.block_number,
        "supervising_ot": package.supervising_ot.username if package.supervising_ot else None,
        "previous": package.previous_id,
        "review_due_on": package.review_due_on,
        "series": package.series_id,
        "review_appointment": package.review_appointment_id,
        "goals": [
            {
                "id": goal.pk,
                "position": goal.position,
                "description": goal.description,
                "area": goal.area,
                "levels": _in_order(goal.levels, LEVEL_KEYS),
                "weight": _number(goal.weight),
                "baseline": goal.baseline,
                "carried_from": goal.carried_from_id,
            }
            for goal in goals
        ],
        "review": review_out(review, goals) if review is not None else None,
    }


def packages_for_output(user):
    """Packages this user may see, with everything package_out reads in a fixed number of queries."""
    return (
        Package.objects.visible_to(user)
        .select_related("episode__referral", "supervising_ot", "review")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("position", "id")),
            "review__goal_ratings",
            "review__copm_reratings__problem",
        )
    )


def _package(request: HttpRequest, package_id: int, action: Action) -> Package:
    """The package if this caller may see it (else 404), then 403 if their role may not take the action."""
    package = packages_for_output(request.auth).filter(pk=package_id).first()
    if package is None:
        raise HttpError(404, f"No package {package_id}.")
    _require(request.auth, action)
    return package


@router.post(
    "/referrals/{reference}/packages",
    auth=BearerToken(),
    response={201: PackageOut, **ERRORS},
    summary="Set a package of care",
)
def create_package(request: HttpRequest, reference: str, payload: PackageIn):
    """Advice and strategies, or a package of care with its goals (each with five GAS levels, a weight and a
    baseline). For the next block after a review that decided on one, give `previous`; goals carried over name the
    previous block's goal in `carried_from`. 409 when `previous` is not reviewed or its review decided otherwise."""
    referral = find_referral(request, reference, action=Action.SET_PACKAGE)
    supervising_ot = None
    if payload.supervising_ot:
        supervising_ot = User.objects.filter(username=payload.supervising_ot).first()
        if supervising_ot is None:
            raise bad_request("supervising_ot", f"No member of staff with username {payload.supervising_ot}")
    previous = None
    if payload.previous is not None:
        previous = Package.objects.visible_to(request.auth).filter(pk=payload.previous).first()
        if previous is None:
            raise bad_request("previous", f"No package {payload.previous}")
    package = _call(
        lambda: set_package(
            referral=referral,
            created_by=request.auth,
            type=payload.type,
            delivery=payload.delivery,
            places=payload.settings,
            components=payload.components,
            sessions=payload.sessions,
            goals=[goal.model_dump() for goal in payload.goals],
            supervising_ot=supervising_ot,
            previous=previous,
            review_due_on=payload.review_due_on,
            notes=payload.notes,
        )
    )
    return Status(201, package_out(packages_for_output(request.auth).get(pk=package.pk)))


@router.get(
    "/referrals/{reference}/packages",
    auth=BearerToken(),
    response={200: list[PackageOut], 401: dict, 403: dict, 404: dict},
    summary="List packages of care",
)
def list_packages(request: HttpRequest, reference: str):
    """Every package of the child's episode, block by block, each with its goals and its review if reviewed."""
    referral = find_referral(request, reference, action=Action.VIEW_CLINICAL_RECORD)
    record_view(request, referral, child_id=referral.child_id)
    return [package_out(p) for p in packages_for_output(request.auth).filter(episode__referral=referral)]


@router.get(
    "/packages/{package_id}",
    auth=BearerToken(),
    response={200: PackageOut, 401: dict, 403: dict, 404: dict},
    summary="Read a package of care",
)
def read_package(request: HttpRequest, package_id: int):
    package = _package(request, package_id, Action.VIEW_CLINICAL_RECORD)
    record_view(request, package, child_id=package.episode.referral.child_id)
    return package_out(package)


class GoalRatingIn(Schema):
    id: Any
    attained: Any = Field(description="The level attained: -2, -1, 0 (as expected), 1 or 2.")


class CopmRatingIn(Schema):
    problem: Any = Field(description="The id of a COPM problem of the episode.")
    performance: Any
    satisfaction: Any


class ReviewIn(Schema):
    reviewed_on: dt.date | None = Field(None, description="Defaults to today.")
    goals: list[GoalRatingIn] = Field(default_factory=list, description="Every goal of the block, once.")
    copm: list[CopmRatingIn] = Field(default_factory=list)
    toms: dict[str, Any] | None = None
    decision: str = Field(description="new_block, step_down_to_advice or discharge")
    summary: Annotated[str, Field(max_length=20000)] = ""


@router.post(
    "/packages/{package_id}/reviews",
    auth=BearerToken(),
    response={201: ReviewOut, **ERRORS},
    summary="Review a block",
)
def create_review(request: HttpRequest, package_id: int, payload: ReviewIn):
    """Each goal's attained level and the GAS T-score (50 = every goal met as expected), the COPM problems re-rated
    with their change, TOMs, and the decision. 409 when the block was already reviewed."""
    package = _package(request, package_id, Action.REVIEW_PACKAGE)
    review = _call(
        lambda: record_review(
            package=package,
            reviewed_by=request.auth,
            reviewed_on=payload.reviewed_on or timezone.localdate(),
            goals=[goal.model_dump() for goal in payload.goals],
            copm=[rating.model_dump() for rating in payload.copm],
            toms=payload.toms,
            decision=payload.decision,
            summary=payload.summary,
        )
    )
    reviewed = packages_for_output(request.auth).get(pk=review.package_id)
    return Status(201, review_out(_review_of(reviewed), list(reviewed.goals.all())))
