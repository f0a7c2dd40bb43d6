"""Every change to a child's record goes to the audit trail with what it was before and after."""

from __future__ import annotations

import pytest

from paedot.core.models import AuditEvent
from paedot.referrals.models import Referral
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db


def test_saving_a_changed_record_writes_each_field_before_and_after():
    referral = Referral.objects.get(pk=referral_in("waiting").pk)
    referral.school_name = "Hillside Primary"
    referral.priority = "urgent"
    referral.save()
    event = AuditEvent.objects.filter(action="referrals.referral.changed").latest("id")
    changes = event.detail["changes"]
    assert changes["school_name"]["after"] == "Hillside Primary"
    assert changes["priority"] == {"before": "routine", "after": "urgent"} or changes["priority"]["after"] == "urgent"
    assert "updated_at" not in changes
    assert event.object_id == str(referral.pk)


def test_a_save_that_changes_nothing_writes_nothing():
    referral = Referral.objects.get(pk=referral_in("waiting").pk)
    before = AuditEvent.objects.filter(action="referrals.referral.changed").count()
    referral.save()
    assert AuditEvent.objects.filter(action="referrals.referral.changed").count() == before


def test_a_change_made_through_the_api_names_the_person_whose_token_made_it(client):
    from paedot.staff.services import issue_api_token

    referral = referral_in("accepted")
    lead = staff("team_lead", "lead-changes")
    before = AuditEvent.objects.filter(action="referrals.referral.changed").count()
    response = client.post(
        f"/api/referrals/{referral.reference}/triage",
        {
            "priority": "urgent",
            "pathway": "package_of_care",
            "setting": "school",
            "notes": "Falls at school.",
            "reason_for_difference": "Two falls at school this week.",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=lead, name='t')}",
    )
    assert response.status_code == 200, response.content
    events = AuditEvent.objects.filter(action="referrals.referral.changed").order_by("id")[before:]
    assert events and all(event.actor == lead for event in events)
    assert any(event.detail["changes"].get("priority", {}).get("after") == "urgent" for event in events)


def test_a_childs_details_changed_are_audited_against_the_child():
    child = referral_in("waiting").child
    child.refresh_from_db()
    child.postcode = "B99 9ZZ"
    child.save()
    event = AuditEvent.objects.filter(action="children.child.changed").latest("id")
    assert event.child_id == child.pk
    assert event.detail["changes"]["postcode"]["after"] == "B99 9ZZ"
