"""The figures as the dashboard shows them: tables (each also a CSV download) and the charts drawn beside them."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import StreamingHttpResponse

from paedot.appointments.models import Kind as AppointmentKind
from paedot.core.audit import csv_safe
from paedot.core.presenters import format_date
from paedot.diaries.models import LocationKind
from paedot.eligibility.codes import ReferrerRole
from paedot.referrals.models import Status
from paedot.reports import queries, rules

REASON_LABELS = {
    "age_out_of_range": "Age outside the service's range",
    "not_in_school_based_education": "Not in school-based education",
    "gp_practice_unknown": "GP practice not known",
    "gp_practice_closed": "GP practice closed",
    "gp_outside_birmingham": "GP practice outside Birmingham",
    "no_functional_difficulty": "No difficulty in daily life",
    "difficulty_in_one_setting_only": "Difficulty in one setting only",
    "referrer_not_accepted": "Referrer not accepted",
    "no_new_or_changed_problem": "No new or changed problem",
    "no_consent": "No consent",
    queries.SCREENERS_DECISION: "Declined by the screener",
}
GAS_LEVEL_LABELS = {
    -2: "-2 much less than expected",
    -1: "-1 less than expected",
    0: "0 expected outcome",
    1: "+1 more than expected",
    2: "+2 much more than expected",
}


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code.replace("_", " ").capitalize())


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "Not recorded"


def band_label(band: str) -> str:
    return f"{band} weeks"


@dataclass(frozen=True)
class Table:
    """A table of figures: shown on the page beside its chart, and downloadable as CSV with the same filters."""

    name: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Which columns hold numbers (right-aligned): all but the first."""
        return tuple(index > 0 for index in range(len(self.columns)))


@dataclass(frozen=True)
class Block:
    """One chart and its table. kind: bars (categories), columns (months) or line (months)."""

    heading: str
    table: Table
    kind: str = ""
    chart: object = None
    note: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    lead: str = ""


def _bars(table: Table, value_column: int = 1) -> rules.BarChart:
    return rules.bar_chart([(str(row[0]), row[value_column]) for row in table.rows])


# Tables, one builder each, from the figure that holds its numbers ------------------------------------------------


def referrals_by_month_table(rows: list[dict]) -> Table:
    return Table(
        "referrals-by-month",
        "Referrals received by month",
        ("Month", "Referrals received"),
        tuple((rules.month_label(row["month"]), row["count"]) for row in rows),
    )


def referrals_by_referrer_table(rows: list[dict]) -> Table:
    return Table(
        "referrals-by-referrer",
        "Referrals received by referrer type",
        ("Referrer type", "Referrals received"),
        tuple((_label(ReferrerRole, row["referrer_role"]), row["count"]) for row in rows),
    )


def outcomes_table(rows: list[dict]) -> Table:
    return Table(
        "outcomes",
        "Referrals received in the period, by where they are now",
        ("Where the referral is now", "Referrals"),
        tuple((_label(Status, row["status"]), row["count"]) for row in rows),
    )


def decline_reasons_table(rows: list[dict]) -> Table:
    return Table(
        "decline-reasons",
        "Declined referrals by the reason (a referral can have more than one)",
        ("Reason", "Declined referrals"),
        tuple((reason_label(row["code"]), row["count"]) for row in rows),
    )


def waiting_over_time_table(rows: list[dict]) -> Table:
    return Table(
        "waiting-list-over-time",
        "Children on the waiting list at the end of each month",
        ("Month end", "Children waiting"),
        tuple((format_date(row["on"]), row["count"]) for row in rows),
    )


def waiting_by_band_table(snapshot: queries.WaitingSnapshot) -> Table:
    return Table(
        "waiting-by-band",
        f"Children waiting on {format_date(snapshot.on)}, by weeks waited so far",
        ("Weeks waited", "Children waiting"),
        tuple((band_label(band), count) for band, count in snapshot.by_band.items()),
    )


def waiting_measures_table(snapshot: queries.WaitingSnapshot) -> Table:
    return Table(
        "waiting-measures",
        f"The waiting list on {format_date(snapshot.on)}",
        ("Measure", "Value"),
        (
            ("Children waiting", snapshot.total),
            ("Median days waited so far", snapshot.median_days),
            ("92nd percentile of days waited so far", snapshot.p92_days),
            ("Children waiting over 52 weeks", snapshot.over_52_weeks),
        ),
    )


