"""The triage rules suggest a priority, always with reasons: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from paedot.triage.rules import (
    AREA_OF,
    ROUTINE,
    SAFETY_AREAS,
    SAFETY_WORDS,
    SOON,
    URGENT,
    TriageFacts,
    age_in_years,
    needs_reason_to_differ,
    suggest_priority,
)

TODAY = dt.date(2026, 11, 27)
NINE_YEARS_OLD = dt.date(2017, 3, 1)
THREE_YEARS_OLD = dt.date(2023, 6, 15)
SAFETY_CODES = {code for code, _ in SAFETY_AREAS.values()}


def suggest(*, difficulties, text="", born=NINE_YEARS_OLD, on=TODAY):
    return suggest_priority(TriageFacts(date_of_birth=born, on_date=on, difficulties=tuple(difficulties), text=text))


@pytest.mark.parametrize(
    ("difficulties", "text", "born", "priority", "codes"),
    [
        pytest.param(
            ["feeding"],
            "She chokes on lumpy food at lunch.",
            NINE_YEARS_OLD,
            URGENT,
            ["feeding_safety"],
            id="choking with feeding is urgent",
        ),
        pytest.param(
            ["accessing_environment", "pencil_skills"],
            "He has had several falls on the stairs.",
            NINE_YEARS_OLD,
            URGENT,
            ["moving_about_safety"],
            id="falls getting around school are urgent",
        ),
        pytest.param(
            ["toileting"],
            "Toileting is unsafe without an adult.",
            NINE_YEARS_OLD,
            URGENT,
            ["toileting_safety"],
            id="unsafe toileting is urgent",
        ),
        pytest.param(
            ["feeding", "toileting"],
            "Gags and chokes; sore skin from wet pads.",
            NINE_YEARS_OLD,
            URGENT,
            ["feeding_safety", "toileting_safety"],
            id="every safety area mentioned is a reason",
        ),
        pytest.param(
            ["accessing_environment"],
            "He FELL down the stairs twice.",
            NINE_YEARS_OLD,
            URGENT,
            ["moving_about_safety"],
            id="safety words in any case",
        ),
        pytest.param(
            ["pencil_skills"],
            "She chokes on her food.",
            NINE_YEARS_OLD,
            ROUTINE,
            ["no_priority_indicators"],
            id="a safety word without a matching difficulty is not urgent",
        ),
        pytest.param(
            ["feeding"],
            "Messy eater, needs help to cut up food.",
            NINE_YEARS_OLD,
            ROUTINE,
            ["no_priority_indicators"],
            id="a safety area without a safety word is not urgent",
        ),
        pytest.param(
            ["pencil_skills"],
            "Cannot hold a crayon.",
            THREE_YEARS_OLD,
            SOON,
            ["under_five"],
            id="under 5 is soon",
        ),
        pytest.param(
            ["dressing", "pencil_skills", "play"],
            "",
            NINE_YEARS_OLD,
            SOON,
            ["all_areas_affected"],
            id="all three areas of daily life is soon",
        ),
        pytest.param(
            ["dressing", "pencil_skills", "play"],
            "",
            THREE_YEARS_OLD,
            SOON,
            ["under_five", "all_areas_affected"],
            id="under 5 with all three areas gives both reasons",
        ),
        pytest.param(
            ["dressing", "washing", "pencil_skills"],
            "",
            NINE_YEARS_OLD,
            ROUTINE,
            ["no_priority_indicators"],
            id="two areas is routine",
        ),
        pytest.param(
            ["feeding"],
            "Chokes on food.",
            THREE_YEARS_OLD,
            URGENT,
            ["feeding_safety"],
            id="safety outranks age",
        ),
        pytest.param([], "", NINE_YEARS_OLD, ROUTINE, ["no_priority_indicators"], id="nothing else is routine"),
    ],
)
def test_suggested_priority_and_its_reasons(difficulties, text, born, priority, codes):
    suggestion = suggest(difficulties=difficulties, text=text, born=born)

    assert suggestion.priority == priority
    assert [reason.code for reason in suggestion.reasons] == codes
    assert all(reason.message for reason in suggestion.reasons)


def test_a_reason_is_needed_only_to_differ_from_the_suggestion():
    assert needs_reason_to_differ(URGENT, ROUTINE)
    assert not needs_reason_to_differ(SOON, SOON)


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (dt.date(2020, 5, 10), dt.date(2025, 5, 9), 4),
        (dt.date(2020, 5, 10), dt.date(2025, 5, 10), 5),
        (dt.date(2020, 2, 29), dt.date(2025, 2, 28), 4),
        (dt.date(2020, 2, 29), dt.date(2025, 3, 1), 5),
    ],
)
def test_age_in_completed_years(born, on, years):
    assert age_in_years(born, on) == years


# Properties -------------------------------------------------------------------------------------------------------

PHRASES = [
    "",
    "Handwriting is hard to read.",
    "She chokes on lumpy food.",
    "He has frequent falls.",
    "Unsafe on the stairs.",
    "Needs help with buttons.",
    "Runs into the road when upset.",
    "Scalded his hand at home.",
]
dates_of_birth = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 11, 1))
difficulty_lists = st.lists(st.sampled_from(sorted(AREA_OF)), unique=True, max_size=10)
texts = st.lists(st.sampled_from(PHRASES), max_size=3).map(" ".join)


@given(
    born=dates_of_birth,
    age_days=st.integers(min_value=0, max_value=20 * 366),
    difficulties=difficulty_lists,
    text=texts,
)
def test_urgent_exactly_when_there_is_a_safety_reason(born, age_days, difficulties, text):
    suggestion = suggest(difficulties=difficulties, text=text, born=born, on=born + dt.timedelta(days=age_days))
    safety_reasons = [r for r in suggestion.reasons if r.code in SAFETY_CODES]

    assert (suggestion.priority == URGENT) == bool(safety_reasons)
    safety_concern = bool(SAFETY_WORDS.search(text)) and bool(set(difficulties) & set(SAFETY_AREAS))
    assert (suggestion.priority == URGENT) == safety_concern


@given(
    born=dates_of_birth,
    age_days=st.integers(min_value=0, max_value=20 * 366),
    difficulties=difficulty_lists,
    text=texts,
)
def test_every_suggestion_has_at_least_one_reason(born, age_days, difficulties, text):
    suggestion = suggest(difficulties=difficulties, text=text, born=born, on=born + dt.timedelta(days=age_days))

    assert suggestion.priority in (URGENT, SOON, ROUTINE)
    assert suggestion.reasons
    assert all(reason.code and reason.message for reason in suggestion.reasons)


@given(born=dates_of_birth)
def test_a_child_is_under_five_until_the_fifth_birthday(born):
    assume((born.month, born.day) != (2, 29))
    fifth_birthday = born.replace(year=born.year + 5)
    day_before = fifth_birthday - dt.timedelta(days=1)

    before = suggest(difficulties=["pencil_skills"], born=born, on=day_before)
    on_the_day = suggest(difficulties=["pencil_skills"], born=born, on=fifth_birthday)

    assert (before.priority, [r.code for r in before.reasons]) == (SOON, ["under_five"])
    assert (on_the_day.priority, [r.code for r in on_the_day.reasons]) == (ROUTINE, ["no_priority_indicators"])
