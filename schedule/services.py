"""Every write to the maker schedule goes through here: the policy, meetings and busy time.

Rules enforced here: a meeting is no longer than the policy allows
(`meeting_too_long`), its required attendees are free (`slot_conflict`) and not in their
maker time unless the organiser forces it, which is then flagged (`maker_time`); a meeting is
cancelled, never deleted, and its `sequence` grows on every change. A failed busy-time import
never loses what was imported before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.fetch import FetchError, FetchTooLarge, fetch
from core.rules import RuleCode, RuleViolation
from teams.models import Membership, Team, display_name
from teams.services import lock_team

from . import engine
from .adapters import (
    engine_person,
    engine_policy,
    home_timezone,
    meeting_too_long,
    person_timezone,
)
from .attendees import resolve_attendees
from .ical.read import MAX_ICS_BYTES, IcsImportError, ReadResult, size_refusal
from .ical.read.isolated import read_busy_isolated
from .invitations import invitations_queue
from .models import (
    POLICY_FIELDS,
    BusyInterval,
    BusySource,
    BusySourceKind,
    FeedScope,
    FeedToken,
    InvitationMethod,
    MakerPolicy,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
)
from .selectors import (
    busy_then_sentence,
    import_horizon,
    newly_busy,
    overlapping_attendance,
    overlapping_busy,
    policy_for,
)
from .weeks import planning_years_sentence, within_planning_years

# --- Maker policy ---------------------------------------------------------------------------


@transaction.atomic
def maker_policy_update(*, team: Team, **fields: Any) -> MakerPolicy:
    """Change the team's maker policy (created with the defaults on first use).

    The workday starts before it ends, lunch lies inside it, and every length is positive;
    the database holds the same rules as check constraints.
    """
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"maker_policy_update() got unexpected fields: {sorted(unknown)}")
    team = lock_team(team)
    policy, _ = MakerPolicy.objects.get_or_create(team=team)
    for name, value in fields.items():
        if name == "meeting_free_weekdays" and isinstance(value, list | tuple | set | frozenset):
            value = sorted(value)
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


# --- Meetings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    """A booked (or changed) meeting and the warnings a person should read about it."""

    meeting: Meeting
    warnings: list[str] = field(default_factory=list)


def _lock_people(members: Sequence[Membership]) -> None:
    """Lock the attendees' user rows, in primary-key order so two bookings never wait on
    each other crosswise. The team lock alone serialises bookings within one team; a person
    in two teams could otherwise be booked by both at the same instant."""
    ids = sorted({m.user_id for m in members})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _check_times(start: datetime, end: datetime) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime):
            errors[name] = ["Give a date and time."]
        elif timezone.is_naive(value):
            errors[name] = ["Give the time with its UTC offset, e.g. 2025-03-04T13:00:00+01:00."]
        elif not within_planning_years(value):
            errors[name] = [planning_years_sentence()]
    if errors:
        raise ValidationError(errors)
    if end <= start:
        raise ValidationError({"end": ["A meeting must end after it starts."]})
    if end - start > timedelta(days=1):
        raise ValidationError({"end": ["A meeting cannot last longer than a day."]})


def _local(dt: datetime, tz_name: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz_name))


def _span_words(start: datetime, end: datetime, tz_name: str) -> str:
    a, b = _local(start, tz_name), _local(end, tz_name)
    day = f"{a:%a} {a.day} {a:%b}"
    return f"{day} {a:%H:%M}-{b:%H:%M} {engine.city_name(tz_name)} time"


def _conflicts(
    *,
    team: Team,
    people: Sequence[Membership],
    start: datetime,
    end: datetime,
    exclude: Meeting | None,
) -> list[dict[str, Any]]:
    """What each person already has in [start, end): meetings in any team, and busy time
    imported into this team. Titles of other teams' meetings and of imported events are not
    shown to this team."""
    users = {m.user_id: m for m in people}
    found: list[dict[str, Any]] = []
    clashes = overlapping_attendance(users, start=start, end=end).order_by(
        "meeting__start", "user_id"
    )
    if exclude is not None:
        clashes = clashes.exclude(meeting=exclude)
    for row in clashes:
        member = users[row.user_id]
        meeting = row.meeting
        what = f"“{meeting.title}”" if meeting.team_id == team.pk else "another team's meeting"
        found.append(
            {
                "username": member.user.username,
                "name": display_name(member.user),
                "what": what,
                "start": meeting.start,
                "end": meeting.end,
            }
        )
    busy = overlapping_busy(users, start=start, end=end).order_by("start", "user_id")
    for interval in busy:
        member = users[interval.user_id]
        found.append(
            {
                "username": member.user.username,
                "name": display_name(member.user),
                "what": "busy in their calendar",
                "start": interval.start,
                "end": interval.end,
            }
        )
    return found


def _conflict_sentence(conflicts: list[dict[str, Any]], tzs: dict[str, str]) -> str:
    parts = []
    for c in conflicts[:4]:
        when = _span_words(c["start"], c["end"], tzs[c["username"]])
        if c["what"].startswith("busy"):
            parts.append(f"{c['name']} is busy in their calendar ({when})")
        else:
            parts.append(f"{c['name']} is in {c['what']} ({when})")
    more = f" and {len(conflicts) - 4} more" if len(conflicts) > 4 else ""
    return (
        "That time clashes: " + "; ".join(parts) + more + ". Ask for proposals to find a free slot."
    )


def _check_slot(
    *,
    team: Team,
    policy: MakerPolicy,
    required: Sequence[Membership],
    optional: Sequence[Membership],
    start: datetime,
    end: datetime,
    override_maker_time: bool,
    exclude: Meeting | None = None,
) -> tuple[bool, list[str]]:
    """The rules for a meeting at an explicit time. Returns (forced_into_maker_time, warnings)
    or raises RuleViolation."""
    minutes = int((end - start).total_seconds() // 60)
    rules = engine_policy(policy)
    try:
        engine.check_duration(minutes, rules)
    except engine.MeetingTooLong as exc:
        raise meeting_too_long(exc, policy.max_meeting_minutes) from exc
    tzs = {m.user.username: person_timezone(m.user, team) for m in (*required, *optional)}
    size_warning = engine.size_warning(len(required) + len(optional), rules)
    warnings = [size_warning] if size_warning else []

    conflicts = _conflicts(team=team, people=required, start=start, end=end, exclude=exclude)
    if conflicts:
        raise RuleViolation(
            RuleCode.SLOT_CONFLICT,
            _conflict_sentence(conflicts, tzs),
            conflicts=[
                {
                    "username": c["username"],
                    "what": c["what"],
                    "start": c["start"].isoformat(),
                    "end": c["end"].isoformat(),
                }
                for c in conflicts
            ],
        )
    optional_busy = sorted(
        {
            c["name"]
            for c in _conflicts(team=team, people=optional, start=start, end=end, exclude=exclude)
        }
    )
    if optional_busy:
        warnings.append(f"{', '.join(optional_busy)} (optional) already has something then.")

    protected: dict[str, str] = {}  # username -> why (the 409's `people`)
    names = {m.user.username: display_name(m.user) for m in required}
    for member in required:
        kind = engine.window_of(start, end, engine_person(member.user, team, policy), rules)
        if kind is None:
            protected[member.user.username] = "outside_working_hours"
        elif kind == engine.MAKER_TIME:
            protected[member.user.username] = engine.MAKER_TIME
    if protected and not override_maker_time:
        phrases = []
        for username, why in protected.items():
            where = _span_words(start, end, tzs[username])
            who = names[username]
            if why == engine.MAKER_TIME:
                phrases.append(f"{who}'s maker time ({where})")
            else:
                phrases.append(f"outside {who}'s working hours or over lunch ({where})")
        raise RuleViolation(
            RuleCode.MAKER_TIME,
            "That time is in "
            + "; ".join(phrases)
            + ". Pick a proposed slot, or book it anyway with override_maker_time and it "
            "will be flagged.",
            people=protected,
        )
    if protected:
        warnings.append(
            "Booked inside protected time for "
            + ", ".join(sorted(names[u] for u in protected))
            + "; the meeting is flagged."
        )
    return bool(protected), warnings


def _set_attendees(
    meeting: Meeting, required: Sequence[Membership], optional: Sequence[Membership]
) -> None:
    MeetingAttendee.objects.filter(meeting=meeting).delete()
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, user_id=m.user_id, required=True) for m in required]
        + [MeetingAttendee(meeting=meeting, user_id=m.user_id, required=False) for m in optional]
    )


@transaction.atomic
def meeting_create(
    *,
    team: Team,
    organizer: User,
    title: str,
    start: datetime,
    end: datetime,
    attendees: Sequence[str],
    optional_attendees: Sequence[str] = (),
    override_maker_time: bool = False,
    notify_attendees: bool = True,
) -> Booking:
    """Book a meeting at an explicit time.

    Refused (RuleViolation, 409) when it is longer than the policy's maximum
    (`meeting_too_long`), when a required attendee already has a meeting or busy time then
    (`slot_conflict`), or when it lies in a required attendee's maker time or outside their
    hours (`maker_time`) unless `override_maker_time`, which books it flagged. The team row
    is locked first, so two bookings of the same person at the same time cannot both win.
    """
    _check_times(start, end)
    title = (title or "").strip()
    required, optional = resolve_attendees(team, attendees, optional_attendees)
    team = lock_team(team)
    _lock_people(required)
    policy = policy_for(team)
    forced, warnings = _check_slot(
        team=team,
        policy=policy,
        required=required,
        optional=optional,
        start=start,
        end=end,
        override_maker_time=override_maker_time,
    )
    meeting = Meeting(
        team=team,
        title=title,
        start=start,
        end=end,
        organizer=organizer,
        forced_into_maker_time=forced,
    )
    meeting.full_clean()
    meeting.save()
    _set_attendees(meeting, required, optional)
    if notify_attendees:
        invitations_queue(meeting=meeting, method=InvitationMethod.REQUEST)
    return Booking(meeting, warnings)


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    title: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    attendees: Sequence[str] | None = None,
    optional_attendees: Sequence[str] | None = None,
    override_maker_time: bool = False,
) -> Booking:
    """Change a meeting; its `sequence` grows by one when anything changed.

    A new time or new attendees are checked again like a new booking (conflicts other than
    the meeting itself, maker time, maximum length). A cancelled meeting cannot change; a
    meeting that is over cannot move (RuleViolation `meeting_in_past`).
    """
    team = lock_team(meeting.team)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise RuleViolation(
            RuleCode.MEETING_CANCELLED,
            f"“{meeting.title}” is cancelled; book a new meeting instead.",
        )
    if (start is not None and start != meeting.start) or (end is not None and end != meeting.end):
        _refuse_if_over(meeting, "moved")
    current = list(meeting.attendance.select_related("user", "user__profile"))
    new_start = start if start is not None else meeting.start
    new_end = end if end is not None else meeting.end
    _check_times(new_start, new_end)
    if attendees is None:
        attendees = [a.user.username for a in current if a.required]
    if optional_attendees is None:
        optional_attendees = [a.user.username for a in current if not a.required]
    required, optional = resolve_attendees(team, attendees, optional_attendees)
    _lock_people(required)

    before_people = {(a.user_id, a.required) for a in current}
    after_people = {(m.user_id, True) for m in required} | {(m.user_id, False) for m in optional}
    times_changed = (new_start, new_end) != (meeting.start, meeting.end)
    people_changed = before_people != after_people
    new_title = meeting.title if title is None else title.strip()
    if not (times_changed or people_changed or new_title != meeting.title):
        return Booking(meeting, [])

    warnings: list[str] = []
    if times_changed or people_changed:
        forced, warnings = _check_slot(
            team=team,
            policy=policy_for(team),
            required=required,
            optional=optional,
            start=new_start,
            end=new_end,
            override_maker_time=override_maker_time,
            exclude=meeting,
        )
        meeting.forced_into_maker_time = forced
    previous = (meeting.start, meeting.end) if times_changed else None
    meeting.title = new_title
    meeting.start, meeting.end = new_start, new_end
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    removed: list[User] = []
    if people_changed:
        staying = {m.user_id for m in (*required, *optional)}
        removed = [a.user for a in current if a.user_id not in staying]
        _set_attendees(meeting, required, optional)
    invitations_queue(
        meeting=meeting, method=InvitationMethod.REQUEST, previous=previous, removed=removed
    )
    return Booking(meeting, warnings)


def _refuse_if_over(meeting: Meeting, what: str) -> None:
    """Past meetings are the record of what happened: they are not cancelled or moved."""
    if meeting.end <= timezone.now():
        raise RuleViolation(
            RuleCode.MEETING_IN_PAST,
            f"“{meeting.title}” is over; a past meeting cannot be {what}.",
        )


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel a meeting: it stays (calendar feeds show it as cancelled), its time is free
    again, and its sequence grows. Cancelling twice changes nothing. A meeting that is over
    is history: RuleViolation `meeting_in_past`."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        return meeting
    _refuse_if_over(meeting, "cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    invitations_queue(meeting=meeting, method=InvitationMethod.CANCEL)
    return meeting


# --- Busy time ------------------------------------------------------------------------------

# A calendar address gets this long to answer in full; with the reader's own limit
# (ical/read/isolated.py: WALL_SECONDS) no add or refresh holds a request for 10 seconds.
DOWNLOAD_DEADLINE_SECONDS = 4.0


class BusyImportFailed(ValidationError):
    """An import that did not happen; `reason` is the sentence shown to the person and
    `field` the input it is about ("file" or "url"), so the API answers like any other
    validation error: `{"file": [reason]}`."""

    def __init__(self, reason: str, *, field: str = "file") -> None:
        super().__init__({field: [ValidationError(reason, code="busy_import_failed")]})
        self.reason = reason
        self.field = field


def _read(data: bytes, *, user: User, field: str) -> ReadResult:
    """Read the calendar in a separate, limited process (no file can hold this worker)."""
    if len(data) > MAX_ICS_BYTES:
        raise BusyImportFailed(size_refusal(len(data)), field=field)
    start, end = import_horizon(timezone.now())
    try:
        return read_busy_isolated(
            data,
            horizon_start=start,
            horizon_end=end,
            default_timezone=home_timezone(user),
        )
    except IcsImportError as exc:
        raise BusyImportFailed(str(exc), field=field) from exc


def _lock_person(user: User) -> None:
    """Bookings lock their attendees' user rows (see _lock_people): an import takes the same
    lock, so a meeting is never booked against half of a replaced calendar."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def _flagged_meetings(user: User) -> set[int]:
    """The upcoming confirmed meetings this person is in that their busy time now overlaps."""
    now = timezone.now()
    upcoming = Meeting.objects.filter(
        attendance__user=user, status=MeetingStatus.CONFIRMED, end__gt=now
    ).prefetch_related("attendance__user")
    return {
        meeting_id
        for meeting_id, people in newly_busy(upcoming).items()
        if any(p.pk == user.pk for p in people)
    }


