"""Recording letters as posted (paedot/letters/posting.py): who may, once only however often it is marked, all of a
batch or none, and a wrong mark undone with its reason; each change audited."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.letters.posting import (
    NOT_POSTED,
    POSTED,
    find_letter,
    list_letters,
    posting_history,
    record_letter_not_posted,
    record_letter_posted,
    record_letters_posted,
)
from paedot.letters.rules import BEFORE_RECORDING
from paedot.letters.tests.factories import GP, ago, letter, person
from paedot.referrals.services import NotAllowed, TransitionRefused, receive_referral
from paedot.referrals.tests.factories import submission
from paedot.restricted_records.services import restrict_record

pytestmark = pytest.mark.django_db


def test_admin_staff_record_a_letter_as_posted_with_who_and_when_and_it_is_audited(admin_user):
    sent = letter(recipients=[{"role": "family", "name": "Sara", "address": "B21 9RY"}, GP])

    done = record_letter_posted(letter=sent, posted_by=admin_user)

    assert done.recorded and done.message == "Recorded as posted."
    sent.refresh_from_db()
    assert sent.is_posted and sent.posted_by == admin_user and not sent.posted_before_recording
    event = AuditEvent.objects.get(action=POSTED)
    assert event.actor == admin_user
    assert (event.object_type, event.object_id) == ("letters.letter", str(sent.pk))
    assert event.child_id == sent.referral.child_id
    assert event.detail == {
        "referral": sent.referral.reference,
        "kind": "appointment",
        "recipients": ["family", "gp"],
        "batch": 1,
    }


def test_marking_a_letter_posted_again_changes_nothing_and_says_who_posted_it_and_when(admin_user, team_lead_user):
    sent = letter()
    first = record_letter_posted(letter=sent, posted_by=admin_user).letter

    again = record_letter_posted(letter=sent, posted_by=team_lead_user)

    assert not again.recorded
    assert again.message.startswith(f"Already recorded as posted by {admin_user.display_name} on ")
    assert again.message.endswith("Nothing was changed.")
    assert (again.letter.posted_at, again.letter.posted_by) == (first.posted_at, admin_user)
    assert AuditEvent.objects.filter(action=POSTED).count() == 1


def test_two_people_marking_the_same_letter_at_once_record_it_once(admin_user, team_lead_user):
    """The second still holds the letter as it was read (not posted): the database's copy decides."""
    sent = letter()
    stale = Letter.objects.get(pk=sent.pk)
    record_letter_posted(letter=sent, posted_by=admin_user)

    late = record_letter_posted(letter=stale, posted_by=team_lead_user)

    assert not late.recorded
    assert Letter.objects.get(pk=sent.pk).posted_by == admin_user
    assert AuditEvent.objects.filter(action=POSTED).count() == 1


def test_an_ot_records_a_letter_they_issued_but_not_a_colleagues_nor_one_the_system_issued(ot_user):
    colleague = person("ot", "ot-colleague")
    own, theirs, systems = letter(issued_by=ot_user), letter(issued_by=colleague), letter(issued_by=None)

    assert record_letter_posted(letter=own, posted_by=ot_user).recorded
    for other in (theirs, systems):
        with pytest.raises(NotAllowed, match="only letters you issued yourself"):
            record_letter_posted(letter=other, posted_by=ot_user)
        other.refresh_from_db()
        assert not other.is_posted


def test_an_ot_assistant_records_the_letter_of_an_appointment_they_booked(ota_user):
    assert record_letter_posted(letter=letter(issued_by=ota_user), posted_by=ota_user).recorded


@pytest.mark.parametrize("role", ["auditor", "commissioner", "system_admin", "partner_system"])
def test_roles_that_do_not_post_letters_may_not_record_one(role):
    sent = letter()
    with pytest.raises(NotAllowed, match="Only clinical admin staff and team leads may record that a letter was"):
        record_letter_posted(letter=sent, posted_by=person(role, f"{role}-posting"))
    assert not Letter.objects.get(pk=sent.pk).is_posted


def test_a_batch_is_recorded_together_with_one_event_per_letter(admin_user):
    batch = [letter(), letter(), letter()]

    done = record_letters_posted(letters=batch, posted_by=admin_user)

    assert [p.recorded for p in done] == [True, True, True]
    assert Letter.objects.filter(posted_by=admin_user).count() == 3
    events = AuditEvent.objects.filter(action=POSTED).order_by("id")
    assert [e.object_id for e in events] == [str(x.pk) for x in batch]
    assert {e.detail["batch"] for e in events} == {3}


def test_a_batch_with_a_letter_this_person_may_not_record_records_none(ot_user):
    own, theirs = letter(issued_by=ot_user), letter(issued_by=person("ot", "ot-other"))

    with pytest.raises(NotAllowed):
        record_letters_posted(letters=[own, theirs], posted_by=ot_user)

    assert not Letter.objects.filter(posted_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=POSTED).exists()


def test_a_batch_with_letters_already_posted_records_only_the_others(admin_user, team_lead_user):
    earlier, new = letter(posted_by=team_lead_user, posted_at=ago(days=1)), letter()

    done = record_letters_posted(letters=[earlier, new], posted_by=admin_user)

    assert [(p.letter.pk, p.recorded) for p in done] == [(earlier.pk, False), (new.pk, True)]
    assert Letter.objects.get(pk=earlier.pk).posted_by == team_lead_user
    assert list(AuditEvent.objects.filter(action=POSTED).values_list("object_id", flat=True)) == [str(new.pk)]


