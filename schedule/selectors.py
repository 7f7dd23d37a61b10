"""Reads for the maker schedule: the policy, the people as the slot engine sees them,
proposals, the maker report and rebalance suggestions.

Every function here runs a fixed number of queries however many people, meetings and busy
intervals there are (the tests pin the counts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch, QuerySet

from teams.models import Membership, Team
from teams.rules import RuleViolation

from . import engine
from .models import (
    BusyInterval,
    BusySource,
    MakerPolicy,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
)

# How far busy time is imported: from the start of last week (so last week's maker report
# still has its data; that is always at least 7 days back) to 12 weeks ahead.
IMPORT_WEEKS_AHEAD = 12
# The longest range a person may ask proposals for.
MAX_PROPOSAL_RANGE = timedelta(weeks=8)

# --- Policy and people ------------------------------------------------------------------


def policy_for(team: Team) -> MakerPolicy:
    """The team's maker policy; a team that never changed it has the defaults (not saved:
    reading never writes)."""
    try:
        return MakerPolicy.objects.get(team=team)
    except MakerPolicy.DoesNotExist:
        return MakerPolicy(team=team)


def meeting_too_long_message(minutes: int, maximum: int) -> str:
    parts = -(-minutes // maximum)
    return (
        f"A {minutes}-minute meeting is longer than the team's {maximum}-minute maximum. "
        f"Split it into {parts} shorter meetings or cut the agenda."
    )


def engine_policy(policy: MakerPolicy) -> engine.Policy:
    return engine.Policy(
        workday_start=policy.workday_start,
        workday_end=policy.workday_end,
        lunch_start=policy.lunch_start,
        lunch_end=policy.lunch_end,
        window_minutes=policy.window_minutes,
        max_meeting_minutes=policy.max_meeting_minutes,
        max_attendees=policy.max_attendees,
        min_focus_block_minutes=policy.min_focus_block_minutes,
        meeting_free_weekdays=frozenset(policy.meeting_free_weekdays or ()),
    )


def policy_windows(policy: MakerPolicy) -> list[tuple[str, time, time]]:
    """The meeting windows of the team's hours, best first, clamped to the workday."""

    def plus(t: time, minutes: int) -> time:
        moved = datetime.combine(date(2000, 1, 3), t) + timedelta(minutes=minutes)
        if moved.date() != date(2000, 1, 3):
            return time.max if minutes > 0 else time.min
        return moved.time()

    ws, we, le, w = (
        policy.workday_start,
        policy.workday_end,
        policy.lunch_end,
        policy.window_minutes,
    )
    windows = [
        (engine.AFTER_LUNCH, le, min(plus(le, w), we)),
        (engine.EARLY_MORNING, ws, min(plus(ws, w), we)),
        (engine.END_OF_DAY, max(plus(we, -w), ws), we),
    ]
    return [(kind, a, b) for kind, a, b in windows if a < b]


def _profile(membership: Membership):  # type: ignore[no-untyped-def]
    try:
        return membership.user.profile
    except ObjectDoesNotExist:
        return None


def member_timezone(membership: Membership, team: Team) -> str:
    """The person's own zone, or the team's."""
    profile = _profile(membership)
    return (profile.timezone if profile is not None else "") or team.timezone


def user_timezone(user: User, team: Team) -> str:
    try:
        own = user.profile.timezone
    except ObjectDoesNotExist:
        own = ""
    return own or team.timezone


@dataclass(frozen=True)
class Hours:
    """A person's effective local hours: own overrides, else the team policy."""

    workday_start: time
    workday_end: time
    lunch_start: time
    lunch_end: time


def member_hours(membership: Membership, policy: MakerPolicy) -> Hours:
    profile = _profile(membership)

    def pick(name: str) -> time:
        own = getattr(profile, name, None) if profile is not None else None
        return own if own is not None else getattr(policy, name)

    ws, we = pick("workday_start"), pick("workday_end")
    if not ws < we:  # one end overridden past the team's other end: take the team's pair
        ws, we = policy.workday_start, policy.workday_end
    ls, le = pick("lunch_start"), pick("lunch_end")
    if not ls < le:
        ls, le = policy.lunch_start, policy.lunch_end
    return Hours(ws, we, ls, le)


