"""What a quarterly review saw: a snapshot of the vision at that moment, and the changes
between two snapshots in words ("what changed since the previous review")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count

if TYPE_CHECKING:
    from .models import Vision


def vision_snapshot(vision: Vision) -> dict[str, Any]:
    """The problem, dates, criteria (with values and met) and targets, as plain JSON."""
    criteria = list(vision.criteria.all())
    targets = vision.targets.annotate(revision_count=Count("revisions")).order_by("period")
    return {
        "title": vision.title,
        "problem": vision.problem,
        "starts_on": vision.starts_on.isoformat(),
        "ends_on": vision.ends_on.isoformat(),
        "achieved": vision.achieved_by(criteria),
        "criteria": [
            {
                "id": c.pk,
                "description": c.description,
                "metric": c.metric,
                "comparator": c.comparator,
                "target_value": c.target_value,
                "unit": c.unit,
                "current_value": c.current_value,
                "met": c.met,
                "statement": c.statement,
            }
            for c in criteria
        ],
        "targets": [
            {"period": t.period, "text": t.text, "revisions": t.revision_count} for t in targets
        ],
    }


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value:g}{' ' + unit if unit else ''}"


def changes_between(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    """Sentences saying what changed from one review's snapshot to the next. The first review
    has nothing to compare with: the list is empty."""
    if not previous:
        return []
    changes: list[str] = []
    if previous.get("problem") != current.get("problem"):
        changes.append("The problem statement was re-chartered.")
    if (previous.get("starts_on"), previous.get("ends_on")) != (
        current.get("starts_on"),
        current.get("ends_on"),
    ):
        changes.append(
            f"The vision's dates moved from {previous.get('starts_on')} to "
            f"{previous.get('ends_on')}, to {current.get('starts_on')} to {current.get('ends_on')}."
        )
    before = {c["id"]: c for c in previous.get("criteria", [])}
    for criterion in current.get("criteria", []):
        old = before.get(criterion["id"])
        name = criterion["metric"]
        if old is None:
            changes.append(f"New criterion: {criterion['statement']}.")
            continue
        if old["current_value"] != criterion["current_value"]:
            met = ""
            if criterion["met"] and not old["met"]:
                met = " (now met)"
            elif old["met"] and not criterion["met"]:
                met = " (no longer met)"
            changes.append(
                f"{name}: {_value(old['current_value'], criterion['unit'])} → "
                f"{_value(criterion['current_value'], criterion['unit'])}{met}."
            )
    targets_before = {t["period"]: t for t in previous.get("targets", [])}
    for target in current.get("targets", []):
        old = targets_before.get(target["period"])
        if old is None:
            changes.append(f"The target for period {target['period']} was set.")
        elif old["text"] != target["text"]:
            changes.append(f"The target for period {target['period']} was revised.")
    return changes
