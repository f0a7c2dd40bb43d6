"""The child a referral is about, and the people with parental responsibility for them."""

from __future__ import annotations

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
