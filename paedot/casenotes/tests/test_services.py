"""Writing, signing, countersigning and adding to notes: who may, what each state allows, and what is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from paedot.appointments.tests.factories import london
from paedot.casenotes.models import Addendum, AddendumIsAppendOnly, ClinicalNote
from paedot.casenotes.services import (
    NoteError,
    add_addendum,
    countersign,
    countersignature_queue,
    edit_draft,
    sign_note,
    write_note,
)
from paedot.casenotes.tests.factories import appointment, seen_referral, telephone_note
from paedot.core.models import AuditEvent
from paedot.groups.models import GroupAttendance
from paedot.referrals.services.journey import NotAllowed, TransitionRefused
from paedot.referrals.tests.factories import staff

pytestmark = pytest.mark.django_db


# --- Writing -------------------------------------------------------------------------------------------------------


def test_an_ots_signed_note_is_complete(ot_user):
    note = telephone_note(seen_referral(), ot_user)
    assert note.status == "signed"
    assert note.signed_at is not None


def test_an_ota_signed_note_awaits_countersignature(ota_user):
    note = telephone_note(seen_referral(), ota_user)
    assert note.status == "awaiting_countersignature"
    assert note.signed_at is not None and note.countersigned_by is None


def test_a_team_leads_signed_note_is_complete(team_lead_user):
    assert telephone_note(seen_referral(), team_lead_user).status == "signed"


def test_a_note_kept_as_a_draft_is_not_signed(ot_user):
    note = telephone_note(seen_referral(), ot_user, sign=False)
    assert note.status == "draft"
    assert note.signed_at is None


def test_an_appointments_note_is_dated_with_the_appointments_london_date_and_time(ot_user):
    referral = seen_referral()
    # 23:30 UTC on 19 January is still the 19th in Birmingham in winter; the kind is "appointment".
    session = appointment(referral, ot_user, dt.datetime(2027, 1, 19, 23, 30, tzinfo=dt.UTC))
    note = write_note(appointment=session, body="Late home visit.", author=ot_user)
    assert note.referral == referral
    assert note.contact_kind == "appointment"
    assert note.contact_on == dt.date(2027, 1, 19)
    assert note.contact_at == dt.time(23, 30)


@time_machine.travel("2027-07-02 12:00 +01:00", tick=False)
def test_in_summer_the_london_date_is_used_not_the_utc_one(ot_user):
    referral = seen_referral()
    session = appointment(referral, ot_user, dt.datetime(2027, 7, 1, 23, 30, tzinfo=dt.UTC))  # 00:30 BST on 2 July
    note = write_note(appointment=session, body="Evening visit.", author=ot_user)
    assert note.contact_on == dt.date(2027, 7, 2)
    assert note.contact_at == dt.time(0, 30)


def test_a_child_who_was_not_brought_still_gets_a_note(ot_user):
    session = appointment(seen_referral(), ot_user, outcome="was_not_brought")
    note = write_note(appointment=session, body="Not brought. Rang mum: no answer.", author=ot_user)
    assert note.status == "signed"


def test_a_cancelled_appointment_gets_no_note(ot_user):
    session = appointment(seen_referral(), ot_user, cancelled=True, outcome="cancelled_by_family")
    with pytest.raises(TransitionRefused, match="was cancelled"):
        write_note(appointment=session, body="Anything", author=ot_user)
    assert not ClinicalNote.objects.exists()


def test_an_appointment_that_has_not_happened_gets_no_note_yet(ot_user):
    session = appointment(seen_referral(), ot_user, london(2027, 1, 25, 10))
    with pytest.raises(TransitionRefused, match="not happened yet"):
        write_note(appointment=session, body="Anything", author=ot_user)


def test_an_appointments_note_cannot_claim_another_date(ot_user):
    session = appointment(seen_referral(), ot_user)
    with pytest.raises(NoteError) as problem:
        write_note(appointment=session, contact_on=dt.date(2027, 1, 17), body="Anything", author=ot_user)
    assert problem.value.field == "contact_on"


def test_one_author_writes_one_note_per_appointment(ot_user):
    session = appointment(seen_referral(), ot_user)
    write_note(appointment=session, body="First", author=ot_user)
    with pytest.raises(TransitionRefused, match="already written the note"):
        write_note(appointment=session, body="Second", author=ot_user)


def test_a_contact_in_the_future_or_before_the_referral_is_refused(ot_user):
    referral = seen_referral()
    with pytest.raises(NoteError, match="today or in the past"):
        telephone_note(referral, ot_user, on=dt.date(2027, 1, 21))
    with pytest.raises(NoteError, match="before the referral was received"):
        telephone_note(referral, ot_user, on=dt.date(2027, 1, 3))


def test_a_contact_without_an_appointment_needs_a_kind(ot_user):
    with pytest.raises(NoteError) as problem:
        write_note(
            referral=seen_referral(),
            contact_kind="appointment",
            contact_on=dt.date(2027, 1, 19),
            body="x",
            author=ot_user,
        )
    assert problem.value.field == "contact_kind"


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_a_note_needs_words(ot_user, body):
    with pytest.raises(NoteError) as problem:
        telephone_note(seen_referral(), ot_user, body=body)
    assert problem.value.field == "body"


@pytest.mark.parametrize("role", ["clinical_admin", "auditor"])
def test_only_clinicians_write_notes(role):
    with pytest.raises(NotAllowed):
        telephone_note(seen_referral(), staff(role))


def test_a_group_sessions_note_is_written_for_a_child_on_its_register(ot_user):
    on_register, not_on_register = seen_referral(), seen_referral()
    session = appointment(None, ot_user, kind="group")
    GroupAttendance.objects.create(appointment=session, referral=on_register, outcome="attended")
    with pytest.raises(NoteError, match="say which child"):
        write_note(appointment=session, body="Group went well.", author=ot_user)
    with pytest.raises(NoteError, match="not on this group session's register"):
        write_note(appointment=session, referral=not_on_register, body="Group went well.", author=ot_user)
    note = write_note(appointment=session, referral=on_register, body="Joined in with scissors.", author=ot_user)
    assert note.referral == on_register


def test_writing_a_note_is_audited_with_the_child_but_never_its_words(ota_user):
    referral = seen_referral()
    note = telephone_note(referral, ota_user, body="Private words about the family.")
    event = AuditEvent.objects.get(action="note.signed")
    assert event.child_id == referral.child_id
    assert event.actor == ota_user
    assert event.detail["note"] == note.pk and event.detail["status"] == "awaiting_countersignature"
    assert "Private words" not in str(event.detail) + event.reason


# --- Drafts and signing ---------------------------------------------------------------------------------------------


def test_the_author_changes_their_draft_then_signs_it(ota_user):
    draft = telephone_note(seen_referral(), ota_user, sign=False)
    edit_draft(note=draft, body="Better words.", by=ota_user)
    signed = sign_note(note=draft, by=ota_user)
    assert signed.body == "Better words."
    assert signed.status == "awaiting_countersignature"
    assert AuditEvent.objects.filter(action="note.draft_changed").count() == 1


def test_a_signed_note_is_never_changed(ot_user):
    note = telephone_note(seen_referral(), ot_user, body="As signed.")
    with pytest.raises(TransitionRefused, match="A signed note is never changed: add an addendum"):
        edit_draft(note=note, body="Rewritten", by=ot_user)
    note.refresh_from_db()
    assert note.body == "As signed."


def test_nobody_else_changes_or_signs_a_draft(ot_user, team_lead_user):
    draft = telephone_note(seen_referral(), ot_user, sign=False)
    with pytest.raises(NotAllowed, match="Only the author"):
        edit_draft(note=draft, body="Mine now", by=team_lead_user)
    with pytest.raises(NotAllowed, match="Only the author"):
        sign_note(note=draft, by=team_lead_user)


def test_a_note_is_signed_once(ot_user):
    note = telephone_note(seen_referral(), ot_user)
    with pytest.raises(TransitionRefused, match="already signed"):
        sign_note(note=note, by=ot_user)


# --- Countersignature -----------------------------------------------------------------------------------------------


def test_the_supervising_ot_countersigns_an_assistants_note(ota_user, ot_user):
    note = telephone_note(seen_referral(), ota_user)
    with time_machine.travel("2027-01-20 15:45 +00:00", tick=False):
        countersigned = countersign(note=note, by=ot_user)
    assert countersigned.status == "countersigned"
    assert countersigned.countersigned_by == ot_user
    assert countersigned.countersigned_at == dt.datetime(2027, 1, 20, 15, 45, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="note.countersigned", child_id=note.referral.child_id).exists()


def test_a_team_lead_countersigns_any_assistants_note(ota_user, team_lead_user):
    assert countersign(note=telephone_note(seen_referral(), ota_user), by=team_lead_user).status == "countersigned"


def test_another_ot_who_does_not_supervise_the_assistant_may_not_countersign(ota_user):
    note = telephone_note(seen_referral(), ota_user)
    with pytest.raises(NotAllowed, match="supervising OT or a team lead"):
        countersign(note=note, by=staff("ot", "another-ot"))
    note.refresh_from_db()
    assert note.status == "awaiting_countersignature"


def test_an_assistant_may_not_countersign(ota_user):
    note = telephone_note(seen_referral(), ota_user)
    with pytest.raises(NotAllowed, match="Only OTs and team leads"):
        countersign(note=note, by=staff("ota", "another-ota"))


def test_the_author_never_countersigns_their_own_note(ota_user):
    note = telephone_note(seen_referral(), ota_user)
    # Qualified since writing it: an OT now, but still not their own countersigner.
    ota_user.role = "ot"
    ota_user.save(update_fields=["role"])
    with pytest.raises(NotAllowed, match="Nobody countersigns their own note"):
        countersign(note=note, by=ota_user)


def test_only_a_note_awaiting_countersignature_is_countersigned(ot_user, ota_user, team_lead_user):
    referral = seen_referral()
    with pytest.raises(TransitionRefused, match="does not need a countersignature"):
        countersign(note=telephone_note(referral, staff("ot", "writer-ot")), by=team_lead_user)
    with pytest.raises(TransitionRefused, match="draft"):
        countersign(note=telephone_note(referral, ota_user, sign=False), by=ot_user)
    note = telephone_note(referral, ota_user)
    countersign(note=note, by=ot_user)
    with pytest.raises(TransitionRefused, match="already countersigned"):
        countersign(note=note, by=team_lead_user)


# --- Addenda -------------------------------------------------------------------------------------------------------


def test_an_addendum_keeps_who_and_when_and_never_changes_the_note(ot_user, ota_user):
    note = telephone_note(seen_referral(), ota_user, body="Mum said left-handed.")
    with time_machine.travel("2027-01-21 08:10 +00:00", tick=False):
        addendum = add_addendum(note=note, body="Correction: right-handed.", by=ot_user)
    note.refresh_from_db()
    assert note.body == "Mum said left-handed."
    assert note.status == "awaiting_countersignature"
    assert (addendum.author, addendum.body) == (ot_user, "Correction: right-handed.")
    assert addendum.created_at == dt.datetime(2027, 1, 21, 8, 10, tzinfo=dt.UTC)
    assert AuditEvent.objects.get(action="note.addendum_added").detail["addendum"] == addendum.pk


def test_a_draft_takes_no_addendum_it_is_simply_changed(ot_user):
    with pytest.raises(TransitionRefused, match="change it instead"):
        add_addendum(note=telephone_note(seen_referral(), ot_user, sign=False), body="More", by=ot_user)


def test_an_addendum_needs_words(ot_user):
    with pytest.raises(NoteError):
        add_addendum(note=telephone_note(seen_referral(), ot_user), body="  ", by=ot_user)


def test_an_auditor_adds_no_addendum(ot_user, auditor_user):
    with pytest.raises(NotAllowed):
        add_addendum(note=telephone_note(seen_referral(), ot_user), body="Looks fine", by=auditor_user)


# --- The database refuses too ----------------------------------------------------------------------------------------


def test_the_database_refuses_to_change_a_signed_notes_words(ot_user):
    note = telephone_note(seen_referral(), ot_user, body="As signed.")
    with pytest.raises(DatabaseError), transaction.atomic():
        ClinicalNote.objects.filter(pk=note.pk).update(body="Rewritten behind the app's back")
    with pytest.raises(DatabaseError), transaction.atomic():
        ClinicalNote.objects.filter(pk=note.pk).update(status="draft", signed_at=None)
    note.refresh_from_db()
    assert (note.body, note.status) == ("As signed.", "signed")


def test_the_database_lets_a_draft_change(ot_user):
    draft = telephone_note(seen_referral(), ot_user, sign=False)
    ClinicalNote.objects.filter(pk=draft.pk).update(body="Changed")
    draft.refresh_from_db()
    assert draft.body == "Changed"


def test_an_addendum_is_never_changed(ot_user):
    addendum = add_addendum(note=telephone_note(seen_referral(), ot_user), body="Added", by=ot_user)
    with pytest.raises(AddendumIsAppendOnly):
        Addendum.objects.filter(pk=addendum.pk).update(body="Changed")
    addendum.body = "Changed"
    with pytest.raises(AddendumIsAppendOnly):
        addendum.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE casenotes_addendum SET body = 'Changed' WHERE id = %s", [addendum.pk])
    assert Addendum.objects.get(pk=addendum.pk).body == "Added"


def test_a_countersignature_needs_someone_in_the_database(ota_user):
    note = telephone_note(seen_referral(), ota_user)
    with pytest.raises(DatabaseError), transaction.atomic():
        ClinicalNote.objects.filter(pk=note.pk).update(status="countersigned")


# --- The countersignature queue -------------------------------------------------------------------------------------


def test_the_queue_holds_the_notes_of_the_ots_own_assistants_oldest_first(ot_user, ota_user, team_lead_user):
    referral = seen_referral()
    other_ot = staff("ot", "other-ot")
    other_ota = staff("ota", "other-ota")
    other_ota.supervisor = other_ot
    other_ota.save(update_fields=["supervisor"])
    with time_machine.travel("2027-01-20 09:00 +00:00", tick=False):
        older = telephone_note(referral, ota_user, body="Older")
    with time_machine.travel("2027-01-20 10:00 +00:00", tick=False):
        newer = telephone_note(referral, ota_user, body="Newer")
        theirs = telephone_note(referral, other_ota, body="Someone else's assistant")
        telephone_note(referral, ota_user, body="Still a draft", sign=False)
        countersign(note=telephone_note(referral, ota_user, body="Done"), by=ot_user)
        telephone_note(referral, ot_user, body="An OT's own: nothing to countersign")
    assert list(countersignature_queue(ot_user)) == [older, newer]
    assert list(countersignature_queue(other_ot)) == [theirs]
    assert list(countersignature_queue(team_lead_user)) == [older, newer, theirs]
    assert list(countersignature_queue(ota_user)) == []
