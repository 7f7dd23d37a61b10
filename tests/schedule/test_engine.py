"""Tests for the pure slot engine (no Django).

The property tests check the engine against an independent oracle written here: window kinds
are recomputed from each attendee's *local wall clock* (minutes since local midnight), busy time
from the raw datetimes, and focus time from a minute-by-minute map of the local day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedule.engine import (
    AFTER_LUNCH,
    EARLY_MORNING,
    END_OF_DAY,
    MAKER_TIME,
    MeetingSpec,
    MeetingTooLong,
    Person,
    Policy,
    SlotRequest,
    day_windows,
    focus_blocks,
    is_free,
    maker_report,
    propose,
    rebalance,
    window_of,
)
from schedule.engine.windows import day_windows_seconds

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
POLICY = Policy()
WED = date(2026, 3, 4)  # an ordinary Wednesday, before any 2026 DST change in Europe


def paris(d: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(d, time(h, m), tzinfo=PARIS)


def people_of(*persons: Person) -> dict[str, Person]:
    return {p.username: p for p in persons}


def request(**kw) -> SlotRequest:
    kw.setdefault("duration_minutes", 30)
    return SlotRequest(**kw)


def one_slot(person_list, start: datetime, minutes: int = 30, **kw):
    """Ask for exactly one slot: the window [start, start + minutes]."""
    req = request(
        duration_minutes=minutes,
        required=tuple(p.username for p in person_list),
        earliest=start,
        latest=start + timedelta(minutes=minutes),
        allow_maker_time=True,
        **kw,
    )
    return propose(req, people_of(*person_list), POLICY)


# ------------------------------------------------------------------------------------------
# Windows
# ------------------------------------------------------------------------------------------


def test_thirty_minutes_fit_after_lunch_from_1300_to_1400_but_1415_is_maker_time():
    alice = Person("alice", "Europe/Paris")
    for minute in range(0, 61, 15):
        start = paris(WED, 13) + timedelta(minutes=minute)
        assert window_of(start, start + timedelta(minutes=30), alice, POLICY) == AFTER_LUNCH
    start = paris(WED, 14, 15)
    assert window_of(start, start + timedelta(minutes=30), alice, POLICY) == MAKER_TIME
    assert window_of(paris(WED, 9), paris(WED, 10, 30), alice, POLICY) == EARLY_MORNING
    assert window_of(paris(WED, 9, 15), paris(WED, 10, 45), alice, POLICY) == MAKER_TIME
    assert window_of(paris(WED, 16, 30), paris(WED, 18), alice, POLICY) == END_OF_DAY
    assert window_of(paris(WED, 16, 15), paris(WED, 16, 45), alice, POLICY) == MAKER_TIME
    assert window_of(paris(WED, 17, 45), paris(WED, 18, 15), alice, POLICY) is None
    assert window_of(paris(WED, 8, 45), paris(WED, 9, 15), alice, POLICY) is None
    saturday = date(2026, 3, 7)
    assert window_of(paris(saturday, 13), paris(saturday, 13, 30), alice, POLICY) is None


def test_day_windows_keep_the_wall_clock_on_a_dst_day_and_skip_days_off():
    hours = {
        "workday_start": time(9),
        "workday_end": time(18),
        "lunch_end": time(13),
        "window_minutes": 90,
    }
    dst_monday = date(2026, 3, 30)  # the first working day of Paris summer time
    windows = day_windows(dst_monday, PARIS, **hours)
    assert [(w.kind, w.start.time(), w.end.time()) for w in windows] == [
        (AFTER_LUNCH, time(13), time(14, 30)),
        (EARLY_MORNING, time(9), time(10, 30)),
        (END_OF_DAY, time(16, 30), time(18)),
    ]
    assert windows[0].start.utcoffset() == timedelta(hours=2)
    # The engine reads the same windows as epoch seconds.
    assert day_windows_seconds(dst_monday, PARIS, **hours) == [
        (w.kind, int(w.start.timestamp()), int(w.end.timestamp())) for w in windows
    ]
    assert day_windows(date(2026, 3, 28), PARIS, **hours) == []  # a Saturday
    assert day_windows(dst_monday, PARIS, meeting_free_weekdays={0}, **hours) == []
    # A short day clamps every window to the workday; one that clamps to nothing is left out.
    short = {**hours, "workday_end": time(10), "window_minutes": 120}
    assert [(w.kind, w.start.time(), w.end.time()) for w in day_windows(WED, PARIS, **short)] == [
        (EARLY_MORNING, time(9), time(10)),
        (END_OF_DAY, time(9), time(10)),
    ]


def test_the_same_instant_is_a_different_window_in_each_zone():
    start = paris(WED, 13)  # 07:00 in New York (6 h apart in early March)
    end = start + timedelta(minutes=30)
    alice = Person("alice", "Europe/Paris")
    early_bob = Person("bob", "America/New_York", workday_start=time(7), workday_end=time(16))
    usual_bob = Person("bob", "America/New_York")
    assert start.astimezone(NEW_YORK).time() == time(7)
    assert window_of(start, end, alice, POLICY) == AFTER_LUNCH
    assert window_of(start, end, early_bob, POLICY) == EARLY_MORNING
    assert window_of(start, end, usual_bob, POLICY) is None

    result = one_slot([alice, early_bob], start)
    (only,) = result.proposals
    assert only.windows == {"alice": AFTER_LUNCH, "bob": EARLY_MORNING}
    assert only.local_times["bob"] == datetime(2026, 3, 4, 7, tzinfo=NEW_YORK)
    assert "right after lunch for alice (Paris) and early morning for bob (New York)" in (
        only.reasons
    )
    assert one_slot([alice, usual_bob], start).proposals == []


def test_lunch_overlap_is_refused():
    alice = Person("alice", "Europe/Paris")
    assert window_of(paris(WED, 11, 45), paris(WED, 12, 15), alice, POLICY) is None
    assert window_of(paris(WED, 12, 45), paris(WED, 13, 15), alice, POLICY) is None
    assert one_slot([alice], paris(WED, 11, 45)).proposals == []
    day = request(
        required=("alice",),
        earliest=paris(WED, 9),
        latest=paris(WED, 18),
        allow_maker_time=True,
        limit=50,
    )
    # Every distinct option of the day (maker time allowed); none touches lunch.
    starts = {p.start for p in propose(day, people_of(alice), POLICY).proposals}
    assert len(starts) >= 6
    for s in starts:
        assert not (s < paris(WED, 13) and paris(WED, 12) < s + timedelta(minutes=30))


def test_personal_lunch_and_meeting_free_weekdays():
    late_luncher = Person("dan", "Europe/Paris", lunch_start=time(13), lunch_end=time(14))
    assert window_of(paris(WED, 13), paris(WED, 13, 30), late_luncher, POLICY) is None
    assert window_of(paris(WED, 14), paris(WED, 14, 30), late_luncher, POLICY) == AFTER_LUNCH
    assert window_of(paris(WED, 12), paris(WED, 12, 30), late_luncher, POLICY) == MAKER_TIME
    no_meeting_wednesdays = Policy(meeting_free_weekdays=frozenset({2}))
    alice = Person("alice", "Europe/Paris")
    assert window_of(paris(WED, 13), paris(WED, 13, 30), alice, no_meeting_wednesdays) == (
        MAKER_TIME
    )


# ------------------------------------------------------------------------------------------
# Validation, size and length rules
# ------------------------------------------------------------------------------------------


def test_too_long_meeting_is_refused_with_a_suggestion_to_split():
    alice = Person("alice", "Europe/Paris")
    req = request(
        duration_minutes=90, required=("alice",), earliest=paris(WED, 9), latest=paris(WED, 18)
    )
    with pytest.raises(MeetingTooLong) as info:
        propose(req, people_of(alice), POLICY)
    assert str(info.value) == (
        "A 90-minute meeting is longer than the team's 60-minute maximum. "
        "Split it into two shorter meetings or cut the agenda."
    )
    assert isinstance(info.value, ValueError)


def test_too_many_attendees_warns_but_still_proposes():
    names = [f"p{i}" for i in range(7)]
    crowd = [Person(n, "Europe/Paris") for n in names]
    req = request(
        required=tuple(names[:4]),
        optional=tuple(names[4:]),
        earliest=paris(WED, 9),
        latest=paris(WED, 18),
    )
    result = propose(req, people_of(*crowd), POLICY)
    assert result.proposals
    assert result.warnings == [
        "7 people invited; the team keeps meetings to 6 or fewer. Who could read the notes instead?"
    ]
    ok = propose(
        request(required=tuple(names[:6]), earliest=paris(WED, 9), latest=paris(WED, 18)),
        people_of(*crowd),
        POLICY,
    )
    assert ok.warnings == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": 0}, "positive duration"),
        ({"latest": paris(WED, 9)}, "latest must be after earliest"),
        ({"earliest": datetime(2026, 3, 4, 9)}, "timezone-aware"),
        ({"required": ("alice", "zed")}, "Unknown attendee(s): zed"),
        ({"required": ()}, "at least one required"),
        ({"optional": ("alice",)}, "more than once"),
        ({"preferred_windows": ("lunchtime",)}, "Unknown window kind"),
    ],
)
def test_bad_requests_raise_value_error(changes, message):
    kw = {"required": ("alice",), "earliest": paris(WED, 9), "latest": paris(WED, 18)}
    kw.update(changes)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        propose(request(**kw), people_of(Person("alice", "Europe/Paris")), POLICY)


def test_unknown_timezone_and_naive_busy_are_refused():
    req = request(required=("x",), earliest=paris(WED, 9), latest=paris(WED, 18))
    with pytest.raises(ValueError, match="Unknown timezone"):
        propose(req, {"x": Person("x", "Mars/Olympus_Mons")}, POLICY)
    naive = Person("x", "Europe/Paris", busy=((datetime(2026, 3, 4, 9), datetime(2026, 3, 4, 10)),))
    with pytest.raises(ValueError, match="timezone-aware"):
        propose(req, {"x": naive}, POLICY)


# ------------------------------------------------------------------------------------------
# Maker time, ranking
# ------------------------------------------------------------------------------------------


def test_maker_time_only_when_allowed_and_then_flagged():
    # Busy in every window, so only maker time (10:30-12:00, 14:30-16:30) is left.
    alice = Person(
        "alice",
        "Europe/Paris",
        busy=(
            (paris(WED, 9), paris(WED, 10, 30)),
            (paris(WED, 13), paris(WED, 14, 30)),
            (paris(WED, 16, 30), paris(WED, 18)),
        ),
    )
    base = {"required": ("alice",), "earliest": paris(WED, 0), "latest": paris(WED, 23)}
    refused = propose(request(**base), people_of(alice), POLICY)
    assert refused.proposals == []
    assert "inside maker time" in refused.warnings[0]

    forced = propose(request(allow_maker_time=True, **base), people_of(alice), POLICY)
    assert forced.proposals
    for p in forced.proposals:
        assert p.interrupts_maker_time
        assert p.windows == {"alice": MAKER_TIME}
        assert "interrupts maker time for alice" in p.reasons


def test_preferred_windows_restrict_the_kinds():
    alice = Person("alice", "Europe/Paris")
    req = request(
        required=("alice",),
        earliest=paris(WED, 0),
        latest=paris(WED, 23),
        preferred_windows=(END_OF_DAY,),
        limit=20,
    )
    result = propose(req, people_of(alice), POLICY)
    assert result.proposals
    assert {p.windows["alice"] for p in result.proposals} == {END_OF_DAY}


def test_adjacent_slot_beats_a_scattered_one_at_equal_window_and_cost():
    # Afternoon: free 13:00-14:30 (90 min, below a focus block) then a meeting at 14:30.
    # Every after-lunch start 13:00..14:00 costs 0; only 14:00 touches the meeting.
    alice = Person("alice", "Europe/Paris", meetings=((paris(WED, 14, 30), paris(WED, 15)),))
    req = request(required=("alice",), earliest=paris(WED, 0), latest=paris(WED, 23))
    best = propose(req, people_of(alice), POLICY).proposals[0]
    assert best.start == paris(WED, 14)
    assert best.windows == {"alice": AFTER_LUNCH}
    assert best.focus_cost_minutes == 0
    assert "next to alice's 14:30 meeting (batched)" in best.reasons
    assert "costs alice no focus time" in best.reasons

    right_after = Person("alice", "Europe/Paris", meetings=((paris(WED, 12, 30), paris(WED, 13)),))
    # 12:30-13:00 overlaps lunch on the calendar but the engine does not care where it is.
    best = propose(req, people_of(right_after), POLICY).proposals[0]
    assert best.start == paris(WED, 13)
    assert "right after alice's 12:30 meeting (batched)" in best.reasons
    # Every reason names a person by their name when they have one (the username is a key).
    named = Person(
        "alice", "Europe/Paris", meetings=((paris(WED, 14, 30), paris(WED, 15)),), name="Alice Li"
    )
    reasons = propose(req, people_of(named), POLICY).proposals[0].reasons
    assert "next to Alice Li's 14:30 meeting (batched)" in reasons
    assert "costs Alice Li no focus time" in reasons
    assert not any("alice" in reason for reason in reasons)


def test_optional_attendee_free_beats_not_at_equal_cost():
    thu = WED + timedelta(days=1)
    alice = Person("alice", "Europe/Paris")
    # carol: busy Wednesday after lunch; Thursday she has a 14:30 meeting, so her 13:00-14:30
    # is no focus block and attending costs her nothing.
    carol = Person(
        "carol",
        "Europe/Paris",
        busy=((paris(WED, 13), paris(WED, 14, 30)),),
        meetings=((paris(thu, 14, 30), paris(thu, 15)),),
    )
    req = request(
        required=("alice",),
        optional=("carol",),
        earliest=paris(WED, 0),
        latest=paris(thu, 23),
        preferred_windows=(AFTER_LUNCH,),
    )
    proposals = propose(req, people_of(alice, carol), POLICY).proposals
    best = proposals[0]
    assert best.start == paris(thu, 13)
    assert best.optional_free == ("carol",)
    assert best.focus_cost_minutes == 30
    assert "carol (optional) is free" in best.reasons
    wednesday = next(p for p in proposals if p.start.date() == WED)
    assert wednesday.optional_free == ()
    assert wednesday.focus_cost_minutes == 30
    assert "carol (optional) is busy then" in wednesday.reasons
    assert best.score > wednesday.score


def test_optional_attendee_in_their_maker_time_is_not_counted_free():
    alice = Person("alice", "Europe/Paris")
    # Early lunch: carol's after-lunch window is 11:00-12:30, so 13:00 is her maker time.
    carol = Person("carol", "Europe/Paris", lunch_start=time(10), lunch_end=time(11))
    req = request(
        required=("alice",), optional=("carol",), earliest=paris(WED, 13), latest=paris(WED, 13, 30)
    )
    (only,) = propose(req, people_of(alice, carol), POLICY).proposals
    assert only.windows == {"alice": AFTER_LUNCH, "carol": MAKER_TIME}
    assert only.optional_free == ()
    assert only.focus_cost_minutes == 30  # carol's focus is not charged: she is not coming
    assert "carol (optional) would lose maker time, so is not counted" in only.reasons
    forced = propose(replace(req, allow_maker_time=True), people_of(alice, carol), POLICY)
    assert forced.proposals[0].optional_free == ("carol",)
    assert forced.proposals[0].focus_cost_minutes == 30 + 30


@pytest.mark.parametrize(
    ("start", "minutes", "cost"),
    [
        ((13, 0), 30, 30),  # trims the 5 h afternoon block: 300 -> 270
        ((14, 0), 30, 90),  # 13:00-14:00 falls below 2 h, plus the meeting itself
        ((10, 30), 30, 180),  # splits the 3 h morning into 90 + 60: both lost
        ((9, 0), 60, 60),  # 9:00-10:00 leaves a 2 h morning block
        ((17, 30), 30, 30),  # end of day: 13:00-17:30 stays a block
        ((16, 30), 30, 90),  # 17:00-18:00 is too short to count
        ((15, 0), 60, 60),  # 13-15 and 16-18 both stay 2 h blocks: 300 -> 240
    ],
)
def test_focus_cost_exact_minutes(start, minutes, cost):
    alice = Person("alice", "Europe/Paris")
    (only,) = one_slot([alice], paris(WED, *start), minutes).proposals
    assert only.focus_cost_minutes == cost


def test_focus_cost_sums_attendees_and_sees_busy_time():
    alice = Person("alice", "Europe/Paris", busy=((paris(WED, 15), paris(WED, 16)),))
    bob = Person("bob", "Europe/Paris", busy=((paris(WED, 14, 30), paris(WED, 15)),))
    # alice: 13-15 (120) -> 13:30-15 (90): loses 120. bob: 13-14:30 (90) is no block: 0.
    (only,) = one_slot([alice, bob], paris(WED, 13)).proposals
    assert only.focus_cost_minutes == 120
    assert "breaks 2 h of alice's focus time" in only.reasons
    assert "costs bob no focus time" in only.reasons
    blocks = focus_blocks(alice, WED, POLICY)
    assert blocks == [
        (paris(WED, 9).astimezone(UTC), paris(WED, 12).astimezone(UTC)),
        (paris(WED, 13).astimezone(UTC), paris(WED, 15).astimezone(UTC)),
        (paris(WED, 16).astimezone(UTC), paris(WED, 18).astimezone(UTC)),
    ]


def test_early_morning_that_breaks_less_focus_beats_after_lunch():
    # Busy 10:00-12:00: 9:00-10:00 is too short to be a focus block, so a 9:00 meeting costs
    # nothing, while 13:00 trims the 5 h afternoon block by 30 minutes.
    alice = Person("alice", "Europe/Paris", busy=((paris(WED, 10), paris(WED, 12)),))
    req = request(required=("alice",), earliest=paris(WED, 0), latest=paris(WED, 23), limit=3)
    proposals = propose(req, people_of(alice), POLICY).proposals
    assert [(p.start, p.windows["alice"], p.focus_cost_minutes) for p in proposals] == [
        (paris(WED, 9), EARLY_MORNING, 0),
        (paris(WED, 13), AFTER_LUNCH, 30),
        (paris(WED, 17, 30), END_OF_DAY, 30),
    ]
    assert proposals[0].score > proposals[1].score > proposals[2].score


def test_at_equal_focus_cost_after_lunch_comes_first_and_end_of_day_last():
    alice = Person("alice", "Europe/Paris")
    req = request(required=("alice",), earliest=paris(WED, 0), latest=paris(WED, 23), limit=3)
    proposals = propose(req, people_of(alice), POLICY).proposals
    # 13:00, 9:00 and 17:30 each trim a focus block by the meeting's 30 minutes.
    assert [(p.start, p.windows["alice"], p.focus_cost_minutes) for p in proposals] == [
        (paris(WED, 13), AFTER_LUNCH, 30),
        (paris(WED, 9), EARLY_MORNING, 30),
        (paris(WED, 17, 30), END_OF_DAY, 30),
    ]
    assert proposals[0].score > proposals[1].score > proposals[2].score


def test_end_of_day_is_the_last_resort_even_when_it_costs_nothing():
    # Busy 15:00-16:30: 16:30-18:00 is too short to be a focus block, so 16:30 costs nothing;
    # 9:00 costs 30 and 13:00 costs 120 (13:00-15:00 stops being a block). Both come first.
    alice = Person("alice", "Europe/Paris", busy=((paris(WED, 15), paris(WED, 16, 30)),))
    req = request(required=("alice",), earliest=paris(WED, 0), latest=paris(WED, 23), limit=3)
    proposals = propose(req, people_of(alice), POLICY).proposals
    assert [(p.start, p.windows["alice"], p.focus_cost_minutes) for p in proposals] == [
        (paris(WED, 9), EARLY_MORNING, 30),
        (paris(WED, 13), AFTER_LUNCH, 120),
        (paris(WED, 16, 30), END_OF_DAY, 0),
    ]
    # With both preferred windows taken, the end of the day is what is left.
    alice = replace(
        alice,
        busy=(
            *alice.busy,
            (paris(WED, 9), paris(WED, 10, 30)),
            (paris(WED, 13), paris(WED, 14, 30)),
        ),
    )
    best = propose(req, people_of(alice), POLICY).proposals[0]
    assert (best.start, best.windows["alice"]) == (paris(WED, 16, 30), END_OF_DAY)


@st.composite
def busy_days(draw):
    """One to three people in Paris with random busy time on one Wednesday."""
    people = {}
    for i in range(draw(st.integers(1, 3))):
        busy = []
        for _ in range(draw(st.integers(0, 6))):
            start = paris(WED, 9) + timedelta(minutes=15 * draw(st.integers(0, 35)))
            busy.append((start, start + timedelta(minutes=15 * draw(st.integers(1, 12)))))
        people[f"p{i}"] = Person(f"p{i}", "Europe/Paris", busy=tuple(busy))
    return people, draw(st.sampled_from([15, 30, 60]))


@settings(deadline=None, max_examples=150)
@given(busy_days())
def test_the_best_slot_follows_the_tiers_then_focus_cost_then_after_lunch(case):
    people, minutes = case
    req = request(
        duration_minutes=minutes,
        required=tuple(people),
        earliest=paris(WED, 0),
        latest=paris(WED, 23),
        limit=1000,  # every slot outside maker time
    )
    proposals = propose(req, people, POLICY).proposals
    if not proposals:
        return
    best = proposals[0]

    def tier(p) -> int:
        return max(ORACLE_TIER[oracle_kind(p.start, p.end, people[u], POLICY)] for u in people)

    preferred = [p for p in proposals if tier(p) == 0]
    if preferred:
        # An end-of-day slot is proposed first only when no preferred slot exists.
        assert tier(best) == 0
        cheapest = min(p.focus_cost_minutes for p in preferred)
        assert best.focus_cost_minutes == cheapest
        kinds_at_cheapest = {
            frozenset(p.windows.values()) for p in preferred if p.focus_cost_minutes == cheapest
        }
        if frozenset({AFTER_LUNCH}) in kinds_at_cheapest:
            assert set(best.windows.values()) == {AFTER_LUNCH}
    else:
        assert set(best.windows.values()) == {END_OF_DAY}
        assert best.focus_cost_minutes == min(p.focus_cost_minutes for p in proposals)


def test_best_slot_is_after_lunch_and_proposals_spread_over_days():
    alice = Person("alice", "Europe/Paris")
    monday = date(2026, 3, 2)
    req = request(
        required=("alice",), earliest=paris(monday, 0), latest=paris(monday, 0) + timedelta(days=7)
    )
    proposals = propose(req, people_of(alice), POLICY).proposals
    assert [p.start for p in proposals] == [paris(monday + timedelta(days=i), 13) for i in range(5)]
    assert len({p.score for p in proposals}) == 1  # same window, cost, adjacency, optional
    assert is_free(proposals[0].start, proposals[0].end, alice)


# ------------------------------------------------------------------------------------------
# DST: local clocks rule
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monday", "ny_start"),
    [
        (date(2026, 3, 2), time(7)),  # both on standard time: 6 h apart
        (date(2026, 3, 9), time(8)),  # US on DST, Europe not yet: 5 h apart
        (date(2026, 3, 30), time(7)),  # both on DST
        (date(2026, 10, 19), time(7)),
        (date(2026, 10, 26), time(8)),  # Europe back on standard time, US not yet
        (date(2026, 11, 2), time(7)),
    ],
)
def test_after_lunch_in_paris_stays_at_1300_across_transitions(monday, ny_start):
    alice = Person("alice", "Europe/Paris")
    bob = Person("bob", "America/New_York", workday_start=time(7), workday_end=time(16))
    req = request(
        required=("alice", "bob"),
        earliest=paris(monday, 0),
        latest=paris(monday, 0) + timedelta(days=5),
    )
    proposals = propose(req, people_of(alice, bob), POLICY).proposals
    assert len(proposals) == 5
    for i, p in enumerate(proposals):
        assert p.local_times["alice"] == paris(monday + timedelta(days=i), 13)
        assert p.local_times["bob"].time() == ny_start
        assert p.windows == {"alice": AFTER_LUNCH, "bob": EARLY_MORNING}


def test_nonexistent_and_ambiguous_local_times_do_not_crash():
    cairo = ZoneInfo("Africa/Cairo")
    # Friday 24 April 2026: Cairo jumps from 00:00 to 01:00, so a 00:00 workday start does not
    # exist (fold=0 reads it with the old offset: 01:00 on the new clock).
    night = Person("nadia", "Africa/Cairo", workday_start=time(0), workday_end=time(3))
    req = request(
        required=("nadia",),
        earliest=datetime(2026, 4, 23, 12, tzinfo=UTC),
        latest=datetime(2026, 4, 25, tzinfo=UTC),
        allow_maker_time=True,
        limit=20,
    )
    proposals = propose(req, people_of(night), POLICY).proposals
    assert proposals
    for p in proposals:
        local = p.start.astimezone(cairo)
        assert local.date() == date(2026, 4, 24)
        assert time(1) <= local.time() <= time(2, 30)
    assert window_of(proposals[0].start, proposals[0].end, night, POLICY) is not None
    # Thursday 29 October 2026: 23:00-24:00 happens twice.
    late = Person(
        "omar",
        "Africa/Cairo",
        workday_start=time(21),
        workday_end=time(23, 59),
        lunch_start=time(22, 30),
        lunch_end=time(23),
    )
    req = request(
        required=("omar",),
        earliest=datetime(2026, 10, 29, tzinfo=UTC),
        latest=datetime(2026, 10, 31, tzinfo=UTC),
        allow_maker_time=True,
        limit=20,
    )
    proposals = propose(req, people_of(late), POLICY).proposals
    assert proposals
    assert all(p.start.astimezone(cairo).time() >= time(21) for p in proposals)
    assert focus_blocks(late, date(2026, 10, 29), Policy(min_focus_block_minutes=30))


# ------------------------------------------------------------------------------------------
# maker_report and rebalance
# ------------------------------------------------------------------------------------------


def test_maker_report_exact_numbers():
    mon = date(2026, 3, 2)
    d = [mon + timedelta(days=i) for i in range(5)]
    policy = Policy(meeting_free_weekdays=frozenset({4}))
    alice = Person(
        "alice",
        "Europe/Paris",
        busy=((paris(d[2], 9), paris(d[2], 12)),),
        meetings=(
            (paris(d[0], 13), paris(d[0], 13, 30)),  # after lunch
            (paris(d[1], 10), paris(d[1], 11)),  # maker time: morning 60 + 60, no block
            (paris(d[3], 17), paris(d[3], 18)),  # end of day
            (paris(d[4], 13), paris(d[4], 13, 30)),  # meeting-free Friday
        ),
    )
    bob = Person(
        "bob",
        "America/New_York",
        workday_start=time(7),
        workday_end=time(16),
        meetings=(
            (paris(d[0], 13), paris(d[0], 13, 30)),  # 07:00 New York: early morning
            (
                datetime.combine(d[3], time(20), tzinfo=NEW_YORK),
                datetime.combine(d[3], time(20, 30), tzinfo=NEW_YORK),
            ),  # evening: neither friendly nor an interrupt
        ),
    )
    report = maker_report(people_of(alice, bob), mon, policy, team_timezone="Europe/Paris")
    a = report.people["alice"]
    assert [x.focus_minutes for x in a.days] == [450, 300, 300, 420, 450]
    assert [x.meetings for x in a.days] == [1, 1, 0, 1, 1]
    assert [x.maker_friendly_meetings for x in a.days] == [1, 0, 0, 1, 0]
    assert [x.interrupts for x in a.days] == [0, 1, 0, 0, 1]
    assert (a.focus_minutes, a.meetings, a.maker_friendly_meetings, a.interrupts) == (
        1920,
        4,
        2,
        2,
    )
    b = report.people["bob"]
    assert [x.focus_minutes for x in b.days] == [450, 480, 480, 480, 480]
    assert [x.meetings for x in b.days] == [1, 0, 0, 1, 0]
    assert (b.maker_friendly_meetings, b.interrupts) == (1, 0)
    assert report.focus_minutes == 4290
    assert report.focus_hours == pytest.approx(71.5)
    assert (report.meetings, report.maker_friendly_meetings, report.interrupts) == (6, 3, 2)
    assert report.maker_friendly_percent == pytest.approx(50.0)
    assert report.days[0].focus_minutes == 900
    assert report.days[0].maker_friendly_meetings == 2
    with pytest.raises(ValueError, match="Monday"):
        maker_report(people_of(alice), d[1], policy, team_timezone="Europe/Paris")


def apply(people: dict[str, Person], moves, specs) -> dict[str, Person]:
    """People's calendars after the moves (meetings matched by exact interval)."""
    by_id = {m.id: m for m in specs}
    out = dict(people)
    for mv in moves:
        spec = by_id[mv.meeting_id]
        for u in (*spec.required, *spec.optional):
            held = list(out[u].meetings)
            held.remove((mv.old_start, mv.old_end))
            held.append((mv.new_start, mv.new_end))
            out[u] = Person(u, out[u].timezone, out[u].busy, tuple(held))
    return out


