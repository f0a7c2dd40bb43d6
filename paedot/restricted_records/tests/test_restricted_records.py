"""Restricted records, locality scoping, and breaking the glass: who sees a child, and what is written down when
someone not usually allowed opens the record."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from paedot.core.models import AuditEvent
from paedot.notifications.models import Message
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import NotAllowed
from paedot.referrals.tests.factories import referral_in, staff
from paedot.restricted_records.services import BREAK_GLASS_HOURS, break_glass, lift_restriction, restrict_record
from paedot.staff.services import create_staff_user, issue_api_token

pytestmark = pytest.mark.django_db


def person(role: str, username: str, localities=(), email: str = ""):
    user = create_staff_user(username=username, role=role, password="a-long-test-password-1", full_name=username)
    user.localities = list(localities)
    user.email = email
    user.save()
    return user


def placed(status: str, locality: str, **overrides):
    referral = referral_in(status, **overrides)
    Referral.objects.filter(pk=referral.pk).update(locality=locality)
    referral.locality = locality
    return referral


def visible(user, referral) -> bool:
    return Referral.objects.visible_to(user).filter(pk=referral.pk).exists()


def test_a_clinician_with_localities_sees_those_localities_and_their_own_caseload_only():
    north = placed("waiting", "North")
    south = placed("waiting", "South")
    ot = person("ot", "ot-north", ["North"])
    assert visible(ot, north) and not visible(ot, south)
    Referral.objects.filter(pk=south.pk).update(clinician=ot)
    assert visible(ot, south)


def test_staff_with_no_locality_work_citywide_and_unplaced_referrals_are_seen_by_all():
    south = placed("waiting", "South")
    unplaced = placed("received", "")
    assert visible(person("ot", "ot-citywide"), south)
    assert visible(person("ot", "ot-west", ["West"]), unplaced)


def test_a_restricted_record_is_open_only_to_the_named_staff():
    referral = placed("waiting", "North")
    lead = person("team_lead", "lead-r")
    named = person("ot", "ot-named")
    other = person("ot", "ot-other")
    restrict_record(child=referral.child, reason="Safeguarding: child protection plan.", named_staff=[named], by=lead)
    assert visible(named, referral) and visible(lead, referral)
    assert not visible(other, referral)
    event = AuditEvent.objects.get(action="record.restricted")
    assert event.reason == "Safeguarding: child protection plan."


def test_only_a_team_lead_restricts_a_record():
    referral = referral_in("waiting")
    with pytest.raises(NotAllowed):
        restrict_record(child=referral.child, reason="x", named_staff=[], by=person("ot", "ot-x"))


def test_breaking_the_glass_opens_the_record_for_a_shift_audits_it_and_tells_the_team_leads():
    referral = placed("waiting", "North")
    lead = person("team_lead", "lead-g", email="lead@example.nhs.uk")
    other = person("ot", "ot-glass")
    restrict_record(child=referral.child, reason="Staff member's child.", named_staff=[], by=lead)
    with time_machine.travel(timezone.now(), tick=False):
        break_glass(referral=referral, user=other, reason="Urgent call from school about a fall.")
        assert visible(other, referral)
    event = AuditEvent.objects.get(action="record.break_glass")
    assert event.actor == other and event.reason == "Urgent call from school about a fall."
    assert event.child_id == referral.child_id
    alert = Message.objects.get(recipient="lead@example.nhs.uk")
    assert referral.reference in alert.subject and referral.child.family_name not in alert.body
    with time_machine.travel(timezone.now() + dt.timedelta(hours=BREAK_GLASS_HOURS, minutes=1)):
        assert not visible(other, referral)


def test_breaking_the_glass_needs_a_reason_and_a_role_that_cares_for_children():
    referral = referral_in("waiting")
    with pytest.raises(ValueError):
        break_glass(referral=referral, user=person("ot", "ot-noreason"), reason="  ")
    with pytest.raises(NotAllowed):
        break_glass(referral=referral, user=person("auditor", "auditor-g"), reason="Curious")


def test_lifting_the_restriction_opens_the_record_again():
    referral = referral_in("waiting")
    lead = person("team_lead", "lead-l")
    other = person("ot", "ot-l")
    restrict_record(child=referral.child, reason="Safeguarding.", named_staff=[], by=lead)
    lift_restriction(child=referral.child, reason="Plan ended.", by=lead)
    assert visible(other, referral)


def test_the_referral_page_of_a_hidden_record_offers_the_break_glass_page_and_shows_nothing_of_the_child(client):
    referral = referral_in("waiting", child={"given_name": "Zebedee", "family_name": "Hiddenchild"})
    lead = person("team_lead", "lead-p")
    restrict_record(child=referral.child, reason="Safeguarding.", named_staff=[], by=lead)
    client.force_login(person("ot", "ot-page"))
    response = client.get(f"/staff/referrals/{referral.reference}")
    assert response.status_code == 302 and "/break-glass" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 403
    body = page.content.decode()
    assert "restricted record" in body
    assert "Hiddenchild" not in body, body[body.index("Hiddenchild") - 300 : body.index("Hiddenchild") + 50]
    refused = client.post(response["Location"], {"reason": ""})
    assert refused.status_code == 400
    opened = client.post(
        response["Location"], {"reason": "Parent phoned in distress.", "next": f"/staff/referrals/{referral.reference}"}
    )
    assert opened.status_code == 302
    assert "Hiddenchild" in client.get(opened["Location"]).content.decode()


def test_a_wrong_reference_is_still_a_plain_404(client):
    client.force_login(person("ot", "ot-404"))
    assert client.get("/staff/referrals/OT-NOPE-NOPE").status_code == 404


def test_the_api_does_not_reveal_a_restricted_record(client):
    referral = referral_in("waiting")
    restrict_record(child=referral.child, reason="Safeguarding.", named_staff=[], by=person("team_lead", "lead-a"))
    token = issue_api_token(user=person("ot", "ot-api"), name="t")
    response = client.get(f"/api/referrals/{referral.reference}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404


def test_the_episode_of_care_of_a_restricted_child_also_asks_to_break_the_glass(client):
    referral = referral_in("seen")
    restrict_record(child=referral.child, reason="Safeguarding.", named_staff=[], by=staff("team_lead", "lead-e"))
    client.force_login(person("ot", "ot-episode"))
    response = client.get(f"/staff/care/{referral.reference}/")
    assert response.status_code == 302 and "/break-glass" in response["Location"]


def test_a_team_lead_restricts_a_record_from_its_page(client):
    referral = referral_in("waiting")
    named = person("ot", "ot-named-page")
    lead = person("team_lead", "lead-page")
    client.force_login(lead)
    page = client.get(f"/staff/restricted/{referral.reference}/restrict")
    assert page.status_code == 200
    response = client.post(
        f"/staff/restricted/{referral.reference}/restrict",
        {"restrict": "1", "restrict-reason": "Safeguarding.", "restrict-named_staff": [named.pk]},
    )
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).restricted
    assert not visible(person("ot", "ot-not-named"), referral) and visible(named, referral)
