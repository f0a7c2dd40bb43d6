"""Making, checking and invalidating the monthly totals (paedot.reports.models).

- refresh_totals(): adds up every ended month whose totals are missing or out of date (all of them with
  everything=True): the daily job, `manage.py refresh_report_totals`, and the dashboard's nudge when it met a
  stale month. A million referrals' ten years take about 30 s; one month well under a second.
- up_to_date_months(): which months the dashboard may read from totals.
- mark_changed(): moves an ended month's `changes` on; the signal handlers below call it for every save or delete
  of what the totals count, so a month edited after its totals were made is counted from the records again until
  it is totalled again.

Bulk QuerySet.update() sends no signal. No service updates an attended or missed appointment, a review or a goal
rating that way (moving an appointment is refused once it has an outcome); the daily job remakes every month's
totals from the records, so a change made another way (a script, the database) is counted within a day.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from paedot.reports import rules
from paedot.reports.models import MonthEndWaiting, MonthlyContacts, MonthlyReviews, ReportMonth

logger = logging.getLogger(__name__)

# Months whose month-end waiting list is counted in one query (one conditional count each).
MONTH_ENDS_A_QUERY = 12
NUDGE_KEY = "reports:totals-refresh-queued"
NUDGE_SECONDS = 300


def ended_months(today: dt.date) -> list[dt.date]:
    """Every month from the first with any record the totals count to the one before today's month."""
    from paedot.appointments.models import Appointment
    from paedot.care.models import Review
    from paedot.referrals.models import Referral

    firsts = [
        Appointment.objects.aggregate(first=Min("start"))["first"],
        Review.objects.aggregate(first=Min("reviewed_on"))["first"],
        Referral.objects.aggregate(first=Min("triaged_at"))["first"],
    ]
    days = [timezone.localtime(value).date() if isinstance(value, dt.datetime) else value for value in firsts if value]
    if not days:
        return []
    last = rules.add_months(today, -1)
    return [month for month in rules.months_between(min(days), last) if month <= last]


def up_to_date_months(months: Iterable[dt.date], today: dt.date) -> frozenset[dt.date]:
    """Of these months, those that have ended and whose totals count every record as it is now."""
    wanted = [month for month in months if rules.month_end(month) < today]
    if not wanted:
        return frozenset()
    return frozenset(
        ReportMonth.objects.filter(
            month__in=wanted, totalled_changes__isnull=False, totalled_changes=F("changes")
        ).values_list("month", flat=True)
    )


def mark_changed(days: Iterable[dt.date | None], *, today: dt.date | None = None) -> int:
    """Something counted on these days changed: their months' totals, if made, are out of date. Only ended months
    are marked (a month is totalled only after it ends). Returns how many months were marked."""
    today = today or timezone.localdate()
    this_month = rules.month_start(today)
    months = {rules.month_start(day) for day in days if day is not None and rules.month_start(day) < this_month}
    if not months:
        return 0
    return ReportMonth.objects.filter(month__in=months).update(changes=F("changes") + 1)


def nudge_refresh(stale: Iterable[dt.date]) -> None:
    """Ask the task worker to total these stale months soon (at most once in five minutes)."""
    from paedot.reports.tasks import refresh_report_totals

    # The immediate backend (tests, or a machine with no worker) would total them inside this request: leave them
    # to the daily job there.
    if not refresh_report_totals.get_backend().supports_defer:
        return
    if not list(stale) or not cache.add(NUDGE_KEY, True, NUDGE_SECONDS):
        return

    try:
        refresh_report_totals.enqueue()
    except Exception:  # the dashboard has its figures already; the daily job will total the months
        logger.exception("Could not queue the refresh of the report totals")


def refresh_totals(*, today: dt.date | None = None, everything: bool = False, months=None) -> list[ReportMonth]:
    """Total the ended months that need it (or `months`, or every ended month with everything=True) and return
    their bookkeeping rows. Safe to run at any time and at the same time as edits: a month edited while it is being
    totalled is left out of date, to be counted from the records until the next refresh."""
    from paedot.reports import queries

    today = today or timezone.localdate()
    ended = ended_months(today)
    if months is not None:
        ended = [month for month in ended if month in set(months)]
    ReportMonth.objects.bulk_create([ReportMonth(month=month) for month in ended], ignore_conflicts=True)
    rows = {row.month: row for row in ReportMonth.objects.filter(month__in=ended)}
    todo = sorted(month for month in ended if everything or months is not None or not rows[month].is_up_to_date)
    if not todo:
        return []
    started = time.monotonic()
    # The count each month's totals are made at, read before the records are: a change committed after this read
    # moves `changes` on past it, so the month stays out of date (never the other way round).
    seen_changes = {month: rows[month].changes for month in todo}
    runs = month_runs(todo)
    contacts = queries.contact_counts(runs, by_month=True)
    reviews = queries.review_totals(runs)
    waiting = []
    for first in range(0, len(todo), MONTH_ENDS_A_QUERY):
        waiting += queries.month_end_waiting(todo[first : first + MONTH_ENDS_A_QUERY])
    seconds = round(time.monotonic() - started, 3)
    with transaction.atomic():
        for model in (MonthlyContacts, MonthlyReviews, MonthEndWaiting):
            model.objects.filter(month__in=todo).delete()
        MonthlyContacts.objects.bulk_create([MonthlyContacts(**row) for row in contacts], batch_size=2000)
        MonthlyReviews.objects.bulk_create([MonthlyReviews(**row) for row in reviews], batch_size=2000)
        MonthEndWaiting.objects.bulk_create([MonthEndWaiting(**row) for row in waiting], batch_size=2000)
        now = timezone.now()
        for month in todo:
            ReportMonth.objects.filter(month=month).update(
                totalled_changes=seen_changes[month], totalled_at=now, seconds=seconds
            )
    logger.info("Totalled %d months for the reports in %.1f s", len(todo), seconds)
    return list(ReportMonth.objects.filter(month__in=todo))


