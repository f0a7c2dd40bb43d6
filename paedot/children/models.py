"""The child a referral is about, and the people with parental responsibility for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel


class Child(BaseModel):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    nhs_number = models.CharField(max_length=10, blank=True, help_text="Ten digits, no spaces; blank when not known.")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # A record a person confirmed to be this child's and merged (referrals.services.duplicates.merge_duplicate): kept
    # as it was written, since the spelling may matter, and found through the surviving record for subject access
    # and retention.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["nhs_number"], name="child_nhs_number_idx"),
            models.Index(fields=["date_of_birth", "family_name"], name="child_dob_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ParentCarer(BaseModel):
    """Someone with parental responsibility, as the referral gave them."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parent_carers")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=100, blank=True, help_text="Preferred language, when not English.")
    interpreter_needed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class DetailsChange(BaseModel):
    """One detail of a child or their family changed after the referral: what it was, what it became, who changed it,
    when and why. The old address or phone stays readable here, for the record and for a subject access request;
    the audit trail says only which details changed (paedot.children.services.details)."""

    class Section(models.TextChoices):
        CHILD = "child", "Child"
        PARENT_CARER = "parent_carer", "Parent or carer"
        GP_PRACTICE = "gp_practice", "GP practice"
        SCHOOL = "school", "School or nursery"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="details_changes")
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="details_changes",
        help_text="The referral the change was made from, or whose GP practice or school changed.",
    )
    parent_carer = models.ForeignKey(
        ParentCarer, null=True, blank=True, on_delete=models.PROTECT, related_name="details_changes"
    )
    section = models.CharField(max_length=20, choices=Section.choices)
    field = models.CharField(max_length=40, help_text="e.g. address, phone, gp_practice.")
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="How the service heard of it.")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.section}.{self.field}"
