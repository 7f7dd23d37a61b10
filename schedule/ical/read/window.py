"""The stretch of time an import is about, and the time arithmetic every step shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from icalendar import Component

from .events import get

# recurring_ical_events compares all-day dates with the query bounds after dropping the time
# zone, which can be 14 hours off; query wider and clip exactly ourselves.
QUERY_MARGIN = timedelta(days=2)


@dataclass(frozen=True)
class Window:
    """The horizon (UTC) busy time is clipped to, the wider query, and the person's zone
    that floating times and all-day dates are read in."""

    horizon_start: datetime
    horizon_end: datetime
    local_zone: tzinfo

    @property
    def query_start(self) -> datetime:
        return self.horizon_start - QUERY_MARGIN

    @property
    def query_end(self) -> datetime:
        return self.horizon_end + QUERY_MARGIN

    def to_utc(self, value: date | datetime) -> datetime:
        if not isinstance(value, datetime):  # all-day: local midnight, DST-aware
            value = datetime.combine(value, time(0), tzinfo=self.local_zone)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=self.local_zone)
        return value.astimezone(UTC)

    def duration(self, event: Component) -> timedelta:
        """DTEND - DTSTART, else DURATION, else RFC 5545's default: a day for a date, 0 for a
        date-time. Negative for an event that ends before it starts."""
        start = get(event, "DTSTART").dt
        end = get(event, "DTEND")
        if end is not None:
            return self.to_utc(end.dt) - self.to_utc(start)
        duration = get(event, "DURATION")
        if duration is not None:
            return duration.dt
        return timedelta(0) if isinstance(start, datetime) else timedelta(days=1)

    def typed_like(self, start: date | datetime, moment: date | datetime) -> date | datetime:
        """UNTIL must have DTSTART's type (RFC 5545 3.3.10): a date, or a UTC date-time."""
        if not isinstance(start, datetime):
            if isinstance(moment, datetime):
                return moment.astimezone(self.local_zone).date()
            return moment
        return self.to_utc(moment)