def test_rebalance_batches_meetings_greedily_and_gains_exactly_what_it_says():
    mon = date(2026, 3, 2)
    wed = mon + timedelta(days=2)
    m1 = MeetingSpec(1, "sync", paris(wed, 10, 30), paris(wed, 11), ("alice", "bob"))
    m2 = MeetingSpec(2, "review", paris(wed, 11), paris(wed, 11, 30), ("alice", "carol"))
    alice = Person("alice", "Europe/Paris", meetings=((m1.start, m1.end), (m2.start, m2.end)))
    bob = Person("bob", "Europe/Paris", meetings=((m1.start, m1.end),))
    carol = Person("carol", "Europe/Paris", meetings=((m2.start, m2.end),))
    people = people_of(alice, bob, carol)
    moves = rebalance(people, [m1, m2], mon, POLICY, team_timezone="Europe/Paris")
    # m1 first: at 11:30, next to m2, alice keeps 9:00-11:00 (120 back) and bob keeps
    # 9:00-11:30 (150 back): 270, more than the 240 that 13:00 would give.
    # Then m2, evaluated with m1 already at 11:30: at 13:00 it costs alice 30 either way and
    # carol 30 instead of 60: 30 back.
    assert [(mv.meeting_id, mv.new_start, mv.focus_gain_minutes) for mv in moves] == [
        (1, paris(wed, 11, 30), 270),
        (2, paris(wed, 13), 30),
    ]
    assert moves[0].old_start == paris(wed, 10, 30)
    assert moves[0].reasons == [
        "gives back 4 h 30 min of focus time (alice 2 h, bob 2 h 30 min)",
        "stays in maker time for alice (Paris) and bob (Paris)",
        "batched next to another meeting",
    ]
    assert moves[1].reasons[1] == (
        "right after lunch for alice (Paris) and carol (Paris), "
        "instead of in maker time for alice (Paris) and carol (Paris)"
    )
    before = maker_report(people, mon, POLICY, team_timezone="Europe/Paris")
    moved = apply(people, moves, [m1, m2])
    after = maker_report(moved, mon, POLICY, team_timezone="Europe/Paris")
    assert (before.focus_minutes, after.focus_minutes) == (6780, 7080)
    assert after.focus_minutes - before.focus_minutes == sum(m.focus_gain_minutes for m in moves)
    held = sorted(moved["alice"].meetings)
    assert all(a[1] <= b[0] for a, b in pairwise(held))  # no conflicts

    # A meeting already in the best place stays put; a busy slot is never a target.
    good = MeetingSpec(3, "ok", paris(wed, 13), paris(wed, 13, 30), ("alice",))
    calm = Person("alice", "Europe/Paris", meetings=((good.start, good.end),))
    assert rebalance({"alice": calm}, [good], mon, POLICY, team_timezone="Europe/Paris") == []


