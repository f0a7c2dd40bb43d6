"""Raising, reviewing and ending alerts: who may, on whose record, what is kept and what the audit trail says."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.alerts.models import Alert
from paedot.alerts.services import AlertError, alerts_for_visit, end_alert, raise_alert, review_alert
from paedot.alerts.tests.factories import alert_on
from paedot.core.models import AuditEvent
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import referral_in, staff
from paedot.restricted_records.services import restrict_record

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 3, 10)
SECRET = "Dad must not be told where the child lives"


@pytest.fixture
def referral():
    return referral_in("accepted")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_an_alert_is_raised_on_the_child_with_a_review_date_six_months_on(referral, admin_user):
    alert = raise_alert(
        referral=referral,
        category="contact_restriction",
        text=SECRET,
        details="Court order, March 2027.",
        by=admin_user,
    )

    assert alert.child_id == referral.child_id
    assert alert.in_force and alert.raised_by == admin_user
    assert alert.review_on == dt.date(2027, 9, 10)
    assert (alert.text, alert.details) == (SECRET, "Court order, March 2027.")


def test_raising_is_audited_with_the_category_and_never_the_words(referral, ot_user):
    alert = raise_alert(
        referral=referral, category="contact_restriction", text=SECRET, details="Court order.", by=ot_user
    )

    (event,) = events("alert.raised")
    assert event.actor == ot_user and event.child_id == referral.child_id
    assert event.object_type == "alerts.alert" and event.object_id == str(alert.pk)
    assert event.detail == {
        "alert": alert.pk,
        "category": "contact_restriction",
        "referral": referral.reference,
        "review_on": "2027-09-10",
    }
    assert "Dad" not in str(event.detail) and "Court" not in str(event.detail) and event.reason == ""


@pytest.mark.parametrize("role", ["clinical_admin", "ot", "ota", "team_lead"])
def test_admin_staff_clinicians_assistants_and_team_leads_raise_alerts(referral, role):
    alert_on(referral, by=staff(role, f"{role}-alerts"))
    assert Alert.objects.filter(child=referral.child).count() == 1


@pytest.mark.parametrize("role", ["auditor", "commissioner", "system_admin", "partner_system"])
def test_auditors_commissioners_system_admins_and_partner_systems_may_not_raise_one(referral, role):
    with pytest.raises(NotAllowed):
        alert_on(referral, by=staff(role, f"{role}-alerts"))
    assert not Alert.objects.exists()


def test_nobody_raises_an_alert_on_a_restricted_record_they_are_not_named_on(referral, team_lead_user, ot_user):
    restrict_record(child=referral.child, reason="Safeguarding (synthetic)", named_staff=[], by=team_lead_user)
    referral.refresh_from_db()

    with pytest.raises(NotAllowed):
        alert_on(referral, by=ot_user)
    alert_on(referral, by=team_lead_user)  # named: the person restricting it always is
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   "}, "text", "Enter what staff need to know"),
        ({"text": "x" * 161}, "text", "The alert must be 160 characters or fewer"),
        ({"category": "gossip"}, "category", "Choose what kind of alert this is"),
        ({"review_on": TODAY}, "review_on", "The review date must be after today"),
        ({"review_on": dt.date(2028, 3, 11)}, "review_on", "The review date must be within 12 months"),
    ],
)
def test_bad_input_is_refused_naming_the_field(referral, ot_user, fields, field, message):
    with pytest.raises(AlertError) as refused:
        alert_on(referral, by=ot_user, **fields)
    assert refused.value.field == field and refused.value.message.startswith(message)
    assert not Alert.objects.exists()


def test_the_same_alert_twice_is_refused_while_the_first_is_in_force(referral, ot_user):
    first = alert_on(referral, by=ot_user)
    with pytest.raises(TransitionRefused, match="already in force"):
        alert_on(referral, by=ot_user)
    end_alert(alert=first, reason="Dog rehomed", by=ot_user)
    alert_on(referral, by=ot_user)  # the concern came back: raised again
    assert Alert.objects.count() == 2


def test_a_review_keeps_the_alert_and_moves_its_review_date(referral, ot_user, team_lead_user):
    alert = alert_on(referral, by=ot_user)

    reviewed = review_alert(alert=alert, by=team_lead_user)
    again = review_alert(alert=alert, review_on=dt.date(2027, 4, 30), by=team_lead_user)

    assert reviewed.in_force and again.review_on == dt.date(2027, 4, 30)
    assert again.reviewed_by == team_lead_user and again.reviewed_at is not None
    first, second = events("alert.reviewed")
    assert first.detail == {
        "alert": alert.pk,
        "category": "risk_to_staff",
        "review_on": "2027-09-10",
        "previous_review_on": "2027-09-10",
    }
    assert second.detail["review_on"] == "2027-04-30" and "Dog" not in str(second.detail)


def test_an_alert_is_ended_with_a_reason_kept_on_it_and_not_in_the_audit_trail(referral, ot_user):
    alert = alert_on(referral, by=ot_user)

    ended = end_alert(alert=alert, reason="  The child protection plan ended at conference.  ", by=ot_user)

    assert not ended.in_force and ended.ended_by == ot_user
    assert ended.end_reason == "The child protection plan ended at conference."
    (event,) = events("alert.ended")
    assert event.detail == {"alert": alert.pk, "category": "risk_to_staff"} and event.reason == ""


def test_an_alert_is_not_ended_without_a_reason(referral, ot_user):
    alert = alert_on(referral, by=ot_user)
    with pytest.raises(AlertError) as refused:
        end_alert(alert=alert, reason=" ", by=ot_user)
    assert refused.value.field == "reason"
    assert Alert.objects.get(pk=alert.pk).in_force


def test_an_ended_alert_is_never_reviewed_or_ended_again(referral, ot_user):
    alert = end_alert(alert=alert_on(referral, by=ot_user), reason="Moved house", by=ot_user)
    with pytest.raises(TransitionRefused):
        review_alert(alert=alert, by=ot_user)
    with pytest.raises(TransitionRefused):
        end_alert(alert=alert, reason="Again", by=ot_user)
    assert Alert.objects.get(pk=alert.pk).end_reason == "Moved house"


def test_an_auditor_may_not_review_or_end_an_alert(referral, ot_user, auditor_user):
    alert = alert_on(referral, by=ot_user)
    with pytest.raises(NotAllowed):
        review_alert(alert=alert, by=auditor_user)
    with pytest.raises(NotAllowed):
        end_alert(alert=alert, reason="No", by=auditor_user)


def test_alerts_of_a_restricted_record_are_hidden_with_it_and_cannot_be_changed(referral, ot_user, team_lead_user):
    alert = alert_on(referral, by=ot_user)
    restrict_record(child=referral.child, reason="Safeguarding (synthetic)", named_staff=[], by=team_lead_user)

    assert not Alert.objects.visible_to(ot_user).exists()
    assert list(Alert.objects.visible_to(team_lead_user)) == [alert]
    with pytest.raises(NotAllowed):
        end_alert(alert=alert, reason="Hidden", by=ot_user)


def test_another_localitys_child_and_its_alerts_are_not_seen(ot_user):
    from paedot.attention.tests.factories import person, referral_at

    south = referral_at("accepted", received=TODAY, locality="South")
    alert = alert_on(south, by=ot_user)
    north_ot = person("ot", "ot-north-alerts", localities=["North"])

    assert not Alert.objects.visible_to(north_ot).exists()
    with pytest.raises(NotAllowed):
        review_alert(alert=alert, by=north_ot)


def test_a_merge_keeps_the_merged_records_alerts_with_the_surviving_child(ot_user, admin_user):
    """A child referred twice and merged: the alert raised on the second record shows with the first, and the merged
    record's spelling stays as it was."""
    from paedot.referrals.models import PossibleDuplicate
    from paedot.referrals.services.duplicates import merge_duplicate

    first = referral_in("discharged", child={"given_name": "Ana"})
    second = referral_in("received", child={"given_name": "Anna"})
    alert = alert_on(second, category="communication_needs", text="Mum is deaf: BSL interpreter", by=ot_user)
    flag = PossibleDuplicate.objects.create(
        referral=second, existing_referral=first, strength="likely", score=0.9, reasons=[]
    )

    merge_duplicate(flag=flag, reason="Same child: same school and parent", resolved_by=admin_user)

    assert alert.child_id != first.child_id
    assert list(Alert.objects.in_force().of_child(first.child_id)) == [alert]
    assert list(Alert.objects.visible_to(ot_user)) == [alert]


def test_a_home_visit_is_told_of_the_risks_contact_restrictions_communication_and_safeguarding(referral, ot_user):
    dog = alert_on(referral, category="risk_to_staff", text="Dog", by=ot_user)
    plan = alert_on(referral, category="child_protection_plan", text="Plan", by=ot_user)
    alert_on(referral, category="other", text="Prefers mornings", by=ot_user)
    end_alert(alert=alert_on(referral, category="contact_restriction", text="Old", by=ot_user), reason="x", by=ot_user)

    assert alerts_for_visit(referral) == [plan, dog]
