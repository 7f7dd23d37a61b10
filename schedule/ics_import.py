"""Busy time from an uploaded iCalendar (.ics) file.

`parse_busy_ics` turns one person's calendar export (Google, Outlook, Apple, Thunderbird) into
busy intervals in UTC inside a horizon, for the slot engine. It imports nothing from Django, so
the schedule services can call it and the tests can fuzz it without a database.

The rules it enforces (SPEC section 1 `BusyInterval`, section 3 "Calendar feeds"):

- A file is at most `MAX_ICS_BYTES`; anything that is not a readable calendar is refused with an
  `IcsImportError` whose text can be shown to the person as is. No other exception escapes for
  any input bytes.
- Recurring events are expanded with `recurring_ical_events` only inside the horizon, and the
  work is bounded: a rule that repeats every minute since 1970, or that can never match, is
  refused or cut off instead of tying up a worker.
- Cancelled (`STATUS:CANCELLED`) and free (`TRANSP:TRANSPARENT`, Outlook's
  `X-MICROSOFT-CDO-BUSYSTATUS:FREE`) events are not busy.
- Floating times and all-day dates are the person's local times (`default_timezone`); an
  all-day event is busy from local midnight to local midnight of its (exclusive) end date.
- Intervals are clipped to the horizon, exact duplicates dropped, overlaps kept (the engine
  merges them), and the result is sorted by start. A private event (`CLASS:PRIVATE` or
  `CONFIDENTIAL`) is busy without its title.
- Time zones: IANA names, Windows names ("W. Europe Standard Time") and "/vendor/IANA" TZIDs
  resolve natively in icalendar 7; any other TZID uses the file's own VTIMEZONE, read per file
  (see `_TZID_PROPERTY`); a TZID nobody defines is treated as floating.
"""

from __future__ import annotations

import logging
import math
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from time import monotonic
from typing import Any

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import Calendar, Component, Timezone, is_utc, vBroken, vRecur
from icalendar.timezone import tzp

logger = logging.getLogger(__name__)

MAX_ICS_BYTES = 2 * 1024 * 1024
MAX_SUMMARY_CHARS = 200
# Rough microseconds of dateutil/recurring_ical_events work one file may cost (see
# `_RuleCost`); far above any real calendar, far below a stalled worker.
MAX_EXPANSION_WORK = 1_000_000
# Safety net for what the estimate cannot see (a MONTHLY/YEARLY rule that can never match makes
# dateutil walk to the year 9999, about half a second each).
EXPANSION_DEADLINE_SECONDS = 5.0

_MiB = 1024 * 1024
# recurring_ical_events compares all-day dates with the query bounds after dropping the time
# zone, which can be 14 hours off; query wider and clip exactly ourselves.
_QUERY_MARGIN = timedelta(days=2)
_MAX_NESTING = 8
_MAX_DURATION = timedelta(days=36525)
_MAX_REASON_CHARS = 160
# icalendar caches every VTIMEZONE it parses in a process-wide registry keyed by TZID, first
# definition wins: one person's "Customized Time Zone" (or a fake "W. Europe Standard Time")
# would silently shift the next person's import. Hiding the TZID property from the parser keeps
# each file's definitions to that file; `_ZoneResolver` reads them back.
_TZID_PROPERTY = re.compile(r"^TZID(?=[;:])", re.IGNORECASE | re.MULTILINE)
_HIDDEN_TZID = "X-FOCUSBOARD-TZID"
_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID")
_LIST_PROPERTIES = ("EXDATE", "RDATE")
_RULE_PROPERTIES = (*_TIME_PROPERTIES, *_LIST_PROPERTIES, "DURATION", "RRULE")
_FREE_BUSY_STATUSES = {"FREE"}
_PRIVATE_CLASSES = {"PRIVATE", "CONFIDENTIAL"}

