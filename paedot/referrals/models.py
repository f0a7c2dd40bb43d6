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
    FHIR = "fhir", "Partner system (FHIR)"
    PAPER = "paper", "Paper form"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Status(models.TextChoices):
    """Where a referral is in its journey. The allowed moves between these are in rules.TRANSITIONS."""

    RECEIVED = "received", "Received"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    ACCEPTED = "accepted", "Accepted, waiting for triage"
    DECLINED = "declined", "Declined"
    WAITING = "waiting", "Waiting"
    INVITED = "invited", "Invited to book"
    BOOKED = "booked", "Booked"
    SEEN = "seen", "Seen (the wait is over)"
    DISCHARGED = "discharged", "Discharged"


# The waiting-time clock runs in these states: triaged, and not yet seen.
WAITING_LIST_STATUSES = (Status.WAITING, Status.INVITED, Status.BOOKED)
CLOSED_STATUSES = (Status.DECLINED, Status.DISCHARGED)
OPEN_STATUSES = tuple(s for s in Status if s not in CLOSED_STATUSES)


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    SOON = "soon", "Soon"
    ROUTINE = "routine", "Routine"


# Stored beside the priority so the waiting list's order (urgent, soon, routine) can use an index.
PRIORITY_RANK = {Priority.URGENT: 1, Priority.SOON: 2, Priority.ROUTINE: 3}


class Pathway(models.TextChoices):
    ADVICE_AND_STRATEGIES = "advice_and_strategies", "Advice and strategies"
    PACKAGE_OF_CARE = "package_of_care", "Package of care"
    GROUP = "group", "Group"


