"""The clinical services: standardised assessment templates, recording an assessment, setting a package of care with
its goals, reviewing a block (GAS T-score, COPM change, TOMs), the reviews coming up, and linking the diary's block."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from paedot.appointments.services import plan_treatment_block
from paedot.appointments.tests.factories import clinic, clinician_working, london
from paedot.care.models import CopmProblem, Episode, Goal, GoalRating, Package, TomsRating
from paedot.care.policy import check_standardised, standardised_templates
from paedot.care.rules import RatingError
from paedot.care.services.assessments import record_assessment
from paedot.care.services.packages import (
    attach_block,
    copm_change_for_review,
    record_review,
    reviews_due,
    set_package,
)
from paedot.care.tests.factories import (
    assessed,
    copm_problem,
    episode_for,
    gas_levels,
    goal,
    package_with_goals,
    reviewed,
)
from paedot.core.models import AuditEvent
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 1, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        yield


def refused_field(call) -> str:
    with pytest.raises(RatingError) as refused:
        call()
    return refused.value.field


# --- Standardised assessment templates ---------------------------------------------------------------------------


def test_the_service_scores_the_five_standardised_assessments_by_name_and_range_only():
    templates = standardised_templates()
    assert {"mabc2", "beery_vmi", "sensory_profile_2", "dcdq07", "dash"} <= set(templates)
    mabc = templates["mabc2"]
    keys = [f.key for f in mabc.fields]
    assert keys[:2] == ["total_standard_score", "total_percentile"]
    assert {"manual_dexterity_standard_score", "aiming_catching_standard_score", "balance_standard_score"} <= set(keys)
    assert mabc.field("traffic_light").choices == ("green", "amber", "red")
    assert (mabc.field("total_standard_score").min, mabc.field("total_standard_score").max) == (1, 19)
    assert templates["beery_vmi"].field("vmi_standard_score").max == 155
    assert templates["sensory_profile_2"].field("registration").choices[-1] == "much more than others"
    assert templates["dcdq07"].field("classification").choices == ("indication of DCD", "probably not DCD")
    assert templates["dash"].field("total_standard_score").kind == "standard_score"


def test_standardised_results_are_kept_with_the_assessments_name_and_in_the_templates_order():
    results = check_standardised(
        [
            {
                "template": "mabc2",
                "scores": {"traffic_light": "Red", "total_percentile": 0.5, "total_standard_score": 3},
            },
            {"template": "sensory_profile_2", "scores": {"seeking": "More than others"}},
        ]
    )
    assert results == [
        {
            "template": "mabc2",
            "name": "Movement Assessment Battery for Children, second edition (Movement ABC-2)",
            "scores": {"total_standard_score": 3, "total_percentile": 0.5, "traffic_light": "red"},
        },
        {"template": "sensory_profile_2", "name": "Sensory Profile 2", "scores": {"seeking": "more than others"}},
    ]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"template": "abc", "scores": {"total": 3}}, "standardised.0.template"),
        ({"template": "mabc2", "scores": {"total": 3}}, "standardised.0.scores.total"),
        ({"template": "mabc2", "scores": {}}, "standardised.0.scores"),
        ({"template": "mabc2", "scores": {"total_standard_score": 20}}, "standardised.0.scores.total_standard_score"),
        ({"template": "mabc2", "scores": {"total_standard_score": 7.5}}, "standardised.0.scores.total_standard_score"),
        ({"template": "mabc2", "scores": {"total_standard_score": True}}, "standardised.0.scores.total_standard_score"),
        ({"template": "mabc2", "scores": {"total_percentile": 100}}, "standardised.0.scores.total_percentile"),
        ({"template": "mabc2", "scores": {"total_percentile": 50.25}}, "standardised.0.scores.total_percentile"),
        ({"template": "mabc2", "scores": {"traffic_light": "purple"}}, "standardised.0.scores.traffic_light"),
        ({"template": "beery_vmi", "scores": {"vmi_standard_score": 44}}, "standardised.0.scores.vmi_standard_score"),
        ({"template": "dcdq07", "scores": {"total_score": 14}}, "standardised.0.scores.total_score"),
        ({"template": "dcdq07", "scores": {"classification": "maybe"}}, "standardised.0.scores.classification"),
        ({"template": "sensory_profile_2", "scores": {"seeking": 3}}, "standardised.0.scores.seeking"),
    ],
)
def test_a_standardised_score_off_its_template_is_refused_naming_the_score(entry, field):
    assert refused_field(lambda: check_standardised([entry])) == field


# --- Recording an assessment -------------------------------------------------------------------------------------


def test_an_assessment_records_findings_scores_copm_and_toms_and_opens_the_episode():
    referral = referral_in("booked")
    ot = staff("ot")
    assessment = record_assessment(
        referral=referral,
        assessed_by=ot,
        assessed_on=TODAY,
        findings={"fine_motor": "  Immature grasp. ", "sensory": ""},
        standardised=[{"template": "dcdq07", "scores": {"total_score": 38, "classification": "indication of DCD"}}],
        clinical_impression="Difficulties consistent with a coordination difficulty.",
        copm=[copm_problem(), copm_problem("Using a knife and fork", 6, 4, 5)],
        toms={"impairment": 2.5, "activity": 2, "participation": "3", "wellbeing": 3.5},
    )
    assert assessment.findings == {"fine_motor": "Immature grasp."}
    assert assessment.standardised[0]["name"] == "Developmental Coordination Disorder Questionnaire 2007 (DCDQ'07)"
    problems = list(CopmProblem.objects.filter(assessment=assessment))
    assert [(p.position, p.problem, p.performance) for p in problems] == [
        (1, "Doing up buttons", 3),
        (2, "Using a knife and fork", 4),
    ]
    toms = TomsRating.objects.get(assessment=assessment)
    assert (toms.stage, toms.impairment, toms.participation) == ("start", Decimal("2.5"), Decimal("3.0"))
    assert Episode.objects.get(referral=referral) == assessment.episode
    event = AuditEvent.objects.get(action="assessment.recorded")
    assert event.child_id == referral.child_id and event.actor == ot
    # Still on the waiting list: the diary stops the clock when the appointment is attended, not the assessment.
    assert Referral.objects.get(pk=referral.pk).status == "booked"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": {"handwriting": "Poor"}}, "findings.handwriting"),
        ({"copm": [copm_problem(importance=11)]}, "copm.0.importance"),
        ({"copm": [copm_problem(), copm_problem(performance=0)]}, "copm.1.performance"),
        ({"copm": [copm_problem(satisfaction=2.5)]}, "copm.0.satisfaction"),
        ({"copm": [copm_problem(problem="  ")]}, "copm.0.problem"),
        ({"copm": [copm_problem()] * 6}, "copm"),
        ({"toms": {"impairment": 2, "activity": 2.3, "participation": 3, "wellbeing": 3}}, "toms.activity"),
        ({"toms": {"impairment": 2, "activity": 2, "participation": 3}}, "toms.wellbeing"),
        ({"assessed_on": dt.date(2027, 1, 5)}, "assessed_on"),
        (
            {"standardised": [{"template": "dash", "scores": {"total_standard_score": 200}}]},
            "standardised.0.scores.total_standard_score",
        ),
    ],
)
def test_a_bad_assessment_is_refused_naming_the_field_and_nothing_is_kept(changes, field):
    referral = referral_in("waiting")
    assert refused_field(lambda: assessed(referral, **changes)) == field
    assert not Episode.objects.exists() and not CopmProblem.objects.exists()


def test_the_copm_has_at_most_five_problems_in_an_episode():
    referral = referral_in("seen")
    assessed(referral, copm=[copm_problem(f"Problem {i}") for i in range(3)])
    assert refused_field(lambda: assessed(referral, copm=[copm_problem(f"More {i}") for i in range(3)])) == "copm"
    assessed(referral, copm=[copm_problem("Fourth"), copm_problem("Fifth")])
    assert list(CopmProblem.objects.values_list("position", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("role", ["ota", "clinical_admin", "auditor"])
def test_only_ots_and_team_leads_assess(role):
    with pytest.raises(NotAllowed):
        assessed(referral_in("booked"), by=staff(role))


def test_a_discharged_child_cannot_be_assessed():
    with pytest.raises(TransitionRefused):
        assessed(referral_in("discharged"))


def test_an_assessment_links_only_to_the_childs_own_appointment():
    diary = clinician_working()
    other = referral_in("waiting")
    block = plan_treatment_block(
        referral=other,
        clinician=diary,
        location=clinic(),
        first_start=london(2027, 1, 11, 10),
        sessions=1,
        planned_by=staff("ot"),
    )
    assert refused_field(lambda: assessed(referral_in("waiting"), appointment=block.sessions[0])) == "appointment"


# --- Setting a package of care -----------------------------------------------------------------------------------


def test_a_package_of_care_is_set_with_its_goals_levels_weights_and_baselines():
    referral = referral_in("seen")
    ot = staff("ot")
    package = set_package(
        referral=referral,
        created_by=ot,
        type="package_of_care",
        delivery=["direct_ot", "indirect_programme", "direct_ot"],
        places=["school", "home"],
        components=["equipment"],
        sessions=8,
        goals=[
            goal(1, weight=3, baseline=-2),
            goal(2, weight=1.5, area="school", levels={**{int(k): v for k, v in gas_levels().items()}, 1: "Better"}),
        ],
        review_due_on=dt.date(2027, 3, 1),
        notes="Fortnightly at school.",
    )
    assert (package.block_number, package.delivery, package.places) == (
        1,
        ["direct_ot", "indirect_programme"],
        ["school", "home"],
    )
    goals = list(package.goals.all())
    assert [(g.position, g.weight, g.baseline, g.area) for g in goals] == [
        (1, Decimal("3"), -2, "self_care"),
        (2, Decimal("1.5"), -1, "school"),
    ]
    assert sorted(goals[1].levels, key=int) == ["-2", "-1", "0", "1", "2"] and goals[1].levels["1"] == "Better"
    event = AuditEvent.objects.get(action="package.set")
    assert event.child_id == referral.child_id and event.detail["goals"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "therapy"}, "type"),
        ({"delivery": ["direct_ot", "zoom"]}, "delivery.1"),
        ({"places": ["clinic"]}, "settings.0"),
        ({"components": ["wheelchair"]}, "components.0"),
        ({"sessions": 0}, "sessions"),
        ({"goals": []}, "goals"),
        ({"goals": [goal(description=" ")]}, "goals.0.description"),
        ({"goals": [goal(area="maths")]}, "goals.0.area"),
        ({"goals": [goal(), goal(weight=0)]}, "goals.1.weight"),
        ({"goals": [goal(weight=-1)]}, "goals.0.weight"),
        ({"goals": [goal(baseline=3)]}, "goals.0.baseline"),
        ({"goals": [goal(baseline=-1.5)]}, "goals.0.baseline"),
        ({"goals": [goal(levels={k: v for k, v in gas_levels().items() if k != "2"})]}, "goals.0.levels.2"),
        ({"goals": [goal(levels={**gas_levels(), "-1": " "})]}, "goals.0.levels.-1"),
        ({"goals": [goal(levels={**gas_levels(), "3": "Even better"})]}, "goals.0.levels.3"),
        ({"goals": [goal(carried_from=1)]}, "goals.0.carried_from"),
        ({"delivery": ["ota"]}, "supervising_ot"),
    ],
)
def test_a_bad_package_is_refused_naming_the_field(changes, field):
    referral = referral_in("seen")
    assert refused_field(lambda: package_with_goals(referral, **changes)) == field
    assert not Package.objects.exists()


def test_an_assistants_sessions_are_supervised_by_an_ot_or_team_lead(ota_user, ot_user, team_lead_user):
    referral = referral_in("seen")
    assert refused_field(lambda: package_with_goals(referral, delivery=["ota"], supervising_ot=ota_user)) == (
        "supervising_ot"
    )
    assert package_with_goals(referral, delivery=["ota"], supervising_ot=ot_user).supervising_ot == ot_user
    team_lead_user.is_active = False
    team_lead_user.save()
    assert refused_field(lambda: package_with_goals(referral, delivery=["ota"], supervising_ot=team_lead_user)) == (
        "supervising_ot"
    )


def test_advice_and_strategies_may_have_no_goals():
    package = package_with_goals(referral_in("seen"), type="advice_and_strategies", delivery=[], goals=[], sessions=1)
    assert package.goals.count() == 0


@pytest.mark.parametrize("role", ["ota", "clinical_admin"])
def test_only_ots_and_team_leads_set_packages(role):
    with pytest.raises(NotAllowed):
        package_with_goals(referral_in("seen"), by=staff(role))


def test_the_next_block_follows_a_review_that_decided_on_one_and_carries_goals_over():
    referral = referral_in("seen")
    first = package_with_goals(referral, n=2)
    with pytest.raises(TransitionRefused, match="not been reviewed"):
        package_with_goals(referral, previous=first)
    reviewed(first, [0, -1])
    kept = first.goals.get(position=2)
    second = package_with_goals(referral, goals=[goal(1, carried_from=kept.pk), goal(2)], previous=first)
    assert second.block_number == 2 and second.previous == first
    assert [g.carried_from_id for g in second.goals.all()] == [kept.pk, None]
    with pytest.raises(TransitionRefused, match="already followed"):
        package_with_goals(referral, previous=first)


def test_no_block_follows_a_review_that_decided_to_discharge_or_another_childs_package():
    discharged = package_with_goals(referral_in("seen"))
    reviewed(discharged, [0, 0, 0], decision="discharge")
    with pytest.raises(TransitionRefused, match="discharge"):
        package_with_goals(discharged.episode.referral, previous=discharged)
    other = package_with_goals(referral_in("seen"))
    reviewed(other, [0, 0, 0])
    with pytest.raises(TransitionRefused, match="another child"):
        package_with_goals(referral_in("seen"), previous=other)


def test_a_goal_is_carried_only_from_the_previous_block():
    referral = referral_in("seen")
    first = package_with_goals(referral, n=1)
    reviewed(first, [1])
    elsewhere = package_with_goals(referral_in("seen"), n=1).goals.get()
    field = refused_field(lambda: package_with_goals(referral, goals=[goal(carried_from=elsewhere.pk)], previous=first))
    assert field == "goals.0.carried_from"


# --- Reviewing a block -------------------------------------------------------------------------------------------


def test_a_review_stores_each_goals_level_and_the_t_score_of_the_worked_example():
    package = package_with_goals(referral_in("seen"), n=3, weights=(3, 2, 1))
    review = reviewed(package, [2, 0, -1], summary="Good progress at school.")
    assert review.gas_t_score == Decimal("61.02")
    assert list(GoalRating.objects.filter(review=review).values_list("goal__position", "attained")) == [
        (1, 2),
        (2, 0),
        (3, -1),
    ]
    event = AuditEvent.objects.get(action="package.reviewed")
    assert event.detail["gas_t_score"] == "61.02" and event.child_id == package.episode.referral.child_id


@pytest.mark.parametrize(
    ("levels", "expected"),
    [((0, 0, 0), "50.00"), ((-2, -2, -2), "22.61"), ((1, 1, 1), "63.69")],
)
def test_the_t_score_matches_the_domain_notes(levels, expected):
    assert reviewed(package_with_goals(referral_in("seen")), levels).gas_t_score == Decimal(expected)


def test_the_copm_change_is_stored_and_shown_per_problem():
    referral = referral_in("seen")
    assessment = assessed(referral)  # buttons 3/2, knife and fork 4/4
    buttons, cutlery = CopmProblem.objects.filter(assessment=assessment)
    package = package_with_goals(referral, n=1)
    review = reviewed(
        package,
        [0],
        copm=[
            {"problem": cutlery.pk, "performance": 5, "satisfaction": 5},
            {"problem": buttons.pk, "performance": 6, "satisfaction": 7},
        ],
    )
    assert (review.copm_performance_change, review.copm_satisfaction_change) == (Decimal("2.00"), Decimal("3.00"))
    change = copm_change_for_review(review)
    assert [p.problem for p in change.problems] == ["Doing up buttons", "Using a knife and fork"]
    assert change.problems[0].performance_change == 3 and change.problems[0].important
    assert not change.problems[1].important
    assert change.performance_important


def test_a_review_without_copm_has_no_copm_change():
    review = reviewed(package_with_goals(referral_in("seen"), n=1), [1])
    assert review.copm_performance_change is None
    assert copm_change_for_review(review) is None


def test_toms_at_a_review_is_a_review_rating_and_at_discharge_the_end_of_the_episode():
    toms = {"impairment": 3, "activity": 3.5, "participation": 4, "wellbeing": 4}
    review = reviewed(package_with_goals(referral_in("seen"), n=1), [0], toms=toms)
    assert TomsRating.objects.get(review=review).stage == "review"
    final = reviewed(package_with_goals(referral_in("seen"), n=1), [1], toms=toms, decision="discharge")
    assert TomsRating.objects.get(review=final).stage == "end"


@pytest.mark.parametrize(
    ("rate", "field"),
    [
        (lambda g, p: [{"id": g[0], "attained": 0}, {"id": g[1], "attained": 0}], "goals"),
        (
            lambda g, p: [{"id": g[0], "attained": 0}, {"id": g[0], "attained": 1}, {"id": g[1], "attained": 0}],
            "goals.1.id",
        ),
        (lambda g, p: [{"id": 999999, "attained": 0}], "goals.0.id"),
        (
            lambda g, p: [{"id": g[0], "attained": 3}, {"id": g[1], "attained": 0}, {"id": g[2], "attained": 0}],
            "goals.0.attained",
        ),
        (
            lambda g, p: [{"id": g[0], "attained": 0}, {"id": g[1], "attained": 1.5}, {"id": g[2], "attained": 0}],
            "goals.1.attained",
        ),
        (
            lambda g, p: [{"id": g[0], "attained": 0}, {"id": g[1], "attained": 0}, {"id": g[2], "attained": "1"}],
            "goals.2.attained",
        ),
    ],
)
def test_every_goal_is_rated_once_on_the_gas_scale(rate, field):
    package = package_with_goals(referral_in("seen"))
    ids = list(package.goals.values_list("pk", flat=True))
    call = lambda: record_review(  # noqa: E731
        package=package, reviewed_by=staff("ot"), reviewed_on=TODAY, goals=rate(ids, package), decision="new_block"
    )
    assert refused_field(call) == field
    assert not GoalRating.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"copm": [{"problem": 999999, "performance": 5, "satisfaction": 5}]}, "copm.0.problem"),
        ({"copm": "first problem"}, "copm"),
        ({"decision": "carry_on"}, "decision"),
        ({"toms": {"impairment": 5.5, "activity": 3, "participation": 3, "wellbeing": 3}}, "toms.impairment"),
        ({"reviewed_on": dt.date(2027, 2, 1)}, "reviewed_on"),
    ],
)
def test_a_bad_review_is_refused_naming_the_field(changes, field):
    package = package_with_goals(referral_in("seen"), n=1)
    assert refused_field(lambda: reviewed(package, [0], **changes)) == field


def test_a_copm_rerating_is_on_the_1_to_10_scale():
    referral = referral_in("seen")
    problem = CopmProblem.objects.filter(assessment=assessed(referral)).first()
    package = package_with_goals(referral, n=1)
    rating = [{"problem": problem.pk, "performance": 11, "satisfaction": 5}]
    assert refused_field(lambda: reviewed(package, [0], copm=rating)) == "copm.0.performance"


def test_a_block_is_reviewed_once():
    package = package_with_goals(referral_in("seen"), n=1)
    reviewed(package, [0])
    with pytest.raises(TransitionRefused, match="already reviewed"):
        reviewed(package, [1])


def test_only_ots_and_team_leads_review(ota_user):
    package = package_with_goals(referral_in("seen"), n=1)
    with pytest.raises(NotAllowed):
        reviewed(package, [0], by=ota_user)


# --- Reviews due -------------------------------------------------------------------------------------------------


def _allocated(referral, clinician):
    Referral.objects.filter(pk=referral.pk).update(clinician=clinician)
    return referral


def test_reviews_due_are_this_clinicians_open_unreviewed_packages_of_care_earliest_first(
    django_assert_max_num_queries,
):
    me, colleague = staff("ot", "ot-me"), staff("ot", "ot-colleague")
    soon = package_with_goals(_allocated(referral_in("seen"), me), by=colleague, review_due_on=TODAY + dt.timedelta(10))
    mine_now = package_with_goals(referral_in("seen"), by=me, review_due_on=TODAY)
    supervised = package_with_goals(
        referral_in("seen"), by=colleague, delivery=["ota"], supervising_ot=me, review_due_on=TODAY + dt.timedelta(3)
    )
    package_with_goals(referral_in("seen"), by=me, review_due_on=TODAY + dt.timedelta(20))  # not due yet
    package_with_goals(referral_in("seen"), by=colleague, review_due_on=TODAY)  # not mine
    reviewed(package_with_goals(referral_in("seen"), by=me, review_due_on=TODAY), [0, 0, 0])  # done
    advice = package_with_goals(referral_in("seen"), by=me, type="advice_and_strategies", goals=[], delivery=[])
    Package.objects.filter(pk=advice.pk).update(review_due_on=TODAY)  # advice has no review
    gone = package_with_goals(referral_in("seen"), by=me, review_due_on=TODAY)
    Episode.objects.filter(pk=gone.episode_id).update(discharged_at=timezone.now())

    with django_assert_max_num_queries(1):
        due = list(reviews_due(clinician=me, today=TODAY))
        shown = [(p.pk, p.episode.referral.child.full_name, p.created_by.username) for p in due]
    assert [pk for pk, *_ in shown] == [mine_now.pk, supervised.pk, soon.pk]


def test_a_block_whose_last_session_is_past_is_due_for_review_without_a_date():
    diary = clinician_working()
    me = staff("ot")
    referral = referral_in("waiting")
    package = package_with_goals(referral, by=me)
    block = plan_treatment_block(
        referral=referral,
        clinician=diary,
        location=clinic(),
        first_start=london(2027, 3, 15, 10),
        sessions=4,
        planned_by=me,
    )
    Package.objects.filter(pk=package.pk).update(series=block.series)  # no review date: only the sessions count
    assert list(reviews_due(clinician=me, today=dt.date(2027, 4, 12))) == []  # the last session is today
    assert list(reviews_due(clinician=me, today=dt.date(2027, 4, 13))) == [package]


# --- Linking the diary's block -----------------------------------------------------------------------------------


def test_a_block_linked_to_a_package_sets_its_review_for_the_review_appointments_london_day():
    diary = clinician_working()
    referral = referral_in("waiting")
    package = package_with_goals(referral)
    block = plan_treatment_block(
        referral=referral,
        clinician=diary,
        location=clinic(),
        # Half past midnight in British Summer Time is still the day before in UTC: the review is due on the London day.
        first_start=london(2027, 3, 15, 0, 30),
        sessions=4,
        override_reason="A test of the London date",
        planned_by=staff("ot"),
    )
    attach_block(package=package, block=block)
    package.refresh_from_db()
    assert block.review.start.astimezone(dt.UTC).date() == dt.date(2027, 4, 18)
    assert (package.series, package.review_appointment) == (block.series, block.review)
    assert package.review_due_on == dt.date(2027, 4, 19)
    assert AuditEvent.objects.filter(action="package.block_attached", child_id=referral.child_id).exists()


def _package_with_block(first_start):
    referral = referral_in("waiting")
    package = package_with_goals(referral)
    block = plan_treatment_block(
        referral=referral,
        clinician=clinician_working(),
        location=clinic(),
        first_start=first_start,
        sessions=2,
        planned_by=staff("ot"),
    )
    attach_block(package=package, block=block)
    package.refresh_from_db()
    return package, block


def test_a_review_recorded_on_the_day_of_the_review_appointment_marks_it_attended():
    package, block = _package_with_block(london(2027, 3, 15, 10))
    review_day = block.review.start.astimezone(dt.UTC).date()
    with time_machine.travel(london(review_day.year, review_day.month, review_day.day, 16), tick=False):
        reviewed(package, [0] * package.goals.count(), reviewed_on=review_day)
    block.review.refresh_from_db()
    assert block.review.outcome == "attended"
    assert AuditEvent.objects.filter(action="appointment.attended", child_id=package.episode.referral.child_id).exists()


def test_a_review_on_another_day_leaves_the_review_appointment_alone():
    package, block = _package_with_block(london(2027, 3, 15, 10))
    review_day = block.review.start.astimezone(dt.UTC).date()
    with time_machine.travel(london(review_day.year, review_day.month, review_day.day, 16), tick=False):
        reviewed(package, [0] * package.goals.count(), reviewed_on=review_day - dt.timedelta(days=1))
    block.review.refresh_from_db()
    assert block.review.outcome == ""


def test_another_childs_block_is_not_linked_to_a_package():
    diary = clinician_working()
    package = package_with_goals(referral_in("waiting"))
    block = plan_treatment_block(
        referral=referral_in("waiting"),
        clinician=diary,
        location=clinic(),
        first_start=london(2027, 3, 15, 10),
        sessions=2,
        planned_by=staff("ot"),
    )
    with pytest.raises(ValueError, match="another child"):
        attach_block(package=package, block=block)
    assert Package.objects.get(pk=package.pk).series is None


def test_episode_for_opens_the_episode_once():
    referral = referral_in("seen")
    assert episode_for(referral) == episode_for(referral)
    assert Goal.objects.count() == 0