def first_appointment_by_band_table(waits: queries.FirstAppointmentWaits) -> Table:
    return Table(
        "first-appointment-waits",
        "Children seen for the first time in the period, by weeks waited",
        ("Weeks waited", "Children seen"),
        tuple((band_label(band), count) for band, count in waits.by_band.items()),
    )


def first_appointment_measures_table(waits: queries.FirstAppointmentWaits) -> Table:
    return Table(
        "first-appointment-measures",
        "Waits to the first appointment, for children seen for the first time in the period",
        ("Measure", "Value"),
        (
            ("Children seen for the first time", waits.count),
            ("Mean days waited", waits.mean_days),
            ("Median days waited", waits.median_days),
            ("92nd percentile of days waited", waits.p92_days),
        ),
    )


def caseload_table(rows: list[dict]) -> Table:
    return Table(
        "caseload-by-clinician",
        "Open referrals allocated to each clinician now",
        ("Clinician", "Open referrals"),
        tuple((row["name"], row["count"]) for row in rows),
    )


def attendance_table(figures: queries.Contacts) -> Table:
    return Table(
        "attendance",
        "Appointments in the period: attended and was not brought",
        ("Measure", "Value"),
        (
            ("Attended", figures.attended),
            ("Was not brought", figures.was_not_brought),
            ("Was not brought (% of attended or missed)", figures.was_not_brought_rate),
        ),
    )


def contacts_by_setting_table(figures: queries.Contacts) -> Table:
    return Table(
        "contacts-by-setting",
        "Contacts (attended appointments) in the period, by setting",
        ("Setting", "Contacts"),
        tuple((_label(LocationKind, row["setting"]), row["count"]) for row in figures.by_setting),
    )


def contacts_by_kind_table(figures: queries.Contacts) -> Table:
    return Table(
        "contacts-by-kind",
        "Contacts (attended appointments) in the period, by kind of appointment",
        ("Kind of appointment", "Contacts"),
        tuple((_label(AppointmentKind, row["kind"]), row["count"]) for row in figures.by_kind),
    )


def goal_levels_table(goals: queries.GoalAttainment) -> Table:
    return Table(
        "goal-levels",
        "Goals reviewed in the period, by the level attained",
        ("Level attained", "Goals"),
        tuple((GAS_LEVEL_LABELS[level], count) for level, count in goals.by_level.items()),
    )


def goal_measures_table(goals: queries.GoalAttainment) -> Table:
    return Table(
        "goal-attainment",
        "Goal attainment at reviews in the period",
        ("Measure", "Value"),
        (
            ("Reviews", goals.reviews),
            ("Mean GAS T-score (50 = goals met as expected)", goals.mean_t_score),
            ("Goals rated", goals.goals_rated),
            ("Goals at or above the expected outcome", goals.at_or_above_expected),
            ("Goals at or above the expected outcome (%)", goals.share_at_or_above_expected),
        ),
    )


def copm_bands_table(copm: queries.CopmChange) -> Table:
    return Table(
        "copm-performance-change",
        "Reviews with the COPM rated again, by the change in performance (2 or more is clinically important)",
        ("Change in performance", "Reviews"),
        (
            ("Up by 2 or more", copm.performance_important),
            ("Up by less than 2", copm.performance_up_less_than_important),
            ("No change or worse", copm.performance_not_improved),
        ),
    )


def copm_measures_table(copm: queries.CopmChange) -> Table:
    return Table(
        "copm-change",
        "COPM change at reviews in the period (review minus first rating, scores 1 to 10)",
        ("Measure", "Value"),
        (
            ("Reviews with the COPM rated again", copm.reviews),
            ("Mean change in performance", copm.mean_performance_change),
            ("Mean change in satisfaction", copm.mean_satisfaction_change),
            ("Reviews with performance up 2 or more", copm.performance_important),
            ("Reviews with performance up 2 or more (%)", copm.share_performance_important),
            ("Reviews with satisfaction up 2 or more", copm.satisfaction_important),
        ),
    )


