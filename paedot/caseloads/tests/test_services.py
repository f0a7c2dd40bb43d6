"""Allocating a referral to a clinician, transferring it with a reason, and counting caseloads."""

from __future__ import annotations

import pytest

from paedot.caseloads.models import Allocation
from paedot.caseloads.services import allocate_referral as allocate
from paedot.caseloads.services import caseloads
from paedot.core.models import AuditEvent
from paedot.referrals.models import Referral, Status
from paedot.referrals.services import NotAllowed, TransitionRefused
from paedot.staff.services import create_staff_user
from paedot.triage.tests.factories import referral_in, waiting_referral

pytestmark = pytest.mark.django_db


def staff(role: str, username: str | None = None):
    return create_staff_user(
        username=username or f"{role}-x", role=role, password="a-long-test-password-1", full_name=f"Sam {role.title()}"
    )


def events(referral, action):
    return AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk), action=action)


def test_a_waiting_referral_is_allocated_to_a_clinician(admin_user, ot_user, team_lead_user):
    referral = waiting_referral(screened_by=admin_user, triaged_by=ot_user)

    allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user)

    assert Referral.objects.get(pk=referral.pk).clinician == ot_user
    allocation = Allocation.objects.get(referral=referral)
    assert (allocation.clinician, allocation.allocated_by, allocation.ended_at) == (ot_user, team_lead_user, None)
    event = events(referral, "referral.allocated").get()
    assert event.detail["clinician"] == ot_user.username


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.WAITING, Status.INVITED, Status.BOOKED])
def test_any_open_accepted_referral_can_be_allocated(admin_user, ota_user, status):
    referral = referral_in(status)

    allocate(referral=referral, clinician=ota_user, allocated_by=admin_user)

    assert Referral.objects.get(pk=referral.pk).clinician == ota_user


def test_a_transfer_needs_a_reason_and_changes_nothing_without_one(admin_user, ot_user, ota_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")
    allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user)

    with pytest.raises(ValueError, match="Say why the child is moving from Test User's caseload"):
        allocate(referral=referral, clinician=ota_user, allocated_by=team_lead_user, reason="  ")

    assert Referral.objects.get(pk=referral.pk).clinician == ot_user
    assert Allocation.objects.get(referral=referral, ended_at__isnull=True).clinician == ot_user
    assert not events(referral, "referral.transferred").exists()


def test_a_transfer_with_a_reason_ends_the_old_allocation_and_keeps_the_reason(
    admin_user, ot_user, ota_user, team_lead_user
):
    referral = referral_in(Status.WAITING, priority="routine")
    allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user)

    allocate(referral=referral, clinician=ota_user, allocated_by=admin_user, reason="  Closer to the family.  ")

    assert Referral.objects.get(pk=referral.pk).clinician == ota_user
    old, new = Allocation.objects.filter(referral=referral).order_by("created_at", "id")
    assert old.clinician == ot_user and old.ended_at is not None
    assert (new.clinician, new.reason, new.ended_at) == (ota_user, "Closer to the family.", None)
    event = events(referral, "referral.transferred").get()
    assert event.reason == "Closer to the family."
    assert event.detail == {"clinician": ota_user.username, "from": ot_user.username}


def test_allocating_to_the_same_clinician_again_is_refused(ot_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="soon")
    allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user)

    with pytest.raises(TransitionRefused, match="already allocated to Test User"):
        allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user, reason="Again")

    assert Allocation.objects.filter(referral=referral).count() == 1


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.INFORMATION_REQUESTED, Status.DECLINED, Status.DISCHARGED])
def test_a_referral_not_accepted_or_closed_cannot_be_allocated(ot_user, team_lead_user, status):
    referral = referral_in(status)

    with pytest.raises(TransitionRefused, match="only an accepted, open referral can be allocated"):
        allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user)

    assert Referral.objects.get(pk=referral.pk).clinician is None
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("role", ["clinical_admin", "auditor", "system_admin", "partner_system"])
def test_only_clinicians_can_hold_a_caseload(team_lead_user, role):
    referral = referral_in(Status.WAITING, priority="routine")

    with pytest.raises(ValueError, match="cannot hold a caseload"):
        allocate(referral=referral, clinician=staff(role), allocated_by=team_lead_user)

    assert Referral.objects.get(pk=referral.pk).clinician is None


def test_a_clinician_who_has_left_cannot_be_allocated(ot_user, team_lead_user):
    referral = referral_in(Status.WAITING, priority="routine")
    ot_user.is_active = False
    ot_user.save(update_fields=["is_active"])

    with pytest.raises(ValueError, match="cannot hold a caseload"):
        allocate(referral=referral, clinician=ot_user, allocated_by=team_lead_user)


@pytest.mark.parametrize("role", ["team_lead", "clinical_admin"])
def test_team_leads_and_admin_staff_may_allocate(ot_user, role):
    referral = referral_in(Status.WAITING, priority="routine")

    allocate(referral=referral, clinician=ot_user, allocated_by=staff(role, "allocator"))

    assert Referral.objects.get(pk=referral.pk).clinician == ot_user


@pytest.mark.parametrize("role", ["ot", "ota", "auditor", "system_admin", "partner_system"])
def test_other_roles_may_not_allocate(ot_user, role):
    referral = referral_in(Status.WAITING, priority="routine")

    with pytest.raises(NotAllowed, match="Only team leads and clinical admin staff"):
        allocate(referral=referral, clinician=ot_user, allocated_by=staff(role, "allocator"))

    assert Referral.objects.get(pk=referral.pk).clinician is None


# Counting caseloads -----------------------------------------------------------------------------------------------


def test_caseloads_count_open_referrals_by_status_and_priority(admin_user, ot_user, ota_user, team_lead_user):
    for status, priority in [
        (Status.ACCEPTED, ""),
        (Status.WAITING, "urgent"),
        (Status.WAITING, "routine"),
        (Status.INVITED, "soon"),
        (Status.BOOKED, "routine"),
        (Status.DISCHARGED, "routine"),  # closed: not on a caseload
    ]:
        referral_in(status, priority=priority, clinician=ot_user)
    referral_in(Status.WAITING, priority="soon", clinician=ota_user)
    referral_in(Status.WAITING, priority="soon")  # not allocated

    ot, ota, lead = caseloads([ot_user, ota_user, team_lead_user])

    assert ot.clinician == ot_user
    assert ot.by_status == {"accepted": 1, "waiting": 2, "invited": 1, "booked": 1}
    assert ot.by_priority == {"untriaged": 1, "urgent": 1, "soon": 1, "routine": 2}
    assert ot.total == 5
    assert (ota.by_status, ota.by_priority, ota.total) == ({"waiting": 1}, {"soon": 1}, 1)
    assert (lead.by_status, lead.by_priority, lead.total) == ({}, {}, 0)


@pytest.mark.parametrize("how_many", [2, 10])
def test_caseloads_take_two_queries_however_many_clinicians(django_assert_num_queries, how_many):
    people = [staff("ot", f"ot-{n}") for n in range(how_many)]
    for person in people:
        referral_in(Status.WAITING, priority="routine", clinician=person)

    with django_assert_num_queries(2):
        loads = caseloads(people)

    assert [load.total for load in loads] == [1] * how_many


def test_no_clinicians_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert caseloads([]) == []
