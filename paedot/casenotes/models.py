"""Clinical notes: one contemporaneous note per contact with a child, signed by its author and, for an OT
assistant, countersigned by their supervising OT. A signed note never changes: corrections are addenda.

Besides the services refusing it, the database refuses it too: migration 0002 installs triggers that stop an UPDATE
changing a signed note's words, its contact or its author, and any UPDATE of an addendum.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from paedot.core.models import BaseModel
from paedot.referrals.models import Referral


class ContactKind(models.TextChoices):
    """What the contact was. An appointment's note is of kind "appointment"; the rest had no appointment."""

    APPOINTMENT = "appointment", "Appointment"
    TELEPHONE = "telephone", "Telephone call"
    EMAIL = "email", "Email"
    SCHOOL_LIAISON = "school_liaison", "School liaison"
    MULTI_AGENCY_MEETING = "multi_agency_meeting", "Multi-agency meeting"


# The kinds a clinician chooses when writing the note of a contact without an appointment.
CONTACTS_WITHOUT_APPOINTMENT = [(value, label) for value, label in ContactKind.choices if value != "appointment"]


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature", "Awaiting countersignature"
    COUNTERSIGNED = "countersigned", "Countersigned"


# Signed by their author: part of the record, never changed again.
SIGNED_STATUSES = (NoteStatus.SIGNED, NoteStatus.AWAITING_COUNTERSIGNATURE, NoteStatus.COUNTERSIGNED)


class ClinicalNoteQuerySet(models.QuerySet["ClinicalNote"]):
    def readable_by(self, user) -> ClinicalNoteQuerySet:
        """Notes of referrals this user may see; a draft is its author's own until it is signed."""
        return self.filter(referral__in=Referral.objects.visible_to(user)).exclude(
            Q(status=NoteStatus.DRAFT) & ~Q(author=user)
        )

    def signed(self) -> ClinicalNoteQuerySet:
        return self.filter(status__in=SIGNED_STATUSES)


class ClinicalNote(BaseModel):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="clinical_notes")
    appointment = models.ForeignKey(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clinical_notes",
        help_text="Empty for a contact without an appointment (a call, an email, a meeting).",
    )
    contact_kind = models.CharField(max_length=25, choices=ContactKind.choices)
    contact_on = models.DateField(help_text="The day of the contact (Birmingham date).")
    contact_at = models.TimeField(null=True, blank=True, help_text="The time of the contact, when known.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinical_notes")
    body = models.TextField()
    status = models.CharField(max_length=30, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicalNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_on", "-id"]
        indexes = [
            # The countersignature queue: notes awaiting countersignature, by their author.
            models.Index(fields=["status", "author"], name="clinicalnote_queue_idx"),
            models.Index(fields=["referral", "contact_on"], name="clinicalnote_referral_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=NoteStatus.values), name="clinicalnote_status_known"),
            models.CheckConstraint(condition=~Q(body=""), name="clinicalnote_has_words"),
            models.CheckConstraint(
                condition=Q(contact_kind__in=ContactKind.values), name="clinicalnote_contact_kind_known"
            ),
            # An appointment's note is of kind "appointment"; any other kind of contact had no appointment.
            models.CheckConstraint(
                condition=(Q(appointment__isnull=False) & Q(contact_kind=ContactKind.APPOINTMENT))
                | (Q(appointment__isnull=True) & ~Q(contact_kind=ContactKind.APPOINTMENT)),
                name="clinicalnote_appointment_matches_kind",
            ),
            # A draft is not signed; everything else is.
            models.CheckConstraint(
                condition=(Q(status=NoteStatus.DRAFT) & Q(signed_at__isnull=True))
                | (~Q(status=NoteStatus.DRAFT) & Q(signed_at__isnull=False)),
                name="clinicalnote_signed_when_not_draft",
            ),
            # Countersigned means by someone, at a time; nothing else carries a countersignature.
            models.CheckConstraint(
                condition=(
                    Q(status=NoteStatus.COUNTERSIGNED)
                    & Q(countersigned_by__isnull=False)
                    & Q(countersigned_at__isnull=False)
                )
                | (
                    ~Q(status=NoteStatus.COUNTERSIGNED)
                    & Q(countersigned_by__isnull=True)
                    & Q(countersigned_at__isnull=True)
                ),
                name="clinicalnote_countersigned_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(countersigned_by__isnull=True) | ~Q(countersigned_by=models.F("author")),
                name="clinicalnote_not_countersigned_by_author",
            ),
            # One note per author per child per appointment (a group session has one per child on its register): a
            # second thought is an addendum, not a second note.
            models.UniqueConstraint(
                fields=["appointment", "referral", "author"],
                condition=Q(appointment__isnull=False),
                name="clinicalnote_one_per_author_per_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} of {self.contact_on} ({self.status})"

    @property
    def is_draft(self) -> bool:
        return self.status == NoteStatus.DRAFT


class AddendumIsAppendOnly(Exception):
    """An addendum is only ever added: never changed or removed."""


class AddendumQuerySet(models.QuerySet["Addendum"]):
    def update(self, **kwargs):
        raise AddendumIsAppendOnly("An addendum cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AddendumIsAppendOnly("An addendum cannot be changed.")


class Addendum(models.Model):
    """A correction or addition to a signed note, with who wrote it and when. Append only."""

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AddendumQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="addendum_has_words")]

    def __str__(self) -> str:
        return f"Addendum {self.pk} to note {self.note_id}"

    def save(self, *args, **kwargs):
        # A guard, not a side effect: the database triggers refuse the same.
        if not self._state.adding:
            raise AddendumIsAppendOnly("An addendum cannot be changed.")
        super().save(*args, **kwargs)
