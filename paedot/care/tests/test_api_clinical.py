"""The clinical API contract: assessments, packages of care with goals, reviews with the GAS T-score and COPM change;
every bad rating a 400 naming its field; 403 for roles that may not, 404 for a partner system, 409 reviewing twice."""

from __future__ import annotations

import pytest
import time_machine

from paedot.care.models import Assessment, CopmProblem, Package, Review
from paedot.care.tests.factories import assessed, gas_levels, package_with_goals, reviewed
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

TOMS = {"impairment": 2, "activity": 2.5, "participation": 3, "wellbeing": 3.5}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        yield


def auth(role: str = "ot") -> dict:
    token = issue_api_token(user=staff(role, f"{role}-care-api"), name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, path: str, body: dict, role: str = "ot"):
    return client.post(path, data=body, content_type="application/json", **auth(role))


def get(client, path: str, role: str = "ot"):
    return client.get(path, **auth(role))


def refused_field(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["errors"][0]["field"]


def assessment_body(**overrides) -> dict:
    return {
        "findings": {"fine_motor": "Immature pencil grasp.", "self_care": "Cannot do up buttons."},
        "standardised": [
            {"template": "mabc2", "scores": {"total_standard_score": 5, "total_percentile": 5, "traffic_light": "red"}}
        ],
        "clinical_impression": "Motor coordination difficulties affecting self care and handwriting.",
        "copm": [
            {"problem": "Doing up buttons", "importance": 8, "performance": 3, "satisfaction": 2},
            {"problem": "Handwriting that others can read", "importance": 9, "performance": 4, "satisfaction": 3},
        ],
        "toms": TOMS,
        **overrides,
    }


def goal_body(n: int = 1, **overrides) -> dict:
    return {
        "description": f"Goal {n}: writes their name legibly on the line",
        "area": "school",
        "levels": gas_levels("Writes their name on the line"),
        "weight": 1,
        "baseline": -1,
        **overrides,
    }


def package_body(**overrides) -> dict:
    return {
        "type": "package_of_care",
        "delivery": ["direct_ot"],
        "settings": ["school"],
        "components": [],
        "sessions": 6,
        "supervising_ot": None,
        "previous": None,
        "goals": [goal_body(1, weight=3), goal_body(2, weight=2), goal_body(3)],
        **overrides,
    }


# --- Assessments -------------------------------------------------------------------------------------------------


def test_an_ot_records_an_assessment_and_reads_it_back(client):
    referral = referral_in("booked")
    response = post(client, f"/api/referrals/{referral.reference}/assessments", assessment_body())
    assert response.status_code == 201, response.content
    body = response.json()
    problems = list(CopmProblem.objects.order_by("position"))
    assert body == {
        "id": Assessment.objects.get().pk,
        "reference": referral.reference,
        "assessed_on": "2027-01-04",
        "findings": {"fine_motor": "Immature pencil grasp.", "self_care": "Cannot do up buttons."},
        "standardised": [
            {
                "template": "mabc2",
                "name": "Movement Assessment Battery for Children, second edition (Movement ABC-2)",
                "scores": {"total_standard_score": 5, "total_percentile": 5, "traffic_light": "red"},
            }
        ],
        "clinical_impression": "Motor coordination difficulties affecting self care and handwriting.",
        "copm": [
            {"id": problems[0].pk, "problem": "Doing up buttons", "importance": 8, "performance": 3, "satisfaction": 2},
            {
                "id": problems[1].pk,
                "problem": "Handwriting that others can read",
                "importance": 9,
                "performance": 4,
                "satisfaction": 3,
            },
        ],
        "toms": {"impairment": 2.0, "activity": 2.5, "participation": 3.0, "wellbeing": 3.5},
        "copm_scores": {"performance": 3.5, "satisfaction": 2.5},
    }
    assert list(body["standardised"][0]["scores"]) == ["total_standard_score", "total_percentile", "traffic_light"]
    listed = get(client, f"/api/referrals/{referral.reference}/assessments", role="clinical_admin")
    assert listed.status_code == 200 and listed.json() == [body]


def test_an_assessment_without_copm_or_toms_says_so(client):
    referral = referral_in("seen")
    response = post(
        client,
        f"/api/referrals/{referral.reference}/assessments",
        {"assessed_on": "2027-01-04", "findings": {"sensory": "Seeks movement in class."}},
    )
    assert response.status_code == 201, response.content
    assert response.json()["toms"] is None
    assert response.json()["copm_scores"] == {"performance": None, "satisfaction": None}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": {"handwriting": "Poor"}}, "findings.handwriting"),
        (
            {"standardised": [{"template": "beery_vmi", "scores": {"vmi_standard_score": 160}}]},
            "standardised.0.scores.vmi_standard_score",
        ),
        ({"standardised": [{"template": "movement", "scores": {}}]}, "standardised.0.template"),
        (
            {"copm": [{"problem": "Buttons", "importance": 11, "performance": 3, "satisfaction": 2}]},
            "copm.0.importance",
        ),
        (
            {"copm": [{"problem": "Buttons", "importance": 8, "performance": 1.5, "satisfaction": 2}]},
            "copm.0.performance",
        ),
        (
            {"copm": [{"problem": "Buttons", "importance": 8, "performance": 3, "satisfaction": "2"}]},
            "copm.0.satisfaction",
        ),
        ({"copm": [{"problem": "Buttons", "importance": 8, "performance": 3}]}, "copm.0.satisfaction"),
        ({"copm": [{"problem": "", "importance": 8, "performance": 3, "satisfaction": 2}]}, "copm.0.problem"),
        (
            {"copm": [{"problem": f"P{i}", "importance": 5, "performance": 5, "satisfaction": 5} for i in range(6)]},
            "copm",
        ),
        ({"toms": {**TOMS, "activity": 2.3}}, "toms.activity"),
        ({"toms": {**TOMS, "wellbeing": 6}}, "toms.wellbeing"),
        ({"assessed_on": "next tuesday"}, "assessed_on"),
        ({"assessed_on": "2027-02-01"}, "assessed_on"),
        ({"appointment": 999999}, "appointment"),
    ],
)
def test_a_bad_assessment_is_400_naming_the_field(client, changes, field):
    referral = referral_in("seen")
    response = post(client, f"/api/referrals/{referral.reference}/assessments", assessment_body(**changes))
    assert refused_field(response) == field
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["ota", "clinical_admin"])
def test_an_assistant_or_administrator_may_not_assess(client, role):
    referral = referral_in("booked")
    response = post(client, f"/api/referrals/{referral.reference}/assessments", assessment_body(), role=role)
    assert response.status_code == 403
    assert "Only OTs and team leads may record an assessment" in response.json()["message"]