def _tell_organizers(user: User, meeting_ids: set[int]) -> None:
    """Email each organizer whose meeting the person is now busy during (after commit, so a
    rolled-back import tells nobody; a mail failure never undoes the import)."""
    meetings = Meeting.objects.filter(pk__in=meeting_ids).select_related("organizer", "team")
    for meeting in meetings:
        organizer = meeting.organizer
        if organizer is None or not organizer.email:
            continue
        tz_name = person_timezone(organizer, meeting.team)
        when = _span_words(meeting.start, meeting.end, tz_name)
        sentence = busy_then_sentence(user)
        send_mail(
            subject=f"{sentence} ({meeting.title})",
            message=f"{sentence}: “{meeting.title}”, {when}. Their own calendar now has "
            "something else at that time. The meeting is flagged on the team's week page; "
            "move it or ask them.",
            from_email=None,
            recipient_list=[organizer.email],
            fail_silently=True,
        )


@transaction.atomic
def _store_intervals(*, source: BusySource, result: ReadResult) -> BusySource:
    """Replace the source's busy intervals and its list of skipped events in one transaction,
    and tell the organizers of meetings the new busy time now conflicts with."""
    user = source.user
    _lock_person(user)
    flagged_before = _flagged_meetings(user)
    now = timezone.now()
    is_new = source.pk is None
    source.last_imported_at = now
    source.last_attempt_at = now
    source.last_error = ""
    source.skipped = [
        {"summary": event.summary, "reason": event.reason} for event in result.skipped
    ]
    source.skipped_count = result.skipped_count
    rows = [
        BusyInterval(
            source=source,
            user_id=source.user_id,
            start=interval.start,
            end=interval.end,
            summary=(interval.summary or "")[:200],
        )
        for interval in result.intervals
        if interval.end > interval.start
    ]
    source.interval_count = len(rows)
    source.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError as exc:  # the same URL added twice at once
        raise ValidationError({"url": ["You have already added this calendar."]}) from exc
    if not is_new:
        BusyInterval.objects.filter(source=source).delete()
    for row in rows:
        row.source = source
    BusyInterval.objects.bulk_create(rows, batch_size=500)
    newly = _flagged_meetings(user) - flagged_before
    if newly:
        transaction.on_commit(lambda: _tell_organizers(user, newly))
    return source


