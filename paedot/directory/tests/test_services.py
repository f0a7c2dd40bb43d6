"""Looking up GP practices, postcodes, schools and bank holidays in the real reference data.

The session fixture in the root conftest.py has loaded data/ into the test database, so these facts are the
files' facts (see data/README.md); when a file is replaced, expect to update the numbers here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.directory.models import GPPractice, Postcode, School
from paedot.directory.services import (
    bank_holidays_between,
    find_gp_practice,
    find_postcode,
    normalise_postcode,
    normalise_practice_code,
    search_gp_practices,
    search_schools,
)

# --- normalising -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("B21 9RY", "B21 9RY"),
        ("b21 9ry", "B21 9RY"),
        ("  B219RY ", "B21 9RY"),
        ("B21   9RY", "B21 9RY"),
        ("B21\u00a09RY", "B21 9RY"),  # a non-breaking space pasted from a letter
        ("B1 1AA", "B1 1AA"),
        ("b11aa", "B1 1AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("LS5 3JN", "LS5 3JN"),
        ("gir 0aa", "GIR 0AA"),
        ("", None),
        ("   ", None),
        ("B21", None),  # a district, not a postcode
        ("B21 9R", None),
        ("B21 9RYY", None),
        ("9RY B21", None),
        ("12345", None),
        ("B21-9RY", None),
        ("not a postcode", None),
    ],
)
def test_postcodes_are_normalised_to_one_spelling_or_refused(typed, expected):
    assert normalise_postcode(typed) == expected


def test_a_missing_postcode_is_not_a_postcode():
    assert normalise_postcode(None) is None


@pytest.mark.parametrize(("typed", "expected"), [(" m85001 ", "M85001"), ("M85001", "M85001"), ("", ""), (None, "")])
def test_practice_codes_are_trimmed_and_upper_case(typed, expected):
    assert normalise_practice_code(typed) == expected


# --- GP practices ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_birmingham_practice_is_active_in_birmingham_with_its_locality():
    practice = find_gp_practice("M85001")

    assert practice.name == "SHAH ZAMAN SURGERY"
    assert practice.is_gp_practice and practice.is_active
    assert practice.in_birmingham and practice.is_birmingham_gp_practice
    assert practice.local_authority == "Birmingham"
    assert practice.local_authority_source == GPPractice.LocalAuthoritySource.BSOL_LOOKUP
    assert practice.locality == "North"
    assert practice.pcn_name == "North Birmingham"
    assert practice.postcode == "B35 7QX"
    assert practice.address.startswith("SHAH ZAMAN SURGERY, CVPCC, 70 TANGMERE DRIVE")
    assert practice.open_date == dt.date(1974, 4, 1)
    assert practice.close_date is None


@pytest.mark.django_db
def test_a_solihull_practice_with_a_birmingham_address_is_not_in_birmingham():
    practice = find_gp_practice("M89002")  # Kingshurst, "BIRMINGHAM" in its address, B37 6BE

    assert practice.is_active
    assert practice.local_authority == "Solihull"
    assert practice.locality == "Solihull"
    assert not practice.in_birmingham


@pytest.mark.django_db
def test_the_bsol_lookup_wins_over_the_practice_postcode():
    """Six practices sit in a postcode of the other council; the ICB's own assignment decides."""
    rowlands_road = find_gp_practice("M85171")  # B26 1AT is a Birmingham postcode
    queslett = find_gp_practice("M91642")  # B43 7DY is a Walsall postcode

    assert Postcode.objects.get(postcode="B26 1AT").local_authority == "Birmingham"
    assert rowlands_road.local_authority == "Solihull" and not rowlands_road.in_birmingham
    assert Postcode.objects.get(postcode="B43 7DY").local_authority == "Walsall"
    assert queslett.local_authority == "Birmingham" and queslett.in_birmingham


@pytest.mark.django_db
def test_a_closed_practice_in_birmingham_is_not_active():
    practice = find_gp_practice("M85015")  # Sparkhill Surgery, closed 2018

    assert practice.status_code == GPPractice.Status.CLOSED
    assert practice.close_date == dt.date(2018, 11, 30)
    assert not practice.is_active
    assert practice.in_birmingham  # in Birmingham, but closed: the rules can say which


@pytest.mark.django_db
def test_a_dormant_practice_in_birmingham_is_not_active():
    practice = find_gp_practice("M85134")  # West Heath, in the 2024 BSOL lookup, dormant in 2025

    assert practice.status_code == GPPractice.Status.DORMANT
    assert not practice.is_active
    assert practice.in_birmingham
    assert practice.locality == "South"


