"""Input types the JSON API shares. A time in someone's diary is a real moment: with its offset from UTC (an
offset no real place uses, beyond 14 hours, is refused before it reaches the database, which would refuse it with
an error), and within the years the service could book."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MOST_OFFSET = dt.timedelta(hours=14)  # Kiribati, UTC+14: no place is further from UTC


def _a_real_moment(value: dt.datetime) -> dt.datetime:
    offset = value.utcoffset() or dt.timedelta(0)
    if abs(offset) > MOST_OFFSET:
        raise ValueError("Give the time with a real offset from UTC (between -14:00 and +14:00), e.g. +00:00.")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return value


DiaryTime = Annotated[AwareDatetime, AfterValidator(_a_real_moment)]