@transaction.atomic
def _record_failure(*, source: BusySource, reason: str) -> None:
    """Note why the last import failed; the intervals from before stay as they were."""
    BusySource.objects.filter(pk=source.pk).update(
        last_error=reason, last_attempt_at=timezone.now()
    )
    source.last_error = reason


def busy_source_import_file(*, user: User, file: File) -> BusySource:
    """Import an uploaded .ics as the person's (one) uploaded calendar, for every team.

    A file over MAX_ICS_BYTES or one the reader refuses raises BusyImportFailed; the intervals
    from the previous upload stay, and so does its row as it was: the error is the new file's,
    told where it was uploaded, not recorded against the previous (good) file. Events the
    reader could not read are skipped and listed on the source. Reading happens before the
    (atomic) write, so a slow file never holds the database lock.
    """
    source = BusySource.objects.filter(user=user, kind=BusySourceKind.UPLOAD).first()
    filename = (file.name or "calendar.ics").rsplit("/", 1)[-1]
    if file.size is not None and file.size > MAX_ICS_BYTES:
        raise BusyImportFailed(size_refusal(file.size))  # before reading it into memory
    file.seek(0)
    result = _read(file.read(MAX_ICS_BYTES + 1), user=user, field="file")
    if source is None:
        source = BusySource(user=user, kind=BusySourceKind.UPLOAD)
    source.filename = filename[-255:]
    return _store_intervals(source=source, result=result)


