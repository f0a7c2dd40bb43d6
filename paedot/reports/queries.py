"""The dashboard's figures, each computed in the database: GROUP BY, conditional counts and averages, and for the
median and 92nd percentile PostgreSQL's percentile_disc (on SQLite: a count, then the one row at that rank).
Nothing here loads referrals into Python to count them; the few rows that come back are already totals.

Every function takes the same Filters and returns plain data (dicts, lists, dataclasses). They count, they never
show a child: the dashboard is for team leads and commissioners, whose permission the views and the API check.

What the date range means for each figure:
- referrals received (by month, referrer type, outcome, decline reason): the date the referral was received;
- the waiting list, its bands, median, 92nd percentile and over-52-week waits: a snapshot at the end of the period
  (the live waiting list when the period ends today);
- the waiting list over time: a snapshot at each month's end in the period (see waiting_over_time);
- first-appointment waits: the date of the first attended appointment;
- attendance and contacts: the appointment's date; goals and COPM: the review's date;
- caseloads: now (a caseload has no history to look back on).
Locality, priority and pathway are the referral's, as they are now.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Aggregate, Avg, Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from paedot.appointments.models import Appointment
from paedot.appointments.models import Outcome as AppointmentOutcome
from paedot.care.models import GoalRating, Review
from paedot.diaries.rules import LONDON
from paedot.eligibility.codes import Severity
from paedot.groups.models import GroupAttendance
from paedot.referrals.models import OPEN_STATUSES, WAITING_LIST_STATUSES, Referral, Status
from paedot.reports import rules, totals
from paedot.reports.models import MonthEndWaiting, MonthlyContacts, MonthlyReviews
from paedot.staff.models import User
from paedot.waiting_list import rules as waiting_rules
from paedot.waiting_list.services import WaitingListFilters, waiting_list

BANDS = waiting_rules.BAND_LABELS
# A declined referral none of whose eligibility rules failed: the screener declined it on their own judgement.
SCREENERS_DECISION = "screeners_decision"
CONTACT_OUTCOMES = (AppointmentOutcome.ATTENDED, AppointmentOutcome.WAS_NOT_BROUGHT)


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters. Dates are inclusive, in London time."""

    date_from: dt.date
    date_to: dt.date
    locality: str = ""
    priority: str = ""
    pathway: str = ""

    @classmethod
    def for_period(cls, date_from=None, date_to=None, *, today: dt.date | None = None, **choices) -> Filters:
        """The filters with the default period (the last twelve months to today) where no date is given."""
        today = today or timezone.localdate()
        default_from, default_to = rules.default_period(today)
        return cls(date_from=date_from or default_from, date_to=date_to or default_to, **choices)

    def as_detail(self) -> dict[str, str]:
        """What was chosen, to record with an export."""
        return {
            key: str(value)
            for key, value in (
                ("date_from", self.date_from),
                ("date_to", self.date_to),
                ("locality", self.locality),
                ("priority", self.priority),
                ("pathway", self.pathway),
            )
            if value
        }


# Shared pieces ---------------------------------------------------------------------------------------------------


def referral_q(filters: Filters, prefix: str = "") -> Q:
    """The locality, priority and pathway filters, on a referral reached through `prefix` (e.g. "referral__")."""
    condition = Q()
    for name in ("locality", "priority", "pathway"):
        value = getattr(filters, name)
        if value:
            condition &= Q(**{f"{prefix}{name}": value})
    return condition


def _referrals(filters: Filters) -> QuerySet[Referral]:
    return Referral.objects.filter(referral_q(filters)).order_by()


def _received_in_period(filters: Filters) -> QuerySet[Referral]:
    return _referrals(filters).filter(received_date__gte=filters.date_from, received_date__lte=filters.date_to)


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of the day, in London."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


def _in_window(filters: Filters, path: str = "start") -> Q:
    """A datetime on a day in the period (London days)."""
    after_last_day = filters.date_to + dt.timedelta(days=1)
    return Q(**{f"{path}__gte": start_of(filters.date_from), f"{path}__lt": start_of(after_last_day)})


