"""The limits file: read and checked once, versions by date, and the defaults marked as not yet confirmed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from paedot.attention.policy import attention_policies, policy_from_dict, policy_on

VERSION = {
    "effective_from": "2027-04-01",
    "confirmed_by_service": True,
    "screening_days": 5,
    "information_requested_days": 10,
    "triage_days": 5,
    "waiting_targets_days": {"urgent": 10, "soon": 30, "routine": 90},
    "school_calendar_warning_days": 112,
    "letters_to_post_working_days": 2,
}


def test_the_defaults_are_the_suggested_limits_and_say_they_are_not_yet_confirmed():
    policy = policy_on(dt.date(2027, 3, 10))
    assert not policy.confirmed_by_service
    assert (policy.screening_days, policy.information_requested_days, policy.triage_days) == (7, 14, 7)
    assert dict(policy.waiting_targets_days) == {"urgent": 14, "soon": 42, "routine": 126}
    assert policy.school_calendar_warning_days == 112  # 16 weeks' notice to load the next school year's holidays
    assert policy.letters_to_post_working_days == 2


def test_a_later_version_takes_over_on_its_date(tmp_path):
    path = tmp_path / "limits.json"
    first = {**VERSION, "effective_from": "2027-01-01", "confirmed_by_service": False, "triage_days": 7}
    path.write_text(json.dumps({"versions": [VERSION, first]}))
    assert policy_on(dt.date(2027, 3, 31), path).triage_days == 7
    assert policy_on(dt.date(2027, 4, 1), path).triage_days == 5
    with pytest.raises(ValueError, match="no version is in force"):
        policy_on(dt.date(2026, 12, 31), path)
    attention_policies.cache_clear()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"triage_days": -1}, "'triage_days' must be a whole number"),
        ({"screening_days": "7"}, "'screening_days' must be a whole number"),
        ({"waiting_targets_days": {"urgent": 14, "soon": 42}}, "a target for each of urgent, soon, routine"),
        ({"triage_dayz": 7}, "unknown keys"),
        ({"confirmed_by_service": "no"}, "true or false"),
        ({"school_calendar_warning_days": 3651}, "'school_calendar_warning_days' must be a whole number"),
        ({"letters_to_post_working_days": 1.5}, "'letters_to_post_working_days' must be a whole number"),
    ],
)
def test_a_mistake_in_the_file_is_refused_naming_the_key(change, message):
    with pytest.raises(ValueError, match=message):
        policy_from_dict({**VERSION, **change})
