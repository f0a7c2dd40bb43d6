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

    Every letter goes by post, one copy to each recipient (the emails and texts the service sends are reminders and
    calendar files, never the letter). `posted_at` records that it was printed and posted, and by whom: a letter
    without it is still to go out (paedot.letters.services.record_letter_posted). Letters issued before posting was
    recorded are counted as posted when they were issued, by nobody named (`posted_before_recording`), so they never
    flood the list of letters to post.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipients = models.JSONField(help_text="[{'role': 'family'|'referrer'|'gp', 'name': ..., 'address': ...}]")
    subject = models.CharField(max_length=200)
    html = models.TextField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True, help_text="When it was recorded as printed and posted.")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_before_recording = models.BooleanField(
        default=False,
        help_text="Issued before posting was recorded: counted as posted when issued, by nobody named.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["referral", "created_at"], name="letter_referral_idx"),
            # The letters still to post, oldest first: few among many, so a partial index keeps the list quick.
            models.Index(
                fields=["created_at", "id"], condition=models.Q(posted_at__isnull=True), name="letter_to_post_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(posted_by__isnull=True) | models.Q(posted_at__isnull=False),
                name="letter_posted_by_has_posted_at",
            ),
            models.CheckConstraint(
                condition=models.Q(posted_before_recording=False)
                | models.Q(posted_at__isnull=False, posted_by__isnull=True),
                name="letter_posted_before_recording_by_nobody",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.referral_id}"

    @property
    def is_clinical(self) -> bool:
        return self.kind in CLINICAL_KINDS

    @property
    def is_posted(self) -> bool:
        return self.posted_at is not None
