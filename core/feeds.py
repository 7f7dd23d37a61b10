"""Calendar-feed sources: apps contribute events to the iCalendar feeds by registering a
source here, so the feed view (in schedule) never imports milestones or any other app.

A source is called with the feed's scope and returns events; `feed_events` merges them in a
deterministic order (the same data must give the same bytes, so clients get a strong ETag).
Sources register in their AppConfig.ready(). Each source must run a fixed number of queries
whatever the number of events it returns.

A source may also register a `version`: a cheap fingerprint of everything its events depend on
(counts, last-change times, the day), computed without building the events. When every source
has one, the feed answers a conditional request (304) from the fingerprints alone, which is
what makes polling calendar clients cheap.
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
    now: datetime | None = None  # the feed's "now" (cancelled events age out, horizons move)
    base_url: str = ""  # scheme and host, so events can link back to the app


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


@dataclass(frozen=True)
class FeedStamp:
    """A cheap fingerprint of a source's events for one query, and their last change (the
    feed's Last-Modified). Same fingerprint, same events."""

    fingerprint: str
    changed_at: datetime | None = None


# A source's stamp for a query, or None for "cannot tell cheaply".
FeedVersion = Callable[[FeedQuery], FeedStamp | None]
_sources: dict[str, FeedSource] = {}
_versions: dict[str, FeedVersion] = {}


def register_feed_source(
    name: str, source: FeedSource, *, version: FeedVersion | None = None
) -> None:
    """Register (or, by name, replace) a source; idempotent, as ready() may run twice."""
    _sources[name] = source
    if version is None:
        _versions.pop(name, None)
    else:
        _versions[name] = version


def feed_version(query: FeedQuery) -> FeedStamp | None:
    """Every source's stamp for this feed combined, or None when a source has none (the feed
    is then rendered to find out whether it changed)."""
    parts = []
    changed: list[datetime] = []
    for name in sorted(_sources):
        version = _versions.get(name)
        stamp = version(query) if version is not None else None
        if stamp is None:
            return None
        parts.append(f"{name}={stamp.fingerprint}")
        if stamp.changed_at is not None:
            changed.append(stamp.changed_at)
    return FeedStamp(";".join(parts), max(changed, default=None))


def feed_events(query: FeedQuery) -> list[FeedEvent]:
    """Every registered source's events for this feed, in a stable order."""
    events = [event for name in sorted(_sources) for event in _sources[name](query)]
    return sorted(events, key=FeedEvent.sort_key)
