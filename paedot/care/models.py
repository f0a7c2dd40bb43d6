"""A child's episode of care: assessment, packages of care with their goals, reviews after each block, equipment,
consent to share and discharge.

One episode per accepted referral (a re-referral is a new referral, so a new episode linked through it). Ratings are
stored as they were given and the scores computed from them (GAS T, COPM change) are kept beside them, so a report
printed later shows what the clinician saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from paedot.core.models import BaseModel
from paedot.referrals.models import Referral


class Area(models.TextChoices):
    """The three areas of daily life the service works on (a goal sits in one)."""

    SELF_CARE = "self_care", "Self care"
    SCHOOL = "school", "School"
    PLAY_LEISURE = "play_leisure", "Play and leisure"


class FindingArea(models.TextChoices):
    """The headings of an assessment's structured findings."""

    FINE_MOTOR = "fine_motor", "Fine motor"
    GROSS_MOTOR = "gross_motor", "Gross motor"
    SENSORY = "sensory", "Sensory"
    SELF_CARE = "self_care", "Self care"
    PERCEPTUAL = "perceptual", "Perceptual skills"
    SCHOOL_SKILLS = "school_skills", "School skills"
    PLAY = "play", "Play"


class PackageType(models.TextChoices):
    ADVICE_AND_STRATEGIES = "advice_and_strategies", "Advice and strategies"
    PACKAGE_OF_CARE = "package_of_care", "Package of care"


class Delivery(models.TextChoices):
    DIRECT_OT = "direct_ot", "Direct sessions with an OT"
    OTA = "ota", "Sessions with an OT assistant, supervised by an OT"
    GROUP = "group", "Group sessions"
    INDIRECT_PROGRAMME = "indirect_programme", "A programme carried out by school or parents"


class PackageSetting(models.TextChoices):
    SCHOOL = "school", "School"
    HOME = "home", "Home"


class Component(models.TextChoices):
    EQUIPMENT = "equipment", "Equipment"
    SPLINT = "splint", "Splint"
    ENVIRONMENTAL_ADAPTATION = "environmental_adaptation", "Environmental adaptation"


class ReviewDecision(models.TextChoices):
    NEW_BLOCK = "new_block", "Another block of treatment"
    STEP_DOWN_TO_ADVICE = "step_down_to_advice", "Step down to advice and strategies"
    DISCHARGE = "discharge", "Discharge"


class DischargeReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    MOVED_TO_ADVICE = "moved_to_advice", "Moved to advice and strategies"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "No longer eligible"
    MOVED_AWAY = "moved_away", "Moved away"
    FAMILY_DECLINED = "family_declined", "Family declined further treatment"
    NOT_BROUGHT = "not_brought", "Not brought to appointments"
    OTHER = "other", "Other"


class Recipient(models.TextChoices):
    """Who a report may go to; consent to share is recorded for each before anything is sent."""

    FAMILY = "family", "Family"
    REFERRER = "referrer", "Referrer"
    GP = "gp", "GP"
    SCHOOL = "school", "School or nursery"
    OTHER = "other", "Another professional"


class TomsStage(models.TextChoices):
    START = "start", "Start of episode"
    REVIEW = "review", "At a review"
    END = "end", "End of episode"


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def visible_to(self, user) -> EpisodeQuerySet:
        return self.filter(referral__in=Referral.objects.visible_to(user))


class Episode(BaseModel):
    """Everything clinical about one accepted referral, from the first assessment to discharge."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="episode")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_summary = models.TextField(blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EpisodeQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Episode of care for {self.referral_id}"


class Assessment(BaseModel):
    """One assessment: findings under each heading, standardised scores, the clinical impression."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    appointment = models.ForeignKey(
        "appointments.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.JSONField(default=dict, help_text="{finding area code: what was found}")
    standardised = models.JSONField(
        default=list,
        help_text="[{'template', 'name', 'scores'}]; templates: policies/standardised_assessments.json",
    )
    clinical_impression = models.TextField(blank=True)

    class Meta:
        ordering = ["assessed_on", "id"]


class CopmProblem(BaseModel):
    """A problem the family named in the COPM, with its importance and the first performance/satisfaction ratings."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="copm_problems")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="copm_problems")
    position = models.PositiveSmallIntegerField()
    problem = models.CharField(max_length=300)
    importance = models.PositiveSmallIntegerField()
    performance = models.PositiveSmallIntegerField()
    satisfaction = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=10)
                & Q(performance__gte=1, performance__lte=10)
                & Q(satisfaction__gte=1, satisfaction__lte=10),
                name="copm_problem_scores_1_to_10",
            ),
        ]


class TomsRating(BaseModel):
    """Therapy Outcome Measures: four domains, 0-5 in half points, at the start and end of an episode."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="toms_ratings")
    stage = models.CharField(max_length=10, choices=TomsStage.choices)
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey("care.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    impairment = models.DecimalField(max_digits=2, decimal_places=1)
    activity = models.DecimalField(max_digits=2, decimal_places=1)
    participation = models.DecimalField(max_digits=2, decimal_places=1)
    wellbeing = models.DecimalField(max_digits=2, decimal_places=1)
    rated_on = models.DateField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rated_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(impairment__gte=0, impairment__lte=5)
                & Q(activity__gte=0, activity__lte=5)
                & Q(participation__gte=0, participation__lte=5)
                & Q(wellbeing__gte=0, wellbeing__lte=5),
                name="toms_scores_0_to_5",
            ),
        ]


