"""Which chosen sheets go in the letter for home and the letter for school, and who may read the library."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from paedot.advice.rules import ChosenSheet, may_read_library, sort_sheets

DRESSING = ChosenSheet("dressing", "Dressing", "parents")
SCISSORS = ChosenSheet("scissor-skills", "Scissor skills", "both")
CORRIDORS = ChosenSheet("getting-around-school", "Getting around school", "school")


def test_a_pack_for_both_gives_each_reader_their_sheets_and_the_shared_ones():
    sorting = sort_sheets([DRESSING, SCISSORS, CORRIDORS], for_home=True, for_school=True)
    assert sorting.home == ("dressing", "scissor-skills")
    assert sorting.school == ("scissor-skills", "getting-around-school")
    assert [(item.slug, item.recipient, item.code) for item in sorting.left_out] == [
        ("dressing", "school", "written_for_parents"),
        ("getting-around-school", "home", "written_for_school"),
    ]
    assert sorting.refusal is None


def test_a_pack_for_school_alone_says_why_a_parents_sheet_is_not_in_it():
    sorting = sort_sheets([DRESSING, SCISSORS], for_home=False, for_school=True)
    assert sorting.home == () and sorting.school == ("scissor-skills",)
    assert sorting.left_out[0].message == "Dressing is written for parents, so it is not in the pack for school."


def test_a_school_pack_with_nothing_for_school_is_refused():
    sorting = sort_sheets([DRESSING], for_home=True, for_school=True)
    assert sorting.refusal is not None and sorting.refusal.code == "nothing_for_school"


def test_a_pack_for_nobody_or_of_nothing_is_refused():
    assert sort_sheets([DRESSING], for_home=False, for_school=False).refusal.code == "no_recipient"
    assert sort_sheets([], for_home=True, for_school=False).refusal.code == "no_sheets"


sheets = st.lists(
    st.builds(
        ChosenSheet, st.text(min_size=1, max_size=8), st.just("T"), st.sampled_from(["parents", "school", "both"])
    ),
    unique_by=lambda s: s.slug,
    max_size=8,
)


@given(sheets, st.booleans(), st.booleans())
def test_every_chosen_sheet_is_given_or_its_absence_explained(chosen, for_home, for_school):
    sorting = sort_sheets(chosen, for_home=for_home, for_school=for_school)
    if sorting.refusal is not None:
        return
    for recipient, given_to, wanted in (("home", sorting.home, for_home), ("school", sorting.school, for_school)):
        explained = {item.slug for item in sorting.left_out if item.recipient == recipient}
        if wanted:
            assert set(given_to) | explained == {s.slug for s in chosen}
            assert not set(given_to) & explained
        else:
            assert given_to == () and not explained
    # Never a parents' sheet at school, nor a school's sheet at home.
    audience = {s.slug: s.audience for s in chosen}
    assert all(audience[slug] != "school" for slug in sorting.home)
    assert all(audience[slug] != "parents" for slug in sorting.school)


def test_every_staff_role_but_a_partner_system_may_read_the_library():
    def user(role, active=True):
        return SimpleNamespace(is_authenticated=True, is_active=active, role=role)

    for role in ("clinical_admin", "ot", "ota", "team_lead", "auditor", "system_admin"):
        assert may_read_library(user(role))
    assert not may_read_library(user("partner_system"))
    assert not may_read_library(user("ot", active=False))
    assert not may_read_library(None)
