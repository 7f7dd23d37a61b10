"""Every write to milestones, their slips, the non-negotiables and their checks.

Writes to one milestone lock its row, so a check, an uncheck, a move and `milestone_complete`
never interleave: completion sees the checklist as it is. There is no override anywhere: not
for leads, not for superusers, not through the admin or a bulk update.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from core.rules import RuleCode, RuleViolation
from core.wall import notify_wall_changed
from teams.models import Team

from . import selectors
from .models import (
    Check,
    Milestone,
    MilestoneSlip,
    MilestoneStatus,
    NonNegotiable,
    NonNegotiableVersion,
    Precision,
    Target,
)
from .softdates import TIMES

# A milestone moved this many times already needs the basis of its new estimate.
BASIS_AFTER_SLIPS = 2
WORDING_FIELDS = ("title", "description", "requires_evidence")
OPEN = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
# Where a milestone may go by hand; `done` only through milestone_complete.
STATUS_MOVES: dict[str, set[str]] = {
    MilestoneStatus.PLANNED: {MilestoneStatus.IN_PROGRESS, MilestoneStatus.DROPPED},
    MilestoneStatus.IN_PROGRESS: {MilestoneStatus.PLANNED, MilestoneStatus.DROPPED},
    MilestoneStatus.DROPPED: {MilestoneStatus.PLANNED},
    MilestoneStatus.DONE: set(),
}


def _lock(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("team").get(pk=milestone.pk)


def _open(milestone: Milestone, doing: str) -> None:
    if milestone.status not in OPEN:
        raise RuleViolation(
            RuleCode.INVALID_TRANSITION,
            f"“{milestone.title}” is {milestone.get_status_display().lower()}: it cannot {doing}.",
        )


def _target_of(team: Team, target: Target | None) -> Target | None:
    if target is not None and target.vision.team_id != team.pk:
        raise ValidationError({"target": ["That target belongs to another team."]})
    return target


# --- Milestones -----------------------------------------------------------------------------


@transaction.atomic
def milestone_create(
    *,
    team: Team,
    actor: User | None,
    title: str,
    target_date: date,
    precision: str = Precision.WEEK,
    description: str = "",
    target: Target | None = None,
) -> Milestone:
    """A soft-dated milestone, optionally towards one of the team's targets."""
    milestone = Milestone(
        team=team,
        target=_target_of(team, target),
        title=title.strip(),
        description=description.strip(),
        target_date=target_date,
        precision=precision,
        created_by=actor,
    )
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    actor: User | None,
    fields: dict[str, Any],
    reason: str = "",
    basis: str = "",
) -> Milestone:
    """Edit a milestone. Moving its target date (or precision) needs a reason (409
    `reason_required`) and appends a slip; once it has moved twice, the move also needs the
    basis of the new estimate: what was cut or learned."""
    milestone = _lock(milestone)
    old_date, old_precision = milestone.target_date, milestone.precision
    if "target" in fields:
        fields["target"] = _target_of(milestone.team, fields["target"])
    status = fields.pop("status", None)
    for name, value in fields.items():
        setattr(milestone, name, value.strip() if isinstance(value, str) else value)
    moved = (milestone.target_date, milestone.precision) != (old_date, old_precision)
    if moved:
        _open(milestone, "be moved")
        if not reason.strip():
            raise RuleViolation(
                RuleCode.REASON_REQUIRED,
                "Say why the target date moves: give a reason.",
            )
        slips = milestone.slips.count()
        if slips >= BASIS_AFTER_SLIPS and not basis.strip():
            raise RuleViolation(
                RuleCode.REASON_REQUIRED,
                f"“{milestone.title}” has moved {slips}{TIMES} already: say what the new estimate "
                "is based on (what was cut or learned), not just a date.",
            )
    if status is not None and status != milestone.status:
        if status not in STATUS_MOVES[milestone.status]:
            if status == MilestoneStatus.DONE:
                raise RuleViolation(
                    RuleCode.INVALID_TRANSITION,
                    "A milestone is completed through its checklist (complete), not by "
                    "setting its status.",
                )
            raise RuleViolation(
                RuleCode.INVALID_TRANSITION,
                f"A {milestone.get_status_display().lower()} milestone cannot become "
                f"{MilestoneStatus(status).label.lower()}.",
            )
        milestone.status = status
    milestone.full_clean()
    milestone.save()
    if moved:
        MilestoneSlip.objects.create(
            milestone=milestone,
            old_date=old_date,
            new_date=milestone.target_date,
            old_precision=old_precision,
            new_precision=milestone.precision,
            reason=reason.strip(),
            basis=basis.strip(),
            author=actor,
            at=timezone.now(),
        )
    return milestone


@transaction.atomic
def milestone_complete(*, milestone: Milestone, actor: User | None) -> Milestone:
    """Mark a milestone done. Refused with 409 `non_negotiables_unmet` and `missing`
    (titles) until every active non-negotiable is checked (with evidence where it requires
    it). There is no override, whoever asks."""
    milestone = _lock(milestone)
    _open(milestone, "be completed")
    missing = selectors.missing_titles(
        milestone, selectors.active_non_negotiables(milestone.team), list(milestone.checks.all())
    )
    if missing:
        raise RuleViolation(
            RuleCode.NON_NEGOTIABLES_UNMET,
            f"“{milestone.title}” cannot be completed: not yet checked: "
            + ", ".join(missing)
            + ". The non-negotiables are never negotiated.",
            missing=missing,
        )
    milestone.status = MilestoneStatus.DONE
    milestone.done_at = timezone.now()
    milestone.save(update_fields=["status", "done_at", "updated_at"])
    return milestone


