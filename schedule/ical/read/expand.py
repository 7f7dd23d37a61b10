"""From parsed events to busy intervals inside the horizon, one series at a time.

Each event is checked and repaired (`events`), given its zones (`zones`) and grouped into a
series by UID; a series whose rules are bounded (`rules.bound_rules`) is expanded by
recurring_ical_events, occurrence by occurrence under the file's budget. An event
or series that cannot be read is skipped with its reason; the rest of the file still counts.
"""

from __future__ import annotations

from datetime import date, timedelta

import recurring_ical_events
from icalendar import Calendar, Component

from . import events as ev
from .budget import Budget
from .errors import BusyInterval, ReadResult
from .parse import (
    MAX_LISTED_DATES,
    CalendarText,
    as_list,
    calendar_properties,
    parse_lines,
    plain_reason,
    text_of,
)
from .rules import OCCURRENCE_COST, SERIES_COST, RuleUnusable, as_utc_guess, bound_rules
from .window import Window
from .zones import ZoneResolver, ZoneUnreadable

_MAX_DURATION = timedelta(days=36525)
# Start and end swapped by less than this is a slip recurring_ical_events repairs (it swaps
# them); more is a mistyped year, and a year-long busy block would hide the person's week.
_SWAPPABLE = timedelta(days=1)
# Blocks that are not events but are expected in a calendar; any other block with a start
# time is probably a misspelled VEVENT and is reported as skipped.
_OTHER_COMPONENTS = {"VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}


class SkipSeries(Exception):
    """This event (or its whole series) cannot be read; `reason` completes "The event ..."."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Reader:
    """Reads calendars one after another, sharing one budget and one result."""

    def __init__(self, *, window: Window, budget: Budget, result: ReadResult) -> None:
        self.window = window
        self.budget = budget
        self.result = result
        self.busy: set[BusyInterval] = set()

    def read(self, calendar: CalendarText) -> None:
        try:
            properties = calendar_properties(calendar)
        except ValueError:
            properties = Calendar()  # X-WR-TIMEZONE unreadable: the events may still be fine
        definitions = []
        unusable: dict[str, str] = {}
        for block in calendar.blocks:
            if block.name == "VTIMEZONE":
                if block.listed_dates > MAX_LISTED_DATES:
                    unusable[block.value_of("TZID")] = (
                        f"it lists {block.listed_dates:,} changes of offset"
                    )
                    continue
                self.budget.spend(len(block.lines))
                try:
                    definitions.append(parse_lines(block.lines))
                except ValueError:
                    continue  # events using it are then floating, as for an unknown TZID
        zones = ZoneResolver(
            calendar=properties,
            definitions=definitions,
            unusable=unusable,
            local_zone=self.window.local_zone,
            until=self.window.query_end + timedelta(days=1),
            budget=self.budget,
        )
        series: dict[object, list[Component]] = {}
        for block in calendar.blocks:
            self.budget.spend(len(block.lines))
            if block.name != "VEVENT":
                if block.name not in _OTHER_COMPONENTS and any(
                    line.upper().startswith("DTSTART") for line in block.lines
                ):
                    self.result.skip(
                        block.summary or "(untitled)",
                        f"is marked BEGIN:{block.name[:20]} instead of BEGIN:VEVENT, so it is "
                        "not read as an event",
                    )
                continue
            if block.listed_dates > MAX_LISTED_DATES:
                self.result.skip(
                    block.summary or "(untitled)",
                    f"lists {block.listed_dates:,} extra or excluded dates (RDATE/EXDATE); "
                    f"events with up to {MAX_LISTED_DATES:,} are read",
                )
                continue
            try:
                parsed = parse_lines(block.lines)
            except ValueError as exc:
                self.result.skip(
                    block.summary or "(untitled)", f"cannot be read: {plain_reason(exc)}"
                )
                continue
            for event in parsed.walk("VEVENT"):
                if self._far_one_off(event):
                    continue
                try:
                    self._prepare(event, zones)
                except SkipSeries as skip:
                    self.result.skip(ev.label(event), skip.reason)
                    continue
                uid = text_of(event.get("UID")) or id(event)
                series.setdefault(uid, []).append(event)
        self._expand_all(series)

    # --- one event -----------------------------------------------------------------------------

    def _far_one_off(self, event: Component) -> bool:
        """A one-off event days away from the query: it cannot be busy time, so it is dropped
        before the checks and zones that cost most of the time of a big file of past events.
        Guessed with floating times as UTC; the day of slack covers any zone's offset."""
        if ev.repeats(event):
            return False
        try:  # a broken property raises on .dt; the full checks will name it
            start = getattr(event.get("DTSTART"), "dt", None)
            end = getattr(event.get("DTEND"), "dt", None)
            length = getattr(event.get("DURATION"), "dt", None)
        except ValueError:
            return False
        if not isinstance(start, date) or (end is not None and not isinstance(end, date)):
            return False
        try:
            first = as_utc_guess(start)
            if end is not None:
                last = as_utc_guess(end)
            elif isinstance(length, timedelta):
                last = first + length
            else:
                last = first + timedelta(days=1)
        except (OverflowError, ValueError):
            return False
        slack = timedelta(days=1)
        return min(first, last) > self.window.query_end + slack or (
            max(first, last) < self.window.query_start - slack
        )

    def _prepare(self, event: Component, zones: ZoneResolver) -> None:
        ev.repair(event)
        reason = ev.problem(event)
        if reason is not None:
            raise SkipSeries(reason)
        for name in (*ev.TIME_PROPERTIES, *ev.LIST_PROPERTIES):
            for prop in as_list(event.get(name)):
                tzid = text_of(prop.params.get("TZID")) or None
                for value in getattr(prop, "dts", [prop]):
                    self.budget.spend()
                    try:
                        value.dt = zones.localize(value.dt, tzid)
                    except ZoneUnreadable as exc:
                        raise SkipSeries(
                            f'uses the time zone "{(tzid or "")[:60]}", which this file '
                            f"defines in a way that cannot be used: {exc}"
                        ) from exc
        duration = self._check_duration(event)
        self._prune_dates(event, duration)

    def _check_duration(self, event: Component) -> timedelta:
        """The event's length; skip one that lasts a century or ends long before it starts."""
        try:
            duration = self.window.duration(event)
        except OverflowError:
            duration = _MAX_DURATION + timedelta(days=1)
        if duration < -_SWAPPABLE:
            raise SkipSeries("ends before it starts; a year is probably mistyped")
        if duration > _MAX_DURATION:
            raise SkipSeries("lasts over a century; a year is probably mistyped")
        return abs(duration)

    def _prune_dates(self, event: Component, duration: timedelta) -> None:
        """Drop RDATE/EXDATE values that cannot touch the query (they only cost time); charge
        each one that stays as an occurrence."""
        for name in ev.LIST_PROPERTIES:
            kept_props = []
            for prop in as_list(event.get(name)):
                kept = []
                for value in getattr(prop, "dts", []):
                    moment = value.dt[0] if isinstance(value.dt, tuple) else value.dt
                    try:
                        start = self.window.to_utc(moment)
                    except OverflowError:
                        continue
                    if (
                        self.window.query_start - duration - timedelta(days=1)
                        <= start
                        <= self.window.query_end
                    ):
                        self.budget.spend(OCCURRENCE_COST)
                        kept.append(value)
                if kept:
                    prop.dts[:] = kept
                    kept_props.append(prop)
            if name in event:
                del event[name]
                if kept_props:
                    event[name] = kept_props[0] if len(kept_props) == 1 else kept_props

    # --- series --------------------------------------------------------------------------------

    def _expand_all(self, series: dict[object, list[Component]]) -> None:
        single_events: list[Component] = []
        repeating: list[list[Component]] = []
        for events in series.values():
            if len(events) > 1 or ev.repeats(events[0]):
                repeating.append(events)
            elif self._may_overlap_query(events[0]):
                single_events.append(events[0])
        self.budget.spend(OCCURRENCE_COST * len(single_events))
        self._expand(single_events)
        for events in repeating:
            self.budget.spend(SERIES_COST)
            master = next((e for e in events if "RECURRENCE-ID" not in e), events[0])
            try:
                for event in events:
                    if "RECURRENCE-ID" not in event and "RRULE" in event:
                        bound_rules(event, events, self.window, self.budget)
                self._expand(events)
            except RuleUnusable as exc:
                self.result.skip(ev.label(master), f"has a repeat rule that {exc}")
            except SkipSeries as skip:
                self.result.skip(ev.label(master), skip.reason)

    def _may_overlap_query(self, event: Component) -> bool:
        """Skip one-off events far from the horizon before recurring_ical_events copies them."""
        try:
            start = self.window.to_utc(ev.get(event, "DTSTART").dt)
            duration = self.window.duration(event)
            start, end = min(start, start + duration), max(start, start + duration)
        except OverflowError:  # around the years 1 or 9999: nowhere near any horizon
            return False
        return start <= self.window.query_end and end >= self.window.query_start

    def _expand(self, events: list[Component]) -> None:
        if not events:
            return
        holder = Calendar()
        for event in events:
            holder.add_component(event)
        try:
            query = recurring_ical_events.of(holder)
            start, end = (
                query.to_datetime(self.window.query_start),
                query.to_datetime(self.window.query_end),
            )
            for one_series in query.series:
                for occurrence in one_series.between(start, end):
                    self.budget.spend()  # the estimate paid for it; this checks the clock
                    component = occurrence.as_component(query.keep_recurrence_attributes)
                    self._add_busy(component)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # recurring_ical_events and dateutil say why in words (or hit a corner of theirs)
            raise SkipSeries(f"cannot be expanded ({plain_reason(exc)})") from exc

    def _add_busy(self, occurrence: Component) -> None:
        if ev.is_free(occurrence):
            return
        start = self.window.to_utc(ev.get(occurrence, "DTSTART").dt)
        end = self.window.to_utc(ev.get(occurrence, "DTEND").dt)
        start, end = max(start, self.window.horizon_start), min(end, self.window.horizon_end)
        if start < end:  # not zero-length (DATE-TIME without an end) nor outside the horizon
            self.busy.add(BusyInterval(start=start, end=end, summary=ev.summary(occurrence)))

    def intervals(self) -> list[BusyInterval]:
        return sorted(
            self.busy, key=lambda interval: (interval.start, interval.end, interval.summary)
        )
