"""What a tripwire's state is, said in words: one definition for the page, the wall, the
emails and the webhook."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import detect
from .models import Tripwire


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    number = f"{value:.3g}"
    if "e" in number:
        number = f"{value:.2e}"
    return f"{number} {unit}".strip() if unit else number


def day(moment: datetime, tz: str) -> str:
    """'Tue 14 Oct' in the team's time zone."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}"


def ago(moment: datetime | None, now: datetime) -> str:
    """'3 h ago', '2 days ago', 'never'."""
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def interval(hours: int) -> str:
    return f"{hours} h" if hours % 24 else ("day" if hours == 24 else f"{hours // 24} days")


def lead_words(tripwire: Tripwire) -> str:
    return f"{tripwire.production_label}'s lead over the {tripwire.baseline_label}"


def status_sentence(tripwire: Tripwire, status: str, now: datetime) -> str:
    """The tripwire's state in one sentence, e.g. "Tripwire CTR: production's lead over the
    baseline fell from 4.1 % to 1.2 % since Tue 14 Oct"."""
    tz = tripwire.team.timezone
    head = f"Tripwire {tripwire.name}"
    unit = tripwire.unit
    reference = tripwire.assessed_reference_gap
    current = tripwire.current_gap
    since = f" since {day(tripwire.change_point, tz)}" if tripwire.change_point else ""
    if status == detect.Status.TRIPPED:
        if tripwire.cause == detect.Cause.SIGN_FLIP:
            return (
                f"{head}: {tripwire.production_label} is no better than the "
                f"{tripwire.baseline_label}{since} (gap {amount(current, unit)})"
            )
        return (
            f"{head}: {lead_words(tripwire)} fell from {amount(reference, unit)} to "
            f"{amount(current, unit)}{since}"
        )
    if status == detect.Status.STALE:
        last = tripwire.last_observation_at
        when = f"{day(last, tz)} {last.astimezone(ZoneInfo(tz)):%H:%M}" if last else "ever"
        return (
            f"{head}: no observation since {when} (expected every "
            f"{interval(tripwire.expected_interval_hours)}): the pipeline may have stopped"
        )
    if status == detect.Status.MUTED:
        until = tripwire.muted_until or now
        return f"{head}: muted until {day(until, tz)} {until.astimezone(ZoneInfo(tz)):%H:%M}"
    if status == detect.Status.LEARNING:
        return (
            f"{head}: learning the reference gap from the first {tripwire.reference_window} "
            f"observations ({tripwire.observation_count} so far)"
        )
    return f"{head}: {lead_words(tripwire)} is {amount(current, unit)} (reference " + (
        f"{amount(reference, unit)})"
    )


def recovery_sentence(tripwire: Tripwire) -> str:
    return (
        f"Tripwire {tripwire.name} recovered: {lead_words(tripwire)} is back at "
        f"{amount(tripwire.current_gap, tripwire.unit)}"
    )


def stale_after(tripwire: Tripwire) -> timedelta:
    return detect.STALE_FACTOR * tripwire.expected_interval
