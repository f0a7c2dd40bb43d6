"""The online referral form: a page per section, nothing typed is lost, and one referral however many clicks."""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest
from django.core import mail
from django.test import Client

from paedot.public.services import update_service_details
from paedot.referrals import questions as q
from paedot.referrals.models import Referral

PAGES: dict[str, dict[str, str | list[str]]] = {
    "child": {
        "child_given_name": "Ayaan",
        "child_family_name": "Testchild",
        "child_date_of_birth_day": "10",
        "child_date_of_birth_month": "5",
        "child_date_of_birth_year": "2018",
        "child_nhs_number": "943 476 5919",
        "child_address": "1 Soho Road\nBirmingham",
        "child_postcode": "b21 9ry",
    },
    "parent-carer": {
        "parent_name": "Sara Testchild",
        "parent_relationship": "Mother",
        "parent_phone": "07700 900123",
        "parent_email": "sara@example.com",
        "parent_language": "Urdu",
        "parent_interpreter_needed": "yes",
    },
    "gp-practice": {"gp_practice": "Shah Zaman Surgery (M85001)"},
    "education": {"education": "mainstream_school", "school": "Bordesley Green East Nursery School"},
    "difficulties": {
        "difficulties": ["pencil_skills", "dressing"],
        "description": "Handwriting is hard to read and he cannot do buttons.",
        "impact_home": "Needs help to dress every morning.",
        "impact_school": "Falls behind in written work.",
        "impact_leisure": "",
    },
    "support": {
        "strategies_tried": "Pencil grips from school.",
        "other_professionals": "",
        "previous_ot_episode": "no",
    },
    "referrer": {
        "referrer_name": "Dr Jo Example",
        "referrer_role": "gp",
        "referrer_organisation": "Shah Zaman Surgery",
        "referrer_email": "jo@example.nhs.uk",
        "referrer_phone": "",
    },
    "consent": {"consent_given": "yes"},
}


def fill_in(client: Client, **changes) -> None:
    for section in q.REFERRAL_FORM:
        data = dict(PAGES[section.slug])
        data.update(changes.get(section.slug.replace("-", "_"), {}))
        response = client.post(f"/refer/{section.slug}", data)
        assert response.status_code == 302, (section.slug, response.content.decode()[:3000])


def send(client: Client):
    page = client.get("/refer/check-your-answers").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post("/refer/check-your-answers", {"token": token}), token


def test_every_question_is_on_some_page_of_the_online_form(client, db):
    for section in q.REFERRAL_FORM:
        page = client.get(f"/refer/{section.slug}").content.decode()
        for question in section.questions:
            assert f'name="{question.key}' in page, question.key


@pytest.mark.django_db
def test_a_referral_made_online_arrives_in_full(client, immediate_tasks, django_capture_on_commit_callbacks):
    fill_in(client)
    check_page = unescape(client.get("/refer/check-your-answers").content.decode())
    for expected in ("Ayaan", "10 May 2018", "943 476 5919", "Shah Zaman Surgery (M85001)", "Dressing, Pencil skills"):
        assert expected in check_page

    with django_capture_on_commit_callbacks(execute=True):
        response, _ = send(client)

    assert response.status_code == 302 and response["Location"] == "/refer/sent"
    referral = Referral.objects.select_related("child", "parent_carer", "eligibility").get()
    confirmation = client.get("/refer/sent").content.decode()
    assert referral.reference in confirmation
    assert referral.source == "online"
    assert referral.child.nhs_number == "9434765919"
    assert referral.child.postcode == "B21 9RY"
    assert referral.parent_carer.language == "Urdu" and referral.parent_carer.interpreter_needed
    assert referral.gp_practice_code == "M85001"
    assert referral.school_urn == "103120"
    assert referral.difficulties == ["pencil_skills", "dressing"]
    assert referral.impact_home and referral.impact_school and not referral.impact_leisure
    assert referral.strategies_tried == "Pencil grips from school."
    assert referral.eligibility.outcome == "accept"
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_confirmation_gives_the_phone_number_staff_set(client):
    update_service_details(changes={"phone": "0121 000 1234", "opening_hours": "Weekdays, 8am to 4pm"}, changed_by=None)
    fill_in(client)
    send(client)

    page = unescape(client.get("/refer/sent").content.decode())

    assert 'href="tel:01210001234">0121 000 1234</a> (Weekdays, 8am to 4pm)' in page
    assert "465 8551" not in page


