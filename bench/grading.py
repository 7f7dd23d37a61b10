"""How the benchmarks grade a schedule, written apart from the engine on purpose.

A benchmark that graded placements with the engine's own classifier would agree with the engine
whatever the engine got wrong. Everything here works on each person's local wall clock in plain
minutes since local midnight, from the raw aware datetimes: which window a meeting lies in,
whether someone is free, the focus minutes of a day, and the ranking the source asks for. Only
the names of the window kinds are shared with the engine (they are the API's vocabulary).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedule.engine import (
    AFTER_LUNCH,
    EARLY_MORNING,
    END_OF_DAY,
    MAKER_TIME,
    Person,
    Policy,
    SlotRequest,
)

FRIENDLY = frozenset({AFTER_LUNCH, EARLY_MORNING, END_OF_DAY})
# "Either right after lunch or early in the morning": one tier; "near the end of the day if
# nothing else works": the next; maker time last. Inside a tier focus cost decides, then after
# lunch before early morning.
TIER = {AFTER_LUNCH: 0, EARLY_MORNING: 0, END_OF_DAY: 1, MAKER_TIME: 2}
PREFERENCE = {AFTER_LUNCH: 0, EARLY_MORNING: 1, END_OF_DAY: 2, MAKER_TIME: 3}


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class Hours:
    """A person's day in local minutes: workday and lunch."""

    start: int
    end: int
    lunch_start: int
    lunch_end: int

    @classmethod
    def of(cls, person: Person, policy: Policy) -> Hours:
        return cls(
            _minutes(person.workday_start or policy.workday_start),
            _minutes(person.workday_end or policy.workday_end),
            _minutes(person.lunch_start or policy.lunch_start),
            _minutes(person.lunch_end or policy.lunch_end),
        )


def kind_in_minutes(day: date, a: int, b: int, hours: Hours, policy: Policy) -> str | None:
    """Window of local minutes [a, b) on `day`; None outside working hours, over lunch or on a
    weekend. A meeting is in a window only when it lies entirely inside it."""
    if day.weekday() >= 5 or a < hours.start or b > hours.end:
        return None
    if a < hours.lunch_end and hours.lunch_start < b:
        return None
    if day.weekday() in policy.meeting_free_weekdays:
        return MAKER_TIME
    w = policy.window_minutes
    for kind, lo, hi in (
        (AFTER_LUNCH, hours.lunch_end, hours.lunch_end + w),
        (EARLY_MORNING, hours.start, hours.start + w),
        (END_OF_DAY, hours.end - w, hours.end),
    ):
        if max(lo, hours.start) <= a and b <= min(hi, hours.end):
            return kind
    return MAKER_TIME


def window_kind(start: datetime, end: datetime, person: Person, policy: Policy) -> str | None:
    zone = ZoneInfo(person.timezone)
    ls, le = start.astimezone(zone), end.astimezone(zone)
    if ls.date() != le.date():
        return None
    return kind_in_minutes(
        ls.date(),
        ls.hour * 60 + ls.minute,
        le.hour * 60 + le.minute,
        Hours.of(person, policy),
        policy,
    )


def free(start: datetime, end: datetime, person: Person) -> bool:
    return all(e <= start or end <= s for s, e in (*person.busy, *person.meetings))


def focus_minutes(person: Person, days: Iterable[date], policy: Policy) -> int:
    """Minutes in free runs of at least min_focus_block inside working hours, lunch and every
    busy interval or meeting taken out, over the person's local `days`."""
    zone = ZoneInfo(person.timezone)
    hours = Hours.of(person, policy)
    wanted = {d for d in days if d.weekday() < 5}
    taken: dict[date, list[tuple[int, int]]] = {d: [] for d in wanted}
    for s, e in (*person.busy, *person.meetings):
        ls, le = s.astimezone(zone), e.astimezone(zone)
        for d in wanted:
            if le.date() < d or ls.date() > d or (le.date() == d and le.time() == time(0)):
                continue
            a = 0 if ls.date() < d else ls.hour * 60 + ls.minute
            b = 1440 if le.date() > d else le.hour * 60 + le.minute + (le.second > 0)
            taken[d].append((a, b))
    total = 0
    for d in wanted:
        busy = taken[d]
        if hours.lunch_end > hours.lunch_start:
            busy.append((hours.lunch_start, hours.lunch_end))
        cursor = hours.start
        for a, b in sorted(busy):
            if b <= cursor:
                continue
            if a >= hours.end:
                break
            run = min(a, hours.end) - cursor
            if run >= policy.min_focus_block_minutes:
                total += run
            cursor = max(cursor, b)
        run = hours.end - cursor
        if run >= policy.min_focus_block_minutes:
            total += run
    return total


def team_focus_minutes(people: Mapping[str, Person], days: Iterable[date], policy: Policy) -> int:
    days = list(days)
    return sum(focus_minutes(p, days, policy) for p in people.values())


def grid_slots(req: SlotRequest, policy: Policy) -> Iterator[tuple[datetime, datetime]]:
    """Every [start, end) of the request's duration on the UTC grid inside its range."""
    step = timedelta(minutes=policy.grid_minutes)
    duration = timedelta(minutes=req.duration_minutes)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    s = epoch + -((epoch - req.earliest) // step) * step
    while s + duration <= req.latest:
        yield s, s + duration
        s += step


def friendly_slot_exists(req: SlotRequest, people: Mapping[str, Person], policy: Policy) -> bool:
    """Whether some grid slot has every required attendee free and in a maker-friendly window."""
    return any(
        all(
            window_kind(s, e, people[u], policy) in FRIENDLY and free(s, e, people[u])
            for u in req.required
        )
        for s, e in grid_slots(req, policy)
    )