class PackageQuerySet(models.QuerySet["Package"]):
    def visible_to(self, user) -> PackageQuerySet:
        return self.filter(episode__referral__in=Referral.objects.visible_to(user))

    def awaiting_review(self) -> PackageQuerySet:
        return self.filter(review__isnull=True)


class Package(BaseModel):
    """Advice and strategies, or a package of care: how it is delivered, where, for how many sessions, and its goals.

    Each block of treatment is a package; another block after a review is a new package whose goals may be carried
    over. The diary's block of appointments and the review appointment belong to it.
    """

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="packages")
    type = models.CharField(max_length=25, choices=PackageType.choices)
    delivery = models.JSONField(default=list, help_text="Delivery codes: direct_ot, ota, group, indirect_programme.")
    places = models.JSONField(default=list, help_text="Its settings: school, home, or both (the API's 'settings').")
    components = models.JSONField(default=list, help_text="equipment, splint, environmental_adaptation.")
    supervising_ot = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Required when an OT assistant delivers the sessions.",
    )
    sessions = models.PositiveSmallIntegerField(help_text="The length of the block, in sessions.")
    block_number = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_block")
    series = models.OneToOneField(
        "appointments.AppointmentSeries", null=True, blank=True, on_delete=models.SET_NULL, related_name="package"
    )
    review_appointment = models.OneToOneField(
        "appointments.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="review_of"
    )
    review_due_on = models.DateField(null=True, blank=True, help_text="When the block should be reviewed.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PackageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(sessions__gte=1), name="package_at_least_one_session")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} (block {self.block_number})"


class Goal(BaseModel):
    """A SMART goal with its five Goal Attainment Scaling levels described, a weight and a baseline."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="goals")
    position = models.PositiveSmallIntegerField()
    description = models.TextField()
    area = models.CharField(max_length=15, choices=Area.choices)
    levels = models.JSONField(help_text='{"-2": ..., "-1": ..., "0": ... (expected), "1": ..., "2": ...}')
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    baseline = models.SmallIntegerField(default=-1)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_into"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="goal_weight_positive"),
            models.CheckConstraint(condition=Q(baseline__gte=-2, baseline__lte=2), name="goal_baseline_gas_level"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, user) -> ReviewQuerySet:
        return self.filter(package__episode__referral__in=Referral.objects.visible_to(user))


class Review(BaseModel):
    """The review after a block: each goal's attained level, the T-score, COPM re-rated, and what happens next."""

    package = models.OneToOneField(Package, on_delete=models.PROTECT, related_name="review")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    gas_t_score = models.DecimalField(max_digits=5, decimal_places=2)
    copm_performance_change = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    copm_satisfaction_change = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    decision = models.CharField(max_length=25, choices=ReviewDecision.choices)
    summary = models.TextField(blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["reviewed_on", "id"]
        indexes = [
            # Reviews due and the dashboard's outcomes of care read reviews by date (a seq scan of every review
            # ever made otherwise: 66 ms for one month at a million referrals).
            models.Index(
                fields=["reviewed_on"],
                name="review_reviewed_on_idx",
                include=["id", "package", "gas_t_score", "copm_performance_change", "copm_satisfaction_change"],
            ),
        ]


class GoalRating(BaseModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="goal_ratings")
    goal = models.OneToOneField(Goal, on_delete=models.PROTECT, related_name="rating")
    attained = models.SmallIntegerField()

    class Meta:
        ordering = ["goal__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(attained__gte=-2, attained__lte=2), name="goal_rating_gas_level"),
        ]


class CopmRerating(BaseModel):
    """A COPM problem rated again at a review (performance and satisfaction, 1-10)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="copm_reratings")
    problem = models.ForeignKey(CopmProblem, on_delete=models.PROTECT, related_name="reratings")
    performance = models.PositiveSmallIntegerField()
    satisfaction = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["problem__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "problem"], name="copm_rerating_once_per_review"),
            models.CheckConstraint(
                condition=Q(performance__gte=1, performance__lte=10) & Q(satisfaction__gte=1, satisfaction__lte=10),
                name="copm_rerating_scores_1_to_10",
            ),
        ]


class EquipmentKind(models.TextChoices):
    EQUIPMENT = "equipment", "Equipment"
    SPLINT = "splint", "Splint"
    ADAPTATION = "adaptation", "Environmental adaptation"


class EquipmentQuerySet(models.QuerySet["EquipmentIssue"]):
    def on_loan(self) -> EquipmentQuerySet:
        return self.filter(returned_on__isnull=True)

    def review_due_by(self, day) -> EquipmentQuerySet:
        return self.on_loan().filter(review_on__lte=day)


class EquipmentIssue(BaseModel):
    """An item of equipment, a splint or an adaptation issued to a child, when to review it, and its return."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="equipment")
    kind = models.CharField(max_length=12, choices=EquipmentKind.choices)
    item = models.CharField(max_length=200)
    issued_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reminder_sent_on = models.DateField(null=True, blank=True)

    objects = EquipmentQuerySet.as_manager()

    class Meta:
        ordering = ["issued_on", "id"]


class ConsentToShare(BaseModel):
    """Whether the family agrees to a report going to this recipient. The newest record for a recipient counts."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="consents")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    recipient_name = models.CharField(max_length=200, blank=True, help_text="Who, for 'another professional'.")
    given = models.BooleanField()
    given_by = models.CharField(max_length=200, help_text="Who agreed or refused (parent, carer, young person).")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
