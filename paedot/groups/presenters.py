"""How group programmes, their sessions and registers read on the staff pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from paedot.core.presenters import format_date
from paedot.diaries.rules import LONDON, warning_record
from paedot.groups import rules

OUTCOME_TAGS = {
    "attended": "nhsuk-tag--green",
    "was_not_brought": "nhsuk-tag--red",
    "cancelled_by_family": "nhsuk-tag--grey",
}


def session_when(start: dt.datetime, end: dt.datetime) -> str:
    """Tuesday 12 January 2027, 09:30 to 10:30 (London time, whatever the clocks are doing)."""
    local_start, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
    return f"{local_start:%A} {format_date(local_start.date())}, {local_start:%H:%M} to {local_end:%H:%M}"


def outcome_tag(outcome: str) -> dict[str, str]:
    if not outcome:
        return {"text": "Not recorded", "classes": "nhsuk-tag--white"}
    return {"text": rules.GROUP_OUTCOMES.get(outcome, outcome), "classes": OUTCOME_TAGS.get(outcome, "")}


def session_row(session, *, now: dt.datetime | None = None) -> dict:
    """A session on the programme page (annotated with on_register, recorded, attended): when, and how far its
    register has got."""
    now = now or timezone.now()
    if session.cancelled:
        state = {"text": "Cancelled", "classes": "nhsuk-tag--grey"}
    elif session.start > now:
        state = {"text": "Coming up", "classes": "nhsuk-tag--blue"}
    elif session.on_register and session.recorded >= session.on_register:
        state = {"text": "Register complete", "classes": "nhsuk-tag--green"}
    else:
        state = {"text": "Register to record", "classes": "nhsuk-tag--yellow"}
    return {
        "session": session,
        "when": session_when(session.start, session.end),
        "state": state,
        "attended": session.attended,
        "recorded": session.recorded,
        "on_register": session.on_register,
        "started": session.start <= now,
    }


def booked_in_the_past(sessions, *, now: dt.datetime) -> dict | None:
    """The callout for sessions booked after they had started (annotated with on_register and recorded), as a
    block's: shown until each has its register complete or is cancelled, when the warning has been acted on."""
    waiting = [
        session.start
        for session in sessions
        if session.start < session.created_at
        and not session.cancelled
        and not (session.on_register and session.recorded >= session.on_register)
    ]
    warning = rules.sessions_in_the_past(waiting, now)
    return {**warning_record(warning), "heading": "Sessions booked in the past"} if warning else None
