"""Formatting shared by every page: NHS style dates and identifiers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from paedot.core.identifiers import format_nhs_number

__all__ = ["format_date", "format_datetime", "format_nhs_number"]


def format_date(value: dt.date | None) -> str:
    """NHS style: 5 March 2026 (no leading zero, month in words)."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{format_date(local.date())} at {local:%H:%M}"


def age_today(date_of_birth: dt.date | None) -> str:
    """The child's age today, as every page gives it (years, and months for the under-fives)."""
    from paedot.core.dates import age_text

    return age_text(date_of_birth, timezone.localdate()) if date_of_birth else ""
