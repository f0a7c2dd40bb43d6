"""The daily jobs: when they run next, and that the worker's run does every job and queues the next one."""

from __future__ import annotations

import datetime as dt

import pytest

from paedot.core import daily

LONDON = daily.LONDON


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2027, 1, 11, 5, 59, tzinfo=LONDON), dt.datetime(2027, 1, 11, 6, 0, tzinfo=LONDON)),
        (dt.datetime(2027, 1, 11, 6, 0, tzinfo=LONDON), dt.datetime(2027, 1, 12, 6, 0, tzinfo=LONDON)),
        # The night the clocks go forward: still 06:00 on the wall clock.
        (dt.datetime(2027, 3, 27, 22, 0, tzinfo=LONDON), dt.datetime(2027, 3, 28, 6, 0, tzinfo=LONDON)),
    ],
)
def test_the_next_run_is_six_in_the_morning_in_birmingham(now, expected):
    assert daily.next_run(now) == expected
    assert daily.next_run(now).utcoffset() == expected.utcoffset()


def test_every_job_runs_even_when_one_fails(settings):
    calls = []
    settings.PAEDOT_DAILY_JOBS = ["paedot.core.tests.test_daily.broken_job", "paedot.core.tests.test_daily.job"]
    job.calls = calls
    assert daily.run_jobs() == ["paedot.core.tests.test_daily.job"]
    assert calls == ["ran"]


def job():
    job.calls.append("ran")


def broken_job():
    raise RuntimeError("the mail server is down")


@pytest.mark.django_db
def test_scheduling_queues_one_waiting_run_on_the_database_backend(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    when = dt.datetime(2027, 1, 12, 6, 0, tzinfo=LONDON)
    first = daily.schedule(after=when)
    second = daily.schedule(after=when)
    assert (first, second) == (True, False)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
