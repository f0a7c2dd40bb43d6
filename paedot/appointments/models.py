"""Appointments: each occurrence its own row, linked to its series; outcomes; and flags for a clinician to review."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel
from paedot.diaries.models import Location, Room
from paedot.referrals.models import Referral


class Kind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    TREATMENT = "treatment", "Treatment session"
    REVIEW = "review", "Review"
    GROUP = "group", "Group session"
    SCHOOL_VISIT = "school_visit", "School visit"
    HOME_VISIT = "home_visit", "Home visit"
    TELEPHONE = "telephone", "Telephone appointment"
    VIDEO = "video", "Video appointment"


class Outcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    WAS_NOT_BROUGHT = "was_not_brought", "Was not brought"
    CANCELLED_BY_FAMILY = "cancelled_by_family", "Cancelled by the family"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"


CANCELLED = (Outcome.CANCELLED_BY_FAMILY, Outcome.CANCELLED_BY_SERVICE)


class AppointmentSeries(BaseModel):
    """A block of treatment: N sessions at an interval, and the review after the last."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="blocks")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    sessions = models.PositiveSmallIntegerField()
    interval_days = models.PositiveSmallIntegerField(default=7)
    duration_minutes = models.PositiveSmallIntegerField()
    skipped_dates = models.JSONField(default=list, help_text="[{'date', 'why'}]: series dates left out, and why.")
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="[{'code', 'message', 'dates'}]: what the planner was told to check (dates after the school "
        "holidays held).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"{self.sessions} sessions for {self.referral_id}"


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def live(self) -> AppointmentQuerySet:
        """Not cancelled: these hold the clinician's and the room's time."""
        return self.filter(cancelled=False)

    def between(self, start, end) -> AppointmentQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Appointment(BaseModel):
    referral = models.ForeignKey(
        Referral,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="Empty for a group session: its children are its attendances.",
    )
    programme = models.ForeignKey(
        "groups.GroupProgramme", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    series = models.ForeignKey(
        AppointmentSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    address = models.TextField(blank=True, help_text="Where to go, as it was when booked (a home visit: the child's).")
    cancelled = models.BooleanField(default=False)
    outcome = models.CharField(max_length=25, choices=Outcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why it was booked outside the working pattern or on a closure day."
    )
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    family_last_told_start = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The start the family was last sent in a booking or change letter (with its email and text): what "
        "their letter and calendar say. Empty when they were never told of it (booked after it happened, or without "
        "telling them) and for a group session (each family is only reminded of it).",
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinician", "start"], name="appointment_diary_idx"),
            models.Index(fields=["location", "start"], name="appointment_location_idx"),
            models.Index(fields=["referral", "start"], name="appointment_referral_idx"),
            # Contacts by month for the dashboard and the CSDS care contact extract.
            models.Index(fields=["start"], name="appointment_start_idx"),
            # The "Needs attention" list: past appointments still waiting for their outcome, a handful among
            # millions (the rest have one, or are cancelled, or are still to come).
            models.Index(
                fields=["start"],
                name="appointment_needs_outcome_idx",
                condition=models.Q(outcome="", cancelled=False),
            ),
            # The dashboard counts the current month's contacts from the records (ended months come from totals):
            # attended and missed appointments with what it groups by, read from the index alone (a month of a
            # million referrals' appointments: 207 ms from the table, 40 ms from here).
            models.Index(
                fields=["start"],
                name="appointment_contacts_idx",
                condition=models.Q(outcome__in=["attended", "was_not_brought"]),
                include=["id", "outcome", "kind", "location", "referral"],
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_ends_after_start"),
        ]
        # On PostgreSQL an exclusion constraint (migration 0002) makes double booking impossible in the database.

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class AttendanceFlag(BaseModel):
    """Missed appointments a clinician must look at: never an automatic discharge (a safeguarding signal)."""

    class State(models.TextChoices):
        OPEN = "open", "To review"
        REVIEWED = "reviewed", "Reviewed"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attendance_flags")
    reason = models.TextField()
    appointments = models.JSONField(default=list, help_text="The ids of the appointments that raised it.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.state}"