# For a CSV download: which figure to compute for each table, and the table to make of it. Only that one figure's
# queries run.
TABLES: dict[str, tuple[Callable[[queries.Filters], object], Callable[[object], Table]]] = {
    "referrals-by-month": (queries.referrals_by_month, referrals_by_month_table),
    "referrals-by-referrer": (queries.referrals_by_referrer, referrals_by_referrer_table),
    "outcomes": (queries.outcomes, outcomes_table),
    "decline-reasons": (queries.decline_reasons, decline_reasons_table),
    "waiting-list-over-time": (queries.waiting_over_time, waiting_over_time_table),
    "waiting-by-band": (queries.waiting_snapshot, waiting_by_band_table),
    "waiting-measures": (queries.waiting_snapshot, waiting_measures_table),
    "first-appointment-waits": (queries.first_appointment_waits, first_appointment_by_band_table),
    "first-appointment-measures": (queries.first_appointment_waits, first_appointment_measures_table),
    "caseload-by-clinician": (queries.caseload_by_clinician, caseload_table),
    "attendance": (queries.contacts, attendance_table),
    "contacts-by-setting": (queries.contacts, contacts_by_setting_table),
    "contacts-by-kind": (queries.contacts, contacts_by_kind_table),
    "goal-levels": (queries.goal_attainment, goal_levels_table),
    "goal-attainment": (queries.goal_attainment, goal_measures_table),
    "copm-performance-change": (queries.copm_change, copm_bands_table),
    "copm-change": (queries.copm_change, copm_measures_table),
}


def table_for(name: str, filters: queries.Filters) -> Table:
    """One table, computed on its own (for its CSV). KeyError for a name that is not a table."""
    figure, build = TABLES[name]
    return build(figure(filters))


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Rows (already made safe for spreadsheets) streamed as a CSV download, read from the database as it goes."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def safe_cell(value) -> object:
    """A CSV cell a spreadsheet shows and never runs: text starting = + - @ is neutralised (core.audit.csv_safe);
    numbers stay numbers (a negative COPM change is not a formula); no value is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float | Decimal):
        return value
    return csv_safe(value)


def csv_rows(table: Table):
    """The table as CSV rows: its headings, then its values."""
    yield [safe_cell(column) for column in table.columns]
    for row in table.rows:
        yield [safe_cell(value) for value in row]


def dashboard_sections(figures: dict) -> list[Section]:
    """The dashboard, section by section, from queries.summary()."""
    waiting: queries.WaitingSnapshot = figures["waiting"]
    first: queries.FirstAppointmentWaits = figures["first_appointment_waits"]
    contacts: queries.Contacts = figures["contacts"]
    goals: queries.GoalAttainment = figures["goal_attainment"]
    copm: queries.CopmChange = figures["copm_change"]
    by_month = referrals_by_month_table(figures["referrals_by_month"])
    over_time = waiting_over_time_table(figures["waiting_over_time"])
    sections = [
        Section(
            "referrals",
            "Referrals received",
            [
                Block(
                    "By month",
                    by_month,
                    "columns",
                    rules.time_chart([(row["month"], row["count"]) for row in figures["referrals_by_month"]]),
                ),
                _bar_block("By referrer type", referrals_by_referrer_table(figures["referrals_by_referrer"])),
            ],
        ),
        Section(
            "outcomes",
            "Outcomes and decline reasons",
            [
                _bar_block("Where the referrals are now", outcomes_table(figures["outcomes"])),
                _bar_block(
                    "Why referrals were declined",
                    decline_reasons_table(figures["decline_reasons"]),
                    note="Each eligibility rule that failed. Declined by the screener: no rule failed, and the person "
                    "screening the referral declined it on their own judgement.",
                ),
            ],
        ),
        Section(
            "waiting",
            "The waiting list",
            [
                Block(
                    "Size over time",
                    over_time,
                    "line",
                    rules.time_chart([(row["month"], row["count"]) for row in figures["waiting_over_time"]]),
                    note="At the end of each month (the last: the end of the period, or today).",
                ),
                _bar_block("By weeks waited (the national bands)", waiting_by_band_table(waiting)),
                Block("Median, 92nd percentile and the longest waits", waiting_measures_table(waiting)),
            ],
            lead=(
                "Children triaged and not yet seen. Days are calendar days since the referral was received. "
                "Percentiles are nearest-rank: the 92nd percentile is the wait that 92% of children waited no longer "
                "than."
            ),
        ),
        Section(
            "first-appointments",
            "Waits to the first appointment",
            [
                _bar_block("By weeks waited", first_appointment_by_band_table(first)),
                Block("Mean, median and 92nd percentile", first_appointment_measures_table(first)),
            ],
        ),
        Section(
            "caseloads",
            "Caseloads",
            [_bar_block("By clinician", caseload_table(figures["caseload_by_clinician"]))],
        ),
        Section(
            "contacts",
            "Attendance and contacts",
            [
                _bar_block("Attended and was not brought", attendance_table(contacts), rows=2),
                _bar_block("Contacts by setting", contacts_by_setting_table(contacts)),
                _bar_block("Contacts by kind of appointment", contacts_by_kind_table(contacts)),
            ],
            lead="One-to-one appointments, and each child's place at a group session. Cancelled ones are left out.",
        ),
        Section(
            "care-outcomes",
            "Outcomes of care",
            [
                _bar_block("Goal attainment", goal_levels_table(goals)),
                Block("Goal Attainment Scaling", goal_measures_table(goals)),
                _bar_block("COPM change in performance", copm_bands_table(copm)),
                Block("Canadian Occupational Performance Measure", copm_measures_table(copm)),
            ],
        ),
    ]
    return sections


def _bar_block(heading: str, table: Table, *, rows: int | None = None, note: str = "") -> Block:
    """A block whose chart draws the table's first `rows` rows (all by default) as bars."""
    drawn = table if rows is None else Table(table.name, table.caption, table.columns, table.rows[:rows])
    return Block(heading, table, "bars", _bars(drawn) if drawn.rows else None, note=note)