def normalize_calendar_url(url: str) -> str:
    """webcal:// is https:// spoken by calendar apps; only http(s) is fetched."""
    url = (url or "").strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        parts = parts._replace(scheme="https")
    elif scheme not in ("http", "https"):
        raise ValidationError(
            {"url": ["Give an http://, https:// or webcal:// address of a calendar (.ics)."]}
        )
    if not parts.hostname:
        raise ValidationError({"url": ["That address has no host name."]})
    return urlunsplit(parts)


def fetch_calendar(url: str) -> bytes:
    """GET a calendar through the app's one HTTP client (public addresses only, checked at
    connect time; an overall deadline and a minimum rate; at most MAX_ICS_BYTES).

    The address is checked here, where it is used, and not only when it was added: a URL
    stored some other way (the admin, a restored backup) gets the same checks."""
    try:
        url = normalize_calendar_url(url)
    except ValidationError as exc:
        raise BusyImportFailed(" ".join(exc.messages), field="url") from exc
    try:
        return fetch(
            url,
            max_bytes=MAX_ICS_BYTES,
            deadline_seconds=DOWNLOAD_DEADLINE_SECONDS,
            accept="text/calendar, */*;q=0.5",
        )
    except FetchTooLarge as exc:
        raise BusyImportFailed(size_refusal(None), field="url") from exc
    except FetchError as exc:
        raise BusyImportFailed(str(exc), field="url") from exc


