"""The order of a day's visits: nearest neighbour from the base, as the crow flies."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from paedot.diaries.rules import haversine_km, travel_order

SOHO = (52.503094, -1.934945)  # B21 9RY, the service's base
CITY_CENTRE = (52.47666, -1.903535)  # B1 1AA
ERDINGTON = (52.5236, -1.8400)
HANDSWORTH_PARK = (52.5100, -1.9300)

points = st.tuples(st.floats(min_value=52.3, max_value=52.7), st.floats(min_value=-2.1, max_value=-1.6))


def test_the_distance_from_a_place_to_itself_is_zero():
    assert haversine_km(SOHO, SOHO) == 0


def test_soho_health_centre_to_the_city_centre_is_about_three_and_a_half_km():
    assert 3.3 < haversine_km(SOHO, CITY_CENTRE) < 3.8


def test_one_degree_of_latitude_is_about_111_km():
    assert math.isclose(haversine_km((52.0, -1.9), (53.0, -1.9)), 111.2, abs_tol=0.2)


def test_visits_go_from_the_base_each_time_to_the_nearest_place_left():
    order = travel_order(SOHO, [ERDINGTON, CITY_CENTRE, HANDSWORTH_PARK])
    assert [stop.index for stop in order] == [2, 1, 0]
    assert order[0].km_from_previous is not None and order[0].km_from_previous < 1


def test_places_without_a_known_position_come_last_in_the_order_given():
    order = travel_order(SOHO, [None, CITY_CENTRE, None, HANDSWORTH_PARK])
    assert [stop.index for stop in order] == [3, 1, 0, 2]
    assert [stop.km_from_previous is None for stop in order] == [False, False, True, True]


def test_without_a_base_the_walk_starts_at_the_first_place_given():
    order = travel_order(None, [ERDINGTON, CITY_CENTRE, HANDSWORTH_PARK])
    assert [stop.index for stop in order] == [0, 2, 1]
    assert order[0].km_from_previous is None


def test_places_the_same_distance_away_keep_the_order_given():
    order = travel_order(SOHO, [CITY_CENTRE, CITY_CENTRE])
    assert [stop.index for stop in order] == [0, 1]
    assert order[1].km_from_previous == 0


def test_no_places_is_an_empty_round():
    assert travel_order(SOHO, []) == ()


@given(origin=points, places=st.lists(st.one_of(points, st.none()), max_size=12))
def test_every_place_is_visited_once(origin, places):
    order = travel_order(origin, places)
    assert sorted(stop.index for stop in order) == list(range(len(places)))


@given(origin=points, places=st.lists(points, min_size=1, max_size=12))
def test_each_step_goes_to_the_nearest_place_not_yet_visited(origin, places):
    order = travel_order(origin, places)
    here, left = origin, set(range(len(places)))
    for stop in order:
        nearest = min(haversine_km(here, places[i]) for i in left)
        assert math.isclose(haversine_km(here, places[stop.index]), nearest)
        assert math.isclose(stop.km_from_previous, nearest)
        left.remove(stop.index)
        here = places[stop.index]


@given(a=points, b=points)
def test_the_distance_is_the_same_both_ways(a, b):
    assert math.isclose(haversine_km(a, b), haversine_km(b, a), abs_tol=1e-9)