_FREQ_STEP = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
    "MONTHLY": timedelta(days=28),
    "YEARLY": timedelta(days=365),
}
_FREQ_UNIT = {
    "SECONDLY": "second",
    "MINUTELY": "minute",
    "HOURLY": "hour",
    "DAILY": "day",
    "WEEKLY": "week",
    "MONTHLY": "month",
    "YEARLY": "year",
}
# Rules at most weekly repeat on a fixed lattice of steps (`_rebase` moves their start by whole
# steps, after turning a COUNT into an UNTIL), and their impossible filters would cost dateutil
# seconds, so they are held to the patterns calendar apps write (`_RuleCost._check_filters`).
_LATTICE_FREQS = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY"}
_LATTICE_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "WKST",
    "BYDAY",
    "BYMONTH",
    "BYMONTHDAY",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
}
# Approximate microseconds dateutil spends per period of each frequency, measured on CPython 3.11.
_PERIOD_COST = {
    "SECONDLY": 1,
    "MINUTELY": 1,
    "HOURLY": 1,
    "DAILY": 1,
    "WEEKLY": 3,
    "MONTHLY": 8,
    "YEARLY": 40,
}
_DAYS_PER_PERIOD = {"WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
_OCCURRENCE_COST = 100  # recurring_ical_events copies a component per occurrence
_SERIES_COST = 500  # and builds a series (rules, EXDATE sets) per UID
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class IcsImportError(ValueError):
    """The uploaded file cannot be imported; `str(exc)` is a sentence for the person."""


@dataclass(frozen=True)
class BusyInterval:
    """A stretch of time in which the person is busy: aware UTC datetimes, start < end."""

    start: datetime
    end: datetime
    summary: str

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("BusyInterval needs time-zone-aware datetimes.")
        if not self.start < self.end:
            raise ValueError("BusyInterval must start before it ends.")


def parse_busy_ics(
    data: bytes,
    *,
    horizon_start: datetime,
    horizon_end: datetime,
    default_timezone: str,
) -> list[BusyInterval]:
    """Return the busy intervals of an .ics file that fall inside [horizon_start, horizon_end).

    Raises `IcsImportError` (and nothing else) for any problem with the file's content; raises
    plain `ValueError` only when the caller passes a naive or empty horizon or an unknown
    `default_timezone`, which are programming errors rather than a bad upload.
    """
    local_zone = _caller_zone(default_timezone)
    horizon = _caller_horizon(horizon_start, horizon_end)
    text = _decode(data)
    _check_structure(text)
    try:
        calendars = _parse_calendars(text)
        importer = _Importer(horizon=horizon, local_zone=local_zone)
        busy: set[BusyInterval] = set()
        for calendar in calendars:
            busy.update(importer.busy_intervals(calendar))
    except IcsImportError:
        raise
    except ValueError as exc:  # icalendar, dateutil and recurring_ical_events say why in words
        raise IcsImportError(
            f"This calendar file could not be read: {_plain_reason(exc)}. "
            "Export it again from your calendar app."
        ) from exc
    except Exception as exc:  # a parser bug on odd input must be a 400, never a 500
        logger.warning("Unexpected error while importing an .ics file", exc_info=True)
        raise IcsImportError(
            "This calendar file could not be read: it contains something the calendar reader "
            "cannot handle. Export it again from your calendar app."
        ) from exc
    return sorted(busy, key=lambda interval: (interval.start, interval.end, interval.summary))


# --- arguments, bytes and structure ------------------------------------------------------------


def _caller_zone(name: str) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"Unknown default_timezone {name!r}.") from exc