def test_rebalance_never_makes_the_tier_worse_and_respects_busy_time():
    mon = date(2026, 3, 2)
    wed, thu = mon + timedelta(days=2), mon + timedelta(days=3)
    # After lunch at 14:00: it costs alice 90 (13:00-14:00 falls below 2 h) and bob 30.
    m = MeetingSpec("x", "1:1", paris(wed, 14), paris(wed, 14, 30), ("alice", "bob"))
    alice = Person("alice", "Europe/Paris", meetings=((m.start, m.end),))
    bob_busy = [(paris(wed, 13), paris(wed, 14))] + [
        (paris(mon + timedelta(days=i), 13), paris(mon + timedelta(days=i), 14, 30))
        for i in (0, 1, 3, 4)
    ]
    bob = Person("bob", "Europe/Paris", busy=tuple(bob_busy), meetings=((m.start, m.end),))
    # Early morning is the same tier as after lunch: 9:00 costs each of them 30, 60 back.
    (to_morning,) = rebalance(people_of(alice, bob), [m], mon, POLICY, team_timezone="Europe/Paris")
    assert (to_morning.new_start, to_morning.focus_gain_minutes) == (paris(wed, 9), 60)
    assert to_morning.reasons[1] == (
        "early morning for alice (Paris) and bob (Paris), "
        "instead of right after lunch for alice (Paris) and bob (Paris)"
    )
    # With bob busy all early morning, 17:30 (end of day) would still give 60 back and 11:30
    # (maker time) 90, but both are a worse tier than after lunch: no move.
    bob_busy.append((paris(wed, 9), paris(wed, 10, 30)))
    morning_bob = replace(bob, busy=tuple(bob_busy))
    assert (
        rebalance(people_of(alice, morning_bob), [m], mon, POLICY, team_timezone="Europe/Paris")
        == []
    )

    bob_free_thursday = Person(
        "bob",
        "Europe/Paris",
        busy=tuple(b for b in bob_busy if b[0].date() != thu),
        meetings=((m.start, m.end),),
    )
    # Thursday 13:00 would suit both, but a move keeps the meeting's day.
    assert (
        rebalance(
            people_of(alice, bob_free_thursday), [m], mon, POLICY, team_timezone="Europe/Paris"
        )
        == []
    )
    bob_free_wednesday = Person(
        "bob",
        "Europe/Paris",
        busy=tuple(b for b in bob_busy if b[0].date() != wed),
        meetings=((m.start, m.end),),
    )
    (move,) = rebalance(
        people_of(alice, bob_free_wednesday), [m], mon, POLICY, team_timezone="Europe/Paris"
    )
    assert (move.new_start, move.new_end) == (paris(wed, 13), paris(wed, 13, 30))
    assert move.focus_gain_minutes == 120  # 13:00-14:00 was too short to count, for both
    assert move.reasons[1] == "stays right after lunch for alice (Paris) and bob (Paris)"


