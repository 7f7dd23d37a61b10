"""A seeded, realistic workload for the slot-engine benchmarks (pure Python, no Django).

Eight people in three zones (Paris, London, New York) with the calendars an ML team really has:
a daily squad stand-up, a weekly team sync, weekly 1:1s with the lead, external meetings that
cluster in mid-morning and mid-afternoon, and the odd all-morning block (interviews, training).
On top of that, 40 meeting requests over four weeks. Everything comes from one
`random.Random(seed)`, so a seed always gives the same workload.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedule.engine import Person, Policy, SlotRequest

TEAM_TIMEZONE = "Europe/Paris"
START = date(2026, 2, 2)  # a Monday; four weeks without a DST change on either side

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Member:
    username: str
    timezone: str
    workday_start: time | None = None
    workday_end: time | None = None
    squad: str = "europe"


# New Yorkers working with Europe start early; Londoners keep 8-17 so both ends line up.
MEMBERS = (
    Member("alice", "Europe/Paris"),  # the lead
    Member("bruno", "Europe/Paris"),
    Member("chloe", "Europe/Paris"),
    Member("david", "Europe/Paris"),
    Member("emma", "Europe/London", time(8), time(17)),
    Member("finn", "Europe/London", time(8), time(17)),
    Member("grace", "America/New_York", time(7), time(16), squad="us"),
    Member("hugo", "America/New_York", time(7), time(16), squad="us"),
)


@dataclass(frozen=True)
class Workload:
    people: dict[str, Person]
    requests: list[SlotRequest]
    policy: Policy
    start: datetime  # horizon, UTC
    end: datetime
    week_starts: list[date]
    team_timezone: str = TEAM_TIMEZONE


def _at(day: date, hh: int, mm: int, zone: str) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(zone))


def _quarter(rng: random.Random, lo: float, hi: float) -> tuple[int, int]:
    """A random quarter hour between two decimal hours."""
    q = rng.randint(int(lo * 4), int(hi * 4))
    return q // 4, 15 * (q % 4)


def make_workload(
    seed: int = 7,
    *,
    start: date = START,
    weeks: int = 4,
    n_requests: int = 40,
    requested_during_the_day: bool = True,
    external_per_day: tuple[int, ...] = (0, 0, 1, 1, 1, 2, 2, 3),
) -> Workload:
    """Calendars for MEMBERS over `weeks` weeks from `start` and `n_requests` requests."""
    rng = random.Random(seed)
    policy = Policy()
    days = [start + timedelta(days=i) for i in range(7 * weeks)]
    workdays = [d for d in days if d.weekday() < 5]
    busy: dict[str, list[Interval]] = {m.username: [] for m in MEMBERS}
    meetings: dict[str, list[Interval]] = {m.username: [] for m in MEMBERS}

    # Team rituals live in Focusboard (meetings); the rest comes from imported calendars (busy).
    one_on_one = {
        # Paris time; New Yorkers' 1:1s fall in their morning (13:00-15:30 Paris = 7-9:30).
        m.username: (
            rng.randint(0, 4),
            *_quarter(rng, *((10, 16.5) if m.squad == "europe" else (13, 15.5))),
        )
        for m in MEMBERS[1:]
    }
    for d in workdays:
        for m in MEMBERS:
            # Europe's stand-up is at 9:30 Paris time; New York's at 9:00 in New York.
            s = _at(d, 9, 30, TEAM_TIMEZONE) if m.squad == "europe" else _at(d, 9, 0, m.timezone)
            meetings[m.username].append((s, s + timedelta(minutes=15)))
        if d.weekday() == 1:  # weekly sync, everyone
            s = _at(d, 14, 0, TEAM_TIMEZONE)
            for m in MEMBERS:
                meetings[m.username].append((s, s + timedelta(minutes=30)))
        for name, (weekday, hh, mm) in one_on_one.items():
            if d.weekday() == weekday:
                s = _at(d, hh, mm, TEAM_TIMEZONE)
                for u in ("alice", name):
                    meetings[u].append((s, s + timedelta(minutes=30)))

    # External meetings: mid-morning or mid-afternoon on the person's own clock.
    for m in MEMBERS:
        ws = (m.workday_start or policy.workday_start).hour
        we = (m.workday_end or policy.workday_end).hour
        for d in workdays:
            if rng.random() < 0.08:  # interviews, training: the whole morning
                busy[m.username].append((_at(d, ws, 0, m.timezone), _at(d, 12, 0, m.timezone)))
                continue
            for _ in range(rng.choice(external_per_day)):
                if rng.random() < 0.55:
                    hh, mm = _quarter(rng, ws + 0.75, 11)
                else:
                    hh, mm = _quarter(rng, 13.5, we - 1.25)
                s = _at(d, hh, mm, m.timezone)
                length = rng.choice((30, 30, 45, 60, 60, 90))
                busy[m.username].append((s, s + timedelta(minutes=length)))

    people = {
        m.username: Person(
            m.username,
            m.timezone,
            busy=tuple(busy[m.username]),
            meetings=tuple(meetings[m.username]),
            workday_start=m.workday_start,
            workday_end=m.workday_end,
        )
        for m in MEMBERS
    }

    horizon_end = _at(days[-1] + timedelta(days=1), 0, 0, TEAM_TIMEZONE)
    requests = []
    names = [m.username for m in MEMBERS]
    squad = {m.username: m.squad for m in MEMBERS}
    for _ in range(n_requests):
        n_required = rng.choices((2, 3, 4), weights=(45, 35, 20))[0]
        first = rng.choice(names)
        required = [first]
        while len(required) < n_required:
            pool = [u for u in names if u not in required]
            mates = [u for u in pool if squad[u] == squad[first]]
            # Mostly people from the same squad, sometimes across the Atlantic.
            required.append(rng.choice(mates if mates and rng.random() < 0.75 else pool))
        rest = [u for u in names if u not in required]
        optional = rng.sample(rest, rng.randint(0, 2))
        earliest_day = rng.choice(workdays[: 5 * (weeks - 1)])
        if requested_during_the_day:
            # Asked for during someone's working day: "from now on".
            earliest = _at(earliest_day, *_quarter(rng, 9, 17.75), TEAM_TIMEZONE)
            earliest += timedelta(minutes=rng.randrange(15))
        else:
            earliest = _at(earliest_day, 0, 0, TEAM_TIMEZONE)
        latest = min(earliest + timedelta(days=rng.randint(7, 14)), horizon_end)
        requests.append(
            SlotRequest(
                duration_minutes=rng.choice((30, 30, 45, 60)),
                required=tuple(required),
                optional=tuple(optional),
                earliest=earliest,
                latest=latest,
            )
        )
    return Workload(
        people=people,
        requests=requests,
        policy=policy,
        start=_at(days[0], 0, 0, TEAM_TIMEZONE).astimezone(UTC),
        end=horizon_end.astimezone(UTC),
        week_starts=[start + timedelta(weeks=i) for i in range(weeks)],
    )


def interval_count(people: dict[str, Person]) -> int:
    return sum(len(p.busy) + len(p.meetings) for p in people.values())


def with_busy_intervals(workload: Workload, total: int, seed: int = 1) -> dict[str, Person]:
    """The workload's people with random extra busy intervals so that busy + meetings add up
    to `total` intervals across everyone (for scaling runs; calendars get very full)."""
    rng = random.Random(seed)
    extra = total - interval_count(workload.people)
    if extra < 0:
        raise ValueError(f"The workload already has more than {total} intervals.")
    span = int((workload.end - workload.start).total_seconds() // 60)
    names = sorted(workload.people)
    added: dict[str, list[Interval]] = {u: [] for u in names}
    for i in range(extra):
        u = names[i % len(names)]
        s = workload.start + timedelta(minutes=rng.randrange(span))
        added[u].append((s, s + timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))))
    return {u: replace(p, busy=p.busy + tuple(added[u])) for u, p in workload.people.items()}


def with_same_free_time(
    workload: Workload, people: dict[str, Person], total: int, seed: int = 2
) -> dict[str, Person]:
    """`people` with more busy intervals, up to `total`, that leave everyone's free time inside
    working hours exactly as it was, so the best slot must not change: what ten times the
    intervals looks like on real calendars, where most of them are the same events seen through
    overlapping calendars (a shared team calendar, a personal copy, tentative holds inside a
    booked block) and personal events in the evening or at the weekend.

    Every second added interval lies inside one of the person's existing busy intervals; the
    others fall between 19:00 and 23:30 local time or on a Saturday or Sunday.
    """
    rng = random.Random(seed)
    extra = total - interval_count(people)
    if extra < 0:
        raise ValueError(f"These calendars already have more than {total} intervals.")
    names = sorted(people)
    first = workload.week_starts[0]
    days = [first + timedelta(days=i) for i in range(7 * len(workload.week_starts))]
    added: dict[str, list[Interval]] = {u: [] for u in names}
    for i in range(extra):
        u = names[i % len(names)]
        person = people[u]
        existing = (*person.busy, *person.meetings)
        if i % 2 == 0 and existing:
            s, e = rng.choice(existing)
            span = int((e - s).total_seconds() // 60)
            lo = rng.randrange(span)
            hi = rng.randint(lo + 1, span)
            added[u].append((s + timedelta(minutes=lo), s + timedelta(minutes=hi)))
            continue
        day = rng.choice(days)
        if day.weekday() >= 5:
            s = _at(day, *_quarter(rng, 0, 22), person.timezone)
        else:
            s = _at(day, *_quarter(rng, 19, 22.5), person.timezone)
        added[u].append((s, s + timedelta(minutes=rng.choice((15, 30, 45, 60)))))
    return {u: replace(p, busy=p.busy + tuple(added[u])) for u, p in people.items()}
