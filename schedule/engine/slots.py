"""Where a meeting can go: `propose` and the small public questions about one slot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from .calendars import (
    Calendar,
    Day,
    Frames,
    check_people,
    common_free,
    focus_reason,
    grid_starts,
    join_words,
    minutes_text,
    require_aware,
    to_seconds,
    to_seconds_ceil,
    utc_datetime,
    validate_policy,
    windows_reason,
)
from .model import (
    MeetingTooLong,
    Person,
    Policy,
    Proposal,
    ProposalResult,
    SlotRequest,
)
from .windows import MAKER_TIME, WINDOW_POSITION, WINDOW_TIER

# Two proposals on the same day start at least this far apart (or the meeting's length, when
# longer): a second option is another window, not the first one moved by a grid step.
DISTINCT_GAP_MINUTES = 60

_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


# --------------------------------------------------------------------------------------------
# Small public questions
# --------------------------------------------------------------------------------------------


def window_of(start: datetime, end: datetime, person: Person, policy: Policy) -> str | None:
    """The window kind [start, end) falls in for `person`, on their local clock.

    Rule: inside working hours and not touching lunch -> the first window in preference order
    (after_lunch, early_morning, end_of_day) that holds the whole meeting, else maker_time;
    meeting-free weekdays are all maker_time. Outside working hours, over lunch or on a weekend
    -> None. Busy time is ignored here (see `is_free`).
    """
    require_aware(start, "start")
    require_aware(end, "end")
    validate_policy(policy)
    if end <= start:
        raise ValueError("A meeting must end after it starts.")
    return Calendar.of(person, policy, with_busy=False).window(
        to_seconds(start), to_seconds_ceil(end)
    )


def is_free(start: datetime, end: datetime, person: Person) -> bool:
    """True when [start, end) overlaps none of the person's busy intervals or meetings
    (touching at an edge is not an overlap)."""
    require_aware(start, "start")
    require_aware(end, "end")
    return not any(s < end and start < e for s, e in (*person.busy, *person.meetings))


def focus_blocks(person: Person, day: date, policy: Policy) -> list[tuple[datetime, datetime]]:
    """The person's focus blocks on their local `day`, in UTC.

    Rule: a focus block is an uninterrupted free stretch of at least min_focus_block_minutes
    inside working hours, with lunch, busy time and meetings taken out.
    """
    validate_policy(policy)
    cal = Calendar.of(person, policy)
    d = cal.day(day)
    return [
        (utc_datetime(s), utc_datetime(e))
        for s, e in zip(d.free_starts, d.free_ends, strict=True)
        if e - s >= cal.min_block
    ]


# --------------------------------------------------------------------------------------------
# propose
# --------------------------------------------------------------------------------------------


def check_duration(minutes: int, policy: Policy) -> None:
    """ValueError for a non-positive duration; MeetingTooLong (suggesting a split) above the
    policy's maximum."""
    if minutes <= 0:
        raise ValueError("A meeting needs a positive duration.")
    if minutes > policy.max_meeting_minutes:
        parts = -(-minutes // policy.max_meeting_minutes)
        count = _COUNT_WORDS.get(parts, str(parts))
        raise MeetingTooLong(
            f"A {minutes}-minute meeting is longer than the team's "
            f"{policy.max_meeting_minutes}-minute maximum. Split it into {count} shorter "
            "meetings or cut the agenda."
        )


def size_warning(n: int, policy: Policy) -> str | None:
    """The sentence asking to keep a meeting small, when it has more than the policy allows."""
    if n <= policy.max_attendees:
        return None
    return (
        f"{n} people invited; the team keeps meetings to {policy.max_attendees} or fewer. "
        "Who could read the notes instead?"
    )


@dataclass(slots=True)
class _Candidate:
    # The ranking: worst tier, focus cost, worst place in the preference order, not adjacent,
    # -optional attendees free, start.
    key: tuple[int, int, int, int, int, int]
    kinds: tuple[str, ...]  # per required attendee
    segments: tuple  # per required attendee: (a, b, day)
    opt: list[tuple[str, str | None, bool, int]]  # per optional: name, kind, free, focus cost


def propose(request: SlotRequest, people: Mapping[str, Person], policy: Policy) -> ProposalResult:
    """Ranked meeting slots for `request`.

    Rules:
      * a slot is a candidate only when every required attendee is free and inside working
        hours, not over lunch, on a working day; starts lie on the UTC `grid_minutes` grid
        between `earliest` and `latest - duration`;
      * maker time (no window for some required attendee) only with `allow_maker_time`, and then
        the proposal is flagged `interrupts_maker_time`;
      * ranking, lexicographic: the worst tier among required attendees (after lunch and early
        morning form the preferred tier, end of day is the last resort, then maker time); then
        the smallest focus_cost_minutes, so that inside a tier the slot that breaks the least
        focus wins whichever preferred window it is in; then the worst required attendee's place
        in the preference order (after lunch before early morning, on equal cost); then
        adjacent to an existing meeting of a required attendee; then more optional attendees
        free; then earlier;
      * distinct options: the proposals are different days or windows, never one slot shifted
        by 15 minutes. Best first, a slot is taken when it starts at least DISTINCT_GAP_MINUTES
        (or the meeting's length, if longer) from every slot already taken on the same local
        date of the first required attendee, and when no slot with the same (date, required
        attendees' window kinds) is taken yet; if that gives fewer than `limit`, slots that
        only keep the distance fill up; the list is sorted by the ranking key. A range with
        fewer distinct options gives fewer proposals (and a warning saying so), not near copies;
      * an optional attendee counts as free when not busy, at work, not at lunch and (unless
        maker time is allowed) not in their maker time; free optional attendees add their
        focus cost;
      * duration over max_meeting_minutes raises MeetingTooLong; more than max_attendees
        invited produces a warning.
    """
    validate_policy(policy)
    req = request
    check_duration(req.duration_minutes, policy)
    require_aware(req.earliest, "earliest")
    require_aware(req.latest, "latest")
    if req.latest <= req.earliest:
        raise ValueError("latest must be after earliest.")
    if req.limit < 1:
        raise ValueError("limit must be at least 1.")
    check_people(req.required, req.optional, people)
    preferred: frozenset[str] | None = None
    if req.preferred_windows is not None:
        bad = [w for w in req.preferred_windows if w not in WINDOW_TIER]
        if bad:
            raise ValueError(f"Unknown window kind(s): {', '.join(bad)}.")
        preferred = frozenset(req.preferred_windows)

    warnings: list[str] = []
    size = size_warning(len(req.required) + len(req.optional), policy)
    if size:
        warnings.append(size)

    frames: Frames = {}
    req_cals = [Calendar.of(people[u], policy, frames=frames) for u in req.required]
    opt_cals = [Calendar.of(people[u], policy, frames=frames) for u in req.optional]
    duration = req.duration_minutes * 60
    lo, hi = to_seconds_ceil(req.earliest), to_seconds(req.latest)

    candidates: list[_Candidate] = []
    skipped_maker = 0
    for a, b, segs in common_free(req_cals, lo, hi, duration):
        for s in grid_starts(a, b, duration, policy.grid_minutes * 60):
            e = s + duration
            kinds = tuple(
                cal.classify(seg[2], s, e) for cal, seg in zip(req_cals, segs, strict=True)
            )
            tier = max(WINDOW_TIER[k] for k in kinds)
            if tier == WINDOW_TIER[MAKER_TIME] and not req.allow_maker_time:
                skipped_maker += 1
                continue
            if preferred is not None and not preferred.issuperset(kinds):
                continue
            cost = 0
            adjacent = False
            for cal, (sa, sb, _day) in zip(req_cals, segs, strict=True):
                cost += cal.cost_in_segment(sa, sb, s, e)
                adjacent = adjacent or e in cal.meeting_starts or s in cal.meeting_start_by_end
            opt: list[tuple[str, str | None, bool, int]] = []
            n_free = 0
            for cal in opt_cals:
                day = cal.day_at(s)
                seg = cal.free_segment(day, s, e)
                if seg is None:
                    kind = cal.classify(day, s, e) if _at_work(day, s, e) else None
                    opt.append((cal.username, kind, False, 0))
                    continue
                kind = cal.classify(day, s, e)
                free = kind != MAKER_TIME or req.allow_maker_time
                c = cal.cost_in_segment(seg[0], seg[1], s, e) if free else 0
                cost += c
                n_free += free
                opt.append((cal.username, kind, free, c))
            place = max(WINDOW_POSITION[k] for k in kinds)
            key = (tier, cost, place, 0 if adjacent else 1, -n_free, s)
            candidates.append(_Candidate(key, kinds, segs, opt))

    candidates.sort(key=lambda c: c.key)
    chosen = _diverse(candidates, req.limit, req_cals, duration)
    if not chosen:
        warnings.append(_nothing_found(req, skipped_maker))
    elif len(chosen) < min(req.limit, len(candidates)):
        warnings.append(_few_options(len(chosen)))
    n_attendees = len(req.required) + len(req.optional)
    proposals = [
        _describe(c, req_cals, opt_cals, duration, n_attendees, len(opt_cals)) for c in chosen
    ]
    return ProposalResult(proposals=proposals, warnings=warnings)


def _at_work(day: Day, s: int, e: int) -> bool:
    return any(a <= s and e <= b for a, b in day.working)


def _diverse(
    candidates: list[_Candidate], limit: int, req_cals: list[Calendar], duration: int
) -> list[_Candidate]:
    """The best distinct options (see `propose`), sorted: one per (organiser's local date,
    window kinds) and far enough apart first, then any far enough apart. The first required
    attendee's local date rather than the UTC date, so that the choice follows the people's
    days (a Sydney morning straddles two UTC dates)."""
    gap = max(DISTINCT_GAP_MINUTES * 60, duration)
    first = req_cals[0]
    taken_by_date: dict[date, list[int]] = {}
    chosen: list[_Candidate] = []
    groups: set[tuple] = set()
    later: list[tuple[_Candidate, date]] = []

    def far_enough(day: date, start: int) -> bool:
        return all(abs(start - other) >= gap for other in taken_by_date.get(day, ()))

    def take(c: _Candidate, day: date) -> None:
        chosen.append(c)
        taken_by_date.setdefault(day, []).append(c.key[-1])

    for c in candidates:
        day = first.local_date(c.key[-1])
        group = (day, c.kinds)
        if group in groups or not far_enough(day, c.key[-1]):
            later.append((c, day))
            continue
        groups.add(group)
        take(c, day)
        if len(chosen) == limit:
            return chosen
    for c, day in later:
        if len(chosen) == limit:
            break
        if far_enough(day, c.key[-1]):
            take(c, day)
    chosen.sort(key=lambda c: c.key)
    return chosen


def _few_options(n: int) -> str:
    count, options = ("one", "option") if n == 1 else (_COUNT_WORDS.get(n, str(n)), "options")
    return (
        f"Only {count} distinct {options} in this range (other free slots "
        "are the same ones a few minutes later); widen the dates for more."
    )


def _nothing_found(req: SlotRequest, skipped_maker: int) -> str:
    if skipped_maker and not req.allow_maker_time:
        return (
            "No slot outside maker time suits every required attendee in this range. "
            f"{skipped_maker} slot(s) exist inside maker time; widen the dates, or allow maker "
            "time to see them."
        )
    return (
        "No slot suits every required attendee in this range; widen the dates or make someone "
        "optional."
    )


_N_TIERS = len(set(WINDOW_TIER.values()))


def _score(key: tuple[int, int, int, int, int, int], n_attendees: int, n_optional: int) -> float:
    """1000 x (1 - position of (tier, cost, preference, adjacency, optional) in a mixed-radix
    order): the worst tier sets the band, one equal third of (0, 1000] per tier.

    Strictly decreasing along the ranking except the start time; equal for slots that differ
    only in time.
    """
    tier, cost, place, not_adjacent, neg_free, _start = key
    cost_radix = 1440 * max(n_attendees, 1) + 1  # a day's minutes per attendee bounds the cost
    place_radix = len(WINDOW_POSITION)
    opt_radix = n_optional + 1
    index = (
        ((tier * cost_radix + min(cost, cost_radix - 1)) * place_radix + place) * 2 + not_adjacent
    ) * opt_radix + (n_optional + neg_free)
    total = _N_TIERS * cost_radix * place_radix * 2 * opt_radix
    return 1000.0 * (1 - index / total)


def _describe(
    c: _Candidate,
    req_cals: list[Calendar],
    opt_cals: list[Calendar],
    duration: int,
    n_attendees: int,
    n_optional: int,
) -> Proposal:
    s = c.key[-1]
    e = s + duration
    windows: dict[str, str | None] = {}
    local_times: dict[str, datetime] = {}
    for cal, req_kind in zip(req_cals, c.kinds, strict=True):
        windows[cal.username] = req_kind
        local_times[cal.username] = cal.local(s)
    for cal, (_u, opt_kind, _free, _c) in zip(opt_cals, c.opt, strict=True):
        windows[cal.username] = opt_kind
        local_times[cal.username] = cal.local(s)

    reasons = [windows_reason([(cal, k) for cal, k in zip(req_cals, c.kinds, strict=True)])]
    makers = [cal.name for cal, k in zip(req_cals, c.kinds, strict=True) if k == MAKER_TIME]
    if makers:
        reasons.append(f"interrupts maker time for {join_words(makers)}")
    for cal, (a, b, _day) in zip(req_cals, c.segments, strict=True):
        reasons.append(focus_reason(cal, a, b, s, e))
    for cal, (_u, kind, free, cost) in zip(opt_cals, c.opt, strict=True):
        if free:
            extra = f" (breaks {minutes_text(cost)} of their focus time)" if cost else ""
            reasons.append(f"{cal.name} (optional) is free{extra}")
        elif kind is None:
            reasons.append(f"{cal.name} (optional) is not at work then")
        elif cal.free_segment(cal.day_at(s), s, e) is not None:
            reasons.append(f"{cal.name} (optional) would lose maker time, so is not counted")
        else:
            reasons.append(f"{cal.name} (optional) is busy then")
    for cal in req_cals:
        if e in cal.meeting_starts:
            reasons.append(f"next to {cal.name}'s {cal.local(e):%H:%M} meeting (batched)")
            break
        if s in cal.meeting_start_by_end:
            other = cal.meeting_start_by_end[s]
            reasons.append(f"right after {cal.name}'s {cal.local(other):%H:%M} meeting (batched)")
            break
    return Proposal(
        start=utc_datetime(s),
        end=utc_datetime(e),
        score=_score(c.key, n_attendees, n_optional),
        windows=windows,
        local_times=local_times,
        focus_cost_minutes=c.key[1],
        reasons=reasons,
        optional_free=tuple(u for u, _k, free, _c in c.opt if free),
        interrupts_maker_time=bool(makers),
    )
