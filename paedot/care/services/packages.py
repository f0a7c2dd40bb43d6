"""Packages of care and their goals, the review after each block, the reviews coming up on a clinician's caseload,
and linking the diary's block of appointments to the package it delivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from paedot.appointments.models import Appointment, Kind, Outcome
from paedot.appointments.services import Block, plan_treatment_block, record_outcome
from paedot.care.models import (
    Area,
    Component,
    CopmProblem,
    CopmRerating,
    Delivery,
    Goal,
    GoalRating,
    Package,
    PackageSetting,
    PackageType,
    Review,
    ReviewDecision,
    TomsRating,
    TomsStage,
)
from paedot.care.rules import (
    GAS_LEVELS,
    TWO_PLACES,
    CopmChange,
    CopmProblemChange,
    RatingError,
    check_copm_score,
    check_gas_level,
    check_toms,
    check_weight,
    copm_change,
    gas_t_score,
)
from paedot.care.services.assessments import check_day
from paedot.care.services.episodes import CLINICAL_STATUSES, open_episode, require_open
from paedot.core.audit import record_event
from paedot.diaries.rules import LONDON
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.models import Role
from paedot.staff.rules import Action, may

LEVEL_KEYS = tuple(str(level) for level in GAS_LEVELS)  # "-2" .. "2", as the goal's levels are stored
MAX_SESSIONS = 52  # the diary plans blocks of 1 to 52 sessions
MAX_WEIGHT = Decimal("999.99")  # what Goal.weight holds
SUPERVISING_ROLES = (Role.OT, Role.TEAM_LEAD)


# --- Checking a package --------------------------------------------------------------------------------------------


def _codes(values: object, choices: type, field: str, what: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise RatingError(field, f"{what} is a list of codes.")
    for index, value in enumerate(values):
        if value not in choices.values:  # type: ignore[attr-defined]
            codes = ", ".join(choices.values)  # type: ignore[attr-defined]
            raise RatingError(f"{field}.{index}", f"{what}: {value} is not one of {codes}.")
    return list(dict.fromkeys(values))


def check_levels(levels: object, field: str) -> dict[str, str]:
    """The five GAS levels, each described: {"-2": ..., "-1": ..., "0": expected outcome, "1": ..., "2": ...}."""
    message = "Describe each of the five levels: -2, -1, 0 (the expected outcome), 1 and 2."
    if not isinstance(levels, dict):
        raise RatingError(field, message)
    described: dict[str, str] = {}
    for key, text in levels.items():
        # "+1" and 1 mean level 1; stored keys are the plain strings "-2" .. "2".
        level = str(key).strip().removeprefix("+") if not isinstance(key, bool) else ""
        if level not in LEVEL_KEYS or level in described:
            raise RatingError(f"{field}.{key}", message)
        if not isinstance(text, str) or not text.strip():
            raise RatingError(f"{field}.{level}", f"Describe what level {level} looks like for this goal.")
        described[level] = text.strip()
    missing = [level for level in LEVEL_KEYS if level not in described]
    if missing:
        raise RatingError(f"{field}.{missing[0]}", f"Describe what level {missing[0]} looks like for this goal.")
    return {level: described[level] for level in LEVEL_KEYS}


def _id(value: object) -> int | None:
    """An id as JSON or a form sends it (7 or "7"); anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def check_goals(goals: object, *, previous: Package | None) -> list[dict]:
    if not isinstance(goals, list | tuple):
        raise RatingError("goals", "Goals are a list.")
    carried_ids = {goal.pk for goal in previous.goals.all()} if previous is not None else set()
    carried_seen: set[int] = set()
    cleaned = []
    for index, goal in enumerate(goals):
        where = f"goals.{index}"
        if not isinstance(goal, dict):
            raise RatingError(where, "Each goal needs a description, an area and its five levels.")
        description = goal.get("description")
        description = description.strip() if isinstance(description, str) else ""
        if not description:
            raise RatingError(f"{where}.description", "Describe the goal: what the child will do, and when.")
        if goal.get("area") not in Area.values:
            raise RatingError(f"{where}.area", f"Choose the area of daily life ({', '.join(Area.values)}).")
        weight = check_weight(goal.get("weight", 1), f"{where}.weight")
        if weight > MAX_WEIGHT or weight != weight.quantize(TWO_PLACES):
            raise RatingError(f"{where}.weight", "A goal's weight is a positive number up to 999.99, to 2 places.")
        carried_from = None
        if goal.get("carried_from") is not None:
            carried_from = _id(goal["carried_from"])
            if carried_from not in carried_ids or carried_from in carried_seen:
                raise RatingError(
                    f"{where}.carried_from", "A goal can be carried over, once, only from the previous block's goals."
                )
            carried_seen.add(carried_from)
        cleaned.append(
            {
                "description": description,
                "area": goal["area"],
                "levels": check_levels(goal.get("levels"), f"{where}.levels"),
                "weight": weight,
                "baseline": check_gas_level(goal.get("baseline", -1), f"{where}.baseline"),
                "carried_from_id": carried_from,
            }
        )
    return cleaned