@pytest.mark.django_db
def test_a_validation_error_keeps_what_was_typed(client):
    data = dict(PAGES["child"], child_date_of_birth_day="31", child_date_of_birth_month="2", child_nhs_number="123")
    response = client.post("/refer/child", data)

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Date of birth must be a real date" in page
    assert "NHS number must be 10 digits" in page
    assert 'value="31"' in page and 'value="2018"' in page and 'value="Ayaan"' in page
    assert 'href="#id_child_date_of_birth_day"' in page  # the summary links to the first box


@pytest.mark.django_db
def test_going_back_shows_what_was_typed(client):
    client.post("/refer/child", PAGES["child"])
    client.post("/refer/parent-carer", dict(PAGES["parent-carer"], parent_phone="not a phone"))

    assert 'value="Ayaan"' in client.get("/refer/child").content.decode()
    again = client.get("/refer/parent-carer").content.decode()
    assert 'value="not a phone"' in again
    assert "Enter a phone number" in again


@pytest.mark.django_db
def test_changing_an_answer_from_the_check_page_returns_there(client):
    fill_in(client)
    response = client.post("/refer/child?change=1", dict(PAGES["child"], child_given_name="Ayan"))
    assert response["Location"] == "/refer/check-your-answers"
    assert "Ayan" in client.get("/refer/check-your-answers").content.decode()


@pytest.mark.django_db
def test_the_check_page_sends_you_to_the_first_unanswered_page(client):
    client.post("/refer/child", PAGES["child"])
    response = client.get("/refer/check-your-answers")
    assert response["Location"] == "/refer/parent-carer"


@pytest.mark.django_db
def test_a_double_click_or_refresh_makes_one_referral(client):
    fill_in(client)
    first, token = send(client)
    assert first["Location"] == "/refer/sent"
    second = client.post("/refer/check-your-answers", {"token": token})

    assert Referral.objects.count() == 1
    assert second["Location"] == "/refer/sent"
    assert Referral.objects.get().reference in client.get("/refer/sent").content.decode()


@pytest.mark.django_db
def test_the_gp_practice_can_be_found_without_javascript(client):
    response = client.post("/refer/gp-practice", {"gp_practice": "shah zaman"})
    page = unescape(response.content.decode())
    assert "Choose the practice from the list below" in page
    assert 'value="M85001"' in page

    response = client.post("/refer/gp-practice", {"gp_practice": "shah zaman", "gp_practice_choice": "M85001"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_practice_that_cannot_be_found_is_sent_as_typed_and_flagged(client):
    page = client.post("/refer/gp-practice", {"gp_practice": "Nowhere Surgery"}).content.decode()
    assert "We could not find a GP practice" in unescape(page)
    fill_in(client, gp_practice={"gp_practice": "Nowhere Surgery", "gp_practice_choice": "typed:Nowhere Surgery"})
    send(client)
    referral = Referral.objects.get()
    assert list(referral.eligibility.reasons.values_list("code", flat=True)) == ["gp_practice_unknown"]


@pytest.mark.django_db
def test_a_declined_referral_is_still_sent_and_kept(client):
    fill_in(client, referrer={"referrer_role": "teacher"}, consent={"consent_given": "no"})
    response, _ = send(client)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.eligibility.outcome == "decline"
    assert set(referral.eligibility.reasons.values_list("code", flat=True)) == {"referrer_not_accepted", "no_consent"}


def test_two_clicks_at_the_same_moment_make_one_referral(committed_db):
    """The second click's request runs while the first is still saving."""
    client = Client()
    fill_in(client)
    page = client.get("/refer/check-your-answers").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    barrier = threading.Barrier(2)
    answers = []

    def click():
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            answers.append(client.post("/refer/check-your-answers", {"token": token})["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers == ["/refer/sent", "/refer/sent"]
    assert Referral.objects.count() == 1
