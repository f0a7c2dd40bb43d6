"""Known children: a re-referral joins the child's record as a new episode; a likely duplicate is flagged for a
person to merge or dismiss, never merged silently."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.children.models import Child
from paedot.referrals.models import PossibleDuplicate, Referral
from paedot.referrals.services import NotAllowed, TransitionRefused
from paedot.referrals.services.duplicates import dismiss_duplicate, merge_duplicate
from paedot.referrals.tests.factories import make_referral, referral_in, staff

pytestmark = pytest.mark.django_db

MIA = {"given_name": "Mia", "family_name": "Duplicate", "date_of_birth": dt.date(2017, 6, 2), "postcode": "B21 9RY"}


def test_a_new_referral_with_the_nhs_number_of_a_child_with_an_open_referral_is_flagged_not_merged():
    first = make_referral(child={**MIA, "nhs_number": "9434765919"})
    second = make_referral(child={**MIA, "nhs_number": "943 476 5919"})
    assert second.pk != first.pk and second.status == "received"
    assert second.child_id == first.child_id  # the same child record: the NHS number is certain
    flag = PossibleDuplicate.objects.get(referral=second)
    assert flag.existing_referral == first
    assert flag.strength == "certain"
    assert flag.state == "open"


def test_a_re_referral_after_a_closed_episode_opens_a_new_episode_linked_to_the_earlier_one():
    first = referral_in("discharged", child={**MIA, "nhs_number": "9434765919"})
    second = make_referral(child={**MIA, "nhs_number": "9434765919"}, previous_ot_episode=True)
    assert second.child_id == first.child_id
    assert second.previous_referral == first
    assert not PossibleDuplicate.objects.filter(referral=second).exists()
    assert Child.objects.filter(nhs_number="9434765919").count() == 1


def test_a_similar_name_with_the_same_birthday_and_postcode_is_flagged_as_likely():
    first = make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    assert second.child_id != first.child_id  # not merged silently
    flag = PossibleDuplicate.objects.get(referral=second)
    assert flag.existing_referral == first
    assert flag.strength == "likely"
    assert flag.reasons and all(set(r) == {"code", "message"} for r in flag.reasons)


def test_a_different_child_with_the_same_birthday_is_not_flagged():
    make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Oscar", "family_name": "Unrelated"})
    assert not PossibleDuplicate.objects.filter(referral=second).exists()


def test_two_different_nhs_numbers_are_never_flagged_whatever_the_names():
    make_referral(child={**MIA, "nhs_number": "9434765919"})
    second = make_referral(child={**MIA, "nhs_number": "9912003888"})
    assert not PossibleDuplicate.objects.filter(referral=second).exists()


def test_merging_a_duplicate_of_an_open_referral_closes_the_new_one_and_keeps_both_readable():
    first = make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    flag = PossibleDuplicate.objects.get(referral=second)
    merge_duplicate(flag=flag, reason="Same child: mum confirmed by phone", resolved_by=staff("clinical_admin"))
    second.refresh_from_db()
    assert second.status == "discharged"
    assert "Duplicate of referral " + first.reference in second.closing_reason
    assert second.child_id == first.child_id
    assert second.parent_carer.child_id == first.child_id
    flag.refresh_from_db()
    assert flag.state == "merged" and flag.resolution_reason == "Same child: mum confirmed by phone"
    assert Referral.objects.get(pk=first.pk).status == "received"


def test_merging_with_a_closed_earlier_referral_links_the_episodes():
    first = referral_in("discharged", child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    merge_duplicate(flag=PossibleDuplicate.objects.get(referral=second), reason="Same child", resolved_by=staff("ot"))
    second.refresh_from_db()
    assert second.status == "received"
    assert second.previous_referral == first
    assert second.child_id == first.child_id


def test_a_merged_record_is_kept_marked_as_merged_into_the_surviving_one():
    first = make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    merged_away = second.child_id
    merge_duplicate(flag=PossibleDuplicate.objects.get(referral=second), reason="Same", resolved_by=staff("ot"))
    kept = Child.objects.get(pk=merged_away)
    assert kept.given_name == "Mya"  # as it was written
    assert kept.merged_into_id == first.child_id and kept.merged_at is not None
    assert list(first.child.merged_records.all()) == [kept]


def test_a_later_referral_like_a_merged_record_is_flagged_once_against_the_surviving_childs_referral():
    first = referral_in("discharged", child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    merge_duplicate(flag=PossibleDuplicate.objects.get(referral=second), reason="Same", resolved_by=staff("ot"))
    third = make_referral(child={**MIA, "given_name": "Mya"})
    # It matches the surviving record and the merged one: both are the same child, so one flag, on its latest referral.
    flags = list(PossibleDuplicate.objects.filter(referral=third))
    assert [flag.existing_referral_id for flag in flags] == [second.pk]
    assert Referral.objects.get(pk=second.pk).child_id == first.child_id


def test_dismissing_keeps_the_flag_with_its_reason_and_changes_no_referral():
    make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    flag = PossibleDuplicate.objects.get(referral=second)
    dismiss_duplicate(flag=flag, reason="Different child: twin sister", resolved_by=staff("team_lead"))
    flag.refresh_from_db()
    assert flag.state == "dismissed"
    assert Referral.objects.get(pk=second.pk).status == "received"
    with pytest.raises(TransitionRefused):
        merge_duplicate(flag=flag, reason="changed my mind", resolved_by=staff("team_lead"))


@pytest.mark.parametrize("role", ["ota", "auditor", "system_admin"])
def test_only_admin_staff_ots_and_team_leads_resolve_duplicates(role):
    make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    with pytest.raises(NotAllowed):
        dismiss_duplicate(flag=PossibleDuplicate.objects.get(referral=second), reason="x", resolved_by=staff(role))


def test_a_reason_is_needed_to_resolve():
    make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})
    with pytest.raises(ValueError, match="why"):
        merge_duplicate(flag=PossibleDuplicate.objects.get(referral=second), reason=" ", resolved_by=staff("ot"))


def test_a_referral_with_the_nhs_number_only_a_merged_record_holds_joins_the_surviving_record():
    first = referral_in("discharged", child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya", "nhs_number": "9434765919"})
    merge_duplicate(flag=PossibleDuplicate.objects.get(referral=second), reason="Same", resolved_by=staff("ot"))
    third = make_referral(child={**MIA, "nhs_number": "9434765919"})
    assert third.child_id == first.child_id


def test_a_referral_with_appointments_to_come_is_not_closed_as_a_duplicate_until_they_are_settled():
    from django.utils import timezone

    from paedot.appointments.models import Appointment
    from paedot.appointments.tests.factories import clinic

    first = make_referral(child=MIA)
    second = referral_in("booked", child={**MIA, "given_name": "Mya"})
    start = timezone.localtime() + dt.timedelta(days=7)
    appointment = Appointment.objects.create(
        referral=second,
        clinician=staff("ot"),
        location=clinic(),
        kind="assessment",
        start=start,
        end=start + dt.timedelta(minutes=45),
        booked_by=staff("clinical_admin"),
    )
    flag = PossibleDuplicate.objects.get(referral=second, existing_referral=first)

    with pytest.raises(TransitionRefused) as refused:
        merge_duplicate(flag=flag, reason="Same child", resolved_by=staff("ot"))
    assert f"1 appointment still to come (the first on {start:%-d %B %Y})" in str(refused.value)
    assert "nothing has been changed" in str(refused.value)
    flag.refresh_from_db()
    assert flag.state == "open" and Referral.objects.get(pk=second.pk).status == "booked"

    Appointment.objects.filter(pk=appointment.pk).update(cancelled=True)
    merge_duplicate(flag=flag, reason="Same child", resolved_by=staff("ot"))
    assert Referral.objects.get(pk=second.pk).status == "discharged"


def test_a_referral_with_a_place_in_a_group_still_running_is_not_closed_as_a_duplicate():
    from paedot.groups.services import enrol
    from paedot.groups.tests.factories import handwriting_group, with_sessions

    first = make_referral(child=MIA)
    second = referral_in("waiting", child={**MIA, "given_name": "Mya"})
    programme = handwriting_group()  # its OT works Monday to Friday
    with_sessions(programme, sessions=2)  # from 11 January 2027
    enrol(programme=programme, referral=second, enrolled_by=staff("clinical_admin"))
    flag = PossibleDuplicate.objects.get(referral=second, existing_referral=first)

    with pytest.raises(TransitionRefused, match=f"a place in {programme.name}"):
        merge_duplicate(flag=flag, reason="Same child", resolved_by=staff("ot"))


# Flagged by a person.


def test_a_person_flags_two_referrals_as_possibly_the_same_child_and_the_later_one_carries_the_flag():
    from paedot.core.models import AuditEvent
    from paedot.referrals.services.duplicates import flag_possible_duplicate

    earlier = make_referral(child={**MIA, "given_name": "Maya", "postcode": "B11 1AA"})
    later = make_referral(child={**MIA, "given_name": "Amelia", "family_name": "Newname", "postcode": "B12 2BB"})
    assert not PossibleDuplicate.objects.exists()  # too different for intake's matching

    flag = flag_possible_duplicate(
        referral=earlier,
        other_reference=later.reference.lower(),
        reason="Mum says she changed her name.",
        flagged_by=staff("clinical_admin"),
    )

    assert flag.referral == later and flag.existing_referral == earlier
    assert flag.strength == "manual" and flag.state == "open"
    assert "Mum says she changed her name." in flag.reasons[0]["message"]
    assert Referral.objects.get(pk=later.pk).child_id != earlier.child_id  # nothing merged
    assert AuditEvent.objects.filter(action="referral.possible_duplicate_flagged", actor__isnull=False).count() == 1
    merge_duplicate(flag=flag, reason="Confirmed with mum", resolved_by=staff("ot"))
    assert Referral.objects.get(pk=later.pk).child_id == earlier.child_id


def test_flagging_needs_a_referral_you_may_open_another_than_this_one_and_not_already_flagged():
    from paedot.referrals.services.duplicates import flag_possible_duplicate

    first = make_referral(child=MIA)
    second = make_referral(child={**MIA, "given_name": "Mya"})  # flagged at intake
    admin = staff("clinical_admin")
    with pytest.raises(ValueError, match="no referral OT-NOPE-0000"):
        flag_possible_duplicate(referral=first, other_reference="OT-NOPE-0000", reason="Same", flagged_by=admin)
    with pytest.raises(ValueError, match="That is this referral"):
        flag_possible_duplicate(referral=first, other_reference=first.reference, reason="Same", flagged_by=admin)
    with pytest.raises(TransitionRefused, match="already flagged"):
        flag_possible_duplicate(referral=first, other_reference=second.reference, reason="Same", flagged_by=admin)
    with pytest.raises(ValueError, match="Give why"):
        flag_possible_duplicate(referral=first, other_reference=second.reference, reason=" ", flagged_by=admin)
    with pytest.raises(NotAllowed):
        flag_possible_duplicate(
            referral=first, other_reference=second.reference, reason="Same", flagged_by=staff("ota")
        )


def test_a_person_flags_a_possible_duplicate_from_the_referral_page_and_through_the_api(client):
    from paedot.staff.services import issue_api_token

    earlier = make_referral(child={**MIA, "given_name": "Maya", "postcode": "B11 1AA"})
    later = make_referral(child={**MIA, "given_name": "Amelia", "family_name": "Newname", "postcode": "B12 2BB"})
    third = make_referral(child={**MIA, "given_name": "Zoe", "family_name": "Other", "postcode": "B13 3CC"})
    client.force_login(staff("clinical_admin"))
    url = f"/staff/referrals/{earlier.reference}/possible-duplicates/new"
    assert "Flag as possibly the same child" in client.get(url).content.decode()

    blank = client.post(url, {"other_reference": "", "reason": "Name changed"})
    assert blank.status_code == 400 and "Enter the reference of the other referral" in blank.content.decode()
    assert "Name changed" in blank.content.decode()  # what was typed is kept

    done = client.post(url, {"other_reference": later.reference, "reason": "Name changed"})
    assert done.status_code == 302 and done["Location"].endswith(f"{later.reference}#possible-duplicates")
    page = client.get(done["Location"]).content.decode()
    assert "Flagged by staff as possibly the same child" in page

    token = issue_api_token(user=staff("ot"), name="test")
    answer = client.post(
        f"/api/referrals/{third.reference}/possible-duplicates",
        data={"other_reference": earlier.reference, "reason": "Same parent and address"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["referral"] == third.reference and body["existing_referral"] == earlier.reference
    assert body["strength"] == "manual" and body["state"] == "open"
    again = client.post(
        f"/api/referrals/{third.reference}/possible-duplicates",
        data={"other_reference": earlier.reference, "reason": "Same parent and address"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert again.status_code == 409
