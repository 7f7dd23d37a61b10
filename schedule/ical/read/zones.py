"""Time zones: names icalendar knows, and the VTIMEZONE definitions a file brings along.

A file's own definition is untrusted: its STANDARD/DAYLIGHT rules may repeat every second
since 1970, which icalendar's zone (dateutil's tzical) expands lazily, and again on every
lookup, for minutes and gigabytes. Here the transitions are worked out once, inside the
import window, under the file's budget, from rules shaped like the ones real zones use
(yearly, a few changes a year); any other definition makes the zone unreadable, and the
events that use it are skipped rather than the whole file refused.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta, tzinfo

from dateutil.rrule import rrulestr
from icalendar import Component, is_utc
from icalendar.timezone import tzp

from .budget import Budget
from .parse import HIDDEN_TZID, as_list, clip, plain_reason, text_of
from .rules import impossible_day

# Real zones change their offset twice a year at most (a few had four for a while).
MAX_ZONE_CHANGES_PER_YEAR = 4
_ZONE_RULE_PARTS = {"FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST", "BYMONTH", "BYDAY"}
_ZONE_RULE_PARTS |= {"BYMONTHDAY", "BYYEARDAY", "BYHOUR", "BYMINUTE", "BYSECOND"}
_MAX_OFFSET = timedelta(hours=18)  # what RFC 5545 and Python's tzinfo both allow, near enough
_PERIOD_COST = 40  # microseconds dateutil spends per yearly period


class ZoneUnreadable(ValueError):
    """The file's definition of a zone cannot be used; `str(exc)` says why in words."""


def named_zone(name: str) -> tzinfo | None:
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


class FileZone(tzinfo):
    """A zone from a list of transitions (UTC instant, offset after, DST part, name).

    Outside the transitions it knows, the nearest one's offset holds: the importer only asks
    about times near its window.
    """

    def __init__(
        self,
        name: str,
        changes: list[tuple[datetime, timedelta, timedelta, str]],
        first: tuple[timedelta, timedelta, str],
    ) -> None:
        self.name = name
        self._utc = [instant for instant, _, _, _ in changes]
        self._infos = [(offset, dst, label) for _, offset, dst, label in changes]
        self._first = first
        before = [first[0], *(offset for _, offset, _, _ in changes)]
        # Wall-clock time of each change as seen just before and just after it: the later of
        # the two ends a gap or a repeated hour for fold=0, the earlier one for fold=1.
        self._wall_late = []
        self._wall_early = []
        for index, (instant, offset, _, _) in enumerate(changes):
            seen_before, seen_after = instant + before[index], instant + offset
            self._wall_late.append(max(seen_before, seen_after))
            self._wall_early.append(min(seen_before, seen_after))
        self._before = before

    def _info(self, dt: datetime | None) -> tuple[timedelta, timedelta, str]:
        if dt is None:
            return self._first
        walls = self._wall_early if dt.fold else self._wall_late
        index = bisect_right(walls, dt.replace(tzinfo=None)) - 1
        return self._infos[index] if index >= 0 else self._first

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._info(dt)[0]

    def dst(self, dt: datetime | None) -> timedelta:
        return self._info(dt)[1]

    def tzname(self, dt: datetime | None) -> str:
        return self._info(dt)[2]

    def fromutc(self, dt: datetime) -> datetime:
        instant = dt.replace(tzinfo=None)
        index = bisect_right(self._utc, instant) - 1
        offset = self._infos[index][0] if index >= 0 else self._first[0]
        local = instant + offset
        # The second pass through a repeated hour (the clocks went back) is fold=1.
        fold = int(
            index >= 0
            and self._before[index] > offset
            and local < self._utc[index] + self._before[index]
        )
        return local.replace(tzinfo=self, fold=fold)

    def __repr__(self) -> str:
        return f"FileZone({self.name!r})"


def zone_from_definition(
    tzid: str, definition: Component, *, until: datetime, budget: Budget
) -> FileZone:
    """Work out a file's zone up to `until` (naive UTC); ZoneUnreadable when it cannot be."""
    changes: list[tuple[datetime, timedelta, timedelta, str]] = []
    for part in definition.subcomponents:
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        start = _naive(part.get("DTSTART"))
        offset_from = _offset(part.get("TZOFFSETFROM"))
        offset_to = _offset(part.get("TZOFFSETTO"))
        if start is None or offset_from is None or offset_to is None:
            raise ZoneUnreadable("a part of it has no readable DTSTART or offsets")
        dst = max(offset_to - offset_from, timedelta(0)) if part.name == "DAYLIGHT" else None
        label = clip(text_of(part.get("TZNAME")), 20) or tzid[:20]
        for moment in _local_changes(part, start, until + offset_from, budget):
            changes.append((moment - offset_from, offset_to, dst or timedelta(0), label))
    if not changes:
        raise ZoneUnreadable("it has no STANDARD or DAYLIGHT part")
    changes.sort(key=lambda change: change[0])
    first_part = min(
        (p for p in definition.subcomponents if p.name in ("STANDARD", "DAYLIGHT")),
        key=lambda p: _naive(p.get("DTSTART")) or datetime.max,
    )
    first_offset = _offset(first_part.get("TZOFFSETFROM")) or changes[0][1]
    return FileZone(tzid, changes, (first_offset, timedelta(0), tzid[:20]))