def _check_supervisor(supervising_ot, delivery: list[str]):
    if supervising_ot is None:
        if Delivery.OTA in delivery:
            raise RatingError("supervising_ot", "Sessions with an OT assistant need the OT who supervises them.")
        return None
    if not supervising_ot.is_active or supervising_ot.role not in SUPERVISING_ROLES:
        raise RatingError("supervising_ot", "The supervising OT must be an OT or a team lead still in post.")
    return supervising_ot


def _check_previous(previous: Package, episode) -> Package:
    """The block this one follows: same episode, reviewed, with the decision to carry on, and not followed yet."""
    previous = Package.objects.select_for_update().get(pk=previous.pk)
    if previous.episode_id != episode.pk:
        raise TransitionRefused("The previous block belongs to another child's episode of care.")
    review = Review.objects.filter(package=previous).first()
    if review is None:
        raise TransitionRefused(f"Block {previous.block_number} has not been reviewed: review it first.")
    if review.decision != ReviewDecision.NEW_BLOCK:
        raise TransitionRefused(
            f"Block {previous.block_number}'s review decided: {review.get_decision_display().lower()}. "
            "Another block follows only a review that decided on one."
        )
    if Package.objects.filter(previous=previous).exists():
        raise TransitionRefused(f"Block {previous.block_number} is already followed by another block.")
    return previous


# --- Setting a package ---------------------------------------------------------------------------------------------


def set_package(
    *,
    referral: Referral,
    created_by,
    type: str,  # the package's type, as the model and the API call it
    delivery: Sequence[str],
    places: Sequence[str],
    components: Sequence[str] = (),
    sessions: int,
    goals: Sequence[dict],
    supervising_ot=None,
    previous: Package | None = None,
    review_due_on: dt.date | None = None,
    notes: str = "",
) -> Package:
    """Set advice and strategies or a package of care with its goals. After a review that decided on another block,
    pass the reviewed package as `previous`: this becomes the next block, and goals may be carried over from it."""
    require(created_by, Action.SET_PACKAGE)
    if type not in PackageType.values:
        raise RatingError("type", f"Choose the kind of package ({', '.join(PackageType.values)}).")
    delivery = _codes(delivery, Delivery, "delivery", "Delivery")
    if type == PackageType.PACKAGE_OF_CARE and not delivery:
        raise RatingError("delivery", "Say how the package of care is delivered.")
    # The API calls the places "settings"; name the field as the caller sent it.
    places = _codes(places, PackageSetting, "settings", "Setting")
    components = _codes(components, Component, "components", "Component")
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= MAX_SESSIONS:
        raise RatingError("sessions", f"A block has 1 to {MAX_SESSIONS} sessions.")
    supervising_ot = _check_supervisor(supervising_ot, delivery)
    if review_due_on is not None and not isinstance(review_due_on, dt.date):
        raise RatingError("review_due_on", "The review date must be a date.")
    with transaction.atomic():
        episode = open_episode(referral=referral, opened_by=created_by)
        require_open(episode)
        if previous is not None:
            previous = _check_previous(previous, episode)
        cleaned_goals = check_goals(goals, previous=previous)
        if type == PackageType.PACKAGE_OF_CARE and not cleaned_goals:
            raise RatingError("goals", "A package of care needs at least one goal.")
        package = Package.objects.create(
            episode=episode,
            type=type,
            delivery=delivery,
            places=places,
            components=components,
            supervising_ot=supervising_ot,
            sessions=sessions,
            block_number=previous.block_number + 1 if previous is not None else 1,
            previous=previous,
            review_due_on=review_due_on,
            notes=(notes or "").strip(),
            created_by=created_by,
        )
        Goal.objects.bulk_create(
            Goal(package=package, position=position, **goal) for position, goal in enumerate(cleaned_goals, start=1)
        )
        record_event(
            action="package.set",
            actor=created_by,
            target=package,
            child_id=referral.child_id,
            detail={
                "referral": referral.reference,
                "type": type,
                "block_number": package.block_number,
                "sessions": sessions,
                "goals": len(cleaned_goals),
                "carried_over": sum(1 for goal in cleaned_goals if goal["carried_from_id"]),
            },
        )
    return package


