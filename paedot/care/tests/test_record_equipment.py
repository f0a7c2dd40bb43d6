"""Equipment and splints: issuing (which opens the episode), reviewing, returning, the daily review reminder and
the page of reviews due; the pages and the API, and who may do each."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.care.models import EquipmentIssue
from paedot.care.services.equipment import (
    equipment_reviews_due,
    issue_equipment,
    record_equipment_review,
    record_return,
    send_equipment_review_reminders,
)
from paedot.care.tests.test_record_support import bearer, child_with_episode
from paedot.core.models import AuditEvent
from paedot.notifications.models import Message
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import referral_in, staff

pytestmark = pytest.mark.django_db

TODAY = "2027-03-01 09:00 +00:00"
D = dt.date


REVIEW_ON = D(2027, 3, 15)


def issue(referral, review_on=REVIEW_ON, **kwargs):
    return issue_equipment(
        referral=referral,
        kind=kwargs.pop("kind", "splint"),
        item=kwargs.pop("item", "Resting splint, left hand"),
        issued_on=kwargs.pop("issued_on", D(2027, 3, 1)),
        review_on=review_on,
        issued_by=kwargs.pop("issued_by", staff("ot")),
        **kwargs,
    )


@time_machine.travel(TODAY, tick=False)
def test_issuing_equipment_on_an_accepted_referral_opens_its_episode():
    referral = referral_in("waiting")
    item = issue(referral)
    assert item.episode.referral == referral
    assert item.episode.opened_by == staff("ot")
    assert AuditEvent.objects.filter(action="equipment.issued", child_id=referral.child_id).exists()


@time_machine.travel(TODAY, tick=False)
def test_equipment_cannot_be_issued_on_a_declined_referral_or_by_an_admin():
    with pytest.raises(TransitionRefused):
        issue(referral_in("declined"))
    with pytest.raises(NotAllowed):
        issue(referral_in("seen"), issued_by=staff("clinical_admin"))


@time_machine.travel(TODAY, tick=False)
def test_dates_are_checked():
    referral = referral_in("seen")
    with pytest.raises(ValueError, match="today or in the past"):
        issue(referral, issued_on=D(2027, 3, 2))
    with pytest.raises(ValueError, match="on or after"):
        issue(referral, review_on=D(2027, 2, 1))


@time_machine.travel(TODAY, tick=False)
def test_a_review_adds_its_note_and_sets_the_next_date():
    item = issue(referral_in("seen"), notes="Wear at night.")
    item.reminder_sent_on = D(2027, 3, 1)
    item.save()
    reviewed = record_equipment_review(issue=item, next_review_on=D(2027, 6, 1), note="Fits well.", by=staff("ot"))
    assert reviewed.review_on == D(2027, 6, 1)
    assert reviewed.reminder_sent_on is None
    assert reviewed.notes.startswith("Wear at night.\nReviewed on 1 March 2027 by")
    assert reviewed.notes.endswith("Fits well.")


@time_machine.travel(TODAY, tick=False)
def test_a_return_is_recorded_once():
    item = issue(referral_in("seen"))
    record_return(issue=item, returned_on=D(2027, 3, 1), by=staff("ota", "ota-eq"))
    assert EquipmentIssue.objects.get(pk=item.pk).returned_on == D(2027, 3, 1)
    with pytest.raises(TransitionRefused, match="returned"):
        record_return(issue=item, returned_on=D(2027, 3, 1), by=staff("ot"))
    with pytest.raises(TransitionRefused):
        record_equipment_review(issue=item, next_review_on=None, note="x", by=staff("ot"))


def test_the_daily_job_reminds_once_per_review_date():
    with time_machine.travel(TODAY, tick=False):
        referral = referral_in("seen")
        clinician = staff("ot")
        clinician.email = "ot@example.nhs.uk"
        clinician.save()
        due = issue(referral, review_on=D(2027, 3, 10))
        later = issue(referral, review_on=D(2027, 4, 1), item="Writing slope", kind="equipment")
        returned = issue(referral, review_on=D(2027, 3, 5), item="Chair insert", kind="equipment")
        record_return(issue=returned, returned_on=D(2027, 3, 1), by=clinician)
    assert send_equipment_review_reminders(D(2027, 3, 10)) == 1
    assert send_equipment_review_reminders(D(2027, 3, 11)) == 0
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.reminder_sent_on == D(2027, 3, 10)
    assert later.reminder_sent_on is None
    assert AuditEvent.objects.filter(action="equipment.review_reminder", object_id=str(due.pk)).count() == 1
    [email] = Message.objects.filter(reference__startswith=f"equipment:{due.pk}:")
    assert email.recipient == "ot@example.nhs.uk"
    # The email names the referral, never the child.
    assert referral.reference in email.body and referral.child.family_name not in email.body
    assert list(equipment_reviews_due(D(2027, 3, 10))) == [due]


def test_the_reviews_due_page_lists_items_whose_date_has_come(client):
    with time_machine.travel(TODAY, tick=False):
        referral = referral_in("seen")
        issue(referral, review_on=D(2027, 3, 2), item="Pencil grip", kind="equipment")
        issue(referral, review_on=D(2027, 5, 1), item="Wobble cushion", kind="equipment")
    with time_machine.travel("2027-03-03 09:00 +00:00", tick=False):
        client.force_login(staff("clinical_admin"))
        response = client.get("/staff/care/equipment-due")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pencil grip" in page and "Wobble cushion" not in page
    assert referral.child.full_name in page


@time_machine.travel(TODAY, tick=False)
def test_the_issue_page_records_the_item_and_keeps_what_was_typed_on_error(client):
    referral = referral_in("seen")
    client.force_login(staff("ota", "ota-eq-page"))
    form = {
        "kind": "splint",
        "item": "Thumb splint",
        "issued_on_day": "1",
        "issued_on_month": "3",
        "issued_on_year": "2027",
        "review_on_day": "1",
        "review_on_month": "2",
        "review_on_year": "2027",
        "notes": "",
    }
    response = client.post(f"/staff/care/{referral.reference}/equipment/new", form)
    assert response.status_code == 400
    assert "Thumb splint" in response.content.decode()
    assert "The review date must be on or after" in response.content.decode()
    response = client.post(f"/staff/care/{referral.reference}/equipment/new", {**form, "review_on_month": "6"})
    assert response.status_code == 302
    item = EquipmentIssue.objects.get(episode__referral=referral)
    assert item.review_on == D(2027, 6, 1)
    page = client.get(f"/staff/care/{referral.reference}/").content.decode()
    assert "Thumb splint" in page and "1 June 2027" in page


@time_machine.travel(TODAY, tick=False)
def test_the_return_and_review_pages(client):
    referral = referral_in("seen")
    item = issue(referral)
    client.force_login(staff("ot"))
    base = f"/staff/care/{referral.reference}/equipment/{item.pk}"
    response = client.post(f"{base}/review", {"note": "Still fits."})
    assert response.status_code == 302
    assert EquipmentIssue.objects.get(pk=item.pk).review_on is None
    response = client.post(
        f"{base}/return", {"returned_on_day": "1", "returned_on_month": "3", "returned_on_year": "2027"}
    )
    assert response.status_code == 302
    assert EquipmentIssue.objects.get(pk=item.pk).returned_on == D(2027, 3, 1)
    response = client.post(
        f"{base}/return", {"returned_on_day": "1", "returned_on_month": "3", "returned_on_year": "2027"}
    )
    assert response.status_code == 409


@time_machine.travel(TODAY, tick=False)
def test_an_admin_may_not_open_the_issue_page(client):
    referral = referral_in("seen")
    client.force_login(staff("clinical_admin"))
    assert client.get(f"/staff/care/{referral.reference}/equipment/new").status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_the_equipment_api(client):
    referral, _ = child_with_episode()
    headers = bearer("ot")
    response = client.post(
        f"/api/referrals/{referral.reference}/equipment",
        {"kind": "equipment", "item": "Writing slope", "issued_on": "2027-03-01", "review_on": "2027-06-01"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["item"] == "Writing slope" and created["on_loan"] is True
    assert created["review_on"] == "2027-06-01" and created["issued_by"] == "ot-care-api"
    listed = client.get(f"/api/referrals/{referral.reference}/equipment", **headers).json()
    assert [e["id"] for e in listed] == [created["id"]]
    response = client.post(
        f"/api/equipment/{created['id']}/review",
        {"note": "Good.", "next_review_on": "2027-09-01"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200 and response.json()["review_on"] == "2027-09-01"
    response = client.post(
        f"/api/equipment/{created['id']}/return",
        {"returned_on": "2027-03-01"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200 and response.json()["on_loan"] is False
    again = client.post(
        f"/api/equipment/{created['id']}/return",
        {"returned_on": "2027-03-01"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 409


@time_machine.travel(TODAY, tick=False)
def test_the_equipment_api_refuses_an_admin_and_bad_dates(client):
    referral, _ = child_with_episode()
    body = {"kind": "splint", "item": "Splint", "issued_on": "2027-03-01"}
    path = f"/api/referrals/{referral.reference}/equipment"
    assert client.post(path, body, content_type="application/json", **bearer("clinical_admin")).status_code == 403
    response = client.post(path, {**body, "issued_on": "2027-04-01"}, content_type="application/json", **bearer("ot"))
    assert response.status_code == 400
    assert "today or in the past" in response.json()["message"]
