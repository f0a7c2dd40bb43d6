"""Which records a FHIR request may read, fetched with everything their resources show in a fixed number of queries.

Everything starts from Referral.objects.visible_to(user) (docs/adr/005): a restricted record, another locality's
child or another partner system's referral is simply not there, so a read answers 404 and a search leaves it out,
never saying whether it exists. Group sessions (appointments with no referral of their own) are not served.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import OuterRef, Prefetch, Q, Subquery

from paedot.alerts.models import Alert
from paedot.appointments.models import Appointment
from paedot.care.models import (
    Assessment,
    CopmProblem,
    CopmRerating,
    Episode,
    Goal,
    GoalRating,
    Package,
    Review,
    TomsRating,
)
from paedot.children.models import Child
from paedot.diaries.rules import LONDON
from paedot.fhir import resources
from paedot.fhir.resources import Context, LatestRating
from paedot.fhir.search import Search, nhs_number_searched, parse_id, reference_searched
from paedot.referrals.models import Referral


@dataclass(frozen=True)
class Found:
    """A resource to answer with, the record whose view the audit trail records, and the child it is about."""

    resource: dict[str, Any]
    target: models.Model
    child_id: int


def _one(obj: models.Model, name: str) -> Any:
    """A reverse one-to-one (a goal's rating, a package's review) that select_related fetched, or None."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _page(queryset, search: Search) -> tuple[list[Any], bool]:
    rows = list(queryset[search.offset : search.offset + search.count + 1])
    return rows[: search.count], len(rows) > search.count


def _visible(user):
    return Referral.objects.visible_to(user)


# --- Patient ----------------------------------------------------------------------------------------------------------


def _children(user):
    """Children with a referral this person may see, and records merged into one of them (which answer with a link
    to it). Each carries its GP practice from the latest referral this person may see."""
    visible = _visible(user).values("child_id")
    latest = _visible(user).filter(child=OuterRef("pk")).order_by("-received_date", "-received_at", "-id")
    return (
        Child.objects.filter(Q(pk__in=visible) | Q(merged_into__in=visible))
        .annotate(
            gp_practice_code=Subquery(latest.values("gp_practice_code")[:1]),
            gp_practice_name=Subquery(latest.values("gp_practice_name")[:1]),
        )
        .prefetch_related(
            Prefetch("merged_records", queryset=Child.objects.only("id", "merged_into_id").order_by("id"))
        )
        .order_by("id")
    )


def _patient(child: Child, ctx: Context) -> Found:
    resource = resources.patient(
        child,
        gp_practice_code=child.gp_practice_code or "",
        gp_practice_name=child.gp_practice_name or "",
        replaces=[merged.pk for merged in child.merged_records.all()],
    )
    return Found(resource, child, child.pk)


def read_patient(user, resource_id: str, ctx: Context) -> Found | None:
    pk = parse_id(resource_id)
    child = _children(user).filter(pk=pk).first() if pk is not None else None
    return _patient(child, ctx) if child is not None else None


