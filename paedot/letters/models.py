"""Letters the service sends about a referral, kept exactly as they were sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel
from paedot.referrals.models import Referral


class Kind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    DECLINE = "decline", "Referral declined"
    INFORMATION_REQUEST = "information_request", "Request for information"
    INVITATION = "invitation", "Invitation to book"
    INVITATION_REMINDER = "invitation_reminder", "Reminder: invitation to book"
    DISCHARGE = "discharge", "Discharge"
    APPOINTMENT = "appointment", "Appointment"
    TREATMENT_BLOCK = "treatment_block", "Appointments for a block of treatment"
    APPOINTMENT_CHANGE = "appointment_change", "Appointment moved or cancelled"
    ASSESSMENT_REPORT = "assessment_report", "Assessment report"
    REVIEW_REPORT = "review_report", "Review report"
    DISCHARGE_SUMMARY = "discharge_summary", "Discharge summary"
    ADVICE_PACK_HOME = "advice_pack_home", "Advice pack for home"
    ADVICE_PACK_SCHOOL = "advice_pack_school", "Advice pack for school"


# Reports and advice packs are part of the clinical record: what a therapist wrote about the child. The other letters
# are the referral's administration (acknowledged, invited, booked), for everyone who sees referrals.
CLINICAL_KINDS = frozenset(
    {Kind.ASSESSMENT_REPORT, Kind.REVIEW_REPORT, Kind.DISCHARGE_SUMMARY, Kind.ADVICE_PACK_HOME, Kind.ADVICE_PACK_SCHOOL}
)


class Letter(BaseModel):
    """One letter, with its body rendered when it was issued: what the family read is what we keep.

    The PDF is made from the stored HTML on demand, so a later change to a template never rewrites history.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipients = models.JSONField(help_text="[{'role': 'family'|'referrer'|'gp', 'name': ..., 'address': ...}]")
    subject = models.CharField(max_length=200)
    html = models.TextField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"], name="letter_referral_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.referral_id}"

    @property
    def is_clinical(self) -> bool:
        return self.kind in CLINICAL_KINDS
