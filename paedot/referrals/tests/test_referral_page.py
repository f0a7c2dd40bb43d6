"""A referral's page: what it shows, the next steps each role is offered, and the decisions taken there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.tests.factories import make_referral, referral_in, staff

pytestmark = pytest.mark.django_db


def page(client, referral):
    return client.get(reverse("referrals:show_referral", args=[referral.reference]))


def test_an_admin_is_offered_screening_on_a_new_referral_but_not_discharge(client):
    referral = referral_in("received")
    client.force_login(staff("clinical_admin"))
    html = page(client, referral).content.decode()
    assert "Record screening decision" in html
    assert ">Discharge<" not in html


def test_an_ota_is_offered_no_decision_on_a_new_referral(client):
    referral = referral_in("received")
    client.force_login(staff("ota"))
    html = page(client, referral).content.decode()
    assert "Record screening decision" not in html
    assert "Waiting to be screened" in html


def test_an_ot_is_offered_triage_on_an_accepted_referral(client):
    referral = referral_in("accepted")
    client.force_login(staff("ot"))
    assert "Triage this referral" in page(client, referral).content.decode()


def test_screening_from_the_page_records_the_decision_and_shows_it_in_the_history(client):
    referral = referral_in("received")
    client.force_login(staff("clinical_admin"))
    response = client.post(
        reverse("referrals:screen", args=[referral.reference]),
        {"decision": "accept", "reason": "All criteria met"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Referral accepted" in html
    assert "Screened: accepted" in html and "All criteria met" in html
    assert Referral.objects.get(pk=referral.pk).status == "accepted"


def test_screening_without_a_reason_keeps_what_was_chosen_and_says_what_is_missing(client):
    referral = referral_in("received")
    client.force_login(staff("clinical_admin"))
    response = client.post(reverse("referrals:screen", args=[referral.reference]), {"decision": "decline"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Give the reason for your decision" in html
    assert 'value="decline" checked' in html
    assert Referral.objects.get(pk=referral.pk).status == "received"


def test_a_refused_move_is_a_clear_message_not_an_error_page(client):
    referral = referral_in("accepted")
    client.force_login(staff("ot"))
    response = client.post(
        reverse("referrals:screen", args=[referral.reference]), {"decision": "decline", "reason": "x"}, follow=True
    )
    assert response.status_code == 200
    assert "cannot be declined now" in response.content.decode()


def test_an_auditor_posting_a_decision_is_refused(client):
    referral = referral_in("received")
    client.force_login(staff("auditor"))
    response = client.post(
        reverse("referrals:screen", args=[referral.reference]), {"decision": "accept", "reason": "x"}
    )
    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == "received"


def test_discharge_from_the_page_issues_the_letter_listed_on_the_page(client):
    referral = referral_in("waiting")
    client.force_login(staff("ot"))
    response = client.post(
        reverse("referrals:discharge", args=[referral.reference]), {"reason": "Needs met by school"}, follow=True
    )
    html = response.content.decode()
    assert "Discharged." in html
    assert "Discharge (PDF)" in html


def test_a_possible_duplicate_is_shown_and_can_be_dismissed_with_a_reason(client):
    child = {
        "given_name": "Mia",
        "family_name": "Pagetest",
        "postcode": "B21 9RY",
        "date_of_birth": dt.date(2016, 2, 2),
    }
    make_referral(child=child)
    second = make_referral(child={**child, "given_name": "Mya"})
    flag = PossibleDuplicate.objects.get(referral=second)
    client.force_login(staff("clinical_admin"))
    assert "Possibly the same child" in page(client, second).content.decode()
    client.post(
        reverse("referrals:resolve_duplicate", args=[second.reference, flag.pk, "dismiss"]), {"reason": "Cousins"}
    )
    flag.refresh_from_db()
    assert flag.state == "dismissed"


def test_the_screening_queue_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(staff("clinical_admin"))
    for _ in range(2):
        referral_in("received")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("referrals:screening_queue"))
    for _ in range(8):
        referral_in("received")
    referral_in("information_requested")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("referrals:screening_queue"))
    assert response.content.decode().count("/staff/referrals/OT-") >= 10


def test_the_referral_page_query_count_does_not_grow_with_its_history(client, django_assert_max_num_queries):
    client.force_login(staff("ot"))
    short = referral_in("accepted")
    with django_assert_max_num_queries(40) as first:
        page(client, short)
    long = referral_in("booked")
    with django_assert_max_num_queries(len(first.captured_queries) + 2):
        page(client, long)


def test_opening_a_referral_is_written_in_the_audit_trail_but_not_in_its_history(client):
    from paedot.core.audit import Actions
    from paedot.core.models import AuditEvent

    referral = referral_in("received")
    client.force_login(staff("ot"))
    html = page(client, referral).content.decode()
    viewed = AuditEvent.objects.filter(action=Actions.RECORD_VIEWED, child_id=referral.child_id)
    assert viewed.count() == 1
    assert viewed.get().actor.username == staff("ot").username
    assert "record.viewed" not in html and Actions.RECORD_VIEWED not in html
