"""The background task that totals stale months for the dashboard (queued by the dashboard when it met one)."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_report_totals() -> int:
    """Total every ended month whose totals are missing or out of date; returns how many were totalled."""
    from paedot.reports.totals import refresh_totals

    return len(refresh_totals())
