"""What one RRULE will cost dateutil and recurring_ical_events, and how to make it cheap.

dateutil walks every period from DTSTART, ignores UNTIL while no candidate passes the
filters, and recurring_ical_events copies a component per occurrence: `RuleCost` estimates
that work so a rule that repeats every minute since 1970 is skipped before it runs, and
`bound_rules` cuts each rule to the window and `rebase` moves its start by whole cycles, so
"every day since 1990" costs a few steps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Component, vRecur

from .budget import Budget
from .events import get
from .parse import as_list, plain_reason, text_of
from .window import Window

FREQ_STEP = {
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
# Rules at most weekly repeat on a fixed lattice of steps (`rebase` moves their start by whole
# steps, after turning a COUNT into an UNTIL), and their impossible filters would cost dateutil
# seconds, so they are held to the patterns calendar apps write (`RuleCost._check_filters`).
LATTICE_FREQS = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY"}
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
OCCURRENCE_COST = 100  # recurring_ical_events copies a component per occurrence
SERIES_COST = 500  # and builds a series (rules, EXDATE sets) per UID
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class RuleUnusable(ValueError):
    """This rule cannot be expanded; `str(exc)` says why, completing "its repeat rule ..."."""


def impossible_day(rule: Mapping[str, Any]) -> bool:
    """Whether BYMONTHDAY names only days that do not exist (30 February): dateutil would
    search for one until the year 9999."""
    months = rule.get("BYMONTH") or range(1, 13)
    month_days = rule.get("BYMONTHDAY") or []
    return bool(month_days) and not any(
        isinstance(month, int)
        and isinstance(day, int)
        and 1 <= month <= 12
        and 1 <= abs(day) <= _DAYS_IN_MONTH[month - 1]
        for month in months
        for day in month_days
    )


class RuleCost:
    """How much dateutil and recurring_ical_events will work for one RRULE (~microseconds)."""

    def __init__(self, rule: vRecur) -> None:
        self.rule = rule
        freq = str(rule.get("FREQ", [""])[0] if rule.get("FREQ") else "").upper()
        if freq not in FREQ_STEP:
            raise RuleUnusable("has no valid FREQ")
        interval = rule.get("INTERVAL", [1])[0]
        if not isinstance(interval, int) or interval < 1:
            interval = 1
        self.freq = freq
        self.interval = interval
        # Capped so an absurd INTERVAL cannot overflow timedelta (it then never repeats).
        self.step = min(FREQ_STEP[freq] * min(interval, 10**6), timedelta(days=10**6))
        self._check_filters()

    def _check_filters(self) -> None:
        """Refuse filters that can never match, where dateutil would search for seconds.

        dateutil ignores UNTIL while no candidate passes the filters and scans to the year 9999:
        3 s per rule for FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, more below daily. Calendar apps
        write only BYDAY, BYMONTH and BYMONTHDAY on daily-or-finer rules, so other parts are
        refused there; MONTHLY/YEARLY scans cost under a second and fall to the deadline.
        """
        if self.freq in LATTICE_FREQS:
            unusual = sorted(set(self.rule) - _LATTICE_PARTS)
            if self.freq == "WEEKLY" and "BYMONTHDAY" in self.rule:
                unusual.append("BYMONTHDAY")  # RFC 5545 3.3.10 forbids it on WEEKLY
            if unusual:
                raise RuleUnusable(
                    f"cannot be imported ({', '.join(unusual)} with FREQ={self.freq})"
                )
        if impossible_day(self.rule):
            raise RuleUnusable(
                "repeats on a day that does not exist (for example 30 February), so it never "
                "happens"
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
        first = as_utc_guess(start)
        until = self.rule.get("UNTIL")
        last = min(query_end, as_utc_guess(until[0])) if until else query_end
        time_factor = self._time_factor()
        per_period = _PERIOD_COST[self.freq] * time_factor
        if "BYSETPOS" in self.rule:  # dateutil builds every candidate of a period first
            per_period *= _DAYS_PER_PERIOD.get(self.freq, 1)
        walked = periods(first, last, self.step) * per_period
        if not occurrences:
            return walked
        # A long event overlaps the query from occurrences that start well before it.
        returned = periods(max(first, query_start - duration), last, self.step)
        return walked + returned * time_factor * self._days_factor() * OCCURRENCE_COST

    def describe(self) -> str:
        unit = _FREQ_UNIT[self.freq]
        every = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        times = self._time_factor() * self._days_factor()
        return every if times == 1 else f"{every}, up to {times:,} times each"


def check_rule_builds(rule: vRecur, start: date | datetime) -> None:
    """Let dateutil judge the rule itself (FREQ=HOURLY;INTERVAL=2;BYHOUR=9 from midnight never
    matches, for example), so the person gets its reason rather than a confusing one from
    recurring_ical_events. UNTIL and COUNT are left out: recurring_ical_events repairs an
    UNTIL of the wrong type (a date for a timed event) the same way other clients do."""
    probe = vRecur({key: value for key, value in rule.items() if key not in ("UNTIL", "COUNT")})
    try:
        rrulestr(probe.to_ical().decode(), dtstart=as_datetime(start))
    except (ValueError, TypeError, KeyError) as exc:
        raise RuleUnusable(f"cannot be used ({plain_reason(exc)})") from exc


def rebase(event: Component, cost: RuleCost, target: datetime) -> date | datetime:
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
    start = get(event, "DTSTART").dt
    if "COUNT" in cost.rule:
        return start
    if cost.freq in ("MONTHLY", "YEARLY"):
        cycle_years = 400 * cost.interval
        cycles = (target.year - start.year) // cycle_years
        new_start = start.replace(year=start.year + cycles * cycle_years) if cycles > 0 else start
        if as_utc_guess(new_start) > target and cycles > 1:
            new_start = start.replace(year=start.year + (cycles - 1) * cycle_years)
        if new_start is start or as_utc_guess(new_start) > target:
            return start
        shift = as_datetime(new_start) - as_datetime(start)
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
    end = get(event, "DTEND")
    if end is not None and type(end.dt) is type(start):
        # Keep the length recurring_ical_events computes (end - start), even across DST.
        end.dt = new_start + (end.dt - start)
    elif end is not None:
        end.dt = end.dt + shift
    get(event, "DTSTART").dt = new_start
    return new_start


def periods(first: datetime, last: datetime, step: timedelta) -> int:
    if last < first:
        return 0
    return (last - first) // step + 1


def as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0))


def as_utc_guess(value: object) -> datetime:
    """UTC for estimates: dates at UTC midnight, floating times as if UTC."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0)) if isinstance(value, date) else datetime.min
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# --- bounding one event's rules -------------------------------------------------------------------