# --- Checks ---------------------------------------------------------------------------------


def evidence_parts(evidence: str) -> tuple[str, str]:
    """(url, note): an http(s) URL is a link; anything that looks like another scheme
    (`javascript:`, `data:`, `ftp:`) is refused; everything else is a note."""
    text = evidence.strip()
    if not text:
        return "", ""
    if " " not in text and "\n" not in text:
        scheme = urlsplit(text).scheme.lower()
        if scheme in ("http", "https"):
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError as exc:
                raise ValidationError({"evidence": ["Give a valid http(s) link."]}) from exc
            return text, ""
        if scheme and text.lower().startswith(f"{scheme}:"):
            raise ValidationError(
                {"evidence": ["Evidence links must start with http:// or https://."]}
            )
    return "", text


@transaction.atomic
def check_set(
    *, milestone: Milestone, non_negotiable: NonNegotiable, actor: User | None, evidence: str = ""
) -> Check:
    """Check one active non-negotiable for an open milestone, against its current wording.
    Evidence (an http(s) URL or a note) is required when the non-negotiable says so."""
    milestone = _lock(milestone)
    if non_negotiable.team_id != milestone.team_id:
        raise ValidationError({"non_negotiable": ["That non-negotiable belongs to another team."]})
    if not non_negotiable.is_active:
        raise ValidationError({"non_negotiable": [f"“{non_negotiable.title}” is retired."]})
    _open(milestone, "be checked")
    url, note = evidence_parts(evidence)
    if non_negotiable.requires_evidence and not (url or note):
        raise ValidationError(
            {"evidence": [f"“{non_negotiable.title}” requires evidence: a link or a note."]}
        )
    check, _ = Check.objects.update_or_create(
        milestone=milestone,
        non_negotiable=non_negotiable,
        defaults={
            "version": non_negotiable.version,
            "checked_by": actor,
            "checked_at": timezone.now(),
            "evidence_url": url,
            "evidence_note": note,
        },
    )
    return check


@transaction.atomic
def check_remove(
    *, milestone: Milestone, non_negotiable: NonNegotiable, actor: User | None = None
) -> None:
    """Uncheck one item of an open milestone; a done milestone's checklist is its record.
    The check stays, marked unchecked (who, when): nothing on a checklist is deleted."""
    milestone = _lock(milestone)
    _open(milestone, "be unchecked")
    Check.objects.filter(milestone=milestone, non_negotiable=non_negotiable).update(
        unchecked_at=timezone.now(), unchecked_by=actor
    )
    notify_wall_changed(milestone.team_id)  # update() sends no signal; the wall shows progress


# --- Non-negotiables ------------------------------------------------------------------------


def _version(item: NonNegotiable, actor: User | None) -> NonNegotiableVersion:
    return NonNegotiableVersion.objects.create(
        non_negotiable=item,
        version=item.version,
        title=item.title,
        description=item.description,
        requires_evidence=item.requires_evidence,
        author=actor,
        at=timezone.now(),
    )


@transaction.atomic
def non_negotiable_add(
    *,
    team: Team,
    actor: User | None,
    title: str,
    description: str = "",
    requires_evidence: bool = False,
    position: int | None = None,
) -> NonNegotiable:
    """A new non-negotiable; it applies at once to every milestone not done yet."""
    if position is None:
        position = NonNegotiable.objects.filter(team=team).count()
    item = NonNegotiable(
        team=team,
        title=title.strip(),
        description=description.strip(),
        requires_evidence=requires_evidence,
        position=position,
    )
    item.full_clean()
    item.save()
    _version(item, actor)
    return item


@transaction.atomic
def non_negotiable_update(
    *, item: NonNegotiable, actor: User | None, fields: dict[str, Any]
) -> NonNegotiable:
    """Change a non-negotiable. A new wording (title, description, requires_evidence) is a
    new version; the old one stays in its history, and checks keep the version they met."""
    item = NonNegotiable.objects.select_for_update().get(pk=item.pk)
    if not item.is_active:
        raise RuleViolation(
            RuleCode.INVALID_TRANSITION, f"“{item.title}” is retired: it cannot change."
        )
    reworded = False
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if name in WORDING_FIELDS and getattr(item, name) != value:
            reworded = True
        setattr(item, name, value)
    if reworded:
        item.version += 1
    item.full_clean()
    item.save()
    if reworded:
        _version(item, actor)
    return item


@transaction.atomic
def non_negotiable_retire(*, item: NonNegotiable) -> NonNegotiable:
    """Retire a non-negotiable: it stops applying to open milestones; its checks and
    versions stay."""
    item = NonNegotiable.objects.select_for_update().get(pk=item.pk)
    if item.retired_at is None:
        item.retired_at = timezone.now()
        item.save(update_fields=["retired_at"])
    return item