def search_patients(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    """By NHS number. A record merged into another is not returned: the surviving record is the child's."""
    number = nhs_number_searched(search.identifier) if search.identifier else None
    if number is None:
        return [], False
    rows, more = _page(_children(user).filter(nhs_number=number, merged_into__isnull=True), search)
    return [_patient(child, ctx) for child in rows], more


# --- ServiceRequest ---------------------------------------------------------------------------------------------------


def _referrals(user):
    return _visible(user).select_related("child").order_by("-received_date", "-received_at", "-id")


def _service_request(referral: Referral, ctx: Context) -> Found:
    return Found(resources.service_request(referral, ctx=ctx), referral, referral.child_id)


def read_service_request(user, resource_id: str, ctx: Context) -> Found | None:
    referral = _referrals(user).filter(reference=resource_id.strip().upper()).first()
    return _service_request(referral, ctx) if referral is not None else None


def search_service_requests(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    """Newest first. With no parameters: every referral this person may see (a partner system: those it sent)."""
    referrals = _referrals(user)
    if search.patient_given:
        if search.patient_id is None:
            return [], False
        referrals = referrals.filter(child_id=search.patient_id)
    if search.identifier is not None:
        reference = reference_searched(search.identifier, ctx.identifier_system("referral-reference"))
        if reference is None:
            return [], False
        referrals = referrals.filter(reference=reference)
    rows, more = _page(referrals, search)
    return [_service_request(referral, ctx) for referral in rows], more


# --- EpisodeOfCare ----------------------------------------------------------------------------------------------------


def _episodes(user):
    return (
        Episode.objects.filter(referral__in=_visible(user))
        .select_related("referral__clinician")
        .order_by("created_at", "id")
    )


def _episode(episode: Episode, ctx: Context) -> Found:
    return Found(resources.episode_of_care(episode, ctx=ctx), episode, episode.referral.child_id)


def read_episode_of_care(user, resource_id: str, ctx: Context) -> Found | None:
    pk = parse_id(resource_id)
    episode = _episodes(user).filter(pk=pk).first() if pk is not None else None
    return _episode(episode, ctx) if episode is not None else None


def search_episodes_of_care(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    if search.patient_id is None:
        return [], False
    rows, more = _page(_episodes(user).filter(referral__child_id=search.patient_id), search)
    return [_episode(episode, ctx) for episode in rows], more


# --- Appointment ------------------------------------------------------------------------------------------------------


def _appointments(user):
    return (
        Appointment.objects.filter(referral__in=_visible(user))
        .select_related("referral", "clinician", "location")
        .order_by("start", "id")
    )


def _appointment(appt: Appointment, ctx: Context) -> Found:
    return Found(resources.appointment(appt, ctx=ctx), appt, appt.referral.child_id)


def read_appointment(user, resource_id: str, ctx: Context) -> Found | None:
    pk = parse_id(resource_id)
    appt = _appointments(user).filter(pk=pk).first() if pk is not None else None
    return _appointment(appt, ctx) if appt is not None else None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def date_filter(bounds) -> Q:
    """Appointments starting on (eq), before (lt), by the end of (le), after (gt) or from (ge) each day, UK time."""
    condition = Q()
    for bound in bounds:
        start, next_day = _start_of(bound.day), _start_of(bound.day + dt.timedelta(days=1))
        condition &= {
            "eq": Q(start__gte=start, start__lt=next_day),
            "lt": Q(start__lt=start),
            "le": Q(start__lt=next_day),
            "gt": Q(start__gte=next_day),
            "ge": Q(start__gte=start),
        }[bound.prefix]
    return condition


def search_appointments(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    if search.patient_id is None:
        return [], False
    appointments = _appointments(user).filter(referral__child_id=search.patient_id).filter(date_filter(search.dates))
    rows, more = _page(appointments, search)
    return [_appointment(appt, ctx) for appt in rows], more


# --- CarePlan ---------------------------------------------------------------------------------------------------------


def _packages(user):
    return (
        Package.objects.filter(episode__referral__in=_visible(user))
        .select_related("episode__referral", "created_by", "review")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.only("id", "package_id", "position")))
        .order_by("created_at", "id")
    )


def _care_plan(package: Package, ctx: Context) -> Found:
    review = _one(package, "review")
    resource = resources.care_plan(
        package,
        ctx=ctx,
        goal_ids=[goal.pk for goal in package.goals.all()],
        reviewed_on=review.reviewed_on if review is not None else None,
    )
    return Found(resource, package, package.episode.referral.child_id)


def read_care_plan(user, resource_id: str, ctx: Context) -> Found | None:
    pk = parse_id(resource_id)
    package = _packages(user).filter(pk=pk).first() if pk is not None else None
    return _care_plan(package, ctx) if package is not None else None


def search_care_plans(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    if search.patient_id is None:
        return [], False
    rows, more = _page(_packages(user).filter(episode__referral__child_id=search.patient_id), search)
    return [_care_plan(package, ctx) for package in rows], more


# --- Goal -------------------------------------------------------------------------------------------------------------


def _goals(user):
    return (
        Goal.objects.filter(package__episode__referral__in=_visible(user))
        .select_related("package__episode__referral", "rating__review", "carried_from__rating__review")
        .order_by("package__created_at", "package_id", "position", "id")
    )


def latest_rating(goal: Goal) -> LatestRating | None:
    """The goal's own rating; else, for a goal carried over from the block before, that block's rating of it."""
    for rated, own in ((goal, True), (goal.carried_from, False)):
        rating = _one(rated, "rating") if rated is not None else None
        if rating is not None:
            return LatestRating(
                attained=rating.attained,
                baseline=rated.baseline,
                reviewed_on=rating.review.reviewed_on,
                own=own,
                level_description=(rated.levels or {}).get(str(rating.attained), ""),
            )
    return None


def _goal(goal: Goal, ctx: Context) -> Found:
    resource = resources.goal(goal, ctx=ctx, latest=latest_rating(goal))
    return Found(resource, goal, goal.package.episode.referral.child_id)


def read_goal(user, resource_id: str, ctx: Context) -> Found | None:
    pk = parse_id(resource_id)
    goal = _goals(user).filter(pk=pk).first() if pk is not None else None
    return _goal(goal, ctx) if goal is not None else None


def search_goals(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    if search.patient_id is None:
        return [], False
    rows, more = _page(_goals(user).filter(package__episode__referral__child_id=search.patient_id), search)
    return [_goal(goal, ctx) for goal in rows], more


# --- Observation ------------------------------------------------------------------------------------------------------
# Observations are not rows of their own: each is read from the record that holds it (a review's GAS T-score and
# its COPM re-ratings, an assessment's COPM ratings, a TOMs rating), and named after it: gas-t-{review},
# copm-{performance|satisfaction}-{assessment|review}-{id}, toms-{rating}.

OBSERVATION_ID = re.compile(r"(gas-t|copm-(?:performance|satisfaction)-(assessment|review)|toms)-(\d{1,18})")


def _reviews(user):
    return (
        Review.objects.filter(package__episode__referral__in=_visible(user))
        .select_related("package__episode__referral", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "goal_ratings",
                queryset=GoalRating.objects.only("id", "review_id", "goal_id").order_by("goal__position", "id"),
            ),
            Prefetch(
                "copm_reratings",
                queryset=CopmRerating.objects.select_related("problem").order_by("problem__position", "problem_id"),
            ),
        )
    )


def _assessments(user):
    return (
        Assessment.objects.filter(episode__referral__in=_visible(user))
        .select_related("episode__referral", "assessed_by")
        .prefetch_related(Prefetch("copm_problems", queryset=CopmProblem.objects.order_by("position", "id")))
    )


def _toms(user):
    return TomsRating.objects.filter(episode__referral__in=_visible(user)).select_related(
        "episode__referral", "rated_by"
    )


def _review_observations(review: Review, ctx: Context) -> list[Found]:
    child_id = review.package.episode.referral.child_id
    goal_ids = [rating.goal_id for rating in review.goal_ratings.all()]
    found = [
        Found(resources.gas_t_observation(review, ctx=ctx, patient_id=child_id, goal_ids=goal_ids), review, child_id)
    ]
    reratings = list(review.copm_reratings.all())
    if reratings:
        for measure in ("performance", "satisfaction"):
            resource = resources.copm_observation(
                ctx=ctx,
                measure=measure,
                occasion="review",
                source=review,
                patient_id=child_id,
                effective=review.reviewed_on,
                performer=review.reviewed_by,
                ratings=[(r.problem.problem, getattr(r, measure)) for r in reratings],
            )
            found.append(Found(resource, review, child_id))
    return found


def _assessment_observations(assessment: Assessment, ctx: Context) -> list[Found]:
    child_id = assessment.episode.referral.child_id
    problems = list(assessment.copm_problems.all())
    if not problems:
        return []
    return [
        Found(
            resources.copm_observation(
                ctx=ctx,
                measure=measure,
                occasion="assessment",
                source=assessment,
                patient_id=child_id,
                effective=assessment.assessed_on,
                performer=assessment.assessed_by,
                ratings=[(p.problem, getattr(p, measure)) for p in problems],
            ),
            assessment,
            child_id,
        )
        for measure in ("performance", "satisfaction")
    ]


def _toms_observation(rating: TomsRating, ctx: Context) -> list[Found]:
    child_id = rating.episode.referral.child_id
    return [Found(resources.toms_observation(rating, ctx=ctx, patient_id=child_id), rating, child_id)]


def _observations(user, ctx: Context, *, patient_id: int | None = None, source: tuple[str, int] | None = None):
    """The observations of one child (patient_id) or of one record (source: its kind and id), in date order."""
    kinds: dict[str, tuple[Callable, Callable, str]] = {
        "review": (_reviews, _review_observations, "package__episode__referral__child_id"),
        "assessment": (_assessments, _assessment_observations, "episode__referral__child_id"),
        "toms": (_toms, _toms_observation, "episode__referral__child_id"),
    }
    found: list[Found] = []
    for kind, (queryset, observe, child_field) in kinds.items():
        if source is not None and source[0] != kind:
            continue
        records = queryset(user)
        records = records.filter(pk=source[1]) if source is not None else records.filter(**{child_field: patient_id})
        for record in records:
            found += observe(record, ctx)
    return sorted(found, key=lambda f: (f.resource.get("effectiveDateTime", ""), f.resource["id"]))


def read_observation(user, resource_id: str, ctx: Context) -> Found | None:
    match = OBSERVATION_ID.fullmatch(resource_id.strip())
    if match is None:
        return None
    prefix, occasion, pk = match.groups()
    kind = "toms" if prefix == "toms" else (occasion or "review")
    return next((f for f in _observations(user, ctx, source=(kind, int(pk))) if f.resource["id"] == resource_id), None)


def search_observations(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    """One child's observations are few (a handful per block), so they are read whole and paged here."""
    if search.patient_id is None:
        return [], False
    found = _observations(user, ctx, patient_id=search.patient_id)
    return found[search.offset : search.offset + search.count], len(found) > search.offset + search.count


# --- Flag (alerts on a child) ----------------------------------------------------------------------------------------


def _flags(user):
    """Alerts of children this person may see (paedot.alerts: a restricted child's stay hidden with the record)."""
    return Alert.objects.visible_to(user).select_related("child", "raised_by").order_by("raised_at", "id")


def _flag(alert: Alert, ctx: Context) -> Found:
    patient_id = alert.child.merged_into_id or alert.child_id
    return Found(resources.flag(alert, ctx=ctx, patient_id=patient_id), alert, alert.child_id)


def read_flag(user, resource_id: str, ctx: Context) -> Found | None:
    pk = parse_id(resource_id)
    alert = _flags(user).filter(pk=pk).first() if pk is not None else None
    return _flag(alert, ctx) if alert is not None else None


def search_flags(user, search: Search, ctx: Context) -> tuple[list[Found], bool]:
    """The child's alerts, in force and ended (status says which), with those of records merged into the child's."""
    if search.patient_id is None:
        return [], False
    rows, more = _page(_flags(user).of_child(search.patient_id), search)
    return [_flag(alert, ctx) for alert in rows], more


READERS: dict[str, Callable[[Any, str, Context], Found | None]] = {
    "Patient": read_patient,
    "ServiceRequest": read_service_request,
    "EpisodeOfCare": read_episode_of_care,
    "Appointment": read_appointment,
    "CarePlan": read_care_plan,
    "Goal": read_goal,
    "Observation": read_observation,
    "Flag": read_flag,
}
SEARCHERS: dict[str, Callable[[Any, Search, Context], tuple[list[Found], bool]]] = {
    "Patient": search_patients,
    "ServiceRequest": search_service_requests,
    "EpisodeOfCare": search_episodes_of_care,
    "Appointment": search_appointments,
    "CarePlan": search_care_plans,
    "Goal": search_goals,
    "Observation": search_observations,
    "Flag": search_flags,
}