# ------------------------------------------------------------------------------------------
# Oracle for the property tests: local wall clock, raw busy datetimes, minute maps
# ------------------------------------------------------------------------------------------


def _minute(t: time) -> int:
    return t.hour * 60 + t.minute


def hours(person: Person, policy: Policy) -> tuple[int, int, int, int]:
    def pick(own, default):
        return _minute(default if own is None else own)

    return (
        pick(person.workday_start, policy.workday_start),
        pick(person.workday_end, policy.workday_end),
        pick(person.lunch_start, policy.lunch_start),
        pick(person.lunch_end, policy.lunch_end),
    )


def oracle_kind(start: datetime, end: datetime, person: Person, policy: Policy) -> str | None:
    zone = ZoneInfo(person.timezone)
    ls, le = start.astimezone(zone), end.astimezone(zone)
    if ls.date() != le.date() or ls.weekday() >= 5:
        return None
    ws, we, lus, lue = hours(person, policy)
    a, b = ls.hour * 60 + ls.minute, le.hour * 60 + le.minute
    if a < ws or b > we or (a < lue and lus < b):
        return None
    if ls.weekday() in policy.meeting_free_weekdays:
        return MAKER_TIME
    w = policy.window_minutes
    windows = [
        (AFTER_LUNCH, lue, lue + w),
        (EARLY_MORNING, ws, ws + w),
        (END_OF_DAY, we - w, we),
    ]
    for kind, lo, hi in windows:
        if max(lo, ws) <= a and b <= min(hi, we):
            return kind
    return MAKER_TIME


