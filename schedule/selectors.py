"""Reads for the maker schedule: the policy, the people as the slot engine sees them,
proposals, the maker report and rebalance suggestions.

Every function here runs a fixed number of queries however many people, meetings and busy
intervals there are (the tests pin the counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from teams.models import Membership, Team, display_name

from . import engine
from .adapters import engine_person, engine_policy, person_timezone
from .models import (
    BusyInterval,
    BusySource,
    MakerPolicy,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
)
from .weeks import week_bounds

# How far busy time is imported: from the start of last week (so last week's maker report
# still has its data; that is always at least 7 days back) to 12 weeks ahead.
IMPORT_WEEKS_AHEAD = 12

# --- Policy and people ------------------------------------------------------------------


def policy_for(team: Team) -> MakerPolicy:
    """The team's maker policy; a team that never changed it has the defaults (not saved:
    reading never writes)."""
    try:
        return MakerPolicy.objects.get(team=team)
    except MakerPolicy.DoesNotExist:
        return MakerPolicy(team=team)


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


@dataclass(frozen=True)
class CalendarMeeting:
    """One of the team's confirmed meetings with its attendance (required first)."""

    meeting: Meeting
    attendance: list[MeetingAttendee]

    def usernames(self, *, required: bool) -> tuple[str, ...]:
        return tuple(r.user.username for r in self.attendance if r.required == required)


@dataclass
class TeamCalendar:
    """Everyone in the team between `start` and `end`, as the engine and the pages need it.

    `meetings` are this team's confirmed meetings overlapping the range. Meetings of other
    teams count as busy time, without their titles.
    """

    team: Team
    policy: MakerPolicy
    start: datetime
    end: datetime
    memberships: list[Membership]
    people: dict[str, engine.Person]
    busy: dict[str, list[BusyInterval]]
    other_meetings: dict[str, list[tuple[datetime, datetime]]]
    meetings: list[CalendarMeeting]

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
    user_ids: Iterable[int], *, start: datetime, end: datetime
) -> QuerySet[BusyInterval]:
    """Busy time these people imported that overlaps [start, end). A person's calendars are
    theirs and count in every team they are in."""
    return BusyInterval.objects.filter(user_id__in=list(user_ids), start__lt=end, end__gt=start)


def is_the_meeting_itself(interval: BusyInterval, meeting: Meeting) -> bool:
    """Busy time with exactly the meeting's start and end is the meeting as an invitation or
    a feed copied it into the person's own calendar, not something else they have then."""
    return interval.start == meeting.start and interval.end == meeting.end


def busy_then_sentence(user: User) -> str:
    """How a meeting is flagged when an attendee's own calendar now has something then."""
    return f"{display_name(user)} is now busy then"


def newly_busy(meetings: Iterable[Meeting]) -> dict[int, list[User]]:
    """Per confirmed meeting, the attendees whose own calendar now has busy time during it
    (one query for any number of meetings; attendance must be prefetched).

    A booking is refused over busy time, so such busy time came in after the booking: the
    meeting is flagged ("tom is now busy then") until it or the busy time moves.
    """
    confirmed = [m for m in meetings if m.status == MeetingStatus.CONFIRMED]
    if not confirmed:
        return {}
    ids = {a.user_id for m in confirmed for a in m.attendance.all()}
    start = min(m.start for m in confirmed)
    end = max(m.end for m in confirmed)
    by_user: dict[int, list[BusyInterval]] = defaultdict(list)
    for interval in overlapping_busy(ids, start=start, end=end):
        by_user[interval.user_id].append(interval)
    flagged: dict[int, list[User]] = {}
    for meeting in confirmed:
        busy = [
            a.user
            for a in meeting.attendance.all()
            if any(
                i.start < meeting.end
                and i.end > meeting.start
                and not is_the_meeting_itself(i, meeting)
                for i in by_user.get(a.user_id, ())
            )
        ]
        if busy:
            flagged[meeting.pk] = busy
    return flagged


def team_calendar(
    team: Team, *, start: datetime, end: datetime, policy: MakerPolicy | None = None
) -> TeamCalendar:
    """Four queries (three when the policy is given), whatever the size of the data."""
    policy = policy or policy_for(team)
    memberships = list(members(team))
    ids = [m.user_id for m in memberships]
    busy: dict[int, list[BusyInterval]] = defaultdict(list)
    for interval in overlapping_busy(ids, start=start, end=end).order_by("start"):
        busy[interval.user_id].append(interval)

    team_meetings: dict[int, CalendarMeeting] = {}
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
            entry = team_meetings.setdefault(meeting.pk, CalendarMeeting(meeting, []))
            row.user = by_user[row.user_id].user
            entry.attendance.append(row)
            own[row.user_id].append(span)
        else:
            other[row.user_id].append(span)

    people: dict[str, engine.Person] = {}
    for m in memberships:
        extra = tuple(other[m.user_id])
        people[m.user.username] = engine_person(
            m.user,
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
        meetings=sorted(team_meetings.values(), key=lambda x: (x.meeting.start, x.meeting.pk)),
    )


# --- Report and rebalance ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonReport:
    """One person's week in the maker report, with the change from the week before (None when
    they were not in the team yet)."""

    username: str
    week: engine.PersonWeek
    delta_focus_minutes: int | None

    @property
    def name(self) -> str:
        return self.week.name

    @property
    def delta_hours(self) -> float | None:
        return None if self.delta_focus_minutes is None else self.delta_focus_minutes / 60


