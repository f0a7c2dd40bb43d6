"""The goal bank: the service's file is complete (every goal has five described levels, a unique id, a known area and
topic, a usual baseline), and a bad edit is refused on load with a message naming the goal."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from paedot.care.goal_bank import BANK_FILE, LEVEL_KEYS, bank_goal, goal_bank, load_goal_bank
from paedot.care.models import Area

REQUIRED_TOPICS = {
    "dressing",
    "feeding",
    "toileting",
    "washing",
    "handwriting",
    "pencil_grip",
    "scissor_skills",
    "organisation",
    "getting_around_school",
    "play",
    "leisure_sport",
}


def test_the_bank_holds_at_least_30_goals_with_unique_ids():
    ids = [goal.id for goal in goal_bank().goals]
    assert len(ids) >= 30
    assert len(ids) == len(set(ids))


def test_every_goal_has_five_described_levels_with_the_expected_outcome_at_0():
    for goal in goal_bank().goals:
        assert tuple(goal.levels) == LEVEL_KEYS, goal.id
        assert all(text.strip() for text in goal.levels.values()), goal.id
        assert goal.levels["0"] != goal.levels["-1"] != goal.levels["1"], goal.id


def test_every_goal_is_in_a_known_area_and_a_topic_of_that_area():
    bank = goal_bank()
    topic_areas = {topic.id: topic.area for topic in bank.topics}
    for goal in bank.goals:
        assert goal.area in Area.values, goal.id
        assert topic_areas[goal.topic] == goal.area, goal.id


def test_the_bank_covers_every_topic_of_the_service_and_all_three_areas():
    bank = goal_bank()
    assert {goal.topic for goal in bank.goals} >= REQUIRED_TOPICS
    assert {goal.area for goal in bank.goals} == set(Area.values)


def test_every_goal_is_timed_to_the_block_and_starts_one_below_expected_unless_nothing_is_worse():
    for goal in goal_bank().goals:
        assert goal.description.startswith("By the end of the block, {child} will "), goal.id
        assert goal.baseline in (-2, -1), goal.id
    assert any(goal.baseline == -2 for goal in goal_bank().goals)


def test_a_bank_goal_is_written_for_the_child_by_first_name():
    row = bank_goal("dressing-coat-zip").for_child("Ayaan")
    assert row["description"].startswith("By the end of the block, Ayaan will put on their school coat")
    assert row["weight"] == 1 and row["baseline"] == -1 and row["area"] == "self_care"
    assert set(row["levels"]) == set(LEVEL_KEYS)


def test_an_unknown_bank_goal_is_a_key_error():
    with pytest.raises(KeyError):
        bank_goal("not-a-goal")


# --- A bad edit is refused on load ---------------------------------------------------------------------------------


def _load_with(tmp_path, change):
    data = json.loads(BANK_FILE.read_text(encoding="utf-8"))
    edited = copy.deepcopy(data)
    change(edited)
    path = tmp_path / "goal_bank.json"
    path.write_text(json.dumps(edited), encoding="utf-8")
    return load_goal_bank(path)


def test_the_file_as_shipped_loads(tmp_path):
    assert len(_load_with(tmp_path, lambda data: None).goals) == len(goal_bank().goals)


def test_a_goal_with_a_level_missing_is_refused(tmp_path):
    def drop_level(data):
        del data["goals"][0]["levels"]["2"]

    with pytest.raises(ImproperlyConfigured, match="dressing-coat-zip needs all five levels"):
        _load_with(tmp_path, drop_level)


def test_a_goal_with_an_empty_level_is_refused(tmp_path):
    def blank_level(data):
        data["goals"][1]["levels"]["-1"] = "  "

    with pytest.raises(ImproperlyConfigured, match="needs all five levels"):
        _load_with(tmp_path, blank_level)


def test_a_goal_listed_twice_is_refused(tmp_path):
    def repeat(data):
        data["goals"].append(data["goals"][0])

    with pytest.raises(ImproperlyConfigured, match="listed twice"):
        _load_with(tmp_path, repeat)


def test_a_goal_in_an_unknown_area_is_refused(tmp_path):
    def bad_area(data):
        data["goals"][0]["area"] = "sleep"

    with pytest.raises(ImproperlyConfigured, match="area 'sleep'"):
        _load_with(tmp_path, bad_area)


def test_a_goal_whose_area_is_not_its_topics_is_refused(tmp_path):
    def wrong_area(data):
        data["goals"][0]["area"] = "school"

    with pytest.raises(ImproperlyConfigured, match="but its topic dressing is in self_care"):
        _load_with(tmp_path, wrong_area)


@pytest.mark.parametrize("baseline", [0, 1, True, "-1"])
def test_a_goal_with_an_unusual_baseline_is_refused(tmp_path, baseline):
    def bad_baseline(data):
        data["goals"][0]["baseline"] = baseline

    with pytest.raises(ImproperlyConfigured, match="baseline"):
        _load_with(tmp_path, bad_baseline)
