"""Tripwires (a production model watched against its baseline), their observations and event
log, pipelines' ingest tokens, and neutral (A/A) tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q

from core.fields import ShownCharField, ShownTextField, length_limit
from core.limits import LABEL_MAX_LENGTH, LONG_TEXT_MAX_LENGTH
from core.tokens import HashedToken
from teams.models import Team

from . import detect, neutral

MAX_EXPECTED_INTERVAL_HOURS = 24 * 31


class Status(models.TextChoices):
    LEARNING = detect.Status.LEARNING.value, "Learning"
    OK = detect.Status.OK.value, "OK"
    TRIPPED = detect.Status.TRIPPED.value, "Tripped"
    STALE = detect.Status.STALE.value, "Stale"
    MUTED = detect.Status.MUTED.value, "Muted"


class Cause(models.TextChoices):
    NONE = "", "None"
    SHRINKING_GAP = detect.Cause.SHRINKING_GAP.value, "Shrinking gap"
    SIGN_FLIP = detect.Cause.SIGN_FLIP.value, "Sign flip"


# Fields a lead sets on a tripwire; every change to them is logged with a reason.
EDITABLE_FIELDS = (
    "name",
    "metric",
    "unit",
    "higher_is_better",
    "production_label",
    "baseline_label",
    "reference_gap",
    "reference_window",
    "tolerance",
    "expected_interval_hours",
)


class Tripwire(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="tripwires")
    name = ShownCharField(max_length=100)
    metric = ShownCharField(max_length=100, help_text="What is measured, e.g. CTR.")
    unit = ShownCharField(max_length=20, blank=True, help_text="e.g. %, ms, €.")
    higher_is_better = models.BooleanField(default=True)
    production_label = ShownCharField(max_length=LABEL_MAX_LENGTH, default="production")
    baseline_label = ShownCharField(max_length=LABEL_MAX_LENGTH, default="baseline")
    reference_gap = models.FloatField(
        null=True,
        blank=True,
        help_text="Pin the gap production should keep over the baseline; leave empty to "
        "learn it from the first observations.",
    )
    reference_window = models.PositiveSmallIntegerField(
        default=detect.DEFAULT_REFERENCE_WINDOW,
        validators=[MinValueValidator(detect.MIN_REFERENCE_WINDOW), MaxValueValidator(365)],
        help_text="How many first observations the reference gap and noise are learned from.",
    )
    tolerance = models.FloatField(
        default=detect.DEFAULT_TOLERANCE,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
        help_text="The smallest loss of the reference gap worth an alarm (0.30 = 30 %).",
    )
    expected_interval_hours = models.PositiveIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPECTED_INTERVAL_HOURS)],
        help_text="How often the pipeline reports; silence for twice this is an alarm.",
    )
    # Where the detection stood after the last observation (stale and muted are worked out
    # against the clock when read).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LEARNING)
    cause = models.CharField(max_length=20, choices=Cause.choices, blank=True, default="")
    assessed_reference_gap = models.FloatField(null=True, blank=True, editable=False)
    assessed_noise = models.FloatField(null=True, blank=True, editable=False)
    current_gap = models.FloatField(null=True, blank=True, editable=False)
    change_point = models.DateTimeField(null=True, blank=True, editable=False)
    last_observation_at = models.DateTimeField(null=True, blank=True, editable=False)
    observation_count = models.PositiveIntegerField(default=0, editable=False)
    # The alarm the notifications last announced (tripped, stale or ok): the clock turns ok
    # into stale without an observation, so the announced state is kept apart from `status`.
    announced = models.CharField(max_length=10, choices=Status.choices, default=Status.LEARNING)
    muted_until = models.DateTimeField(null=True, blank=True)
    mute_reason = ShownCharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="tripwire_unique_name_per_team"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="tripwire_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(announced__in=Status.values), name="tripwire_announced_valid"
            ),
            models.CheckConstraint(
                condition=Q(cause__in=Cause.values), name="tripwire_cause_valid"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gt=0) & Q(tolerance__lt=1),
                name="tripwire_tolerance_between_0_and_1",
                violation_error_message="The tolerance must be between 0 and 1 (e.g. 0.3).",
            ),
            models.CheckConstraint(
                condition=Q(reference_gap__isnull=True) | Q(reference_gap__gt=0),
                name="tripwire_pinned_gap_positive",
                violation_error_message="A pinned reference gap must be above 0: production "
                "is expected to beat its baseline.",
            ),
            models.CheckConstraint(
                condition=Q(expected_interval_hours__gte=1),
                name="tripwire_expected_interval_positive",
            ),
            models.CheckConstraint(
                condition=Q(reference_window__gte=detect.MIN_REFERENCE_WINDOW),
                name="tripwire_reference_window_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.team})"

    @property
    def expected_interval(self) -> timedelta:
        return timedelta(hours=self.expected_interval_hours)

    def status_at(self, now: datetime) -> str:
        """The status as the page and the wall show it: a lead's mute wins, and silence
        turns a quiet tripwire stale without waiting for an observation that never comes."""
        if self.muted_until is not None and self.muted_until > now:
            return Status.MUTED
        if self.status in (Status.OK, Status.LEARNING) and detect.is_stale(
            self.last_observation_at, now, self.expected_interval
        ):
            return Status.STALE
        return self.status

    def detection_settings(self) -> detect.Settings:
        return detect.Settings(
            higher_is_better=self.higher_is_better,
            tolerance=self.tolerance,
            reference_gap=self.reference_gap,
            reference_window=self.reference_window,
            expected_interval=self.expected_interval,
        )


class Observation(models.Model):
    """One report from the pipeline; append-only. The key makes a retried post harmless."""

    tripwire = models.ForeignKey(Tripwire, on_delete=models.CASCADE, related_name="observations")
    at = models.DateTimeField()
    production = models.FloatField()
    baseline = models.FloatField()
    key = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tripwire", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tripwire", "key"], name="observation_unique_key_per_tripwire"
            ),
        ]
        indexes = [models.Index(fields=["tripwire", "at"], name="observation_tripwire_at")]

    def __str__(self) -> str:
        return f"{self.tripwire.name} at {self.at:%Y-%m-%d %H:%M}"


class IngestBatch(models.Model):
    """The answer given to a batch, kept by the batch's digest so a retry answers the same."""

    tripwire = models.ForeignKey(Tripwire, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tripwire", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tripwire", "digest"], name="ingest_batch_unique_digest"
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.digest[:8]} for {self.tripwire_id}"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    TRIPPED = "tripped", "Tripped"
    RECOVERED = "recovered", "Recovered"
    STALE = "stale", "Went stale"
    MUTED = "muted", "Muted"
    UNMUTED = "unmuted", "Unmuted"
    TOKEN_ISSUED = "token_issued", "Ingest token issued"
    TOKEN_REVOKED = "token_revoked", "Ingest token revoked"