@dataclass(frozen=True)
class WeekReport:
    """This week's maker report and last week's, for the week-over-week change.

    `previous` is None when the team did not exist before this week: a team created a minute
    ago has no last week to compare with. `compared` holds the people who were in the team
    before this week; only they get a change of their own.
    """

    week_start: date
    current: engine.MakerReport
    previous: engine.MakerReport | None
    compared: frozenset[str] = frozenset()

    @property
    def delta_focus_minutes(self) -> int | None:
        if self.previous is None:
            return None
        return self.current.focus_minutes - self.previous.focus_minutes

    @property
    def delta_hours(self) -> float | None:
        delta = self.delta_focus_minutes
        return None if delta is None else delta / 60

    @property
    def people(self) -> list[PersonReport]:
        return [
            PersonReport(username, week, self.person_delta(username))
            for username, week in self.current.people.items()
        ]

    def person_delta(self, username: str) -> int | None:
        now = self.current.people.get(username)
        before = self.previous.people.get(username) if self.previous else None
        if now is None or before is None or username not in self.compared:
            return None
        return now.focus_minutes - before.focus_minutes


def week_calendar(
    team: Team, monday: date, *, weeks_before: int = 0, policy: MakerPolicy | None = None
) -> TeamCalendar:
    """The team's calendar for the week of `monday` (and `weeks_before` weeks before it)."""
    start, end = week_bounds(
        monday - timedelta(weeks=weeks_before), team.timezone, weeks=weeks_before + 1
    )
    # A day of margin on both sides: people east and west of the team see other dates.
    return team_calendar(
        team, start=start - timedelta(days=1), end=end + timedelta(days=1), policy=policy
    )


def maker_report(team: Team, monday: date, *, calendar: TeamCalendar | None = None) -> WeekReport:
    """Focus hours, maker-friendly meetings and interrupts for the week, and the week before
    when the team (and each person in it) was there before this week began."""
    calendar = calendar or week_calendar(team, monday, weeks_before=1)
    rules = calendar.rules
    current = engine.maker_report(calendar.people, monday, rules, team_timezone=team.timezone)
    week_start, _ = week_bounds(monday, team.timezone)
    if team.created_at >= week_start:
        return WeekReport(monday, current, None)
    previous = engine.maker_report(
        calendar.people, monday - timedelta(weeks=1), rules, team_timezone=team.timezone
    )
    compared = frozenset(m.user.username for m in calendar.memberships if m.created_at < week_start)
    return WeekReport(monday, current, previous, compared)


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
    calendar = calendar or week_calendar(team, monday)
    week_start, week_end = week_bounds(monday, team.timezone)
    by_id = {
        entry.meeting.pk: entry
        for entry in calendar.meetings
        if week_start <= entry.meeting.start < week_end
        and entry.meeting.start > now
        and entry.usernames(required=True)
    }
    if not by_id:
        return []
    people = calendar.people
    if now > week_start:
        past = (week_start - timedelta(days=1), now)
        people = {u: replace(p, busy=(*p.busy, past)) for u, p in people.items()}
    specs = []
    for entry in by_id.values():
        m = entry.meeting
        specs.append(
            engine.MeetingSpec(
                id=m.pk,
                title=m.title,
                start=m.start,
                end=m.end,
                required=entry.usernames(required=True),
                optional=entry.usernames(required=False),
            )
        )
    moves = engine.rebalance(
        people, specs, monday, calendar.rules, limit=limit, team_timezone=team.timezone
    )
    return [Suggestion(move, by_id[int(move.meeting_id)].meeting) for move in moves]


# --- Lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    """A meeting as the week's list shows it: with each attendee's local start
    ('lena 14:00 Paris · tom 08:00 New York')."""

    meeting: Meeting
    local_times: str
    # "tom is now busy then", for each attendee whose calendar now has busy time then.
    newly_busy: tuple[str, ...] = ()


def local_times_line(start: datetime, people: Iterable[tuple[User, str]]) -> str:
    """'Lena Petrova 14:00 Paris · Tom 08:00 New York': a start for each (person, zone)."""
    return " · ".join(
        f"{display_name(user)} {start.astimezone(ZoneInfo(tz_name)):%H:%M} "
        f"{engine.city_name(tz_name)}"
        for user, tz_name in people
    )


def meeting_lines(team: Team, *, start: datetime, end: datetime) -> list[MeetingLine]:
    """The team's meetings (cancelled ones too) in [start, end), in four queries."""
    meetings = list(meetings_for_team(team, start=start, end=end))
    flagged = newly_busy(meetings)
    return [
        MeetingLine(
            meeting,
            local_times_line(
                meeting.start,
                ((r.user, person_timezone(r.user, team)) for r in meeting.attendance.all()),
            ),
            tuple(busy_then_sentence(u) for u in flagged.get(meeting.pk, ())),
        )
        for meeting in meetings
    ]


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


def busy_sources_for(user: User) -> QuerySet[BusySource]:
    """A person's own calendars, for every team (URLs can be secrets: nobody else sees them)."""
    return BusySource.objects.filter(user=user).select_related("user")
