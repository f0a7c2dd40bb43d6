import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.notifications import rules


@pytest.mark.parametrize(
    ("given_number", "mobile"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("0044 (0)7700-900123".replace("(0)", ""), "07700900123"),
        ("0121 465 8551", None),
        ("", None),
        ("07700 90012", None),
    ],
)
def test_only_uk_mobile_numbers_take_a_text(given_number, mobile):
    assert rules.uk_mobile(given_number) == mobile


def test_tries_wait_longer_each_time_and_stop_after_the_last():
    delays = [rules.retry_delay(n) for n in range(1, rules.MAX_ATTEMPTS)]
    assert delays == sorted(delays)
    assert all(d > dt.timedelta(0) for d in delays)
    assert rules.retry_delay(rules.MAX_ATTEMPTS) is None


@given(st.integers(min_value=0, max_value=1000))
def test_a_message_is_never_tried_more_than_the_limit(attempts):
    assert (rules.retry_delay(attempts) is None) == (attempts >= rules.MAX_ATTEMPTS)


def test_a_stalled_message_is_one_waiting_longer_than_the_longest_retry():
    assert max(rules.RETRY_DELAYS) < rules.STALLED_AFTER


@pytest.mark.parametrize("status", ["failed", "outbox_only"])
def test_a_message_not_sent_may_be_sent_again_or_closed(status):
    assert rules.resend_decision(status).allowed
    assert rules.dealt_with_decision(status).allowed


@pytest.mark.parametrize(
    ("status", "code"), [("sent", "already_sent"), ("queued", "still_queued"), ("dealt_with", "dealt_with")]
)
def test_a_message_sent_queued_or_dealt_with_is_neither_sent_again_nor_closed_and_says_why(status, code):
    for decision in (rules.resend_decision(status), rules.dealt_with_decision(status)):
        assert not decision.allowed
        assert decision.code == code
        assert decision.reason.endswith(".")
    assert "tell the person twice" in rules.resend_decision("sent").reason
