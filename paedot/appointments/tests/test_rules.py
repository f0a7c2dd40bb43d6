"""What a booking in the past says: which sessions (and the review) start before now, and the single appointment's
warning. Pure functions, no database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from paedot.appointments.rules import (
    FAMILY_NOT_TOLD,
    IN_THE_PAST,
    SEND_BOOKING,
    SEND_CHANGE,
    SEND_NOTHING,
    appointment_in_the_past,
    block_in_the_past,
    cancelled_without_telling,
    family_told_of,
    family_told_of_cancellation,
    group_session_cancelled,
    move_message,
    moved_into_the_past,
)
from paedot.appointments.tests.factories import london

NOW = london(2027, 1, 4, 9, 0)


def weekly(first: dt.datetime, count: int) -> list[dt.datetime]:
    return [first + dt.timedelta(days=7 * n) for n in range(count)]


def test_a_block_wholly_to_come_has_no_warning():
    assert block_in_the_past(weekly(london(2027, 1, 4, 9, 0), 3), london(2027, 1, 25, 9, 0), NOW) is None


def test_a_session_starting_at_this_very_minute_is_not_in_the_past_but_a_minute_earlier_is():
    assert block_in_the_past([NOW], None, NOW) is None
    warning = block_in_the_past([NOW - dt.timedelta(minutes=1)], None, NOW)
    assert warning is not None
    assert warning.dates == (dt.date(2027, 1, 4),)
    assert warning.message.startswith("1 session of this block is in the past: Monday 4 January 2027. It is booked")


def test_the_warning_counts_the_past_sessions_and_names_their_dates_and_the_review():
    sessions = weekly(london(2026, 12, 7, 10), 3)  # 7, 14 and 21 December 2026
    warning = block_in_the_past(sessions, london(2026, 12, 28, 10), NOW)
    assert warning is not None and warning.code == IN_THE_PAST == "in_the_past"
    assert warning.dates == (dt.date(2026, 12, 7), dt.date(2026, 12, 14), dt.date(2026, 12, 21), dt.date(2026, 12, 28))
    assert warning.message.startswith(
        "3 sessions of this block are in the past: Monday 7 December 2026, Monday 14 December 2026 and Monday "
        "21 December 2026, and so is the review, Monday 28 December 2026. They are booked all the same"
    )
    assert "record the outcome of each (attended or was not brought)" in warning.message


def test_only_the_sessions_before_now_are_named():
    sessions = weekly(london(2026, 12, 21, 10), 3)  # 21 and 28 December 2026 past; 4 January 2027 at 10:00 to come
    warning = block_in_the_past(sessions, london(2027, 1, 11, 10), NOW)
    assert warning is not None
    assert warning.dates == (dt.date(2026, 12, 21), dt.date(2026, 12, 28))
    assert warning.message.startswith("2 sessions of this block are in the past")
    assert "review" not in warning.message.split(".")[0]


def test_dates_are_birmingham_dates_not_utc():
    # 00:30 on 1 July in Birmingham is 23:30 on 30 June in UTC.
    warning = block_in_the_past([london(2026, 7, 1, 0, 30)], None, NOW)
    assert warning is not None and warning.dates == (dt.date(2026, 7, 1),)


def test_a_single_appointment_in_the_past_is_named_with_its_time():
    assert appointment_in_the_past(NOW, NOW) is None
    warning = appointment_in_the_past(london(2026, 1, 5, 9, 30), NOW)
    assert warning is not None and warning.code == "in_the_past"
    assert warning.dates == (dt.date(2026, 1, 5),)
    assert warning.message.startswith("This appointment is in the past: Monday 5 January 2026 at 09:30.")
    assert "record its outcome" in warning.message


# --- What the family is told of a booking made after the event -----------------------------------------------------


def test_the_family_is_told_of_an_appointment_starting_this_very_minute_but_not_of_one_a_minute_earlier():
    assert family_told_of(NOW, NOW) and family_told_of(NOW + dt.timedelta(days=7), NOW)
    assert not family_told_of(NOW - dt.timedelta(minutes=1), NOW)


def test_a_single_appointment_in_the_past_says_no_letter_email_or_text_was_sent_to_the_family():
    warning = appointment_in_the_past(london(2026, 12, 14, 9, 30), NOW)
    assert warning is not None
    assert "No letter, email or text message was sent to the family, because it has already happened." in (
        warning.message
    )


def test_a_block_wholly_in_the_past_says_nothing_was_sent_to_the_family():
    sessions = weekly(london(2026, 11, 16, 10), 4)
    warning = block_in_the_past(sessions, london(2026, 12, 14, 10), NOW)
    assert warning is not None
    assert (
        "No letter, email or text message was sent to the family, because these sessions have already happened."
        in warning.message
    )
    assert "told only of the appointments still to come" not in warning.message


def test_a_block_partly_in_the_past_says_the_family_was_told_only_of_what_is_to_come():
    for review in (london(2027, 1, 11, 10), london(2027, 1, 4, 9, 0)):  # sessions past, the review to come
        warning = block_in_the_past(weekly(london(2026, 12, 14, 10), 3), review, NOW)
        assert warning is not None
        assert "The family was told only of the appointments still to come" in warning.message
        assert "No letter, email or text message was sent" not in warning.message
    one_to_come = block_in_the_past(weekly(london(2026, 12, 21, 10), 3), london(2027, 1, 11, 10), NOW)
    assert one_to_come is not None and "told only of the appointments still to come" in one_to_come.message


def test_an_appointment_moved_into_the_past_is_named_with_its_time_and_no_word_to_the_family():
    assert moved_into_the_past(NOW, NOW) is None
    warning = moved_into_the_past(london(2026, 12, 14, 9, 30), NOW)
    assert warning is not None and warning.code == IN_THE_PAST
    assert warning.dates == (dt.date(2026, 12, 14),)
    assert warning.message.startswith(
        "This appointment has been moved into the past: Monday 14 December 2026 at 09:30."
    )
    assert "record its outcome (attended or was not brought)" in warning.message
    assert "No letter, email or text message was sent to the family about the move" in warning.message
    assert warning.message.endswith("If the date was typed wrongly, move it again.")


def test_a_block_planned_without_telling_the_family_says_nothing_was_sent_whatever_is_still_to_come():
    for first in (london(2026, 12, 14, 10), london(2026, 11, 16, 10)):  # partly in the past, then wholly
        warning = block_in_the_past(weekly(first, 3), london(2027, 1, 11, 10), NOW, notify=False)
        assert warning is not None
        assert "No letter, email or text message was sent to the family about this block" in warning.message
        assert "told only of the appointments still to come" not in warning.message
        assert "because these sessions have already happened" not in warning.message


def test_an_appointment_the_family_was_told_of_moved_into_the_past_says_their_calendar_still_shows_that_time():
    told = london(2027, 1, 15, 9, 30)
    warning = moved_into_the_past(london(2026, 12, 14, 9, 30), NOW, told=told)
    assert warning is not None
    assert (
        "The family was told it is on Friday 15 January 2027 at 09:30, and their letter and calendar still say so: "
        "unless they already know it has changed, tell them yourself." in warning.message
    )
    assert warning.message.endswith("If the date was typed wrongly, move it again.")
    for told in (None, london(2027, 1, 1, 9, 30)):  # never told, or told of a time already gone
        warning = moved_into_the_past(london(2026, 12, 14, 9, 30), NOW, told=told)
        assert warning is not None and "The family was told it is on" not in warning.message


# --- What a move or a cancellation sends, from what the family was last told ----------------------------------------

LATER = london(2027, 1, 20, 14, 0)
PAST = london(2026, 12, 14, 9, 30)


def test_what_a_move_sends_is_decided_from_the_time_the_family_was_last_told_of():
    told = london(2027, 1, 11, 9, 30)
    assert move_message(told=told, start=LATER, now=NOW) == SEND_CHANGE
    assert move_message(told=None, start=LATER, now=NOW) == SEND_BOOKING  # never told of it
    assert move_message(told=told, start=PAST, now=NOW) == SEND_NOTHING  # into the past
    assert move_message(told=None, start=PAST, now=NOW) == SEND_NOTHING
    assert move_message(told=told, start=told, now=NOW) == SEND_NOTHING  # back at the time they hold
    assert move_message(told=PAST, start=LATER, now=NOW) == SEND_CHANGE  # they did hear of that time, now gone
    assert move_message(told=told, start=NOW, now=NOW) == SEND_CHANGE  # this very minute is still to come


moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(dt.UTC)
)


@given(told=st.one_of(st.none(), moments), start=moments, now=moments)
def test_a_move_never_sends_anything_about_a_time_gone_nor_a_change_from_a_time_never_told(told, start, now):
    sent = move_message(told=told, start=start, now=now)
    if start < now or told == start:
        assert sent == SEND_NOTHING
    elif told is None:
        assert sent == SEND_BOOKING
    else:
        assert sent == SEND_CHANGE


@given(told=st.one_of(st.none(), moments), start=moments, now=moments)
def test_a_cancellation_is_told_exactly_when_nothing_warns_that_it_was_not(told, start, now):
    told_of_it = family_told_of_cancellation(told=told, now=now)
    assert told_of_it == (told is not None and told >= now)
    assert (cancelled_without_telling(told=told, start=start, cancelled_at=now) is None) == told_of_it


def test_a_cancellation_never_told_of_or_of_a_time_gone_says_why_nothing_was_sent():
    never = cancelled_without_telling(told=None, start=LATER, cancelled_at=NOW)
    assert never is not None and never.code == FAMILY_NOT_TOLD == "family_not_told"
    assert never.dates == (dt.date(2027, 1, 20),)
    assert never.message.startswith(
        "No letter, email or text message was sent to the family about the cancellation, because they were never "
        "told of this appointment"
    )
    gone = cancelled_without_telling(told=london(2027, 1, 1, 9, 30), start=PAST, cancelled_at=NOW)
    assert gone is not None
    assert gone.message.endswith(
        "because the time they were told of, Friday 1 January 2027 at 09:30, had already gone."
    )
    assert family_told_of_cancellation(told=NOW, now=NOW)  # a time starting this very minute is still to come


def test_a_group_session_cancelled_says_no_family_in_the_group_was_sent_anything():
    to_come = group_session_cancelled(start=LATER, cancelled_at=NOW)
    assert to_come.code == FAMILY_NOT_TOLD
    assert to_come.message.startswith(
        "No letter, email or text message was sent to the families in the group about the cancellation"
    )
    assert "Tell the families with a place in the group yourself." in to_come.message
    held = group_session_cancelled(start=PAST, cancelled_at=NOW)
    assert held.message.endswith("the session had already started when it was cancelled.")
