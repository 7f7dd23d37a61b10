"""What a tripwire's state is, said in words: one definition for the page, the wall, the
emails and the webhook."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import detect
from .models import Tripwire


def amount(value: float | None, unit: str) -> str:
    """Two significant digits, as a person reads a dashboard: 4.1 %, 0.083, 34 ms."""
    if value is None:
        return "—"
    number = f"{value:.0f}" if abs(value) >= 100 else f"{value:.2g}"
    if "e" in number:
        number = f"{value:.1e}"
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
    """'daily', 'every 6 h', 'every 2 days'."""
    if hours == 24:
        return "daily"
    return f"every {hours // 24} days" if hours % 24 == 0 else f"every {hours} h"


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
        # Short enough for one line on the wall: the page says the rest.
        last = tripwire.last_observation_at
        when = day(last, tz) if last else "the start"
        return (
            f"{head}: silent since {when}, expected {interval(tripwire.expected_interval_hours)}:"
            " has the pipeline stopped?"
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
