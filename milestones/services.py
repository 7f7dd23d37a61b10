"""Every write to the vision, its criteria, targets and reviews.

Writes that check a per-team rule (one active vision) lock the team row first; writes to one
vision lock the vision row, so a criterion update, a target revision and a review never
interleave halfway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.rules import RuleCode, RuleViolation
from core.times import validate_planning_years
from teams.models import Membership, Team
from teams.services import lock_team

from . import periods
from .models import (
    CharterChange,
    CharterChangeKind,
    CriteriaToken,
    CriterionValue,
    DoneCriterion,
    Outcome,
    QuarterlyReview,
    Target,
    TargetRevision,
    Vision,
    VisionStatus,
)
from .snapshots import vision_snapshot

CHARTER_FIELDS = ("problem", "starts_on", "ends_on")


def _active_vision_exists(team: Team) -> RuleViolation:
    return RuleViolation(
        RuleCode.ACTIVE_VISION_EXISTS,
        f"{team.name} already has an active vision: one important problem at a time. "
        "Mark it achieved or abandon it before starting another.",
    )


def _reason_required(what: str) -> RuleViolation:
    return RuleViolation(RuleCode.REASON_REQUIRED, f"Say why {what}: give a reason.")


def _check_span(starts_on: date, ends_on: date) -> None:
    error = periods.span_error(starts_on, ends_on)
    if error:
        raise ValidationError({"ends_on": [error]})


def _check_number(name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ValidationError({name: ["Give a finite number."]})


def _lock_vision(vision: Vision) -> Vision:
    return Vision.objects.select_for_update().select_related("team").get(pk=vision.pk)


def _charter(vision: Vision, kind: str, actor: User | None, reason: str = "") -> CharterChange:
    return CharterChange.objects.create(
        vision=vision,
        kind=kind,
        problem=vision.problem,
        starts_on=vision.starts_on,
        ends_on=vision.ends_on,
        reason=reason,
        author=actor,
        at=timezone.now(),
    )


# --- Vision ---------------------------------------------------------------------------------


@transaction.atomic
def vision_create(
    *,
    team: Team,
    actor: User | None,
    title: str,
    problem: str,
    starts_on: date,
    ends_on: date | None = None,
) -> Vision:
    """Charter a vision. Refused with 409 `active_vision_exists` while the team has an active
    one: the team works on one important problem at a time."""
    team = lock_team(team)
    # Before the default end is computed from it: a start in year 9999 has no end nine
    # months later, and the model's own validator runs only at full_clean below.
    try:
        validate_planning_years(starts_on)
    except ValidationError as exc:
        raise ValidationError({"starts_on": exc.messages}) from None
    vision = Vision(
        team=team,
        title=title.strip(),
        problem=problem.strip(),
        starts_on=starts_on,
        ends_on=ends_on or periods.default_ends_on(starts_on),
        created_by=actor,
    )
    vision.full_clean(validate_constraints=False)
    _check_span(vision.starts_on, vision.ends_on)
    if Vision.objects.filter(team=team, status=VisionStatus.ACTIVE).exists():
        raise _active_vision_exists(team)
    try:
        with transaction.atomic():
            vision.save()
    except IntegrityError as exc:  # the unique constraint: a create that raced past the lock
        raise _active_vision_exists(team) from exc
    _charter(vision, CharterChangeKind.CHARTERED, actor)
    return vision


@transaction.atomic
def vision_update(
    *,
    vision: Vision,
    actor: User | None,
    fields: Mapping[str, Any],
    reason: str = "",
) -> Vision:
    """Change the title freely; changing the problem or the dates is a re-charter, which needs
    a reason (409 `reason_required`) and is kept in the vision's history."""
    vision = _writable(vision)
    changed = set()
    for name in ("title", "problem"):
        if name in fields and fields[name].strip() != getattr(vision, name):
            setattr(vision, name, fields[name].strip())
            changed.add(name)
    for name in ("starts_on", "ends_on"):
        if name in fields and fields[name] is not None and fields[name] != getattr(vision, name):
            setattr(vision, name, fields[name])
            changed.add(name)
    if not changed:
        return vision
    recharter = changed & set(CHARTER_FIELDS)
    if recharter and not reason.strip():
        raise _reason_required("the problem or the dates of the vision change")
    vision.full_clean(validate_constraints=False)
    _check_span(vision.starts_on, vision.ends_on)
    vision.save()
    if recharter:
        _charter(vision, CharterChangeKind.RECHARTERED, actor, reason.strip())
    return vision