def _days_q(runs: list[tuple[dt.date, dt.date]], path: str, *, dates: bool = False) -> Q:
    """On any day of these runs of days (first, last): a datetime column (London days) or, with dates, a date one."""
    condition = Q()
    for first, last in runs:
        if dates:
            condition |= Q(**{f"{path}__gte": first, f"{path}__lte": last})
        else:
            condition |= Q(**{f"{path}__gte": start_of(first), f"{path}__lt": start_of(last + dt.timedelta(days=1))})
    return condition


def _dimensions(filters: Filters) -> dict[str, str]:
    """The filters as they apply to the monthly totals' own columns."""
    return {name: getattr(filters, name) for name in ("locality", "priority", "pathway") if getattr(filters, name)}


def _split(filters: Filters, today: dt.date | None) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """The period's whole months whose totals are up to date, and the runs of days to count from the records. A
    whole ended month that could have been read from totals but was not asks the task worker to total it."""
    today = today or timezone.localdate()
    ended = [m for m in rules.whole_months(filters.date_from, filters.date_to) if rules.month_end(m) < today]
    usable = totals.up_to_date_months(ended, today)
    totals.nudge_refresh(month for month in ended if month not in usable)
    return rules.split_period(filters.date_from, filters.date_to, usable)


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc: the nearest-rank percentile (rules.nearest_rank)."""

    function = "percentile_disc"
    name = "PercentileDisc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s%(direction)s)"

    def __init__(self, expression, fraction: float, *, descending: bool = False, **extra):
        if not 0 < fraction <= 1:
            raise ValueError("The fraction must be more than 0 and at most 1.")
        # Our own constant, never user input, written into the SQL as a number.
        super().__init__(expression, fraction=repr(float(fraction)), direction=" DESC" if descending else "", **extra)


PERCENTILES = {"median": rules.MEDIAN, "p92": rules.P92}


def aggregate_with_percentiles(queryset: QuerySet, field_name: str, *, descending: bool = False, **aggregates) -> dict:
    """queryset.aggregate(**aggregates) plus "median" and "p92" of field_name (nulls left out), in the database.

    descending orders the values from the largest: the median of days waited is the median of received dates
    taken from the newest.
    """
    queryset = queryset.order_by()
    if connections[queryset.db].vendor == "postgresql":
        percentiles = {
            name: PercentileDisc(field_name, fraction, descending=descending) for name, fraction in PERCENTILES.items()
        }
        return queryset.aggregate(**aggregates, **percentiles)
    # SQLite has no percentile function: count, then read the one row at each rank.
    result = queryset.aggregate(**aggregates, values_counted=Count(field_name))
    count = result.pop("values_counted")
    ordered = (
        queryset.filter(**{f"{field_name}__isnull": False})
        .order_by(f"-{field_name}" if descending else field_name)
        .values_list(field_name, flat=True)
    )
    for name, fraction in PERCENTILES.items():
        result[name] = ordered[rules.nearest_rank(count, fraction) - 1] if count else None
    return result


def percentile(queryset: QuerySet, field_name: str, fraction: float, *, descending: bool = False):
    """One nearest-rank percentile of a column, in the database (for tests and one-off figures)."""
    queryset = queryset.order_by()
    if connections[queryset.db].vendor == "postgresql":
        return queryset.aggregate(value=PercentileDisc(field_name, fraction, descending=descending))["value"]
    values = queryset.filter(**{f"{field_name}__isnull": False})
    count = values.count()
    if not count:
        return None
    ordered = values.order_by(f"-{field_name}" if descending else field_name).values_list(field_name, flat=True)
    return ordered[rules.nearest_rank(count, fraction) - 1]


def _band_counts(field_name: str, *, days_before: dt.date | None = None) -> dict:
    """A conditional count for each waiting-time band: of days in field_name, or (with days_before) of the days
    from the date in field_name to that day."""
    counts = {}
    for index, band in enumerate(BANDS):
        first = waiting_rules.first_day_of_band(band)
        last = waiting_rules.last_day_of_band(band)
        if days_before is None:
            condition = Q(**{f"{field_name}__gte": first})
            if last is not None:
                condition &= Q(**{f"{field_name}__lte": last})
        else:
            condition = Q(**{f"{field_name}__lte": days_before - dt.timedelta(days=first)})
            if last is not None:
                condition &= Q(**{f"{field_name}__gte": days_before - dt.timedelta(days=last)})
        counts[f"band_{index}"] = Count("pk", filter=condition)
    return counts


def _bands_from(result: dict) -> dict[str, int]:
    return {band: result[f"band_{index}"] for index, band in enumerate(BANDS)}


# Referrals received ----------------------------------------------------------------------------------------------


def received_counts(filters: Filters) -> list[dict]:
    """Referrals received in the period counted by month, referrer role and status at once: one pass over the
    period's referrals, whose totals (at most months x roles x statuses rows) the next three figures share."""
    return list(
        _received_in_period(filters)
        .annotate(month=TruncMonth("received_date"))
        .values("month", "referrer_role", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _totals(counts: list[dict], key: str) -> Counter:
    totals: Counter = Counter()
    for row in counts:
        totals[_as_date(row[key]) if key == "month" else row[key]] += row["count"]
    return totals


def referrals_by_month(filters: Filters, counts: list[dict] | None = None) -> list[dict]:
    """Referrals received in each month of the period (months with none included, as 0)."""
    counted = _totals(received_counts(filters) if counts is None else counts, "month")
    return [
        {"month": month, "count": counted.get(month, 0)}
        for month in rules.months_between(filters.date_from, filters.date_to)
    ]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def referrals_by_referrer(filters: Filters, counts: list[dict] | None = None) -> list[dict]:
    """Referrals received in the period by the referrer's role, most first."""
    counted = _totals(received_counts(filters) if counts is None else counts, "referrer_role")
    return _most_first(counted, "referrer_role")


STATUS_ORDER = [status.value for status in Status]


def outcomes(filters: Filters, counts: list[dict] | None = None) -> list[dict]:
    """Where the referrals received in the period are now, in the order of the journey."""
    counted = _totals(received_counts(filters) if counts is None else counts, "status")
    return [{"status": status, "count": counted[status]} for status in STATUS_ORDER if counted.get(status)]


def decline_reasons(filters: Filters) -> list[dict]:
    """Declined referrals received in the period, by each eligibility rule that failed (a referral can fail more
    than one), and those declined with no rule failing (the screener's own decision), most first.

    One pass from the period's declined referrals (a small index of them), each joined to the rules it failed: a
    referral with none comes back once with no code, which is the screener's decision."""
    rows = (
        _received_in_period(filters)
        .filter(status=Status.DECLINED)
        .alias(
            failed=FilteredRelation(
                "eligibility__reasons", condition=Q(eligibility__reasons__severity=Severity.DECLINE)
            )
        )
        .values("failed__code")
        .annotate(count=Count("pk", distinct=True))
        .order_by()
    )
    result = [{"code": row["failed__code"] or SCREENERS_DECISION, "count": row["count"]} for row in rows]
    return sorted(result, key=lambda row: (-row["count"], row["code"]))


# The waiting list ------------------------------------------------------------------------------------------------


def waiting_on(filters: Filters, day: dt.date, *, today: dt.date | None = None) -> QuerySet[Referral]:
    """The referrals on the waiting list at the end of `day`.

    Today (or later): the live waiting list, exactly as /api/waiting-list and the waiting list page count it
    (triaged and not yet seen: waiting, invited or booked). An earlier day is rebuilt from dates that never change
    afterwards: triaged by then (triaged_at), and neither seen (first_attended_on) nor closed (closed_at: declined
    or discharged) by then. left_queue_at is not used: a booked child is still waiting until the appointment is
    attended.
    """
    today = today or timezone.localdate()
    if day >= today:
        live = waiting_list(
            WaitingListFilters(locality=filters.locality, priority=filters.priority, pathway=filters.pathway),
            today=today,
        )
        return live.select_related(None).order_by()
    return _referrals(filters).filter(_waiting_at(day))


def _waiting_at(day: dt.date) -> Q:
    next_midnight = start_of(day + dt.timedelta(days=1))
    return (
        Q(triaged_at__lt=next_midnight, received_date__lte=day)
        & (Q(first_attended_on__isnull=True) | Q(first_attended_on__gt=day))
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=next_midnight))
    )


