"""Calendar feeds and iTIP invitations as iCalendar bytes, without Django.

Like django.utils.feedgenerator under the syndication views: the feed view and the invitation
task hand this module events (core.feeds.FeedEvent, or anything shaped like `Event` below)
and get bytes back. Pure: no Django and nothing else of ours is imported here.

What the common clients (Google, Apple, Outlook, Thunderbird) need, built in:
* one-off times are written in UTC (`...Z`), so no VTIMEZONE is needed (Outlook misreads the
  RDATE-list VTIMEZONE blocks that `icalendar` generates);
* all-day events are VALUE=DATE with an exclusive DTEND (the day after the last one);
* the output is deterministic: events in a stable order, DTSTAMP is the event's last change and
  feeds carry no METHOD, so the same data gives the same bytes (and a strong ETag);
* Google drops STATUS:CANCELLED events from subscriptions, so a cancelled event also gets a
  "[Cancelled] " title prefix.
Invitations (RFC 5546 iTIP inside RFC 6047 iMIP mail) carry METHOD:REQUEST or METHOD:CANCEL,
the same UID and SEQUENCE as the feed, the ORGANIZER and one ATTENDEE line per person.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import icalendar

PRODID = "-//Focusboard//Maker schedule//EN"
CANCELLED_PREFIX = "[Cancelled] "
# How often subscribers should poll; Google ignores it (it polls every few hours or so).
DEFAULT_REFRESH = timedelta(hours=1)


class Event(Protocol):
    """What the writer reads from an event (core.feeds.FeedEvent has exactly this)."""

    @property
    def uid(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def start(self) -> datetime | date: ...
    @property
    def end(self) -> datetime | date: ...
    @property
    def sequence(self) -> int: ...
    @property
    def changed_at(self) -> datetime: ...
    @property
    def description(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def cancelled(self) -> bool: ...
    @property
    def transparent(self) -> bool: ...
    @property
    def organizer(self) -> tuple[str, str] | None: ...
    @property
    def attendees(self) -> tuple[tuple[str, str, bool], ...]: ...
    def sort_key(self) -> tuple[str, str]: ...


class Method(enum.StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class FeedInfo:
    """The calendar as a whole: its name in the client's list, and a line about it."""

    name: str
    description: str
    refresh: timedelta = DEFAULT_REFRESH


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Calendar times must be aware datetimes.")
    return moment.astimezone(UTC)


def _when(value: datetime | date) -> datetime | date:
    # A datetime is also a date: test for it first.
    return _utc(value) if isinstance(value, datetime) else value


def summary_of(event: Event) -> str:
    return f"{CANCELLED_PREFIX}{event.summary}" if event.cancelled else event.summary


def _mailto(email: str) -> str:
    return f"mailto:{email}"


def _vevent(event: Event, *, with_people: bool) -> icalendar.Event:
    if isinstance(event.start, datetime) != isinstance(event.end, datetime):
        raise ValueError(f"{event.uid}: start and end must both be times or both be dates.")
    if not event.start < event.end:  # type: ignore[operator]
        raise ValueError(f"{event.uid}: an event must end after it starts.")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(event.changed_at))
    vevent.add("last-modified", _utc(event.changed_at))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", _when(event.start))
    vevent.add("dtend", _when(event.end))
    vevent.add("summary", summary_of(event))
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if event.transparent or event.cancelled else "OPAQUE")
    if with_people and event.organizer is not None:
        name, email = event.organizer
        vevent.add("organizer", _mailto(email), parameters={"CN": name} if name else {})
    if with_people:
        for name, email, required in event.attendees:
            params = {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT" if required else "OPT-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "FALSE",
            }
            if name:
                params = {"CN": name, **params}
            vevent.add("attendee", _mailto(email), parameters=params)
    return vevent


def _calendar() -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def feed_bytes(info: FeedInfo, events: Iterable[Event]) -> bytes:
    """A subscribable calendar (no METHOD: it is published, not sent). Events are written in
    their stable order (UTC start, then UID), whatever order they come in."""
    calendar = _calendar()
    calendar.add("name", info.name)
    calendar.add("x-wr-calname", info.name)
    calendar.add("description", info.description)
    calendar.add("x-wr-caldesc", info.description)
    calendar.add("refresh-interval", info.refresh, parameters={"VALUE": "DURATION"})
    # An X- property has no known type: say it is a duration, or it is written "1:00:00".
    calendar.add("x-published-ttl", icalendar.vDuration(info.refresh))
    for event in sorted(events, key=lambda event: event.sort_key()):
        # Attendee lists stay out of feeds: a team feed is read by whoever has its address.
        calendar.add_component(_vevent(event, with_people=False))
    return bytes(calendar.to_ical())


def invitation_bytes(event: Event, method: Method) -> bytes:
    """One iTIP message about one meeting: REQUEST for a new or changed one, CANCEL for a
    cancelled one (same UID, a higher SEQUENCE)."""
    if event.organizer is None:
        raise ValueError("An invitation needs an organizer.")
    if method is Method.CANCEL and not event.cancelled:
        raise ValueError("Only a cancelled event is sent with METHOD:CANCEL.")
    calendar = _calendar()
    calendar.add("method", str(method))
    calendar.add_component(_vevent(event, with_people=True))
    return bytes(calendar.to_ical())
