"""The clinical pages: recording an assessment (standardised score fields shown by a button, COPM, TOMs), setting a
package of care and its goals (from the goal bank, written here, carried over from the last block, another row
added), reviewing a block (GAS T-score, COPM and TOMs change, the next step), the reviews due, and who may do each.
Every refusal names its field in the error summary and keeps what was typed."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
import time_machine
from django.urls import reverse

from paedot.care.models import Assessment, Goal, Package, Review
from paedot.care.tests.factories import assessed, copm_problem, package_with_goals, reviewed
from paedot.core.models import AuditEvent
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2027-01-04 09:00 +00:00", tick=False):
        yield


def signed_in(client, role: str = "ot"):
    """Signed in as the member of staff the factories act as for this role (the OT who sets packages)."""
    user = staff(role)
    client.force_login(user)
    return user


def page(response) -> str:
    return response.content.decode()


def error_links(html: str) -> list[tuple[str, str]]:
    """The error summary's (href, text) pairs."""
    summary = html.split('class="nhsuk-error-summary"', 1)
    if len(summary) < 2:
        return []
    body = summary[1].split("</ul>", 1)[0]
    return [
        (href, html_lib.unescape(re.sub(r"\s+", " ", text).strip()))
        for href, text in re.findall(r'<a href="([^"]*)"\s*>(.*?)</a>', body, re.S)
    ]


def value_of(html: str, name: str) -> str:
    """What a text box or text area shows for this field name."""
    textarea = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    if textarea:
        return html_lib.unescape(textarea.group(1).strip())
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    if match is None:
        match = re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{re.escape(name)}"', html)
    return html_lib.unescape(match.group(1)) if match else ""


def checked_values(html: str, name: str) -> set[str]:
    found = set()
    for tag in re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html):
        if "checked" in tag:
            found.add(re.search(r'value="([^"]*)"', tag).group(1))
    return found


# --- Who may do what -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["ota", "clinical_admin", "auditor"])
def test_only_ots_and_team_leads_assess_set_packages_and_review(client, role):
    referral = referral_in("booked")
    package = package_with_goals(referral)
    signed_in(client, role)
    assert client.get(f"/staff/care/{referral.reference}/assessments/new").status_code == 403
    assert client.post(f"/staff/care/{referral.reference}/assessments/new", {}).status_code == 403
    assert client.get(f"/staff/care/{referral.reference}/packages/new").status_code == 403
    assert client.post(f"/staff/care/{referral.reference}/packages/new", {}).status_code == 403
    assert client.get(f"/staff/care/packages/{package.pk}/review").status_code == 403
    assert client.post(f"/staff/care/packages/{package.pk}/review", {}).status_code == 403
    assert not Review.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("ota", 200), ("clinical_admin", 200), ("auditor", 403)])
def test_the_clinical_team_and_admin_staff_see_the_record_but_auditors_do_not(client, role, status):
    referral = referral_in("booked")
    assessment = assessed(referral)
    package = package_with_goals(referral)
    review = reviewed(package, [0, 0, 0])
    signed_in(client, role)
    assert client.get(f"/staff/care/assessments/{assessment.pk}").status_code == status
    assert client.get(f"/staff/care/packages/{package.pk}").status_code == status
    assert client.get(f"/staff/care/reviews/{review.pk}").status_code == status
    assert client.get("/staff/care/reviews-due").status_code == status


def test_signed_out_people_are_sent_to_sign_in(client):
    referral = referral_in("booked")
    response = client.get(f"/staff/care/{referral.reference}/packages/new")
    assert response.status_code == 302 and "sign" in response.url


def test_an_unknown_referral_or_package_is_not_found(client):
    signed_in(client)
    assert client.get("/staff/care/NOPE123/assessments/new").status_code == 404
    assert client.get("/staff/care/packages/999999").status_code == 404
    assert client.get("/staff/care/packages/999999/review").status_code == 404


# --- Assessment ----------------------------------------------------------------------------------------------------


def assessment_form(**overrides) -> dict:
    data = {
        "assessed_on_day": "4",
        "assessed_on_month": "1",
        "assessed_on_year": "2027",
        "appointment": "",
        "findings_fine_motor": "Immature pencil grasp; tires after 5 minutes of writing.",
        "clinical_impression": "Difficulties consistent with developmental coordination disorder.",
    }
    data.update(overrides)
    return data


