"""From parsed events to busy intervals inside the horizon, one series at a time.

Each event is checked, repaired, given its zones and grouped into a series by UID; a series
whose rules are bounded (COUNT to UNTIL, UNTIL at the horizon, start moved forward) is
expanded by recurring_ical_events, occurrence by occurrence under the file's budget. An event
or series that cannot be read is skipped with its reason; the rest of the file still counts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import Calendar, Component, vRecur

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
from .rules import (
    LATTICE_FREQS,
    OCCURRENCE_COST,
    SERIES_COST,
    RuleCost,
    RuleUnusable,
    as_datetime,
    as_utc_guess,
    check_rule_builds,
    rebase,
)
from .zones import ZoneResolver, ZoneUnreadable

# recurring_ical_events compares all-day dates with the query bounds after dropping the time
# zone, which can be 14 hours off; query wider and clip exactly ourselves.
QUERY_MARGIN = timedelta(days=2)
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

    def __init__(
        self,
        *,
        horizon: tuple[datetime, datetime],
        local_zone: tzinfo,
        budget: Budget,
        result: ReadResult,
    ) -> None:
        self.horizon_start, self.horizon_end = horizon
        self.query_start = self.horizon_start - QUERY_MARGIN
        self.query_end = self.horizon_end + QUERY_MARGIN
        self.local_zone = local_zone
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
            local_zone=self.local_zone,
            until=self.query_end + timedelta(days=1),
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
        return min(first, last) > self.query_end + slack or (
            max(first, last) < self.query_start - slack
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
            duration = self._duration(event)
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
                        start = self._to_utc(moment)
                    except OverflowError:
                        continue
                    if self.query_start - duration - timedelta(days=1) <= start <= self.query_end:
                        self.budget.spend(OCCURRENCE_COST)
                        kept.append(value)
                if kept:
                    prop.dts[:] = kept
                    kept_props.append(prop)
            if name in event:
                del event[name]
                if kept_props:
                    event[name] = kept_props[0] if len(kept_props) == 1 else kept_props

    def _duration(self, event: Component) -> timedelta:
        """DTEND - DTSTART, else DURATION, else RFC 5545's default: a day for a date, 0 for a
        date-time. Negative for an event that ends before it starts."""
        start = ev.get(event, "DTSTART").dt
        end = ev.get(event, "DTEND")
        if end is not None:
            return self._to_utc(end.dt) - self._to_utc(start)
        duration = ev.get(event, "DURATION")
        if duration is not None:
            return duration.dt
        return timedelta(0) if isinstance(start, datetime) else timedelta(days=1)

    def _to_utc(self, value: date | datetime) -> datetime:
        if not isinstance(value, datetime):  # all-day: local midnight, DST-aware
            value = datetime.combine(value, time(0), tzinfo=self.local_zone)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.local_zone)
        return value.astimezone(UTC)

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
                        self._bound_rules(event, events)
                self._expand(events)
            except SkipSeries as skip:
                self.result.skip(ev.label(master), skip.reason)

    def _may_overlap_query(self, event: Component) -> bool:
        """Skip one-off events far from the horizon before recurring_ical_events copies them."""
        try:
            start = self._to_utc(ev.get(event, "DTSTART").dt)
            duration = self._duration(event)
            start, end = min(start, start + duration), max(start, start + duration)
        except OverflowError:  # around the years 1 or 9999: nowhere near any horizon
            return False
        return start <= self.query_end and end >= self.query_start

    def _expand(self, events: list[Component]) -> None:
        if not events:
            return
        holder = Calendar()
        for event in events:
            holder.add_component(event)
        try:
            query = recurring_ical_events.of(holder)
            start, end = query.to_datetime(self.query_start), query.to_datetime(self.query_end)
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
        start = self._to_utc(ev.get(occurrence, "DTSTART").dt)
        end = self._to_utc(ev.get(occurrence, "DTEND").dt)
        start, end = max(start, self.horizon_start), min(end, self.horizon_end)
        if start < end:  # not zero-length (DATE-TIME without an end) nor outside the horizon
            self.busy.add(BusyInterval(start=start, end=end, summary=ev.summary(occurrence)))

    # --- bounding recurrence rules ----------------------------------------------------------------

    def _bound_rules(self, event: Component, series: list[Component]) -> None:
        """Make one master event's RRULEs cheap to expand without changing what falls inside
        the horizon: COUNT becomes UNTIL, UNTIL stops at the query end, rules that ended before
        it are dropped, and a lattice rule's start moves to just before the horizon."""
        start = ev.get(event, "DTSTART").dt
        duration = abs(self._duration(event))
        ended_by = self.query_start - duration
        rules: list[vRecur] = []
        try:
            for rule in as_list(event.get("RRULE")):
                cost = RuleCost(rule)
                check_rule_builds(rule, start)
                if cost.freq in LATTICE_FREQS and "COUNT" in rule:
                    self._charge(
                        cost,
                        cost.work(
                            start, duration, self.query_start, self.query_end, occurrences=False
                        ),
                    )
                    self._count_to_until(rule, start)
                until = rule.get("UNTIL")
                until_utc = self._until_utc(until[0]) if until else None
                if until_utc is not None and self._to_utc(start) <= until_utc < ended_by:
                    # Ended before the horizon. (An UNTIL before DTSTART stays: it is cheap,
                    # and it tells recurring_ical_events not to count DTSTART as an occurrence.)
                    continue
                # A COUNT left on a MONTHLY/YEARLY rule ends it; an UNTIL beside it would be
                # invalid (RFC 5545 3.3.10, and dateutil will refuse it).
                if "COUNT" not in rule and (until_utc is None or until_utc > self.query_end):
                    rule["UNTIL"] = [self._typed_like(start, self.query_end)]
                rules.append(rule)
        except RuleUnusable as exc:
            raise SkipSeries(f"has a repeat rule that {exc}") from exc
        if not rules:
            del event["RRULE"]
            return
        event["RRULE"] = rules[0] if len(rules) == 1 else rules
        has_this_and_future = any(
            text_of(other.get("RECURRENCE-ID").params.get("RANGE")).upper() == "THISANDFUTURE"
            for other in series
            if "RECURRENCE-ID" in other
        )
        if len(rules) == 1 and not has_this_and_future:
            target = self.query_start - duration - timedelta(days=1)
            start = rebase(event, RuleCost(rules[0]), target)
        for rule in rules:
            cost = RuleCost(rule)
            self._charge(cost, cost.work(start, duration, self.query_start, self.query_end))

    def _count_to_until(self, rule: vRecur, start: date | datetime) -> None:
        """Replace COUNT by the UNTIL of its last occurrence (or the query end).

        dateutil keeps scanning to the year 9999 when a COUNT cannot be reached; an UNTIL that
        is reached lets the start be moved forward, which a COUNT never allows.
        """
        count = rule.pop("COUNT")[0]
        if not isinstance(count, int) or count < 1:
            return  # recurring_ical_events ignores such a COUNT too (an endless rule)
        probe = vRecur(rule)
        probe["UNTIL"] = [self._typed_like(start, self.query_end)]
        try:
            occurrences = rrulestr(probe.to_ical().decode(), dtstart=as_datetime(start))
        except (ValueError, TypeError) as exc:
            raise RuleUnusable(f"cannot be read ({plain_reason(exc)})") from exc
        for number, occurrence in enumerate(occurrences, start=1):
            self.budget.spend()
            if number == count:
                last = occurrence if isinstance(start, datetime) else occurrence.date()
                until = rule.get("UNTIL")
                if not until or self._until_utc(until[0]) > self._until_utc(last):
                    rule["UNTIL"] = [self._typed_like(start, last)]
                return

    def _charge(self, cost: RuleCost, work: int) -> None:
        if not self.budget.affords(work):
            raise SkipSeries(f"repeats too often to import ({cost.describe()})")
        self.budget.spend(work)

    def _until_utc(self, value: object) -> datetime:
        """An UNTIL as UTC, rounded up for a bare date (it includes that whole local day)."""
        if isinstance(value, datetime):
            return self._to_utc(value)
        if isinstance(value, date):
            return self._to_utc(value + timedelta(days=1))
        raise RuleUnusable("has an UNTIL that is not a date or time")

    def _typed_like(self, start: date | datetime, moment: date | datetime) -> date | datetime:
        """UNTIL must have DTSTART's type (RFC 5545 3.3.10): a date, or a UTC date-time."""
        if not isinstance(start, datetime):
            if isinstance(moment, datetime):
                return moment.astimezone(self.local_zone).date()
            return moment
        return self._to_utc(moment)

    def intervals(self) -> list[BusyInterval]:
        return sorted(
            self.busy, key=lambda interval: (interval.start, interval.end, interval.summary)
        )