def test_a_partner_system_does_not_find_the_clinical_record(client, partner_token):
    referral = referral_in("seen")
    package = package_with_goals(referral)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {partner_token}"}
    path = f"/api/referrals/{referral.reference}"
    sent = client.post(f"{path}/assessments", data=assessment_body(), content_type="application/json", **headers)
    assert sent.status_code == 404
    assert client.get(f"{path}/assessments", **headers).status_code == 404
    assert client.get(f"{path}/packages", **headers).status_code == 404
    assert client.get(f"/api/packages/{package.pk}", **headers).status_code == 404
    review = client.post(
        f"/api/packages/{package.pk}/reviews",
        data={"decision": "discharge"},
        content_type="application/json",
        **headers,
    )
    assert review.status_code == 404


def test_an_auditor_may_not_read_the_clinical_record(client):
    referral = referral_in("seen")
    assert get(client, f"/api/referrals/{referral.reference}/assessments", role="auditor").status_code == 403


def test_a_discharged_child_is_not_assessed(client):
    referral = referral_in("discharged")
    response = post(client, f"/api/referrals/{referral.reference}/assessments", assessment_body())
    assert response.status_code == 409


# --- Packages of care --------------------------------------------------------------------------------------------


def test_an_ot_sets_a_package_of_care_and_gets_its_goal_ids(client):
    referral = referral_in("seen")
    body = package_body(
        delivery=["ota", "direct_ot"],
        settings=["school", "home"],
        components=["equipment"],
        supervising_ot="ot-care-api",
        goals=[goal_body(1, weight=1.5, baseline=-2), goal_body(2)],
    )
    response = post(client, f"/api/referrals/{referral.reference}/packages", body)
    assert response.status_code == 201, response.content
    package = Package.objects.get()
    goals = list(package.goals.all())
    out = response.json()
    assert out == {
        "id": package.pk,
        "reference": referral.reference,
        "type": "package_of_care",
        "delivery": ["ota", "direct_ot"],
        "settings": ["school", "home"],
        "components": ["equipment"],
        "sessions": 6,
        "block_number": 1,
        "supervising_ot": "ot-care-api",
        "previous": None,
        "review_due_on": None,
        "series": None,
        "review_appointment": None,
        "goals": [
            {
                "id": goals[0].pk,
                "position": 1,
                "description": "Goal 1: writes their name legibly on the line",
                "area": "school",
                "levels": gas_levels("Writes their name on the line"),
                "weight": 1.5,
                "baseline": -2,
                "carried_from": None,
            },
            {
                "id": goals[1].pk,
                "position": 2,
                "description": "Goal 2: writes their name legibly on the line",
                "area": "school",
                "levels": gas_levels("Writes their name on the line"),
                "weight": 1.0,
                "baseline": -1,
                "carried_from": None,
            },
        ],
        "review": None,
    }
    assert list(out["goals"][0]["levels"]) == ["-2", "-1", "0", "1", "2"]  # in order, on PostgreSQL (jsonb) too
    assert get(client, f"/api/packages/{package.pk}", role="ota").json() == out
    assert get(client, f"/api/referrals/{referral.reference}/packages", role="clinical_admin").json() == [out]


