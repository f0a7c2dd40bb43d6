"""The daily jobs (invitation reminders and no-reply, appointment reminders), run by the task worker.

The database task backend has no timetable of its own, so the job re-queues itself for the next morning after
each run; `manage.py schedule_daily_jobs` (run by `make run`, and safe to run at any time) puts the first one in
the queue if none is waiting. The jobs are named in settings.PAEDOT_DAILY_JOBS, so this shared module imports no
service app. Each job is also a management command for cron, where a worker is not wanted.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

logger = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
RUN_AT = dt.time(6, 0)  # before the office opens: reminders are out, the no-reply list is ready


def next_run(now: dt.datetime) -> dt.datetime:
    """06:00 in Birmingham on the next day (today's, if it is not yet 06:00)."""
    local = now.astimezone(LONDON)
    day = local.date() if local.time() < RUN_AT else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, RUN_AT, tzinfo=LONDON)


def run_jobs() -> list[str]:
    done = []
    for path in settings.PAEDOT_DAILY_JOBS:
        try:
            import_string(path)()
            done.append(path)
        except Exception:  # one failing job must not stop the others, nor the next day's run
            logger.exception("Daily job %s failed", path)
    return done


@task()
def run_daily_jobs() -> list[str]:
    done = run_jobs()
    schedule(after=next_run(timezone.now()))
    return done


def waiting_run_exists() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is always installed here
        return False
    path = f"{run_daily_jobs.func.__module__}.{run_daily_jobs.func.__qualname__}"
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()


def schedule(*, after: dt.datetime) -> bool:
    """Queue the next run unless one is waiting. Returns whether it queued one."""
    backend = run_daily_jobs.get_backend()
    if not backend.supports_defer:
        return False  # the immediate backend (tests) would run it now and loop; cron is the way there
    if waiting_run_exists():
        return False
    run_daily_jobs.using(run_after=after).enqueue()
    return True
