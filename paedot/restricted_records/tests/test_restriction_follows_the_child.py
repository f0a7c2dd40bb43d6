"""A restriction is about the child, not one referral: a new referral for a restricted child is restricted from the
moment it is stored, a merge carries the restriction onto the surviving record, and undoing a wrong merge puts it
back. Deciding a possible duplicate needs sight of both records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from paedot.core.models import AuditEvent
from paedot.notifications.models import Message
from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.services import NotAllowed
from paedot.referrals.services.duplicates import HIDDEN_OTHER, dismiss_duplicate, merge_duplicate, unmerge_duplicate
from paedot.referrals.tests.factories import make_referral
from paedot.restricted_records.models import Restriction
from paedot.restricted_records.services import lift_restriction, restrict_record
from paedot.staff.services import create_staff_user

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"
MIA = {"given_name": "Mia", "family_name": "Hidden", "date_of_birth": dt.date(2017, 6, 2), "postcode": "B21 9RY"}
MYA = {**MIA, "given_name": "Mya"}


def person(role: str, username: str, email: str = ""):
    user = create_staff_user(username=username, role=role, password="a-long-test-password-1", full_name=username)
    if email:
        user.email = email
        user.save()
    return user


def visible(user, referral) -> bool:
    return Referral.objects.visible_to(user).filter(pk=referral.pk).exists()


def restricted(referral) -> bool:
    return Referral.objects.get(pk=referral.pk).restricted


def restrict(referral, lead, *named):
    return restrict_record(
        child=referral.child, reason="Safeguarding: child protection plan.", named_staff=list(named), by=lead
    )


# A new referral for a restricted child.


def test_a_new_referral_for_a_restricted_child_is_restricted_and_hidden_from_staff_not_named():
    lead, named, other = person("team_lead", "lead-f"), person("ot", "ot-named-f"), person("clinical_admin", "admin-f")
    first = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})
    restrict(first, lead, named)

    second = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})

    assert second.child_id == first.child_id
    assert restricted(second)
    assert visible(named, second) and visible(lead, second)
    assert not visible(other, second)
    event = AuditEvent.objects.get(action="record.restriction_covers_new_referral")
    assert event.detail == {"reference": second.reference}


def test_the_named_staff_are_told_a_new_referral_arrived_with_its_reference_and_not_the_childs_name():
    lead = person("team_lead", "lead-t", email="lead@example.nhs.uk")
    named = person("ot", "ot-named-t", email="named.ot@example.nhs.uk")
    first = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})
    restrict(first, lead, named)

    second = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})

    told = Message.objects.filter(reference__startswith=f"restricted-new-referral:{second.pk}:")
    assert sorted(told.values_list("recipient", flat=True)) == ["lead@example.nhs.uk", "named.ot@example.nhs.uk"]
    for message in told:
        assert second.reference in message.subject
        assert "Mia" not in message.subject + message.body and "Hidden" not in message.subject + message.body
        assert message.referral_id == second.pk  # so the outbox shows it only to those who may open the record


def test_a_new_referral_for_a_child_whose_restriction_was_lifted_is_open_as_usual():
    lead, other = person("team_lead", "lead-l"), person("clinical_admin", "admin-l")
    first = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})
    restrict(first, lead)
    lift_restriction(child=first.child, reason="Plan ended.", by=lead)

    second = make_referral(child={**MIA, "nhs_number": NHS_NUMBER})

    assert not restricted(second) and visible(other, second)
    assert not AuditEvent.objects.filter(action="record.restriction_covers_new_referral").exists()


# Merging records with different restrictions.


def merge(new, existing, by):
    flag = PossibleDuplicate.objects.get(referral=new, existing_referral=existing)
    merge_duplicate(flag=flag, reason="Same child: same school and parent.", resolved_by=by)
    flag.refresh_from_db()
    return flag


def test_merging_a_restricted_record_into_an_open_one_restricts_the_surviving_record_for_the_same_staff():
    lead, named, other = person("team_lead", "lead-m"), person("ot", "ot-named-m"), person("ot", "ot-other-m")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(second, lead, named)

    merge(second, first, by=lead)

    surviving = Restriction.objects.get(child_id=first.child_id)
    assert surviving.in_force
    assert set(surviving.named_staff.all()) == {lead, named}
    assert "Safeguarding: child protection plan." in surviving.reason
    assert restricted(first) and restricted(second)
    assert visible(named, first) and visible(named, second)  # the named OT still sees the child's referrals
    assert not visible(other, first) and not visible(other, second)
    assert AuditEvent.objects.filter(action="record.restriction_carried_by_merge").count() == 1


def test_merging_an_open_record_into_a_restricted_one_restricts_the_moved_referrals():
    lead, named, other = person("team_lead", "lead-o"), person("ot", "ot-named-o"), person("ot", "ot-other-o")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(first, lead, named)

    merge(second, first, by=lead)

    assert restricted(second) and visible(named, second) and not visible(other, second)
    assert list(Restriction.objects.get(child_id=first.child_id).named_staff.order_by("pk")) == [lead, named]


def test_merging_two_restricted_records_names_the_staff_of_both():
    lead = person("team_lead", "lead-b")
    named_first, named_second = person("ot", "ot-first-b"), person("ota", "ota-second-b")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(first, lead, named_first)
    restrict(second, lead, named_second)

    merge(second, first, by=lead)

    assert set(Restriction.objects.get(child_id=first.child_id).named_staff.all()) == {lead, named_first, named_second}
    assert visible(named_second, first) and visible(named_first, second)


# Undoing it.


def test_undoing_the_merge_lifts_the_carried_restriction_and_each_record_is_as_before():
    lead, named, other = person("team_lead", "lead-u"), person("ot", "ot-named-u"), person("ot", "ot-other-u")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(second, lead, named)
    flag = merge(second, first, by=lead)

    plan = unmerge_duplicate(flag=flag, reason="Different children: cousins.", undone_by=lead)

    assert "lift the restriction" in plan.restriction
    assert not Restriction.objects.filter(child_id=first.child_id).exists()
    assert not restricted(first) and visible(other, first)
    assert restricted(second) and visible(named, second) and not visible(other, second)
    assert AuditEvent.objects.filter(action="record.restriction_carried_by_merge_undone").count() == 1


def test_undoing_the_merge_puts_back_the_staff_named_on_the_surviving_record():
    lead = person("team_lead", "lead-n")
    named_first, named_second = person("ot", "ot-first-n"), person("ota", "ota-second-n")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(first, lead, named_first)
    restrict(second, lead, named_second)
    flag = merge(second, first, by=lead)

    unmerge_duplicate(flag=flag, reason="Different children: cousins.", undone_by=lead)

    assert set(Restriction.objects.get(child_id=first.child_id).named_staff.all()) == {lead, named_first}
    assert not visible(named_second, first) and visible(named_second, second)


def test_a_restriction_changed_since_the_merge_is_left_as_it_is_and_the_plan_says_so():
    lead, named, later = person("team_lead", "lead-c"), person("ot", "ot-named-c"), person("ot", "ot-later-c")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(second, lead, named)
    flag = merge(second, first, by=lead)
    restrict_record(child=first.child, reason="Still at risk.", named_staff=[named, later], by=lead)

    plan = unmerge_duplicate(flag=flag, reason="Different children: cousins.", undone_by=lead)

    assert "as it is now" in plan.restriction
    kept = Restriction.objects.get(child_id=first.child_id)
    assert kept.in_force and later in kept.named_staff.all()
    assert restricted(first) and restricted(second)


def test_undoing_a_merge_of_a_restricted_record_into_a_restricted_one_leaves_both_restricted():
    lead = person("team_lead", "lead-r2")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(first, lead)
    flag = merge(second, first, by=lead)
    assert restricted(second)

    plan = unmerge_duplicate(flag=flag, reason="Different children: cousins.", undone_by=lead)

    assert plan.restriction == ""  # the merge did not change the surviving record's restriction
    assert restricted(first) and not restricted(second)


# Deciding needs sight of both.


def test_only_someone_who_may_open_both_records_decides_whether_they_are_the_same_child():
    lead, admin = person("team_lead", "lead-d"), person("clinical_admin", "admin-d")
    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    restrict(first, lead)
    flag = PossibleDuplicate.objects.get(referral=second, existing_referral=first)

    for decide in (merge_duplicate, dismiss_duplicate):
        with pytest.raises(NotAllowed, match="restricted record you are not named on"):
            decide(flag=flag, reason="Looks the same.", resolved_by=admin)
    flag.refresh_from_db()
    assert flag.state == "open"
    assert Referral.objects.get(pk=second.pk).child_id == second.child_id


def test_the_referral_page_names_nothing_of_a_restricted_other_record_and_offers_no_decision(client):
    lead, admin = person("team_lead", "lead-p"), person("clinical_admin", "admin-p")
    first = make_referral(child={**MIA, "given_name": "Secretname"})
    second = make_referral(child={**MIA, "given_name": "Secretnam"})
    restrict(first, lead)
    assert PossibleDuplicate.objects.filter(referral=second, existing_referral=first).exists()
    client.force_login(admin)

    page = client.get(reverse("referrals:show_referral", args=[second.reference])).content.decode()
    queue = client.get(reverse("referrals:screening_queue")).content.decode()

    assert "as a restricted record" in page and HIDDEN_OTHER in page
    assert "Same child: merge" not in page
    assert first.reference in queue and "(a restricted record)" in queue
    assert "Secretname" not in page and "Secretname" not in queue