def oracle_free(start: datetime, end: datetime, person: Person) -> bool:
    return all(e <= start or end <= s for s, e in (*person.busy, *person.meetings))


def oracle_focus(person: Person, day: date, policy: Policy, extra=()) -> int:
    """Focus minutes of a local day, from a minute map built on the local wall clock."""
    zone = ZoneInfo(person.timezone)
    if day.weekday() >= 5:
        return 0
    ws, we, lus, lue = hours(person, policy)
    free = [ws <= m < we and not (lus <= m < lue) for m in range(1440)]
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    for s, e in (*person.busy, *person.meetings, *extra):
        ls, le = s.astimezone(zone), e.astimezone(zone)
        if le <= midnight or ls.date() > day:
            continue
        first = 0 if ls.date() < day else ls.hour * 60 + ls.minute
        last = 1440 if le.date() > day else le.hour * 60 + le.minute + (le.second > 0)
        for m in range(first, last):
            free[m] = False
    total = run = 0
    for m in range(1441):
        if m < 1440 and free[m]:
            run += 1
            continue
        if run >= policy.min_focus_block_minutes:
            total += run
        run = 0
    return total


# The ranking as the source words it, written out here rather than imported: "either right
# after lunch or early in the morning" is one tier, "near the end of the day if nothing else
# works" the next, maker time last. Inside a tier focus cost decides before after lunch is
# preferred to early morning.
ORACLE_TIER = {AFTER_LUNCH: 0, EARLY_MORNING: 0, END_OF_DAY: 1, MAKER_TIME: 2}
ORACLE_PREFERENCE = {AFTER_LUNCH: 0, EARLY_MORNING: 1, END_OF_DAY: 2, MAKER_TIME: 3}


