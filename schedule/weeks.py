"""Weeks as the schedule's pages and API name them (ISO weeks, "2025-W07"), and the years a
team can plan in."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from core.times import FIRST_YEAR, LAST_YEAR, planning_years_sentence, within_planning_years
from teams.models import Team

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
# The years a team can plan in are core's (checked on the UTC instant for a time).
__all__ = ["FIRST_YEAR", "LAST_YEAR", "planning_years_sentence", "within_planning_years"]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def monday_at(moment: datetime, tz_name: str) -> date:
    """The Monday of the week `moment` falls in, in the given zone."""
    return monday_of(moment.astimezone(ZoneInfo(tz_name)).date())


def parse_week(value: str | None, *, today: date) -> date:
    """'2025-W07' -> that ISO week's Monday; empty -> this week's Monday."""
    if not value:
        return monday_of(today)
    match = _WEEK.match(value)
    if match and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    raise ValidationError(
        {"week": [f"{value[:20]!r} is not a week; use YYYY-Www, e.g. 2025-W07."]},
        code="invalid_week",
    )


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(monday: date, tz_name: str, *, weeks: int = 1) -> tuple[datetime, datetime]:
    """Monday 00:00 to the Monday `weeks` later, 00:00, in the given zone."""
    zone = ZoneInfo(tz_name)
    return (
        datetime.combine(monday, time(0), zone),
        datetime.combine(monday + timedelta(weeks=weeks), time(0), zone),
    )


def team_today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()