@dataclass(frozen=True)
class WaitingSnapshot:
    on: dt.date
    total: int
    by_band: dict[str, int]
    median_days: int | None
    p92_days: int | None

    @property
    def over_52_weeks(self) -> int:
        return self.by_band["52+"]


def waiting_snapshot(filters: Filters, *, today: dt.date | None = None) -> WaitingSnapshot:
    """The waiting list at the end of the period: how many, in each band, the median and 92nd percentile of days
    waited so far (calendar days since the referral was received), in one query (three on SQLite)."""
    today = today or timezone.localdate()
    day = min(filters.date_to, today)
    # Days waited rise as the received date falls: the percentiles of days are those of received dates, newest first.
    result = aggregate_with_percentiles(
        waiting_on(filters, day, today=today),
        "received_date",
        descending=True,
        total=Count("pk"),
        **_band_counts("received_date", days_before=day),
    )
    return WaitingSnapshot(
        on=day,
        total=result["total"],
        by_band=_bands_from(result),
        median_days=(day - result["median"]).days if result["median"] else None,
        p92_days=(day - result["p92"]).days if result["p92"] else None,
    )


def waiting_over_time(filters: Filters, *, today: dt.date | None = None) -> list[dict]:
    """The size of the waiting list at the end of each month of the period (the last month: at the period's end,
    or today). Month ends of months with up-to-date totals are read from them; the other past month ends are all
    counted in one query, and the live list in one more."""
    today = today or timezone.localdate()
    last_day = min(filters.date_to, today)
    days = [min(rules.month_end(month), last_day) for month in rules.months_between(filters.date_from, last_day)]
    month_ends = [day for day in days if day < today and day == rules.month_end(day)]
    usable = totals.up_to_date_months([rules.month_start(day) for day in month_ends], today)
    totals.nudge_refresh(rules.month_start(day) for day in month_ends if rules.month_start(day) not in usable)
    counts: dict[dt.date, int] = {}
    if usable:
        counts = {rules.month_end(month): 0 for month in usable}
        for row in (
            MonthEndWaiting.objects.filter(month__in=usable, **_dimensions(filters))
            .values("month")
            .annotate(count=Sum("count"))
            .order_by()
        ):
            counts[rules.month_end(row["month"])] = row["count"]
    past = [day for day in days if day < today and day not in counts]
    if past:
        counts.update(_count_waiting_at(_referrals(filters), past))
    if days and days[-1] >= today:
        counts[days[-1]] = waiting_on(filters, days[-1], today=today).count()
    return [{"month": rules.month_start(day), "on": day, "count": counts[day]} for day in days]