def _caller_horizon(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("horizon_start and horizon_end must be time-zone-aware.")
    if not start < end:
        raise ValueError("horizon_start must be before horizon_end.")
    return start.astimezone(UTC), end.astimezone(UTC)


def _decode(data: bytes) -> str:
    """Bytes to text with LF line ends, refusing what cannot be a calendar before parsing."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_busy_ics expects the file's bytes.")
    data = bytes(data)
    if len(data) > MAX_ICS_BYTES:
        tenths = -(-len(data) * 10 // _MiB)  # round up: 2 MB and one byte is "2.1 MB"
        raise IcsImportError(
            f"The file is {tenths // 10}.{tenths % 10} MB; calendar files up to "
            f"{MAX_ICS_BYTES // _MiB} MB are accepted. Export a shorter date range."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows tools sometimes write UTF-16
        text = data.decode("utf-16", errors="replace")
    else:
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # RFC 5545 says UTF-8, but old Outlook writes Windows-1252; the times are ASCII,
            # so a calendar with a mangled accent in a title is still worth importing.
            if not data.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
                raise IcsImportError(
                    "This is not an iCalendar file: it is not UTF-8 text."
                ) from None
            text = data.decode("utf-8", errors="replace")
    if not text.strip(" \t\r\n\ufeff"):
        raise IcsImportError("The file is empty. Export your calendar again as an .ics file.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_structure(text: str) -> None:
    """Refuse non-calendars and truncated downloads with a specific message.

    icalendar would accept a file cut off inside an event and silently drop that event.
    """
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if first_line.upper() != "BEGIN:VCALENDAR":
        hint = ""
        if first_line.startswith("<"):
            hint = (
                " It looks like a web page (for example a sign-in or error page) saved "
                "instead of the calendar export."
            )
        raise IcsImportError(
            "This is not an iCalendar file: it does not start with BEGIN:VCALENDAR." + hint
        )
    if "\x00" in text:
        raise IcsImportError("This is not an iCalendar file: it contains binary data.")
    open_components: list[tuple[str, int]] = []
    for number, line in _logical_lines(text):
        keyword, _, value = line.partition(":")
        keyword = keyword.strip().upper()
        if keyword not in ("BEGIN", "END"):
            continue
        component = value.strip().upper()
        if keyword == "BEGIN":
            open_components.append((component, number))
            if len(open_components) > _MAX_NESTING:
                raise IcsImportError(
                    f"This calendar file is damaged: components are nested more than "
                    f"{_MAX_NESTING} deep (line {number})."
                )
            continue
        if not open_components:
            raise IcsImportError(
                f"This calendar file is damaged: line {number} ends a {component} "
                "that was never started."
            )
        if component not in (name for name, _ in open_components):
            raise IcsImportError(
                f"This calendar file is damaged: line {number} ends a {component} "
                "that was never started."
            )
        expected, started = open_components.pop()
        if component != expected:
            raise IcsImportError(
                f"This calendar file looks truncated or damaged: the {expected} started on "
                f"line {started} has no END:{expected} before line {number}."
            )
    if open_components:
        component, started = open_components[-1]
        raise IcsImportError(
            f"This calendar file looks truncated: the {component} started on line {started} "
            f"never ends (END:{component} is missing). Download or export it again."
        )


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Unfold continuation lines (RFC 5545 3.1), keeping each line's first line number."""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line[:1] in (" ", "\t") and lines:
            first, head = lines[-1]
            lines[-1] = (first, head + line[1:])
        else:
            lines.append((number, line))
    return lines


def _parse_calendars(text: str) -> list[Calendar]:
    # Bytes, not str: icalendar 7 treats a str without line breaks as a path and reads that file.
    components = Calendar.from_ical(
        _TZID_PROPERTY.sub(_HIDDEN_TZID, text).encode("utf-8"), multiple=True
    )
    for component in components:
        if component.name != "VCALENDAR":
            raise IcsImportError(
                f"This is not an iCalendar file: it contains a {component.name} outside "
                "of BEGIN:VCALENDAR … END:VCALENDAR."
            )
    return components


def _plain_reason(exc: BaseException) -> str:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    reason = "".join(char if char.isprintable() else "?" for char in reason)
    if len(reason) > _MAX_REASON_CHARS:
        reason = reason[: _MAX_REASON_CHARS - 1] + "…"
    return reason.rstrip(".")


# --- time zones ---------------------------------------------------------------------------------


def _named_zone(name: str) -> tzinfo | None:
    """An IANA name, a Windows name ("W. Europe Standard Time") or a "/vendor/IANA" id.

    icalendar 7 maps all three natively (CLDR windowsZones table); ZoneInfo raises OSError
    rather than returning None for absurdly long names, hence the wide except.
    """
    if not name or len(name) > 255:
        return None
    try:
        return tzp.timezone(name)
    except (ValueError, OSError):
        return None


class _ZoneResolver:
    """Give every naive time in one calendar its zone, from that calendar's own definitions."""

    def __init__(self, calendar: Component, local_zone: tzinfo) -> None:
        self.local_zone = local_zone
        self._definitions: dict[str, Component] = {}
        for definition in calendar.walk("VTIMEZONE"):
            tzid = _text(definition.get(_HIDDEN_TZID))
            if tzid:
                self._definitions.setdefault(tzid, definition)
        self._zones: dict[str, tzinfo] = {}
        # Google's X-WR-TIMEZONE: UTC-anchored recurrences repeat at the same local time in the
        # calendar's zone (what recurring_ical_events does by default, done here explicitly so
        # an unknown zone name cannot crash it). Floating times stay the person's own.
        self.calendar_zone = _named_zone(_text(calendar.get("X-WR-TIMEZONE")))

    def zone_for(self, tzid: str) -> tzinfo:
        zone = self._zones.get(tzid)
        if zone is None:
            definition = self._definitions.get(tzid) or self._definitions.get(tzid.strip('"'))
            # A TZID neither icalendar nor the file knows: treat the time as floating.
            zone = self.local_zone if definition is None else _zone_from(tzid, definition)
            self._zones[tzid] = zone
        return zone

    def localize(self, value: object, tzid: str | None) -> object:
        if isinstance(value, tuple):  # RDATE period: (start, end or duration)
            return tuple(self.localize(part, tzid) for part in value)
        if not isinstance(value, datetime):
            return value  # a date (all-day) or a duration
        if value.tzinfo is None:
            return value.replace(tzinfo=self.zone_for(tzid) if tzid else self.local_zone)
        if self.calendar_zone is not None and is_utc(value):
            return value.astimezone(self.calendar_zone)
        return value

    def localize_event(self, event: Component) -> None:
        for name in (*_TIME_PROPERTIES, *_LIST_PROPERTIES):
            for prop in _as_list(event.get(name)):
                tzid = _text(prop.params.get("TZID")) or None
                for value in getattr(prop, "dts", [prop]):
                    value.dt = self.localize(value.dt, tzid)


def _zone_from(tzid: str, definition: Component) -> tzinfo:
    vtimezone = Timezone()
    vtimezone.add("TZID", tzid)
    for rule in definition.subcomponents:
        vtimezone.add_component(rule)
    try:
        # lookup_tzid=False builds the zone from this file's rules without caching it globally.
        return vtimezone.to_tz(tzp, lookup_tzid=False)
    except Exception as exc:
        raise IcsImportError(
            f'The time zone "{_clip(tzid)}" defined in this file cannot be read '
            f"({_plain_reason(exc)})."
        ) from exc


# --- expansion ----------------------------------------------------------------------------------


class _Importer:
    """Expands one calendar at a time, sharing the work budget across the whole file."""

    def __init__(self, *, horizon: tuple[datetime, datetime], local_zone: tzinfo) -> None:
        self.horizon_start, self.horizon_end = horizon
        self.query_start = self.horizon_start - _QUERY_MARGIN
        self.query_end = self.horizon_end + _QUERY_MARGIN
        self.local_zone = local_zone
        self.work_left = MAX_EXPANSION_WORK
        self.deadline = monotonic() + EXPANSION_DEADLINE_SECONDS

    def busy_intervals(self, calendar: Component) -> list[BusyInterval]:
        zones = _ZoneResolver(calendar, self.local_zone)
        series: dict[object, list[Component]] = {}
        for event in calendar.walk("VEVENT"):
            # Alarms do not make anyone busy, and a VEVENT nested in another (seen in broken
            # exports) is walked here on its own; recurring_ical_events must not see it twice.
            event.subcomponents = []
            if not _check_event(event):
                continue
            zones.localize_event(event)
            self._check_duration(event)
            uid = _text(event.get("UID")) or id(event)
            series.setdefault(uid, []).append(event)

        single_events: list[Component] = []
        repeating: list[list[Component]] = []
        for events in series.values():
            if len(events) > 1 or _repeats(events[0]):
                repeating.append(events)
            elif self._may_overlap_query(events[0]):
                single_events.append(events[0])

        # One-off events cost about one occurrence each; a 2 MB file holds at most ~20,000.
        self.work_left -= len(single_events) * _OCCURRENCE_COST
        busy = self._expand(single_events)
        for events in repeating:
            self.work_left -= _SERIES_COST
            for event in events:
                if "RECURRENCE-ID" not in event and "RRULE" in event:
                    self._bound_rules(event, events)
            busy.extend(self._expand(events))
            if monotonic() > self.deadline:
                raise IcsImportError(
                    "This calendar takes too long to expand: some repeating events use "
                    "unusually complex rules. Export a shorter date range or remove those events."
                )
        return busy

    def _check_duration(self, event: Component) -> None:
        """Refuse an event that ends before it starts or lasts a century: a typo in a year.

        recurring_ical_events would swap the ends, a daily event lasting centuries would then
        overlap every day of the horizon, and its arithmetic overflows near the year 1.
        """
        try:
            duration = self._duration(event)
        except OverflowError:
            duration = _MAX_DURATION + timedelta(days=1)
        if timedelta(0) <= duration <= _MAX_DURATION:
            return
        problem = "ends before it starts" if duration < timedelta(0) else "lasts over a century"
        raise IcsImportError(
            f'The event "{_clip(_summary(event) or "(untitled)")}" {problem}; a year is probably '
            "mistyped. Fix it in your calendar app and export again."
        )

    def _may_overlap_query(self, event: Component) -> bool:
        """Skip one-off events far from the horizon before recurring_ical_events copies them."""
        try:
            start = self._to_utc(_get(event, "DTSTART").dt)
            end = start + self._duration(event)
        except OverflowError:  # around the years 1 or 9999: nowhere near any horizon
            return False
        return start <= self.query_end and end >= self.query_start

    def _expand(self, events: list[Component]) -> list[BusyInterval]:
        if not events:
            return []
        holder = Calendar()
        for event in events:
            holder.add_component(event)
        occurrences = recurring_ical_events.of(holder).between(self.query_start, self.query_end)
        busy = []
        for occurrence in occurrences:
            interval = self._busy_interval(occurrence)
            if interval is not None:
                busy.append(interval)
        return busy

    def _busy_interval(self, occurrence: Component) -> BusyInterval | None:
        if _is_free(occurrence):
            return None
        start = self._to_utc(_get(occurrence, "DTSTART").dt)
        end = self._to_utc(_get(occurrence, "DTEND").dt)
        start, end = max(start, self.horizon_start), min(end, self.horizon_end)
        if not start < end:  # zero-length (DATE-TIME without an end) or outside the horizon
            return None
        return BusyInterval(start=start, end=end, summary=_summary(occurrence))

    def _to_utc(self, value: date | datetime) -> datetime:
        if not isinstance(value, datetime):  # all-day: local midnight, DST-aware
            value = datetime.combine(value, time(0), tzinfo=self.local_zone)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.local_zone)
        return value.astimezone(UTC)

    # --- bounding recurrence rules ------------------------------------------------------------

    def _bound_rules(self, event: Component, series: list[Component]) -> None:
        """Make one master event's RRULEs cheap to expand without changing what falls inside
        the horizon: COUNT becomes UNTIL, UNTIL stops at the query end, rules that ended before
        it are dropped, and a lattice rule's start moves to just before the horizon."""
        start = _get(event, "DTSTART").dt
        duration = self._duration(event)
        summary = _summary(event) or "(untitled)"
        ended_by = self.query_start - duration
        rules: list[vRecur] = []
        for rule in _as_list(event.get("RRULE")):
            cost = _RuleCost(rule, summary)
            _check_rule_builds(rule, start, summary)
            if cost.freq in _LATTICE_FREQS and "COUNT" in rule:
                walk = cost.work(
                    start, duration, self.query_start, self.query_end, occurrences=False
                )
                self._charge(cost, walk)
                self._count_to_until(rule, start, summary)
            until = rule.get("UNTIL")
            until_utc = self._until_utc(until[0]) if until else None
            if until_utc is not None and self._to_utc(start) <= until_utc < ended_by:
                # Ended before the horizon. (An UNTIL before DTSTART stays: it is cheap, and
                # it tells recurring_ical_events not to count DTSTART as an occurrence.)
                continue
            # A COUNT left on a MONTHLY/YEARLY rule ends it; an UNTIL beside it would be
            # invalid (RFC 5545 3.3.10, and dateutil will refuse it).
            if "COUNT" not in rule and (until_utc is None or until_utc > self.query_end):
                rule["UNTIL"] = [self._typed_like(start, self.query_end)]
            rules.append(rule)
        if not rules:
            del event["RRULE"]
            return
        event["RRULE"] = rules[0] if len(rules) == 1 else rules
        has_this_and_future = any(
            _text(other.get("RECURRENCE-ID").params.get("RANGE")).upper() == "THISANDFUTURE"
            for other in series
            if "RECURRENCE-ID" in other
        )
        if len(rules) == 1 and not has_this_and_future:
            target = self.query_start - duration - timedelta(days=1)
            start = _rebase(event, _RuleCost(rules[0], summary), target)
        for rule in rules:
            cost = _RuleCost(rule, summary)
            self._charge(cost, cost.work(start, duration, self.query_start, self.query_end))

    def _count_to_until(self, rule: vRecur, start: date | datetime, summary: str) -> None:
        """Replace COUNT by the UNTIL of its last occurrence (or the query end).

        dateutil keeps scanning to the year 9999 when a COUNT cannot be reached; an UNTIL that
        is reached lets the start be moved forward, which a COUNT never allows.
        """
        count = rule.pop("COUNT")[0]
        if not isinstance(count, int) or count < 1:
            return  # recurring_ical_events ignores such a COUNT too (an endless rule)
        probe = vRecur(rule)
        probe["UNTIL"] = [self._typed_like(start, self.query_end)]
        dtstart = start if isinstance(start, datetime) else datetime.combine(start, time(0))
        try:
            occurrences = rrulestr(probe.to_ical().decode(), dtstart=dtstart)
        except (ValueError, TypeError) as exc:
            raise IcsImportError(
                f'The repeating event "{_clip(summary)}" has a repeat rule that cannot be read '
                f"({_plain_reason(exc)})."
            ) from exc
        for number, occurrence in enumerate(occurrences, start=1):
            if number == count:
                last = occurrence if isinstance(start, datetime) else occurrence.date()
                until = rule.get("UNTIL")
                if not until or self._until_utc(until[0]) > self._until_utc(last):
                    rule["UNTIL"] = [self._typed_like(start, last)]
                return

    def _charge(self, cost: _RuleCost, work: int) -> None:
        self.work_left -= work
        if work > MAX_EXPANSION_WORK:
            raise IcsImportError(
                f'The repeating event "{_clip(cost.summary)}" repeats too often to import '
                f"({cost.describe()}). End it or delete it in your calendar app, or export a "
                "shorter date range."
            )
        if self.work_left < 0:
            raise IcsImportError(
                "This calendar has too many repeating events in the date range to import at "
                "once. Export a shorter date range, or a calendar with fewer repeating events."
            )

    def _duration(self, event: Component) -> timedelta:
        """DTEND - DTSTART, else DURATION, else RFC 5545's default: a day for a date, 0 for a
        date-time. Negative for an event that ends before it starts."""
        start = _get(event, "DTSTART").dt
        end = _get(event, "DTEND")
        if end is not None:
            return self._to_utc(end.dt) - self._to_utc(start)
        duration = _get(event, "DURATION")
        if duration is not None:
            return duration.dt
        return timedelta(0) if isinstance(start, datetime) else timedelta(days=1)

    def _until_utc(self, value: object) -> datetime:
        """An UNTIL as UTC, rounded up for a bare date (it includes that whole local day)."""
        if isinstance(value, datetime):
            return self._to_utc(value)
        if isinstance(value, date):
            return self._to_utc(value + timedelta(days=1))
        raise IcsImportError("A repeat rule has an UNTIL that is not a date or time.")

    def _typed_like(self, start: date | datetime, moment: date | datetime) -> date | datetime:
        """UNTIL must have DTSTART's type (RFC 5545 3.3.10): a date, or a UTC date-time."""
        if not isinstance(start, datetime):
            if isinstance(moment, datetime):
                return moment.astimezone(self.local_zone).date()
            return moment
        return self._to_utc(moment)


