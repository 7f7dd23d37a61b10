"""What the schedule contributes to the calendar feeds (registered in ScheduleConfig.ready()):
meetings, and a person's maker time as busy "Maker time" blocks.

The same event for a meeting goes into the feeds and into its email invitations, so both carry
the same UID, SEQUENCE and reasons. Each source runs a fixed number of queries whatever the
number of events, and has a cheap fingerprint (`*_version`) that lets the feed answer 304
without building the events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.feeds import FeedEvent, FeedQuery, FeedScope, FeedStamp
from teams.models import Membership, Profile, Team, display_name

from . import engine
from .adapters import engine_person, engine_policy, person_hours, person_timezone
from .engine.calendars import Calendar, to_seconds, to_seconds_ceil, windows_reason, zone_of
from .models import MakerPolicy, Meeting, MeetingAttendee, MeetingStatus
from .weeks import week_label

# Cancelled meetings stay in feeds this long, so every subscriber sees the cancellation.
CANCELLED_KEPT = timedelta(days=30)
# How far back a feed reaches: calendars keep what they fetched before, so old meetings only
# cost bytes on every poll.
FEED_PAST = timedelta(days=90)
# Maker-time blocks: last week to four weeks ahead (clients poll often; the window moves).
MAKER_BLOCKS_PAST_DAYS = 7
MAKER_BLOCKS_AHEAD_DAYS = 28
MAKER_BLOCKS_OPTION = "maker_blocks"
MAKER_TIME_TITLE = "Maker time"


def _now(query: FeedQuery) -> datetime:
    return query.now or timezone.now()


def feed_meetings(query: FeedQuery) -> QuerySet[Meeting]:
    """The meetings a feed shows: a team's, or the person's own (organised or attended) in the
    teams they are still in; recent ones and all future ones; cancellations for 30 days."""
    now = _now(query)
    meetings = Meeting.objects.filter(end__gte=now - FEED_PAST).filter(
        Q(status=MeetingStatus.CONFIRMED) | Q(cancelled_at__gte=now - CANCELLED_KEPT)
    )
    if query.scope == FeedScope.TEAM:
        return meetings.filter(team=query.team)
    teams = Membership.objects.filter(user=query.user).values("team_id")
    mine = Q(organizer=query.user) | Q(
        pk__in=MeetingAttendee.objects.filter(user=query.user).values("meeting_id")
    )
    return meetings.filter(mine, team_id__in=teams)


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def meetings_version(query: FeedQuery) -> FeedStamp:
    """Everything the meeting events depend on, in four small queries: the meetings (count
    and last change: a new, changed or aged-out meeting moves one of them), the people's hours
    and the policies that the reasons are worded from, and the teams' names and zones."""
    meetings = feed_meetings(query)
    stats = meetings.aggregate(count=Count("pk"), changed=Max("updated_at"))
    teams = meetings.values("team_id").distinct()
    hours = (
        Profile.objects.filter(user__memberships__team_id__in=teams)
        .aggregate(changed=Max("updated_at"))
        .get("changed")
    )
    policies = MakerPolicy.objects.filter(team_id__in=teams).aggregate(
        changed=Max("updated_at"), count=Count("pk")
    )
    # Names, slugs and zones appear in the descriptions and links (a handful of rows).
    team_rows = list(
        Team.objects.filter(pk__in=teams)
        .order_by("pk")
        .values_list("pk", "slug", "name", "timezone")
    )
    fingerprint = _fingerprint(
        team_rows,
        stats["count"],
        stats["changed"],
        hours,
        policies["changed"],
        policies["count"],
        query.base_url,
    )
    return FeedStamp(fingerprint, stats["changed"])


