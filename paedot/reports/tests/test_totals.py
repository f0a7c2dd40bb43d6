"""Monthly totals: the dashboard reads them for whole ended months, and its figures stay exactly those counted from
the records, before and after the totals are made and whenever a record in a totalled month changes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from paedot.appointments.models import Appointment
from paedot.reports import presenters, queries
from paedot.reports.models import MonthEndWaiting, MonthlyContacts, MonthlyReviews, ReportMonth
from paedot.reports.tests.factories import PERIOD, TODAY
from paedot.reports.totals import mark_changed, refresh_totals, up_to_date_months

D = dt.date
FILTERS = [
    PERIOD,
    dataclasses.replace(PERIOD, locality="North"),
    dataclasses.replace(PERIOD, locality="South", priority="routine"),
    dataclasses.replace(PERIOD, pathway="package_of_care"),
    # Part months at both ends: counted from the records around the totalled months.
    dataclasses.replace(PERIOD, date_from=D(2025, 2, 10), date_to=D(2025, 5, 20)),
    dataclasses.replace(PERIOD, date_from=D(2024, 10, 1), date_to=D(2025, 3, 31)),
]


def figures(filters: queries.Filters) -> dict:
    return presenters.as_json(queries.summary(filters, today=TODAY))


def test_every_figure_is_the_same_from_totals_as_from_the_records(known):
    from_records = [figures(filters) for filters in FILTERS]
    assert not up_to_date_months([D(2025, 3, 1)], TODAY)

    done = refresh_totals(today=TODAY)

    # Every ended month from the first record (a review in November 2024; triaged referrals from 2024) to May 2025.
    months = [row.month for row in done]
    assert months[-1] == D(2025, 5, 1) and D(2025, 6, 1) not in months
    assert D(2024, 11, 1) in months
    assert up_to_date_months(months, TODAY) == frozenset(months)
    assert MonthlyContacts.objects.filter(month=D(2025, 3, 1)).exists()
    assert MonthlyReviews.objects.filter(month=D(2025, 5, 1)).exists()
    assert MonthEndWaiting.objects.filter(month=D(2025, 4, 1)).exists()
    assert [figures(filters) for filters in FILTERS] == from_records


def test_the_dashboard_reads_the_totals_for_whole_ended_months(known):
    refresh_totals(today=TODAY)
    # Behind the signals' back (a bulk update sends none), so only the records change, not the totals.
    Appointment.objects.filter(pk=known.appointments["A2"].pk).update(outcome="was_not_brought")
    assert queries.contacts(PERIOD, today=TODAY).attended == 5  # March is read from its totals
    # The daily job remakes every month from the records.
    refresh_totals(today=TODAY, everything=True)
    assert queries.contacts(PERIOD, today=TODAY).attended == 4


def test_a_change_to_an_appointment_in_a_totalled_month_is_counted_from_the_records_at_once(known):
    refresh_totals(today=TODAY)
    appointment = Appointment.objects.get(pk=known.appointments["A2"].pk)  # 6 March, attended
    appointment.outcome = "was_not_brought"
    appointment.save()

    assert D(2025, 3, 1) not in up_to_date_months([D(2025, 3, 1), D(2025, 4, 1)], TODAY)
    assert D(2025, 4, 1) in up_to_date_months([D(2025, 3, 1), D(2025, 4, 1)], TODAY)
    changed = queries.contacts(PERIOD, today=TODAY)
    assert (changed.attended, changed.was_not_brought) == (4, 4)
    # Totalling it again makes it up to date, with the same figures.
    assert [row.month for row in refresh_totals(today=TODAY)] == [D(2025, 3, 1)]
    assert D(2025, 3, 1) in up_to_date_months([D(2025, 3, 1)], TODAY)
    assert queries.contacts(PERIOD, today=TODAY) == changed


def test_a_review_and_its_goal_ratings_mark_their_month(known):
    refresh_totals(today=TODAY)
    rating = known.referrals["S1"].episode.packages.get().review.goal_ratings.order_by("pk").first()  # 1 May
    rating.attained = -2
    rating.save()
    assert D(2025, 5, 1) not in up_to_date_months([D(2025, 5, 1)], TODAY)
    assert queries.goal_attainment(PERIOD, today=TODAY).by_level[-2] == 1


def test_moving_a_referral_to_another_locality_marks_every_month_it_is_counted_in(known):
    refresh_totals(today=TODAY)
    before = figures(dataclasses.replace(PERIOD, locality="South"))
    s1 = known.referrals["S1"]  # North: appointments in February and March, a review in May, waiting in January
    s1.locality = "South"
    s1.save()

    stale = {D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1), D(2025, 5, 1)}
    assert not stale & up_to_date_months(stale, TODAY)
    after = figures(dataclasses.replace(PERIOD, locality="South"))
    assert after["attendance"]["attended"] > before["attendance"]["attended"]
    assert after["goal_attainment"]["reviews"] == before["goal_attainment"]["reviews"] + 1
    refresh_totals(today=TODAY)
    assert figures(dataclasses.replace(PERIOD, locality="South")) == after


def test_only_ended_months_are_marked_or_read(known):
    refresh_totals(today=TODAY)
    assert mark_changed([TODAY, D(2025, 7, 1)], today=TODAY) == 0
    assert up_to_date_months([D(2025, 6, 1)], TODAY) == frozenset()
    assert not ReportMonth.objects.filter(month=D(2025, 6, 1)).exists()


@pytest.mark.django_db
def test_with_no_records_there_is_nothing_to_total():
    assert refresh_totals(today=TODAY) == []


def test_the_command_totals_the_months(known, capsys):
    from django.core.management import call_command

    call_command("refresh_report_totals")
    assert "Months totalled:" in capsys.readouterr().out
    assert ReportMonth.objects.filter(totalled_changes__isnull=False).exists()