def test_advice_and_strategies_needs_no_goals(client):
    referral = referral_in("seen")
    body = package_body(type="advice_and_strategies", delivery=[], settings=["home"], sessions=1, goals=[])
    response = post(client, f"/api/referrals/{referral.reference}/packages", body)
    assert response.status_code == 201, response.content
    assert response.json()["goals"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "therapy"}, "type"),
        ({"delivery": ["direct_ot", "zoom"]}, "delivery.1"),
        ({"settings": ["clinic"]}, "settings.0"),
        ({"components": ["wheelchair"]}, "components.0"),
        ({"sessions": 0}, "sessions"),
        ({"sessions": 2.5}, "sessions"),
        ({"goals": []}, "goals"),
        ({"goals": [goal_body(weight=0)]}, "goals.0.weight"),
        ({"goals": [goal_body(), goal_body(weight=-2)]}, "goals.1.weight"),
        ({"goals": [goal_body(weight="heavy")]}, "goals.0.weight"),
        ({"goals": [goal_body(baseline=1.5)]}, "goals.0.baseline"),
        ({"goals": [goal_body(baseline=-3)]}, "goals.0.baseline"),
        ({"goals": [goal_body(area="maths")]}, "goals.0.area"),
        ({"goals": [goal_body(description="")]}, "goals.0.description"),
        ({"goals": [goal_body(levels={"-2": "a", "-1": "b", "0": "c", "1": "d"})]}, "goals.0.levels.2"),
        ({"goals": [goal_body(levels={**gas_levels(), "0": ""})]}, "goals.0.levels.0"),
        ({"goals": [goal_body(levels="better handwriting")]}, "goals.0.levels"),
        ({"goals": [goal_body(carried_from=12345)]}, "goals.0.carried_from"),
        ({"delivery": ["ota"]}, "supervising_ot"),
        ({"delivery": ["ota"], "supervising_ot": "nobody"}, "supervising_ot"),
        ({"delivery": ["ota"], "supervising_ot": "ota-care-api"}, "supervising_ot"),
        ({"previous": 999999}, "previous"),
    ],
)
def test_a_bad_package_is_400_naming_the_field(client, changes, field):
    staff("ota", "ota-care-api")
    referral = referral_in("seen")
    response = post(client, f"/api/referrals/{referral.reference}/packages", package_body(**changes))
    assert refused_field(response) == field
    assert not Package.objects.exists()


@pytest.mark.parametrize("role", ["ota", "clinical_admin", "auditor"])
def test_only_ots_and_team_leads_set_packages(client, role):
    referral = referral_in("seen")
    assert post(client, f"/api/referrals/{referral.reference}/packages", package_body(), role=role).status_code == 403


# --- Reviews -----------------------------------------------------------------------------------------------------