def _local_changes(
    part: Component, start: datetime, until: datetime, budget: Budget
) -> list[datetime]:
    moments = [start]
    for rdate in as_list(part.get("RDATE")):
        for value in getattr(rdate, "dts", []):
            budget.spend()
            moment = _naive(value)
            if moment is not None and moment <= until:
                moments.append(moment)
    rules = [rule for rule in as_list(part.get("RRULE")) if rule]
    for rule in rules:
        _check_zone_rule(rule)
        text = rule.to_ical().decode(errors="replace")
        try:
            occurrences = rrulestr(text, dtstart=start, ignoretz=True)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise ZoneUnreadable(
                f"its rule {clip(text, 60)} cannot be used ({plain_reason(exc)})"
            ) from exc
        first_year = start.year
        for changes, moment in enumerate(occurrences, start=1):
            budget.spend(_PERIOD_COST)
            if moment > until:
                break
            if changes > MAX_ZONE_CHANGES_PER_YEAR * (moment.year - first_year + 1):
                raise ZoneUnreadable(
                    f"it changes its offset more than {MAX_ZONE_CHANGES_PER_YEAR} times a year"
                )
            moments.append(moment)
    return moments


def _check_zone_rule(rule: object) -> None:
    items = dict(rule)  # type: ignore[call-overload]
    freq = text_of(items.get("FREQ")).upper()
    if freq != "YEARLY":
        unit = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour"}.get(freq)
        every = f"every {unit}" if unit else f"with FREQ={clip(freq, 12) or 'nothing'}"
        raise ZoneUnreadable(f"its offset changes {every}; a time zone changes once a year")
    unusual = sorted(set(items) - _ZONE_RULE_PARTS)
    if unusual:
        raise ZoneUnreadable(f"its yearly rule uses {', '.join(unusual)}")
    if impossible_day(items):
        raise ZoneUnreadable("its rule names a day that does not exist")


def _naive(prop: object) -> datetime | None:
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time(0))
    return None


def _offset(prop: object) -> timedelta | None:
    value = getattr(prop, "td", None)
    if isinstance(value, timedelta) and abs(value) < _MAX_OFFSET:
        return value
    return None


class ZoneResolver:
    """Give every naive time in one calendar its zone, from that calendar's own definitions."""

    def __init__(
        self,
        *,
        calendar: Component,
        definitions: list[Component],
        unusable: dict[str, str],
        local_zone: tzinfo,
        until: datetime,
        budget: Budget,
    ) -> None:
        self.local_zone = local_zone
        self._until = until.replace(tzinfo=None)
        self._budget = budget
        self._definitions: dict[str, Component] = {}
        for definition in definitions:
            tzid = text_of(definition.get(HIDDEN_TZID))
            if tzid:
                self._definitions.setdefault(tzid, definition)
        self._zones: dict[str, tzinfo | ZoneUnreadable] = {
            tzid: ZoneUnreadable(reason) for tzid, reason in unusable.items()
        }
        # Google's X-WR-TIMEZONE: UTC-anchored recurrences repeat at the same local time in the
        # calendar's zone (what recurring_ical_events does by default, done here explicitly so
        # an unknown zone name cannot crash it). Floating times stay the person's own.
        self.calendar_zone = named_zone(text_of(calendar.get("X-WR-TIMEZONE")))

    def zone_for(self, tzid: str) -> tzinfo:
        """The zone a TZID names; ZoneUnreadable (every time) when the file's definition is bad."""
        zone = self._zones.get(tzid)
        if zone is None:
            definition = self._definitions.get(tzid) or self._definitions.get(tzid.strip('"'))
            if definition is None:
                # A TZID neither icalendar nor the file knows: treat the time as floating.
                zone = self.local_zone
            else:
                try:
                    zone = zone_from_definition(
                        tzid, definition, until=self._until, budget=self._budget
                    )
                except ZoneUnreadable as exc:
                    zone = exc
            self._zones[tzid] = zone
        if isinstance(zone, ZoneUnreadable):
            raise zone
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
