"""The review interval is the service's data with an effective date, and a mistake in it fails loudly."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from paedot.alerts.policy import POLICY_FILE, policy_on, review_policies


def test_the_default_is_six_months_at_most_twelve_and_says_it_is_not_yet_confirmed():
    policy = policy_on(dt.date(2027, 3, 10))
    assert (policy.review_after_months, policy.longest_review_months) == (6, 12)
    assert policy.confirmed_by_service is False


def test_a_later_version_takes_over_on_its_date(tmp_path):
    data = json.loads(POLICY_FILE.read_text())
    data["versions"].append({**data["versions"][0], "effective_from": "2027-04-01", "review_after_months": 3})
    path = tmp_path / "review.json"
    path.write_text(json.dumps(data))
    assert policy_on(dt.date(2027, 3, 31), path).review_after_months == 6
    assert policy_on(dt.date(2027, 4, 1), path).review_after_months == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"review_after_months": 0}, "'review_after_months' must be a whole number of months"),
        ({"longest_review_months": "12"}, "'longest_review_months' must be a whole number of months"),
        ({"review_after_months": 13}, "cannot be longer than 'longest_review_months'"),
        ({"review_days": 180}, "unknown keys ['review_days']"),
    ],
)
def test_a_mistake_in_the_file_is_refused_naming_the_key(tmp_path, change, message):
    data = json.loads(POLICY_FILE.read_text())
    data["versions"][0].update(change)
    path = tmp_path / "review.json"
    path.write_text(json.dumps(data))
    review_policies.cache_clear()
    try:
        with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
            review_policies(path)
    finally:
        review_policies.cache_clear()