def _waiting_candidates(referrals: QuerySet[Referral], days: list[dt.date]) -> QuerySet[Referral]:
    """Most referrals' waits ended long before these days. Only those still waiting now, or whose wait ended after
    the first day, can count on any of them (a superset: each day's count is exact), and each part of that can be
    read from an index (the waiting list's, first_attended_on's, closed_at's)."""
    after_first = start_of(days[0] + dt.timedelta(days=1))
    return referrals.filter(
        Q(status__in=WAITING_LIST_STATUSES) | Q(first_attended_on__gt=days[0]) | Q(closed_at__gte=after_first)
    ).filter(triaged_at__lt=start_of(days[-1] + dt.timedelta(days=1)), received_date__lte=days[-1])


def _count_waiting_at(referrals: QuerySet[Referral], days: list[dt.date]) -> dict[dt.date, int]:
    """How many of these referrals were waiting at the end of each of these (sorted, past) days, in one query."""
    result = _waiting_candidates(referrals, days).aggregate(
        **{f"on_{index}": Count("pk", filter=_waiting_at(day)) for index, day in enumerate(days)}
    )
    return {day: result[f"on_{index}"] for index, day in enumerate(days)}


def month_end_waiting(months: list[dt.date]) -> list[dict]:
    """For the monthly totals: the waiting list at the end of each of these (sorted, ended) months, by locality,
    priority and pathway, in one query."""
    days = [rules.month_end(month) for month in months]
    rows = (
        _waiting_candidates(Referral.objects.order_by(), days)
        .values("locality", "priority", "pathway")
        .annotate(**{f"on_{index}": Count("pk", filter=_waiting_at(day)) for index, day in enumerate(days)})
        .order_by()
    )
    return [
        {
            "month": month,
            "locality": row["locality"],
            "priority": row["priority"],
            "pathway": row["pathway"],
            "count": row[f"on_{index}"],
        }
        for row in rows
        for index, month in enumerate(months)
        if row[f"on_{index}"]
    ]


