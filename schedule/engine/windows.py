"""The meeting windows and working days: the one definition the whole product uses.

The engine ranks slots with it, the week picture draws it, the wall screen words it and the
policy page lists it. Change a window here and every one of them follows.

The source's advice, as rules:
* meetings go "either right after lunch or early in the morning": those two windows form the
  preferred tier; within it the slot that breaks the least focus wins, after lunch on a tie;
* "or near the end of the day if nothing else works": the end-of-day window is the last resort;
* everything else inside working hours is maker time, and so is the whole of a meeting-free day.

Times are wall-clock times in one person's zone: the after-lunch window is 13:00-14:30 on the
clock even on a DST day (a nonexistent or ambiguous time resolves with fold=0, the offset
before the change).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

AFTER_LUNCH = "after_lunch"
EARLY_MORNING = "early_morning"
END_OF_DAY = "end_of_day"
MAKER_TIME = "maker_time"

# Preference order of the windows: ties inside a tier break in this order.
WINDOW_ORDER: tuple[str, ...] = (AFTER_LUNCH, EARLY_MORNING, END_OF_DAY)
# Tiers, best first: 0 the preferred windows, 1 the last resort, 2 maker time.
WINDOW_TIER: dict[str, int] = {AFTER_LUNCH: 0, EARLY_MORNING: 0, END_OF_DAY: 1, MAKER_TIME: 2}
# Worse than any window: outside working hours, over lunch or on a day off. Only an existing
# meeting can sit there (nothing is ever proposed there), so only rebalance compares with it.
OUTSIDE_TIER = 3
# Each kind's place in the preference order, maker time last: the tie-break inside a tier.
WINDOW_POSITION: dict[str, int] = {kind: i for i, kind in enumerate((*WINDOW_ORDER, MAKER_TIME))}
MAKER_FRIENDLY_WINDOWS: frozenset[str] = frozenset(WINDOW_ORDER)

# How people read each kind, in a sentence ("a slot right after lunch") and as a label.
WINDOW_PHRASE: dict[str, str] = {
    AFTER_LUNCH: "right after lunch",
    EARLY_MORNING: "early morning",
    END_OF_DAY: "at the end of the day",
    MAKER_TIME: "in maker time",
}
OUTSIDE_PHRASE = "outside working hours"
WINDOW_LABEL: dict[str, str] = {
    AFTER_LUNCH: "after lunch",
    EARLY_MORNING: "early morning",
    END_OF_DAY: "end of day",
    MAKER_TIME: "maker time",
}

# Monday=0 ... Friday=4 are working days; Saturday and Sunday never are.
WORKING_WEEKDAYS: frozenset[int] = frozenset(range(5))


def is_working_day(day: date) -> bool:
    return day.weekday() in WORKING_WEEKDAYS


def is_meeting_day(day: date, meeting_free_weekdays: Collection[int] = ()) -> bool:
    """A working day that is not one of the team's meeting-free weekdays."""
    return is_working_day(day) and day.weekday() not in meeting_free_weekdays


def wall_time(day: date, clock: time, zone: tzinfo, plus_minutes: int = 0) -> datetime:
    """`clock` on `day` in `zone`, plus minutes of wall-clock time (not elapsed time)."""
    naive = datetime.combine(day, clock) + timedelta(minutes=plus_minutes)
    return naive.replace(tzinfo=zone)


@dataclass(frozen=True)
class Window:
    kind: str
    start: datetime
    end: datetime


def day_windows(
    day: date,
    zone: tzinfo,
    *,
    workday_start: time,
    workday_end: time,
    lunch_end: time,
    window_minutes: int,
    meeting_free_weekdays: Collection[int] = (),
) -> list[Window]:
    """The meeting windows of one person's local day, in preference order.

    After lunch: lunch end -> +window; early morning: workday start -> +window; end of day: the
    last `window_minutes` of the workday. Each is clamped to the workday, and a window that
    clamps to nothing is left out. None on a weekend or a meeting-free weekday.
    """
    return [
        Window(kind, start, end)
        for kind, start, _, end, _ in _clamped_windows(
            day, zone, workday_start, workday_end, lunch_end, window_minutes, meeting_free_weekdays
        )
    ]


def day_windows_seconds(
    day: date,
    zone: tzinfo,
    *,
    workday_start: time,
    workday_end: time,
    lunch_end: time,
    window_minutes: int,
    meeting_free_weekdays: Collection[int] = (),
) -> list[tuple[str, int, int]]:
    """`day_windows` as (kind, start, end) in epoch seconds: the slot engine's arithmetic is on
    integers, and this spares it converting every window back."""
    return [
        (kind, math.floor(start_at), math.floor(end_at))
        for kind, _, start_at, _, end_at in _clamped_windows(
            day, zone, workday_start, workday_end, lunch_end, window_minutes, meeting_free_weekdays
        )
    ]


def _clamped_windows(
    day: date,
    zone: tzinfo,
    workday_start: time,
    workday_end: time,
    lunch_end: time,
    window_minutes: int,
    meeting_free_weekdays: Collection[int],
) -> list[tuple[str, datetime, float, datetime, float]]:
    """(kind, start, start as a timestamp, end, end as a timestamp) for `day_windows`."""
    if not is_meeting_day(day, meeting_free_weekdays):
        return []
    ws = wall_time(day, workday_start, zone)
    we = wall_time(day, workday_end, zone)
    raw = (
        (
            AFTER_LUNCH,
            wall_time(day, lunch_end, zone),
            wall_time(day, lunch_end, zone, window_minutes),
        ),
        (EARLY_MORNING, ws, wall_time(day, workday_start, zone, window_minutes)),
        (END_OF_DAY, wall_time(day, workday_end, zone, -window_minutes), we),
    )
    # Compared as instants: aware datetimes in one zone compare by wall time, which a DST day
    # would get wrong by an hour. Each instant is computed once: this runs for every person's
    # every day of a proposal's range.
    ws_at, we_at = ws.timestamp(), we.timestamp()
    windows = []
    for kind, lo, hi in raw:
        lo_at, hi_at = lo.timestamp(), hi.timestamp()
        start, start_at = (lo, lo_at) if lo_at >= ws_at else (ws, ws_at)
        end, end_at = (hi, hi_at) if hi_at <= we_at else (we, we_at)
        if end_at > start_at:
            windows.append((kind, start, start_at, end, end_at))
    return windows
