"""Monthly totals: the dashboard's heaviest figures, added up once for each whole month that has ended.

At a million referrals a year of contacts is a million appointments, and counting them again on every visit to the
dashboard took seconds. A past month changes rarely, so its contacts, reviews and month-end waiting list are added
up once (by the daily job, or `manage.py refresh_report_totals`) by locality, priority and pathway, the dashboard's
filters. The dashboard then reads those totals for the whole months of its period and counts only the rest (the
part months at either end, and any month whose totals are missing or out of date) from the records themselves.

A month's totals are used only while nothing they count has changed since: every change to an appointment, a group
place, a review, a goal rating or a referral's locality, priority, pathway or waiting dates in an ended month moves
that month's `changes` on (paedot.reports.totals, by signal), and the totals remember the `changes` they were made
at. The figures are therefore always those of the records as they are now; totals only make them quicker.
"""

from __future__ import annotations

from django.db import models


class ReportMonth(models.Model):
    """One calendar month's bookkeeping: whether its totals are up to date."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    changes = models.PositiveBigIntegerField(default=0, help_text="Moved on by every change counted in this month.")
    totalled_changes = models.BigIntegerField(
        null=True, blank=True, help_text="The value of `changes` when the totals were made; none if never made."
    )
    totalled_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="How long the totals took to make.")

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def is_up_to_date(self) -> bool:
        return self.totalled_changes is not None and self.totalled_changes == self.changes


class MonthTotal(models.Model):
    """Totals common to every kind: the month and the referral's locality, priority and pathway (as they are now)."""

    month = models.DateField()
    locality = models.CharField(max_length=20, blank=True)
    priority = models.CharField(max_length=10, blank=True)
    pathway = models.CharField(max_length=30, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        where = ", ".join(value for value in (self.locality, self.priority, self.pathway) if value) or "unknown"
        return f"{self._meta.verbose_name} {self.month:%B %Y} ({where})"


class MonthlyContacts(MonthTotal):
    """Appointments and group places attended or not brought in the month, by setting and kind."""

    outcome = models.CharField(max_length=25)
    setting = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=15, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month"], name="monthly_contacts_month_idx")]


class MonthlyReviews(MonthTotal):
    """Reviews in the month: sums and counts from which the dashboard's means and shares are made exactly."""

    reviews = models.PositiveIntegerField(default=0)
    t_score_sum = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    copm_reviews = models.PositiveIntegerField(default=0, help_text="Reviews where the COPM was rated again.")
    copm_performance_sum = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    copm_satisfaction_sum = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    copm_satisfaction_reviews = models.PositiveIntegerField(default=0)
    performance_important = models.PositiveIntegerField(default=0)
    performance_up = models.PositiveIntegerField(default=0)
    performance_not_improved = models.PositiveIntegerField(default=0)
    satisfaction_important = models.PositiveIntegerField(default=0)
    goals_minus_2 = models.PositiveIntegerField(default=0)
    goals_minus_1 = models.PositiveIntegerField(default=0)
    goals_0 = models.PositiveIntegerField(default=0)
    goals_plus_1 = models.PositiveIntegerField(default=0)
    goals_plus_2 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="monthly_reviews_month_idx")]


class MonthEndWaiting(MonthTotal):
    """Children on the waiting list at the end of the month's last day."""

    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month"], name="month_end_waiting_month_idx")]