def busy_source_add_url(*, user: User, url: str) -> BusySource:
    """Add a calendar URL for the person (for every team) and import it now.

    Nothing is stored when the first fetch or read fails (BusyImportFailed); a URL is added
    once per person.
    """
    url = normalize_calendar_url(url)
    if len(url) > 1000:
        raise ValidationError({"url": ["That address is too long."]})
    if BusySource.objects.filter(user=user, kind=BusySourceKind.URL, url=url).exists():
        raise ValidationError({"url": ["You have already added this calendar."]})
    result = _read(fetch_calendar(url), user=user, field="url")
    source = BusySource(user=user, kind=BusySourceKind.URL, url=url)
    return _store_intervals(source=source, result=result)


def busy_source_refresh(*, source: BusySource) -> BusySource:
    """Fetch a URL source again. On any failure the previous intervals stay, the reason is
    recorded in `last_error`, and BusyImportFailed is raised. Bounded in time by the
    download deadline plus the reader's limit, so a refresh always finishes."""
    if source.kind != BusySourceKind.URL:
        raise ValidationError("An uploaded calendar is refreshed by uploading the file again.")
    try:
        result = _read(fetch_calendar(source.url), user=source.user, field="url")
    except BusyImportFailed as exc:
        _record_failure(source=source, reason=exc.reason)
        raise
    return _store_intervals(source=source, result=result)


