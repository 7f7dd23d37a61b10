"""Proposals: a meeting request checked once (for the page and the API alike), then the slot
engine over the team's calendars."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from teams.models import Team

from . import engine
from .adapters import engine_policy, meeting_too_long, person_timezone
from .attendees import resolve_attendees
from .selectors import policy_for, team_calendar

# The longest range a person may ask proposals for, and the default when they give no end.
MAX_PROPOSAL_RANGE = timedelta(weeks=8)
DEFAULT_PROPOSAL_RANGE = timedelta(days=7)


def request_range(
    earliest: date | datetime | None,
    latest: date | datetime | None,
    tz_name: str,
    *,
    now: datetime | None,
) -> tuple[datetime, datetime]:
    """Dates are whole days in the person's zone, `latest` included; nothing before `now` is
    proposed (None: the past too, for seeding a demo's history). ValidationError for a range
    that is over, reversed or too long."""
    zone = ZoneInfo(tz_name)
    if earliest is None:
        start = now or timezone.now()
    elif isinstance(earliest, datetime):
        start = earliest
    else:
        start = datetime.combine(earliest, time(0), zone)
    if now is not None:
        start = max(start, now)  # nobody can meet in the past
    if latest is None:
        end = start + DEFAULT_PROPOSAL_RANGE
    elif isinstance(latest, datetime):
        end = latest
    else:
        end = datetime.combine(latest + timedelta(days=1), time(0), zone)
    if now is not None and end <= now:
        raise ValidationError({"latest": ["That range is over; pick dates from today on."]})
    if end <= start:
        raise ValidationError({"latest": ["The latest date must be after the earliest."]})
    if end - start > MAX_PROPOSAL_RANGE:
        weeks = MAX_PROPOSAL_RANGE // timedelta(weeks=1)
        raise ValidationError({"latest": [f"Ask for proposals within {weeks} weeks at most."]})
    return start, end


def propose_slots(
    team: Team,
    *,
    viewer: User,
    duration_minutes: int,
    attendees: list[str],
    optional_attendees: list[str],
    earliest: date | datetime | None = None,
    latest: date | datetime | None = None,
    allow_maker_time: bool = False,
    limit: int = 5,
    include_past: bool = False,
) -> engine.ProposalResult:
    """Ranked slots from the engine for the team's people, dates read in the viewer's zone.

    RuleViolation `meeting_too_long` above the policy's maximum; ValidationError for a bad
    duration or range and for people who are not members.
    """
    now = None if include_past else timezone.now()
    start, end = request_range(earliest, latest, person_timezone(viewer, team), now=now)
    policy = policy_for(team)
    try:
        # Checked before loading anybody's calendar.
        engine.check_duration(duration_minutes, engine_policy(policy))
    except engine.MeetingTooLong as exc:
        raise meeting_too_long(exc, policy.max_meeting_minutes) from exc
    except ValueError as exc:
        raise ValidationError({"duration_minutes": [str(exc)]}) from exc
    required, optional = resolve_attendees(team, attendees, optional_attendees)
    calendar = team_calendar(
        team, start=start - timedelta(days=1), end=end + timedelta(days=1), policy=policy
    )
    request = engine.SlotRequest(
        duration_minutes=duration_minutes,
        required=tuple(m.user.username for m in required),
        optional=tuple(m.user.username for m in optional),
        earliest=start,
        latest=end,
        allow_maker_time=allow_maker_time,
        limit=limit,
    )
    try:
        return engine.propose(request, calendar.people, calendar.rules)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
