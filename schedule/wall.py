"""The schedule's panel on the wall screen: one line saying what the team's time is for right
now ("Maker time until 12:00", "Next meeting 13:30 Standup"), registered with core's wall-panel
registry in ScheduleConfig.ready(), so the wall never imports the schedule.

The hours come from the team's policy and the windows from engine.windows, the one definition
the engine and the week picture use too: this module only words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from teams.models import Team

from .adapters import team_hours, windows_on
from .engine.windows import is_working_day, wall_time
from .models import Meeting, MeetingStatus
from .selectors import policy_for

MAKER_LINE_TEMPLATE = "schedule/wall_maker_line.html"


@dataclass(frozen=True)
class WallStatus:
    """One line for the wall screen, phrased in the team's time zone.

    kind: "maker_time" | "meeting_now" | "next_meeting" | "off_hours".
    """

    kind: str
    text: str
    until: datetime | None = None
    meeting_title: str | None = None
    meeting_start: datetime | None = field(default=None, compare=False)


def wall_status(*, team: Team, now: datetime) -> WallStatus:
    """What the team's time is for right now, in two queries (policy, next meeting).

    Rules, on the team policy's hours in the team's zone:
      * inside a confirmed team meeting -> "In a meeting until 14:00: Standup";
      * not a working day, before or after the workday -> "Outside working hours; next meeting
        Mon 09:30 Planning" (or just "Outside working hours");
      * in maker time (working hours outside lunch and the meeting windows; all day on a
        meeting-free weekday) -> "Maker time until 12:00", until the next meeting, lunch, the
        next window or the end of the day, whichever comes first;
      * otherwise (lunch or a meeting window) -> "Next meeting 13:30 Standup" when one starts
        before the day ends, else "No more meetings today" (kind maker_time: the rest of the
        day is focus time).
    """
    zone = ZoneInfo(team.timezone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    policy = policy_for(team)
    upcoming = (
        Meeting.objects.filter(team=team, status=MeetingStatus.CONFIRMED, end__gt=now)
        .order_by("start", "pk")
        .only("title", "start", "end")
        .first()
    )

    def hhmm(dt: datetime) -> str:
        return f"{dt.astimezone(zone):%H:%M}"

    if upcoming is not None and upcoming.start <= now:
        return WallStatus(
            "meeting_now",
            f"In a meeting until {hhmm(upcoming.end)}: {upcoming.title}",
            until=upcoming.end,
            meeting_title=upcoming.title,
            meeting_start=upcoming.start,
        )

    day_start = wall_time(today, policy.workday_start, zone)
    day_end = wall_time(today, policy.workday_end, zone)
    if not is_working_day(today) or not day_start <= local_now < day_end:
        if upcoming is None:
            return WallStatus("off_hours", "Outside working hours")
        start_local = upcoming.start.astimezone(zone)
        when = hhmm(upcoming.start)
        if start_local.date() != today:
            when = f"{start_local:%a} {when}"
            if start_local.date() - today >= timedelta(days=7):
                when = f"{start_local:%a} {start_local.day} {start_local:%b} {hhmm(upcoming.start)}"
        return WallStatus(
            "off_hours",
            f"Outside working hours; next meeting {when} {upcoming.title}",
            until=upcoming.start,
            meeting_title=upcoming.title,
            meeting_start=upcoming.start,
        )

    next_today = upcoming if upcoming is not None and upcoming.start < day_end else None
    lunch_start = wall_time(today, policy.lunch_start, zone)
    lunch_end = wall_time(today, policy.lunch_end, zone)
    # None on a meeting-free weekday: the whole working day is maker time.
    windows = windows_on(today, zone, team_hours(policy), policy)
    at_lunch = lunch_start <= local_now < lunch_end
    in_window = any(w.start <= local_now < w.end for w in windows)
    if not at_lunch and not in_window:
        stops = [day_end]
        stops += [w.start for w in windows if w.start > local_now]
        if lunch_start > local_now:
            stops.append(lunch_start)
        if next_today is not None:
            stops.append(next_today.start.astimezone(zone))
        until = min(stops)
        return WallStatus("maker_time", f"Maker time until {hhmm(until)}", until=until)
    if next_today is not None:
        return WallStatus(
            "next_meeting",
            f"Next meeting {hhmm(next_today.start)} {next_today.title}",
            until=next_today.start,
            meeting_title=next_today.title,
            meeting_start=next_today.start,
        )
    return WallStatus("maker_time", "No more meetings today", until=day_end)


def maker_line_context(team: Team, now: datetime) -> Mapping[str, Any]:
    """The wall panel's context: always something to say, so never None."""
    return {"status": wall_status(team=team, now=now)}
