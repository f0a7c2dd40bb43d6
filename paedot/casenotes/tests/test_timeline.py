"""The notes' entries on a child's timeline: signed notes (an assistant's too, while awaiting countersignature) and
addenda, never drafts; each linking to the note on the notes page; two queries however many."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from paedot.casenotes.services import add_addendum, countersign, write_note
from paedot.casenotes.tests.factories import appointment, seen_referral, telephone_note
from paedot.casenotes.timeline import entries_for
from paedot.diaries.rules import LONDON

pytestmark = pytest.mark.django_db


def test_signed_notes_and_addenda_are_on_the_timeline_and_drafts_are_not(ot_user, ota_user):
    referral = seen_referral()
    session = appointment(referral, ot_user)
    seen = write_note(appointment=session, body="Worked on buttons.", author=ot_user)
    call = telephone_note(referral, ota_user, body="Rang mum.")
    telephone_note(referral, ot_user, body="Unfinished", sign=False)
    with time_machine.travel("2027-01-20 17:00 +00:00", tick=False):
        addendum = add_addendum(note=seen, body="Forgot: new pencil grip given.", by=ota_user)

    entries = entries_for(referral)

    assert [(e.kind, e.title) for e in entries] == [
        ("note", "Note: Treatment session"),
        ("addendum", "Addendum to the note of Treatment session on 18 January 2027 at 10:00"),
        ("note", "Note: Telephone call (awaiting countersignature)"),
    ]
    note_entry, addendum_entry, call_entry = entries
    assert note_entry.when == dt.datetime(2027, 1, 18, 10, 0, tzinfo=LONDON)
    assert note_entry.who == "Olu Therapist"
    assert note_entry.detail == "Worked on buttons."
    assert note_entry.url == f"/staff/notes/{referral.reference}/#note-{seen.pk}"
    assert addendum_entry.when == dt.datetime(2027, 1, 20, 17, 0, tzinfo=dt.UTC)
    assert addendum_entry.who == "Ama Assistant"
    assert addendum_entry.url == f"/staff/notes/{referral.reference}/#addendum-{addendum.pk}"
    assert call_entry.when == dt.datetime(2027, 1, 19, tzinfo=LONDON)  # no time given: the start of that day
    assert call_entry.url.endswith(f"#note-{call.pk}")
    assert all(e.when.tzinfo is not None for e in entries)


def test_a_countersigned_note_says_by_whom(ot_user, ota_user):
    referral = seen_referral()
    countersign(note=telephone_note(referral, ota_user), by=ot_user)
    [entry] = entries_for(referral)
    assert entry.title == "Note: Telephone call (countersigned by Olu Therapist)"


def test_a_long_note_is_shortened_on_the_timeline(ot_user):
    referral = seen_referral()
    telephone_note(referral, ot_user, body="word " * 100)
    [entry] = entries_for(referral)
    assert len(entry.detail) <= 200 and entry.detail.endswith("…")


def test_another_childs_notes_are_not_on_the_timeline(ot_user):
    telephone_note(seen_referral(), ot_user)
    assert entries_for(seen_referral()) == []


def test_the_timeline_takes_two_queries_however_many_notes(ot_user, ota_user, django_assert_num_queries):
    referral = seen_referral()
    for n in range(5):
        note = telephone_note(referral, ota_user if n % 2 else ot_user, body=f"Call {n}")
        add_addendum(note=note, body="More", by=ot_user)
    countersign(note=telephone_note(referral, ota_user), by=ot_user)
    with django_assert_num_queries(2):
        entries = entries_for(referral)
    assert len(entries) == 11
