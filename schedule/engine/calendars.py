"""Per-person calendars in epoch seconds: local days, windows, free segments, focus.

Internal to the engine; nothing here is part of the public API."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import Person, Policy
from .windows import (
    MAKER_TIME,
    OUTSIDE_PHRASE,
    OUTSIDE_TIER,
    WINDOW_PHRASE,
    WINDOW_POSITION,
    WINDOW_TIER,
    day_windows_seconds,
    is_working_day,
    wall_time,
)
from .zones import city_name

# --------------------------------------------------------------------------------------------
# Time helpers (integers: epoch seconds)
# --------------------------------------------------------------------------------------------


def require_aware(dt: datetime, what: str) -> None:
    if not isinstance(dt, datetime):
        raise ValueError(f"{what} must be a datetime, got {type(dt).__name__}.")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got the naive datetime {dt}).")


def to_seconds(dt: datetime) -> int:
    return math.floor(dt.timestamp())


def to_seconds_ceil(dt: datetime) -> int:
    return math.ceil(dt.timestamp())


def utc_datetime(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def local_seconds(day: date, wall: time, zone: ZoneInfo, plus_minutes: int = 0) -> int:
    """`wall_time` (wall-clock arithmetic, fold=0) as epoch seconds."""
    return math.floor(wall_time(day, wall, zone, plus_minutes).timestamp())


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"Unknown timezone {name!r}; use an IANA name such as Europe/Paris."
        ) from exc


def _merge(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sort and merge overlapping or touching intervals; returns parallel start/end lists."""
    starts: list[int] = []
    ends: list[int] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if ends and s <= ends[-1]:
            if e > ends[-1]:
                ends[-1] = e
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def minutes_text(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h else f"{m} min"


def join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def validate_policy(policy: Policy) -> None:
    if not policy.workday_start < policy.workday_end:
        raise ValueError("The policy's workday must start before it ends.")
    if policy.lunch_end < policy.lunch_start:
        raise ValueError("The policy's lunch must start before it ends.")
    if policy.grid_minutes <= 0 or policy.window_minutes < 0:
        raise ValueError("grid_minutes must be positive and window_minutes not negative.")
    if policy.min_focus_block_minutes <= 0:
        raise ValueError("min_focus_block_minutes must be positive.")


# --------------------------------------------------------------------------------------------
# Per-person calendar
# --------------------------------------------------------------------------------------------


class Day:
    """One local day of one person, in epoch seconds."""

    __slots__ = ("free_ends", "free_starts", "windows", "working")

    def __init__(
        self,
        working: list[tuple[int, int]],
        windows: list[tuple[str, int, int]],
        free_starts: list[int],
        free_ends: list[int],
    ) -> None:
        self.working = working  # working hours minus lunch
        self.windows = windows  # (kind, lo, hi) in preference order; none on a meeting-free day
        self.free_starts = free_starts  # working minus busy, sorted
        self.free_ends = free_ends


# One local day's working hours (minus lunch) and meeting windows, by (date, zone, workday
# start, workday end, lunch start, lunch end): the same for everyone who shares a zone and hours.
Frame = tuple[list[tuple[int, int]], list[tuple[str, int, int]]]
Frames = dict[tuple[date, str, time, time, time, time], Frame]


class Calendar:
    """A person's merged busy time and lazily built local days.

    Calendars built for one call under one policy may share `frames`, so that a team mostly in
    one zone works out each day's hours and windows once, not once per person.
    """

    def __init__(
        self,
        person: Person,
        policy: Policy,
        busy: list[tuple[int, int]],
        meetings: list[tuple[int, int]],
        frames: Frames | None = None,
    ) -> None:
        self.username = person.username
        self.name = person.name or person.username  # in sentences
        self.zone_name = person.timezone
        self.zone = zone_of(person.timezone)
        self.city = city_name(person.timezone)
        self.policy = policy
        self.workday_start = _pick(person.workday_start, policy.workday_start)
        self.workday_end = _pick(person.workday_end, policy.workday_end)
        self.lunch_start = _pick(person.lunch_start, policy.lunch_start)
        self.lunch_end = _pick(person.lunch_end, policy.lunch_end)
        if not self.workday_start < self.workday_end:
            raise ValueError(f"{person.username}'s workday must start before it ends.")
        if self.lunch_end < self.lunch_start:
            raise ValueError(f"{person.username}'s lunch must start before it ends.")
        self.min_block = policy.min_focus_block_minutes * 60
        self.busy_starts, self.busy_ends = _merge(busy + meetings)
        self.meeting_starts = {s for s, _ in meetings}
        self.meeting_start_by_end = {e: s for s, e in meetings}
        self._days: dict[date, Day] = {}
        self._frames: Frames = {} if frames is None else frames

    @classmethod
    def of(
        cls,
        person: Person,
        policy: Policy,
        *,
        with_busy: bool = True,
        frames: Frames | None = None,
    ) -> Calendar:
        if not with_busy:
            return cls(person, policy, [], [], frames)
        busy = intervals_of(person.busy, person)
        return cls(person, policy, busy, intervals_of(person.meetings, person), frames)

    # -- days ------------------------------------------------------------------------------

    def local_date(self, ts: int) -> date:
        return datetime.fromtimestamp(ts, self.zone).date()

    def day(self, d: date) -> Day:
        found = self._days.get(d)
        if found is None:
            found = self._days[d] = self._build_day(d)
        return found

    def day_at(self, ts: int) -> Day:
        return self.day(self.local_date(ts))

    def _build_day(self, d: date) -> Day:
        hours = (self.workday_start, self.workday_end, self.lunch_start, self.lunch_end)
        key = (d, self.zone_name, *hours)
        frame = self._frames.get(key)
        if frame is None:
            frame = self._frames[key] = self._frame(d)
        working, windows = frame
        free_starts: list[int] = []
        free_ends: list[int] = []
        starts, ends = self.busy_starts, self.busy_ends
        n = len(starts)
        for a, b in working:
            cur = a
            i = bisect_right(ends, a)  # first busy interval ending after a
            while i < n and starts[i] < b:
                if starts[i] > cur:
                    free_starts.append(cur)
                    free_ends.append(starts[i])
                cur = max(cur, ends[i])
                i += 1
            if cur < b:
                free_starts.append(cur)
                free_ends.append(b)
        return Day(working, windows, free_starts, free_ends)

    def _frame(self, d: date) -> Frame:
        if not is_working_day(d):
            return [], []
        zone = self.zone
        ws = local_seconds(d, self.workday_start, zone)
        we = local_seconds(d, self.workday_end, zone)
        ls = local_seconds(d, self.lunch_start, zone)
        le = local_seconds(d, self.lunch_end, zone)
        working = [(a, b) for a, b in ((ws, min(we, ls)), (max(ws, le), we)) if b > a]
        if ls >= le:  # no lunch at all
            working = [(ws, we)] if we > ws else []
        windows = day_windows_seconds(
            d,
            zone,
            workday_start=self.workday_start,
            workday_end=self.workday_end,
            lunch_end=self.lunch_end,
            window_minutes=self.policy.window_minutes,
            meeting_free_weekdays=self.policy.meeting_free_weekdays,
        )
        return working, windows

    # -- questions -------------------------------------------------------------------------

    def block(self, seconds: int) -> int:
        """Focus minutes a free stretch of this length is worth (0 below the minimum block)."""
        return seconds // 60 if seconds >= self.min_block else 0

    def focus_minutes(self, day: Day) -> int:
        return sum(self.block(e - s) for s, e in zip(day.free_starts, day.free_ends, strict=True))

    def classify(self, day: Day, s: int, e: int) -> str:
        """Window kind of [s, e], which the caller knows to be inside working hours: the first
        window in preference order that holds it whole, else maker time."""
        for kind, lo, hi in day.windows:
            if lo <= s and e <= hi:
                return kind
        return MAKER_TIME

    def window(self, s: int, e: int) -> str | None:
        day = self.day_at(s)
        if not any(a <= s and e <= b for a, b in day.working):
            return None
        return self.classify(day, s, e)

    def free_segment(self, day: Day, s: int, e: int) -> tuple[int, int] | None:
        """The free segment of `day` holding [s, e], or None (busy, lunch, off hours)."""
        i = bisect_right(day.free_starts, s) - 1
        if i >= 0 and day.free_ends[i] >= e:
            return day.free_starts[i], day.free_ends[i]
        return None

    def cost_in_segment(self, a: int, b: int, s: int, e: int) -> int:
        """Focus minutes lost by putting [s, e] inside the free segment [a, b]."""
        return self.block(b - a) - self.block(s - a) - self.block(b - e)

    def insertion_cost(self, s: int, e: int) -> int:
        """Focus minutes lost by adding [s, e], wherever it lies (may cross segments or days)."""
        cost = 0
        seen: set[date] = set()
        for d in (self.local_date(s), self.local_date(max(s, e - 1))):
            if d in seen:
                continue
            seen.add(d)
            day = self.day(d)
            i = bisect_right(day.free_ends, s)
            while i < len(day.free_starts) and day.free_starts[i] < e:
                a, b = day.free_starts[i], day.free_ends[i]
                left = min(b, s) - a if s > a else 0
                right = b - max(a, e) if e < b else 0
                cost += self.block(b - a) - self.block(left) - self.block(right)
                i += 1
        return cost

    def free_segments_between(self, lo: int, hi: int, min_len: int) -> list[tuple[int, int, tuple]]:
        """Free segments overlapping [lo, hi], clipped, each tagged (a, b, day) with its full
        extent so that focus costs see the whole block."""
        out: list[tuple[int, int, tuple]] = []
        d = self.local_date(lo)
        last = self.local_date(hi)
        while d <= last:
            day = self.day(d)
            for a, b in zip(day.free_starts, day.free_ends, strict=True):
                ca, cb = max(a, lo), min(b, hi)
                if cb - ca >= min_len:
                    out.append((ca, cb, (a, b, day)))
            d += timedelta(days=1)
        return out

    def local(self, ts: int) -> datetime:
        return datetime.fromtimestamp(ts, self.zone)


def _pick(own: time | None, default: time) -> time:
    return default if own is None else own


def intervals_of(
    items: Sequence[tuple[datetime, datetime]], person: Person
) -> list[tuple[int, int]]:
    out = []
    for start, end in items:
        require_aware(start, f"{person.username}'s busy start")
        require_aware(end, f"{person.username}'s busy end")
        # Busy time is rounded outward so that a 10:00:30 end still blocks 10:00.
        out.append((to_seconds(start), to_seconds_ceil(end)))
    return out


def _intersect(
    acc: list[tuple[int, int, tuple]], segs: list[tuple[int, int, tuple]], min_len: int
) -> list[tuple[int, int, tuple]]:
    """Two-pointer intersection of sorted, disjoint segment lists, collecting the tags."""
    out: list[tuple[int, int, tuple]] = []
    i = j = 0
    while i < len(acc) and j < len(segs):
        a1, b1, t1 = acc[i]
        a2, b2, t2 = segs[j]
        lo, hi = max(a1, a2), min(b1, b2)
        if hi - lo >= min_len:
            out.append((lo, hi, (*t1, t2)))
        if b1 < b2:
            i += 1
        else:
            j += 1
    return out


def common_free(
    cals: Sequence[Calendar], lo: int, hi: int, min_len: int
) -> list[tuple[int, int, tuple]]:
    """Stretches of at least `min_len` where every calendar is free and at work; the tag holds,
    per calendar in order, the full free segment (a, b, day) the stretch lies in."""
    acc = [(a, b, (tag,)) for a, b, tag in cals[0].free_segments_between(lo, hi, min_len)]
    for cal in cals[1:]:
        if not acc:
            break
        acc = _intersect(acc, cal.free_segments_between(lo, hi, min_len), min_len)
    return acc


def grid_starts(lo: int, hi: int, duration: int, grid: int) -> range:
    """Grid-aligned (UTC) starts s with lo <= s and s + duration <= hi."""
    s = -(-lo // grid) * grid
    return range(s, hi - duration + 1, grid)


def check_people(
    required: Sequence[str], optional: Sequence[str], people: Mapping[str, Person]
) -> None:
    if not required:
        raise ValueError("A meeting needs at least one required attendee.")
    everyone = [*required, *optional]
    dupes = sorted({u for u, n in Counter(everyone).items() if n > 1})
    if dupes:
        raise ValueError(f"Listed more than once (required or optional): {', '.join(dupes)}.")
    unknown = [u for u in everyone if u not in people]
    if unknown:
        raise ValueError(f"Unknown attendee(s): {', '.join(unknown)}.")


def windows_reason(pairs: Sequence[tuple[Calendar, str | None]]) -> str:
    """'right after lunch for alice (Paris) and early morning for bob (New York)'."""
    groups: dict[str, list[str]] = {}
    for cal, kind in pairs:
        groups.setdefault(kind or "outside", []).append(f"{cal.name} ({cal.city})")
    order = sorted(
        groups, key=lambda k: (WINDOW_TIER.get(k, OUTSIDE_TIER), WINDOW_POSITION.get(k, 0))
    )
    parts = [f"{WINDOW_PHRASE.get(k, OUTSIDE_PHRASE)} for {join_words(groups[k])}" for k in order]
    return join_words(parts)


def focus_reason(cal: Calendar, a: int, b: int, s: int, e: int) -> str:
    cost = cal.cost_in_segment(a, b, s, e)
    if cost == 0:
        return f"costs {cal.name} no focus time"
    left, right = s - a, b - e
    kept = max(left, right)
    if cal.block(kept) and cost <= (e - s) // 60:
        part = "morning" if cal.local(b - 1).hour < 12 else "afternoon"
        return f"keeps {cal.name}'s {minutes_text(kept // 60)} {part} focus block"
    return f"breaks {minutes_text(cost)} of {cal.name}'s focus time"
