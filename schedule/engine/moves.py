"""Suggested moves of existing meetings that give focus time back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta

from .calendars import (
    Calendar,
    Frames,
    check_people,
    common_free,
    grid_starts,
    intervals_of,
    local_seconds,
    minutes_text,
    require_aware,
    to_seconds,
    to_seconds_ceil,
    utc_datetime,
    validate_policy,
    windows_reason,
    zone_of,
)
from .model import (
    MeetingSpec,
    Move,
    Person,
    Policy,
)
from .windows import OUTSIDE_TIER, WINDOW_POSITION, WINDOW_TIER, is_working_day

# --------------------------------------------------------------------------------------------
# rebalance
# --------------------------------------------------------------------------------------------


def rebalance(
    people: Mapping[str, Person],
    meetings: Sequence[MeetingSpec],
    week_start: date,
    policy: Policy,
    *,
    limit: int = 10,
    team_timezone: str = "UTC",
) -> list[Move]:
    """Suggested moves of this week's meetings that give the attendees focus time back.

    Rules:
      * the meetings considered start in [week_start 00:00, +7 days) in `team_timezone`; a move
        keeps the duration and the day (in `team_timezone`): people plan around which day a
        meeting is on, so only its time moves, on the grid, on a working day (in
        `team_timezone` and for every attendee), inside working hours and out of lunch;
      * `meetings` is authoritative: each one is counted once in its attendees' calendars
        (matched by exact (start, end) in Person.meetings, added when missing) and its own
        interval is taken out while its move is evaluated;
      * every attendee, required and optional, must be free at the new time (no conflicts), and
        the worst tier among required attendees (the same tiers `propose` ranks by) must not
        get worse;
      * gain = attendees' summed focus minutes after minus before; only gains > 0 are
        suggested; best move per meeting: larger gain, better tier, earlier in the windows'
        preference order (after lunch before early morning), batched, nearer the old time;
      * greedy: the best move overall is accepted and applied to the calendars before the next
        is chosen, so the returned moves never conflict with each other when applied together;
        at most `limit` moves, sorted by focus_gain_minutes, largest first.
    """
    validate_policy(policy)
    zone = zone_of(team_timezone)
    if limit < 1:
        return []
    week_lo = local_seconds(week_start, time(0), zone)
    week_hi = local_seconds(week_start + timedelta(days=7), time(0), zone)

    busy: dict[str, list[tuple[int, int]]] = {}
    held: dict[str, list[tuple[int, int]]] = {}
    for u, p in people.items():
        busy[u] = intervals_of(p.busy, p)
        held[u] = intervals_of(p.meetings, p)
    unmatched = {u: Counter(ivs) for u, ivs in held.items()}
    current: dict[int, tuple[int, int]] = {}
    for idx, m in enumerate(meetings):
        require_aware(m.start, f"meeting {m.id!r} start")
        require_aware(m.end, f"meeting {m.id!r} end")
        if m.end <= m.start:
            raise ValueError(f"Meeting {m.id!r} ends before it starts.")
        check_people(m.required, m.optional, people)
        iv = (to_seconds(m.start), to_seconds_ceil(m.end))
        current[idx] = iv
        for u in (*m.required, *m.optional):
            if unmatched[u][iv] > 0:
                unmatched[u][iv] -= 1
            else:
                held[u].append(iv)

    frames: Frames = {}  # every calendar below shares the policy
    pending = {idx for idx, (s, _e) in current.items() if week_lo <= s < week_hi}
    best: dict[int, tuple | None] = {}
    moves: list[Move] = []
    while pending and len(moves) < limit:
        for idx in pending:
            if idx not in best:
                day = utc_datetime(current[idx][0]).astimezone(zone).date()
                if not is_working_day(day):
                    best[idx] = None
                    continue
                day_lo = max(week_lo, local_seconds(day, time(0), zone))
                day_hi = min(week_hi, local_seconds(day + timedelta(days=1), time(0), zone))
                best[idx] = _best_move(
                    meetings[idx],
                    current[idx],
                    people,
                    busy,
                    held,
                    policy,
                    day_lo,
                    day_hi,
                    frames=frames,
                )
        options = [(v, idx) for idx, v in best.items() if idx in pending and v is not None]
        if not options:
            break
        (sort_key, new_s, reasons), idx = min(options, key=lambda o: (o[0][0], o[1]))
        m = meetings[idx]
        old_s, old_e = current[idx]
        new_iv = (new_s, new_s + (old_e - old_s))
        attendees = (*m.required, *m.optional)
        for u in attendees:
            held[u].remove((old_s, old_e))
            held[u].append(new_iv)
        current[idx] = new_iv
        pending.discard(idx)
        touched = set(attendees)
        for other in list(best):
            om = meetings[other]
            if touched.intersection(om.required) or touched.intersection(om.optional):
                del best[other]
        moves.append(
            Move(
                meeting_id=m.id,
                title=m.title,
                old_start=utc_datetime(old_s),
                old_end=utc_datetime(old_e),
                new_start=utc_datetime(new_iv[0]),
                new_end=utc_datetime(new_iv[1]),
                focus_gain_minutes=-sort_key[0],
                reasons=reasons,
            )
        )
    moves.sort(key=lambda mv: -mv.focus_gain_minutes)
    return moves


def _best_move(
    m: MeetingSpec,
    iv: tuple[int, int],
    people: Mapping[str, Person],
    busy: Mapping[str, list[tuple[int, int]]],
    held: Mapping[str, list[tuple[int, int]]],
    policy: Policy,
    lo: int,
    hi: int,
    *,
    frames: Frames,
) -> tuple[tuple, int, list[str]] | None:
    """The best move for one meeting as ((-gain, tier, preference, not adjacent, distance), start,
    reasons)."""
    old_s, old_e = iv
    duration = old_e - old_s

    def without_self(u: str) -> Calendar:
        mine = list(held[u])
        mine.remove(iv)
        return Calendar(people[u], policy, busy[u], mine, frames)

    req = [without_self(u) for u in m.required]
    opt = [without_self(u) for u in m.optional]
    everyone = req + opt
    old_kinds = [cal.window(old_s, old_e) for cal in req]
    old_tier = max(OUTSIDE_TIER if k is None else WINDOW_TIER[k] for k in old_kinds)
    old_costs = [cal.insertion_cost(old_s, old_e) for cal in everyone]

    found: tuple | None = None
    for a, b, segs in common_free(everyone, lo, hi, duration):
        for s in grid_starts(a, b, duration, policy.grid_minutes * 60):
            if s == old_s:
                continue
            e = s + duration
            kinds = [cal.classify(seg[2], s, e) for cal, seg in zip(req, segs, strict=False)]
            tier = max(WINDOW_TIER[k] for k in kinds)
            if tier > old_tier:
                continue
            new_cost = sum(
                cal.cost_in_segment(sa, sb, s, e)
                for cal, (sa, sb, _d) in zip(everyone, segs, strict=True)
            )
            gain = sum(old_costs) - new_cost
            if gain <= 0:
                continue
            adjacent = any(e in cal.meeting_starts or s in cal.meeting_start_by_end for cal in req)
            place = max(WINDOW_POSITION[k] for k in kinds)
            key = (-gain, tier, place, 0 if adjacent else 1, abs(s - old_s), s)
            if found is None or key < found[0]:
                found = (key, segs)
    if found is None:
        return None
    key, segs = found
    s = key[-1]
    e = s + duration
    gain = -key[0]
    per_person = []
    for cal, old_c, (sa, sb, _d) in zip(everyone, old_costs, segs, strict=True):
        delta = old_c - cal.cost_in_segment(sa, sb, s, e)
        if delta > 0:
            per_person.append(f"{cal.name} {minutes_text(delta)}")
    reasons = [f"gives back {minutes_text(gain)} of focus time ({', '.join(per_person)})"]
    new_kinds = [cal.classify(seg[2], s, e) for cal, seg in zip(req, segs, strict=False)]
    where = windows_reason(list(zip(req, new_kinds, strict=True)))
    if new_kinds == old_kinds:
        reasons.append(f"stays {where}")
    else:
        before = windows_reason(list(zip(req, old_kinds, strict=True)))
        reasons.append(f"{where}, instead of {before}")
    if key[3] == 0:
        reasons.append("batched next to another meeting")
    return key[:5], s, reasons
