"""The maker schedule: the team's policy, meetings and the busy time imported from calendars.

Every time is stored in UTC; local wall-clock times (workday, lunch) are interpreted in each
person's own zone by the slot engine (`schedule.engine`).
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.fields import ShownCharField
from core.limits import TITLE_MAX_LENGTH
from core.tokens import HashedToken
from teams.models import Team

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def validate_weekdays(value: Any) -> None:
    """A list of distinct weekday numbers, 0 (Monday) to 6 (Sunday)."""
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in value
    ):
        raise ValidationError(
            "List weekdays as numbers from 0 (Monday) to 6 (Sunday).", code="invalid_weekdays"
        )
    if len(set(value)) != len(value):
        raise ValidationError("A weekday is listed twice.", code="duplicate_weekdays")


# What a lead edits on the maker policy (the services, the form and the API agree on it).
POLICY_FIELDS = (
    "workday_start",
    "workday_end",
    "lunch_start",
    "lunch_end",
    "window_minutes",
    "max_meeting_minutes",
    "max_attendees",
    "min_focus_block_minutes",
    "meeting_free_weekdays",
)


class MakerPolicy(models.Model):
    """How a team protects its makers' time.

    The meeting windows follow from the hours: after lunch (lunch end + window), early morning
    (workday start + window) and end of day (the last window before the workday ends).
    Everything else inside working hours is maker time.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="maker_policy")
    workday_start = models.TimeField(default=time(9))
    workday_end = models.TimeField(default=time(18))
    lunch_start = models.TimeField(default=time(12))
    lunch_end = models.TimeField(default=time(13))
    window_minutes = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
        help_text="Length of each meeting window (after lunch, early morning, end of day).",
    )
    max_meeting_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text="Longer meetings are refused with a suggestion to split them.",
    )
    max_attendees = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text="Bigger meetings get a warning to keep them small.",
    )
    min_focus_block_minutes = models.PositiveSmallIntegerField(
        default=120,
        validators=[MinValueValidator(30), MaxValueValidator(600)],
        help_text="The shortest uninterrupted stretch that counts as focus time.",
    )
    meeting_free_weekdays = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_weekdays],
        help_text="Weekdays (0 = Monday) that are maker time all day.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team"]
        verbose_name_plural = "maker policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(workday_start__lt=F("workday_end")),
                name="maker_policy_workday_start_before_end",
                violation_error_message="The workday must start before it ends.",
            ),
            models.CheckConstraint(
                condition=Q(lunch_start__lt=F("lunch_end"))
                & Q(lunch_start__gte=F("workday_start"))
                & Q(lunch_end__lte=F("workday_end")),
                name="maker_policy_lunch_inside_workday",
                violation_error_message="Lunch must start before it ends, inside the workday.",
            ),
            models.CheckConstraint(
                condition=Q(window_minutes__gt=0)
                & Q(max_meeting_minutes__gt=0)
                & Q(max_attendees__gt=0)
                & Q(min_focus_block_minutes__gt=0),
                name="maker_policy_positive_minutes",
                violation_error_message="Minutes and attendee counts must be positive.",
            ),
        ]

    def __str__(self) -> str:
        return f"Maker policy of {self.team}"

    @property
    def meeting_free_day_names(self) -> list[str]:
        return [WEEKDAY_NAMES[day] for day in sorted(self.meeting_free_weekdays or [])]


class MeetingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"


def new_meeting_uid() -> str:
    return f"{uuid.uuid4()}@focusboard"


