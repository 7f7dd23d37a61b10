"""Realistic, reproducible iCalendar files for demo people and seeded workloads.

`demo_calendar_ics` writes the kind of calendar an ML engineer exports from Google or Outlook:
a weekday standup (with a day off), a weekly 1:1, a few external meetings and an all-day
event. The same arguments always give the same bytes (no "now", no random UIDs), so fixtures,
benchmarks and the demo data command stay stable, and every file imports cleanly with
`schedule.ical.read.read_busy`. Pure Python, no Django import.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import TRANSP, Calendar, Event

from .engine.windows import is_working_day

PRODID = "-//Focusboard//Demo calendars 1.0//EN"
UID_DOMAIN = "demo.focusboard.invalid"

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
_STANDUP_STARTS = (time(9, 15), time(9, 30), time(9, 30), time(9, 45))
_ONE_ON_ONE_STARTS = (time(14, 0), time(14, 30), time(15, 0), time(15, 30), time(16, 0))
# External people book what booking tools offer first: mid-morning and mid-afternoon.
_EXTERNAL_STARTS = (
    time(10, 0),
    time(10, 30),
    time(11, 0),
    time(11, 30),
    time(14, 0),
    time(14, 30),
    time(15, 0),
    time(15, 30),
    time(16, 0),
)
_EXTERNAL_MINUTES = (30, 30, 45, 60)
_EXTERNAL_TITLES = (
    "Vendor call: GPU capacity",
    "Interview: ML engineer candidate",
    "Customer feedback on ranking quality",
    "Data partnership sync",
    "Security review: model serving",
    "Recruiter sync",
    "Cloud cost review with finance",
    "Annotation vendor check-in",
)
_ALL_DAY_TITLES = ("Conference: applied ML day", "Team offsite", "Training: on-call handbook")


def demo_calendar_ics(
    *,
    username: str,
    timezone: str,
    start: date,
    weeks: int = 6,
    seed: int = 0,
) -> bytes:
    """One person's calendar for `weeks` weeks from `start`, in their `timezone`.

    - a weekday standup around 09:30 local (RRULE with UNTIL, one EXDATE for a day off),
    - a weekly 30-minute 1:1 in the afternoon (RRULE),
    - two or three one-off external meetings a week, written in UTC (`Z`), mid-morning or
      mid-afternoon local time,
    - one busy all-day event (VALUE=DATE, exclusive DTEND).
    Deterministic: DTSTAMP is `start` at 00:00 UTC and UIDs derive from the arguments.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1.")
    zone = ZoneInfo(timezone)
    # A str seed is hashed with SHA-512, so this is stable across processes and platforms.
    rng = random.Random(f"{username}|{timezone}|{start.isoformat()}|{weeks}|{seed}")
    end = start + timedelta(weeks=weeks)
    until = datetime.combine(end, time(0), tzinfo=zone).astimezone(UTC)
    stamp = datetime.combine(start, time(0), tzinfo=UTC)
    workdays = [
        start + timedelta(days=offset)
        for offset in range((end - start).days)
        if is_working_day(start + timedelta(days=offset))
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", username.lower()).strip("-") or "someone"

    def uid(kind: str, number: int = 0) -> str:
        return f"{kind}-{number}-{slug}-{seed}@{UID_DOMAIN}"

    def local(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=zone)

    events: list[Event] = []

    standup_at = rng.choice(_STANDUP_STARTS)
    standup = Event.new(
        uid=uid("standup"),
        stamp=stamp,
        summary="ML team standup",
        start=local(workdays[0], standup_at),
        end=local(workdays[0], standup_at) + timedelta(minutes=15),
        location="Team room / video",
    )
    standup.add("RRULE", {"FREQ": "WEEKLY", "BYDAY": list(_WEEKDAYS), "UNTIL": until})
    day_off = rng.choice(workdays[1:] or workdays)
    standup.add("EXDATE", [local(day_off, standup_at)])
    events.append(standup)

    one_on_one_day = rng.randrange(1, 4)  # Tuesday to Thursday
    first_one_on_one = next(day for day in workdays if day.weekday() == one_on_one_day)
    one_on_one_at = rng.choice(_ONE_ON_ONE_STARTS)
    one_on_one = Event.new(
        uid=uid("one-on-one"),
        stamp=stamp,
        summary=f"1:1 {username} / lead",
        start=local(first_one_on_one, one_on_one_at),
        end=local(first_one_on_one, one_on_one_at) + timedelta(minutes=30),
    )
    one_on_one.add(
        "RRULE", {"FREQ": "WEEKLY", "BYDAY": [_WEEKDAYS[one_on_one_day]], "UNTIL": until}
    )
    events.append(one_on_one)

    for week in range(weeks):
        week_days = [day for day in workdays if (day - start).days // 7 == week]
        titles = rng.sample(_EXTERNAL_TITLES, rng.randint(2, 3))
        for number, title in enumerate(titles):
            day = rng.choice(week_days)
            begins = local(day, rng.choice(_EXTERNAL_STARTS))
            minutes = rng.choice(_EXTERNAL_MINUTES)
            events.append(
                Event.new(
                    uid=uid("external", week * 10 + number),
                    stamp=stamp,
                    summary=title,
                    # One-off times in UTC, as Google writes invitations from outside.
                    start=begins.astimezone(UTC),
                    end=(begins + timedelta(minutes=minutes)).astimezone(UTC),
                    location="Video call",
                )
            )

    all_day = rng.choice(workdays)
    events.append(
        Event.new(
            uid=uid("all-day"),
            stamp=stamp,
            summary=rng.choice(_ALL_DAY_TITLES),
            start=all_day,
            end=all_day + timedelta(days=1),
            transparency=TRANSP.OPAQUE,
        )
    )

    calendar = Calendar.new(
        prodid=PRODID,
        name=f"{username} (demo)",
        uid=f"calendar-{slug}-{seed}@{UID_DOMAIN}",
        calscale="GREGORIAN",
    )
    calendar.add("X-WR-TIMEZONE", timezone)

    def order(event: Event) -> tuple[datetime, str]:
        begins = event.DTSTART
        if not isinstance(begins, datetime):
            begins = datetime.combine(begins, time(0), tzinfo=zone)
        return begins.astimezone(UTC), str(event.uid)

    for event in sorted(events, key=order):
        calendar.add_component(event)
    # VTIMEZONE for the TZIDs the recurring events use, covering only the demo's weeks.
    calendar.add_missing_timezones(first_date=start - timedelta(days=7), last_date=end)
    return calendar.to_ical()
