"""The allocation form and the caseload pages."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from paedot.caseloads.models import Allocation
from paedot.caseloads.services import allocate_referral
from paedot.referrals.models import Referral, Status
from paedot.staff.services import create_staff_user
from paedot.triage.tests.factories import referral_in

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    return unescape(response.content.decode())


def counts(page: str, username: str) -> dict[str, int]:
    """The numbers in one clinician's row of a caseload table."""
    row = re.search(rf'<tr[^>]*data-clinician="{re.escape(username)}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert row, f"no row for {username}"
    cells = re.findall(r'data-count="([a-z_]+)"><span[^>]*>[^<]*</span>(?:<strong>)?(\d+)', row.group(1))
    return {code: int(n) for code, n in cells}


def clinician(username: str, role: str = "ot", localities=(), supervisor=None):
    user = create_staff_user(
        username=username, role=role, password="a-long-test-password-1", full_name=f"{username.title()} Smith"
    )
    user.localities = list(localities)
    user.supervisor = supervisor
    user.save(update_fields=["localities", "supervisor"])
    return user


# Allocation -------------------------------------------------------------------------------------------------------


def test_the_allocation_form_lists_clinicians_with_role_localities_and_supervisor(client, admin_user, team_lead_user):
    ot = clinician("jo", localities=["North", "East"])
    clinician("ali", role="ota", localities=["North"], supervisor=ot)
    former = clinician("former")
    former.is_active = False
    former.save(update_fields=["is_active"])
    referral = referral_in(Status.WAITING, priority="routine")
    client.force_login(team_lead_user)

    page = page_of(client.get(reverse("caseloads:allocate_referral", args=[referral.reference])))

    assert "Jo Smith (Occupational therapist; North, East; 0 open)" in page
    assert "Ali Smith (Occupational therapy assistant supervised by Jo Smith; North; 0 open)" in page
    assert "Former Smith" not in page
    assert "(Clinical admin" not in page
    assert "Notes (optional)" in page


def test_allocating_redirects_to_the_referral_with_a_message(client, admin_user):
    ot = clinician("jo")
    referral = referral_in(Status.WAITING, priority="routine")
    client.force_login(admin_user)

    response = client.post(reverse("caseloads:allocate_referral", args=[referral.reference]), {"clinician": ot.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:show_referral", args=[referral.reference])
    assert Referral.objects.get(pk=referral.pk).clinician == ot
    assert f"Referral {referral.reference} allocated to Jo Smith." in page_of(client.get(response["Location"]))


def test_a_transfer_without_a_reason_is_an_error_that_keeps_the_choice(client, team_lead_user):
    jo, sam = clinician("jo"), clinician("sam")
    referral = referral_in(Status.WAITING, priority="routine")
    allocate_referral(referral=referral, clinician=jo, allocated_by=team_lead_user)
    client.force_login(team_lead_user)
    url = reverse("caseloads:allocate_referral", args=[referral.reference])

    get_page = page_of(client.get(url))
    response = client.post(url, {"clinician": sam.pk, "reason": " "})

    assert "Reason for the transfer" in get_page
    assert "Currently allocated to Jo Smith" in get_page
    assert "Jo Smith (Occupational therapist; no locality set; 1 open; allocated now)" in get_page
    assert response.status_code == 200
    page = page_of(response)
    assert "Say why the child is moving to another clinician's caseload" in page
    assert re.search(rf'<option value="{sam.pk}"\s+selected', page)
    assert Referral.objects.get(pk=referral.pk).clinician == jo


def test_a_transfer_with_a_reason_moves_the_child(client, team_lead_user):
    jo, sam = clinician("jo"), clinician("sam")
    referral = referral_in(Status.WAITING, priority="routine")
    allocate_referral(referral=referral, clinician=jo, allocated_by=team_lead_user)
    client.force_login(team_lead_user)

    response = client.post(
        reverse("caseloads:allocate_referral", args=[referral.reference]),
        {"clinician": sam.pk, "reason": "Jo is on leave"},
    )

    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).clinician == sam
    assert Allocation.objects.get(referral=referral, ended_at__isnull=True).reason == "Jo is on leave"
    assert "transferred from Jo Smith to Sam Smith" in page_of(client.get(response["Location"]))


def test_allocating_to_the_same_clinician_shows_the_refusal(client, team_lead_user):
    jo = clinician("jo")
    referral = referral_in(Status.WAITING, priority="routine")
    allocate_referral(referral=referral, clinician=jo, allocated_by=team_lead_user)
    client.force_login(team_lead_user)

    response = client.post(
        reverse("caseloads:allocate_referral", args=[referral.reference]), {"clinician": jo.pk, "reason": "Again"}
    )

    assert response.status_code == 200
    assert "is already allocated to Jo Smith" in page_of(response)


def test_no_choice_is_an_error(client, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")
    client.force_login(team_lead_user)

    response = client.post(reverse("caseloads:allocate_referral", args=[referral.reference]), {})

    assert "Choose a clinician" in page_of(response)


def test_a_closed_referral_cannot_be_allocated(client, team_lead_user):
    jo = clinician("jo")
    referral = referral_in(Status.DISCHARGED)
    client.force_login(team_lead_user)
    url = reverse("caseloads:allocate_referral", args=[referral.reference])

    get_page = page_of(client.get(url))
    post_page = page_of(client.post(url, {"clinician": jo.pk}))

    assert "Cannot be allocated" in get_page
    assert '<select class="nhsuk-select" id="id_clinician"' not in get_page
    assert "only an accepted, open referral can be allocated" in post_page
    assert Referral.objects.get(pk=referral.pk).clinician is None


@pytest.mark.parametrize("fixture", ["ot_user", "ota_user", "auditor_user"])
def test_roles_that_may_not_allocate_get_403(client, request, ot_user, fixture):
    referral = referral_in(Status.WAITING, priority="routine")
    client.force_login(request.getfixturevalue(fixture))
    url = reverse("caseloads:allocate_referral", args=[referral.reference])

    assert client.get(url).status_code == 403
    assert client.post(url, {"clinician": ot_user.pk}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).clinician is None


def test_allocating_an_unknown_reference_is_404(client, team_lead_user):
    client.force_login(team_lead_user)

    assert client.get(reverse("caseloads:allocate_referral", args=["NOSUCH"])).status_code == 404


# The team's caseloads ---------------------------------------------------------------------------------------------


def test_the_team_view_counts_each_clinicians_open_referrals(client, team_lead_user):
    jo, ali = clinician("jo", localities=["North"]), clinician("ali", role="ota", localities=["South"])
    for status, priority in [
        (Status.ACCEPTED, ""),
        (Status.WAITING, "urgent"),
        (Status.WAITING, "routine"),
        (Status.INVITED, "soon"),
        (Status.BOOKED, "routine"),
        (Status.DISCHARGED, "routine"),
    ]:
        referral_in(status, priority=priority, clinician=jo)
    referral_in(Status.WAITING, priority="soon", clinician=ali)
    client.force_login(team_lead_user)

    page = page_of(client.get(reverse("caseloads:team_caseloads")))

    assert counts(page, "jo") == {
        "accepted": 1, "waiting": 2, "invited": 1, "booked": 1,
        "urgent": 1, "soon": 1, "routine": 2, "untriaged": 1, "total": 5,
    }  # fmt: skip
    assert counts(page, "ali")["soon"] == 1
    assert counts(page, "lead1")["total"] == 0
    assert counts(page, "all")["total"] == 6
    assert reverse("caseloads:show_caseload", args=["jo"]) in page


def test_the_team_view_filters_by_locality(client, team_lead_user):
    clinician("jo", localities=["North", "East"])
    clinician("ali", role="ota", localities=["South"])
    client.force_login(team_lead_user)

    page = page_of(client.get(reverse("caseloads:team_caseloads"), {"locality": "East"}))

    assert 'data-clinician="jo"' in page
    assert 'data-clinician="ali"' not in page
    assert "<h1>Caseloads in East</h1>" in page


def test_an_unknown_locality_shows_everyone(client, team_lead_user):
    clinician("jo", localities=["North"])
    client.force_login(team_lead_user)

    page = page_of(client.get(reverse("caseloads:team_caseloads"), {"locality": "Atlantis"}))

    assert 'data-clinician="jo"' in page


@pytest.mark.parametrize("fixture", ["admin_user", "auditor_user", "team_lead_user"])
def test_team_leads_admin_staff_and_auditors_see_the_team_view(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))

    assert client.get(reverse("caseloads:team_caseloads")).status_code == 200


@pytest.mark.parametrize("fixture", ["ot_user", "ota_user", "system_admin_user", "partner_user"])
def test_others_may_not_see_the_team_view(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))

    assert client.get(reverse("caseloads:team_caseloads")).status_code == 403


@pytest.mark.parametrize("how_many", [2, 10])
def test_the_team_view_runs_the_same_number_of_queries_however_many_clinicians(
    client, team_lead_user, django_assert_num_queries, how_many
):
    supervisor = clinician("supervisor")
    for n in range(how_many):
        person = clinician(f"c{n}", role="ota" if n % 2 else "ot", localities=["North"], supervisor=supervisor)
        referral_in(Status.WAITING, priority="routine", clinician=person)
        referral_in(Status.ACCEPTED, clinician=person)
    client.force_login(team_lead_user)

    # session, user, clinicians with their supervisors, counts by status, counts by priority
    with django_assert_num_queries(5):
        response = client.get(reverse("caseloads:team_caseloads"))

    assert response.status_code == 200


# One clinician's caseload -----------------------------------------------------------------------------------------


def test_my_caseload_lists_my_open_referrals_in_waiting_list_order(client, ot_user):
    today = timezone.localdate()
    routine_old = referral_in(
        Status.WAITING, priority="routine", clinician=ot_user, received_date=today - dt.timedelta(days=200)
    )
    urgent_new = referral_in(Status.BOOKED, priority="urgent", clinician=ot_user, received_date=today)
    routine_new = referral_in(
        Status.INVITED, priority="routine", clinician=ot_user, received_date=today - dt.timedelta(days=20)
    )
    untriaged = referral_in(Status.ACCEPTED, clinician=ot_user, received_date=today - dt.timedelta(days=300))
    closed = referral_in(Status.DISCHARGED, priority="urgent", clinician=ot_user)
    someone_elses = referral_in(Status.WAITING, priority="urgent")
    client.force_login(ot_user)

    page = page_of(client.get(reverse("caseloads:my_caseload")))

    order = [urgent_new, routine_old, routine_new, untriaged]
    positions = [page.index(r.reference) for r in order]
    assert positions == sorted(positions)
    assert closed.reference not in page
    assert someone_elses.reference not in page
    assert counts(page, "ot1") == {
        "accepted": 1, "waiting": 1, "invited": 1, "booked": 1,
        "urgent": 1, "soon": 0, "routine": 2, "untriaged": 1, "total": 4,
    }  # fmt: skip
    assert "My caseload" in page
    old_row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{routine_old.reference}(?:(?!</tr>).)*</tr>", page, re.DOTALL)
    assert re.search(r"Weeks waiting </span>\s*28 <strong[^>]*>\(over 18 weeks\)", old_row.group(0))
    assert "app-long-wait" in old_row.group(0)


def test_admin_staff_asking_for_their_own_caseload_see_the_team(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("caseloads:my_caseload"))

    assert response.status_code == 302
    assert response["Location"] == reverse("caseloads:team_caseloads")


def test_a_system_admin_has_no_caseload(client, system_admin_user):
    client.force_login(system_admin_user)

    assert client.get(reverse("caseloads:my_caseload")).status_code == 403


def test_a_clinician_sees_their_own_caseload_by_username_but_not_anyone_elses(client, ot_user, ota_user):
    client.force_login(ota_user)

    assert client.get(reverse("caseloads:show_caseload", args=[ota_user.username])).status_code == 200
    assert client.get(reverse("caseloads:show_caseload", args=[ot_user.username])).status_code == 403
    assert client.get(reverse("caseloads:show_caseload", args=["nobody"])).status_code == 403


@pytest.mark.parametrize("fixture", ["admin_user", "auditor_user", "team_lead_user"])
def test_those_who_see_every_caseload_see_any_clinicians(client, request, ota_user, fixture):
    referral = referral_in(Status.WAITING, priority="soon", clinician=ota_user)
    client.force_login(request.getfixturevalue(fixture))

    page = page_of(client.get(reverse("caseloads:show_caseload", args=[ota_user.username])))

    assert referral.reference in page
    assert "supervised by Test User" in page


def test_the_caseload_of_an_unknown_or_non_clinical_username_is_404(client, team_lead_user, admin_user):
    client.force_login(team_lead_user)

    assert client.get(reverse("caseloads:show_caseload", args=["nobody"])).status_code == 404
    assert client.get(reverse("caseloads:show_caseload", args=[admin_user.username])).status_code == 404


@pytest.mark.parametrize("how_many", [2, 10])
def test_a_caseload_runs_the_same_number_of_queries_however_long(
    client, team_lead_user, ota_user, django_assert_num_queries, how_many
):
    for n in range(how_many):
        referral_in(Status.WAITING if n % 2 else Status.ACCEPTED, priority="soon" if n % 2 else "", clinician=ota_user)
    client.force_login(team_lead_user)

    # session, user, the clinician with their supervisor, counts by status and by priority, count, page of referrals
    with django_assert_num_queries(7):
        response = client.get(reverse("caseloads:show_caseload", args=[ota_user.username]))

    assert response.status_code == 200
