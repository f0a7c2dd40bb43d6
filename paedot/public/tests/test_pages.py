"""The public service page, "Check if we can help", and the service details staff can change."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine

from paedot.core.models import AuditEvent
from paedot.public import check
from paedot.public.models import ServiceDetails
from paedot.public.services import update_service_details
from paedot.referrals import questions
from paedot.staff.services import create_staff_user

pytestmark = pytest.mark.django_db


def test_the_service_page_says_what_the_service_does_and_how_to_refer(client):
    page = unescape(client.get("/").content.decode())
    for text in (
        "Paediatric Occupational Therapy Service",
        "Soho Health Centre",
        "B21 9RY",
        "0121 465 8551",
        "aged 0 to 19",
        "Birmingham GP",
        "full-time school-based education",
        "dressing, washing, feeding and toileting",
        "pencil skills, scissor skills, concentration",
        "case-by-case",
        "occupational therapy assistant",
        "teachers and from parents and carers",
        "/referral-form.pdf",
        "/referral-form.docx",
        "/check-if-we-can-help/",
        "/refer/",
    ):
        assert text in page, text


def test_the_service_details_come_from_data_an_administrator_changes(client):
    lead = create_staff_user(username="lead1", role="team_lead", password="a-long-test-password-1")
    client.force_login(lead)
    response = client.post(
        "/staff/service-details",
        {
            "name": "Paediatric Occupational Therapy Service",
            "base_name": "Example Health Centre",
            "address": "1 Example Road\nBirmingham",
            "postcode": "B1 1AA",
            "phone": "0121 000 0000",
            "opening_hours": "Monday to Thursday, 9am to 4pm",
        },
    )
    assert response.status_code == 302
    page = unescape(client.get("/").content.decode())
    assert "Example Health Centre" in page and "0121 000 0000" in page and "Monday to Thursday" in page
    assert "Soho Health Centre" not in page
    event = AuditEvent.objects.get(action="service_details.updated")
    assert event.detail["after"]["phone"] == "0121 000 0000"
    assert event.detail["before"]["phone"] == "0121 465 8551"


def test_the_start_pages_name_the_service_as_staff_set_it(client):
    update_service_details(changes={"name": "Children's Therapy Service"}, changed_by=None)

    for url in ("/check-if-we-can-help/", "/refer/"):
        page = unescape(client.get(url).content.decode())
        assert "the Children's Therapy Service in Birmingham" in page, url
        assert "Paediatric Occupational Therapy Service in" not in page, url


@pytest.mark.parametrize("role", ["clinical_admin", "ot", "auditor"])
def test_other_roles_may_not_change_the_service_details(client, role):
    user = create_staff_user(username=f"u-{role}", role=role, password="a-long-test-password-1")
    client.force_login(user)
    assert client.get("/staff/service-details").status_code == 403
    assert client.post("/staff/service-details", {"phone": "1"}).status_code == 403
    assert ServiceDetails.current().phone == "0121 465 8551"


def answer_check(client, **answers):
    defaults = {
        "date-of-birth": {
            "child_date_of_birth_day": "10",
            "child_date_of_birth_month": "5",
            "child_date_of_birth_year": "2018",
        },
        "education": {"education": "mainstream_school"},
        "gp-practice": {"gp_practice": "M85001"},
        "difficulties": {"difficulties": ["pencil_skills"]},
        "referrer": {"referrer_role": "gp"},
        "previous-ot": {"previous_ot_episode": "no"},
        "consent": {"consent_given": "yes"},
    }
    defaults.update(answers)
    for slug, data in defaults.items():
        response = client.post(f"/check-if-we-can-help/{slug}", data)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    return unescape(client.get("/check-if-we-can-help/result").content.decode())


@time_machine.travel("2026-11-26 12:00 +0000")
def test_check_if_we_can_help_says_yes_and_offers_the_referral(client):
    page = answer_check(client)
    assert "We can probably help" in page
    assert 'action="/check-if-we-can-help/make-a-referral"' in page


@time_machine.travel("2026-11-26 12:00 +0000")
def test_check_if_we_can_help_says_no_with_the_reasons_and_where_to_go(client):
    page = answer_check(
        client,
        **{"gp-practice": {"gp_practice": "M89001"}, "difficulties": {}, "referrer": {"referrer_role": "teacher"}},
    )
    assert "We are unlikely to be able to help" in page
    assert "not in Birmingham" in page
    assert "Solihull" in page
    assert "does not describe a difficulty" in page
    assert "Ask the child's GP, health visitor" in page


@time_machine.travel("2026-11-26 12:00 +0000")
def test_check_if_we_can_help_says_a_therapist_decides_for_a_special_school(client):
    page = answer_check(client, education={"education": "special_school"})
    assert "We may be able to help" in page
    assert "case by case" in page


def test_the_check_asks_one_question_a_page_and_starts_again_where_you_left_off(client):
    page = client.get("/check-if-we-can-help/education").content.decode()
    assert page.count('type="radio"') == 6
    assert client.get("/check-if-we-can-help/result")["Location"] == "/check-if-we-can-help/date-of-birth"


def test_a_wrong_answer_is_explained_and_kept(client):
    response = client.post(
        "/check-if-we-can-help/date-of-birth",
        {"child_date_of_birth_day": "12", "child_date_of_birth_month": "", "child_date_of_birth_year": "2019"},
    )
    page = unescape(response.content.decode())
    assert "must include a day, month and year" in page
    assert 'value="12"' in page and 'value="2019"' in page


# From the check to the referral form ------------------------------------------------------------------------------


def referral_page(client, slug: str) -> str:
    response = client.get(f"/refer/{slug}")
    assert response.status_code == 200
    return unescape(response.content.decode())


def checked(page: str, name: str, value: str) -> bool:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', page) is not None


@time_machine.travel("2026-11-26 12:00 +0000")
def test_making_a_referral_from_the_check_fills_in_what_the_check_asked(client):
    answer_check(
        client,
        **{
            "difficulties": {"difficulties": ["pencil_skills", "dressing"]},
            "previous-ot": {"previous_ot_episode": "yes"},
        },
    )

    response = client.post("/check-if-we-can-help/make-a-referral")

    assert response["Location"] == "/refer/"
    assert "We have filled in the answers you gave" in unescape(client.get("/refer/").content.decode())
    child = referral_page(client, "child")
    for box, value in (("day", "10"), ("month", "5"), ("year", "2018")):
        assert re.search(rf'name="child_date_of_birth_{box}"[^>]*value="{value}"', child), box
    assert "There is a problem" not in child  # a prefilled page is not an answered one: no errors yet
    assert checked(referral_page(client, "education"), "education", "mainstream_school")
    assert "Shah Zaman Surgery (M85001)" in referral_page(client, "gp-practice")
    difficulties = referral_page(client, "difficulties")
    assert checked(difficulties, "difficulties", "pencil_skills") and checked(difficulties, "difficulties", "dressing")
    assert not checked(difficulties, "difficulties", "washing")
    assert checked(referral_page(client, "support"), "previous_ot_episode", "yes")
    assert checked(referral_page(client, "referrer"), "referrer_role", "gp")
    assert not checked(referral_page(client, "consent"), "consent_given", "yes")  # consent is given on the form


@time_machine.travel("2026-11-26 12:00 +0000")
def test_a_prefilled_page_sent_as_shown_is_answered(client):
    answer_check(client)
    client.post("/check-if-we-can-help/make-a-referral")

    response = client.post("/refer/education", {"education": "mainstream_school", "school": ""})

    assert response.status_code == 302
    assert client.get("/refer/check-your-answers")["Location"] == "/refer/child"  # still to do: the child's name


@time_machine.travel("2026-11-26 12:00 +0000")
def test_what_was_typed_in_the_referral_form_wins_over_the_check(client):
    client.post("/refer/education", {"education": "college", "school": ""})
    answer_check(client)

    client.post("/check-if-we-can-help/make-a-referral")

    assert checked(referral_page(client, "education"), "education", "college")
    assert not checked(referral_page(client, "education"), "education", "mainstream_school")


def test_the_referral_cannot_be_prefilled_from_an_unfinished_check(client):
    client.post("/check-if-we-can-help/education", {"education": "mainstream_school"})

    response = client.post("/check-if-we-can-help/make-a-referral")

    assert response["Location"] == "/check-if-we-can-help/date-of-birth"
    assert "We have filled in" not in client.get("/refer/").content.decode()


def test_making_a_referral_from_the_check_is_a_post():
    """A link a crawler or prefetcher follows must not change the draft."""
    from django.test import Client

    assert Client().get("/check-if-we-can-help/make-a-referral").status_code == 405


def test_every_answer_carried_from_the_check_is_a_question_of_the_referral_form():
    keys = {question.key for question in questions.all_questions()}

    assert set(check.CARRIED_TO_REFERRAL) <= keys
    assert "consent_given" not in check.CARRIED_TO_REFERRAL