class Meeting(models.Model):
    """A team meeting. Cancelled, never deleted: calendar feeds must be able to say so."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    title = ShownCharField(max_length=TITLE_MAX_LENGTH)
    start = models.DateTimeField()
    end = models.DateTimeField()
    # SET_NULL: removing a person must not take the team's meeting history with them.
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organized_meetings",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MeetingAttendee", related_name="meetings"
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.CONFIRMED
    )
    # iCalendar SEQUENCE: grows on every change so calendar clients take the new version.
    sequence = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=255, unique=True, default=new_meeting_uid, editable=False)
    forced_into_maker_time = models.BooleanField(
        default=False,
        help_text="Booked inside someone's maker time (or outside their hours) on purpose.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["team", "start"], name="meeting_team_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="meeting_start_before_end",
                violation_error_message="A meeting must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=MeetingStatus.CANCELLED) & Q(cancelled_at__isnull=False))
                | (~Q(status=MeetingStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="meeting_cancelled_at_iff_cancelled",
                violation_error_message="Only a cancelled meeting has a cancellation time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class MeetingAttendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendance"
    )
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["meeting", "-required", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], name="meeting_attendee_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        kind = "required" if self.required else "optional"
        return f"{self.user} at {self.meeting.title} ({kind})"


class BusySourceKind(models.TextChoices):
    UPLOAD = "upload", "Uploaded file"
    URL = "url", "Calendar URL"


class BusySource(models.Model):
    """Where a person's busy time comes from: one uploaded .ics, and any number of URLs.

    It belongs to the person, not to a membership: the same calendar counts in every team
    they are in, so nobody uploads it twice and a new team sees it at once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="busy_sources"
    )
    kind = models.CharField(max_length=10, choices=BusySourceKind.choices)
    # Often a secret (Google's "private address"): shown only to its owner.
    url = models.URLField(max_length=1000, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    interval_count = models.PositiveIntegerField(default=0)
    # Events the last import could not read: [{"summary", "reason"}], at most
    # ical.read.MAX_SKIPPED_LISTED of them; skipped_count says how many there were in all.
    skipped = models.JSONField(default=list, blank=True)
    skipped_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=BusySourceKind.values), name="busy_source_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=BusySourceKind.URL) | ~Q(url=""),
                name="busy_source_url_has_url",
                violation_error_message="A calendar URL source needs its URL.",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind=BusySourceKind.UPLOAD),
                name="busy_source_one_upload_per_person",
            ),
            models.UniqueConstraint(
                fields=["user", "url"],
                condition=Q(kind=BusySourceKind.URL),
                name="busy_source_url_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        what = self.filename if self.kind == BusySourceKind.UPLOAD else self.display_url
        return f"{self.user}'s {what}"

    @property
    def display_url(self) -> str:
        """Host and a hint of the path, never the secret part of a private calendar URL."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname or ''}/…" if parts.hostname else ""

    @property
    def skipped_not_listed(self) -> int:
        """Skipped events beyond the ones kept in `skipped`."""
        return max(self.skipped_count - len(self.skipped or []), 0)

    @property
    def label(self) -> str:
        if self.kind == BusySourceKind.UPLOAD:
            return self.filename or "uploaded calendar"
        return self.display_url


class BusyInterval(models.Model):
    """One stretch of imported busy time (a recurring event gives one row per occurrence)."""

    source = models.ForeignKey(BusySource, on_delete=models.CASCADE, related_name="intervals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="busy_intervals"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["user", "start"], name="busy_interval_user_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="busy_interval_start_before_end",
                violation_error_message="Busy time must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} busy {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M} UTC"


# --- Calendar feeds and invitations -----------------------------------------------------------


class FeedScope(models.TextChoices):
    PERSONAL = "personal", "My meetings"
    TEAM = "team", "A team's calendar"


class FeedToken(HashedToken):
    """The secret address of one calendar feed: a person's own, or one team's as that person
    sees it. It works only while the person is still in the team."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    scope = models.CharField(max_length=10, choices=FeedScope.choices)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens"
    )
    include_maker_blocks = models.BooleanField(
        default=False,
        help_text="Add my maker time as busy 'Maker time' events (personal feeds).",
    )
    # Shown on /me/feeds/ so people can tell that Google polls only every few hours.
    last_user_agent = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["user", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=FeedScope.values), name="feed_token_scope_valid"
            ),
            models.CheckConstraint(
                condition=(Q(scope=FeedScope.TEAM) & Q(team__isnull=False))
                | (Q(scope=FeedScope.PERSONAL) & Q(team__isnull=True)),
                name="feed_token_team_iff_team_scope",
                violation_error_message="A team feed names its team; a personal one does not.",
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.team} feed" if self.team_id else "personal feed"
        return f"{self.user}'s {what}"


class InvitationMethod(models.TextChoices):
    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


class InvitationSend(models.Model):
    """The outbox: one email about one version of a meeting to one person. Written in the
    booking's transaction, so nothing is lost when mail fails; the task sends it after commit
    and retries with a growing delay; leads see the ones not sent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=InvitationMethod.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    # The sentence about what changed ("Moved from Tue 14:00 to Wed 13:30 (Paris)"), in UTC
    # instants; the task words it in the recipient's zone.
    previous_start = models.DateTimeField(null=True, blank=True)
    previous_end = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A newer version of the meeting was queued before this one went out: not sent, on purpose.
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["sent_at", "meeting"], name="invitation_send_unsent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=InvitationMethod.values),
                name="invitation_send_method_valid",
            ),
            models.UniqueConstraint(
                fields=["meeting", "sequence", "recipient"],
                name="invitation_send_once_per_version_and_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.meeting.title} #{self.sequence} to {self.email}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
