"""Who may take a place in a group, and what a register may record: pure rules."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from paedot.diaries.rules import LONDON
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


# Sessions booked in the past ----------------------------------------------------------------------------------------

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)


def test_group_sessions_in_the_past_are_named_with_what_to_do_and_that_families_are_not_told():
    sessions = [dt.datetime(2026, 12, d, 9, 30, tzinfo=LONDON) for d in (7, 14)] + [NOW]
    warning = rules.sessions_in_the_past(sessions, NOW)
    assert warning is not None and warning.code == "in_the_past"
    assert warning.dates == (dt.date(2026, 12, 7), dt.date(2026, 12, 14))
    assert warning.message.startswith(
        "2 sessions of this group are in the past: Monday 7 December 2026 and Monday 14 December 2026. They are booked "
        "all the same, for sessions already held: record who came on each register."
    )
    assert "No reminder or other message is sent to the families in the group about them" in warning.message


def test_one_group_session_in_the_past_is_named_alone():
    warning = rules.sessions_in_the_past([NOW - dt.timedelta(minutes=1)], NOW)
    assert warning is not None and warning.message.startswith("1 session of this group is in the past: Monday 4")
    assert "about it, because it has already happened" in warning.message


def test_group_sessions_starting_now_or_later_have_no_warning():
    assert rules.sessions_in_the_past([NOW, NOW + dt.timedelta(days=7)], NOW) is None
    assert rules.sessions_in_the_past([], NOW) is None