@transaction.atomic
def vision_abandon(*, vision: Vision, actor: User | None, reason: str) -> Vision:
    """Stop pursuing the vision (the team may then charter another). Needs a reason."""
    vision = _lock_vision(vision)
    if not vision.is_active:
        raise RuleViolation(
            RuleCode.INVALID_TRANSITION, f"“{vision.title}” is already {vision.status}."
        )
    if not reason.strip():
        raise _reason_required("the vision is abandoned")
    vision.status = VisionStatus.ABANDONED
    vision.save(update_fields=["status", "updated_at"])
    _charter(vision, CharterChangeKind.ABANDONED, actor, reason.strip())
    return vision


def _follow_criteria(vision: Vision, actor: User | None) -> None:
    """The status follows the definition of done: the first moment every criterion is met,
    the vision is achieved. It stays achieved (it was reached) even if a value later dips."""
    if not vision.is_active:
        return
    criteria = list(vision.criteria.all())
    if vision.achieved_by(criteria):
        vision.status = VisionStatus.ACHIEVED
        vision.achieved_at = timezone.now()
        vision.save(update_fields=["status", "achieved_at", "updated_at"])
        _charter(vision, CharterChangeKind.ACHIEVED, actor, "Every criterion is met.")


# --- Criteria -------------------------------------------------------------------------------


@transaction.atomic
def criterion_add(
    *,
    vision: Vision,
    actor: User | None,
    metric: str,
    comparator: str,
    target_value: float,
    description: str = "",
    unit: str = "",
    current_value: float | None = None,
) -> DoneCriterion:
    """Add a measurable line to the definition of done."""
    vision = _writable(vision)
    _check_number("target_value", target_value)
    _check_number("current_value", current_value)
    criterion = DoneCriterion(
        vision=vision,
        description=description.strip(),
        metric=metric.strip(),
        comparator=comparator,
        target_value=target_value,
        unit=unit.strip(),
        position=vision.criteria.count(),
    )
    criterion.full_clean(validate_constraints=False)
    criterion.save()
    if current_value is not None:
        _record_value(criterion, current_value, actor=actor, token=None)
    _follow_criteria(vision, actor)
    return criterion


def _record_value(
    criterion: DoneCriterion,
    value: float,
    *,
    actor: User | None,
    token: CriteriaToken | None,
    at: datetime | None = None,
) -> None:
    at = at or timezone.now()
    CriterionValue.objects.create(
        criterion=criterion,
        old_value=criterion.current_value,
        new_value=value,
        author=actor,
        token=token,
        at=at,
    )
    criterion.current_value = value
    criterion.updated_at = at
    criterion.save(update_fields=["current_value", "updated_at"])


@transaction.atomic
def criterion_update_value(
    *,
    criterion: DoneCriterion,
    value: float,
    actor: User | None = None,
    token: CriteriaToken | None = None,
) -> DoneCriterion:
    """Record a criterion's newly measured value, keeping the old one in its history (who or
    which pipeline, when, old -> new). An unchanged value adds nothing."""
    _check_number("current_value", value)
    vision = _lock_vision(criterion.vision)
    criterion = DoneCriterion.objects.get(pk=criterion.pk)
    if criterion.current_value != value:
        _record_value(criterion, value, actor=actor, token=token)
        _follow_criteria(vision, actor)
    if token is not None:
        token.mark_used()  # "last posted" on the vision page, even when nothing changed
    return criterion


