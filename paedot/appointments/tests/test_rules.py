"""What a booking in the past says: which sessions (and the review) start before now, and the single appointment's
warning. Pure functions, no database."""

from __future__ import annotations

import datetime as dt

from paedot.appointments.rules import (
    IN_THE_PAST,
    appointment_in_the_past,
    block_in_the_past,
    family_told_of,
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
