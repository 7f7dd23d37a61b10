"""The team's nine-month vision, its measurable definition of done, the three-month targets
and the quarterly reviews.

What is computed is never stored as a typed-in field: a criterion is met when its current
value satisfies its comparator, a vision's `achieved` when every criterion is met. The history
tables (charter changes, criterion values, target revisions, reviews) are append-only.
"""

from __future__ import annotations

import math
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet

from core.fields import ShownCharField, ShownTextField, length_limit
from core.history import AppendOnlyModel
from core.limits import (
    LABEL_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from core.times import validate_planning_years
from core.tokens import HashedToken
from teams.models import Team, display_name

from . import periods as period_math
from .softdates import soft_date


class VisionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    ABANDONED = "abandoned", "Abandoned"


class Vision(models.Model):
    """One important problem the team means to solve in about nine months.

    At most one vision per team is active, held by a conditional unique constraint as well
    as by the service (which answers 409 `active_vision_exists`). The status follows the
    criteria: the service marks the vision achieved when every criterion is met.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="visions")
    title = ShownCharField(max_length=TITLE_MAX_LENGTH)
    problem = ShownTextField(
        max_length=LONG_TEXT_MAX_LENGTH, help_text="The important problem, in a few sentences."
    )
    starts_on = models.DateField(validators=[validate_planning_years])
    ends_on = models.DateField(
        validators=[validate_planning_years],
        help_text="The day the vision is due: nine months by default.",
    )
    status = models.CharField(
        max_length=10, choices=VisionStatus.choices, default=VisionStatus.ACTIVE
    )
    achieved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "-starts_on", "-pk"]
        constraints = [
            length_limit("problem", LONG_TEXT_MAX_LENGTH),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status=VisionStatus.ACTIVE),
                name="vision_one_active_per_team",
                violation_error_message="The team already has an active vision.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VisionStatus.values), name="vision_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="vision_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="vision_title_not_empty"),
            models.CheckConstraint(condition=~Q(problem=""), name="vision_problem_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == VisionStatus.ACTIVE

    @property
    def periods(self) -> tuple[period_math.Period, ...]:
        return period_math.periods(self.starts_on, self.ends_on)

    def period_on(self, day: date) -> period_math.Period | None:
        return period_math.period_of(self.starts_on, self.ends_on, day)

    def achieved_by(self, criteria: list[DoneCriterion]) -> bool:
        """Every criterion met (and there is at least one: an empty definition of done
        proves nothing)."""
        return bool(criteria) and all(c.met for c in criteria)


class CharterChangeKind(models.TextChoices):
    CHARTERED = "chartered", "Chartered"
    RECHARTERED = "rechartered", "Re-chartered"
    ACHIEVED = "achieved", "Achieved"
    ABANDONED = "abandoned", "Abandoned"


class CharterChange(AppendOnlyModel):
    """The vision's charter as it was set, each time it changed: the direction should not
    change lightly, so every change after the first carries a reason and stays visible."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="charter_changes")
    kind = models.CharField(max_length=12, choices=CharterChangeKind.choices)
    problem = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH)
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = ShownTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["vision", "at", "pk"]
        constraints = [
            length_limit("reason", SHORT_TEXT_MAX_LENGTH),
            length_limit("problem", LONG_TEXT_MAX_LENGTH),
            models.CheckConstraint(
                condition=Q(kind__in=CharterChangeKind.values), name="charterchange_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.vision_id} at {self.at:%Y-%m-%d}"


class Comparator(models.TextChoices):
    AT_LEAST = ">=", "at least"
    AT_MOST = "<=", "at most"
    EXACTLY = "==", "exactly"


def compare(value: float | None, comparator: str, target: float) -> bool:
    """Whether a measured value meets a target. Not measured yet is not met."""
    if value is None:
        return False
    if comparator == Comparator.AT_LEAST:
        return value >= target
    if comparator == Comparator.AT_MOST:
        return value <= target
    return math.isclose(value, target, rel_tol=1e-9, abs_tol=1e-12)


class DoneCriterion(models.Model):
    """One measurable line of the definition of done: "<metric> <comparator> <target> <unit>"."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="criteria")
    description = ShownCharField(max_length=200, blank=True)
    metric = ShownCharField(max_length=80, help_text="What is measured, e.g. 'NDCG@10'.")
    comparator = models.CharField(max_length=2, choices=Comparator.choices)
    target_value = models.FloatField()
    unit = ShownCharField(max_length=20, blank=True)
    current_value = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["vision", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comparator__in=Comparator.values), name="criterion_comparator_valid"
            ),
            models.CheckConstraint(condition=~Q(metric=""), name="criterion_metric_not_empty"),
        ]

    def __str__(self) -> str:
        return self.statement

    @property
    def met(self) -> bool:
        return compare(self.current_value, self.comparator, self.target_value)

    @property
    def statement(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.metric} {self.comparator} {self.target_value:g}{unit}"


class CriterionValue(AppendOnlyModel):
    """A criterion's current value as it changed: when, who (a person or a pipeline's token),
    old -> new."""

    criterion = models.ForeignKey(DoneCriterion, on_delete=models.CASCADE, related_name="values")
    old_value = models.FloatField(null=True, blank=True)
    new_value = models.FloatField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token = models.ForeignKey(
        "CriteriaToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["criterion", "at", "pk"]
        indexes = [models.Index(fields=["criterion", "at"])]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.old_value} -> {self.new_value}"

    @property
    def source(self) -> str:
        if self.token_id is not None and self.token is not None:
            return f"pipeline “{self.token.label}”"
        return display_name(self.author) if self.author else "someone"


class Target(models.Model):
    """What the team means to reach in one three-month period of the vision. Its text
    changes only through a revision with a reason."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="targets")
    period = models.PositiveSmallIntegerField()
    text = ShownTextField(max_length=SHORT_TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vision", "period"]
        constraints = [
            length_limit("text", SHORT_TEXT_MAX_LENGTH),
            models.UniqueConstraint(
                fields=["vision", "period"],
                name="target_one_per_period",
                violation_error_message="This period already has a target.",
            ),
            models.CheckConstraint(
                condition=Q(period__gte=1) & Q(period__lte=period_math.PERIODS),
                name="target_period_1_to_3",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="target_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Period {self.period}: {self.text[:60]}"


class TargetRevision(AppendOnlyModel):
    """Every version of a target's text with why it changed; the first is its creation."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="revisions")
    text = ShownTextField(max_length=SHORT_TEXT_MAX_LENGTH)
    reason = ShownTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            length_limit("text", SHORT_TEXT_MAX_LENGTH),
            length_limit("reason", SHORT_TEXT_MAX_LENGTH),
        ]
        ordering = ["target", "at", "pk"]

    def __str__(self) -> str:
        return f"Target {self.target_id} at {self.at:%Y-%m-%d}"


class Outcome(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    MISSED = "missed", "Missed"


class QuarterlyReview(AppendOnlyModel):
    """The record of one quarterly vision review: how the period's target went, whether this
    is still the right problem, and (through its TargetRevision) the next period's target.

    `snapshot` holds the problem, criteria and targets as the review saw them, so later edits
    never rewrite what it recorded. A review is never edited or deleted.
    """

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="reviews")
    period = models.PositiveSmallIntegerField()
    held_on = models.DateField(validators=[validate_planning_years])
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    evidence = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH)
    still_right_problem = models.BooleanField()
    still_right_note = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    notes = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # The next period's target as the review set or revised it (None: left as it was).
    next_target_revision = models.OneToOneField(
        TargetRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )
    snapshot = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["vision", "period"]
        constraints = [
            length_limit("notes", LONG_TEXT_MAX_LENGTH),
            length_limit("still_right_note", LONG_TEXT_MAX_LENGTH),
            length_limit("evidence", LONG_TEXT_MAX_LENGTH),
            models.UniqueConstraint(
                fields=["vision", "period"],
                name="review_one_per_period",
                violation_error_message="This period has already been reviewed.",
            ),
            models.CheckConstraint(
                condition=Q(period__gte=1) & Q(period__lte=period_math.PERIODS),
                name="review_period_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="review_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of period {self.period} ({self.held_on})"


class CriteriaToken(HashedToken):
    """Lets one pipeline post the measured values of one vision's criteria, so the definition
    of done tracks reality without anyone typing numbers. It grants that and nothing else."""

    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="criteria_tokens")
    label = ShownCharField(
        max_length=LABEL_MAX_LENGTH, help_text="Which pipeline, e.g. 'nightly eval'."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["vision", "-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.vision})"


# --- Milestones and the non-negotiables that gate them ---------------------------------------


class Precision(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class MilestoneQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        # A bulk update would skip the checklist: completion only goes through
        # services.milestone_complete, which checks every active non-negotiable.
        if kwargs.get("status") == MilestoneStatus.DONE or kwargs.get("done_at") is not None:
            raise TypeError("A milestone is completed only through milestone_complete.")
        return super().update(**kwargs)


class Milestone(models.Model):
    """A soft-dated step towards a target: a target date with a precision, never a strict
    deadline. Nothing closes or locks it when the date passes; it is done only when every
    active non-negotiable is checked (services.milestone_complete)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="milestones")
    target = models.ForeignKey(
        Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    title = ShownCharField(max_length=TITLE_MAX_LENGTH)
    description = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    target_date = models.DateField(validators=[validate_planning_years])
    precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.WEEK)
    status = models.CharField(
        max_length=11, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["team", "target_date", "pk"]
        constraints = [
            length_limit("description", LONG_TEXT_MAX_LENGTH),
            models.CheckConstraint(
                condition=Q(status__in=MilestoneStatus.values), name="milestone_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(precision__in=Precision.values), name="milestone_precision_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=MilestoneStatus.DONE, done_at__isnull=False)
                | (~Q(status=MilestoneStatus.DONE) & Q(done_at__isnull=True)),
                name="milestone_done_at_iff_done",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="milestone_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def soft_date(self) -> str:
        """How the aim reads: "~ mid-March" (an aim, not a deadline)."""
        return soft_date(self.target_date, self.precision)

    @property
    def is_open(self) -> bool:
        return self.status in (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


class MilestoneSlip(AppendOnlyModel):
    """One move of a milestone's target date: old, new, why, and (after the second move)
    the basis of the new estimate. Never edited or deleted."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="slips")
    old_date = models.DateField()
    new_date = models.DateField()
    old_precision = models.CharField(max_length=5, choices=Precision.choices)
    new_precision = models.CharField(max_length=5, choices=Precision.choices)
    reason = ShownTextField(max_length=SHORT_TEXT_MAX_LENGTH)
    basis = ShownTextField(
        max_length=SHORT_TEXT_MAX_LENGTH, blank=True, help_text="What was cut or learned."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["milestone", "at", "pk"]
        constraints = [
            length_limit("basis", SHORT_TEXT_MAX_LENGTH),
            length_limit("reason", SHORT_TEXT_MAX_LENGTH),
            models.CheckConstraint(condition=~Q(reason=""), name="slip_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {self.old_date} -> {self.new_date}"


class NonNegotiable(models.Model):
    """An engineering practice the team never negotiates (unit tests, design docs, ...).

    Never deleted: retiring sets `retired_at`. Changing the wording bumps `version` and
    appends a NonNegotiableVersion, so a check shows which wording it was made against."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="non_negotiables")
    title = ShownCharField(max_length=TITLE_MAX_LENGTH)
    description = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    requires_evidence = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "position", "pk"]
        constraints = [
            length_limit("description", LONG_TEXT_MAX_LENGTH),
            models.CheckConstraint(condition=~Q(title=""), name="nonnegotiable_title_not_empty"),
            models.CheckConstraint(condition=Q(version__gte=1), name="nonnegotiable_version_1_up"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("A non-negotiable is never deleted: retire it.")


class NonNegotiableVersion(AppendOnlyModel):
    """Each wording a non-negotiable has had; the first is its creation."""

    non_negotiable = models.ForeignKey(
        NonNegotiable, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    title = ShownCharField(max_length=TITLE_MAX_LENGTH)
    description = ShownTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    requires_evidence = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["non_negotiable", "version"]
        constraints = [
            length_limit("description", LONG_TEXT_MAX_LENGTH),
            models.UniqueConstraint(
                fields=["non_negotiable", "version"], name="nonnegotiable_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class LiveCheckManager(models.Manager["Check"]):
    """The checks that count: not unchecked. Related managers (`milestone.checks`) use it too."""

    def get_queryset(self) -> QuerySet[Check]:
        return super().get_queryset().filter(unchecked_at__isnull=True)


class Check(models.Model):
    """One non-negotiable checked for one milestone: who, when, the evidence (an http(s)
    URL or a note), and the wording version it was checked against. Unchecking keeps the row
    (`unchecked_at`, `unchecked_by`): a checklist's history is never deleted. `objects` holds
    the live checks, `all_objects` every check ever made."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="checks")
    non_negotiable = models.ForeignKey(
        NonNegotiable, on_delete=models.PROTECT, related_name="checks"
    )
    version = models.PositiveIntegerField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_at = models.DateTimeField()
    evidence_url = models.URLField(max_length=500, blank=True)
    evidence_note = ShownTextField(max_length=SHORT_TEXT_MAX_LENGTH, blank=True)
    unchecked_at = models.DateTimeField(null=True, blank=True)
    unchecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LiveCheckManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff mistakes a manager for a field)

    class Meta:
        ordering = ["milestone", "non_negotiable__position", "non_negotiable_id"]
        constraints = [
            length_limit("evidence_note", SHORT_TEXT_MAX_LENGTH),
            models.UniqueConstraint(
                fields=["milestone", "non_negotiable"],
                condition=Q(unchecked_at__isnull=True),
                name="check_one_live_per_item",
            ),
            models.CheckConstraint(
                condition=Q(evidence_url="")
                | Q(evidence_url__startswith="http://")
                | Q(evidence_url__startswith="https://"),
                name="check_evidence_url_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.non_negotiable_id} for {self.milestone_id}"

    @property
    def evidence(self) -> str:
        return self.evidence_url or self.evidence_note

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_url or self.evidence_note.strip())
