"""Who may take a place in a group, and what a register may record: pure rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paedot.groups import rules


def refusal(**overrides):
    values = {
        "status": "waiting",
        "status_words": "on the waiting list",
        "reference": "OT-TEST",
        "programme": "Handwriting group",
        "already_enrolled": False,
        "enrolled": 0,
        "capacity": 8,
        **overrides,
    }
    return rules.enrolment_refusal(**values)


@given(capacity=st.integers(1, 60), enrolled=st.integers(0, 100))
def test_places_left_is_never_negative_and_a_group_with_none_left_refuses(capacity, enrolled):
    left = rules.places_left(capacity=capacity, enrolled=enrolled)
    assert 0 <= left <= capacity
    assert (refusal(enrolled=enrolled, capacity=capacity) is None) == (left > 0)


def test_a_closed_referral_is_refused_before_anything_else():
    assert refusal(status="discharged", already_enrolled=True, enrolled=8).code == "not_on_waiting_list"


def test_already_enrolled_is_said_before_full():
    assert refusal(already_enrolled=True, enrolled=8).code == "already_enrolled"


def test_the_full_message_counts_the_places():
    assert refusal(enrolled=1, capacity=1).message.startswith("Handwriting group is full: its one place is taken")


def test_seen_children_may_join():
    assert refusal(status="seen") is None


def test_the_same_outcome_again_is_not_a_refusal_but_a_different_one_is():
    kwargs = {"session_cancelled": False, "session_started": True, "enrolled": True}
    assert rules.attendance_refusal(outcome="attended", recorded="attended", **kwargs) is None
    assert rules.attendance_refusal(outcome="attended", recorded="was_not_brought", **kwargs).code == "already_recorded"
