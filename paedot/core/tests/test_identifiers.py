import pytest
from hypothesis import given
from hypothesis import strategies as st

from paedot.core.identifiers import format_nhs_number, is_valid_nhs_number, nhs_number_check_digit


@pytest.mark.parametrize("number", ["9434765919", "9912003888", "6541003238", "6716689966", "943 476 5919"])
def test_valid_nhs_numbers_pass_modulus_11(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "number", ["1234561234", "0000000001", "943476591", "94347659190", "943476591X", "", "9000000015"]
)
def test_invalid_nhs_numbers_fail(number):
    assert not is_valid_nhs_number(number)


def test_nhs_numbers_are_shown_3_3_4():
    assert format_nhs_number("9434765919") == "943 476 5919"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_computed_check_digit_always_validates(first_nine):
    check = nhs_number_check_digit(first_nine)
    if check is None:
        assert not any(is_valid_nhs_number(first_nine + str(d)) for d in range(10))
    else:
        assert is_valid_nhs_number(first_nine + str(check))
        assert not is_valid_nhs_number(first_nine + str((check + 1) % 10))
