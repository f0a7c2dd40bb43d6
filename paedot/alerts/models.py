"""Alerts on a child's record: the few things staff must know before they act (a child protection plan, a looked-after
child, someone who must not be given information, a dog or an aggressive adult at a home visit, an interpreter).

An alert belongs to the child, not to one referral, so it follows the child into every episode. A record merged into
the child's (paedot.referrals.services.duplicates) keeps its own alerts, and they are read with the surviving record's
(AlertQuerySet.of_child), so a merge never drops one and undoing it takes them back. Alerts are read only through
the referrals a person may see (AlertQuerySet.visible_to): a restricted child's alerts stay hidden with the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from paedot.children.models import Child
from paedot.core.models import BaseModel

MAX_TEXT = 160  # what staff see on every page of the record: a line, not a note
MAX_DETAILS = 4000
MAX_REASON = 1000


class Category(models.TextChoices):
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Safeguarding: child protection plan"
    CHILD_IN_NEED = "child_in_need", "Safeguarding: child in need"
    LOOKED_AFTER = "looked_after", "Safeguarding: looked-after child"
    CONTACT_RESTRICTION = "contact_restriction", "Contact restriction"
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff on visits"
    COMMUNICATION = "communication_needs", "Communication needs"
    OTHER = "other", "Other"


SAFEGUARDING = frozenset({Category.CHILD_PROTECTION_PLAN, Category.CHILD_IN_NEED, Category.LOOKED_AFTER})


class AlertQuerySet(models.QuerySet["Alert"]):
    def in_force(self) -> AlertQuerySet:
        return self.filter(ended_at__isnull=True)

    def of_child(self, child_id: int) -> AlertQuerySet:
        """The child's alerts, with those of records merged into the child's."""
        return self.filter(Q(child_id=child_id) | Q(child__merged_into_id=child_id))

    def visible_to(self, user) -> AlertQuerySet:
        """Alerts of children with a referral this person may see (a restricted record: only its named staff)."""
        from paedot.referrals.models import Referral

        children = Referral.objects.visible_to(user).values("child_id")
        return self.filter(Q(child_id__in=children) | Q(child__merged_into_id__in=children))


class Alert(BaseModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="alerts")
    category = models.CharField(max_length=30, choices=Category.choices)
    text = models.CharField(max_length=MAX_TEXT, help_text="What staff see on every page of the child's record.")
    details = models.TextField(blank=True, help_text="Who, what to do, who to contact: on the alerts page only.")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    review_on = models.DateField(help_text="When someone checks it still holds (the policy's default from raising).")
    reviewed_at = models.DateTimeField(null=True, blank=True, help_text="The last review, when there has been one.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            models.Index(fields=["child", "ended_at"], name="alert_child_idx"),
            # Needs attention: alerts in force past their review date.
            models.Index(fields=["review_on"], condition=Q(ended_at__isnull=True), name="alert_review_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="alert_category_known"),
            models.CheckConstraint(condition=~Q(text=""), name="alert_has_text"),
            # Ended means by someone, with a reason; in force means none of them.
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(ended_by__isnull=True) & Q(end_reason=""))
                | (Q(ended_at__isnull=False) & Q(ended_by__isnull=False) & ~Q(end_reason="")),
                name="alert_ended_by_someone_with_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="alert_reviewed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.category})"

    @property
    def in_force(self) -> bool:
        return self.ended_at is None

    @property
    def is_safeguarding(self) -> bool:
        return self.category in SAFEGUARDING