# --- Targets --------------------------------------------------------------------------------


def _check_period(number: int) -> None:
    if not 1 <= number <= periods.PERIODS:
        raise ValidationError({"period": [f"A period is 1, 2 or 3, not {number}."]})


def _new_target(
    vision: Vision, *, period: int, text: str, actor: User | None, reason: str
) -> tuple[Target, TargetRevision]:
    _check_period(period)
    if Target.objects.filter(vision=vision, period=period).exists():
        raise ValidationError(
            {"period": [f"Period {period} already has a target: revise it with a reason."]}
        )
    target = Target(vision=vision, period=period, text=text.strip())
    target.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise ValidationError({"period": [f"Period {period} already has a target."]}) from exc
    revision = TargetRevision.objects.create(
        target=target,
        text=target.text,
        reason=reason.strip() or "First version.",
        author=actor,
        at=timezone.now(),
    )
    return target, revision


def _revise_target(
    target: Target, *, text: str, reason: str, actor: User | None
) -> TargetRevision | None:
    """Append a revision when the text really changes (None when it does not)."""
    text = text.strip()
    if text == target.text:
        return None
    if not reason.strip():
        raise _reason_required(f"the target of period {target.period} changes")
    target.text = text
    target.full_clean(validate_constraints=False)
    target.save(update_fields=["text", "updated_at"])
    return TargetRevision.objects.create(
        target=target, text=text, reason=reason.strip(), author=actor, at=timezone.now()
    )


def _writable(vision: Vision) -> Vision:
    """Lock the vision; refuse when it is achieved or abandoned: its record is closed."""
    vision = _lock_vision(vision)
    if not vision.is_active:
        raise RuleViolation(
            RuleCode.INVALID_TRANSITION,
            f"“{vision.title}” is {vision.status}: it can no longer change.",
        )
    return vision


@transaction.atomic
def target_create(
    *, vision: Vision, actor: User | None, period: int, text: str, reason: str = ""
) -> Target:
    """Set a period's target; its creation is its first revision."""
    vision = _writable(vision)
    target, _ = _new_target(vision, period=period, text=text, actor=actor, reason=reason)
    return target


@transaction.atomic
def target_revise(*, target: Target, actor: User | None, text: str, reason: str) -> Target:
    """Change a target's text. Refused with 409 `reason_required` without a reason; every
    change is kept as an append-only revision."""
    _writable(target.vision)
    target = Target.objects.select_related("vision").get(pk=target.pk)
    _revise_target(target, text=text, reason=reason, actor=actor)
    return target


# --- Quarterly review -----------------------------------------------------------------------


def reviewable_period(vision: Vision, today: date) -> periods.Period | None:
    """The period a review is for now: the first one not yet reviewed, once it is ending (two
    weeks before its end) or over."""
    reviewed = set(vision.reviews.values_list("period", flat=True))
    for period in vision.periods:
        if period.number not in reviewed:
            return period if periods.review_open(period.ends_on, today) else None
    return None


def _no_review_due(vision: Vision) -> str:
    reviewed = set(vision.reviews.values_list("period", flat=True))
    waiting = [p for p in vision.periods if p.number not in reviewed]
    if not waiting:
        return "All three periods of this vision are reviewed."
    opens = waiting[0].ends_on - periods.REVIEW_OPENS_BEFORE
    return (
        f"No period is ending yet: the review of period {waiting[0].number} opens on "
        f"{opens.isoformat()}, two weeks before it is due."
    )


