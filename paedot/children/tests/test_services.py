"""Finding known children for a referral: the right candidates, strongest first, in one query."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.children.models import Child
from paedot.children.services import find_known_children

DOB = dt.date(2018, 3, 4)
NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "9434765870"


@pytest.fixture
def make_child(db):
    def make(**overrides) -> Child:
        fields = {
            "given_name": "Aisha",
            "family_name": "Khan",
            "date_of_birth": DOB,
            "postcode": "B21 9RY",
            "nhs_number": "",
        }
        return Child.objects.create(**(fields | overrides))

    return make


def find(**overrides):
    details = {
        "given_name": "Aisha",
        "family_name": "Khan",
        "date_of_birth": DOB,
        "postcode": "B21 9RY",
    }
    return find_known_children(**(details | overrides))


def test_a_child_with_the_same_nhs_number_is_found_whatever_their_other_details(make_child):
    known = make_child(given_name="Zara", date_of_birth=dt.date(2016, 1, 1), nhs_number=NHS_NUMBER)

    [(child, match)] = find(nhs_number="943 476 5919")

    assert child == known
    assert match.strength == "certain"


def test_a_child_with_a_similar_name_and_the_same_birthday_is_likely(make_child):
    known = make_child(given_name="Ayesha")

    [(child, match)] = find()

    assert child == known
    assert match.strength == "likely"


def test_a_child_born_on_the_transposed_date_is_found(make_child):
    known = make_child(date_of_birth=dt.date(2018, 4, 3))

    [(child, match)] = find()

    assert child == known
    assert "date_of_birth_transposed" in match.codes


def test_children_who_do_not_match_are_left_out(make_child):
    make_child(given_name="Ben")  # a twin: same birthday, same family, different child
    make_child(date_of_birth=dt.date(2018, 3, 5))
    make_child(nhs_number=OTHER_NHS_NUMBER)

    assert find(nhs_number=NHS_NUMBER) == []


def test_excluded_children_are_left_out(make_child):
    known = make_child()
    other = make_child(given_name="Ayesha")

    assert [child for child, _ in find(exclude_child_ids=[known.pk])] == [other]


def test_matches_come_strongest_first(make_child):
    similar = make_child(given_name="Ayesha")
    transposed = make_child(date_of_birth=dt.date(2018, 4, 3), postcode="M1 1AE")
    same = make_child()
    certain = make_child(given_name="Zara", date_of_birth=dt.date(2016, 1, 1), nhs_number=NHS_NUMBER)

    results = find(nhs_number=NHS_NUMBER)

    assert [child for child, _ in results] == [certain, same, similar, transposed]
    assert [match.strength for _, match in results] == ["certain", "likely", "likely", "likely"]


def test_an_invalid_nhs_number_is_not_looked_up(make_child):
    make_child(given_name="Zara", date_of_birth=dt.date(2016, 1, 1), nhs_number="9434765918")

    assert find(nhs_number="943 476 5918") == []


@pytest.mark.parametrize("others", [0, 50])
def test_the_lookup_is_one_query_however_many_children_we_hold(make_child, django_assert_max_num_queries, others):
    for n in range(others):
        make_child(given_name=f"Child{n}", date_of_birth=DOB - dt.timedelta(days=n + 1))
        make_child(given_name=f"Twin{n}", nhs_number="")
    make_child(given_name="Ayesha")
    make_child(nhs_number=NHS_NUMBER, date_of_birth=dt.date(2016, 1, 1))

    with django_assert_max_num_queries(1):
        results = find(nhs_number=NHS_NUMBER)

    assert len(results) == 2
