"""Who may record a letter as posted, and how a posting is put in words."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.letters import rules


@pytest.mark.parametrize("role", ["clinical_admin", "team_lead"])
def test_admin_staff_and_team_leads_may_record_any_letter_even_one_the_system_issued(role):
    assert rules.posting_decision(role=role, user_id=1, issued_by_id=2).allowed
    assert rules.posting_decision(role=role, user_id=1, issued_by_id=None).allowed


@pytest.mark.parametrize("role", ["ot", "ota"])
def test_a_clinician_may_record_a_letter_they_issued_but_not_a_colleagues_or_the_systems(role):
    assert rules.posting_decision(role=role, user_id=7, issued_by_id=7).allowed
    refused = rules.posting_decision(role=role, user_id=7, issued_by_id=8)
    assert not refused.allowed
    assert refused.code == rules.NOT_THEIR_LETTER
    assert refused.reason == (
        "You may record only letters you issued yourself as posted. The admin team posts the others."
    )
    assert not rules.posting_decision(role=role, user_id=7, issued_by_id=None).allowed


def test_a_letter_not_posted_has_no_mark_to_undo():
    assert rules.undo_decision(posted=True).allowed
    refused = rules.undo_decision(posted=False)
    assert (refused.allowed, refused.code) == (False, rules.NOT_POSTED)
    assert refused.reason == "This letter is not recorded as posted: there is nothing to undo."


def test_marking_again_says_who_posted_it_and_when():
    at = dt.datetime(2027, 3, 9, 14, 30, tzinfo=dt.UTC)
    said = rules.already_posted_message(posted_at=at, posted_by_name="Ada Admin", before_recording=False)
    assert said == "Already recorded as posted by Ada Admin on 9 March 2027 at 14:30. Nothing was changed."


def test_a_letter_from_before_posting_was_recorded_names_nobody():
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    said = rules.already_posted_message(posted_at=at, posted_by_name=None, before_recording=True)
    assert said == "Already counted as posted: it was issued on 2 November 2026 at 09:00, before posting was recorded."
    assert rules.posted_by_words(posted_by_name="Ada", before_recording=True) == rules.BEFORE_RECORDING


@pytest.mark.parametrize(
    ("recipient", "words"),
    [
        (
            {"role": "family", "name": "Sara Testchild", "address": "1 Soho Road, B21 9RY"},
            "Parent or carer: Sara Testchild, 1 Soho Road, B21 9RY",
        ),
        ({"role": "gp", "name": "The GP, Example Surgery", "address": "M85001"}, "GP: The GP, Example Surgery, M85001"),
        ({"role": "referrer", "name": "Dr Jo Example", "address": ""}, "Referrer: Dr Jo Example"),
        ({"role": "school", "name": "", "address": ""}, "School or nursery"),
    ],
)
def test_each_copy_is_listed_with_who_they_are_their_name_and_address(recipient, words):
    assert rules.recipient_words(recipient) == words
