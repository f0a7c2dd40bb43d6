"""Reference data, loaded from the public files in data/ by `manage.py load_reference_data`.

The rows are replaced wholesale when a file changes, so nothing else holds a foreign key to them: other apps keep
the code (a practice's ODS code, a school's URN) and look it up here.
"""

from __future__ import annotations

from django.db import models

GP_PRACTICE_SETTING = 4
"""epraccur's prescribing setting for a GP practice (others are walk-in centres, prisons, hospices ...)."""

BIRMINGHAM = "Birmingham"


class GPPracticeQuerySet(models.QuerySet):
    def active(self) -> GPPracticeQuerySet:
        return self.filter(status_code=GPPractice.Status.ACTIVE, prescribing_setting=GP_PRACTICE_SETTING)

    def birmingham(self) -> GPPracticeQuerySet:
        """Active GP practices in Birmingham: the practices whose registered children the service sees."""
        return self.active().filter(in_birmingham=True)


class GPPractice(models.Model):
    """A GP practice (prescribing setting 4) from NHS ODS epraccur, open or not, anywhere in England and Wales.

    Only GP practices are loaded: a code that is not a GP practice at all (a walk-in centre, a community service)
    is therefore unknown to us, just like a made-up code.
    """

    class Status(models.TextChoices):
        ACTIVE = "A", "Active"
        CLOSED = "C", "Closed"
        DORMANT = "D", "Dormant"
        PROPOSED = "P", "Proposed"

    class LocalAuthoritySource(models.TextChoices):
        BSOL_LOOKUP = "bsol_lookup", "BSOL ICB practice lookup"
        POSTCODE = "postcode", "Practice postcode"
        NONE = "", "Not known"

    code = models.CharField(max_length=10, unique=True, help_text="ODS code, upper case, e.g. M85001.")
    name = models.CharField(max_length=150)
    address = models.CharField(max_length=255, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    status_code = models.CharField(max_length=1, choices=Status.choices)
    prescribing_setting = models.PositiveSmallIntegerField()
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    commissioner = models.CharField(max_length=10, blank=True, help_text="Sub-ICB location, e.g. 15E.")
    pcn_code = models.CharField(max_length=10, blank=True)
    pcn_name = models.CharField(max_length=150, blank=True)
    locality = models.CharField(
        max_length=20, blank=True, help_text="BSOL locality: Central, East, North, South, West or Solihull."
    )
    local_authority = models.CharField(max_length=50, blank=True)
    local_authority_source = models.CharField(
        max_length=20, choices=LocalAuthoritySource.choices, blank=True, default=LocalAuthoritySource.NONE
    )
    in_birmingham = models.BooleanField(
        default=False, help_text="Local authority is Birmingham, whatever the practice's status."
    )

    objects = GPPracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name", "code"]
        indexes = [
            models.Index(fields=["name"], name="directory_gp_name"),
            models.Index(fields=["postcode"], name="directory_gp_postcode"),
            models.Index(fields=["in_birmingham", "status_code"], name="directory_gp_birmingham"),
        ]
        verbose_name = "GP practice"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_gp_practice(self) -> bool:
        return self.prescribing_setting == GP_PRACTICE_SETTING

    @property
    def is_active(self) -> bool:
        return self.status_code == self.Status.ACTIVE and self.is_gp_practice

    @property
    def is_birmingham_gp_practice(self) -> bool:
        """Active and in Birmingham: the practices whose children the service sees."""
        return self.is_active and self.in_birmingham


class Postcode(models.Model):
    """A B-area postcode (live or terminated) and the local authority it falls in."""

    postcode = models.CharField(max_length=8, unique=True, help_text='Normalised, e.g. "B21 9RY".')
    district = models.CharField(max_length=4, help_text='Outward code, e.g. "B21".')
    local_authority = models.CharField(max_length=50)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["postcode"]
        indexes = [models.Index(fields=["district"], name="directory_postcode_district")]

    def __str__(self) -> str:
        return self.postcode

    @property
    def in_birmingham(self) -> bool:
        return self.local_authority == BIRMINGHAM


class School(models.Model):
    """A school or other establishment with a Birmingham postcode, from a 2022 DfE copy of GIAS."""

    urn = models.CharField(max_length=10, unique=True, help_text="DfE Unique Reference Number.")
    name = models.CharField(max_length=150)
    town = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(help_text="Open when the extract was taken (no close date).")

    class Meta:
        ordering = ["name", "urn"]
        indexes = [
            models.Index(fields=["name"], name="directory_school_name"),
            models.Index(fields=["postcode"], name="directory_school_postcode"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"


class BankHoliday(models.Model):
    """An England and Wales bank holiday (GOV.UK); wait times and reminders skip them."""

    date = models.DateField(unique=True)
    title = models.CharField(max_length=100)
    notes = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class ReferenceDataset(models.Model):
    """What was last loaded into one reference table, so a re-run with the same files changes nothing."""

    name = models.CharField(max_length=40, unique=True)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the loader version and the source files.")
    rows = models.PositiveIntegerField()
    source_files = models.JSONField(default=list)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.rows} rows"