# --- Reviewing a block ---------------------------------------------------------------------------------------------


def _check_goal_ratings(goals: object, package_goals: list[Goal]) -> dict[int, int]:
    """Every goal of the block rated exactly once: {goal id: attained level}."""
    if not isinstance(goals, list | tuple):
        raise RatingError("goals", "Rate each goal: a list of {id, attained}.")
    by_id = {goal.pk: goal for goal in package_goals}
    attained: dict[int, int] = {}
    for index, item in enumerate(goals):
        if not isinstance(item, dict):
            raise RatingError(f"goals.{index}", "Each rating needs the goal's id and the level attained.")
        goal_id = _id(item.get("id"))
        if goal_id not in by_id:
            raise RatingError(f"goals.{index}.id", f"This block has no goal {item.get('id')}.")
        if goal_id in attained:
            raise RatingError(f"goals.{index}.id", f"Goal {goal_id} is rated more than once.")
        attained[goal_id] = check_gas_level(item.get("attained"), f"goals.{index}.attained")
    missing = [goal for goal in package_goals if goal.pk not in attained]
    if missing:
        names = "; ".join(f"goal {goal.position} ({goal.pk})" for goal in missing)
        raise RatingError("goals", f"Rate every goal of the block: {names} not rated.")
    return attained


def _check_copm_reratings(copm: object, problems: dict[int, CopmProblem]) -> list[tuple[CopmProblem, int, int]]:
    if not isinstance(copm, list | tuple):
        raise RatingError("copm", "COPM ratings are a list of {problem, performance, satisfaction}.")
    cleaned: list[tuple[CopmProblem, int, int]] = []
    seen: set[int] = set()
    for index, item in enumerate(copm):
        if not isinstance(item, dict):
            raise RatingError(f"copm.{index}", "Each COPM rating needs the problem's id and two scores.")
        problem_id = _id(item.get("problem"))
        if problem_id not in problems:
            raise RatingError(f"copm.{index}.problem", f"This episode has no COPM problem {item.get('problem')}.")
        if problem_id in seen:
            raise RatingError(f"copm.{index}.problem", "Each COPM problem is rated once at a review.")
        seen.add(problem_id)
        performance = check_copm_score(item.get("performance"), f"copm.{index}.performance")
        satisfaction = check_copm_score(item.get("satisfaction"), f"copm.{index}.satisfaction")
        cleaned.append((problems[problem_id], performance, satisfaction))
    return sorted(cleaned, key=lambda rated: (rated[0].position, rated[0].pk))


def _changes(rated: list[tuple[CopmProblem, int, int]]) -> CopmChange | None:
    if not rated:
        return None
    return copm_change(
        [
            CopmProblemChange(problem.problem, problem.performance, performance, problem.satisfaction, satisfaction)
            for problem, performance, satisfaction in rated
        ]
    )