# First appointments ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstAppointmentWaits:
    count: int
    mean_days: float | None
    median_days: int | None
    p92_days: int | None
    by_band: dict[str, int]


def first_appointment_waits(filters: Filters) -> FirstAppointmentWaits:
    """Children seen for the first time in the period: how long they had waited (days from received to the first
    attended appointment, kept on the referral when the clock stopped)."""
    seen = _referrals(filters).filter(
        first_attended_on__gte=filters.date_from, first_attended_on__lte=filters.date_to, days_waited__isnull=False
    )
    result = aggregate_with_percentiles(
        seen, "days_waited", count=Count("pk"), mean=Avg("days_waited"), **_band_counts("days_waited")
    )
    return FirstAppointmentWaits(
        count=result["count"],
        mean_days=rules.rounded(result["mean"], 1),
        median_days=result["median"],
        p92_days=result["p92"],
        by_band=_bands_from(result),
    )


# Caseloads -------------------------------------------------------------------------------------------------------


def caseload_by_clinician(filters: Filters) -> list[dict]:
    """Open referrals allocated to each clinician now, largest caseload first (as the caseloads page counts them)."""
    # Counted by the clinician's id (the caseload index), then the few clinicians' names fetched: cheaper than
    # joining every referral to its clinician before counting.
    counted = dict(
        _referrals(filters)
        .filter(status__in=OPEN_STATUSES, clinician__isnull=False)
        .values_list("clinician")
        .annotate(count=Count("pk"))
        .order_by()
    )
    if not counted:
        return []
    people = User.objects.filter(pk__in=counted).values("pk", "username", "first_name", "last_name")
    rows = [
        {
            "username": person["username"],
            "name": f"{person['first_name']} {person['last_name']}".strip() or person["username"],
            "count": counted[person["pk"]],
        }
        for person in people
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["username"]))


# Attendance and contacts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contacts:
    """Appointments in the period that happened or were missed: one-to-one appointments, and each child's place at
    a group session. A contact is an attended one; cancelled appointments are neither."""

    attended: int
    was_not_brought: int
    by_setting: list[dict] = field(default_factory=list)
    by_kind: list[dict] = field(default_factory=list)

    @property
    def was_not_brought_rate(self) -> float | None:
        """Was not brought as a percentage of appointments attended or missed."""
        return rules.share(self.was_not_brought, self.attended + self.was_not_brought)