def ranking_key(kinds, cost: int, adjacent: bool, free_optional: int, start) -> tuple:
    return (
        max(ORACLE_TIER[k] for k in kinds),
        cost,
        max(ORACLE_PREFERENCE[k] for k in kinds),
        0 if adjacent else 1,
        -free_optional,
        start,
    )


def oracle_key(p, req: SlotRequest, people, policy) -> tuple:
    kinds = [oracle_kind(p.start, p.end, people[u], policy) for u in req.required]
    return ranking_key(
        kinds, p.focus_cost_minutes, is_adjacent(p, req, people), len(p.optional_free), p.start
    )


def is_adjacent(p, req, people) -> bool:
    return any(e == p.start or s == p.end for u in req.required for s, e in people[u].meetings)


def oracle_candidates(req: SlotRequest, people, policy) -> list[tuple]:
    """Every valid slot's key (focus cost included), by brute force over the grid."""
    keys = []
    duration = timedelta(minutes=req.duration_minutes)
    step = timedelta(minutes=policy.grid_minutes)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    s = epoch + -((epoch - req.earliest) // step) * step
    while s + duration <= req.latest:
        e = s + duration
        kinds = [oracle_kind(s, e, people[u], policy) for u in req.required]
        ok = all(k is not None for k in kinds) and all(
            oracle_free(s, e, people[u]) for u in req.required
        )
        if ok and (req.allow_maker_time or MAKER_TIME not in kinds):
            cost = 0
            free_opt = 0
            attending = [people[u] for u in req.required]
            for u in req.optional:
                k = oracle_kind(s, e, people[u], policy)
                if (
                    k is not None
                    and oracle_free(s, e, people[u])
                    and (k != MAKER_TIME or req.allow_maker_time)
                ):
                    free_opt += 1
                    attending.append(people[u])
            for person in attending:
                d = s.astimezone(ZoneInfo(person.timezone)).date()
                cost += oracle_focus(person, d, policy) - oracle_focus(
                    person, d, policy, extra=((s, e),)
                )
            adjacent = any(
                me == s or ms == e for u in req.required for ms, me in people[u].meetings
            )
            key = ranking_key(kinds, cost, adjacent, free_opt, s)
            first_zone = ZoneInfo(people[req.required[0]].timezone)
            keys.append((key, (s.astimezone(first_zone).date(), tuple(kinds))))
        s += step
    return sorted(keys)


def expected_choice(every: list[tuple], limit: int, duration: timedelta) -> list[datetime]:
    """The documented rule for distinct options: best first, one per (organiser's local date,
    kinds) at least an hour (or the meeting's length) from the others taken that date; then
    any slot that keeps that distance; sorted."""
    gap = max(timedelta(hours=1), duration)
    taken: list[tuple] = []

    def far(key, group):
        return all(group[0] != g[0] or abs(key[-1] - k[-1]) >= gap for k, g in taken)

    for key, group in every:
        if len(taken) < limit and group not in {g for _k, g in taken} and far(key, group):
            taken.append((key, group))
    for key, group in every:
        if len(taken) < limit and (key, group) not in taken and far(key, group):
            taken.append((key, group))
    return [key[-1] for key, _group in sorted(taken)]


# ------------------------------------------------------------------------------------------
# Property tests
# ------------------------------------------------------------------------------------------

ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Europe/London"]
# Days around the 2026 transitions (US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Sydney 5 Apr / 4 Oct):
# the Friday before (a long horizon crosses the weekend) and the Monday after each change.
BASE_DAYS = [
    date(2026, 3, 6),
    date(2026, 3, 9),
    date(2026, 3, 27),
    date(2026, 3, 30),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 10, 2),
    date(2026, 10, 5),
    date(2026, 10, 23),
    date(2026, 10, 26),
    date(2026, 10, 30),
    date(2026, 11, 2),
    date(2026, 1, 13),
]