def record_review(
    *,
    package: Package,
    reviewed_by,
    reviewed_on: dt.date,
    goals: Sequence[dict],
    copm: Sequence[dict] = (),
    toms: dict | None = None,
    decision: str,
    summary: str = "",
) -> Review:
    """The review after a block: each goal's attained level (-2..+2) and the GAS T-score, the COPM problems re-rated
    and their change, TOMs (the end of the episode when the decision is to discharge), and what happens next."""
    require(reviewed_by, Action.REVIEW_PACKAGE)
    with transaction.atomic():
        # Locked, so a review saved twice at once is one review and one refusal.
        package = (
            Package.objects.select_for_update(of=("self",))
            .select_related("episode__referral", "review_appointment")
            .get(pk=package.pk)
        )
        episode = package.episode
        require_open(episode)
        done = Review.objects.filter(package=package).first()
        if done is not None:
            raise TransitionRefused(f"Block {package.block_number} was already reviewed, on {done.reviewed_on}.")
        package_goals = list(package.goals.order_by("position", "id"))
        if not package_goals:
            raise TransitionRefused("This package has no goals to review.")
        if decision not in ReviewDecision.values:
            raise RatingError("decision", f"Choose what happens next ({', '.join(ReviewDecision.values)}).")
        reviewed_on = check_day(
            reviewed_on, "reviewed_on", not_before=episode.referral.received_date, what="The review date"
        )
        attained = _check_goal_ratings(goals, package_goals)
        rated = _check_copm_reratings(copm, {p.pk: p for p in CopmProblem.objects.filter(episode=episode)})
        ratings = check_toms(toms, "toms") if toms is not None else None
        t_score = gas_t_score([(goal.weight, attained[goal.pk]) for goal in package_goals])
        change = _changes(rated)
        review = Review.objects.create(
            package=package,
            reviewed_on=reviewed_on,
            reviewed_by=reviewed_by,
            gas_t_score=t_score,
            copm_performance_change=change.performance_change if change else None,
            copm_satisfaction_change=change.satisfaction_change if change else None,
            decision=decision,
            summary=(summary or "").strip(),
        )
        GoalRating.objects.bulk_create(
            GoalRating(review=review, goal=goal, attained=attained[goal.pk]) for goal in package_goals
        )
        CopmRerating.objects.bulk_create(
            CopmRerating(review=review, problem=problem, performance=performance, satisfaction=satisfaction)
            for problem, performance, satisfaction in rated
        )
        if ratings is not None:
            TomsRating.objects.create(
                episode=episode,
                stage=TomsStage.END if decision == ReviewDecision.DISCHARGE else TomsStage.REVIEW,
                review=review,
                rated_on=reviewed_on,
                rated_by=reviewed_by,
                **ratings,
            )
        _attend_review_appointment(package, reviewed_on=reviewed_on, reviewed_by=reviewed_by)
        record_event(
            action="package.reviewed",
            actor=reviewed_by,
            target=review,
            child_id=episode.referral.child_id,
            detail={
                "package": package.pk,
                "block_number": package.block_number,
                "gas_t_score": str(t_score),
                "decision": decision,
                "copm_performance_change": str(change.performance_change) if change else None,
                "copm_satisfaction_change": str(change.satisfaction_change) if change else None,
            },
        )
    return review


def _attend_review_appointment(package: Package, *, reviewed_on: dt.date, reviewed_by) -> None:
    """A review recorded on the day of the block's review appointment happened at it: the appointment is marked
    attended (else the diary keeps asking for its outcome, and the contact goes uncounted). Another day, a cancelled
    appointment or one with an outcome already is left as it is."""
    appointment = package.review_appointment
    if appointment is None or appointment.cancelled or appointment.outcome or appointment.referral_id is None:
        return
    if appointment.start.astimezone(LONDON).date() != reviewed_on or appointment.start > timezone.now():
        return
    if not may(reviewed_by, Action.RECORD_OUTCOME):
        return
    record_outcome(appointment=appointment, outcome=Outcome.ATTENDED, recorded_by=reviewed_by)


