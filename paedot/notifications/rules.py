"""Decisions about sending, with no database: which numbers take a text, and when to try again."""

from __future__ import annotations

import datetime as dt
import re

# A failed send is tried this many times in all, waiting longer each time; then the message is marked failed
# for a person to look at in the outbox.
MAX_ATTEMPTS = 5
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)

_UK_MOBILE = re.compile(r"^07\d{9}$")


def uk_mobile(phone: str) -> str | None:
    """The number as 07xxxxxxxxx if it is a UK mobile (so it can take a text message), else None."""
    digits = re.sub(r"[\s\-().]", "", phone or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits if _UK_MOBILE.match(digits) else None


def retry_delay(attempts: int) -> dt.timedelta | None:
    """How long to wait before the next try after `attempts` failed tries; None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1] if attempts > 0 else dt.timedelta(0)


# A queued message untouched for longer than the longest wait between tries has lost its task: queue it again.
STALLED_AFTER = max(RETRY_DELAYS) + dt.timedelta(hours=1)
