"""Weekly maker metrics: focus hours, maker-friendly meetings, interrupts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from .calendars import (
    Calendar,
    Frames,
    intervals_of,
    validate_policy,
    zone_of,
)
from .model import (
    DayMetrics,
    MakerReport,
    Person,
    PersonWeek,
    Policy,
)
from .windows import MAKER_FRIENDLY_WINDOWS, is_working_day

# --------------------------------------------------------------------------------------------
# maker_report
# --------------------------------------------------------------------------------------------


def maker_report(
    people: Mapping[str, Person], week_start: date, policy: Policy, *, team_timezone: str
) -> MakerReport:
    """Focus hours, meetings, maker-friendly meetings and interrupts for the working days of the
    week starting at `week_start` (a Monday in the team's zone).

    Rule: each person is measured on their own local days with those dates; a meeting belongs
    to the local day it starts on; focus minutes count only free blocks of at least
    min_focus_block_minutes; busy time and `Person.meetings` both break focus, only
    `Person.meetings` are counted as meetings.
    """
    validate_policy(policy)
    zone_of(team_timezone)
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start:%A %Y-%m-%d}.")
    week = (week_start + timedelta(days=i) for i in range(7))
    dates = [d for d in week if is_working_day(d)]
    per_person: dict[str, PersonWeek] = {}
    frames: Frames = {}
    for username, person in people.items():
        cal = Calendar.of(person, policy, frames=frames)
        by_day: dict[date, list[tuple[int, int]]] = {}
        for s, e in intervals_of(person.meetings, person):
            by_day.setdefault(cal.local_date(s), []).append((s, e))
        days = []
        for d in dates:
            day = cal.day(d)
            friendly = interrupts = 0
            todays = by_day.get(d, [])
            for s, e in todays:
                kind = cal.window(s, e)
                if kind in MAKER_FRIENDLY_WINDOWS:
                    friendly += 1
                elif any(s < b and a < e for a, b in day.working):
                    interrupts += 1
            days.append(DayMetrics(d, cal.focus_minutes(day), len(todays), friendly, interrupts))
        per_person[username] = PersonWeek(
            username=username,
            timezone=person.timezone,
            days=tuple(days),
            focus_minutes=sum(x.focus_minutes for x in days),
            meetings=sum(x.meetings for x in days),
            maker_friendly_meetings=sum(x.maker_friendly_meetings for x in days),
            interrupts=sum(x.interrupts for x in days),
            name=cal.name,
        )
    team_days = tuple(
        DayMetrics(
            d,
            sum(p.days[i].focus_minutes for p in per_person.values()),
            sum(p.days[i].meetings for p in per_person.values()),
            sum(p.days[i].maker_friendly_meetings for p in per_person.values()),
            sum(p.days[i].interrupts for p in per_person.values()),
        )
        for i, d in enumerate(dates)
    )
    return MakerReport(
        week_start=week_start,
        team_timezone=team_timezone,
        people=per_person,
        days=team_days,
        focus_minutes=sum(p.focus_minutes for p in per_person.values()),
        meetings=sum(p.meetings for p in per_person.values()),
        maker_friendly_meetings=sum(p.maker_friendly_meetings for p in per_person.values()),
        interrupts=sum(p.interrupts for p in per_person.values()),
    )
