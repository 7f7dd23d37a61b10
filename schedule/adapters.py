"""Models -> the slot engine's dataclasses: a team's policy, a person's hours and zone.

The engine is pure Python; this is the one place that knows how the database spells what it
needs (a person's own overrides, else the team's policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist

from core.rules import RuleCode, RuleViolation
from teams.models import Profile, Team, display_name

from . import engine
from .models import MakerPolicy


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


def meeting_too_long(exc: engine.MeetingTooLong, maximum: int) -> RuleViolation:
    """The engine's refusal of a long meeting as the product's rule violation."""
    return RuleViolation(RuleCode.MEETING_TOO_LONG, str(exc), max_meeting_minutes=maximum)


# Any Monday: on every meeting day the windows fall at the same times of day.
_A_MEETING_DAY = date(2000, 1, 3)


def policy_windows(policy: MakerPolicy) -> list[tuple[str, time, time]]:
    """The team policy's meeting windows as times of day, best first (the policy page)."""
    windows = windows_on(_A_MEETING_DAY, UTC, team_hours(policy), policy, meeting_free=False)
    return [(w.kind, w.start.time(), w.end.time()) for w in windows]


def _profile(user: User) -> Profile | None:
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


def person_timezone(user: User, team: Team) -> str:
    """The person's own zone, or the team's."""
    profile = _profile(user)
    return (profile.timezone if profile is not None else "") or team.timezone


def home_timezone(user: User) -> str:
    """The zone a person's own things are read in where no team is in view (their busy
    calendars): their own zone, else that of the first team they joined, else UTC."""
    profile = _profile(user)
    if profile is not None and profile.timezone:
        return profile.timezone
    first = user.memberships.select_related("team").order_by("created_at", "pk").first()
    return first.team.timezone if first is not None else "UTC"


@dataclass(frozen=True)
class Hours:
    """A person's effective local hours: own overrides, else the team policy."""

    workday_start: time
    workday_end: time
    lunch_start: time
    lunch_end: time


def team_hours(policy: MakerPolicy) -> Hours:
    return Hours(policy.workday_start, policy.workday_end, policy.lunch_start, policy.lunch_end)


def windows_on(
    day: date, zone: tzinfo, hours: Hours, policy: MakerPolicy, *, meeting_free: bool = True
) -> list[engine.Window]:
    """The meeting windows of `day` for these hours under the team's policy (none on a
    meeting-free weekday unless `meeting_free` is False)."""
    return engine.day_windows(
        day,
        zone,
        workday_start=hours.workday_start,
        workday_end=hours.workday_end,
        lunch_end=hours.lunch_end,
        window_minutes=policy.window_minutes,
        meeting_free_weekdays=(policy.meeting_free_weekdays or ()) if meeting_free else (),
    )


def person_hours(user: User, policy: MakerPolicy) -> Hours:
    profile = _profile(user)

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
    user: User,
    team: Team,
    policy: MakerPolicy,
    *,
    busy: tuple[tuple[datetime, datetime], ...] = (),
    meetings: tuple[tuple[datetime, datetime], ...] = (),
) -> engine.Person:
    hours = person_hours(user, policy)
    return engine.Person(
        username=user.username,
        name=display_name(user),
        timezone=person_timezone(user, team),
        busy=busy,
        meetings=meetings,
        workday_start=hours.workday_start,
        workday_end=hours.workday_end,
        lunch_start=hours.lunch_start,
        lunch_end=hours.lunch_end,
    )
