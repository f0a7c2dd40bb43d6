"""Matching a referral's child to a child we know: the NHS number decides, else names, date of birth and postcode."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from paedot.children.rules import (
    CERTAIN,
    LIKELY,
    LIKELY_SCORE,
    NONE,
    ChildFacts,
    compare_name_part,
    match_child,
    normalise_name,
    transposed_date_of_birth,
)
from paedot.core.identifiers import is_valid_nhs_number, nhs_number_check_digit

DOB = dt.date(2018, 3, 4)
NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "9434765870"
INVALID_NHS_NUMBER = "9434765918"  # wrong check digit

AISHA = ChildFacts(given_name="Aisha", family_name="Khan", date_of_birth=DOB, postcode="B21 9RY")


def child(**overrides) -> ChildFacts:
    return dataclasses.replace(AISHA, **overrides)


def test_the_nhs_numbers_used_here_are_what_they_say():
    assert is_valid_nhs_number(NHS_NUMBER)
    assert is_valid_nhs_number(OTHER_NHS_NUMBER)
    assert not is_valid_nhs_number(INVALID_NHS_NUMBER)


# (why, incoming, known, strength, codes the match must include)
CASES = [
    (
        "the same NHS number is the same child, whatever else differs",
        child(nhs_number=NHS_NUMBER),
        child(given_name="Zara", family_name="Ahmed", date_of_birth=dt.date(2016, 1, 1), nhs_number="943 476 5919"),
        CERTAIN,
        {"same_nhs_number", "different_date_of_birth", "different_given_name"},
    ),
    (
        "different NHS numbers are different children, even with the same name, birthday and postcode",
        child(nhs_number=NHS_NUMBER),
        child(nhs_number=OTHER_NHS_NUMBER),
        NONE,
        {"different_nhs_number", "same_given_name", "same_family_name", "same_date_of_birth"},
    ),
    (
        "an NHS number on one record only leaves the decision to the other details",
        child(nhs_number=NHS_NUMBER),
        child(),
        LIKELY,
        {"nhs_number_not_known", "same_given_name"},
    ),
    (
        "an invalid NHS number is not used, so it cannot rule a child out",
        child(nhs_number=NHS_NUMBER),
        child(nhs_number=INVALID_NHS_NUMBER),
        LIKELY,
        {"nhs_number_not_valid", "nhs_number_not_known"},
    ),
    (
        "the same invalid NHS number does not make a child certain",
        child(nhs_number=INVALID_NHS_NUMBER),
        child(given_name="Ben", nhs_number=INVALID_NHS_NUMBER),
        NONE,
        {"nhs_number_not_valid", "different_given_name"},
    ),
    (
        "Aisha and Ayesha Khan born the same day at the same postcode are likely the same child",
        child(),
        child(given_name="Ayesha", postcode="b219ry"),
        LIKELY,
        {"similar_given_name", "same_family_name", "same_date_of_birth", "same_postcode"},
    ),
    (
        "the same name with a different date of birth is not a match",
        child(),
        child(date_of_birth=dt.date(2018, 3, 5)),
        NONE,
        {"different_date_of_birth", "same_given_name", "same_family_name"},
    ),
    (
        "a date of birth with day and month the other way round still matches",
        child(),
        child(date_of_birth=dt.date(2018, 4, 3)),
        LIKELY,
        {"date_of_birth_transposed"},
    ),
    (
        "a date of birth transposed into another year is not a match",
        child(),
        child(date_of_birth=dt.date(2017, 4, 3)),
        NONE,
        {"different_date_of_birth"},
    ),
    (
        "Jon Smith and John Smyth born the same day at the same postcode are likely the same child",
        child(given_name="Jon", family_name="Smith"),
        child(given_name="John", family_name="Smyth"),
        LIKELY,
        {"similar_given_name", "similar_family_name"},
    ),
    (
        "twins Ben and Amy Smith are not the same child",
        child(given_name="Ben", family_name="Smith"),
        child(given_name="Amy", family_name="Smith"),
        NONE,
        {"different_given_name", "same_family_name", "same_date_of_birth", "same_postcode"},
    ),
    (
        "a different last name is not the same child",
        child(),
        child(family_name="Begum"),
        NONE,
        {"different_family_name"},
    ),
    (
        "first and last names the other way round in one record still match",
        child(),
        child(given_name="Khan", family_name="Aisha"),
        LIKELY,
        {"names_swapped", "same_given_name", "same_family_name"},
    ),
    (
        "a double-barrelled last name matches either half",
        child(given_name="Zoe", family_name="Smith-Jones"),
        child(given_name="Zoe", family_name="Jones"),
        LIKELY,
        {"part_of_family_name"},
    ),
    (
        "a hyphenated last name matches the same name written with a space",
        child(family_name="Khan-Ali"),
        child(family_name="Khan Ali"),
        LIKELY,
        {"same_family_name"},
    ),
    (
        "a middle name written with the first name still matches",
        child(given_name="Aisha Noor"),
        child(),
        LIKELY,
        {"part_of_given_name"},
    ),
    (
        "Alex matches Alexander",
        child(given_name="Alex"),
        child(given_name="Alexander"),
        LIKELY,
        {"shortened_given_name"},
    ),
    (
        "accents, apostrophes and capitals make no difference",
        child(given_name="Siobhán", family_name="O'Brien"),
        child(given_name="SIOBHAN", family_name="OBrien"),
        LIKELY,
        {"same_given_name", "same_family_name"},
    ),
    (
        "a family that moved house is still found with the same name and birthday",
        child(),
        child(postcode="M1 1AE"),
        LIKELY,
        {"different_postcode"},
    ),
    (
        "a postcode in the same sector counts for less than the same postcode",
        child(given_name="Jon", family_name="Smith"),
        child(given_name="John", family_name="Smyth", postcode="B21 9RZ"),
        LIKELY,
        {"same_postcode_sector"},
    ),
    (
        "a missing postcode is not held against a match",
        child(),
        child(postcode=""),
        LIKELY,
        {"postcode_not_known"},
    ),
    (
        "similar names that only just pass, at another postcode, are not enough",
        child(given_name="Katie", family_name="Smith"),
        child(given_name="Katy", family_name="Smyth", postcode="M1 1AE"),
        NONE,
        {"similar_given_name", "similar_family_name", "different_postcode", "not_enough_in_common"},
    ),
    (
        "a missing last name is not a match",
        child(),
        child(family_name=""),
        NONE,
        {"not_known_family_name"},
    ),
]


@pytest.mark.parametrize(
    ("incoming", "known", "strength", "codes"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_match_child(incoming, known, strength, codes):
    match = match_child(incoming, known)

    assert match.strength == strength
    assert codes <= set(match.codes)


def test_the_same_nhs_number_scores_100_and_different_ones_score_0():
    assert match_child(child(nhs_number=NHS_NUMBER), child(nhs_number=NHS_NUMBER)).score == 100
    assert match_child(child(nhs_number=NHS_NUMBER), child(nhs_number=OTHER_NHS_NUMBER)).score == 0


def test_the_same_postcode_scores_more_than_the_same_sector_which_scores_more_than_another_area():
    same = match_child(child(), child()).score
    sector = match_child(child(), child(postcode="B21 9RZ")).score
    elsewhere = match_child(child(), child(postcode="M1 1AE")).score

    assert same > sector > elsewhere


def test_a_likely_match_scores_at_least_the_threshold():
    match = match_child(child(), child(given_name="Ayesha"))

    assert match.strength == LIKELY
    assert match.score >= LIKELY_SCORE


def test_reasons_name_no_ones_details():
    incoming = child(nhs_number=NHS_NUMBER)
    match = match_child(incoming, child(given_name="Ayesha", nhs_number=OTHER_NHS_NUMBER))
    text = " ".join(reason.message for reason in match.reasons)

    for detail in ("Aisha", "Ayesha", "Khan", "B21", "2018", NHS_NUMBER, "943 476"):
        assert detail not in text


def test_every_reason_is_a_sentence():
    for _why, incoming, known, _strength, _codes in CASES:
        for reason in match_child(incoming, known).reasons:
            assert reason.code == reason.code.lower()
            assert " " not in reason.code
            assert reason.message[0].isupper()
            assert reason.message.endswith(".")


@pytest.mark.parametrize(
    ("date_of_birth", "transposed"),
    [
        (dt.date(2018, 3, 4), dt.date(2018, 4, 3)),
        (dt.date(2018, 12, 1), dt.date(2018, 1, 12)),
        (dt.date(2018, 3, 13), None),  # there is no 13th month
        (dt.date(2018, 5, 5), None),  # the same date either way
    ],
)
def test_transposed_date_of_birth(date_of_birth, transposed):
    assert transposed_date_of_birth(date_of_birth) == transposed


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Zoë", "zoe"),
        ("O'Brien", "obrien"),
        ("O\u2019Brien", "obrien"),  # a curly apostrophe
        ("Smith-Jones", "smith jones"),
        ("  Mary   Jane ", "mary jane"),
        ("Łukasz", "łukasz"),  # a letter with no accent to strip stays a letter
        ("", ""),
    ],
)
def test_normalise_name(raw, normalised):
    assert normalise_name(raw) == normalised


def test_a_shortened_name_needs_three_letters():
    assert compare_name_part("al", "alexander", allow_shortened=True).kind == "different"
    assert compare_name_part("ale", "alexander", allow_shortened=True).kind == "shortened"


def test_a_shortened_name_only_counts_for_first_names():
    assert compare_name_part("smith", "smithson").kind != "shortened"


# Properties

names = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZéëñøçł '-"), min_size=1, max_size=20).filter(
    lambda name: normalise_name(name) != ""
)
postcodes = st.sampled_from(["", "B21 9RY", "B21 9RZ", "b219ry", "B1 1AA", "M1 1AE", "WS1 2AB"])
dates = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def valid_nhs_numbers(draw) -> str:
    first_nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    check = nhs_number_check_digit(first_nine)
    assume(check is not None)
    return f"{first_nine}{check}"


children = st.builds(
    ChildFacts,
    given_name=names,
    family_name=names,
    date_of_birth=dates,
    postcode=postcodes,
    nhs_number=st.one_of(st.just(""), valid_nhs_numbers(), st.just(INVALID_NHS_NUMBER)),
)


@given(children)
def test_a_child_always_matches_itself(facts):
    assert match_child(facts, facts).strength in {CERTAIN, LIKELY}


@given(children, children)
def test_matching_is_symmetric(first, second):
    one_way, other_way = match_child(first, second), match_child(second, first)

    assert one_way.strength == other_way.strength
    assert one_way.score == pytest.approx(other_way.score)


@given(children, children)
def test_matching_is_symmetric_for_near_identical_children(first, second):
    """Random children rarely come close; these share a date of birth and one name, so the gates are tested."""
    second = dataclasses.replace(second, date_of_birth=first.date_of_birth, family_name=first.family_name)
    assert match_child(first, second).strength == match_child(second, first).strength


@given(children, valid_nhs_numbers(), valid_nhs_numbers())
def test_different_nhs_numbers_never_match(facts, first_number, second_number):
    assume(first_number != second_number)

    match = match_child(
        dataclasses.replace(facts, nhs_number=first_number), dataclasses.replace(facts, nhs_number=second_number)
    )

    assert match.strength == NONE
    assert "different_nhs_number" in match.codes


@given(children, children)
def test_score_is_between_0_and_100(first, second):
    assert 0 <= match_child(first, second).score <= 100
