"""Where the service works and when each clinician is available: places and rooms, weekly working patterns,
leave, service closure days and school holidays (bank holidays come from the directory)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel


class LocationKind(models.TextChoices):
    CLINIC = "clinic", "Clinic or health centre"
    CDC = "cdc", "Child development centre"
    SCHOOL = "school", "School"
    NURSERY = "nursery", "Nursery"
    HOME = "home", "The child's home"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video call"


# Places with no address of their own: the appointment takes the child's address (home) or none at all.
VIRTUAL_KINDS = (LocationKind.TELEPHONE, LocationKind.VIDEO)
SCHOOL_KINDS = (LocationKind.SCHOOL, LocationKind.NURSERY)


class Location(BaseModel):
    kind = models.CharField(max_length=10, choices=LocationKind.choices)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    school_urn = models.CharField(max_length=10, blank=True, help_text="For a school or nursery: its DfE URN.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_urn"], condition=~models.Q(school_urn=""), name="one_location_per_school"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Room(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_name_per_location")]

    def __str__(self) -> str:
        return f"{self.location.name}, {self.name}"


class WorkingDay(BaseModel):
    """One day of a clinician's weekly working pattern: hours and base."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_days")
    weekday = models.PositiveSmallIntegerField(help_text="0 is Monday, 6 is Sunday.")
    starts = models.TimeField()
    ends = models.TimeField()
    base = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["clinician", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="weekday_0_to_6"),
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="working_day_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician_id} {self.weekday} {self.starts}-{self.ends}"


class Absence(BaseModel):
    """Leave, training or sickness: the clinician is not bookable on these days."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinician_id} away {self.starts_on}-{self.ends_on}"


class ClosureDay(BaseModel):
    """A day the whole service is closed (for example a training day), beyond bank holidays."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class SchoolHoliday(models.Model):
    """School holidays (term dates are policy data, loaded from diaries/policies/term_dates.json)."""

    name = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["starts_on", "ends_on"], name="one_school_holiday_per_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} to {self.ends_on})"


class SchoolCalendar(models.Model):
    """How far ahead the school holidays held are known: the end of the last school year in term_dates.json. After
    this day a block at a school cannot skip holidays, because none are held (hazard H16). One row, replaced each
    time the term dates are loaded."""

    covers_until = models.DateField()
    source = models.CharField(max_length=200)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_school_calendar")]

    def __str__(self) -> str:
        return f"School holidays known up to {self.covers_until}"
