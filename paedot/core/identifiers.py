"""NHS numbers: ten digits with a Modulus 11 check digit (NHS Data Dictionary)."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """Drop the spaces and hyphens people type (943 476 5919, 943-476-5919)."""
    return _NON_DIGITS.sub("", value or "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no digit can be valid (remainder gives 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_number_check_digit(digits[:9]) == int(digits[9])


def format_nhs_number(value: str) -> str:
    """Shown 3-3-4, as the NHS does: 943 476 5919."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10:
        return value or ""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