class _Reasons:
    """Why a meeting is at its time, in the scheduler's words ("right after lunch for alice
    (Paris) and early morning for bob (New York)"); one calendar per person and team."""

    def __init__(self, policies: dict[int, MakerPolicy]) -> None:
        self.policies = policies
        self.calendars: dict[tuple[int, int], Calendar] = {}

    def _calendar(self, user: User, team: Team) -> Calendar:
        key = (user.pk, team.pk)
        found = self.calendars.get(key)
        if found is None:
            policy = self.policies.get(team.pk) or MakerPolicy(team=team)
            found = Calendar.of(
                engine_person(user, team, policy), engine_policy(policy), with_busy=False
            )
            self.calendars[key] = found
        return found

    def of(self, meeting: Meeting, attendance: Sequence[MeetingAttendee]) -> str:
        required = [a.user for a in attendance if a.required]
        if not required:
            return ""
        s, e = to_seconds(meeting.start), to_seconds_ceil(meeting.end)
        pairs = []
        for user in required:
            cal = self._calendar(user, meeting.team)
            pairs.append((cal, cal.window(s, e)))
        return windows_reason(pairs)


def meeting_url(meeting: Meeting, base_url: str) -> str:
    """The meeting in its week, on the team's schedule page."""
    monday = meeting.start.astimezone(UTC).date()
    path = reverse("schedule:week", args=[meeting.team.slug])
    return f"{base_url}{path}?week={week_label(monday)}#meeting-{meeting.pk}"


def _person(user: User) -> tuple[str, str]:
    return (display_name(user), user.email)


def meeting_description(meeting: Meeting, reasons: str, url: str) -> str:
    lines = []
    if reasons:
        lines.append(f"Why this time: {reasons}.")
    if meeting.forced_into_maker_time:
        lines.append("Booked inside protected maker time on purpose.")
    if meeting.organizer is not None:
        lines.append(f"Organised by {display_name(meeting.organizer)} in {meeting.team.name}.")
    if url:
        lines.append(f"In Focusboard: {url}")
    return "\n".join(lines)


def meeting_events(meetings: Iterable[Meeting], *, base_url: str) -> list[FeedEvent]:
    """Meetings as feed events, with organizer and attendees (the invitations use them; the
    feed writer leaves them out). Give meetings with `team`, `organizer` and the attendance
    prefetched (`with_people`), so this runs two queries whatever their number."""
    meetings = list(meetings)
    policies = {
        p.team_id: p for p in MakerPolicy.objects.filter(team_id__in={m.team_id for m in meetings})
    }
    reasons = _Reasons(policies)
    events = []
    for meeting in meetings:
        attendance = list(meeting.attendance.all())
        url = meeting_url(meeting, base_url) if base_url else ""
        organizer = meeting.organizer
        events.append(
            FeedEvent(
                uid=meeting.uid,
                summary=meeting.title,
                start=meeting.start,
                end=meeting.end,
                sequence=meeting.sequence,
                changed_at=meeting.updated_at,
                description=meeting_description(meeting, reasons.of(meeting, attendance), url),
                url=url,
                cancelled=meeting.is_cancelled,
                organizer=_person(organizer) if organizer is not None and organizer.email else None,
                attendees=tuple((*_person(a.user), a.required) for a in attendance if a.user.email),
            )
        )
    return events


