"""Why something is on the "Needs attention" list: pure functions over dates and limits, no database.

Every limit is in calendar days (but letters to post, in working days) and "over" means strictly more: with a target
of 14 days, day 14 is within it and day 15 is over. Each finding carries a stable code and a sentence staff can act
on, so nothing is listed without saying why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paedot.core.presenters import format_date

# The codes, stable for the API and for anyone filtering on them.
WAS_NOT_BROUGHT_FLAG = "was_not_brought_flag"
OUTCOME_NOT_RECORDED = "outcome_not_recorded"
REGISTER_NOT_COMPLETE = "register_not_complete"
SCREENING_OVERDUE = "screening_overdue"
INFORMATION_OVERDUE = "information_overdue"
TRIAGE_OVERDUE = "triage_overdue"
WAIT_OVER_TARGET = "wait_over_target"
MESSAGE_FAILED = "message_failed"
SCHOOL_CALENDAR_ENDING = "school_calendar_ending"
LETTER_NOT_POSTED = "letter_not_posted"
ALERT_REVIEW_OVERDUE = "alert_review_overdue"


@dataclass(frozen=True)
class Finding:
    code: str
    since: dt.date
    days: int
    limit: int | None  # None where anything at all is too long (an open flag, a missing outcome)
    why: str
    working_days: bool = False  # `days` and `limit` count working days, not calendar days (letters to post)

    @property
    def over(self) -> bool:
        return self.limit is None or is_over(self.days, self.limit)


def days_since(since: dt.date, today: dt.date) -> int:
    return max((today - since).days, 0)


def is_over(days: int, limit: int) -> bool:
    """Day `limit` itself is still within the limit; the day after, it is over."""
    return days > limit


def latest_date_over(today: dt.date, limit: int) -> dt.date:
    """The latest start date that is over the limit today: what the database is asked for (since <= this)."""
    return today - dt.timedelta(days=limit + 1)


def ended_before_today(ended_on: dt.date, today: dt.date) -> bool:
    """An appointment is due its outcome once the day it ended is over (London time): not while it is today."""
    return ended_on < today


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def flag_finding(*, raised_on: dt.date, reason: str, today: dt.date) -> Finding:
    days = days_since(raised_on, today)
    return Finding(
        code=WAS_NOT_BROUGHT_FLAG,
        since=raised_on,
        days=days,
        limit=None,
        why=f"{reason.strip()} Raised {format_date(raised_on)} and not reviewed for {_days(days)}.",
    )


def outcome_finding(*, what: str, starts: dt.datetime, today: dt.date) -> Finding:
    """A one-to-one appointment (`starts` in London time) that ended before today with no outcome."""
    on = starts.date()
    days = days_since(on, today)
    return Finding(
        code=OUTCOME_NOT_RECORDED,
        since=on,
        days=days,
        limit=None,
        why=f"{what} on {format_date(on)} at {starts:%H:%M}: no outcome recorded after {_days(days)}. Was the "
        "child brought?",
    )


def register_finding(*, programme: str, starts: dt.datetime, missing: int, today: dt.date) -> Finding:
    on = starts.date()
    days = days_since(on, today)
    children = "1 child has" if missing == 1 else f"{missing} children have"
    return Finding(
        code=REGISTER_NOT_COMPLETE,
        since=on,
        days=days,
        limit=None,
        why=f"{programme} session on {format_date(on)} at {starts:%H:%M}: the register is not complete ({children} "
        f"no outcome) after {_days(days)}.",
    )


def screening_finding(*, since: dt.date, came_back: bool, today: dt.date, limit: int) -> Finding:
    """Waiting for screening since it arrived, or since the information asked for came back (`came_back`)."""
    days = days_since(since, today)
    start = f"since the information asked for came back on {format_date(since)}" if came_back else "since received"
    return Finding(
        code=SCREENING_OVERDUE,
        since=since,
        days=days,
        limit=limit,
        why=f"Not screened: waited {_days(days)} {start}, limit {limit}.",
    )


def information_finding(*, requested_on: dt.date, today: dt.date, limit: int) -> Finding:
    days = days_since(requested_on, today)
    return Finding(
        code=INFORMATION_OVERDUE,
        since=requested_on,
        days=days,
        limit=limit,
        why=f"Information asked for on {format_date(requested_on)} has not come back after {_days(days)}, limit "
        f"{limit}: chase it or decide without it.",
    )


def triage_finding(*, accepted_on: dt.date, today: dt.date, limit: int) -> Finding:
    days = days_since(accepted_on, today)
    return Finding(
        code=TRIAGE_OVERDUE,
        since=accepted_on,
        days=days,
        limit=limit,
        why=f"Not triaged: accepted {format_date(accepted_on)}, waited {_days(days)}, limit {limit}.",
    )


def wait_finding(*, priority_label: str, received_on: dt.date, today: dt.date, target: int) -> Finding:
    days = days_since(received_on, today)
    return Finding(
        code=WAIT_OVER_TARGET,
        since=received_on,
        days=days,
        limit=target,
        why=f"{priority_label}: waited {_days(days)}, target {target}.",
    )


def alert_review_finding(*, what: str, review_on: dt.date, today: dt.date) -> Finding:
    """An alert on a child (paedot/alerts) still in force the day after its review date: nobody has checked it still
    holds. Its category only, never its words (those stay on the child's record)."""
    days = days_since(review_on, today)
    return Finding(
        code=ALERT_REVIEW_OVERDUE,
        since=review_on,
        days=days,
        limit=None,
        why=f"{what} alert: its review was due on {format_date(review_on)}, {_days(days)} ago. Check it still "
        "holds: review it, or end it with the reason.",
    )


def message_finding(*, what: str, queued_on: dt.date, attempts: int, today: dt.date) -> Finding:
    """An email or text to the family that failed after its last try: anything at all is too long."""
    days = days_since(queued_on, today)
    tries = "1 try" if attempts == 1 else f"{attempts} tries"
    return Finding(
        code=MESSAGE_FAILED,
        since=queued_on,
        days=days,
        limit=None,
        why=f"{what} to the parent or carer, queued {format_date(queued_on)}, failed after {tries}: the family has "
        "not been told. Send it again, or tell them another way and mark it dealt with.",
    )


def school_calendar_listed(*, known_until: dt.date | None, today: dt.date, ahead: int) -> bool:
    """The school holidays held are listed from `ahead` days before their last day (on that day, not the day before),
    and for as long as they stay out of date; always when none are held."""
    return known_until is None or (known_until - today).days <= ahead


def school_calendar_finding(*, known_until: dt.date | None, today: dt.date, ahead: int) -> Finding | None:
    """The school holidays held run out soon (hazard H16): after their last day a block of treatment or a group at a
    school or nursery cannot skip holidays. A finding about the service, not a child; None while far enough ahead."""
    if not school_calendar_listed(known_until=known_until, today=today, ahead=ahead):
        return None
    since = today if known_until is None else known_until - dt.timedelta(days=ahead)
    after = "Blocks of treatment and group sessions at schools and nurseries"
    load = "Load the next school year's term dates, checked against Birmingham City Council's."
    if known_until is None:
        why = f"No school holidays are held. {after} skip none. {load}"
    elif known_until >= today:
        why = (
            f"The school holidays held end on {format_date(known_until)}, {_days((known_until - today).days)} from "
            f"today. {after} after that day cannot skip holidays. {load}"
        )
    else:
        why = f"The school holidays held ended on {format_date(known_until)}. {after} after it skip none. {load}"
    return Finding(code=SCHOOL_CALENDAR_ENDING, since=since, days=days_since(since, today), limit=None, why=why)


# Letters to post: counted in working days ----------------------------------------------------------------------


def is_working_day(day: dt.date, closed: frozenset[dt.date] | set[dt.date]) -> bool:
    """Monday to Friday, and not a bank holiday or a day the service is closed (`closed` holds both)."""
    return day.weekday() < 5 and day not in closed


def working_days_since(since: dt.date, today: dt.date, closed: frozenset[dt.date] | set[dt.date]) -> int:
    """Working days after `since` up to and including today: a letter issued on Monday has waited 1 working day on
    Tuesday, and still 1 on Saturday."""
    days, day = 0, since + dt.timedelta(days=1)
    while day <= today:
        days += is_working_day(day, closed)
        day += dt.timedelta(days=1)
    return days


def latest_issue_date_over(today: dt.date, limit: int, closed: frozenset[dt.date] | set[dt.date]) -> dt.date:
    """The latest issue date that is over `limit` working days today: what the database is asked for. Walks back
    from today to the (limit + 1)th working day; any letter issued before it has waited more than `limit`."""
    found, day = 0, today
    while True:
        if is_working_day(day, closed):
            found += 1
            if found > limit:
                return day - dt.timedelta(days=1)
        day -= dt.timedelta(days=1)


def closed_days_window(today: dt.date, limit: int) -> dt.date:
    """How far back the bank holidays and closure days must be read to find the cut-off: twice the limit in calendar
    days covers the weekends, and a month more any run of holidays (Christmas)."""
    return today - dt.timedelta(days=2 * limit + 31)


def letter_finding(
    *, what: str, issued_on: dt.date, today: dt.date, limit: int, closed: frozenset[dt.date] | set[dt.date]
) -> Finding:
    """A letter issued and not recorded as posted after more than `limit` working days: the family (or the GP, the
    referrer) may not have it."""
    days = working_days_since(issued_on, today, closed)
    return Finding(
        code=LETTER_NOT_POSTED,
        since=issued_on,
        days=days,
        limit=limit,
        why=f"{what}: issued {format_date(issued_on)} and not recorded as posted after {days} working "
        f"day{'s' if days != 1 else ''}, limit {limit}. Print and post it, then mark it as posted.",
        working_days=True,
    )