def engine_person(
    membership: Membership,
    team: Team,
    policy: MakerPolicy,
    *,
    busy: tuple[tuple[datetime, datetime], ...] = (),
    meetings: tuple[tuple[datetime, datetime], ...] = (),
) -> engine.Person:
    hours = member_hours(membership, policy)
    return engine.Person(
        username=membership.user.username,
        timezone=member_timezone(membership, team),
        busy=busy,
        meetings=meetings,
        workday_start=hours.workday_start,
        workday_end=hours.workday_end,
        lunch_start=hours.lunch_start,
        lunch_end=hours.lunch_end,
    )


def import_horizon(now: datetime) -> tuple[datetime, datetime]:
    monday = (now - timedelta(days=now.weekday() + 7)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday - timedelta(days=1), now + timedelta(weeks=IMPORT_WEEKS_AHEAD)


def members(team: Team) -> QuerySet[Membership]:
    """The team's members with user and profile (one query)."""
    return (
        Membership.objects.filter(team=team)
        .select_related("user", "user__profile")
        .order_by("user__username")
    )


@dataclass
class TeamCalendar:
    """Everyone in the team between `start` and `end`, as the engine and the pages need it.

    `meetings` are this team's confirmed meetings overlapping the range, each with
    `attendee_rows` (MeetingAttendee, required first). Meetings of other teams count as busy
    time, without their titles.
    """

    team: Team
    policy: MakerPolicy
    start: datetime
    end: datetime
    memberships: list[Membership]
    people: dict[str, engine.Person]
    busy: dict[str, list[BusyInterval]]
    other_meetings: dict[str, list[tuple[datetime, datetime]]]
    meetings: list[Meeting]

    @property
    def rules(self) -> engine.Policy:
        return engine_policy(self.policy)

    def membership(self, username: str) -> Membership | None:
        return next((m for m in self.memberships if m.user.username == username), None)


def overlapping_attendance(
    user_ids: Iterable[int], *, start: datetime, end: datetime
) -> QuerySet[MeetingAttendee]:
    """These people's places in confirmed meetings of any team that overlap [start, end),
    with the meeting: what makes a person unavailable besides their own calendar."""
    return MeetingAttendee.objects.filter(
        user_id__in=list(user_ids),
        meeting__status=MeetingStatus.CONFIRMED,
        meeting__start__lt=end,
        meeting__end__gt=start,
    ).select_related("meeting")


def overlapping_busy(
    team: Team, user_ids: Iterable[int], *, start: datetime, end: datetime
) -> QuerySet[BusyInterval]:
    """Busy time these people imported into this team that overlaps [start, end)."""
    return BusyInterval.objects.filter(
        source__team=team, user_id__in=list(user_ids), start__lt=end, end__gt=start
    )


def team_calendar(
    team: Team, *, start: datetime, end: datetime, policy: MakerPolicy | None = None
) -> TeamCalendar:
    """Four queries (three when the policy is given), whatever the size of the data."""
    policy = policy or policy_for(team)
    memberships = list(members(team))
    ids = [m.user_id for m in memberships]
    busy: dict[int, list[BusyInterval]] = defaultdict(list)
    for interval in overlapping_busy(team, ids, start=start, end=end).order_by("start"):
        busy[interval.user_id].append(interval)

    team_meetings: dict[int, Meeting] = {}
    own: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    other: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = overlapping_attendance(ids, start=start, end=end).order_by(
        "meeting__start", "meeting_id", "-required", "user_id"
    )
    by_user = {m.user_id: m for m in memberships}
    for row in rows:
        meeting = row.meeting
        span = (meeting.start, meeting.end)
        if meeting.team_id == team.pk:
            meeting = team_meetings.setdefault(meeting.pk, meeting)
            if not hasattr(meeting, "attendee_rows"):
                meeting.attendee_rows = []  # type: ignore[attr-defined]
            row.user = by_user[row.user_id].user
            meeting.attendee_rows.append(row)  # type: ignore[attr-defined]
            own[row.user_id].append(span)
        else:
            other[row.user_id].append(span)

    people: dict[str, engine.Person] = {}
    for m in memberships:
        extra = tuple(other[m.user_id])
        people[m.user.username] = engine_person(
            m,
            team,
            policy,
            busy=tuple((b.start, b.end) for b in busy[m.user_id]) + extra,
            meetings=tuple(own[m.user_id]),
        )
    return TeamCalendar(
        team=team,
        policy=policy,
        start=start,
        end=end,
        memberships=memberships,
        people=people,
        busy={m.user.username: busy[m.user_id] for m in memberships},
        other_meetings={m.user.username: other[m.user_id] for m in memberships},
        meetings=sorted(team_meetings.values(), key=lambda x: (x.start, x.pk)),
    )


# --- Weeks ------------------------------------------------------------------------------------

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
# Dates a team can plan in; beyond them date arithmetic would overflow (year 1 or 9999).
FIRST_YEAR, LAST_YEAR = 1970, 2199


def within_planning_years(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def parse_week(value: str | None, *, today: date) -> date:
    """'2025-W07' -> that ISO week's Monday; empty -> this week's Monday."""
    if not value:
        return today - timedelta(days=today.weekday())
    match = _WEEK.match(value)
    if match and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    raise ValidationError(
        {"week": [f"{value[:20]!r} is not a week; use YYYY-Www, e.g. 2025-W07."]},
        code="invalid_week",
    )


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(monday: date, tz_name: str) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in the given zone."""
    zone = ZoneInfo(tz_name)
    return (
        datetime.combine(monday, time(0), zone),
        datetime.combine(monday + timedelta(days=7), time(0), zone),
    )


def team_today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


# --- Proposals --------------------------------------------------------------------------------


def propose_slots(
    team: Team,
    *,
    duration_minutes: int,
    attendees: list[str],
    optional_attendees: list[str],
    earliest: datetime,
    latest: datetime,
    allow_maker_time: bool = False,
    limit: int = 5,
) -> engine.ProposalResult:
    """Ranked slots from the engine for the team's people.

    RuleViolation `meeting_too_long` above the policy's maximum; ValidationError for people
    who are not members and for impossible ranges.
    """
    errors: dict[str, list[str]] = {}
    if duration_minutes <= 0:
        errors["duration_minutes"] = ["A meeting needs a positive duration."]
    if latest <= earliest:
        errors["latest"] = ["The latest date must be after the earliest."]
    elif latest - earliest > MAX_PROPOSAL_RANGE:
        errors["latest"] = ["Ask for proposals within 8 weeks at most."]
    if not attendees:
        errors["attendees"] = ["Invite at least one required attendee."]
    both = sorted(set(attendees) & set(optional_attendees))
    if both:
        errors["optional_attendees"] = [f"{', '.join(both)} cannot be both required and optional."]
    if errors:
        raise ValidationError(errors)
    policy = policy_for(team)
    if duration_minutes > policy.max_meeting_minutes:
        # The engine would say the same; checking first saves loading the calendars.
        raise RuleViolation(
            "meeting_too_long",
            meeting_too_long_message(duration_minutes, policy.max_meeting_minutes),
            max_meeting_minutes=policy.max_meeting_minutes,
        )
    calendar = team_calendar(
        team, start=earliest - timedelta(days=1), end=latest + timedelta(days=1), policy=policy
    )
    for name, usernames in (("attendees", attendees), ("optional_attendees", optional_attendees)):
        strangers = [u for u in usernames if u not in calendar.people]
        if strangers:
            errors[name] = [
                f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not "
                f"a member of {team.name}."
            ]
    if errors:
        raise ValidationError(errors)
    request = engine.SlotRequest(
        duration_minutes=duration_minutes,
        required=tuple(dict.fromkeys(attendees)),
        optional=tuple(dict.fromkeys(optional_attendees)),
        earliest=earliest,
        latest=latest,
        allow_maker_time=allow_maker_time,
        limit=limit,
    )
    try:
        return engine.propose(request, calendar.people, calendar.rules)
    except engine.MeetingTooLong as exc:
        raise RuleViolation(
            "meeting_too_long", str(exc), max_meeting_minutes=policy.max_meeting_minutes
        ) from exc
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


# --- Report and rebalance ------------------------------------------------------------------


@dataclass(frozen=True)
class WeekReport:
    """This week's maker report and last week's, for the week-over-week change."""

    week_start: date
    current: engine.MakerReport
    previous: engine.MakerReport

    @property
    def delta_focus_minutes(self) -> int:
        return self.current.focus_minutes - self.previous.focus_minutes

    def person_delta(self, username: str) -> int:
        now = self.current.people.get(username)
        before = self.previous.people.get(username)
        if now is None or before is None:
            return 0
        return now.focus_minutes - before.focus_minutes


def _week_calendar(team: Team, monday: date, *, weeks_before: int = 0) -> TeamCalendar:
    start = week_bounds(monday - timedelta(weeks=weeks_before), team.timezone)[0]
    end = week_bounds(monday, team.timezone)[1]
    # A day of margin on both sides: people east and west of the team see other dates.
    return team_calendar(team, start=start - timedelta(days=1), end=end + timedelta(days=1))


def maker_report(team: Team, monday: date, *, calendar: TeamCalendar | None = None) -> WeekReport:
    """Focus hours, maker-friendly meetings and interrupts for the week and the week before."""
    calendar = calendar or _week_calendar(team, monday, weeks_before=1)
    rules = calendar.rules
    current = engine.maker_report(calendar.people, monday, rules, team_timezone=team.timezone)
    previous = engine.maker_report(
        calendar.people, monday - timedelta(weeks=1), rules, team_timezone=team.timezone
    )
    return WeekReport(monday, current, previous)


@dataclass(frozen=True)
class Suggestion:
    move: engine.Move
    meeting: Meeting


def rebalance(
    team: Team,
    monday: date,
    *,
    now: datetime,
    limit: int = 10,
    calendar: TeamCalendar | None = None,
) -> list[Suggestion]:
    """Moves of this week's meetings that give the team focus time back, without conflicts.

    Only meetings still ahead are moved, and never into the past: the time before `now` is
    busy for everyone as far as the engine is concerned (past meetings still count as busy).
    """
    calendar = calendar or _week_calendar(team, monday)
    week_start, week_end = week_bounds(monday, team.timezone)
    by_id = {
        m.pk: m
        for m in calendar.meetings
        if week_start <= m.start < week_end
        and m.start > now
        and any(r.required for r in m.attendee_rows)  # type: ignore[attr-defined]
    }
    if not by_id:
        return []
    people = calendar.people
    if now > week_start:
        past = (week_start - timedelta(days=1), now)
        people = {u: replace(p, busy=(*p.busy, past)) for u, p in people.items()}
    specs = []
    for m in by_id.values():
        rows: list[MeetingAttendee] = m.attendee_rows  # type: ignore[attr-defined]
        specs.append(
            engine.MeetingSpec(
                id=m.pk,
                title=m.title,
                start=m.start,
                end=m.end,
                required=tuple(r.user.username for r in rows if r.required),
                optional=tuple(r.user.username for r in rows if not r.required),
            )
        )
    moves = engine.rebalance(
        people, specs, monday, calendar.rules, limit=limit, team_timezone=team.timezone
    )
    return [Suggestion(move, by_id[int(move.meeting_id)]) for move in moves]


# --- Lists --------------------------------------------------------------------------------


def meetings_for_team(
    team: Team,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    include_cancelled: bool = True,
) -> QuerySet[Meeting]:
    """The team's meetings with organiser and attendees (two queries for any number)."""
    qs = Meeting.objects.filter(team=team).select_related("organizer", "team")
    if start is not None:
        qs = qs.filter(end__gt=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    if not include_cancelled:
        qs = qs.filter(status=MeetingStatus.CONFIRMED)
    return qs.prefetch_related(
        Prefetch(
            "attendance",
            queryset=MeetingAttendee.objects.select_related("user", "user__profile").order_by(
                "-required", "user__username"
            ),
        )
    ).order_by("start", "pk")


def busy_sources_for(team: Team, user: User) -> QuerySet[BusySource]:
    """A member's own calendars in this team (URLs can be secrets: nobody else sees them)."""
    return BusySource.objects.filter(team=team, user=user).select_related("user", "team")