class _RuleCost:
    """How much dateutil and recurring_ical_events will work for one RRULE (~microseconds)."""

    def __init__(self, rule: vRecur, summary: str) -> None:
        self.rule = rule
        self.summary = summary
        freq = _text(rule.get("FREQ")).upper()
        if freq not in _FREQ_STEP:
            raise IcsImportError(
                f'The repeating event "{_clip(self.summary)}" has a repeat rule without a '
                "valid FREQ."
            )
        interval = rule.get("INTERVAL", [1])[0]
        if not isinstance(interval, int) or interval < 1:
            interval = 1
        self.freq = freq
        self.interval = interval
        # Capped so an absurd INTERVAL cannot overflow timedelta (it then never repeats).
        self.step = min(_FREQ_STEP[freq] * min(interval, 10**6), timedelta(days=10**6))
        self._check_filters()

    def _check_filters(self) -> None:
        """Refuse filters that can never match, where dateutil would search for seconds.

        dateutil ignores UNTIL while no candidate passes the filters and scans to the year 9999:
        3 s per rule for FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, more below daily. Calendar apps
        write only BYDAY, BYMONTH and BYMONTHDAY on daily-or-finer rules, so other parts are
        refused there; MONTHLY/YEARLY scans cost under a second and fall to the deadline.
        """
        if self.freq in _LATTICE_FREQS:
            unusual = sorted(set(self.rule) - _LATTICE_PARTS)
            if self.freq == "WEEKLY" and "BYMONTHDAY" in self.rule:
                unusual.append("BYMONTHDAY")  # RFC 5545 3.3.10 forbids it on WEEKLY
            if unusual:
                raise IcsImportError(
                    f'The repeating event "{_clip(self.summary)}" uses a repeat rule that '
                    f"cannot be imported ({', '.join(unusual)} with FREQ={self.freq}). "
                    "Simplify the repetition in your calendar app and export again."
                )
        months = self.rule.get("BYMONTH") or range(1, 13)
        month_days = self.rule.get("BYMONTHDAY")
        if month_days and not any(
            isinstance(month, int)
            and isinstance(day, int)
            and 1 <= month <= 12
            and 1 <= abs(day) <= _DAYS_IN_MONTH[month - 1]
            for month in months
            for day in month_days
        ):
            raise IcsImportError(
                f'The repeating event "{_clip(self.summary)}" repeats on a day that does not '
                "exist (for example 30 February), so it never happens. Fix or delete it in your "
                "calendar app and export again."
            )

    def _time_factor(self) -> int:
        """Occurrences per matching day (or hour, minute) from the finer BY* lists."""
        finer = {
            "SECONDLY": (),
            "MINUTELY": ("BYSECOND",),
            "HOURLY": ("BYMINUTE", "BYSECOND"),
        }.get(self.freq, ("BYHOUR", "BYMINUTE", "BYSECOND"))
        return math.prod(len(self.rule.get(part) or ()) or 1 for part in finer)

    def _days_factor(self) -> int:
        """Upper bound of matching days per period (a weekday matches at most 5 times a month)."""
        weekdays = len(self.rule.get("BYDAY") or [])
        month_days = len(self.rule.get("BYMONTHDAY") or [])
        if self.freq == "WEEKLY":
            return weekdays or 1
        if self.freq not in ("MONTHLY", "YEARLY"):
            return 1
        if "BYYEARDAY" in self.rule or "BYWEEKNO" in self.rule:
            return _DAYS_PER_PERIOD[self.freq]
        months = len(self.rule.get("BYMONTH") or [])
        per_month = month_days + 5 * weekdays
        if self.freq == "MONTHLY":
            return min(per_month, 31) or 1
        if per_month:
            return min((months or 12) * per_month, 366)
        return months or 1

    def work(
        self,
        start: date | datetime,
        duration: timedelta,
        query_start: datetime,
        query_end: datetime,
        *,
        occurrences: bool = True,
    ) -> int:
        """dateutil's walk from DTSTART to the end, plus a copied component per occurrence
        that recurring_ical_events returns (`occurrences=False` for a bare dateutil walk)."""
        first = _as_utc_guess(start)
        until = self.rule.get("UNTIL")
        last = min(query_end, _as_utc_guess(until[0])) if until else query_end
        time_factor = self._time_factor()
        per_period = _PERIOD_COST[self.freq] * time_factor
        if "BYSETPOS" in self.rule:  # dateutil builds every candidate of a period first
            per_period *= _DAYS_PER_PERIOD.get(self.freq, 1)
        walked = _periods(first, last, self.step) * per_period
        if not occurrences:
            return walked
        # A long event overlaps the query from occurrences that start well before it.
        returned = _periods(max(first, query_start - duration), last, self.step)
        return walked + returned * time_factor * self._days_factor() * _OCCURRENCE_COST

    def describe(self) -> str:
        unit = _FREQ_UNIT[self.freq]
        every = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        times = self._time_factor() * self._days_factor()
        return every if times == 1 else f"{every}, up to {times:,} times each"


