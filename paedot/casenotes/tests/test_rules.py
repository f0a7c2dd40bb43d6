"""The rules of notes as pure decisions: what signing makes a note, and who may change or countersign it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paedot.casenotes import rules

STATUSES = st.sampled_from([rules.DRAFT, rules.SIGNED, rules.AWAITING, rules.COUNTERSIGNED])


def test_an_assistants_signed_note_awaits_countersignature_and_an_ots_does_not():
    assert rules.status_on_signing("ota") == rules.AWAITING
    assert rules.status_on_signing("ot") == rules.SIGNED
    assert rules.status_on_signing("team_lead") == rules.SIGNED


@given(status=STATUSES, is_author=st.booleans())
def test_only_the_authors_draft_is_ever_changed(status, is_author):
    refusal = rules.edit_refusal(status=status, is_author=is_author)
    assert (refusal is None) == (status == rules.DRAFT and is_author)
    if status != rules.DRAFT:
        assert refusal.about_the_note and refusal.message == "A signed note is never changed: add an addendum."


@given(status=STATUSES, is_author=st.booleans(), is_supervisor=st.booleans(), is_lead=st.booleans())
def test_a_countersignature_needs_a_note_awaiting_it_and_someone_other_than_its_author(
    status, is_author, is_supervisor, is_lead
):
    refusal = rules.countersign_refusal(
        status=status, is_author=is_author, is_authors_supervisor=is_supervisor, is_team_lead=is_lead
    )
    allowed = status == rules.AWAITING and not is_author and (is_supervisor or is_lead)
    assert (refusal is None) == allowed
    if refusal is not None:
        # The note's state is a conflict (409); who is asking is a refusal (403).
        assert refusal.about_the_note == (status != rules.AWAITING)
        assert refusal.code and refusal.message


def test_a_cancelled_appointment_or_one_still_to_come_gets_no_note_but_one_that_happened_does():
    assert rules.appointment_note_refusal(cancelled=True, has_happened=True).code == "appointment_cancelled"
    assert rules.appointment_note_refusal(cancelled=False, has_happened=False).code == "appointment_not_happened"
    assert rules.appointment_note_refusal(cancelled=False, has_happened=True) is None


@given(status=STATUSES)
def test_addenda_are_for_signed_notes(status):
    assert (rules.addendum_refusal(status=status) is None) == (status != rules.DRAFT)
