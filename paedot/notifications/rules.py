"""Decisions about sending, with no database: which numbers take a text, when to try again, and what staff may do
with a message that was not sent."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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


# What staff may do with a message in the outbox, by its status. Pure: the caller passes the status it read.


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str
    reason: str


_NOT_SENT = ("failed", "outbox_only")
_WHY_NOT = {
    "queued": ("still_queued", "This message is still waiting to be sent: the worker will try it."),
    "sent": ("already_sent", "This message was sent: sending it again would tell the person twice."),
    "dealt_with": ("dealt_with", "Someone has already dealt with this message another way."),
}


def resend_decision(status: str) -> Decision:
    """A message that failed, or a text kept in the outbox (GOV.UK Notify may be set up now), may go again."""
    if status in _NOT_SENT:
        return Decision(True, "may_resend", "Not sent: it may be sent again.")
    code, reason = _WHY_NOT.get(status, ("unknown_status", f"A message in status {status!r} cannot be sent again."))
    return Decision(False, code, reason)


def dealt_with_decision(status: str) -> Decision:
    """Only a message that never reached the person can be closed as told another way."""
    if status in _NOT_SENT:
        return Decision(True, "may_close", "Not sent: staff may record how the person was told instead.")
    code, reason = _WHY_NOT.get(status, ("unknown_status", f"A message in status {status!r} cannot be closed."))
    if status == "sent":
        reason = "This message was sent: there is nothing to deal with."
    return Decision(False, code, reason)
