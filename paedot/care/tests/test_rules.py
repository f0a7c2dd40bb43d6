"""GAS, COPM and TOMs arithmetic against the worked values in the domain notes, and as properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.care.rules import (
    CopmProblemChange,
    RatingError,
    check_gas_level,
    check_toms,
    check_toms_score,
    check_weight,
    copm_change,
    gas_t_score,
)

levels = st.sampled_from([-2, -1, 0, 1, 2])
weights = st.integers(min_value=1, max_value=10)
goals = st.lists(st.tuples(weights, levels), min_size=1, max_size=8)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(1, 0)], "50.00"),
        ([(1, 0), (1, 0), (1, 0)], "50.00"),
        ([(1, -2), (1, -2), (1, -2)], "22.61"),
        ([(1, 1), (1, 1), (1, 1)], "63.69"),
        ([(3, 2), (2, 0), (1, -1)], "61.02"),
        ([(1, -1), (1, -1)], "37.60"),
    ],
)
def test_gas_t_score_matches_the_worked_examples(pairs, expected):
    assert gas_t_score(pairs) == Decimal(expected)


@given(st.lists(weights, min_size=1, max_size=8))
def test_t_is_50_when_every_goal_is_at_its_expected_level(ws):
    assert gas_t_score([(w, 0) for w in ws]) == Decimal("50.00")


@given(goals, st.data())
def test_raising_one_goals_level_never_lowers_t(pairs, data):
    index = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    weight, level = pairs[index]
    if level == 2:
        return
    raised = [*pairs[:index], (weight, level + 1), *pairs[index + 1 :]]
    assert gas_t_score(raised) > gas_t_score(pairs)


@given(goals)
def test_t_is_symmetric_about_50(pairs):
    mirrored = [(w, -x) for w, x in pairs]
    assert gas_t_score(pairs) - 50 == pytest.approx(50 - gas_t_score(mirrored), abs=Decimal("0.011"))


@given(goals)
def test_t_does_not_depend_on_the_order_of_goals(pairs):
    assert gas_t_score(pairs) == gas_t_score(list(reversed(pairs)))


def test_a_t_score_needs_a_goal():
    with pytest.raises(ValueError):
        gas_t_score([])


@pytest.mark.parametrize("bad", [3, -3, 0.5, "1", None, True])
def test_a_level_outside_minus_two_to_two_is_refused_naming_the_field(bad):
    with pytest.raises(RatingError) as refused:
        check_gas_level(bad, "goals.0.attained")
    assert refused.value.field == "goals.0.attained"


@pytest.mark.parametrize("bad", [0, -1, "x", None, float("nan")])
def test_a_weight_that_is_not_positive_is_refused(bad):
    with pytest.raises(RatingError) as refused:
        check_weight(bad, "goals.1.weight")
    assert refused.value.field == "goals.1.weight"


def test_copm_change_is_the_mean_at_review_less_the_mean_at_assessment():
    change = copm_change(
        [
            CopmProblemChange("Doing up buttons", 3, 6, 2, 7),
            CopmProblemChange("Using a knife and fork", 4, 5, 4, 5),
        ]
    )
    assert change.performance_before == Decimal("3.50")
    assert change.performance_after == Decimal("5.50")
    assert change.performance_change == Decimal("2.00")
    assert change.performance_important
    assert change.satisfaction_change == Decimal("3.00")
    assert change.problems[0].important and not change.problems[1].important


@given(st.lists(st.tuples(*[st.integers(1, 10)] * 4), min_size=1, max_size=5))
def test_copm_change_is_bounded_by_the_scale(ratings):
    change = copm_change([CopmProblemChange("p", a, b, c, d) for a, b, c, d in ratings])
    assert -9 <= change.performance_change <= 9
    assert -9 <= change.satisfaction_change <= 9


@pytest.mark.parametrize("good", [0, 0.5, "2.5", 5, Decimal("4.5")])
def test_toms_scores_are_half_points_from_zero_to_five(good):
    assert check_toms_score(good, "toms.activity") == Decimal(str(good))


@pytest.mark.parametrize("bad", [-0.5, 5.5, 2.3, "x", None, True])
def test_a_toms_score_not_in_half_points_is_refused(bad):
    with pytest.raises(RatingError) as refused:
        check_toms_score(bad, "toms.activity")
    assert refused.value.field == "toms.activity"


def test_toms_needs_all_four_domains():
    with pytest.raises(RatingError) as refused:
        check_toms({"impairment": 2, "activity": 3, "participation": 3}, "toms")
    assert refused.value.field == "toms.wellbeing"