def test_a_review_gives_the_t_score_of_the_worked_example_and_the_copm_change(client):
    referral = referral_in("seen")
    assessed(referral)  # COPM: buttons 3/2, knife and fork 4/4
    buttons, cutlery = CopmProblem.objects.order_by("position")
    package = post(client, f"/api/referrals/{referral.reference}/packages", package_body()).json()
    g1, g2, g3 = (g["id"] for g in package["goals"])
    response = post(
        client,
        f"/api/packages/{package['id']}/reviews",
        {
            "reviewed_on": "2027-01-04",
            "goals": [{"id": g3, "attained": -1}, {"id": g1, "attained": 2}, {"id": g2, "attained": 0}],
            "copm": [
                {"problem": buttons.pk, "performance": 6, "satisfaction": 7},
                {"problem": cutlery.pk, "performance": 5, "satisfaction": 4},
            ],
            "toms": TOMS,
            "decision": "new_block",
            "summary": "Good progress with handwriting.",
        },
    )
    assert response.status_code == 201, response.content
    review = Review.objects.get()
    assert response.json() == {
        "id": review.pk,
        "package": package["id"],
        "reviewed_on": "2027-01-04",
        "decision": "new_block",
        "goals": [
            {"id": g1, "description": package["goals"][0]["description"], "weight": 3, "baseline": -1, "attained": 2},
            {"id": g2, "description": package["goals"][1]["description"], "weight": 2, "baseline": -1, "attained": 0},
            {"id": g3, "description": package["goals"][2]["description"], "weight": 1, "baseline": -1, "attained": -1},
        ],
        "gas_t_score": 61.02,
        "copm": {
            "performance_before": 3.5,
            "performance_after": 5.5,
            "performance_change": 2.0,
            "satisfaction_before": 3.0,
            "satisfaction_after": 5.5,
            "satisfaction_change": 2.5,
            "important": True,
            "problems": [
                {
                    "id": buttons.pk,
                    "problem": "Doing up buttons",
                    "performance_before": 3,
                    "performance_after": 6,
                    "performance_change": 3,
                    "satisfaction_before": 2,
                    "satisfaction_after": 7,
                    "satisfaction_change": 5,
                    "important": True,
                },
                {
                    "id": cutlery.pk,
                    "problem": "Using a knife and fork",
                    "performance_before": 4,
                    "performance_after": 5,
                    "performance_change": 1,
                    "satisfaction_before": 4,
                    "satisfaction_after": 4,
                    "satisfaction_change": 0,
                    "important": False,
                },
            ],
        },
        "summary": "Good progress with handwriting.",
    }
    assert get(client, f"/api/packages/{package['id']}").json()["review"] == response.json()
    assert AuditEvent.objects.get(action="package.reviewed").detail["gas_t_score"] == "61.02"


def test_a_review_without_copm_has_no_copm_block(client):
    package = package_with_goals(referral_in("seen"), n=2)
    goals = [{"id": g.pk, "attained": 0} for g in package.goals.all()]
    response = post(client, f"/api/packages/{package.pk}/reviews", {"goals": goals, "decision": "discharge"})
    assert response.status_code == 201, response.content
    assert response.json()["copm"] is None and response.json()["gas_t_score"] == 50.0


def _review_body(package, *levels, **overrides) -> dict:
    goals = [{"id": g.pk, "attained": level} for g, level in zip(package.goals.all(), levels, strict=False)]
    return {"goals": goals, "decision": "new_block", **overrides}


@pytest.mark.parametrize(
    ("make_body", "field"),
    [
        (lambda p, c: _review_body(p, 0, 0), "goals"),
        (lambda p, c: _review_body(p, 0, 0, 3), "goals.2.attained"),
        (lambda p, c: _review_body(p, 0, -2.5, 0), "goals.1.attained"),
        (lambda p, c: _review_body(p, 0, 1.5, 0), "goals.1.attained"),
        (lambda p, c: _review_body(p, "1", 0, 0), "goals.0.attained"),
        (lambda p, c: _review_body(p, None, 0, 0), "goals.0.attained"),
        (lambda p, c: {**_review_body(p, 0, 0, 0), "goals": [{"id": 999999, "attained": 0}]}, "goals.0.id"),
        (lambda p, c: {**_review_body(p, 0, 0, 0), "goals": [{"attained": 0}]}, "goals.0.id"),
        (
            lambda p, c: {
                **_review_body(p, 0, 0, 0),
                "goals": [*_review_body(p, 0, 0, 0)["goals"], _review_body(p, 1)["goals"][0]],
            },
            "goals.3.id",
        ),
        (
            lambda p, c: _review_body(p, 0, 0, 0, copm=[{"problem": c, "performance": 0, "satisfaction": 5}]),
            "copm.0.performance",
        ),
        (
            lambda p, c: _review_body(p, 0, 0, 0, copm=[{"problem": c, "performance": 5, "satisfaction": 10.5}]),
            "copm.0.satisfaction",
        ),
        (
            lambda p, c: _review_body(p, 0, 0, 0, copm=[{"problem": 999999, "performance": 5, "satisfaction": 5}]),
            "copm.0.problem",
        ),
        (lambda p, c: _review_body(p, 0, 0, 0, toms={**TOMS, "impairment": 0.25}), "toms.impairment"),
        (lambda p, c: _review_body(p, 0, 0, 0, toms={**TOMS, "mood": 3}), "toms.mood"),
        (lambda p, c: _review_body(p, 0, 0, 0, decision="carry_on"), "decision"),
        (lambda p, c: {"goals": _review_body(p, 0, 0, 0)["goals"]}, "decision"),
        (lambda p, c: _review_body(p, 0, 0, 0, reviewed_on="2027-13-01"), "reviewed_on"),
    ],
)
def test_a_bad_review_is_400_naming_the_field(client, make_body, field):
    referral = referral_in("seen")
    problem = CopmProblem.objects.filter(assessment=assessed(referral)).first()
    package = package_with_goals(referral)
    response = post(client, f"/api/packages/{package.pk}/reviews", make_body(package, problem.pk))
    assert refused_field(response) == field
    assert not Review.objects.exists()


