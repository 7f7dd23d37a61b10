"""The demo team's maker schedule: a policy, busy calendars imported from generated .ics files
through the real import service, and two weeks of meetings booked through the engine's best
proposal (last week, for the week-over-week report, and this week); a meeting that fits no
maker-friendly slot that day takes the least bad one, flagged. Running it again creates only
what is missing and never undoes what people did (see `seed`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser, User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from core.rules import RuleViolation
from teams.models import Membership, Team
from teams.services import profile_for, profile_update

from . import adapters, proposals, services
from .demo_calendars import demo_calendar_ics
from .models import BusySource, MakerPolicy, Meeting

CALENDAR_PEOPLE = ("lena", "sam", "priya", "tom")


@dataclass(frozen=True)
class DemoMeeting:
    title: str
    weekday: int  # 0 = Monday
    minutes: int
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # An explicit team-local time booked over maker time: something for rebalance to fix.
    forced_at: time | None = None
    this_week_only: bool = False


EVERYONE = ("lena", "sam", "priya", "tom")
EUROPE = ("lena", "sam", "priya")

WEEK = [
    *(DemoMeeting("Standup", day, 15, EVERYONE) for day in range(5)),
    DemoMeeting("Planning", 0, 45, EVERYONE, ("vic",)),
    DemoMeeting("1:1 Lena / Sam", 1, 30, ("lena", "sam")),
    DemoMeeting("1:1 Lena / Priya", 2, 30, ("lena", "priya")),
    DemoMeeting("1:1 Lena / Tom", 3, 30, ("lena", "tom")),
    DemoMeeting("Model review", 3, 60, EUROPE, ("tom",)),
    DemoMeeting("Retro", 4, 45, EVERYONE),
    DemoMeeting(
        "Vendor call", 2, 30, ("lena", "priya"), forced_at=time(11, 0), this_week_only=True
    ),
]


def _been_here_since(team: Team, day: date) -> None:
    """The demo's story goes back weeks (its board history, last week's meetings), so its team
    and people have been there since then: the maker report compares with last week as a real
    team's would. Only ever moved earlier, so seeding twice changes nothing."""
    since = datetime.combine(day, time(0), ZoneInfo(team.timezone))
    Team.objects.filter(pk=team.pk, created_at__gt=since).update(created_at=since)
    Membership.objects.filter(team=team, created_at__gt=since).update(created_at=since)
    team.refresh_from_db(fields=["created_at"])


def seed(*, team: Team, people: Mapping[str, AbstractUser], stdout: Any) -> None:
    """Create what is missing and leave alone what people changed: the policy, Tom's hours
    and the calendars are set up once, with the team's schedule (no policy yet); a week's
    meetings are booked only when that week has none of the demo's meetings in any status, so
    a cancelled, moved or retitled meeting is never booked again."""
    users = {name: cast(User, user) for name, user in people.items()}
    zone = ZoneInfo(team.timezone)
    today = timezone.now().astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(weeks=1)
    _been_here_since(team, last_monday - timedelta(weeks=4))

    if MakerPolicy.objects.filter(team=team).exists():
        stdout.write("  policy, hours and calendars already set up: left as they are")
    else:
        _set_up(team, users, last_monday, stdout)

    booked = kept = 0
    skipped: list[str] = []
    forced: list[str] = []
    organizer = users["lena"]
    for week_monday in (last_monday, monday):
        if _week_seeded(team, week_monday, zone):
            kept += 1
            continue
        for item in WEEK:
            if item.this_week_only and week_monday != monday:
                continue
            day = week_monday + timedelta(days=item.weekday)
            outcome = _book(team, organizer, item, day, zone)
            booked += outcome in ("booked", "forced")
            what = f"{item.title} {day:%a %d %b}"
            if outcome == "forced":
                forced.append(what)
            elif outcome == "skipped":
                skipped.append(what)
    stdout.write(
        f"  meetings: {booked} booked, {kept} week{'s' if kept != 1 else ''} already there"
    )
    if forced:
        stdout.write(f"  only in maker time (booked, flagged): {', '.join(forced)}")
    if skipped:
        stdout.write(f"  no free slot that day (not booked): {', '.join(skipped)}")


def _set_up(team: Team, users: Mapping[str, User], last_monday: date, stdout: Any) -> None:
    # Two-hour windows: Paris, London and an early-starting New York then share
    # 14:00-15:00 Paris time, right after lunch in Europe and early morning in New York.
    services.maker_policy_update(team=team, window_minutes=120)
    tom = users.get("tom")
    if tom is not None and profile_for(tom).workday_start is None:
        # Tom starts early to overlap with Europe: his own hours, not the team's.
        profile_update(
            user=tom,
            workday_start=time(8),
            workday_end=time(17),
            fields={"workday_start", "workday_end"},
        )
    for seed_number, username in enumerate(CALENDAR_PEOPLE):
        user = users.get(username)
        if user is None or BusySource.objects.filter(user=user).exists():
            continue  # a person's own calendars are never replaced by the demo's
        data = demo_calendar_ics(
            username=username,
            timezone=adapters.person_timezone(user, team),
            start=last_monday,
            weeks=6,
            seed=seed_number,
        )
        source = services.busy_source_import_file(
            user=user, file=ContentFile(data, name=f"{username}-calendar.ics")
        )
        stdout.write(f"  {username}: {source.interval_count} busy intervals imported")


def _week_seeded(team: Team, monday: date, zone: ZoneInfo) -> bool:
    """Any of the demo's meetings in that week, whatever became of it since."""
    start = datetime.combine(monday, time(0), zone)
    return Meeting.objects.filter(
        team=team,
        title__in={item.title for item in WEEK},
        start__gte=start,
        start__lt=start + timedelta(weeks=1),
    ).exists()


def _book(team: Team, organizer: User, item: DemoMeeting, day: date, zone: ZoneInfo) -> str:
    day_start = datetime.combine(day, time(0), zone)
    day_end = day_start + timedelta(days=1)
    try:
        if item.forced_at is not None:
            start = datetime.combine(day, item.forced_at, zone)
            services.meeting_create(
                team=team,
                organizer=organizer,
                title=item.title,
                start=start,
                end=start + timedelta(minutes=item.minutes),
                attendees=item.required,
                optional_attendees=item.optional,
                override_maker_time=True,
                notify_attendees=False,  # seeded history: nobody booked it
            )
            return "booked"
        for allow_maker_time in (False, True):
            # What a real organiser does: a maker-friendly slot if there is one that day,
            # else the least bad one, booked flagged (and offered to rebalance).
            result = proposals.propose_slots(
                team,
                viewer=organizer,
                duration_minutes=item.minutes,
                attendees=list(item.required),
                optional_attendees=list(item.optional),
                earliest=day_start,
                latest=day_end,
                allow_maker_time=allow_maker_time,
                limit=1,
                include_past=True,  # last week's meetings make last week's report
            )
            if result.proposals:
                best = result.proposals[0]
                services.meeting_create(
                    team=team,
                    organizer=organizer,
                    title=item.title,
                    start=best.start,
                    end=best.end,
                    attendees=item.required,
                    optional_attendees=item.optional,
                    override_maker_time=best.interrupts_maker_time,
                    notify_attendees=False,
                )
                return "forced" if best.interrupts_maker_time else "booked"
    except (RuleViolation, ValidationError):  # no free slot, or someone has left the team
        pass
    return "skipped"