class TripwireEvent(models.Model):
    """The append-only log: what happened to a tripwire, when, who did it and why."""

    tripwire = models.ForeignKey(Tripwire, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = ShownCharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["tripwire", "-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="tripwire_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tripwire.name}: {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class IngestToken(HashedToken):
    """Lets one pipeline post observations to one tripwire, and nothing else."""

    tripwire = models.ForeignKey(Tripwire, on_delete=models.CASCADE, related_name="ingest_tokens")
    label = ShownCharField(max_length=LABEL_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["tripwire", "-created_at"]

    def __str__(self) -> str:
        return f"Ingest token {self.pk} for {self.tripwire.name}"


class AlertSettings(models.Model):
    """Where a team's tripwire alarms go besides the leads' mailboxes."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="tripwire_alerts")
    webhook_url = models.URLField(
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text='Optional: a Slack-compatible webhook that receives {"text": ...}.',
    )

    class Meta:
        ordering = ["team"]

    def __str__(self) -> str:
        return f"Tripwire alerts of {self.team}"


class AlertSubscription(models.Model):
    """A member or viewer who asked for tripwire emails (leads always get them)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["team", "user"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="alert_subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows tripwires of {self.team}"


class ArmKind(models.TextChoices):
    PROPORTIONS = "proportions", "Successes / trials"
    MEANS = "means", "Mean / sd / n"


class Verdict(models.TextChoices):
    NEUTRAL = neutral.Verdict.NEUTRAL.value, "Neutral"
    NOT_NEUTRAL = neutral.Verdict.NOT_NEUTRAL.value, "Not neutral"


class NeutralTest(models.Model):
    """An A/A test: two arms that should not differ. A non-neutral one stays on the page until
    someone records what they found."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="neutral_tests")
    name = ShownCharField(max_length=100)
    neutralised = ShownCharField(max_length=300, help_text="What was made the same in both arms.")
    kind = models.CharField(max_length=12, choices=ArmKind.choices)
    a_successes = models.PositiveBigIntegerField(null=True, blank=True)
    a_trials = models.PositiveBigIntegerField(null=True, blank=True)
    b_successes = models.PositiveBigIntegerField(null=True, blank=True)
    b_trials = models.PositiveBigIntegerField(null=True, blank=True)
    a_mean = models.FloatField(null=True, blank=True)
    a_sd = models.FloatField(null=True, blank=True)
    a_n = models.PositiveBigIntegerField(null=True, blank=True)
    b_mean = models.FloatField(null=True, blank=True)
    b_sd = models.FloatField(null=True, blank=True)
    b_n = models.PositiveBigIntegerField(null=True, blank=True)
    difference = models.FloatField()
    interval_low = models.FloatField()
    interval_high = models.FloatField()
    p_value = models.FloatField()
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    finding = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    finding_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finding_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "-created_at", "-pk"]
        constraints = [
            length_limit("finding", LONG_TEXT_MAX_LENGTH),
            models.CheckConstraint(condition=Q(kind__in=ArmKind.values), name="neutral_kind_valid"),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="neutral_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(p_value__gte=0) & Q(p_value__lte=1), name="neutral_p_value_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.verdict})"

    @property
    def sentence(self) -> str:
        return neutral.sentence(neutral.Verdict(self.verdict), self.p_value)

    @property
    def needs_finding(self) -> bool:
        return self.verdict == Verdict.NOT_NEUTRAL and not self.finding
