"""Soft dates: how a milestone's target date reads at its precision, and the neutral words
for one that has passed or moved. Pure: no Django, so hypothesis can test every date.

Precision day → "~ Mar 14", week → "~ week of Mar 9" (its Monday), month → "~ early March"
(days 1-10), "~ mid-March" (11-20), "~ late March" (21-end). A passed date is never shown as
overdue: "aimed for ~ mid-March, 2 weeks ago: re-aim?".
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

DAY, WEEK, MONTH = "day", "week", "month"
PRECISIONS = (DAY, WEEK, MONTH)
TIMES = "\N{MULTIPLICATION SIGN}"


def _third(day: int) -> str:
    return "early" if day <= 10 else "mid" if day <= 20 else "late"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def soft_date(target_date: date, precision: str) -> str:
    """The soft date as people read it, e.g. "~ mid-March"."""
    if precision == DAY:
        return f"~ {target_date:%b} {target_date.day}"
    if precision == WEEK:
        monday = week_start(target_date)
        return f"~ week of {monday:%b} {monday.day}"
    if precision == MONTH:
        third = _third(target_date.day)
        # "mid-March" takes a hyphen in English; "early March" and "late March" do not.
        return f"~ {third}{'-' if third == 'mid' else ' '}{target_date:%B}"
    raise ValueError(f"Unknown precision {precision!r}")


def last_day(target_date: date, precision: str) -> date:
    """The last day the soft date still covers: the day, the week's Sunday, or the end of
    the month's early/mid/late third."""
    if precision == DAY:
        return target_date
    if precision == WEEK:
        return week_start(target_date) + timedelta(days=6)
    if precision == MONTH:
        third = _third(target_date.day)
        if third == "early":
            return target_date.replace(day=10)
        if third == "mid":
            return target_date.replace(day=20)
        return target_date.replace(day=calendar.monthrange(target_date.year, target_date.month)[1])
    raise ValueError(f"Unknown precision {precision!r}")


def has_passed(target_date: date, precision: str, today: date) -> bool:
    return today > last_day(target_date, precision)


def ago(days: int) -> str:
    """'yesterday', '5 days ago', '2 weeks ago', '3 months ago'."""
    if days <= 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 61:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def passed_phrase(target_date: date, precision: str, today: date) -> str | None:
    """Neutral words for a soft date that has passed (None while it has not): the team
    re-aims; nothing is overdue."""
    end = last_day(target_date, precision)
    if today <= end:
        return None
    return f"aimed for {soft_date(target_date, precision)}, {ago((today - end).days)}: re-aim?"


def shift(days: int) -> str:
    """A signed distance: '+5 weeks', '-3 days', '+1 week'."""
    sign = "+" if days >= 0 else "-"
    size = abs(days)
    if (size >= 7 and size % 7 == 0) or size >= 14:
        weeks = round(size / 7)
        return f"{sign}{weeks} week{'s' if weeks != 1 else ''}"
    return f"{sign}{size} day{'s' if size != 1 else ''}"


def slip_summary(moves: Sequence[tuple[date, date]]) -> str:
    """'moved 2x (+5 weeks)' (with a multiplication sign) over (old, new) pairs in order;
    '' when never moved."""
    if not moves:
        return ""
    total = (moves[-1][1] - moves[0][0]).days
    return f"moved {len(moves)}{TIMES} ({shift(total)})"
