"""Care records made straight with the ORM for the record tests (no dependence on the assessment and package
services), and reading PDFs back. All synthetic. Holds no tests of its own."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from pypdf import PdfReader

from paedot.appointments.models import Appointment
from paedot.appointments.tests.factories import clinic
from paedot.care.models import (
    Assessment,
    ConsentToShare,
    CopmProblem,
    CopmRerating,
    Episode,
    Goal,
    GoalRating,
    Package,
    Review,
    TomsRating,
)
from paedot.care.rules import gas_t_score
from paedot.referrals.tests.factories import referral_in, staff

SCHOOL = "Testfield Primary School"


def child_with_episode(status: str = "seen", **overrides):
    """A referral in this status (a school named) with its episode of care opened by an OT."""
    overrides.setdefault("school_name", SCHOOL)
    referral = referral_in(status, **overrides)
    episode = Episode.objects.create(referral=referral, opened_by=staff("ot"))
    return referral, episode


def consent(episode: Episode, *recipients: str, given: bool = True, name: str = "") -> None:
    for recipient in recipients:
        ConsentToShare.objects.create(
            episode=episode,
            recipient=recipient,
            recipient_name=name,
            given=given,
            given_by="Sara Testchild, mother",
            recorded_by=staff("clinical_admin"),
        )


def assessment_for(episode: Episode) -> Assessment:
    ot = staff("ot")
    assessment = Assessment.objects.create(
        episode=episode,
        assessed_on=timezone.localdate(),
        assessed_by=ot,
        findings={"fine_motor": "Immature tripod grasp; tires after five minutes of writing."},
        standardised=[{"template": "mabc2", "name": "Movement ABC-2", "scores": {"total": 6}}],
        clinical_impression="Difficulties consistent with developmental coordination disorder.",
    )
    for position, (problem, imp, perf, sat) in enumerate(
        [("Doing up buttons", 8, 3, 2), ("Writing neatly", 9, 4, 3)], start=1
    ):
        CopmProblem.objects.create(
            episode=episode,
            assessment=assessment,
            position=position,
            problem=problem,
            importance=imp,
            performance=perf,
            satisfaction=sat,
        )
    TomsRating.objects.create(
        episode=episode,
        stage="start",
        assessment=assessment,
        impairment=Decimal("2.5"),
        activity=Decimal("2"),
        participation=Decimal("3"),
        wellbeing=Decimal("3.5"),
        rated_on=timezone.localdate(),
        rated_by=ot,
    )
    return assessment


GOALS = (
    "Do up four buttons on his school shirt within two minutes",
    "Write his name legibly on the line",
    "Cut along a curved line with scissors",
)


def package_for(episode: Episode, weights=(3, 2, 1)) -> Package:
    package = Package.objects.create(
        episode=episode, type="package_of_care", sessions=6, created_by=staff("ot"), review_due_on=timezone.localdate()
    )
    for position, (description, weight) in enumerate(zip(GOALS, weights, strict=False), start=1):
        Goal.objects.create(
            package=package,
            position=position,
            description=description,
            area="self_care" if position == 1 else "school",
            levels={"-2": "Cannot start", "-1": "Needs help", "0": "Does it alone", "1": "Quickly", "2": "Teaches it"},
            weight=weight,
            baseline=-1,
        )
    return package


def review_for(package: Package, levels=(2, 0, -1)) -> Review:
    """The review with the T-score worked out from the goals' weights and levels, as the service would keep it."""
    goals = list(package.goals.order_by("position"))
    review = Review.objects.create(
        package=package,
        reviewed_on=timezone.localdate(),
        reviewed_by=staff("ot"),
        gas_t_score=gas_t_score([(g.weight, level) for g, level in zip(goals, levels, strict=True)]),
        decision="discharge",
        summary="Goals largely met; the family will carry on at home.",
    )
    for goal, level in zip(goals, levels, strict=True):
        GoalRating.objects.create(review=review, goal=goal, attained=level)
    for problem in CopmProblem.objects.filter(episode=package.episode):
        CopmRerating.objects.create(
            review=review, problem=problem, performance=problem.performance + 4, satisfaction=problem.satisfaction + 5
        )
    return review


def appointment(referral, start: dt.datetime, **fields) -> Appointment:
    return Appointment.objects.create(
        referral=referral,
        kind=fields.pop("kind", "treatment"),
        clinician=staff("ot"),
        location=clinic(),
        start=start,
        end=start + dt.timedelta(minutes=45),
        booked_by=staff("clinical_admin"),
        **fields,
    )


def pdf_text(content: bytes) -> tuple[str, int]:
    """The text of a PDF (its words joined by single spaces) and its number of pages."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def bearer(role: str, username: str | None = None) -> dict:
    from paedot.staff.services import issue_api_token

    token = issue_api_token(user=staff(role, username or f"{role}-care-api"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