def period_text(filters: queries.Filters) -> str:
    return f"{format_date(filters.date_from)} to {format_date(filters.date_to)}"


def as_json(figures: dict) -> dict:
    """queries.summary() as the API returns it: plain JSON types, dates as ISO 8601."""
    filters: queries.Filters = figures["filters"]
    waiting: queries.WaitingSnapshot = figures["waiting"]
    first: queries.FirstAppointmentWaits = figures["first_appointment_waits"]
    contacts: queries.Contacts = figures["contacts"]
    goals: queries.GoalAttainment = figures["goal_attainment"]
    copm: queries.CopmChange = figures["copm_change"]

    def iso(value: dt.date) -> str:
        return value.isoformat()

    return {
        "date_from": iso(filters.date_from),
        "date_to": iso(filters.date_to),
        "locality": filters.locality,
        "priority": filters.priority,
        "pathway": filters.pathway,
        "referrals_by_month": [
            {"month": row["month"].strftime("%Y-%m"), "count": row["count"]} for row in figures["referrals_by_month"]
        ],
        "referrals_by_referrer": figures["referrals_by_referrer"],
        "outcomes": figures["outcomes"],
        "decline_reasons": figures["decline_reasons"],
        "waiting_on": iso(waiting.on),
        "waiting_total": waiting.total,
        "waiting_by_band": waiting.by_band,
        "waiting_median_days": waiting.median_days,
        "waiting_p92_days": waiting.p92_days,
        "over_52_weeks": waiting.over_52_weeks,
        "waiting_over_time": [
            {"month": row["month"].strftime("%Y-%m"), "on": iso(row["on"]), "count": row["count"]}
            for row in figures["waiting_over_time"]
        ],
        "first_appointment_waits": {
            "count": first.count,
            "mean_days": first.mean_days,
            "median_days": first.median_days,
            "p92_days": first.p92_days,
            "by_band": first.by_band,
        },
        "caseload_by_clinician": figures["caseload_by_clinician"],
        "attendance": {
            "attended": contacts.attended,
            "was_not_brought": contacts.was_not_brought,
            "was_not_brought_rate": contacts.was_not_brought_rate,
        },
        "contacts_by_setting": contacts.by_setting,
        "contacts_by_kind": contacts.by_kind,
        "goal_attainment": {
            "reviews": goals.reviews,
            "mean_t_score": goals.mean_t_score,
            "goals_rated": goals.goals_rated,
            "at_or_above_expected": goals.at_or_above_expected,
            "share_at_or_above_expected": goals.share_at_or_above_expected,
            "by_level": {str(level): count for level, count in goals.by_level.items()},
        },
        "copm_change": {
            "reviews": copm.reviews,
            "mean_performance_change": copm.mean_performance_change,
            "mean_satisfaction_change": copm.mean_satisfaction_change,
            "performance_up_2_or_more": copm.performance_important,
            "share_performance_up_2_or_more": copm.share_performance_important,
            "satisfaction_up_2_or_more": copm.satisfaction_important,
        },
    }