def bound_rules(event: Component, series: list[Component], window: Window, budget: Budget) -> None:
    """Make one master event's RRULEs cheap to expand without changing what falls inside
    the window: COUNT becomes UNTIL, UNTIL stops at the query end, rules that ended before
    it are dropped, and a lattice rule's start moves to just before the window. Each rule's
    estimated work is charged to the budget; RuleUnusable when a rule cannot be expanded or
    would cost more than a whole budget alone."""
    start = get(event, "DTSTART").dt
    duration = abs(window.duration(event))
    ended_by = window.query_start - duration
    rules: list[vRecur] = []
    for rule in as_list(event.get("RRULE")):
        cost = RuleCost(rule)
        check_rule_builds(rule, start)
        if cost.freq in LATTICE_FREQS and "COUNT" in rule:
            walk = cost.work(
                start, duration, window.query_start, window.query_end, occurrences=False
            )
            _charge(budget, cost, walk)
            _count_to_until(rule, start, window, budget)
        until = rule.get("UNTIL")
        until_utc = _until_utc(until[0], window) if until else None
        if until_utc is not None and window.to_utc(start) <= until_utc < ended_by:
            # Ended before the window. (An UNTIL before DTSTART stays: it is cheap, and it
            # tells recurring_ical_events not to count DTSTART as an occurrence.)
            continue
        # A COUNT left on a MONTHLY/YEARLY rule ends it; an UNTIL beside it would be invalid
        # (RFC 5545 3.3.10, and dateutil will refuse it).
        if "COUNT" not in rule and (until_utc is None or until_utc > window.query_end):
            rule["UNTIL"] = [window.typed_like(start, window.query_end)]
        rules.append(rule)
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
        target = window.query_start - duration - timedelta(days=1)
        start = rebase(event, RuleCost(rules[0]), target)
    for rule in rules:
        cost = RuleCost(rule)
        _charge(budget, cost, cost.work(start, duration, window.query_start, window.query_end))


def _count_to_until(rule: vRecur, start: date | datetime, window: Window, budget: Budget) -> None:
    """Replace COUNT by the UNTIL of its last occurrence (or the query end).

    dateutil keeps scanning to the year 9999 when a COUNT cannot be reached; an UNTIL that
    is reached lets the start be moved forward, which a COUNT never allows.
    """
    count = rule.pop("COUNT")[0]
    if not isinstance(count, int) or count < 1:
        return  # recurring_ical_events ignores such a COUNT too (an endless rule)
    probe = vRecur(rule)
    probe["UNTIL"] = [window.typed_like(start, window.query_end)]
    try:
        occurrences = rrulestr(probe.to_ical().decode(), dtstart=as_datetime(start))
    except (ValueError, TypeError) as exc:
        raise RuleUnusable(f"cannot be read ({plain_reason(exc)})") from exc
    for number, occurrence in enumerate(occurrences, start=1):
        budget.spend()
        if number == count:
            last = occurrence if isinstance(start, datetime) else occurrence.date()
            until = rule.get("UNTIL")
            if not until or _until_utc(until[0], window) > _until_utc(last, window):
                rule["UNTIL"] = [window.typed_like(start, last)]
            return


def _charge(budget: Budget, cost: RuleCost, work: int) -> None:
    if not budget.affords(work):
        raise RuleUnusable(f"repeats too often to import ({cost.describe()})")
    budget.spend(work)


def _until_utc(value: object, window: Window) -> datetime:
    """An UNTIL as UTC, rounded up for a bare date (it includes that whole local day)."""
    if isinstance(value, datetime):
        return window.to_utc(value)
    if isinstance(value, date):
        return window.to_utc(value + timedelta(days=1))
    raise RuleUnusable("has an UNTIL that is not a date or time")