def contacts(filters: Filters, *, today: dt.date | None = None) -> Contacts:
    """Attended and was-not-brought appointments in the period, and the attended ones by setting (the place's kind)
    and by kind of appointment: whole ended months from their totals, the rest counted from the records."""
    months, runs = _split(filters, today)
    rows = contact_counts(runs, filters)
    if months:
        rows += list(
            MonthlyContacts.objects.filter(month__in=months, **_dimensions(filters))
            .values("outcome", "setting", "kind")
            .annotate(count=Sum("count"))
            .order_by()
        )
    outcomes_counted: Counter[str] = Counter()
    settings: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    # The rows are already totals (a handful of outcome x setting x kind combinations), merged here.
    for row in rows:
        outcomes_counted[row["outcome"]] += row["count"]
        if row["outcome"] == AppointmentOutcome.ATTENDED:
            settings[row["setting"]] += row["count"]
            kinds[row["kind"]] += row["count"]
    return Contacts(
        attended=outcomes_counted[AppointmentOutcome.ATTENDED],
        was_not_brought=outcomes_counted[AppointmentOutcome.WAS_NOT_BROUGHT],
        by_setting=_most_first(settings, "setting"),
        by_kind=_most_first(kinds, "kind"),
    )


DIMENSIONS = ("locality", "priority", "pathway")