@st.composite
def scenarios(draw):
    base = datetime.combine(draw(st.sampled_from(BASE_DAYS)), time(0), tzinfo=UTC)
    earliest = base + timedelta(minutes=draw(st.integers(0, 24 * 60)))
    horizon = draw(st.one_of(st.integers(60, 600), st.integers(600, 4 * 24 * 60)))
    latest = earliest + timedelta(minutes=horizon)
    n_req = draw(st.integers(1, 3))
    n_opt = draw(st.integers(0, 2))
    # Mostly one shared zone, so that working hours overlap often enough to be interesting.
    main_zone = draw(st.sampled_from(ZONES))
    people = {}
    for i in range(n_req + n_opt):
        zone_name = draw(st.one_of(st.just(main_zone), st.sampled_from(ZONES)))
        intervals = []
        for _ in range(draw(st.integers(0, 8))):
            s = earliest + timedelta(minutes=draw(st.integers(-24 * 60, 4 * 24 * 60)))
            intervals.append((s, s + timedelta(minutes=draw(st.integers(5, 240)))))
        meetings = []
        first_day = earliest.astimezone(ZoneInfo(zone_name)).date()
        for _ in range(draw(st.integers(0, 4))):
            # Meetings on the local clock during the day, where they can anchor batching.
            day = first_day + timedelta(days=draw(st.integers(0, 3)))
            s = datetime.combine(
                day,
                time(draw(st.integers(7, 17)), 15 * draw(st.integers(0, 3))),
                tzinfo=ZoneInfo(zone_name),
            )
            meetings.append((s, s + timedelta(minutes=draw(st.sampled_from([15, 30, 60])))))
        own = draw(st.booleans())
        people[f"u{i}"] = Person(
            f"u{i}",
            zone_name,
            busy=tuple(intervals),
            meetings=tuple(meetings),
            workday_start=time(draw(st.integers(6, 9))) if own else None,
            workday_end=time(draw(st.integers(15, 19))) if own else None,
            lunch_start=time(11, 30) if own else None,
            lunch_end=time(12, 30) if own else None,
        )
    names = list(people)
    policy = Policy(
        window_minutes=draw(st.sampled_from([60, 90, 120])),
        min_focus_block_minutes=draw(st.sampled_from([60, 120])),
        meeting_free_weekdays=draw(st.sampled_from([frozenset(), frozenset({2})])),
    )
    req = SlotRequest(
        duration_minutes=draw(st.sampled_from([15, 30, 45, 60])),
        required=tuple(names[:n_req]),
        optional=tuple(names[n_req:]),
        earliest=earliest,
        latest=latest,
        allow_maker_time=draw(st.booleans()),
        limit=draw(st.integers(1, 6)),
    )
    return req, people, policy


@settings(deadline=None, max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_proposals_are_valid_ranked_and_optimal(scenario):
    req, people, policy = scenario
    result = propose(req, people, policy)
    proposals = result.proposals
    duration = timedelta(minutes=req.duration_minutes)
    for p in proposals:
        assert p.end - p.start == duration
        assert req.earliest <= p.start and p.end <= req.latest
        assert p.start.minute % policy.grid_minutes == 0 and p.start.second == 0
        for u in req.required:
            kind = oracle_kind(p.start, p.end, people[u], policy)
            assert kind is not None, "outside working hours or over lunch"
            assert p.windows[u] == kind
            assert oracle_free(p.start, p.end, people[u])
        for u in (*req.required, *req.optional):
            zone = ZoneInfo(people[u].timezone)
            assert p.local_times[u] == p.start
            assert p.local_times[u].tzinfo == zone
            assert p.local_times[u].utcoffset() == p.start.astimezone(zone).utcoffset()
        for u in req.optional:
            assert p.windows[u] == oracle_kind(p.start, p.end, people[u], policy)
        makers = [u for u in req.required if p.windows[u] == MAKER_TIME]
        assert p.interrupts_maker_time == bool(makers)
        assert req.allow_maker_time or not makers
    every = oracle_candidates(req, people, policy)
    assert [p.start for p in proposals] == expected_choice(every, req.limit, duration)
    keys = [oracle_key(p, req, people, policy) for p in proposals]
    assert keys == sorted(keys)
    # Distinct options: on another local day of the first attendee, or an hour apart.
    first = ZoneInfo(people[req.required[0]].timezone)
    for i, a in enumerate(proposals):
        for b in proposals[i + 1 :]:
            other_day = a.start.astimezone(first).date() != b.start.astimezone(first).date()
            assert other_day or abs(a.start - b.start) >= max(timedelta(hours=1), duration)
    scores = [p.score for p in proposals]
    assert scores == sorted(scores, reverse=True)
    band = 1000 / 3  # one band per tier
    for p, key in zip(proposals, keys, strict=True):
        assert 1000 - band * (key[0] + 1) < p.score <= 1000 - band * key[0]
    for a, b, ka, kb in zip(proposals, proposals[1:], keys, keys[1:], strict=False):
        assert (a.score == b.score) == (ka[:-1] == kb[:-1])  # strict in all but the start
    if every and len(proposals) < req.limit:
        assert any("distinct" in w for w in result.warnings) or len(every) == len(proposals)

    by_start = {key[-1]: key for key, _group in every}
    for p, key in zip(proposals, keys, strict=True):
        assert by_start[p.start] == key  # focus cost and optional count agree with the oracle
    if every:
        assert keys[0] == every[0][0]  # the best slot there is comes first
    else:
        assert result.warnings


@st.composite
def local_weeks(draw):
    zone, mondays = draw(
        st.sampled_from(
            [
                ("Europe/Paris", (date(2026, 3, 23), date(2026, 3, 30))),
                ("Europe/Paris", (date(2026, 10, 19), date(2026, 10, 26))),
                ("America/New_York", (date(2026, 3, 2), date(2026, 3, 9))),
                ("America/New_York", (date(2026, 10, 26), date(2026, 11, 2))),
                ("Australia/Sydney", (date(2026, 3, 30), date(2026, 4, 6))),
                ("Australia/Sydney", (date(2026, 9, 28), date(2026, 10, 5))),
                ("Asia/Kolkata", (date(2026, 3, 23), date(2026, 3, 30))),
            ]
        )
    )
    # The same weekly local pattern of busy time for everyone in both weeks.
    pattern = draw(
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(7 * 4, 19 * 4), st.integers(1, 12)),
            max_size=12,
        )
    )
    n_people = draw(st.integers(1, 3))
    assign = draw(
        st.lists(st.integers(0, n_people - 1), min_size=len(pattern), max_size=len(pattern))
    )
    duration = draw(st.sampled_from([15, 30, 60]))
    allow = draw(st.booleans())
    n_opt = draw(st.integers(0, n_people - 1))
    return zone, mondays, pattern, assign, n_people, n_opt, duration, allow