@transaction.atomic
def busy_source_delete(*, source: BusySource) -> None:
    """Remove a calendar and the busy time imported from it."""
    source.delete()


# --- Calendar feeds ---------------------------------------------------------------------------


@transaction.atomic
def feed_token_create(
    *, user: User, scope: str, team: Team | None = None, include_maker_blocks: bool = False
) -> tuple[FeedToken, str]:
    """Issue a feed address; returns the token and its secret, shown to its owner once.

    A team feed needs the person to be in that team (and stops working when they leave);
    a personal feed names no team. Maker blocks are a personal feed's option.
    """
    if scope not in FeedScope.values:
        raise ValidationError({"scope": ["Choose a personal or a team feed."]})
    if scope == FeedScope.TEAM:
        if team is None:
            raise ValidationError({"team": ["Choose the team whose calendar you want."]})
        if not Membership.objects.filter(team=team, user=user).exists():
            raise ValidationError({"team": [f"You are not in {team.name}."]})
        include_maker_blocks = False
    else:
        team = None
    return FeedToken.issue(
        user=user, scope=scope, team=team, include_maker_blocks=include_maker_blocks
    )


@transaction.atomic
def feed_token_rotate(*, token: FeedToken) -> str:
    """A new secret for the same feed: the old address stops working at once."""
    if not token.is_live:
        raise ValidationError("This feed address was revoked; create a new one.")
    return token.rotate()


@transaction.atomic
def feed_token_revoke(*, token: FeedToken) -> None:
    """The address stops working for good (calendars that subscribed get 404)."""
    token.revoke()
