"""The triage queue and the triage form."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from paedot.referrals.models import Referral, Status
from paedot.triage.models import Triage
from paedot.triage.tests.factories import accepted_referral, referral_in, waiting_referral

pytestmark = pytest.mark.django_db

FORM = {
    "priority": "routine",
    "pathway": "package_of_care",
    "setting": "school",
    "notes": "",
    "reason_for_difference": "",
}


def page_of(response) -> str:
    return unescape(response.content.decode())


def checked_value(page: str, name: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


# The queue ---------------------------------------------------------------------------------------------------------


def test_the_queue_needs_a_signed_in_member_of_staff(client):
    response = client.get(reverse("triage:show_queue"))

    assert response.status_code == 302
    assert reverse("staff:sign_in") in response["Location"]


def test_the_queue_lists_accepted_referrals_oldest_first_with_the_suggested_priority(client, admin_user, ot_user):
    newer = accepted_referral(screened_by=admin_user, received_date=dt.date(2026, 11, 20))
    older = accepted_referral(
        screened_by=admin_user,
        received_date=dt.date(2026, 10, 1),
        difficulties=("feeding",),
        description="Chokes on food at lunchtime.",
    )
    not_screened = referral_in(Status.RECEIVED)
    triaged = waiting_referral(screened_by=admin_user, triaged_by=ot_user)
    client.force_login(ot_user)

    page = page_of(client.get(reverse("triage:show_queue")))

    assert page.index(older.reference) < page.index(newer.reference)
    assert not_screened.reference not in page
    assert triaged.reference not in page
    assert "Urgent" in page and "Routine" in page
    assert "There is a safety concern with eating or drinking" in page
    assert reverse("triage:triage_referral", args=[older.reference]) in page
    assert "2 referrals to triage" in page


def test_staff_who_may_not_triage_see_the_queue_without_the_triage_links(client, admin_user):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(admin_user)

    page = page_of(client.get(reverse("triage:show_queue")))

    assert referral.reference in page
    assert reverse("triage:triage_referral", args=[referral.reference]) not in page


def test_an_empty_queue_says_so(client, ot_user):
    client.force_login(ot_user)

    assert "No referrals are waiting for triage" in page_of(client.get(reverse("triage:show_queue")))


def test_a_partner_system_account_may_not_see_the_queue(client, partner_user):
    client.force_login(partner_user)

    assert client.get(reverse("triage:show_queue")).status_code == 403


@pytest.mark.parametrize("how_many", [2, 10])
def test_the_queue_runs_the_same_number_of_queries_however_long(
    client, admin_user, ot_user, django_assert_num_queries, how_many
):
    for n in range(how_many):
        accepted_referral(
            screened_by=admin_user,
            difficulties=("feeding", "dressing", "play", "pencil_skills") if n % 2 else ("pencil_skills",),
            description="Chokes on food." if n % 3 == 0 else "Handwriting is hard to read.",
        )
    client.force_login(ot_user)

    # session, user, count, page of referrals with their children
    with django_assert_num_queries(4):
        response = client.get(reverse("triage:show_queue"))

    assert response.status_code == 200


# The form ----------------------------------------------------------------------------------------------------------


def test_the_form_shows_the_facts_and_the_suggestion_with_its_reasons_preselected(client, admin_user, ot_user):
    referral = accepted_referral(
        screened_by=admin_user,
        difficulties=("accessing_environment", "pencil_skills"),
        description="He has frequent falls in the corridor.",
        impact_home="Needs an adult on the stairs.",
        impact_school="Misses the start of lessons.",
    )
    client.force_login(ot_user)

    response = client.get(reverse("triage:triage_referral", args=[referral.reference]))

    assert response.status_code == 200
    page = page_of(response)
    assert referral.child.full_name in page
    assert "He has frequent falls in the corridor." in page
    assert "Needs an adult on the stairs." in page
    assert "Misses the start of lessons." in page
    assert "Getting around school" in page
    assert "Meets criteria" in page
    assert "There is a safety concern with moving about" in page
    assert checked_value(page, "priority") == "urgent"
    assert "Only if you chose a different priority from the suggestion" in page
    for label in ("Advice and strategies", "Package of care", "Group"):
        assert label in page
    for label in ("Clinic", "School", "Nursery", "Home", "Child development centre"):
        assert label in page


def test_triaging_moves_the_referral_to_the_waiting_list_and_says_so(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(ot_user)

    response = client.post(
        reverse("triage:triage_referral", args=[referral.reference]),
        FORM | {"pathway": "advice_and_strategies", "setting": "clinic", "notes": "Assess grip."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:show_referral", args=[referral.reference])
    referral.refresh_from_db()
    assert (referral.status, referral.priority, referral.pathway, referral.first_setting) == (
        "waiting",
        "routine",
        "advice_and_strategies",
        "clinic",
    )
    assert Triage.objects.get(referral=referral).notes == "Assess grip."
    followed = page_of(client.get(response["Location"]))
    assert f"Referral {referral.reference} triaged as routine" in followed


def test_a_different_priority_without_a_reason_is_an_error_that_keeps_what_was_typed(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(ot_user)

    response = client.post(
        reverse("triage:triage_referral", args=[referral.reference]),
        FORM | {"priority": "soon", "setting": "home", "notes": "Seen by physio last year."},
    )

    assert response.status_code == 200
    page = page_of(response)
    assert "There is a problem" in page
    assert "The suggested priority is routine: say why you chose soon instead" in page
    assert 'href="#id_reason_for_difference"' in page
    assert checked_value(page, "priority") == "soon"
    assert checked_value(page, "setting") == "home"
    assert "Seen by physio last year." in page
    assert page_of(response).count("<title>Error: ") == 1
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_a_different_priority_with_a_reason_is_kept(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(ot_user)

    response = client.post(
        reverse("triage:triage_referral", args=[referral.reference]),
        FORM | {"priority": "soon", "reason_for_difference": "School placement at risk."},
    )

    assert response.status_code == 302
    assert Triage.objects.get(referral=referral).reason_for_difference == "School placement at risk."


def test_missing_answers_are_errors_on_their_questions(client, admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(ot_user)

    page = page_of(client.post(reverse("triage:triage_referral", args=[referral.reference]), {}))

    assert "Choose a priority" in page
    assert "Choose a pathway" in page
    assert "Choose where the first appointment should be" in page


def test_a_referral_already_triaged_is_refused_with_a_message(client, admin_user, ot_user):
    referral = waiting_referral(screened_by=admin_user, triaged_by=ot_user)
    client.force_login(ot_user)

    get_page = page_of(client.get(reverse("triage:triage_referral", args=[referral.reference])))
    post = client.post(reverse("triage:triage_referral", args=[referral.reference]), FORM)

    assert "Not waiting for triage" in get_page
    assert '<form method="post" novalidate>' not in get_page
    assert post.status_code == 200
    assert "is on the waiting list, so it cannot be on the waiting list now" in page_of(post)
    assert Triage.objects.filter(referral=referral).count() == 1


@pytest.mark.parametrize("fixture", ["ota_user", "admin_user", "auditor_user"])
def test_roles_that_may_not_triage_get_403(client, request, admin_user, fixture):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(request.getfixturevalue(fixture))
    url = reverse("triage:triage_referral", args=[referral.reference])

    assert client.get(url).status_code == 403
    assert client.post(url, FORM).status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_a_team_lead_may_triage(client, admin_user, team_lead_user):
    referral = accepted_referral(screened_by=admin_user)
    client.force_login(team_lead_user)

    assert client.post(reverse("triage:triage_referral", args=[referral.reference]), FORM).status_code == 302


def test_an_unknown_reference_is_404(client, ot_user):
    client.force_login(ot_user)

    assert client.get(reverse("triage:triage_referral", args=["NOSUCH"])).status_code == 404
