"""Undoing a wrong merge: everything the merge moved or changed goes back, exactly as the merge recorded it, for a
team lead or the person who merged, with a reason that is audited. Refused, changing nothing, when there is no
record of what moved or later work relies on the merge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from paedot.children.models import Child, ParentCarer
from paedot.core.models import AuditEvent
from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.presenters import history_rows
from paedot.referrals.services import NotAllowed, TransitionRefused
from paedot.referrals.services.duplicates import (
    LETTERS_UNCHANGED,
    NO_RECORD,
    dismiss_duplicate,
    merge_duplicate,
    unmerge_duplicate,
)
from paedot.referrals.tests.factories import make_referral, referral_in, staff
from paedot.staff.services import issue_api_token

pytestmark = pytest.mark.django_db

MIA = {"given_name": "Mia", "family_name": "Unmerge", "date_of_birth": dt.date(2017, 6, 2), "postcode": "B21 9RY"}
MYA = {**MIA, "given_name": "Mya"}
NHS_NUMBER = "9434765919"

REFERRAL_FIELDS = (
    "child_id",
    "status",
    "status_changed_at",
    "left_queue_at",
    "closed_at",
    "closing_reason",
    "previous_referral_id",
)


def snapshot(*referrals: Referral) -> dict:
    """What the merge may change, read from the database: referrals, parents and carers, child records."""
    rows = {r.pk: {f: getattr(Referral.objects.get(pk=r.pk), f) for f in REFERRAL_FIELDS} for r in referrals}
    carers = dict(ParentCarer.objects.order_by("pk").values_list("pk", "child_id"))
    children = {c.pk: (c.merged_into_id, c.merged_at) for c in Child.objects.order_by("pk")}
    return {"referrals": rows, "carers": carers, "children": children}


def flag_between(new: Referral, existing: Referral) -> PossibleDuplicate:
    return PossibleDuplicate.objects.get(referral=new, existing_referral=existing)


def merged(new: Referral, existing: Referral, by: str = "ot") -> PossibleDuplicate:
    flag = flag_between(new, existing)
    merge_duplicate(flag=flag, reason="Same child: same school and parent", resolved_by=staff(by))
    flag.refresh_from_db()
    return flag


# What a merge records.


def test_a_merge_records_exactly_what_it_moved_and_changed():
    first = make_referral(child=MIA)
    second = referral_in("accepted", child=MYA)
    carer = second.parent_carer
    flag = merged(second, first)
    record = flag.merge_record
    assert record["into_child_id"] == first.child_id and record["child_id"] == second.child_id
    assert record["referral_ids"] == [second.pk] and record["parent_carer_ids"] == [carer.pk]
    assert record["merged_records"] == [] and record["linked_previous"] is False
    closed = record["closed_referral"]
    assert closed["id"] == second.pk and closed["status_before"] == "accepted"
    assert closed["closing_reason_before"] == "" and closed["closed_at_before"] is None


# Everything goes back.


def test_undoing_a_merge_puts_back_the_child_record_parents_status_and_flag_as_before_the_merge():
    first = referral_in("received", child=MIA)
    second = referral_in("waiting", child=MYA)  # on the waiting list when it was wrongly merged
    before = snapshot(first, second)
    flag = merged(second, first)
    assert Referral.objects.get(pk=second.pk).status == "discharged"

    plan = unmerge_duplicate(flag=flag, reason="Different children: cousins", undone_by=staff("team_lead"))

    assert snapshot(first, second) == before
    assert Referral.objects.on_waiting_list().filter(pk=second.pk).exists()
    assert Child.objects.get(pk=second.child_id).merged_into_id is None
    flag.refresh_from_db()
    assert flag.state == "unmerged"
    assert flag.undone_by == staff("team_lead") and flag.undone_at is not None
    assert flag.undo_reason == "Different children: cousins"
    assert flag.resolution_reason == "Same child: same school and parent"  # the merge's reason is kept
    assert plan.moving_back == (second.reference,) and plan.parent_carers == 1
    assert plan.reopening == second.reference and plan.reopened_status == "waiting"


def test_an_invitation_to_book_closed_while_the_referral_was_closed_is_open_again():
    from paedot.waiting_list.models import Invitation
    from paedot.waiting_list.services import process_invitations

    first = make_referral(child=MIA)
    second = referral_in("invited", child=MYA)
    before = snapshot(first, second)
    flag = merged(second, first)
    process_invitations()  # the daily run closes a closed referral's invitation
    invitation = Invitation.objects.get(referral=second)
    assert invitation.state == "closed"

    plan = unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))

    assert snapshot(first, second) == before
    assert plan.invitations_reopened == 1
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_appointments_cancelled_since_the_merge_are_named_as_not_restored():
    from django.utils import timezone

    from paedot.appointments.models import Appointment
    from paedot.appointments.tests.factories import clinic

    first = make_referral(child=MIA)
    second = referral_in("booked", child=MYA)
    # An appointment held before the merge whose outcome is recorded afterwards as cancelled (a merge is refused
    # while appointments are still to come: test_duplicates.py).
    start = timezone.now() - dt.timedelta(days=2)
    appointment = Appointment.objects.create(
        referral=second,
        clinician=staff("ot"),
        location=clinic(),
        kind="assessment",
        start=start,
        end=start + dt.timedelta(minutes=45),
        booked_by=staff("clinical_admin"),
    )
    flag = merged(second, first)
    assert not Appointment.objects.get(pk=appointment.pk).cancelled  # the merge itself cancels nothing
    Appointment.objects.filter(pk=appointment.pk).update(cancelled=True, outcome_recorded_at=timezone.now())

    plan = unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))

    assert plan.not_restored == ("1 appointment(s) cancelled since the merge are not restored: book them again.",)
    event = AuditEvent.objects.get(action="referral.duplicate_merge_undone", object_id=str(second.pk))
    assert event.detail["not_restored"] == list(plan.not_restored)
    assert Appointment.objects.get(pk=appointment.pk).cancelled


def test_undoing_a_merge_with_a_closed_earlier_referral_removes_the_episode_link():
    first = referral_in("discharged", child=MIA)
    second = make_referral(child=MYA)
    before = snapshot(first, second)
    flag = merged(second, first)
    assert Referral.objects.get(pk=second.pk).previous_referral_id == first.pk

    plan = unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))

    assert snapshot(first, second) == before
    assert Referral.objects.get(pk=second.pk).previous_referral_id is None
    assert plan.unlinking == second.reference and not plan.reopening


def test_records_merged_into_the_separated_one_before_go_back_with_it():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    third = make_referral(child=MYA)  # like both: flagged against each
    earlier = merged(third, second)  # the third's record merged into the second's
    before = snapshot(first, second, third)
    flag = merged(second, first)
    assert Child.objects.get(pk=Referral.objects.get(pk=third.pk).child_id).pk == first.child_id

    unmerge_duplicate(flag=flag, reason="Mia and Mya are different children", undone_by=staff("team_lead"))

    assert snapshot(first, second, third) == before
    assert Child.objects.get(pk=third.child_id).merged_into_id == second.child_id
    assert PossibleDuplicate.objects.get(pk=earlier.pk).state == "merged"


def test_a_merge_of_two_referrals_of_one_child_record_is_undone_by_reopening_the_closed_one():
    first = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})
    second = referral_in("accepted", child={**MIA, "nhs_number": NHS_NUMBER})
    before = snapshot(first, second)
    flag = merged(second, first)

    plan = unmerge_duplicate(flag=flag, reason="Two separate requests: keep both", undone_by=staff("team_lead"))

    assert snapshot(first, second) == before
    assert plan.separated is None and plan.reopened_status == "accepted"


# Audited.


def test_an_undo_is_in_both_referrals_history_with_who_and_why():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    lead = staff("team_lead")
    unmerge_duplicate(flag=flag, reason="Different children: twins", undone_by=lead)

    on_new = AuditEvent.objects.get(action="referral.duplicate_merge_undone", object_id=str(second.pk))
    assert on_new.actor == lead and on_new.reason == "Different children: twins"
    assert on_new.child_id == second.child_id  # the separated record
    assert on_new.detail["from"] == "discharged" and on_new.detail["to"] == "received"
    assert on_new.detail["referrals_moved_back"] == [second.reference]
    assert on_new.detail["letters"] == LETTERS_UNCHANGED
    on_earlier = AuditEvent.objects.get(action="referral.duplicate_merge_undone", object_id=str(first.pk))
    assert on_earlier.child_id == first.child_id and on_earlier.detail["duplicate"] == second.reference
    rows = history_rows(Referral.objects.get(pk=second.pk))
    assert rows[-1]["what"] == "Merge undone: not the same child" and rows[-1]["change"] == "Discharged → Received"


def test_undoing_sends_no_letter_and_changes_none_already_sent():
    from paedot.letters.models import Letter

    first = make_referral(child=MIA)
    second = referral_in("information_requested", child=MYA)  # a letter asking for information was sent
    letters = list(Letter.objects.order_by("pk").values())
    assert letters
    flag = merged(second, first)
    unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))
    assert list(Letter.objects.order_by("pk").values()) == letters
    assert Referral.objects.get(pk=second.pk).status == "information_requested"


# Refused, changing nothing.


def test_a_merge_made_before_its_record_was_kept_is_refused_and_changes_nothing():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    PossibleDuplicate.objects.filter(pk=flag.pk).update(merge_record=None)  # as merges made before it existed
    before = snapshot(first, second)
    with pytest.raises(TransitionRefused, match="before the service kept a record of what a merge moves"):
        unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))
    assert snapshot(first, second) == before
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "merged"


@pytest.mark.parametrize("decided", ["open", "dismissed"])
def test_a_flag_that_was_not_merged_has_no_merge_to_undo(decided):
    make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = PossibleDuplicate.objects.get(referral=second)
    if decided == "dismissed":
        dismiss_duplicate(flag=flag, reason="Different child", resolved_by=staff("ot"))
    with pytest.raises(TransitionRefused, match="not merged"):
        unmerge_duplicate(flag=flag, reason="x", undone_by=staff("team_lead"))


def test_a_merge_is_undone_once():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))
    with pytest.raises(TransitionRefused, match="not merged"):
        unmerge_duplicate(flag=flag, reason="Again", undone_by=staff("team_lead"))


def test_a_reason_is_needed_to_undo_a_merge():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    with pytest.raises(ValueError, match="why this merge was wrong"):
        unmerge_duplicate(flag=flag, reason="  ", undone_by=staff("team_lead"))
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "merged"


@pytest.mark.parametrize("who", ["the_ot_who_merged", "a_team_lead"])
def test_a_team_lead_or_the_person_who_merged_may_undo_a_merge(who):
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first, by="ot")
    undoer = staff("ot") if who == "the_ot_who_merged" else staff("team_lead", "another-lead")
    unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=undoer)
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "unmerged"


@pytest.mark.parametrize(
    ("role", "username"),
    [("ot", "another-ot"), ("clinical_admin", None), ("ota", None), ("auditor", None), ("system_admin", None)],
)
def test_nobody_else_may_undo_a_merge(role, username):
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first, by="ot")
    before = snapshot(first, second)
    with pytest.raises(NotAllowed):
        unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff(role, username))
    assert snapshot(first, second) == before


def test_an_undo_is_refused_while_the_surviving_record_is_merged_into_another_and_works_after_that_is_undone():
    oldest = make_referral(child=MIA)
    first = make_referral(child=MIA)  # flagged against the oldest
    second = make_referral(child=MYA)  # flagged against both
    before = snapshot(oldest, first, second)
    wrong = merged(second, first)
    later = merged(first, oldest)  # the surviving record merged into another since
    with pytest.raises(TransitionRefused, match="has since been merged into another record: undo that first"):
        unmerge_duplicate(flag=wrong, reason="Not the same child", undone_by=staff("team_lead"))

    unmerge_duplicate(flag=later, reason="Not the same child", undone_by=staff("team_lead"))
    unmerge_duplicate(flag=wrong, reason="Not the same child", undone_by=staff("team_lead"))
    assert snapshot(oldest, first, second) == before


def test_an_undo_is_refused_when_a_later_merge_joined_a_moved_referral_to_the_surviving_child():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    wrong = merged(second, first)
    third = make_referral(child={**MYA, "given_name": "Myah"})  # flagged against the surviving child's latest
    later = PossibleDuplicate.objects.get(referral=third)
    assert later.existing_referral_id == second.pk
    merged(third, second)
    with pytest.raises(TransitionRefused, match="A later merge joined referral"):
        unmerge_duplicate(flag=wrong, reason="Not the same child", undone_by=staff("team_lead"))


def test_an_undo_is_refused_when_a_later_episode_is_linked_to_a_moved_referral():
    first = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})
    second = make_referral(child=MYA)
    wrong = merged(second, first)  # the second is closed as a duplicate on the surviving record
    third = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})  # its latest closed episode: the second
    assert third.previous_referral_id == second.pk
    with pytest.raises(TransitionRefused, match=f"Referral {third.reference} is linked as the next episode"):
        unmerge_duplicate(flag=wrong, reason="Not the same child", undone_by=staff("team_lead"))


def test_referrals_received_since_the_merge_stay_with_the_surviving_record_and_are_named():
    first = referral_in("discharged", child={**MIA, "nhs_number": NHS_NUMBER})
    second = make_referral(child=MYA)
    wrong = merged(second, first)  # linked as a re-referral
    third = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})  # the same NHS number: the surviving child
    plan = unmerge_duplicate(flag=wrong, reason="Not the same child", undone_by=staff("team_lead"))
    assert plan.staying == (third.reference,)
    assert Referral.objects.get(pk=third.pk).child_id == first.child_id
    assert Referral.objects.get(pk=second.pk).child_id != first.child_id


# Deciding again after an undo.


def test_after_an_undo_the_same_flag_may_be_merged_again_and_undone_again():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    before = snapshot(first, second)
    flag = merged(second, first)
    unmerge_duplicate(flag=flag, reason="Thought they were different", undone_by=staff("team_lead"))
    flag = merged(second, first)  # the undo was the mistake
    assert flag.state == "merged"
    assert Referral.objects.get(pk=second.pk).child_id == first.child_id
    unmerge_duplicate(flag=flag, reason="Different after all", undone_by=staff("team_lead"))
    assert snapshot(first, second) == before


def test_after_an_undo_the_new_referral_is_merged_with_the_right_child():
    wrong_child = make_referral(child=MIA)
    right_child = make_referral(child={**MIA, "given_name": "Maya"})
    new = make_referral(child=MYA)  # flagged against both
    wrong = merged(new, wrong_child)
    unmerge_duplicate(flag=wrong, reason="Wrong Mia: different parent", undone_by=staff("team_lead"))
    merged(new, right_child)
    new.refresh_from_db()
    assert new.child_id == right_child.child_id
    assert Referral.objects.get(pk=wrong_child.pk).child_id != right_child.child_id
    assert Child.objects.get(pk=wrong_child.child_id).merged_into_id is None


def test_after_an_undo_the_flag_may_be_dismissed():
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=staff("team_lead"))
    dismiss_duplicate(flag=flag, reason="Different children: cousins", resolved_by=staff("team_lead"))
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "dismissed"


# The page.


def page(client, referral):
    return client.get(reverse("referrals:show_referral", args=[referral.reference]))


def undo_url(referral, flag):
    return reverse("referrals:undo_merge", args=[referral.reference, flag.pk])


def test_a_team_lead_sees_what_undoing_a_merge_will_do_and_undoes_it_with_a_reason(client):
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    client.force_login(staff("team_lead"))
    html = page(client, second).content.decode()
    assert "Undo this merge" in html
    assert "make Mya Unmerge's record (born 2 June 2017) separate from Mia Unmerge's again" in html
    assert f"reopen referral {second.reference} (closed as a duplicate) with the status it had: received" in html
    assert "Letters already sent stay as they were" in html

    response = client.post(undo_url(second, flag), {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "merged"

    response = client.post(undo_url(second, flag), {"reason": "Different children: cousins"}, follow=True)
    html = response.content.decode()
    assert "Merge undone." in html and "Mya Unmerge&#39;s record is separate again" in html
    assert LETTERS_UNCHANGED in html
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "unmerged"
    assert "the merge was undone by" in html  # shown with the flags to decide again


def test_someone_who_may_not_undo_a_merge_sees_it_but_not_the_form_and_is_refused(client):
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first, by="ot")
    client.force_login(staff("ot", "another-ot"))
    html = page(client, second).content.decode()
    assert "Merged as the same child" in html and "Undo this merge" not in html
    assert client.post(undo_url(second, flag), {"reason": "Not the same"}).status_code == 403
    client.force_login(staff("ota"))
    assert client.post(undo_url(second, flag), {"reason": "Not the same"}).status_code == 403
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "merged"


def test_the_page_says_a_merge_made_before_its_record_was_kept_cannot_be_undone_here(client):
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    PossibleDuplicate.objects.filter(pk=flag.pk).update(merge_record=None)
    client.force_login(staff("team_lead"))
    html = page(client, second).content.decode()
    assert "Undo this merge" not in html
    assert "cannot be undone here" in html
    response = client.post(undo_url(second, flag), {"reason": "Not the same"}, follow=True)
    assert NO_RECORD.replace("'", "&#39;") in response.content.decode()
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "merged"


# The API.


def unmerge_through_api(client, flag_id, role: str | None, body: dict | None, username: str | None = None):
    headers = {}
    if role:
        token = issue_api_token(user=staff(role, username or f"{role}-api"), name="test")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(
        f"/api/duplicates/{flag_id}/unmerge", data=body or {}, content_type="application/json", **headers
    )


def test_the_api_undoes_a_merge_and_says_what_it_did(client):
    first = make_referral(child=MIA)
    second = referral_in("waiting", child=MYA)
    flag = merged(second, first)
    response = unmerge_through_api(client, flag.pk, "team_lead", {"reason": "Different children"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "unmerged" and body["undo_reason"] == "Different children"
    assert body["referral"] == second.reference and body["existing_referral"] == first.reference
    assert body["referrals_moved_back"] == [second.reference] and body["parent_carers_moved_back"] == 1
    assert body["reopened"] == second.reference and body["reopened_status"] == "waiting"
    assert body["letters"] == LETTERS_UNCHANGED
    assert Referral.objects.get(pk=second.pk).status == "waiting"


def test_the_api_refuses_as_the_page_does(client):
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first, by="ot")
    reason = {"reason": "Not the same child"}
    assert unmerge_through_api(client, flag.pk, None, reason).status_code == 401
    assert unmerge_through_api(client, flag.pk, "team_lead", {"reason": " "}).status_code == 400
    assert unmerge_through_api(client, flag.pk, "team_lead", {}).status_code == 400
    assert unmerge_through_api(client, flag.pk, "ota", reason).status_code == 403
    assert unmerge_through_api(client, flag.pk, "ot", reason, username="another-ot").status_code == 403
    assert unmerge_through_api(client, flag.pk, "partner_system", reason).status_code == 404
    assert unmerge_through_api(client, 999_999, "team_lead", reason).status_code == 404
    PossibleDuplicate.objects.filter(pk=flag.pk).update(merge_record=None)
    refused = unmerge_through_api(client, flag.pk, "team_lead", reason)
    assert refused.status_code == 409 and refused.json()["message"] == NO_RECORD
    assert PossibleDuplicate.objects.get(pk=flag.pk).state == "merged"
    open_flag = PossibleDuplicate.objects.create(
        referral=second, existing_referral=referral_in("received"), strength="likely", score=90.0, reasons=[]
    )
    assert unmerge_through_api(client, open_flag.pk, "team_lead", reason).status_code == 409
