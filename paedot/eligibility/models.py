"""Eligibility policies as data: each version of the criteria with the date it takes effect."""

from __future__ import annotations

from django.db import models


class EligibilityPolicy(models.Model):
    """A policy document as loaded (rules.policy_from_dict checked it); services.policy_in_force picks by date."""

    policy_id = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    effective_from = models.DateField(help_text="Referrals received on or after this date use it.")
    document = models.JSONField(help_text="The whole policy document, as loaded.")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "eligibility policies"
        constraints = [
            # Two policies from the same day would make "the policy in force" a coin toss.
            models.UniqueConstraint(fields=["effective_from"], name="eligibility_one_policy_per_effective_date"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} (from {self.effective_from})"
