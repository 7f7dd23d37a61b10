"""Read feeds and invitations the way calendar clients do: with three independent parsers
(icalendar, vobject, ics) and recurring-ical-events for occurrences, plus the checks every
client needs (each TZID has a VTIMEZONE, all-day ends are exclusive, one-off times in UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
import ics
import recurring_ical_events
import vobject


@dataclass
class Parsed:
    calendar: icalendar.Calendar
    vobject: Any
    ics: ics.Calendar

    def events(self) -> list[icalendar.Event]:
        return list(self.calendar.walk("VEVENT"))

    def event(self, uid: str) -> icalendar.Event:
        (found,) = [e for e in self.events() if str(e["UID"]) == uid]
        return found


def check_tzids(calendar: icalendar.Calendar) -> None:
    """Every TZID used has its VTIMEZONE (ours uses none: one-off times are in UTC)."""
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for component in calendar.walk():
        for name, value in component.property_items(recursive=False):
            params = getattr(value, "params", {}) or {}
            if "TZID" in params:
                assert params["TZID"] in defined, f"{name} uses TZID {params['TZID']}"


def parse_everywhere(data: bytes) -> Parsed:
    text = data.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "unfolded line"
    calendar = icalendar.Calendar.from_ical(data)
    check_tzids(calendar)
    # vobject reads it and agrees on the events.
    vcal = vobject.readOne(text)
    v_uids = sorted(str(e.uid.value) for e in getattr(vcal, "vevent_list", []))
    assert v_uids == sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    # So does ics.
    parsed_ics = ics.Calendar(text)
    assert sorted(e.uid for e in parsed_ics.events) == v_uids
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        if isinstance(start, datetime):
            # One-off times in UTC ("...Z"), never floating or with a TZID.
            assert event["DTSTART"].to_ical().endswith(b"Z")
            assert event["DTEND"].to_ical().endswith(b"Z")
        else:
            assert event["DTSTART"].params.get("VALUE") == "DATE"
            assert not isinstance(end, datetime) and end > start  # exclusive: the next day
    for e in parsed_ics.events:
        if e.all_day:
            assert e.end.date() > e.begin.date()
    return Parsed(calendar, vcal, parsed_ics)


def occurrences(parsed: Parsed, start: date, days: int) -> list[Any]:
    return list(recurring_ical_events.of(parsed.calendar).between(start, start + timedelta(days)))