def test_an_ot_sees_the_assessment_form_with_each_heading_copm_and_toms(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.get(f"/staff/care/{referral.reference}/assessments/new")
    html = page(response)
    assert response.status_code == 200
    for heading in ["Fine motor", "Gross motor", "Sensory", "Self care", "Perceptual skills", "School skills", "Play"]:
        assert heading in html
    assert "COPM problem 5" in html and "COPM problem 6" not in html
    assert 'name="toms_wellbeing"' in html and ">4.5<" in html
    assert reverse("referrals:show_referral", args=[referral.reference]) in html
    assert f"/staff/care/{referral.reference}/" in html  # the episode page
    assert value_of(html, "assessed_on_year") == "2027"


def test_show_fields_shows_the_chosen_assessments_scores_and_keeps_what_was_typed(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new",
        assessment_form(templates=["mabc2", "dcdq07"], show_fields="1", copm_1_problem="Doing up buttons"),
    )
    html = page(response)
    assert response.status_code == 200
    assert "There is a problem" not in html
    assert "Total test standard score (optional)" in html and 'name="score__mabc2__traffic_light"' in html
    assert 'name="score__dcdq07__total_score"' in html
    assert 'name="score__beery_vmi__vmi_standard_score"' not in html
    assert checked_values(html, "templates") == {"mabc2", "dcdq07"}
    assert value_of(html, "findings_fine_motor").startswith("Immature pencil grasp")
    assert value_of(html, "copm_1_problem") == "Doing up buttons"
    assert not Assessment.objects.exists()


def test_an_ot_records_an_assessment_with_scores_copm_and_toms_and_sees_it(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new",
        assessment_form(
            templates=["mabc2"],
            score__mabc2__total_standard_score="5",
            score__mabc2__traffic_light="red",
            copm_1_problem="Doing up buttons",
            copm_1_importance="8",
            copm_1_performance="3",
            copm_1_satisfaction="2",
            toms_impairment="2.5",
            toms_activity="2",
            toms_participation="3",
            toms_wellbeing="3.5",
        ),
    )
    assert response.status_code == 302, error_links(page(response))
    assessment = Assessment.objects.get()
    assert response.url == f"/staff/care/assessments/{assessment.pk}"
    assert assessment.standardised[0]["scores"] == {"total_standard_score": 5, "traffic_light": "red"}
    assert assessment.copm_problems.get().performance == 3
    html = page(client.get(response.url))
    assert "Immature pencil grasp" in html and "Movement ABC-2" in html and "Traffic light classification" in html
    assert "Doing up buttons" in html and "2.5" in html
    assert AuditEvent.objects.filter(action="record.viewed", object_id=str(assessment.pk)).exists()


def test_a_score_out_of_range_is_named_in_the_error_summary_and_nothing_typed_is_lost(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new",
        assessment_form(templates=["mabc2"], score__mabc2__total_standard_score="25", copm_1_problem="Buttons"),
    )
    html = page(response)
    assert response.status_code == 400
    assert (
        "#id_score__mabc2__total_standard_score",
        "Total test standard score must be a whole number from 1 to 19.",
    ) in error_links(html)
    assert value_of(html, "score__mabc2__total_standard_score") == "25"
    assert value_of(html, "findings_fine_motor").startswith("Immature pencil grasp")
    assert "<title>Error: Record an assessment for" in html
    assert not Assessment.objects.exists()


def test_a_copm_problem_without_its_ratings_is_refused_naming_each_rating(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new",
        assessment_form(copm_2_problem="Using a knife and fork", copm_2_importance="6"),
    )
    links = error_links(page(response))
    assert response.status_code == 400
    assert ("#id_copm_2_performance", "Choose the performance of problem 2, from 1 to 10") in links
    assert ("#id_copm_2_satisfaction", "Choose the satisfaction of problem 2, from 1 to 10") in links
    assert value_of(page(response), "copm_2_problem") == "Using a knife and fork"


def test_the_services_refusal_is_shown_against_the_date_it_is_about(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new",
        assessment_form(assessed_on_day="1", assessed_on_month="1", assessed_on_year="2020"),
    )
    links = error_links(page(response))
    assert response.status_code == 400
    assert links[0][0] == "#id_assessed_on_day"
    assert "cannot be before the referral was received" in links[0][1]
    assert "developmental coordination disorder" in value_of(page(response), "clinical_impression")


def test_an_empty_assessment_is_refused_against_the_findings(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new",
        assessment_form(findings_fine_motor="", clinical_impression=""),
    )
    assert response.status_code == 400
    assert ("#id_findings_fine_motor", "Record at least one finding, score, impression or rating.") in error_links(
        page(response)
    )


def test_half_the_toms_domains_is_refused_and_the_others_named(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/assessments/new", assessment_form(toms_impairment="2", toms_activity="3")
    )
    hrefs = [href for href, _ in error_links(page(response))]
    assert response.status_code == 400
    assert hrefs == ["#id_toms_participation", "#id_toms_wellbeing"]


def test_only_the_copm_problems_left_in_the_episode_are_offered(client):
    referral = referral_in("booked")
    assessed(referral, copm=[copm_problem(f"Problem {n}") for n in range(1, 5)])
    signed_in(client)
    html = page(client.get(f"/staff/care/{referral.reference}/assessments/new"))
    assert "COPM problem 1" in html and "COPM problem 2" not in html
    assert "4 problems are already recorded" in html


# --- Package of care -----------------------------------------------------------------------------------------------


def package_form(**overrides) -> dict:
    data = {
        "type": "package_of_care",
        "delivery": ["direct_ot"],
        "supervising_ot": "",
        "places": ["school"],
        "sessions": "6",
        "review_due_on_day": "",
        "review_due_on_month": "",
        "review_due_on_year": "",
        "notes": "",
        "goal_rows": "3",
    }
    data.update(goal_row(1))
    data.update(overrides)
    return data


def goal_row(row: int, description: str = "By the end of the block, Mia will do up 3 buttons without help.") -> dict:
    return {
        f"goal_{row}_description": description,
        f"goal_{row}_area": "self_care",
        f"goal_{row}_level_minus2": "Does up no buttons",
        f"goal_{row}_level_minus1": "Does up 1 button",
        f"goal_{row}_level_expected": "Does up 3 buttons without help",
        f"goal_{row}_level_plus1": "Does up 5 buttons without help",
        f"goal_{row}_level_plus2": "Does up 5 buttons within a minute",
        f"goal_{row}_weight": "1",
        f"goal_{row}_baseline": "-1",
        f"goal_{row}_carried_from": "",
    }


def test_an_ot_sees_the_package_form_with_three_goal_rows_and_the_goal_bank_by_topic(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.get(f"/staff/care/{referral.reference}/packages/new")
    html = page(response)
    assert response.status_code == 200
    assert "Goal 3" in html and "Goal 4" not in html
    for topic in ["Dressing", "Feeding and cutlery", "Scissor skills", "Getting around school", "Leisure and sport"]:
        assert topic in html
    assert 'value="dressing-coat-zip"' in html
    assert "Add another goal" in html and "Use these goals" in html
    assert value_of(html, "goal_1_weight") == "1"
    assert checked_values(html, "goal_1_baseline") == {"-1"}


def test_add_another_goal_shows_one_more_row_and_keeps_what_was_typed(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/packages/new",
        package_form(add_goal="1", notes="Sessions in the school's quiet room"),
    )
    html = page(response)
    assert response.status_code == 200
    assert "There is a problem" not in html
    assert "Goal 4" in html and 'name="goal_rows" value="4"' in html
    assert value_of(html, "goal_1_description").startswith("By the end of the block, Mia will do up 3 buttons")
    assert value_of(html, "notes") == "Sessions in the school's quiet room"
    assert not Package.objects.exists()


def test_goals_chosen_from_the_bank_fill_the_goal_rows_written_for_the_child(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/packages/new",
        package_form(
            use_bank="1",
            bank_goals=["dressing-coat-zip", "scissors-circle", "play-turn-taking"],
            goal_1_description="",
            goal_1_level_minus2="",
            goal_1_level_minus1="",
            goal_1_level_expected="",
            goal_1_level_plus1="",
            goal_1_level_plus2="",
            **goal_row(2, "Mia will write her name"),
        ),
    )
    html = page(response)
    name = referral.child.given_name
    assert response.status_code == 200 and "There is a problem" not in html
    # The blank row is filled first, then new rows after the one already written.
    assert value_of(html, "goal_1_description").startswith(f"By the end of the block, {name} will put on their")
    assert value_of(html, "goal_2_description") == "Mia will write her name"
    assert value_of(html, "goal_3_description").startswith(f"By the end of the block, {name} will cut out a 10 cm")
    assert value_of(html, "goal_4_description").startswith(f"By the end of the block, {name} will play a simple")
    assert value_of(html, "goal_1_level_expected").startswith("Puts the coat on and fastens the zip")
    assert value_of(html, "goal_1_area") == "" and 'value="self_care" selected' in html
    assert "3 goals from the goal bank added below" in html
    assert checked_values(html, "bank_goals") == set()


def test_using_the_bank_with_nothing_ticked_says_so(client):
    referral = referral_in("booked")
    signed_in(client)
    html = page(client.post(f"/staff/care/{referral.reference}/packages/new", package_form(use_bank="1")))
    assert "No goals were added: tick goals in the goal bank first" in html
    assert value_of(html, "goal_1_description").startswith("By the end of the block, Mia")


def test_a_goal_row_can_be_removed_without_saving(client):
    referral = referral_in("booked")
    signed_in(client)
    data = package_form(remove_goal="1", **goal_row(2, "Second goal"), goal_rows="4", **goal_row(4, "Fourth goal"))
    html = page(client.post(f"/staff/care/{referral.reference}/packages/new", data))
    assert value_of(html, "goal_1_description") == "Second goal"
    assert value_of(html, "goal_3_description") == "Fourth goal"
    assert "Goal 4" not in html


def test_an_ot_sets_a_package_of_care_with_goals_and_sees_it_with_the_link_to_plan_its_block(client):
    referral = referral_in("booked")
    signed_in(client)
    data = package_form(places=["school", "home"], components=["equipment"])
    data.update(goal_row(2, "By the end of the block, Mia will cut along a line."))
    data.update(goal_2_weight="2", goal_2_baseline="-2")
    response = client.post(f"/staff/care/{referral.reference}/packages/new", data)
    package = Package.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/care/packages/{package.pk}"
    goals = list(package.goals.order_by("position"))
    assert [g.description for g in goals] == [
        "By the end of the block, Mia will do up 3 buttons without help.",
        "By the end of the block, Mia will cut along a line.",
    ]
    assert goals[1].weight == 2 and goals[1].baseline == -2 and goals[0].levels["0"] == "Does up 3 buttons without help"
    assert package.places == ["school", "home"] and package.components == ["equipment"]
    html = page(client.get(response.url))
    assert "Direct sessions with an OT" in html and "School and home" in html
    assert "Does up 5 buttons within a minute" in html
    plan = reverse("appointments:plan_block", args=[referral.reference]) + f"?package={package.pk}"
    assert plan in html
    assert "Not reviewed yet" in html and f"/staff/care/packages/{package.pk}/review" in html


def test_ota_sessions_without_a_supervising_ot_are_refused_and_the_form_kept(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/packages/new",
        package_form(delivery=["ota", "group"], notes="Group on Tuesdays"),
    )
    html = page(response)
    assert response.status_code == 400
    assert ("#id_supervising_ot", "Choose the OT who supervises the OT assistant's sessions") in error_links(html)
    assert checked_values(html, "delivery") == {"ota", "group"}
    assert value_of(html, "goal_1_description").startswith("By the end of the block, Mia")
    assert not Package.objects.exists()


def test_a_package_of_care_says_how_and_where_but_advice_and_strategies_need_not(client):
    referral = referral_in("booked")
    signed_in(client)
    url = f"/staff/care/{referral.reference}/packages/new"
    response = client.post(url, package_form(delivery=[], places=[]))
    assert response.status_code == 400
    assert [href for href, _ in error_links(page(response))] == ["#id_delivery", "#id_places"]
    response = client.post(url, package_form(type="advice_and_strategies", delivery=[], places=[]))
    assert response.status_code == 302
    assert Package.objects.get().type == "advice_and_strategies"


def test_an_ota_package_names_its_supervising_ot(client):
    referral = referral_in("booked")
    ot = signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/packages/new", package_form(delivery=["ota"], supervising_ot=str(ot.pk))
    )
    assert response.status_code == 302
    assert Package.objects.get().supervising_ot == ot


def test_a_goal_without_all_its_levels_is_refused_naming_the_level(client):
    referral = referral_in("booked")
    signed_in(client)
    response = client.post(
        f"/staff/care/{referral.reference}/packages/new", package_form(goal_1_level_plus2="", goal_1_area="")
    )
    links = error_links(page(response))
    assert response.status_code == 400
    assert ("#id_goal_1_area", "Choose the area of goal 1") in links
    assert ("#id_goal_1_level_plus2", "Describe level +2 of goal 1 (much more than expected)") in links
    assert value_of(page(response), "goal_1_level_minus2") == "Does up no buttons"


def test_a_package_of_care_with_no_goals_is_refused(client):
    referral = referral_in("booked")
    signed_in(client)
    blank = {k: "" for k in goal_row(1) if not k.endswith(("weight", "baseline", "area"))}
    response = client.post(f"/staff/care/{referral.reference}/packages/new", package_form(**blank))
    assert response.status_code == 400
    assert ("#id_goal_1_description", "Write at least one goal: every package of care has goals") in error_links(
        page(response)
    )


def test_the_next_block_carries_over_the_goals_not_met_with_where_they_reached(client):
    referral = referral_in("booked")
    first = package_with_goals(
        referral,
        goals=[
            {**_goal("Buttons"), "weight": 2},
            _goal("Knife and fork"),
            _goal("Handwriting"),
        ],
    )
    reviewed(first, [-2, 0, -1], decision="new_block")
    signed_in(client)
    response = client.get(f"/staff/care/{referral.reference}/packages/new?previous={first.pk}")
    html = page(response)
    goals = {g.description: g for g in first.goals.all()}
    assert response.status_code == 200
    assert f"Set block 2 of treatment for {referral.child.full_name}" in html
    assert value_of(html, "goal_1_description") == "Buttons" and value_of(html, "goal_1_carried_from") == str(
        goals["Buttons"].pk
    )
    assert value_of(html, "goal_1_weight") == "2" and checked_values(html, "goal_1_baseline") == {"-2"}
    assert value_of(html, "goal_2_description") == "Handwriting" and checked_values(html, "goal_2_baseline") == {"-1"}
    assert "Met at the review, so not carried over" in html and "Knife and fork" in html
    assert "Goal 1 (carried over from the previous block)" in html
    assert checked_values(html, "delivery") == {"direct_ot"}

    data = {
        "type": "package_of_care",
        "delivery": ["direct_ot"],
        "places": ["school"],
        "sessions": "4",
        "goal_rows": "3",
    }
    for row in (1, 2):
        for part in ["description", "area", "weight", "baseline", "carried_from"] + [
            f"level_{s}" for s in ("minus2", "minus1", "expected", "plus1", "plus2")
        ]:
            data[f"goal_{row}_{part}"] = value_of(html, f"goal_{row}_{part}") or next(
                iter(checked_values(html, f"goal_{row}_{part}")), ""
            )
    data["goal_1_area"] = "self_care"
    data["goal_2_area"] = "self_care"
    response = client.post(f"/staff/care/{referral.reference}/packages/new?previous={first.pk}", data)
    second = Package.objects.get(previous=first)
    assert response.status_code == 302
    assert second.block_number == 2
    assert [g.carried_from_id for g in second.goals.order_by("position")] == [
        goals["Buttons"].pk,
        goals["Handwriting"].pk,
    ]


def test_a_next_block_before_the_review_is_refused_with_the_reason(client):
    referral = referral_in("booked")
    first = package_with_goals(referral)
    signed_in(client)
    response = client.post(f"/staff/care/{referral.reference}/packages/new?previous={first.pk}", package_form())
    assert response.status_code == 409
    assert "Block 1 has not been reviewed: review it first." in page(response)
    assert value_of(page(response), "goal_1_description").startswith("By the end of the block, Mia")


def test_a_previous_package_of_another_child_is_not_found(client):
    referral, other = referral_in("booked"), referral_in("booked")
    package = package_with_goals(other)
    signed_in(client)
    assert client.get(f"/staff/care/{referral.reference}/packages/new?previous={package.pk}").status_code == 404


def _goal(description: str) -> dict:
    return {
        "description": description,
        "area": "self_care",
        "levels": {"-2": "a", "-1": "b", "0": "c", "1": "d", "2": "e"},
        "weight": 1,
        "baseline": -1,
    }


# --- Review --------------------------------------------------------------------------------------------------------


def review_form(package: Package, levels, **overrides) -> dict:
    data = {
        "reviewed_on_day": "4",
        "reviewed_on_month": "1",
        "reviewed_on_year": "2027",
        "decision": "new_block",
        "summary": "Good progress with buttons; knife and fork still hard.",
    }
    for goal, level in zip(package.goals.order_by("position"), levels, strict=False):
        data[f"goal_{goal.pk}_attained"] = str(level)
    data.update(overrides)
    return data


def test_the_review_page_shows_each_goals_five_levels_the_baseline_and_the_earlier_copm_ratings(client):
    referral = referral_in("booked")
    assessed(referral)
    package = package_with_goals(referral)
    signed_in(client)
    response = client.get(f"/staff/care/packages/{package.pk}/review")
    html = page(response)
    goal = package.goals.order_by("position").first()
    assert response.status_code == 200
    assert html.count(f'name="goal_{goal.pk}_attained"') == 5
    assert "much less than expected: Cannot yet: does up 3 buttons on the school shirt" in html
    assert "Baseline: where the child started this block" in html
    assert "At assessment (4 January 2027): performance 3, satisfaction 2" in html
    assert "Doing up buttons" in html and "Using a knife and fork" in html


def test_a_review_with_three_goals_at_minus_two_scores_22_61_and_shows_copm_and_toms_change(client):
    referral = referral_in("booked")
    assessed(
        referral,
        toms={"impairment": "2", "activity": "2", "participation": "2.5", "wellbeing": "3"},
    )
    package = package_with_goals(referral, weights=[1, 1, 1])
    problems = {p.problem: p for p in package.episode.copm_problems.all()}
    signed_in(client)
    response = client.post(
        f"/staff/care/packages/{package.pk}/review",
        review_form(
            package,
            [-2, -2, -2],
            **{
                f"copm_{problems['Doing up buttons'].pk}_performance": "6",
                f"copm_{problems['Doing up buttons'].pk}_satisfaction": "5",
                f"copm_{problems['Using a knife and fork'].pk}_performance": "5",
                f"copm_{problems['Using a knife and fork'].pk}_satisfaction": "4",
            },
            toms_impairment="2",
            toms_activity="3",
            toms_participation="3",
            toms_wellbeing="3",
        ),
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/care/reviews/{review.pk}"
    assert str(review.gas_t_score) == "22.61"
    html = page(client.get(response.url))
    assert '<strong id="t-score">22.61</strong>' in html
    assert "3 to 6 (+3)" in html and "4 to 4 (0)" in html
    assert "3.50 to 5.50 (+2.00)" in html  # performance, the mean over both problems
    copm_table = html.split('id="copm-table"')[1].split("</table>")[0]
    # Buttons (+3 performance) and the performance score (+2.00); not knives and forks, nor satisfaction (+1.50).
    assert copm_table.count("Clinically important change") == 2
    assert "3.00 to 4.50 (+1.50)</td>" in copm_table
    assert "2.5" in html and "+0.5" in html and "+1" in html  # TOMs participation and activity
    assert "Set the next block of treatment" in html
    assert f"/staff/care/{referral.reference}/packages/new?previous={package.pk}" in html


def test_a_goal_left_unrated_is_named_and_the_review_kept_as_typed(client):
    referral = referral_in("booked")
    package = package_with_goals(referral)
    goals = list(package.goals.order_by("position"))
    signed_in(client)
    response = client.post(f"/staff/care/packages/{package.pk}/review", review_form(package, [0, 1]))
    html = page(response)
    assert response.status_code == 400
    assert (f"#id_goal_{goals[2].pk}_attained", "Choose the level goal 3 reached") in error_links(html)
    assert checked_values(html, f"goal_{goals[1].pk}_attained") == {"1"}
    assert "Good progress with buttons" in html
    assert not Review.objects.exists()


def test_a_copm_problem_half_rated_at_review_is_named(client):
    referral = referral_in("booked")
    assessed(referral)
    package = package_with_goals(referral)
    problem = package.episode.copm_problems.order_by("position").first()
    signed_in(client)
    response = client.post(
        f"/staff/care/packages/{package.pk}/review",
        review_form(package, [0, 0, 0], **{f"copm_{problem.pk}_performance": "6"}),
    )
    assert response.status_code == 400
    assert error_links(page(response))[0][0] == f"#id_copm_{problem.pk}_satisfaction"


@pytest.mark.parametrize(
    ("decision", "button", "href"),
    [
        ("step_down_to_advice", "Give an advice pack", "/staff/advice/{ref}/packs/new"),
        ("discharge", "Discharge", "/staff/care/{ref}/discharge"),
    ],
)
def test_the_review_offers_the_next_step_it_decided(client, decision, button, href):
    referral = referral_in("booked")
    package = package_with_goals(referral)
    review = reviewed(package, [0, 1, 2], decision=decision)
    signed_in(client)
    html = page(client.get(f"/staff/care/reviews/{review.pk}"))
    assert button in html and href.format(ref=referral.reference) in html
    assert "Set the next block" not in html


def test_a_reviewed_package_shows_its_result_and_its_review_page_leads_to_the_review(client):
    referral = referral_in("booked")
    package = package_with_goals(referral)
    review = reviewed(package, [0, 0, 0], decision="discharge")
    signed_in(client)
    html = page(client.get(f"/staff/care/packages/{package.pk}"))
    assert "50.00" in html and "Discharge" in html and f"/staff/care/reviews/{review.pk}" in html
    response = client.get(f"/staff/care/packages/{package.pk}/review")
    assert response.status_code == 302 and response.url == f"/staff/care/reviews/{review.pk}"


def test_a_review_for_a_package_already_followed_by_another_block_links_to_it(client):
    referral = referral_in("booked")
    first = package_with_goals(referral)
    review = reviewed(first, [-1, -1, -1])
    second = package_with_goals(referral, previous=first)
    signed_in(client)
    html = page(client.get(f"/staff/care/reviews/{review.pk}"))
    assert "See the next block" in html and f"/staff/care/packages/{second.pk}" in html


# --- Reviews due ---------------------------------------------------------------------------------------------------


def test_an_ot_sees_the_packages_due_for_review_with_a_link_to_review_each(client, django_assert_max_num_queries):
    ot = staff("ot")
    due = [package_with_goals(referral_in("booked"), review_due_on=dt.date(2027, 1, 4 + n)) for n in range(3)]
    later = package_with_goals(referral_in("booked"), review_due_on=dt.date(2027, 3, 1))
    others = package_with_goals(referral_in("booked"), by=staff("ot", "another-ot"), review_due_on=dt.date(2027, 1, 5))
    client.force_login(ot)
    # The session, the user and the list itself, however many rows (one spare for the middleware).
    with django_assert_max_num_queries(4):
        response = client.get("/staff/care/reviews-due")
    html = page(response)
    assert response.status_code == 200
    for package in due:
        assert f"/staff/care/packages/{package.pk}/review" in html
        assert package.episode.referral.reference in html
    assert f"/staff/care/packages/{later.pk}/review" not in html
    assert f"/staff/care/packages/{others.pk}/review" not in html
    assert "4 January 2027" in html and "Due today" in html
    assert html.index(f"packages/{due[0].pk}/review") < html.index(f"packages/{due[2].pk}/review")


def test_a_team_lead_chooses_whose_reviews_to_see_but_an_ot_cannot(client):
    other = staff("ot", "another-ot")
    package = package_with_goals(referral_in("booked"), by=other, review_due_on=dt.date(2027, 1, 5))
    signed_in(client, "team_lead")
    html = page(client.get(f"/staff/care/reviews-due?clinician={other.pk}"))
    assert f"/staff/care/packages/{package.pk}/review" in html
    signed_in(client, "ot")
    html = page(client.get(f"/staff/care/reviews-due?clinician={other.pk}"))
    assert f"/staff/care/packages/{package.pk}/review" not in html
    assert "No reviews due." in html


def test_the_goal_bank_page_lists_every_goal_with_its_levels(client):
    signed_in(client)
    html = page(client.get("/staff/care/goal-bank"))
    assert "By the end of the block, the child will put on their school coat" in html
    assert "much more than expected" in html and "(usual baseline)" in html


def test_pages_link_back_to_the_referral_and_the_episode(client):
    referral = referral_in("booked")
    package = package_with_goals(referral)
    signed_in(client)
    html = page(client.get(f"/staff/care/packages/{package.pk}"))
    assert reverse("referrals:show_referral", args=[referral.reference]) in html
    assert reverse("care:show_episode", args=[referral.reference]) in html
    assert Goal.objects.filter(package=package).count() == 3