def test_an_empty_batch_is_refused(admin_user):
    with pytest.raises(ValueError, match="Choose the letters you have posted"):
        record_letters_posted(letters=[], posted_by=admin_user)


def test_a_wrong_mark_is_undone_with_a_reason_and_the_letter_is_to_post_again(admin_user, team_lead_user):
    sent = letter()
    record_letter_posted(letter=sent, posted_by=admin_user)

    undone = record_letter_not_posted(letter=sent, reason="Found it in the post tray", recorded_by=team_lead_user)

    assert not undone.is_posted and undone.posted_by is None
    assert list(list_letters(admin_user)) == [undone]
    event = AuditEvent.objects.get(action=NOT_POSTED)
    assert (event.actor, event.reason) == (team_lead_user, "Found it in the post tray")
    assert event.detail["was_posted_by"] == admin_user.username
    assert event.child_id == sent.referral.child_id
    history = posting_history(undone)
    assert [(h.what, h.who, h.reason) for h in history] == [
        ("Recorded as posted", admin_user.display_name, ""),
        ("Not posted after all", team_lead_user.display_name, "Found it in the post tray"),
    ]


def test_undoing_needs_a_reason(admin_user):
    sent = letter(posted_by=admin_user)
    with pytest.raises(ValueError, match="Say why the letter was not posted after all"):
        record_letter_not_posted(letter=sent, reason="  ", recorded_by=admin_user)
    assert Letter.objects.get(pk=sent.pk).is_posted
    assert not AuditEvent.objects.filter(action=NOT_POSTED).exists()


def test_a_letter_not_posted_has_no_mark_to_undo(admin_user):
    with pytest.raises(TransitionRefused, match="not recorded as posted: there is nothing to undo"):
        record_letter_not_posted(letter=letter(), reason="Mistake", recorded_by=admin_user)
    assert not AuditEvent.objects.filter(action=NOT_POSTED).exists()


def test_an_ot_may_not_undo_a_colleagues_letter(ot_user, admin_user):
    theirs = letter(issued_by=person("ot", "ot-other"), posted_by=admin_user)
    with pytest.raises(NotAllowed):
        record_letter_not_posted(letter=theirs, reason="Mistake", recorded_by=ot_user)
    assert Letter.objects.get(pk=theirs.pk).is_posted


def test_letters_issued_before_posting_was_recorded_are_counted_as_posted_by_nobody(admin_user):
    """The migration that added posting: older letters do not flood the list of letters to post."""
    older = [letter(issued_at=ago(days=400)), letter(issued_at=ago(days=3))]
    Letter.objects.update(posted_at=None, posted_by=None, posted_before_recording=False)
    migration = importlib.import_module("paedot.letters.migrations.0004_letters_posted")

    migration.count_earlier_letters_as_posted(apps, None)

    for old in older:
        old.refresh_from_db()
        assert old.posted_at == old.created_at
        assert old.posted_by is None and old.posted_before_recording
    assert not list_letters(admin_user).exists()
    done = record_letter_posted(letter=older[0], posted_by=admin_user)
    assert not done.recorded and "before posting was recorded" in done.message


def test_undoing_a_letter_counted_as_posted_before_recording_puts_it_on_the_list(admin_user):
    old = letter(issued_at=ago(days=30))
    Letter.objects.filter(pk=old.pk).update(posted_at=old.created_at, posted_before_recording=True)
    old.refresh_from_db()

    record_letter_not_posted(letter=old, reason="The family say it never came", recorded_by=admin_user)

    assert list(list_letters(admin_user)) == [old]
    assert AuditEvent.objects.get(action=NOT_POSTED).detail["was_posted_by"] == BEFORE_RECORDING
    assert [h.who for h in posting_history(old)] == [BEFORE_RECORDING, admin_user.display_name]


def test_a_letter_issued_by_the_service_is_to_post_until_someone_records_it(admin_user):
    referral = receive_referral(submission=submission(referrer={"organisation": "Example Surgery"}), source="online")
    acknowledgement = Letter.objects.get(referral=referral, kind="acknowledgement")

    assert not acknowledgement.is_posted
    assert list(list_letters(admin_user)) == [acknowledgement]


def test_the_list_is_oldest_first_and_a_clinician_sees_only_the_letters_they_issued(admin_user, ot_user):
    newer, older = letter(issued_by=ot_user, issued_at=ago(hours=1)), letter(issued_at=ago(days=2))
    posted = letter(posted_by=admin_user)

    assert list(list_letters(admin_user)) == [older, newer]
    assert list(list_letters(admin_user, state="posted")) == [posted]
    assert list(list_letters(ot_user)) == [newer]


def test_a_restricted_childs_letters_are_found_only_by_staff_named_on_the_record(team_lead_user):
    named, other = person("clinical_admin", "admin-named"), person("clinical_admin", "admin-other")
    hidden = letter()
    restrict_record(child=hidden.referral.child, reason="Safeguarding.", named_staff=[named], by=team_lead_user)

    assert find_letter(named, hidden.pk) == hidden
    assert find_letter(other, hidden.pk) is None
    assert hidden not in list_letters(other)