def month_runs(months: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted months as runs of days (first day of a run of consecutive months, last day of its last month)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for month in sorted(months):
        end = rules.month_end(month)
        if runs and runs[-1][1] + dt.timedelta(days=1) == month:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((month, end))
    return runs


def refresh_daily() -> None:
    """The daily job: remake every ended month's totals from the records (catching any change no signal saw)."""
    refresh_totals(everything=True)


# Keeping totals honest: what each save or delete changes ----------------------------------------------------------

REFERRAL_COUNTED = ("locality", "priority", "pathway")
REFERRAL_WAIT_DATES = ("received_date", "triaged_at", "first_attended_on", "closed_at")


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def _before_and_now(instance, name: str) -> list:
    loaded = getattr(instance, "_loaded_values", None) or {}
    return [loaded.get(name), getattr(instance, name)]


def appointment_changed(sender, instance, **kwargs) -> None:
    mark_changed(_day(value) for value in _before_and_now(instance, "start"))


def group_place_changed(sender, instance, **kwargs) -> None:
    from paedot.appointments.models import Appointment

    start = Appointment.objects.filter(pk=instance.appointment_id).values_list("start", flat=True).first()
    mark_changed([_day(start)])


def review_changed(sender, instance, **kwargs) -> None:
    mark_changed(_before_and_now(instance, "reviewed_on"))


def goal_rating_changed(sender, instance, **kwargs) -> None:
    from paedot.care.models import Review

    mark_changed([Review.objects.filter(pk=instance.review_id).values_list("reviewed_on", flat=True).first()])


def location_changed(sender, instance, **kwargs) -> None:
    """A place's kind is the contacts' setting in every month."""
    before, now = _before_and_now(instance, "kind")
    if before is not None and before != now:
        ReportMonth.objects.update(changes=F("changes") + 1)


def referral_changed(sender, instance, **kwargs) -> None:
    """A referral's locality, priority or pathway moves its contacts, reviews and month-end waits between totals;
    its waiting dates move it on or off month-end waiting lists."""
    loaded = getattr(instance, "_loaded_values", None)
    if not loaded or instance.pk is None:
        return
    changed = [
        name for name in (*REFERRAL_COUNTED, *REFERRAL_WAIT_DATES) if loaded.get(name) != getattr(instance, name)
    ]
    if not changed:
        return
    today = timezone.localdate()
    days: list[dt.date | None] = []
    for values in (loaded, {name: getattr(instance, name) for name in REFERRAL_WAIT_DATES}):
        days += _waiting_month_ends(values, today)
    if any(name in REFERRAL_COUNTED for name in changed):
        from paedot.appointments.models import Appointment
        from paedot.care.models import Review
        from paedot.groups.models import GroupAttendance

        days += [_day(start) for start in Appointment.objects.filter(referral=instance).values_list("start", flat=True)]
        days += [
            _day(start)
            for start in GroupAttendance.objects.filter(referral=instance).values_list("appointment__start", flat=True)
        ]
        days += list(Review.objects.filter(package__episode__referral=instance).values_list("reviewed_on", flat=True))
    mark_changed(days, today=today)


def _waiting_month_ends(values: dict, today: dt.date) -> list[dt.date]:
    """The ended months at whose end a referral with these dates may have been waiting."""
    triaged = _day(values.get("triaged_at"))
    if triaged is None:
        return []
    ends = [_day(values.get(name)) for name in ("first_attended_on", "closed_at")]
    last = min([day for day in ends if day is not None] + [today])
    return rules.months_between(triaged, last)


def connect() -> None:
    """Called from the app's ready(): watch what the totals count."""
    from django.db.models.signals import post_delete, pre_save

    from paedot.appointments.models import Appointment
    from paedot.care.models import GoalRating, Review
    from paedot.diaries.models import Location
    from paedot.groups.models import GroupAttendance
    from paedot.referrals.models import Referral

    for model, handler in (
        (Appointment, appointment_changed),
        (GroupAttendance, group_place_changed),
        (Review, review_changed),
        (GoalRating, goal_rating_changed),
    ):
        pre_save.connect(handler, sender=model, dispatch_uid=f"reports-totals-{model._meta.label_lower}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"reports-totals-delete-{model._meta.label_lower}")
    pre_save.connect(location_changed, sender=Location, dispatch_uid="reports-totals-location")
    pre_save.connect(referral_changed, sender=Referral, dispatch_uid="reports-totals-referral")
