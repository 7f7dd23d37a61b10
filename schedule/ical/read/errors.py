"""The reader's result types and its one exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class IcsImportError(ValueError):
    """The whole file cannot be imported; `str(exc)` is a sentence for the person."""


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


@dataclass(frozen=True)
class SkippedEvent:
    """An event that could not be read; the rest of the file was imported without it."""

    summary: str
    reason: str


# A person needs a few examples to fix their calendar, not thousands: the list is capped,
# the count is not.
MAX_SKIPPED_LISTED = 50


@dataclass
class ReadResult:
    intervals: list[BusyInterval] = field(default_factory=list)
    skipped: list[SkippedEvent] = field(default_factory=list)
    skipped_count: int = 0

    def skip(self, summary: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_LISTED:
            self.skipped.append(SkippedEvent(summary=summary, reason=reason))
