"""A child's timeline: every part of the record, in date order. Each app that holds part of the record offers an
`entries_for(referral)` function returning TimelineEntry items; this module gathers and orders them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened in the child's episode, as the timeline shows it."""

    when: dt.datetime  # aware; entries are ordered by this
    kind: str  # stable code, e.g. "referral.received", "appointment", "assessment", "note", "review", "letter"
    title: str  # a short heading a clinician recognises ("Assessment", "Review of block 1: T-score 54.20")
    detail: str = ""  # one or two lines of plain text
    url: str = ""  # where to read it in full, if anywhere
    who: str = ""  # the person who did it, as shown to staff
