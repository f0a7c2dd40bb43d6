"""find_known_children weighs in full only the candidates who could match: it must find exactly what weighing
every candidate would find."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paedot.children.models import Child
from paedot.children.rules import NONE, STRENGTHS, ChildFacts, match_child, transposed_date_of_birth
from paedot.children.services.finding import _could_match, _FamilyNameGate, find_known_children
from paedot.core.identifiers import is_valid_nhs_number, normalise_nhs_number

DOB = dt.date(2018, 3, 4)
NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "9434765870"
INVALID_NHS_NUMBER = "9434765918"

# Names with the variants referrals bring: spellings, shortenings, middle and double-barrelled names, apostrophes,
# accents, and names that are only a little alike.
NAMES = [
    "Aisha", "Ayesha", "Aysha", "Khan", "Khann", "Kahn", "Mohammed", "Muhammad", "Mohammad Ali", "Alex",
    "Alexander", "Al", "Smith", "Smyth", "Smith-Jones", "Jones", "O'Brien", "OBrien", "O\u2019Brien", "Zoë", "Zoe",
    "Olivia", "Oliver", "Ben", "Amy", "Sophie", "Sofia", "Katie", "Katy", "Jon", "John", "Ali", "Begum", "Patel",
]  # fmt: skip
names = st.one_of(st.sampled_from(NAMES), st.text(alphabet="abcdeklmnosty -'", min_size=0, max_size=8))
postcodes = st.sampled_from(["", "B21 9RY", "B21 9RZ", "M1 1AE"])
dates = st.sampled_from([DOB, dt.date(2018, 4, 3), dt.date(2018, 3, 5), dt.date(2016, 1, 1)])
numbers = st.sampled_from(["", NHS_NUMBER, "943 476 5919", OTHER_NHS_NUMBER, INVALID_NHS_NUMBER])
children = st.builds(
    ChildFacts, given_name=names, family_name=names, date_of_birth=dates, postcode=postcodes, nhs_number=numbers
)


def could_match(incoming: ChildFacts, known: ChildFacts) -> bool:
    number = normalise_nhs_number(incoming.nhs_number)
    dates = {incoming.date_of_birth, transposed_date_of_birth(incoming.date_of_birth)} - {None}
    return _could_match(
        incoming_number=number if is_valid_nhs_number(number) else "",
        known_number=known.nhs_number,
        dates=dates,
        known_born=known.date_of_birth,
        known_names=(known.given_name, known.family_name),
        family_gate=_FamilyNameGate(incoming.family_name),
    )


@settings(max_examples=2000)
@given(children, children, st.booleans())
def test_no_child_who_would_match_is_passed_over(incoming, known, swap_names):
    if swap_names:
        known = dataclasses.replace(known, given_name=known.family_name, family_name=known.given_name)
    if match_child(incoming, known).strength != NONE:
        assert could_match(incoming, known)


def weigh_everyone(incoming: ChildFacts) -> list:
    """What find_known_children finds, the slow way: every child we hold compared in full."""
    found = []
    for child in Child.objects.all():
        known = ChildFacts(child.given_name, child.family_name, child.date_of_birth, child.postcode, child.nhs_number)
        match = match_child(incoming, known)
        if match.strength != NONE:
            found.append((child.pk, match))
    found.sort(key=lambda pair: (STRENGTHS.index(pair[1].strength), -pair[1].score, pair[0]))
    return found


@pytest.mark.django_db
def test_the_children_found_are_those_comparing_everyone_would_find():
    rng = random.Random(8)
    for _ in range(300):
        Child.objects.create(
            given_name=rng.choice(NAMES),
            family_name=rng.choice(NAMES),
            date_of_birth=rng.choice([DOB, dt.date(2018, 4, 3), dt.date(2018, 3, 5), dt.date(2016, 1, 1)]),
            postcode=rng.choice(["", "B21 9RY", "B21 9RZ", "M1 1AE"]),
            nhs_number=rng.choice(["", "", "", NHS_NUMBER, OTHER_NHS_NUMBER, INVALID_NHS_NUMBER]),
        )
    for _ in range(40):
        incoming = ChildFacts(
            given_name=rng.choice(NAMES),
            family_name=rng.choice(NAMES),
            date_of_birth=DOB,
            postcode=rng.choice(["", "B21 9RY", "M1 1AE"]),
            nhs_number=rng.choice(["", NHS_NUMBER, INVALID_NHS_NUMBER]),
        )
        found = find_known_children(
            given_name=incoming.given_name,
            family_name=incoming.family_name,
            date_of_birth=incoming.date_of_birth,
            postcode=incoming.postcode,
            nhs_number=incoming.nhs_number,
        )

        assert [(child.pk, match) for child, match in found] == weigh_everyone(incoming)


@pytest.mark.django_db
def test_a_child_found_reads_the_rest_of_the_record_when_asked():
    known = Child.objects.create(
        given_name="Aisha", family_name="Khan", date_of_birth=DOB, postcode="B21 9RY", address="1 Soho Road"
    )

    [(child, _)] = find_known_children(given_name="Aisha", family_name="Khan", date_of_birth=DOB, postcode="")

    assert child == known
    assert child.full_name == "Aisha Khan"
    assert child.address == "1 Soho Road"  # not read by the look-up, loaded when used