@settings(deadline=None, max_examples=100)
@given(local_weeks())
def test_same_local_week_gives_same_local_proposals_across_dst(case):
    zone_name, mondays, pattern, assign, n_people, n_opt, duration, allow = case
    zone = ZoneInfo(zone_name)

    def week(monday: date):
        busy: dict[int, list] = {i: [] for i in range(n_people)}
        for (weekday, quarter, length), who in zip(pattern, assign, strict=True):
            s = datetime.combine(monday + timedelta(days=weekday), time(0), tzinfo=zone)
            s = s.replace(hour=quarter // 4, minute=15 * (quarter % 4))
            busy[who].append((s, s + timedelta(minutes=15 * length)))
        people = {f"p{i}": Person(f"p{i}", zone_name, busy=tuple(busy[i])) for i in range(n_people)}
        names = list(people)
        req = SlotRequest(
            duration_minutes=duration,
            required=tuple(names[: n_people - n_opt]),
            optional=tuple(names[n_people - n_opt :]),
            earliest=datetime.combine(monday, time(0), tzinfo=zone),
            latest=datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone),
            allow_maker_time=allow,
            limit=8,
        )
        result = propose(req, people, POLICY)
        return [
            (
                (p.local_times["p0"].date() - monday).days,
                p.local_times["p0"].time(),
                p.windows,
                p.focus_cost_minutes,
                p.optional_free,
                p.score,
                p.reasons,
            )
            for p in result.proposals
        ]

    before, after = week(mondays[0]), week(mondays[1])
    assert before == after
    for _day, local_start, windows, *_ in before:
        if AFTER_LUNCH in windows.values():
            assert time(13) <= local_start <= time(14, 30)


# ------------------------------------------------------------------------------------------
# Distinct options
# ------------------------------------------------------------------------------------------


def _typical_team() -> tuple[dict[str, Person], date]:
    """Paris, London and New York, each with a few meetings and busy afternoons: the week a
    lead asks "where can the four of us meet for 30 minutes?"."""
    monday = date(2026, 3, 2)
    london = ZoneInfo("Europe/London")

    def at(zone: ZoneInfo, day: int, h: int, m: int = 0) -> datetime:
        return datetime.combine(monday + timedelta(days=day), time(h, m), tzinfo=zone)

    lena = Person(
        "lena",
        "Europe/Paris",
        busy=((at(PARIS, 0, 9), at(PARIS, 0, 10)), (at(PARIS, 2, 13), at(PARIS, 2, 15))),
        meetings=((at(PARIS, 1, 14, 30), at(PARIS, 1, 15)),),
    )
    tom = Person(
        "tom",
        "Europe/London",
        busy=((at(london, 1, 9), at(london, 1, 12)), (at(london, 3, 15), at(london, 3, 17))),
    )
    ana = Person("ana", "Europe/Paris", busy=((at(PARIS, 4, 8), at(PARIS, 4, 18)),))
    raj = Person("raj", "America/New_York", busy=((at(NEW_YORK, 0, 9), at(NEW_YORK, 0, 11)),))
    return people_of(lena, tom, ana, raj), monday


@pytest.mark.parametrize(
    ("required", "minutes"),
    [
        (("lena",), 30),
        (("lena",), 60),
        (("lena", "ana"), 60),
        (("lena", "tom"), 30),  # London's lunch ends at 14:00 Paris time
        (("lena", "ana"), 30),
    ],
)
@pytest.mark.parametrize("days", [5, 2])  # this week; "by tomorrow" from Wednesday
def test_top_three_proposals_are_an_hour_apart_or_on_different_days(required, minutes, days):
    people, monday = _typical_team()
    earliest = paris(monday + timedelta(days=5 - days), 8)
    req = request(
        duration_minutes=minutes,
        required=required,
        optional=("raj",),
        earliest=earliest,
        latest=earliest + timedelta(days=days),
        limit=5,
    )
    proposals = propose(req, people, POLICY).proposals
    assert len(proposals) >= 3
    top = proposals[:3]
    for a, b in [(top[0], top[1]), (top[0], top[2]), (top[1], top[2])]:
        same_day = a.start.astimezone(PARIS).date() == b.start.astimezone(PARIS).date()
        assert not same_day or abs(a.start - b.start) >= timedelta(hours=1), (a.start, b.start)
    # Every one is a distinct option.
    starts = sorted(p.start for p in proposals)
    for a, b in pairwise(starts):
        assert a.astimezone(PARIS).date() != b.astimezone(PARIS).date() or b - a >= timedelta(
            hours=1
        )


def test_one_afternoon_gives_distinct_options_only_and_says_so():
    alice = Person("alice", "Europe/Paris")
    req = request(
        required=("alice",),
        earliest=paris(WED, 13),
        latest=paris(WED, 18),
        limit=6,
    )
    result = propose(req, people_of(alice), POLICY)
    starts = [p.start.astimezone(PARIS) for p in result.proposals]
    # After lunch (13:00-14:30) and the end of the day (16:30-18:00) hold four options an
    # hour apart, best first (13:00 and 17:30 keep the afternoon's focus block whole).
    assert starts == [paris(WED, 13), paris(WED, 14), paris(WED, 17, 30), paris(WED, 16, 30)]
    # 13:15, 13:30... are free too, but they are 13:00 moved by a grid step: not offered.
    assert result.warnings == [
        "Only four distinct options in this range (other free slots are the same ones a few "
        "minutes later); widen the dates for more."
    ]
