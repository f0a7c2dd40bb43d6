"""A referral: who it is about, who sent it, what they asked for, and what the eligibility rules said."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.children.models import Child, ParentCarer
from paedot.core.models import BaseModel
from paedot.eligibility.codes import Education, Outcome, ReferrerRole


class Source(models.TextChoices):
    ONLINE = "online", "Online form"
    API = "api", "Partner system (API)"
    PAPER = "paper", "Paper form"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def for_inbox(self) -> ReferralQuerySet:
        """Newest first (by the date received), with everything the inbox shows fetched in a fixed number of queries."""
        return (
            self.select_related("child", "eligibility")
            .prefetch_related("eligibility__reasons")
            .order_by("-received_date", "-received_at", "-id")
        )

    def visible_to(self, user) -> ReferralQuerySet:
        """What this member of staff may see. Partner systems see none through the pages."""
        if not getattr(user, "is_authenticated", False) or user.is_partner_system:
            return self.none()
        return self


class Referral(BaseModel):
    reference = models.CharField(max_length=12, unique=True, help_text="What the family and referrer quote.")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    parent_carer = models.ForeignKey(ParentCarer, on_delete=models.PROTECT, related_name="referrals")
    received_date = models.DateField(help_text="The waiting-time clock starts on this date.")
    received_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RECEIVED)

    education = models.CharField(max_length=30, choices=Education.choices)
    gp_practice_code = models.CharField(max_length=10)
    gp_practice_name = models.CharField(max_length=200, blank=True)
    school_urn = models.CharField(max_length=10, blank=True)
    school_name = models.CharField(max_length=200, blank=True)
    difficulties = models.JSONField(default=list)
    description = models.TextField()
    impact_home = models.TextField(blank=True, help_text="How the difficulties affect the child at home.")
    impact_school = models.TextField(blank=True, help_text="How they affect the child at school or nursery.")
    impact_leisure = models.TextField(blank=True, help_text="How they affect play and leisure.")
    strategies_tried = models.TextField(blank=True)
    other_professionals = models.TextField(blank=True)
    previous_ot_episode = models.BooleanField(default=False)
    consent_given = models.BooleanField()

    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=40, choices=ReferrerRole.choices)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)

    submission_token = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="The online form's one-time token: a double click or refresh finds the referral it already made.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["-received_date", "-received_at", "-id"], name="referral_inbox_idx")]

    def __str__(self) -> str:
        return self.reference


class EligibilityDecision(models.Model):
    """What the eligibility rules said when the referral arrived, under which policy. It informs, never refuses."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="eligibility")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    policy_id = models.CharField(max_length=80)
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.outcome} ({self.policy_id})"


class EligibilityReason(models.Model):
    decision = models.ForeignKey(EligibilityDecision, on_delete=models.CASCADE, related_name="reasons")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=60, db_index=True)
    severity = models.CharField(max_length=10)
    message = models.TextField()
    signposting = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code
