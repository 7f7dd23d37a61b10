"""Calendar-feed sources: apps contribute events to the iCalendar feeds by registering a
source here, so the feed view (in schedule) never imports milestones or any other app.

A source is called with the feed's scope and returns events; `feed_events` merges them in a
deterministic order (the same data must give the same bytes, so clients get a strong ETag).
Sources register in their AppConfig.ready(). Each source must run a fixed number of queries
whatever the number of events it returns.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


class FeedScope(enum.StrEnum):
    PERSONAL = "personal"  # one person's meetings and their teams' dates
    TEAM = "team"  # one team's meetings and dates


@dataclass(frozen=True)
class FeedQuery:
    scope: FeedScope
    # Model instances; core knows no Team or User model (it sits below teams).
    user: Any
    team: Any | None = None  # the team of a team feed; None for a personal one
    options: frozenset[str] = frozenset()  # e.g. {"maker_blocks"}


@dataclass(frozen=True)
class FeedEvent:
    """One event, in the terms every calendar client understands.

    `start`/`end` are aware datetimes, or dates for an all-day event (`end` exclusive: the day
    after the last one). `uid` is stable for the life of the thing it describes; `sequence`
    grows on every change; `changed_at` is when it last changed (DTSTAMP and Last-Modified).
    """

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    sequence: int
    changed_at: datetime
    description: str = ""
    url: str = ""
    cancelled: bool = False
    transparent: bool = False  # shown but not busy (milestones, review dates)
    organizer: tuple[str, str] | None = None  # (name, email)
    attendees: tuple[tuple[str, str, bool], ...] = field(default=())  # (name, email, required)

    def sort_key(self) -> tuple[str, str]:
        # In UTC, so that offsets do not reorder events; a date sorts before its day's times.
        start = self.start
        when = start.astimezone(UTC).isoformat() if isinstance(start, datetime) else str(start)
        return (when, self.uid)


FeedSource = Callable[[FeedQuery], Iterable[FeedEvent]]
_sources: dict[str, FeedSource] = {}


def register_feed_source(name: str, source: FeedSource) -> None:
    """Register (or, by name, replace) a source; idempotent, as ready() may run twice."""
    _sources[name] = source


def feed_events(query: FeedQuery) -> list[FeedEvent]:
    """Every registered source's events for this feed, in a stable order."""
    events = [event for name in sorted(_sources) for event in _sources[name](query)]
    return sorted(events, key=FeedEvent.sort_key)
