"""Advice and strategies: the library of strategy sheets and the advice packs given to families and schools.

A sheet's every version is kept. A pack names the versions it gave, and its letters keep the HTML that was sent, so a
pack given before a sheet was changed still shows (and prints) exactly what the family and school read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from paedot.care.models import Area, Episode
from paedot.core.models import BaseModel
from paedot.letters.models import Letter
from paedot.referrals.models import Referral


class Audience(models.TextChoices):
    """Who a sheet is written for. A pack for home has the parents' and shared sheets; one for school, the school's
    and shared sheets."""

    PARENTS = "parents", "Parents and carers"
    SCHOOL = "school", "School staff"
    BOTH = "both", "Parents and school staff"


class StrategySheet(BaseModel):
    """A sheet in the library, holding the text of its current version (a copy of its newest StrategySheetVersion)."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    area = models.CharField(max_length=20, choices=Area.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    summary = models.CharField(max_length=300)
    body = models.JSONField(help_text="[{'heading', 'text', 'steps': [...], 'note'}]")
    version = models.PositiveIntegerField(default=1)
    file_version = models.PositiveIntegerField(
        default=1, help_text="The version of the sheet's file (paedot/advice/sheets) last loaded."
    )

    class Meta:
        ordering = ["area", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(area__in=Area.values), name="sheet_area_known"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="sheet_audience_known"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class StrategySheetVersion(BaseModel):
    """One version of a sheet's text, never changed once made: packs point at the version they gave."""

    sheet = models.ForeignKey(StrategySheet, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    area = models.CharField(max_length=20, choices=Area.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    summary = models.CharField(max_length=300)
    body = models.JSONField()
    change_note = models.CharField(max_length=300, blank=True, help_text="What changed, and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for a version loaded from the sheet's file.",
    )

    class Meta:
        ordering = ["sheet", "-version"]
        constraints = [models.UniqueConstraint(fields=["sheet", "version"], name="one_row_per_sheet_version")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class AdvicePackQuerySet(models.QuerySet["AdvicePack"]):
    def visible_to(self, user) -> AdvicePackQuerySet:
        return self.filter(referral__in=Referral.objects.visible_to(user))


class AdvicePack(BaseModel):
    """A personalised advice pack given to a child's family, school or both: the sheets chosen (at the version
    given), the therapist's own notes, and the letters sent. Its existence is the record that advice was given."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="advice_packs")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="advice_packs")
    given_on = models.DateField()
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    for_home = models.BooleanField()
    for_school = models.BooleanField()
    home_notes = models.TextField(blank=True)
    school_notes = models.TextField(blank=True)
    home_letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    school_letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = AdvicePackQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["referral", "given_on"], name="advice_pack_referral_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(for_home=True) | Q(for_school=True), name="pack_goes_somewhere"),
            # A pack for a recipient has that recipient's letter, and only then.
            models.CheckConstraint(
                condition=Q(for_home=True, home_letter__isnull=False) | Q(for_home=False, home_letter__isnull=True),
                name="pack_home_letter_when_for_home",
            ),
            models.CheckConstraint(
                condition=Q(for_school=True, school_letter__isnull=False)
                | Q(for_school=False, school_letter__isnull=True),
                name="pack_school_letter_when_for_school",
            ),
        ]

    def __str__(self) -> str:
        return f"Advice pack {self.pk} for {self.referral_id}"

    @property
    def recipients_label(self) -> str:
        return " and ".join(
            label for label, chosen in (("home", self.for_home), ("school", self.for_school)) if chosen
        ).capitalize()


class PackSheet(models.Model):
    """A sheet the therapist chose for a pack, at the version given, and which of the pack's letters it went in.

    A sheet written for parents is chosen for a pack going to school too, but left out of the school's letter (and
    the other way round): in_home / in_school record where it went.
    """

    pack = models.ForeignKey(AdvicePack, on_delete=models.PROTECT, related_name="pack_sheets")
    sheet_version = models.ForeignKey(StrategySheetVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    in_home = models.BooleanField()
    in_school = models.BooleanField()

    class Meta:
        ordering = ["pack", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "position"], name="one_sheet_per_pack_position"),
            models.UniqueConstraint(fields=["pack", "sheet_version"], name="sheet_once_per_pack"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_version} in pack {self.pack_id}"