@pytest.mark.django_db
def test_practices_missing_from_the_bsol_lookup_are_placed_by_postcode():
    hill = find_gp_practice("Y02620")  # The Hill General Practice & UCC, B11 4BW
    bosworth = find_gp_practice("Y06125")  # NSC Bosworth Hub, B37 5BU (Chelmsley Wood)

    assert hill.local_authority_source == bosworth.local_authority_source == GPPractice.LocalAuthoritySource.POSTCODE
    assert hill.is_active and hill.in_birmingham and hill.local_authority == "Birmingham"
    assert bosworth.is_active and not bosworth.in_birmingham and bosworth.local_authority == "Solihull"
    assert hill.locality == bosworth.locality == ""  # the lookup is the only source of localities


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["M85001", "m85001", " M85001 ", "\tm85001\n"])
def test_practice_codes_are_found_whatever_their_case_or_spacing(typed):
    assert find_gp_practice(typed).code == "M85001"


@pytest.mark.django_db
def test_a_practice_outside_the_west_midlands_is_found_but_not_in_birmingham():
    practice = find_gp_practice("B86068")  # Abbey Grange Medical Practice, Leeds

    assert practice.is_active
    assert practice.postcode == "LS5 3JN"
    assert not practice.in_birmingham
    assert practice.local_authority == ""  # outside the B area, so neither the lookup nor the postcodes know it
    assert practice.local_authority_source == GPPractice.LocalAuthoritySource.NONE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code",
    [
        "M85813",  # Birmingham walk-in centre (prescribing setting 1), active, commissioner 15E
        "A99911",  # a Birmingham inpatient unit (setting 0)
        "Y00213",  # a main site in the BSOL lookup that epraccur says is not a GP practice
        "M85002 001",  # a branch surgery: children are registered with the main practice
        "ZZ9999",
        "",
    ],
)
def test_codes_that_are_not_gp_practices_are_unknown(code):
    assert find_gp_practice(code) is None


@pytest.mark.django_db
def test_only_gp_practices_are_loaded():
    assert GPPractice.objects.count() == 8654
    assert not GPPractice.objects.exclude(prescribing_setting=4).exists()


@pytest.mark.django_db
def test_birmingham_and_solihull_practices_split_as_the_data_readme_says():
    """179 active GP practices have commissioner 15E (Birmingham and Solihull).

    The BSOL lookup places 157 in Birmingham and 20 in Solihull; the two it lacks fall back to their postcode,
    Y02620 (B11) to Birmingham and Y06125 (B37) to Solihull: 158 and 21.
    """
    bsol = GPPractice.objects.active().filter(commissioner="15E")
    from_lookup = bsol.filter(local_authority_source=GPPractice.LocalAuthoritySource.BSOL_LOOKUP)

    assert bsol.count() == 179
    assert from_lookup.filter(local_authority="Birmingham").count() == 157
    assert from_lookup.filter(local_authority="Solihull").count() == 20
    assert bsol.filter(in_birmingham=True).count() == 158
    assert bsol.filter(local_authority="Solihull").count() == 21


@pytest.mark.django_db
def test_two_active_practices_commissioned_outside_bsol_have_birmingham_postcodes():
    """160 active Birmingham GP practices: the 158 above plus two with other commissioners, placed by postcode.

    M88015 Great Barr Practice (B43 7HB, Black Country) and Y06487 Babylon GP at Hand Birmingham (B9 4EY, a digital
    practice commissioned from North West London, whose patients may live anywhere).
    """
    birmingham = GPPractice.objects.birmingham()

    assert birmingham.count() == 160
    assert set(birmingham.exclude(commissioner="15E").values_list("code", flat=True)) == {"M88015", "Y06487"}
    assert set(
        birmingham.filter(local_authority_source=GPPractice.LocalAuthoritySource.POSTCODE).values_list(
            "code", flat=True
        )
    ) == {"M88015", "Y06487", "Y02620"}


def test_only_an_active_gp_practice_is_active():
    assert GPPractice(status_code="A", prescribing_setting=4).is_active
    assert not GPPractice(status_code="C", prescribing_setting=4).is_active
    assert not GPPractice(status_code="D", prescribing_setting=4).is_active
    assert not GPPractice(status_code="P", prescribing_setting=4).is_active
    assert not GPPractice(status_code="A", prescribing_setting=1).is_active
    assert not GPPractice(status_code="A", prescribing_setting=1).is_gp_practice