def with_people(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("team", "organizer").prefetch_related(
        "attendance__user__profile"
    )


def meetings_source(query: FeedQuery) -> list[FeedEvent]:
    return meeting_events(with_people(feed_meetings(query)), base_url=query.base_url)


# --- Maker time ---------------------------------------------------------------------------


def _home_team(user: User) -> tuple[User, Team, MakerPolicy] | None:
    """The team whose policy draws a person's maker time: the first one they joined. Returns
    the person with their profile loaded, the team and its policy (one query)."""
    membership = (
        Membership.objects.filter(user=user)
        .select_related("team__maker_policy", "user__profile")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    team = membership.team
    try:
        policy = team.maker_policy
    except MakerPolicy.DoesNotExist:
        policy = MakerPolicy(team=team)
    return membership.user, team, policy


def _profile_changed(user: User) -> datetime | None:
    try:
        return user.profile.updated_at
    except Profile.DoesNotExist:
        return None


def _maker_days(now: datetime) -> list[date]:
    today = now.astimezone(UTC).date()
    return [
        today + timedelta(days=n)
        for n in range(-MAKER_BLOCKS_PAST_DAYS, MAKER_BLOCKS_AHEAD_DAYS + 1)
    ]


Span = tuple[datetime, datetime]
# Blocks of a policy nobody ever changed, of a person who never set their hours: any fixed
# instant will do, as long as the same data gives the same bytes.
_NEVER_CHANGED = datetime(2000, 1, 1, tzinfo=UTC)


def _minus(spans: list[Span], cut: Span) -> list[Span]:
    out: list[Span] = []
    for a, b in spans:
        if cut[1] <= a or b <= cut[0]:
            out.append((a, b))
            continue
        if a < cut[0]:
            out.append((a, cut[0]))
        if cut[1] < b:
            out.append((cut[1], b))
    return out


def maker_blocks(user: User, team: Team, policy: MakerPolicy, days: Iterable[date]) -> list[Span]:
    """A person's maker time on their local days, as UTC spans: working hours minus lunch
    minus the meeting windows (the whole day on a meeting-free weekday)."""
    hours = person_hours(user, policy)
    zone = zone_of(person_timezone(user, team))
    blocks: list[Span] = []
    for day in days:
        if not engine.is_working_day(day):
            continue

        def at(clock: time, day: date = day) -> datetime:
            return engine.wall_time(day, clock, zone)

        spans = [(at(hours.workday_start), at(hours.lunch_start))]
        spans.append((at(hours.lunch_end), at(hours.workday_end)))
        spans = [(a, b) for a, b in spans if a.timestamp() < b.timestamp()]
        for window in engine.day_windows(
            day,
            zone,
            workday_start=hours.workday_start,
            workday_end=hours.workday_end,
            lunch_end=hours.lunch_end,
            window_minutes=policy.window_minutes,
            meeting_free_weekdays=policy.meeting_free_weekdays or (),
        ):
            spans = _minus(spans, (window.start, window.end))
        blocks.extend((a.astimezone(UTC), b.astimezone(UTC)) for a, b in spans if a < b)
    return blocks


def maker_blocks_source(query: FeedQuery) -> list[FeedEvent]:
    if query.scope != FeedScope.PERSONAL or MAKER_BLOCKS_OPTION not in query.options:
        return []
    home = _home_team(query.user)
    if home is None:
        return []
    user, team, policy = home
    changed = _maker_changed(user, policy)
    return [
        FeedEvent(
            # The block's own times are in its UID: a changed block is a new event.
            uid=f"maker-{user.pk}-{start:%Y%m%dT%H%M}-{end:%H%M}@focusboard",
            summary=MAKER_TIME_TITLE,
            start=start,
            end=end,
            sequence=0,
            changed_at=changed,
            description=(
                f"Protected focus time in {team.name}'s maker schedule: meetings go right "
                "after lunch, early in the morning or at the end of the day."
            ),
        )
        for start, end in maker_blocks(user, team, policy, _maker_days(_now(query)))
    ]


def _maker_changed(user: User, policy: MakerPolicy) -> datetime:
    return max(
        (m for m in (policy.updated_at, _profile_changed(user)) if m is not None),
        default=_NEVER_CHANGED,
    )


def maker_blocks_version(query: FeedQuery) -> FeedStamp:
    if query.scope != FeedScope.PERSONAL or MAKER_BLOCKS_OPTION not in query.options:
        return FeedStamp("off")
    home = _home_team(query.user)
    if home is None:
        return FeedStamp("no-team")
    user, team, policy = home
    fingerprint = _fingerprint(
        _now(query).astimezone(UTC).date(),
        team.pk,
        team.name,
        team.timezone,
        policy.updated_at,
        _profile_changed(user),
    )
    return FeedStamp(fingerprint, _maker_changed(user, policy))
