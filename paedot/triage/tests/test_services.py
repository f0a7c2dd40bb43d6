"""Triage moves an accepted referral onto the waiting list, keeping the suggestion and any reason to differ."""

from __future__ import annotations

import pytest

from paedot.core.models import AuditEvent
from paedot.referrals.models import Referral, Status
from paedot.referrals.services import NotAllowed, TransitionRefused
from paedot.staff.services import create_staff_user
from paedot.triage.models import Triage
from paedot.triage.services import suggestion_for, triage_referral
from paedot.triage.tests.factories import accepted_referral, referral_in

pytestmark = pytest.mark.django_db


def triage(referral, by, **overrides):
    values = {"priority": "routine", "pathway": "package_of_care", "setting": "school", "notes": ""}
    values.update(overrides)
    return triage_referral(referral=referral, triaged_by=by, **values)


def snapshot(referral):
    fresh = Referral.objects.get(pk=referral.pk)
    return (fresh.status, fresh.priority, fresh.priority_rank, fresh.pathway, fresh.first_setting, fresh.triaged_at)


def test_triage_moves_an_accepted_referral_to_waiting_with_priority_pathway_and_setting(admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)

    triage(referral, ot_user, priority="routine", pathway="group", setting="nursery", notes="  Assess pencil grip. ")

    referral.refresh_from_db()
    assert referral.status == Status.WAITING
    assert (referral.priority, referral.priority_rank) == ("routine", 3)
    assert (referral.pathway, referral.first_setting) == ("group", "nursery")
    assert referral.triaged_at is not None
    record = Triage.objects.get(referral=referral)
    assert (record.priority, record.suggested_priority, record.triaged_by) == ("routine", "routine", ot_user)
    assert record.notes == "Assess pencil grip."
    assert record.suggestion_reasons == [
        {"code": "no_priority_indicators", "message": suggestion_for(referral).reasons[0].message}
    ]
    assert AuditEvent.objects.filter(action="referral.triaged", object_id=str(referral.pk)).count() == 1


def test_an_urgent_suggestion_is_kept_with_its_reasons(admin_user, team_lead_user):
    referral = accepted_referral(
        screened_by=admin_user, difficulties=("feeding",), description="He chokes on solid food."
    )

    triage(referral, team_lead_user, priority="urgent")

    record = Triage.objects.get(referral=referral)
    assert record.suggested_priority == "urgent"
    assert [r["code"] for r in record.suggestion_reasons] == ["feeding_safety"]
    assert Referral.objects.get(pk=referral.pk).priority_rank == 1


def test_differing_from_the_suggestion_keeps_the_reason(admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)

    triage(referral, ot_user, priority="soon", reason_for_difference="  Family moving school next month. ")

    record = Triage.objects.get(referral=referral)
    assert (record.priority, record.suggested_priority) == ("soon", "routine")
    assert record.reason_for_difference == "Family moving school next month."
    assert Referral.objects.get(pk=referral.pk).priority_rank == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_differing_without_a_reason_is_refused_and_changes_nothing(admin_user, ot_user, reason):
    referral = accepted_referral(screened_by=admin_user)
    before = snapshot(referral)

    with pytest.raises(ValueError, match="suggested priority is routine"):
        triage(referral, ot_user, priority="urgent", reason_for_difference=reason)

    assert snapshot(referral) == before
    assert not Triage.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("priority", "very_urgent"), ("pathway", "surgery"), ("setting", "moon")])
def test_an_unknown_choice_is_refused(admin_user, ot_user, field, value):
    referral = accepted_referral(screened_by=admin_user)
    before = snapshot(referral)

    with pytest.raises(ValueError, match=f"Choose a {field}"):
        triage(referral, ot_user, **{field: value})

    assert snapshot(referral) == before


@pytest.mark.parametrize(
    "status",
    [s for s in Status if s != Status.ACCEPTED],
)
def test_only_an_accepted_referral_can_be_triaged(ot_user, status):
    referral = referral_in(status)
    before = snapshot(referral)
    events = AuditEvent.objects.count()

    with pytest.raises(TransitionRefused, match=referral.reference):
        triage(referral, ot_user)

    assert snapshot(referral) == before
    assert not Triage.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_referral_cannot_be_triaged_twice(admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    triage(referral, ot_user)

    with pytest.raises(TransitionRefused, match="on the waiting list"):
        triage(referral, ot_user)

    assert Triage.objects.count() == 1


@pytest.mark.parametrize("role", ["ot", "team_lead"])
def test_ots_and_team_leads_may_triage(admin_user, role):
    referral = accepted_referral(screened_by=admin_user)
    clinician = create_staff_user(username=f"{role}-x", role=role, password="a-long-test-password-1")

    triage(referral, clinician)

    assert Referral.objects.get(pk=referral.pk).status == Status.WAITING


@pytest.mark.parametrize("role", ["ota", "clinical_admin", "auditor", "system_admin", "partner_system"])
def test_other_roles_may_not_triage(admin_user, role):
    referral = accepted_referral(screened_by=admin_user)
    before = snapshot(referral)
    person = create_staff_user(username=f"{role}-x", role=role, password="a-long-test-password-1")

    with pytest.raises(NotAllowed, match="Only OTs and team leads"):
        triage(referral, person)

    assert snapshot(referral) == before
    assert not Triage.objects.exists()


def test_a_referral_that_cannot_be_triaged_is_refused_before_its_answers_are_checked(admin_user, ot_user):
    referral = accepted_referral(screened_by=admin_user)
    triage(referral, ot_user)

    with pytest.raises(TransitionRefused):
        triage(referral, ot_user, priority="urgent", reason_for_difference="")