# --- searching practices -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_searching_by_code_puts_the_exact_code_first():
    results = search_gp_practices(" m85001 ")

    assert results[0].code == "M85001"


@pytest.mark.django_db
def test_searching_by_part_of_a_code_finds_practices_starting_with_it():
    results = search_gp_practices("M8500", limit=20)

    assert results
    assert all(practice.code.startswith("M8500") for practice in results)


@pytest.mark.django_db
def test_searching_by_name_ignores_case():
    assert [practice.code for practice in search_gp_practices("hill general practice")] == ["Y02620"]


@pytest.mark.django_db
def test_searching_by_full_postcode_finds_the_practices_there():
    # Four practices share Sparkhill Primary Care Centre, 856 Stratford Road.
    results = search_gp_practices("b11 4bw")

    assert {practice.code for practice in results} == {"M85078", "M85774", "Y02620", "Y05826"}


@pytest.mark.django_db
def test_searching_by_district_lists_active_birmingham_practices_first():
    results = search_gp_practices("B11", limit=50)

    assert results
    assert all(practice.postcode.startswith("B11 ") for practice in results)  # not B110 ... or B1 1..
    served = [practice.is_active and practice.in_birmingham for practice in results]
    assert served == sorted(served, reverse=True)
    assert not served[-1]  # Sparkhill Surgery and other closed B11 practices come last


@pytest.mark.django_db
def test_searching_ranks_birmingham_before_other_active_practices():
    # "Great Barr" matches Birmingham practices, and Sandwell's on the other side of the boundary.
    results = search_gp_practices("great barr", limit=50)
    ranks = [0 if p.is_active and p.in_birmingham else 1 if p.is_active else 2 for p in results]

    assert ranks == sorted(ranks)
    assert len(set(ranks)) > 1


@pytest.mark.django_db
def test_search_results_are_limited():
    assert len(search_gp_practices("surgery", limit=5)) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   ", None])
def test_an_empty_search_finds_nothing(query):
    assert search_gp_practices(query) == []
    assert search_schools(query) == []


# --- postcodes ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_b_area_postcode_is_loaded():
    assert Postcode.objects.count() == 62210
    assert Postcode.objects.filter(local_authority="Birmingham").count() == 34742


@pytest.mark.django_db
def test_a_postcode_is_found_however_it_was_typed():
    postcode = find_postcode(" b11 4bw")

    assert postcode.postcode == "B11 4BW"
    assert postcode.district == "B11"
    assert postcode.local_authority == "Birmingham" and postcode.in_birmingham
    assert postcode.latitude == pytest.approx(52.444556)
    assert postcode.longitude == pytest.approx(-1.858645)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["LS5 3JN", "B21", "not a postcode", ""])
def test_postcodes_outside_the_b_area_or_malformed_are_not_found(typed):
    assert find_postcode(typed) is None


# --- schools -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_school_is_loaded_with_whether_it_was_open():
    assert School.objects.count() == 920
    assert School.objects.filter(is_open=True).count() == 516
    assert not School.objects.filter(is_open=True, close_date__isnull=False).exists()


@pytest.mark.django_db
def test_searching_schools_by_urn_finds_it_first():
    results = search_schools("103120")

    assert results[0].urn == "103120"
    assert results[0].name == "Bordesley Green East Nursery School"
    assert results[0].postcode == "B33 8QB"


@pytest.mark.django_db
def test_searching_schools_by_postcode_finds_the_school_there():
    assert "103120" in [school.urn for school in search_schools("b33 8qb")]


@pytest.mark.django_db
def test_searching_schools_by_name_lists_open_schools_first():
    results = search_schools("primary", limit=200)

    assert len(results) == 200
    assert all("primary" in school.name.lower() for school in results)
    open_flags = [school.is_open for school in results]
    assert open_flags == sorted(open_flags, reverse=True)


@pytest.mark.django_db
def test_searching_schools_by_district_stays_in_that_district():
    results = search_schools("B1", limit=50)

    assert results
    assert all(school.postcode.startswith("B1 ") or "B1" in school.name.upper() for school in results)


# --- bank holidays -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_christmas_2026_bank_holidays_include_the_boxing_day_substitute():
    assert bank_holidays_between(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == {
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 28),
    }


@pytest.mark.django_db
def test_bank_holidays_between_includes_both_ends():
    assert bank_holidays_between(dt.date(2026, 12, 25), dt.date(2026, 12, 25)) == {dt.date(2026, 12, 25)}
    assert bank_holidays_between(dt.date(2026, 12, 26), dt.date(2026, 12, 27)) == set()