def test_reviewing_a_block_twice_is_409(client):
    package = package_with_goals(referral_in("seen"), n=1)
    body = _review_body(package, 0)
    assert post(client, f"/api/packages/{package.pk}/reviews", body).status_code == 201
    again = post(client, f"/api/packages/{package.pk}/reviews", body, role="team_lead")
    assert again.status_code == 409
    assert "already reviewed" in again.json()["message"]


@pytest.mark.parametrize("role", ["ota", "clinical_admin"])
def test_only_ots_and_team_leads_review(client, role):
    package = package_with_goals(referral_in("seen"), n=1)
    assert post(client, f"/api/packages/{package.pk}/reviews", _review_body(package, 0), role=role).status_code == 403


def test_the_next_block_carries_goals_over_after_a_review_that_decided_on_one(client):
    referral = referral_in("seen")
    first = package_with_goals(referral, n=2)
    path = f"/api/referrals/{referral.reference}/packages"
    early = post(client, path, package_body(previous=first.pk))
    assert early.status_code == 409 and "not been reviewed" in early.json()["message"]
    reviewed(first, [0, -1])
    kept = first.goals.get(position=2)
    response = post(client, path, package_body(previous=first.pk, goals=[goal_body(1, carried_from=kept.pk)]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["block_number"], body["previous"]) == (2, first.pk)
    assert body["goals"][0]["carried_from"] == kept.pk
    listed = get(client, path).json()
    assert [p["block_number"] for p in listed] == [1, 2]
    assert listed[0]["review"]["decision"] == "new_block"


def test_a_block_after_a_discharge_decision_is_409(client):
    referral = referral_in("seen")
    first = package_with_goals(referral, n=1)
    reviewed(first, [1], decision="discharge")
    response = post(client, f"/api/referrals/{referral.reference}/packages", package_body(previous=first.pk))
    assert response.status_code == 409


def test_listing_packages_takes_the_same_queries_for_one_block_or_many(client, django_assert_max_num_queries):
    referral = referral_in("seen")
    problem = CopmProblem.objects.filter(assessment=assessed(referral)).first()
    headers = auth("ot")
    previous = None
    for _ in range(3):
        previous = package_with_goals(referral, previous=previous)
        reviewed(previous, [0, 1, -1], copm=[{"problem": problem.pk, "performance": 5, "satisfaction": 5}])
    # The token, the referral, the audit of the view, the packages, then one query each for goals, goal ratings,
    # COPM re-ratings and their problems: nine, however many blocks.
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/referrals/{referral.reference}/packages", **headers)
    assert response.status_code == 200 and len(response.json()) == 3


def test_the_standardised_assessments_are_listed_with_their_scores(client):
    response = get(client, "/api/standardised-assessments")
    assert response.status_code == 200
    mabc = next(t for t in response.json() if t["id"] == "mabc2")
    total = next(f for f in mabc["fields"] if f["key"] == "total_standard_score")
    assert total == {
        "key": "total_standard_score",
        "label": "Total test standard score",
        "kind": "standard_score",
        "min": 1,
        "max": 19,
        "choices": [],
    }
    assert get(client, "/api/standardised-assessments", role="auditor").status_code == 403