def contact_counts(
    runs: list[tuple[dt.date, dt.date]], filters: Filters | None = None, *, by_month: bool = False
) -> list[dict]:
    """Attended and missed one-to-one appointments and group places on these runs of days, counted by outcome,
    setting and kind (and, by_month, by month and the referral's locality, priority and pathway, for the monthly
    totals): two grouped queries, whose rows are merged."""
    if not runs:
        return []
    months = {"month": TruncMonth("start", tzinfo=LONDON)} if by_month else {}
    group_months = {"month": TruncMonth("appointment__start", tzinfo=LONDON)} if by_month else {}
    dimensions = [f"referral__{name}" for name in DIMENSIONS] if by_month else []
    one_to_one = (
        Appointment.objects.filter(
            _days_q(runs, "start"),
            referral_q(filters, "referral__") if filters else Q(),
            referral__isnull=False,
            outcome__in=CONTACT_OUTCOMES,
        )
        .annotate(**months, setting=F("location__kind"))
        .values(*months, *dimensions, "outcome", "setting", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    group_places = (
        GroupAttendance.objects.filter(
            _days_q(runs, "appointment__start"),
            referral_q(filters, "referral__") if filters else Q(),
            appointment__cancelled=False,
            outcome__in=CONTACT_OUTCOMES,
        )
        .annotate(**group_months, setting=F("appointment__location__kind"), group_kind=F("appointment__kind"))
        .values(*group_months, *dimensions, "outcome", "setting", "group_kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    merged: Counter[tuple] = Counter()
    for row in [*one_to_one, *group_places]:
        key = (
            _local_month(row["month"]) if by_month else None,
            *(row[name] for name in dimensions),
            row["outcome"],
            row["setting"] or "",
            row.get("kind") or row.get("group_kind") or "",
        )
        merged[key] += row["count"]
    names = ("month", *DIMENSIONS) if by_month else ()
    return [
        {
            **dict(zip(names, (key[0], *key[1:4]) if by_month else (), strict=True)),
            "outcome": key[-3],
            "setting": key[-2],
            "kind": key[-1],
            "count": count,
        }
        for key, count in merged.items()
    ]


def _local_month(value) -> dt.date:
    """TruncMonth's answer (a datetime at London's midnight, or a date) as the month's first day."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, LONDON).date() if timezone.is_aware(value) else value.date()
    return value


def _most_first(counter: Counter[str], key: str) -> list[dict]:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{key: name, "count": count} for name, count in ordered]


# Outcomes of care ------------------------------------------------------------------------------------------------

GAS_LEVELS = (-2, -1, 0, 1, 2)


@dataclass(frozen=True)
class GoalAttainment:
    reviews: int
    mean_t_score: float | None
    by_level: dict[int, int]

    @property
    def goals_rated(self) -> int:
        return sum(self.by_level.values())

    @property
    def at_or_above_expected(self) -> int:
        """Goals rated 0 (the expected outcome) or better."""
        return sum(count for level, count in self.by_level.items() if level >= 0)

    @property
    def share_at_or_above_expected(self) -> float | None:
        return rules.share(self.at_or_above_expected, self.goals_rated)


# The review figures' sums and counts, from which the means and shares are made exactly (monthly totals keep them).
GOAL_LEVEL_FIELDS = {-2: "goals_minus_2", -1: "goals_minus_1", 0: "goals_0", 1: "goals_plus_1", 2: "goals_plus_2"}
REVIEW_SUMS = (
    "reviews",
    "t_score_sum",
    "copm_reviews",
    "copm_performance_sum",
    "copm_satisfaction_sum",
    "copm_satisfaction_reviews",
    "performance_important",
    "performance_up",
    "performance_not_improved",
    "satisfaction_important",
    *GOAL_LEVEL_FIELDS.values(),
)


def review_sums(runs: list[tuple[dt.date, dt.date]], filters: Filters | None = None, *, by_month: bool = False):
    """Reviews on these runs of days and the goals they rated: counts and sums (by month and the referral's
    locality, priority and pathway with by_month, for the monthly totals), two grouped queries."""
    if not runs:
        return []
    referral = "package__episode__referral__"
    important = CLINICALLY_IMPORTANT_COPM_CHANGE
    rated = Q(copm_performance_change__isnull=False)
    keys = (
        {"month": TruncMonth("reviewed_on"), **{name: F(f"{referral}{name}") for name in DIMENSIONS}}
        if by_month
        else {}
    )
    sums = {
        "reviews": Count("pk"),
        "t_score_sum": Sum("gas_t_score"),
        "copm_reviews": Count("pk", filter=rated),
        "copm_performance_sum": Sum("copm_performance_change", filter=rated),
        "copm_satisfaction_sum": Sum("copm_satisfaction_change", filter=rated),
        "copm_satisfaction_reviews": Count("copm_satisfaction_change", filter=rated),
        "performance_important": Count("pk", filter=Q(copm_performance_change__gte=important)),
        "performance_up": Count("pk", filter=Q(copm_performance_change__gt=0, copm_performance_change__lt=important)),
        "performance_not_improved": Count("pk", filter=Q(copm_performance_change__lte=0)),
        "satisfaction_important": Count("pk", filter=rated & Q(copm_satisfaction_change__gte=important)),
    }
    in_runs = Review.objects.filter(
        _days_q(runs, "reviewed_on", dates=True), referral_q(filters, referral) if filters else Q()
    ).order_by()
    # Grouped by month and the referral's columns for the totals; one row of sums for the dashboard (values() with
    # no columns would group by every column).
    reviews = (
        in_runs.annotate(**keys).values(*keys).annotate(**sums).order_by() if keys else [in_runs.aggregate(**sums)]
    )
    rating_keys = (
        {"month": TruncMonth("review__reviewed_on"), **{name: F(f"review__{referral}{name}") for name in DIMENSIONS}}
        if by_month
        else {}
    )
    ratings = (
        GoalRating.objects.filter(
            _days_q(runs, "review__reviewed_on", dates=True),
            referral_q(filters, f"review__{referral}") if filters else Q(),
        )
        .annotate(**rating_keys)
        .values(*rating_keys, "attained")
        .annotate(count=Count("pk"))
        .order_by()
    )
    rows: dict[tuple, dict] = {}
    for row in reviews:
        if not row["reviews"]:
            continue
        key = tuple(_local_month(row[name]) if name == "month" else row[name] for name in keys)
        rows[key] = {**dict(zip(keys, key, strict=True)), **{name: row[name] or 0 for name in REVIEW_SUMS[:10]}}
    for row in ratings:
        key = tuple(_local_month(row[name]) if name == "month" else row[name] for name in rating_keys)
        rows[key][GOAL_LEVEL_FIELDS[row["attained"]]] = row["count"]
    return [{**dict.fromkeys(GOAL_LEVEL_FIELDS.values(), 0), **row} for row in rows.values()]


def review_totals(runs: list[tuple[dt.date, dt.date]]) -> list[dict]:
    """review_sums by month, locality, priority and pathway: the rows of MonthlyReviews."""
    return review_sums(runs, by_month=True)


def _review_figures(filters: Filters, today: dt.date | None) -> dict:
    """The period's review sums: whole ended months from their totals, the rest from the records."""
    months, runs = _split(filters, today)
    added = dict.fromkeys(REVIEW_SUMS, 0)
    for row in review_sums(runs, filters):
        for name in REVIEW_SUMS:
            added[name] += row[name]
    if months:
        from_totals = MonthlyReviews.objects.filter(month__in=months, **_dimensions(filters)).aggregate(
            **{name: Sum(name) for name in REVIEW_SUMS}
        )
        for name in REVIEW_SUMS:
            added[name] += from_totals[name] or 0
    return added


def _mean(total, count: int):
    return total / count if count else None


def goal_attainment(filters: Filters, *, today: dt.date | None = None, figures: dict | None = None) -> GoalAttainment:
    """Reviews in the period: the mean Goal Attainment Scaling T-score (as stored with each review) and how many
    goals were rated at each level, -2 to +2."""
    added = figures or _review_figures(filters, today)
    return GoalAttainment(
        reviews=added["reviews"],
        mean_t_score=rules.rounded(_mean(added["t_score_sum"], added["reviews"])),
        by_level={level: added[name] for level, name in GOAL_LEVEL_FIELDS.items()},
    )


CLINICALLY_IMPORTANT_COPM_CHANGE = 2


@dataclass(frozen=True)
class CopmChange:
    reviews: int
    mean_performance_change: float | None
    mean_satisfaction_change: float | None
    performance_important: int
    performance_up_less_than_important: int
    performance_not_improved: int
    satisfaction_important: int

    @property
    def share_performance_important(self) -> float | None:
        return rules.share(self.performance_important, self.reviews)


def copm_change(filters: Filters, *, today: dt.date | None = None, figures: dict | None = None) -> CopmChange:
    """Reviews in the period where the COPM was rated again: the mean change in performance and satisfaction, and
    how many changed by 2 or more (conventionally clinically important)."""
    added = figures or _review_figures(filters, today)
    return CopmChange(
        reviews=added["copm_reviews"],
        mean_performance_change=rules.rounded(_mean(added["copm_performance_sum"], added["copm_reviews"])),
        mean_satisfaction_change=rules.rounded(
            _mean(added["copm_satisfaction_sum"], added["copm_satisfaction_reviews"])
        ),
        performance_important=added["performance_important"],
        performance_up_less_than_important=added["performance_up"],
        performance_not_improved=added["performance_not_improved"],
        satisfaction_important=added["satisfaction_important"],
    )


# Everything at once ----------------------------------------------------------------------------------------------


def summary(filters: Filters, *, today: dt.date | None = None) -> dict:
    """Every figure for the filters: what the dashboard draws and GET /api/reports/summary returns."""
    today = today or timezone.localdate()
    received = received_counts(filters)
    reviewed = _review_figures(filters, today)
    return {
        "filters": filters,
        "referrals_by_month": referrals_by_month(filters, received),
        "referrals_by_referrer": referrals_by_referrer(filters, received),
        "outcomes": outcomes(filters, received),
        "decline_reasons": decline_reasons(filters),
        "waiting": waiting_snapshot(filters, today=today),
        "waiting_over_time": waiting_over_time(filters, today=today),
        "first_appointment_waits": first_appointment_waits(filters),
        "caseload_by_clinician": caseload_by_clinician(filters),
        "contacts": contacts(filters, today=today),
        "goal_attainment": goal_attainment(filters, figures=reviewed),
        "copm_change": copm_change(filters, figures=reviewed),
    }
