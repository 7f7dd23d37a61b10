from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as django_timezone

from core.fields import ShownCharField
from core.limits import NAME_MAX_LENGTH
from core.text import strip_bidi
from core.tokens import HashedToken

from .timezones import validate_timezone

FOCUS_CAP_MIN, FOCUS_CAP_MAX, FOCUS_CAP_DEFAULT = 1, 5, 3


def display_name(user: AbstractBaseUser) -> str:
    """How a person is shown: the name they gave, else their username (usernames are for
    where something is typed)."""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    # Names and usernames may come from single sign-on: shown without bidi controls.
    return strip_bidi(full or user.get_username())


def new_wall_version() -> str:
    return secrets.token_hex(8)


class Team(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = ShownCharField(max_length=NAME_MAX_LENGTH)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # How many focus topics may be active at once: "a couple of important topics at any time".
    focus_cap = models.PositiveSmallIntegerField(
        default=FOCUS_CAP_DEFAULT,
        validators=[MinValueValidator(FOCUS_CAP_MIN), MaxValueValidator(FOCUS_CAP_MAX)],
        help_text="How many focus topics may be active at once (1-5).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Changes (to a new random value, never back to an old one) with every write to anything the
    # team's wall screen shows; the wall keys its rendered fragment by it (core.wall).
    # (db_default: rows written by code that predates the field, e.g. old data migrations.)
    wall_version = models.CharField(
        max_length=16, default=new_wall_version, db_default="", editable=False
    )

    class Meta:
        ordering = ["name", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focus_cap__gte=FOCUS_CAP_MIN) & Q(focus_cap__lte=FOCUS_CAP_MAX),
                name="team_focus_cap_between_1_and_5",
                violation_error_message="The focus cap must be between 1 and 5.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Higher includes lower: a lead may do everything a member may, a member everything a viewer may.
ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.LEAD: 2}


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], name="membership_unique_user_per_team"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class Profile(models.Model):
    """A person's own time zone and hours; empty/null means "use the team's"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    timezone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_timezone]
    )
    workday_start = models.TimeField(null=True, blank=True)
    workday_end = models.TimeField(null=True, blank=True)
    lunch_start = models.TimeField(null=True, blank=True)
    lunch_end = models.TimeField(null=True, blank=True)
    # Off: no meeting invitations by email (feeds still work).
    receive_invitations = models.BooleanField(
        default=True,
        verbose_name="Email me meeting invitations",
        help_text="Bookings, moves and cancellations, as invitations your calendar understands.",
    )
    # Calendar feeds describe meetings in each person's hours: they tell from this whether
    # anything changed without rendering the feed again.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workday_start__isnull=True)
                | Q(workday_end__isnull=True)
                | Q(workday_start__lt=F("workday_end")),
                name="profile_workday_start_before_end",
                violation_error_message="The workday must start before it ends.",
            ),
            models.CheckConstraint(
                condition=Q(lunch_start__isnull=True)
                | Q(lunch_end__isnull=True)
                | Q(lunch_start__lt=F("lunch_end")),
                name="profile_lunch_start_before_end",
                violation_error_message="Lunch must start before it ends.",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class InvitationState(models.TextChoices):
    PENDING = "pending", "Pending"
    USED = "used", "Used"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Invitation(HashedToken):
    """An invitation into a team with a role: a link to share, one sent to an email address, or
    one for a person a lead named by username (they find it on their home page).

    Single use, it expires, a lead can revoke it, and only its hash is stored."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(blank=True)
    # The username a lead typed: never tells them whether such a person exists.
    username = models.CharField(max_length=150, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_used",
    )

    class Meta:
        ordering = ["team", "-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(used_by__isnull=True) | Q(used_at__isnull=False),
                name="invitation_used_by_only_when_used",
            ),
        ]

    def __str__(self) -> str:
        whom = self.email or self.username or "link"
        return f"Invitation to {self.team} as {self.role} ({whom})"

    def state(self, now: datetime) -> InvitationState:
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.used_at is not None:
            return InvitationState.USED
        if now >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


class ApiToken(HashedToken):
    """A person's key to the API (`Authorization: Token <key>`): as many as they like, each
    named, shown once, stored only as its hash, optionally expiring, revocable, with the time
    it was last used. It acts as the person, in every team they are in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = ShownCharField(max_length=NAME_MAX_LENGTH, help_text="What uses it, e.g. 'laptop'.")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or django_timezone.now())
