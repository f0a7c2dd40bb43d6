"""Reading search parameters: what is accepted, and the 400 for everything else. No database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.fhir.search import (
    MAX_COUNT,
    REQUIRED,
    SEARCHES,
    DateBound,
    SearchError,
    Token,
    nhs_number_searched,
    page_query,
    parse_search,
    reference_searched,
)


def test_a_patient_is_searched_by_nhs_number_with_or_without_its_system():
    with_system = parse_search("Patient", {"identifier": ["https://fhir.nhs.uk/Id/nhs-number|9434765919"]})
    assert nhs_number_searched(with_system.identifier) == "9434765919"
    bare = parse_search("Patient", {"identifier": ["943 476 5919"]})
    assert nhs_number_searched(bare.identifier) == "9434765919"


def test_an_identifier_of_another_system_or_not_an_nhs_number_matches_no_patient():
    assert nhs_number_searched(Token(system="https://fhir.nhs.uk/Id/ods-organization-code", value="9434765919")) is None
    assert nhs_number_searched(Token(system="", value="9434765919")) is None
    assert nhs_number_searched(Token(system=None, value="12345")) is None
    assert nhs_number_searched(Token(system=None, value="٩٤٣٤٧٦٥٩١٩")) is None  # Arabic-Indic digits are not ours


def test_a_referral_is_searched_by_its_reference_in_any_case():
    assert reference_searched(Token(system=None, value=" ot-abcd-efgh "), "https://x/Id/referral-reference") == (
        "OT-ABCD-EFGH"
    )
    assert reference_searched(Token(system="https://elsewhere", value="OT-ABCD-EFGH"), "https://x/Id/r") is None


@pytest.mark.parametrize("value", ["Patient/12", "12", "https://ot.example.nhs.uk/fhir/Patient/12"])
def test_the_patient_is_a_reference_or_a_bare_id(value):
    search = parse_search("Goal", {"patient": [value]})
    assert (search.patient_given, search.patient_id) == (True, 12)


@pytest.mark.parametrize("value", ["Patient/abc", "Patient/", "99999999999999999999999", "Patient/-1"])
def test_a_patient_that_cannot_exist_finds_nothing_rather_than_everything(value):
    search = parse_search("ServiceRequest", {"patient": [value]})
    assert search.patient_given and search.patient_id is None


@pytest.mark.parametrize("value", ["Goal/12", "Patient/1,Patient/2"])
def test_a_patient_parameter_naming_something_else_or_several_is_refused(value):
    with pytest.raises(SearchError):
        parse_search("Goal", {"patient": [value]})


@pytest.mark.parametrize(
    ("resource_type", "name"),
    [
        ("Patient", "name"),
        ("Patient", "_id"),
        ("Goal", "_include"),
        ("Observation", "code"),
        ("ServiceRequest", "status"),
        ("Appointment", "_sort"),
    ],
)
def test_an_unsupported_search_parameter_is_refused_as_not_supported(resource_type, name):
    query = {"identifier": ["9434765919"], "patient": ["1"]}
    query = {k: v for k, v in query.items() if k in {p.name for p in SEARCHES[resource_type]}}
    with pytest.raises(SearchError) as refused:
        parse_search(resource_type, {**query, name: ["x"]})
    assert refused.value.code == "not-supported"
    assert repr(name) in str(refused.value)


def test_a_modifier_is_refused_as_not_supported():
    with pytest.raises(SearchError) as refused:
        parse_search("Patient", {"identifier:exact": ["9434765919"]})
    assert refused.value.code == "not-supported" and "modifier" in str(refused.value)


@pytest.mark.parametrize("resource_type", sorted(REQUIRED))
def test_a_search_without_its_required_parameter_is_refused(resource_type):
    with pytest.raises(SearchError) as refused:
        parse_search(resource_type, {})
    assert refused.value.code == "required"


def test_service_requests_may_be_listed_with_no_parameter():
    assert parse_search("ServiceRequest", {}).patient_given is False


def test_a_parameter_given_twice_is_refused_unless_it_is_a_date():
    with pytest.raises(SearchError):
        parse_search("Goal", {"patient": ["1", "2"]})
    search = parse_search("Appointment", {"patient": ["1"], "date": ["ge2026-01-01", "lt2026-04-01"]})
    assert search.dates == (DateBound("ge", dt.date(2026, 1, 1)), DateBound("lt", dt.date(2026, 4, 1)))


@pytest.mark.parametrize("value", ["2026-01-01", "eq2026-01-01"])
def test_a_date_without_a_prefix_means_that_day(value):
    search = parse_search("Appointment", {"patient": ["1"], "date": [value]})
    assert search.dates == (DateBound("eq", dt.date(2026, 1, 1)),)


@pytest.mark.parametrize("value", ["ne2026-01-01", "sa2026-01-01", "2026-01", "2026-02-30", "ge", "tomorrow", ""])
def test_a_date_this_server_cannot_read_is_refused(value):
    with pytest.raises(SearchError):
        parse_search("Appointment", {"patient": ["1"], "date": [value]})


@pytest.mark.parametrize("count", ["0", "101", "-1", "ten", "", "1e3", "99999999999999999999"])
def test_a_count_outside_1_to_100_is_refused(count):
    with pytest.raises(SearchError):
        parse_search("Goal", {"patient": ["1"], "_count": [count]})


def test_pages_default_to_the_first_of_fifty():
    search = parse_search("Goal", {"patient": ["1"]})
    assert (search.page, search.count, search.offset) == (1, 50, 0)
    later = parse_search("Goal", {"patient": ["1"], "_count": ["10"], "page": ["3"]})
    assert later.offset == 20


@given(st.dictionaries(st.text(max_size=12), st.lists(st.text(max_size=30), min_size=1, max_size=3), max_size=4))
def test_any_query_string_is_read_or_refused_with_a_search_error_never_anything_else(query):
    for resource_type in SEARCHES:
        try:
            search = parse_search(resource_type, query)
        except SearchError:
            continue
        assert 1 <= search.count <= MAX_COUNT and search.page >= 1


def test_the_next_page_keeps_every_parameter_and_moves_the_page():
    query = {"patient": ["Patient/1"], "date": ["ge2026-01-01", "lt2026-04-01"], "page": ["2"]}
    assert page_query(query, 3) == [
        ("patient", "Patient/1"),
        ("date", "ge2026-01-01"),
        ("date", "lt2026-04-01"),
        ("page", "3"),
    ]
    assert page_query(query, 1) == [("patient", "Patient/1"), ("date", "ge2026-01-01"), ("date", "lt2026-04-01")]