class Setting(models.TextChoices):
    CLINIC = "clinic", "Clinic"
    SCHOOL = "school", "School"
    NURSERY = "nursery", "Nursery"
    HOME = "home", "Home"
    CDC = "cdc", "Child development centre"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def for_inbox(self) -> ReferralQuerySet:
        """Newest first (by the date received), with everything the inbox shows fetched in a fixed number of queries."""
        return (
            self.select_related("child", "eligibility")
            .prefetch_related("eligibility__reasons")
            .order_by("-received_date", "-received_at", "-id")
        )

    def visible_to(self, user) -> ReferralQuerySet:
        """What this user may see. A partner system: only the referrals it sent. Staff with localities: children in
        those localities, any not yet placed in one, and their own caseload; staff with none work citywide. A
        restricted record only for the staff named on it. Breaking the glass (paedot.restricted_records) opens
        either for a while, with a reason."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_partner_system:
            return self.filter(submitted_by=user)
        from paedot.restricted_records.services import glass_broken_by, open_to

        scoped = self
        if user.localities:
            scoped = scoped.filter(
                models.Q(locality__in=user.localities)
                | models.Q(locality="")
                | models.Q(clinician=user)
                | models.Q(child_id__in=glass_broken_by(user))
            )
        return scoped.filter(open_to(user))

    def on_waiting_list(self) -> ReferralQuerySet:
        """Triaged and still waiting, in waiting-list order: priority, then the date the clock started."""
        return self.filter(status__in=WAITING_LIST_STATUSES).order_by("priority_rank", "received_date", "id")

    def awaiting_triage(self) -> ReferralQuerySet:
        return self.filter(status=Status.ACCEPTED).order_by("received_date", "id")

    def awaiting_screening(self) -> ReferralQuerySet:
        return self.filter(status=Status.RECEIVED).order_by("received_date", "id")

    def open(self) -> ReferralQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)


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

    # Where the referral is now. Each change goes through a service and leaves an audit event with its reason.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    locality = models.CharField(max_length=20, blank=True, help_text="The GP practice's locality.")
    restricted = models.BooleanField(
        default=False, help_text="The child's record is restricted (kept here, from restricted_records, for scoping)."
    )
    previous_referral = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_referrals",
        help_text="The child's previous episode, when this is a re-referral.",
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    priority_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    pathway = models.CharField(max_length=30, choices=Pathway.choices, blank=True)
    first_setting = models.CharField(
        max_length=10, choices=Setting.choices, blank=True, help_text="Where the first appointment should be."
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        help_text="The clinician the child is allocated to.",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    left_queue_at = models.DateTimeField(
        null=True, blank=True, help_text="When it stopped queueing: booked, or discharged while waiting or invited."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(blank=True)
    first_attended_on = models.DateField(
        null=True, blank=True, help_text="The first attended appointment: the waiting-time clock stopped here."
    )
    days_waited = models.PositiveIntegerField(
        null=True, blank=True, help_text="Calendar days from received to first attended, kept when the clock stops."
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-received_date", "-received_at", "-id"], name="referral_inbox_idx"),
            # The waiting list is a small part of every referral ever made: index only the open part, in order.
            # It carries the columns visible_to() filters on, so the pager's count of what this person may see is
            # answered from the index alone (reading each row for them took 150-280 ms with a million referrals).
            models.Index(
                fields=["priority_rank", "received_date", "id"],
                name="referral_waiting_list_idx",
                condition=models.Q(status__in=["waiting", "invited", "booked"]),
                include=["restricted", "child", "locality", "clinician"],
            ),
            # The expected wait (waiting_list.services.queue_ahead_of) counts the children still queueing ahead of
            # one. The index above also holds booked children, so that count read every row for its status: 450 ms
            # with a million referrals (make bench SIZE=nation). Here it is answered from the index alone.
            models.Index(
                fields=["priority_rank", "received_date"],
                name="referral_queueing_idx",
                condition=models.Q(status__in=["waiting", "invited"]),
            ),
            # The dashboard's first-appointment waits and month-end waiting list read these dates over years; the
            # waits' columns and the dashboard's filters ride along, so a year of first appointments is read from
            # the index alone (335 ms from the table at a million referrals). The dashboard's indexes carry the id
            # because its counts are COUNT(id): without it PostgreSQL reads the table for every row.
            models.Index(
                fields=["first_attended_on"],
                name="referral_first_attended_idx",
                condition=models.Q(first_attended_on__isnull=False),
                include=["id", "days_waited", "locality", "priority", "pathway"],
            ),
            # The dashboard's referrals received by month, referrer and outcome, and its decline reasons: a year of
            # referrals from the index alone (390 ms reading the table at a million referrals).
            models.Index(
                fields=["received_date"],
                name="referral_received_idx",
                include=["id", "referrer_role", "status", "locality", "priority", "pathway"],
            ),
            # The dashboard's decline reasons start from the period's declined referrals, a tenth of them.
            models.Index(
                fields=["received_date"],
                name="referral_declined_idx",
                condition=models.Q(status="declined"),
                include=["id", "locality", "priority", "pathway"],
            ),
            # The dashboard filtered to a locality (priority, pathway) joins the current month's records to the
            # referrals of that locality: read here alone (232 ms joining through the table at a million referrals,
            # 78 ms from this index).
            models.Index(fields=["locality", "priority", "pathway"], name="referral_filters_idx", include=["id"]),
            # Caseloads now: only open referrals with a clinician, a small part of all of them (544 ms counting
            # through the whole caseload index at a million referrals).
            models.Index(
                fields=["clinician"],
                name="referral_open_caseload_idx",
                condition=models.Q(status__in=OPEN_STATUSES, clinician__isnull=False),
                include=["id", "locality", "priority", "pathway"],
            ),
            models.Index(fields=["closed_at"], name="referral_closed_idx", condition=models.Q(closed_at__isnull=False)),
            models.Index(
                fields=["status", "received_date", "id"],
                name="referral_queue_idx",
                condition=models.Q(status__in=["received", "information_requested", "accepted"]),
            ),
            models.Index(fields=["clinician", "status"], name="referral_caseload_idx"),
            models.Index(fields=["left_queue_at"], name="referral_left_queue_idx"),
        ]

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def is_on_waiting_list(self) -> bool:
        return self.status in WAITING_LIST_STATUSES

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


class ScreeningDecision(BaseModel):
    """A person's screening of a referral: confirming or overriding what the eligibility rules said, and why."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept"
        DECLINE = "decline", "Decline"
        REQUEST_INFORMATION = "request_information", "Request more information"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="screenings")
    decision = models.CharField(max_length=30, choices=Decision.choices)
    reason = models.TextField()
    automatic_outcome = models.CharField(max_length=10, choices=Outcome.choices)
    overrides_automatic = models.BooleanField(
        help_text="True when the person decided otherwise than the rules suggested (e.g. accepted a decline)."
    )
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.decision}"


class PossibleDuplicate(BaseModel):
    """A new referral that may be about a child the service already knows: a person merges it or dismisses it.

    A wrong merge can be undone (referrals.services.duplicates.unmerge_duplicate): the flag is then "unmerged" and
    may be decided again.
    """

    class State(models.TextChoices):
        OPEN = "open", "Needs a decision"
        MERGED = "merged", "Merged"
        DISMISSED = "dismissed", "Not the same child"
        UNMERGED = "unmerged", "Merge undone"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="possible_duplicates")
    existing_referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    strength = models.CharField(max_length=10, help_text="certain (same NHS number) or likely (name, birth, address).")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_reason = models.TextField(blank=True)
    # Exactly what the merge moved and changed, so an undo puts back that and nothing else (never a guess). Empty
    # for merges made before it was kept: those cannot be undone automatically.
    merge_record = models.JSONField(
        null=True,
        blank=True,
        help_text="What the merge moved: child_id, referral_ids, parent_carer_ids, closed_referral, linked_previous.",
    )
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "existing_referral"], name="one_flag_per_pair_of_referrals")
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} ~ {self.existing_referral_id} ({self.state})"


def attachment_path(instance: ReferralAttachment, filename: str) -> str:
    # The stored name says nothing about the child: no personal data in paths.
    return f"referrals/attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ReferralAttachment(BaseModel):
    """A scanned paper or emailed referral form, kept with the referral typed in from it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.original_name