@transaction.atomic
def review_record(
    *,
    vision: Vision,
    actor: User,
    held_on: date,
    outcome: str,
    evidence: str,
    still_right_problem: bool,
    still_right_note: str = "",
    notes: str = "",
    attendees: Iterable[User] = (),
    criteria_values: Mapping[int, float | None] | None = None,
    next_target_text: str = "",
    next_target_reason: str = "",
) -> QuarterlyReview:
    """Record the quarterly review of the period that is ending or has ended, all in one
    transaction: the criteria's current values, the outcome, the decision on the direction,
    and the next period's target (set, or revised with a reason: 409 `reason_required`). The
    review keeps a snapshot of the vision as it saw it. Anything refused leaves nothing
    written."""
    vision = _writable(vision)
    today = timezone.localdate(timezone=ZoneInfo(vision.team.timezone))
    period = reviewable_period(vision, today)
    if period is None:
        raise ValidationError({"period": [_no_review_due(vision)]})
    if held_on > today:
        raise ValidationError({"held_on": ["A review is recorded once it has been held."]})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": ["Say whether the target was met, partly or missed."]})
    if not evidence.strip():
        raise ValidationError({"evidence": ["Show the evidence for the outcome."]})
    attendees = list(attendees)
    members = set(Membership.objects.filter(team=vision.team).values_list("user_id", flat=True))
    strangers = [u.username for u in attendees if u.pk not in members]
    if strangers:
        raise ValidationError({"attendees": [f"Not in the team: {', '.join(strangers)}."]})

    criteria = {c.pk: c for c in vision.criteria.all()}
    for pk, value in (criteria_values or {}).items():
        if pk not in criteria:
            raise ValidationError({"criteria": [f"No criterion {pk} in this vision."]})
        _check_number("current_value", value)
        if value is not None and value != criteria[pk].current_value:
            _record_value(criteria[pk], value, actor=actor, token=None)

    revision = None
    next_number = period.number + 1
    if next_number > periods.PERIODS and next_target_text.strip():
        raise ValidationError(
            {"next_target_text": ["This is the vision's last period: there is no next target."]}
        )
    if next_number <= periods.PERIODS:
        existing = Target.objects.filter(vision=vision, period=next_number).first()
        text = next_target_text.strip()
        if existing is None and not text:
            raise ValidationError(
                {"next_target_text": [f"Set the target for period {next_number}: set sail."]}
            )
        if existing is None:
            _, revision = _new_target(
                vision,
                period=next_number,
                text=text,
                actor=actor,
                reason=next_target_reason or f"Set at the review of period {period.number}.",
            )
        elif text:
            revision = _revise_target(existing, text=text, reason=next_target_reason, actor=actor)

    _follow_criteria(vision, actor)
    review = QuarterlyReview(
        vision=vision,
        period=period.number,
        held_on=held_on,
        outcome=outcome,
        evidence=evidence.strip(),
        still_right_problem=still_right_problem,
        still_right_note=still_right_note.strip(),
        notes=notes.strip(),
        author=actor,
        next_target_revision=revision,
        # Taken from the database after every write above, so it is what the review saw.
        snapshot=vision_snapshot(Vision.objects.get(pk=vision.pk)),
        created_at=timezone.now(),
    )
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        raise ValidationError({"period": ["This period has already been reviewed."]}) from exc
    review.attendees.set(attendees)
    return review


# --- Pipeline tokens ------------------------------------------------------------------------


@transaction.atomic
def criteria_token_create(*, vision: Vision, actor: User, label: str) -> tuple[CriteriaToken, str]:
    """A token for one pipeline to post this vision's criteria values; the secret is returned
    once and only its hash is kept."""
    return CriteriaToken.issue(vision=vision, label=label.strip(), created_by=actor)


def criteria_token_revoke(*, token: CriteriaToken) -> CriteriaToken:
    token.revoke()
    return token


# Milestones, slips, non-negotiables and checks live in checklist.py; one `services` name.
from .checklist import (  # noqa: E402
    check_remove,
    check_set,
    milestone_complete,
    milestone_create,
    milestone_update,
    non_negotiable_add,
    non_negotiable_retire,
    non_negotiable_update,
)

__all__ = [
    "check_remove",
    "check_set",
    "milestone_complete",
    "milestone_create",
    "milestone_update",
    "non_negotiable_add",
    "non_negotiable_retire",
    "non_negotiable_update",
]
