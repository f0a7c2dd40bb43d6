"""Staff, their roles, and the API tokens partner systems use."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    CLINICAL_ADMIN = "clinical_admin", "Clinical admin"
    OT = "ot", "Occupational therapist"
    OTA = "ota", "Occupational therapy assistant"
    TEAM_LEAD = "team_lead", "Team lead"
    AUDITOR = "auditor", "Auditor"
    SYSTEM_ADMIN = "system_admin", "System admin"
    COMMISSIONER = "commissioner", "Commissioner (read-only service figures)"
    PARTNER_SYSTEM = "partner_system", "Partner system"


class Locality(models.TextChoices):
    """Birmingham's five localities, as the BSOL GP lookup names them. A child's locality is their GP's."""

    CENTRAL = "Central", "Central"
    EAST = "East", "East"
    NORTH = "North", "North"
    SOUTH = "South", "South"
    WEST = "West", "West"


CLINICAL_ROLES = frozenset({Role.OT, Role.OTA, Role.TEAM_LEAD})


class UserQuerySet(models.QuerySet["User"]):
    def clinicians(self) -> UserQuerySet:
        """Staff who can hold a caseload: OTs, OT assistants and team leads."""
        return self.filter(role__in=CLINICAL_ROLES, is_active=True)


class StaffManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager, with the staff queries."""


class User(AbstractUser):
    """A member of staff, or a partner system (a GP or school system) that submits referrals by API."""

    role = models.CharField(max_length=32, choices=Role.choices)
    localities = models.JSONField(
        default=list, blank=True, help_text="The localities this person works in (one or more of Locality)."
    )
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisees",
        help_text="For an OT assistant: the OT who supervises their work.",
    )
    session_generation = models.PositiveIntegerField(
        default=0,
        help_text="Raised to sign this person out of every device: each session carries a hash of it.",
    )

    objects = StaffManager()

    class Meta:
        ordering = ["username"]

    @property
    def is_partner_system(self) -> bool:
        return self.role == Role.PARTNER_SYSTEM

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.get_username()

    def get_session_auth_hash(self) -> str:
        """Django checks this against the session's copy on every request; it changes with the password (Django's
        own rule) and with session_generation, so raising the generation ends every session on every device."""
        return self._get_session_auth_hash()

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's fallback-key check (SECRET_KEY_FALLBACKS) calls this too, so it must include the generation.
        key_salt = "paedot.staff.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 hash is kept; the token itself is shown once when made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to tell tokens apart in lists.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"
