"""Busy time from an untrusted iCalendar (.ics) file: read what can be read, within limits.

`read_busy` turns one person's calendar export (Google, Outlook, Apple, Thunderbird) or feed
into busy intervals in UTC inside a horizon, for the slot engine, plus the events it had to
skip and why. `isolated.read_busy_isolated` runs it in a separate process with CPU-time and
memory limits; that is what the web app calls.

The rules:

- A file is at most `MAX_ICS_BYTES`. A whole file is refused (`IcsImportError`, whose text is
  a sentence for the person) only when it is not a calendar, is cut off, or breaks the limits:
  one work budget and one deadline (`budget.py`) cover everything done with it.
- Any event that cannot be read (unreadable times, a repeat rule that never matches or repeats
  every minute, a time zone the file defines unusably, a start long after its end) is skipped
  and listed with its reason; an empty `RRULE:` means no repetition; start and end swapped
  within a day are swapped back.
- Recurring events are expanded with `recurring_ical_events` only inside the horizon.
- Cancelled (`STATUS:CANCELLED`) and free (`TRANSP:TRANSPARENT`, Outlook's
  `X-MICROSOFT-CDO-BUSYSTATUS:FREE`) events are not busy.
- Floating times and all-day dates are the person's local times (`default_timezone`); an
  all-day event is busy from local midnight to local midnight of its (exclusive) end date.
- Intervals are clipped to the horizon, exact duplicates dropped, overlaps kept (the engine
  merges them), and the result is sorted by start. A private event (`CLASS:PRIVATE` or
  `CONFIDENTIAL`) is busy without its title.
- Time zones: IANA names, Windows names ("W. Europe Standard Time") and "/vendor/IANA" TZIDs
  resolve natively in icalendar 7; any other TZID uses the file's own VTIMEZONE, read per
  file and within limits (`zones.py`); a TZID nobody defines is treated as floating.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import UTC, datetime, tzinfo

from .budget import Budget
from .errors import MAX_SKIPPED_LISTED, BusyInterval, IcsImportError, ReadResult, SkippedEvent
from .expand import Reader
from .parse import MAX_ICS_BYTES, MAX_ICS_SIZE, decode, plain_reason, size_refusal, split_calendars
from .window import Window

__all__ = [
    "MAX_ICS_BYTES",
    "MAX_ICS_SIZE",
    "MAX_SKIPPED_LISTED",
    "Budget",
    "BusyInterval",
    "IcsImportError",
    "ReadResult",
    "SkippedEvent",
    "read_busy",
    "size_refusal",
]

logger = logging.getLogger(__name__)


def read_busy(
    data: bytes,
    *,
    horizon_start: datetime,
    horizon_end: datetime,
    default_timezone: str,
    budget: Budget | None = None,
) -> ReadResult:
    """The busy intervals of an .ics file inside [horizon_start, horizon_end), and what was
    skipped.

    Raises `IcsImportError` (and nothing else) for a file that cannot be imported at all;
    raises plain `ValueError` only when the caller passes a naive or empty horizon or an
    unknown `default_timezone`, which are programming errors rather than a bad upload.
    """
    local_zone = _caller_zone(default_timezone)
    horizon = _caller_horizon(horizon_start, horizon_end)
    budget = budget or Budget()
    result = ReadResult()
    try:
        calendars = split_calendars(decode(data), budget)
        window = Window(horizon_start=horizon[0], horizon_end=horizon[1], local_zone=local_zone)
        reader = Reader(window=window, budget=budget, result=result)
        for calendar in calendars:
            reader.read(calendar)
    except IcsImportError:
        raise
    except ValueError as exc:  # icalendar, dateutil and recurring_ical_events say why in words
        raise IcsImportError(
            f"This calendar file could not be read: {plain_reason(exc)}. "
            "Export it again from your calendar app."
        ) from exc
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # a parser bug on odd input must be a 400, never a 500
        logger.warning("Unexpected error while reading an .ics file", exc_info=True)
        raise IcsImportError(
            "This calendar file could not be read: it contains something the calendar reader "
            "cannot handle. Export it again from your calendar app."
        ) from exc
    result.intervals = reader.intervals()
    return result


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