def _check_rule_builds(rule: vRecur, start: date | datetime, summary: str) -> None:
    """Let dateutil judge the rule itself (FREQ=HOURLY;INTERVAL=2;BYHOUR=9 from midnight never
    matches, for example), so the person gets its reason rather than a confusing one from
    recurring_ical_events. UNTIL and COUNT are left out: recurring_ical_events repairs an
    UNTIL of the wrong type (a date for a timed event) the same way other clients do."""
    probe = vRecur({key: value for key, value in rule.items() if key not in ("UNTIL", "COUNT")})
    dtstart = start if isinstance(start, datetime) else datetime.combine(start, time(0))
    try:
        rrulestr(probe.to_ical().decode(), dtstart=dtstart)
    except (ValueError, TypeError, KeyError) as exc:
        raise IcsImportError(
            f'The repeating event "{_clip(summary)}" has a repeat rule that cannot be used '
            f"({_plain_reason(exc)}). Fix it in your calendar app and export again."
        ) from exc


def _rebase(event: Component, cost: _RuleCost, target: datetime) -> date | datetime:
    """Move a rule's DTSTART (and DTEND) forward by whole cycles to just before `target`.

    dateutil walks every period from DTSTART, so "every day since 1990" costs 13,000 steps
    per import and Apple's birthdays (born 1604 when the year is unknown) 400 each. Moving the
    start by whole cycles keeps every occurrence near the horizon:
    - DAILY-or-finer and WEEKLY occurrences are DTSTART plus whole steps in wall-clock time,
      and their filters do not depend on DTSTART;
    - MONTHLY and YEARLY ones repeat with the Gregorian calendar every 400 years (weekdays and
      leap days included), so a shift by 400 x INTERVAL years changes nothing.
    A COUNT pins the first occurrence, so such rules stay. The new DTSTART lies before
    `target`, so the occurrence recurring_ical_events always adds at DTSTART stays outside.
    """
    start = _get(event, "DTSTART").dt
    if "COUNT" in cost.rule:
        return start
    if cost.freq in ("MONTHLY", "YEARLY"):
        cycle_years = 400 * cost.interval
        cycles = (target.year - start.year) // cycle_years
        new_start = start.replace(year=start.year + cycles * cycle_years) if cycles > 0 else start
        if _as_utc_guess(new_start) > target and cycles > 1:
            new_start = start.replace(year=start.year + (cycles - 1) * cycle_years)
        if new_start is start or _as_utc_guess(new_start) > target:
            return start
        shift = _as_datetime(new_start) - _as_datetime(start)
    else:
        if isinstance(start, datetime):
            gap = target - start
        elif cost.step % timedelta(days=1) == timedelta(0):
            gap = timedelta(days=(target.date() - start).days)
        else:
            return start  # a sub-daily rule on an all-day event: left to the cost estimate
        if gap <= cost.step:
            return start
        shift = cost.step * (gap // cost.step)
        new_start = start + shift
    end = _get(event, "DTEND")
    if end is not None and type(end.dt) is type(start):
        # Keep the length recurring_ical_events computes (end - start), even across DST.
        end.dt = new_start + (end.dt - start)
    elif end is not None:
        end.dt = end.dt + shift
    _get(event, "DTSTART").dt = new_start
    return new_start


def _periods(first: datetime, last: datetime, step: timedelta) -> int:
    if last < first:
        return 0
    return (last - first) // step + 1


# --- small helpers ------------------------------------------------------------------------------


def _check_event(event: Component) -> bool:
    """Whether the event can be expanded; refuse events whose times are unreadable.

    icalendar parses events leniently: a broken DTSTART becomes a vBroken value and the error
    is kept in `event.errors` instead of raised.
    """
    summary = _summary(event) or "(untitled)"
    for name, error in event.errors:
        if name in _RULE_PROPERTIES or (
            name is None and any(prop in error.upper() for prop in _RULE_PROPERTIES)
        ):
            raise IcsImportError(
                f'The event "{_clip(summary)}" has an unreadable {name or "line"} '
                f"({_plain_reason(Exception(error))})."
            )
    if "DTSTART" not in event:
        return False  # nothing to place in time; not busy
    for name in _RULE_PROPERTIES:
        for prop in _as_list(event.get(name)):
            if isinstance(prop, vBroken):
                raise IcsImportError(f'The event "{_clip(summary)}" has an unreadable {name}.')
    for name in (*_TIME_PROPERTIES, "DURATION", "UID", "SEQUENCE"):
        props = _as_list(event.get(name))
        if len(props) > 1:
            event[name] = props[0]  # duplicated by a sloppy exporter: the first one wins
    for name in _TIME_PROPERTIES:
        prop = event.get(name)
        if prop is not None and not isinstance(prop.dt, date):
            raise IcsImportError(
                f'The event "{_clip(summary)}" has a {name} that is not a date or a time.'
            )
    for name in _LIST_PROPERTIES:
        for prop in _as_list(event.get(name)):
            for value in getattr(prop, "dts", [prop]):
                moment = value.dt[0] if isinstance(value.dt, tuple) else value.dt
                if not isinstance(moment, date):
                    raise IcsImportError(
                        f'The event "{_clip(summary)}" has an {name} that is not a date or a time.'
                    )
    duration = event.get("DURATION")
    if duration is not None and not isinstance(getattr(duration, "dt", None), timedelta):
        raise IcsImportError(f'The event "{_clip(summary)}" has an unreadable DURATION.')
    if "SEQUENCE" in event and not isinstance(event["SEQUENCE"], int):
        del event["SEQUENCE"]  # only used to pick the newest copy of an event; unreadable = none
    return True


def _get(component: Component, name: str) -> Any:
    """A property, typed loosely: icalendar annotates `get` as a union of ~30 value classes;
    `_check_event` checks at run time the ones this module relies on."""
    return component.get(name)


def _repeats(event: Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _is_free(event: Component) -> bool:
    """Cancelled, transparent (Google's birthdays and holidays) or Outlook "Free" is not busy."""
    return (
        _text(event.get("STATUS")).upper() == "CANCELLED"
        or _text(event.get("TRANSP")).upper() == "TRANSPARENT"
        or _text(event.get("X-MICROSOFT-CDO-BUSYSTATUS")).upper() in _FREE_BUSY_STATUSES
    )


def _summary(event: Component) -> str:
    """The title, or "" for a private event so its title is not shown to colleagues."""
    if _text(event.get("CLASS")).upper() in _PRIVATE_CLASSES:
        return ""
    summary = " ".join(_text(event.get("SUMMARY")).split())
    if len(summary) > MAX_SUMMARY_CHARS:
        summary = summary[: MAX_SUMMARY_CHARS - 1] + "…"
    return summary


def _text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value).strip()


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0))


def _as_utc_guess(value: object) -> datetime:
    """UTC for estimates: dates at UTC midnight, floating times as if UTC."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0)) if isinstance(value, date) else datetime.min
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
