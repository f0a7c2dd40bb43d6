"""Checking changed details without a database: what is kept, and each problem with its field."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from paedot.children.rules import (
    check_child_details,
    check_parent_carer,
    check_reason,
    gp_practice_warnings,
    practice_label,
)
from paedot.core.identifiers import nhs_number_check_digit
from paedot.eligibility.rules import GPPracticeFacts

TODAY = dt.date(2027, 1, 20)

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(first_nine=nine_digits, spacing=st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}", " {} {}  {} "]))
def test_any_valid_nhs_number_however_spaced_is_kept_as_ten_digits(first_nine, spacing):
    check = nhs_number_check_digit(first_nine)
    if check is None:  # no valid number starts with these nine digits
        return
    digits = f"{first_nine}{check}"
    typed = spacing.format(digits[:3], digits[3:6], digits[6:])

    result = check_child_details({"nhs_number": typed}, today=TODAY)

    assert result.ok and result.values["nhs_number"] == digits


@given(first_nine=nine_digits, wrong=st.integers(min_value=0, max_value=9))
def test_an_nhs_number_with_the_wrong_check_digit_is_refused(first_nine, wrong):
    check = nhs_number_check_digit(first_nine)
    if check == wrong:
        return

    result = check_child_details({"nhs_number": f"{first_nine}{wrong}"}, today=TODAY)

    assert [(p.field, p.code) for p in result.problems] == [("nhs_number", "failed_check")]


@given(born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_of_birth_is_kept_only_when_it_is_not_in_the_future(born):
    result = check_child_details({"date_of_birth": born}, today=TODAY)

    assert result.ok == (born <= TODAY)


def test_a_postcode_is_kept_as_the_directory_writes_it_and_a_blank_one_removes_it():
    assert check_child_details({"postcode": " b21  9ry "}, today=TODAY).values == {"postcode": "B21 9RY"}
    assert check_child_details({"postcode": ""}, today=TODAY).values == {"postcode": ""}
    assert check_child_details({"postcode": None}, today=TODAY).values == {"postcode": ""}


def test_text_that_is_not_text_is_refused_not_kept():
    result = check_child_details({"given_name": 7, "address": ["a"]}, today=TODAY)

    assert {(p.field, p.code) for p in result.problems} == {("given_name", "not_text"), ("address", "not_text")}


def test_a_parent_or_carers_phone_email_and_interpreter_are_checked():
    good = check_parent_carer({"phone": " 0121 465 8551 ", "email": "sam@example.com", "interpreter_needed": True})
    bad = check_parent_carer({"phone": "123", "email": "sam@", "interpreter_needed": "yes"})

    assert good.ok and good.values["phone"] == "0121 465 8551"
    assert {p.field for p in bad.problems} == {"phone", "email", "interpreter_needed"}


def test_a_reason_is_needed_only_when_asked_for():
    assert check_reason("  ", required=True)[1].field == "reason"
    assert check_reason("  ", required=False) == ("", None)
    assert check_reason("x" * 4001, required=False)[1].code == "too_long"


def facts(**overrides) -> GPPracticeFacts:
    values = {"code": "M85001", "found": True, "active": True, "in_birmingham": True, "name": "SHAH ZAMAN SURGERY"}
    return GPPracticeFacts(**(values | overrides))


def test_an_open_birmingham_practice_needs_no_decision():
    assert gp_practice_warnings(facts()) == ()


def test_a_closed_practice_or_one_outside_birmingham_asks_a_person_to_decide():
    [closed] = gp_practice_warnings(facts(active=False))
    [outside] = gp_practice_warnings(facts(in_birmingham=False, local_authority="Sandwell"))

    assert closed.code == "gp_practice_closed" and "Shah Zaman Surgery (M85001)" in closed.message
    assert outside.code == "gp_outside_birmingham" and "(it is in Sandwell)" in outside.message
    for warning in (closed, outside):
        assert "may no longer be eligible" in warning.message and "A person decides" in warning.message


def test_practice_names_read_as_written_not_shouted():
    assert practice_label("DR O'BRIEN'S PRACTICE", "M85999") == "Dr O'Brien's Practice (M85999)"
    assert practice_label("", "M85999") == "M85999"
