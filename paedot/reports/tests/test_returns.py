"""The monthly returns row by row: the SitRep's counts, and the CSDS CYP101 and CYP201 rows with their codes."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.referrals.models import Referral
from paedot.reports import returns
from paedot.reports.tests.factories import TODAY

D = dt.date


def rows_by(rows, column: str) -> dict[str, dict[str, str]]:
    """The rows keyed by a column, each cell as the CSV file will have it."""
    header, *body = list(rows)
    records = (dict(zip(header, (str(cell) for cell in row), strict=True)) for row in body)
    return {record[column]: record for record in records}


def test_the_sitrep_counts_the_waiting_list_at_the_month_end_by_band(known):
    figures = returns.sitrep(D(2025, 4, 1), today=TODAY)
    # On 30 April: W4 (29 days), W5 (88), W6 (364), W7 (333), S3 (60, seen in May).
    assert figures.on == D(2025, 4, 30)
    assert figures.by_band == {"0-1": 0, "1-2": 0, "2-4": 0, "4-12": 2, "12-18": 1, "18-52": 2, "52+": 0}
    assert (figures.total, figures.provisional) == (5, False)


def test_a_return_is_never_for_a_month_that_has_not_begun(known):
    with pytest.raises(ValueError, match="already begun"):
        returns.sitrep(D(2025, 7, 1), today=TODAY)


def test_cyp101_has_a_row_for_each_referral_open_in_the_month(known):
    within = Referral.objects.all()
    rows = rows_by(returns.cyp101_rows(D(2025, 4, 1), within=within), "SERVICE REQUEST IDENTIFIER")
    r = known.referrals
    assert set(rows) == {r[key].reference for key in ("W4", "W5", "W6", "W7", "S1", "S2", "S3", "D3")}

    s1 = rows[r["S1"].reference]
    assert s1["NHS NUMBER"] == "9434765919"
    assert s1["LOCAL PATIENT IDENTIFIER (EXTENDED)"] == str(r["S1"].child_id)
    assert (s1["REFERRAL REQUEST RECEIVED DATE"], s1["REFERRAL REQUEST RECEIVED TIME"]) == ("2025-01-10", "11:30:00")
    assert (s1["SOURCE OF REFERRAL FOR COMMUNITY"], s1["PRIORITY TYPE CODE"]) == ("A2", "1")
    assert s1["REFERRAL CLOSURE DATE"] == s1["REFERRAL REJECTION DATE"] == ""

    declined = rows[r["D3"].reference]
    assert (declined["REFERRAL REJECTION DATE"], declined["REFERRAL REJECTION REASON"]) == ("2025-04-03", "02")
    assert declined["PRIORITY TYPE CODE"] == ""
    assert rows[r["W4"].reference]["SOURCE OF REFERRAL FOR COMMUNITY"] == "F3"


def test_cyp101_closes_a_discharged_referral_with_its_date_and_reason(known):
    rows = rows_by(returns.cyp101_rows(D(2025, 6, 1), within=Referral.objects.all()), "SERVICE REQUEST IDENTIFIER")
    r = known.referrals
    s3 = rows[r["S3"].reference]
    assert (s3["SERVICE DISCHARGE DATE"], s3["REFERRAL CLOSURE DATE"], s3["REFERRAL CLOSURE REASON"]) == (
        "2025-06-01",
        "2025-06-01",
        "goals_met",
    )
    assert rows[r["W1"].reference]["PRIORITY TYPE CODE"] == "2"
    assert r["X1"].reference not in rows  # closed in March


def test_cyp201_has_a_row_for_each_appointment_and_group_place_in_the_month(known):
    april = rows_by(returns.cyp201_rows(D(2025, 4, 1), within=Referral.objects.all()), "CARE CONTACT IDENTIFIER")
    a, places = known.appointments, known.group_places
    assert set(april) == {f"A{a['A5'].pk}", f"G{places['S1'].pk}", f"G{places['S2'].pk}"}
    missed = april[f"A{a['A5'].pk}"]
    assert missed["SERVICE REQUEST IDENTIFIER"] == known.referrals["S2"].reference
    assert (missed["CARE CONTACT DATE"], missed["CARE CONTACT TIME"]) == ("2025-04-10", "10:00:00")
    assert (missed["ATTENDANCE STATUS"], missed["CLINICAL CONTACT DURATION OF CARE CONTACT"]) == ("3", "")
    group_place = april[f"G{places['S1'].pk}"]
    assert (group_place["ATTENDANCE STATUS"], group_place["CLINICAL CONTACT DURATION OF CARE CONTACT"]) == ("5", "90")
    assert (group_place["ACTIVITY LOCATION TYPE CODE"], group_place["CONSULTATION MEDIUM USED"]) == ("B01", "01")

    february = rows_by(returns.cyp201_rows(D(2025, 2, 1), within=Referral.objects.all()), "CARE CONTACT IDENTIFIER")
    home_visit = february[f"A{a['A4'].pk}"]
    assert (home_visit["ACTIVITY LOCATION TYPE CODE"], home_visit["ATTENDANCE STATUS"]) == ("A01", "5")
    assert home_visit["CLINICAL CONTACT DURATION OF CARE CONTACT"] == "60"

    may = rows_by(returns.cyp201_rows(D(2025, 5, 1), within=Referral.objects.all()), "CARE CONTACT IDENTIFIER")
    assert may[f"A{a['A7'].pk}"]["ATTENDANCE STATUS"] == "2"  # cancelled by the family


def test_cyp201_sees_only_the_referrals_it_is_given(known):
    only_s2 = Referral.objects.filter(pk=known.referrals["S2"].pk)
    april = rows_by(returns.cyp201_rows(D(2025, 4, 1), within=only_s2), "CARE CONTACT IDENTIFIER")
    assert set(april) == {f"A{known.appointments['A5'].pk}", f"G{known.group_places['S2'].pk}"}


@pytest.mark.parametrize(
    ("kind", "place", "medium"),
    [
        ("assessment", "clinic", "01"),
        ("home_visit", "home", "01"),
        ("telephone", "telephone", "02"),
        ("treatment", "telephone", "02"),
        ("video", "video", "11"),
    ],
)
def test_the_consultation_medium_follows_the_kind_and_the_place(kind, place, medium):
    assert returns.consultation_medium(kind, place) == medium


def test_every_referrer_role_but_someone_else_has_a_source_of_referral_code():
    from paedot.eligibility.codes import ReferrerRole

    assert {role for role in ReferrerRole if role not in returns.SOURCE_OF_REFERRAL} == {ReferrerRole.OTHER}


def test_every_place_has_an_activity_location_type():
    from paedot.diaries.models import LocationKind

    assert set(returns.ACTIVITY_LOCATION) == set(LocationKind)


def test_an_unknown_csds_table_is_refused(db):
    with pytest.raises(ValueError, match="CYP101 or CYP201"):
        returns.csds_rows(D(2025, 4, 1), within=Referral.objects.all(), table="CYP999")
