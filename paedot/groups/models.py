"""Group programmes (a handwriting group, a parent workshop on sensory strategies): capacity, the children
enrolled, and who attended each session. The sessions themselves are appointments of kind "group"."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paedot.core.models import BaseModel
from paedot.referrals.models import Referral


class GroupProgramme(BaseModel):
    class Audience(models.TextChoices):
        CHILDREN = "children", "Children"
        PARENTS = "parents", "Parents and carers"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CHILDREN)
    capacity = models.PositiveSmallIntegerField()
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("diaries.Location", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("diaries.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.name


class Enrolment(BaseModel):
    programme = models.ForeignKey(GroupProgramme, on_delete=models.CASCADE, related_name="enrolments")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="group_enrolments")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "referral"], condition=models.Q(withdrawn_at__isnull=True), name="enrolled_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} in {self.programme_id}"


class GroupAttendance(BaseModel):
    """One child at one group session, and what happened."""

    appointment = models.ForeignKey("appointments.Appointment", on_delete=models.CASCADE, related_name="attendances")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="group_attendances")
    outcome = models.CharField(max_length=25, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "referral"], name="one_attendance_per_child")]

    def __str__(self) -> str:
        return f"{self.referral_id} at {self.appointment_id}: {self.outcome or 'not recorded'}"