def copm_change_for_review(review: Review) -> CopmChange | None:
    """COPM at assessment and at this review, per problem and in total; None when the review re-rated none.

    Uses `copm_reratings__problem` when prefetched (a report of many reviews), else one query."""
    cache = getattr(review, "_prefetched_objects_cache", {})
    if "copm_reratings" in cache:
        reratings = sorted(cache["copm_reratings"], key=lambda r: (r.problem.position, r.problem_id))
    else:
        reratings = list(review.copm_reratings.select_related("problem").order_by("problem__position", "problem_id"))
    return _changes([(r.problem, r.performance, r.satisfaction) for r in reratings])


# --- Reviews coming up ---------------------------------------------------------------------------------------------


def reviews_due(*, clinician, today: dt.date, within_days: int = 14) -> QuerySet[Package]:
    """Packages of care not yet reviewed, in open episodes, that this clinician holds (the child is allocated to
    them, or they set the package, or they supervise its assistant) and that are due: the review date within
    `within_days`, or the block's last session already past. Earliest first; each row has `last_session`."""
    start_of_today = dt.datetime.combine(today, dt.time(), tzinfo=LONDON)
    last_session = (
        Appointment.objects.filter(series=OuterRef("series"), kind=Kind.TREATMENT, cancelled=False)
        .order_by("-start")
        .values("start")[:1]
    )
    return (
        Package.objects.filter(type=PackageType.PACKAGE_OF_CARE, review__isnull=True)
        .filter(episode__discharged_at__isnull=True, episode__referral__status__in=CLINICAL_STATUSES)
        .filter(Q(episode__referral__clinician=clinician) | Q(created_by=clinician) | Q(supervising_ot=clinician))
        .annotate(last_session=Subquery(last_session))
        .filter(Q(review_due_on__lte=today + dt.timedelta(days=within_days)) | Q(last_session__lt=start_of_today))
        .select_related(
            "episode__referral__child",
            "episode__referral__clinician",
            "created_by",
            "supervising_ot",
            "review_appointment",
        )
        .order_by(F("review_due_on").asc(nulls_last=True), F("last_session").asc(nulls_last=True), "id")
    )


# --- The diary's block -------------------------------------------------------------------------------------------


def attach_block(*, package: Package, block: Block, attached_by=None) -> Package:
    """Link a block of appointments (paedot.appointments.services.Block: its series and review appointment) to the
    package it delivers; the package's review falls due on the review appointment's day (Birmingham date)."""
    series, review_appointment = block.series, block.review
    actor = attached_by or series.created_by
    require(actor, Action.PLAN_BLOCK)
    with transaction.atomic():
        package = (
            Package.objects.select_for_update(of=("self",))
            .select_related("episode__referral", "review_appointment")
            .get(pk=package.pk)
        )
        referral = package.episode.referral
        if series.referral_id != referral.pk or review_appointment.series_id != series.pk:
            raise ValueError("This block of appointments is for another child: it cannot deliver this package.")
        if Package.objects.filter(series=series).exclude(pk=package.pk).exists():
            raise ValueError("This block of appointments already delivers another package.")
        require_open(package.episode)
        if Review.objects.filter(package=package).exists():
            raise TransitionRefused(f"Block {package.block_number} has been reviewed: set the next block first.")
        replaced = package.series_id
        package.series = series
        package.review_appointment = review_appointment
        package.review_due_on = review_appointment.start.astimezone(LONDON).date()
        package.save(update_fields=["series", "review_appointment", "review_due_on", "updated_at"])
        record_event(
            action="package.block_attached",
            actor=actor,
            target=package,
            child_id=referral.child_id,
            detail={"series": series.pk, "review_due_on": package.review_due_on.isoformat(), "replaced": replaced},
        )
    return package


def plan_block_for_package(*, package: Package | None, **plan) -> Block:
    """Plan the diary's block (paedot.appointments.services.plan_treatment_block's arguments) and, when a package is
    given, link the block to it: all or nothing, so a package that cannot take the block leaves nothing booked."""
    with transaction.atomic():
        block = plan_treatment_block(**plan)
        if package is not None:
            attach_block(package=package, block=block, attached_by=plan["planned_by"])
    return block
