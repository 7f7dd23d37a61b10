"""The engine's public data: policy, people, requests and what comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class Policy:
    """A team's maker policy. Times are local wall-clock times in each attendee's zone."""

    workday_start: time = time(9)
    workday_end: time = time(18)
    lunch_start: time = time(12)
    lunch_end: time = time(13)
    window_minutes: int = 90
    max_meeting_minutes: int = 60
    max_attendees: int = 6
    min_focus_block_minutes: int = 120
    meeting_free_weekdays: frozenset[int] = frozenset()  # 0=Monday; such days are all maker time
    grid_minutes: int = 15


@dataclass(frozen=True)
class Person:
    """One attendee: zone, busy time (aware datetimes, any order, may overlap), own hours."""

    username: str
    timezone: str
    busy: tuple[tuple[datetime, datetime], ...] = ()
    # Existing Focusboard meetings: busy as well, and the anchors for batching (adjacency).
    meetings: tuple[tuple[datetime, datetime], ...] = ()
    workday_start: time | None = None
    workday_end: time | None = None
    lunch_start: time | None = None
    lunch_end: time | None = None
    # What the reasons call them (their name); the username when empty.
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class SlotRequest:
    """What to schedule. The meeting must start at or after `earliest` and end by `latest`.

    `preferred_windows` restricts every required attendee's window to those kinds; maker time
    still needs `allow_maker_time`.
    """

    duration_minutes: int
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    earliest: datetime
    latest: datetime
    allow_maker_time: bool = False
    preferred_windows: tuple[str, ...] | None = None
    limit: int = 5


@dataclass(frozen=True)
class Proposal:
    """One ranked slot.

    `windows` maps every attendee (required and optional) to the window the slot falls in for
    them; the value is None for an optional attendee for whom the slot is outside working hours
    or overlaps lunch. `score` lies in (0, 1000] and never increases down the ranked list; the
    worst required attendee's tier sets the band (after lunch and early morning (666.7, 1000],
    end of day (333.3, 666.7], maker time (0, 333.3]) and focus cost, the preference order of
    the windows, batching and free optional attendees place the slot inside it. Slots that
    differ only in time score the same.
    """

    start: datetime
    end: datetime
    score: float
    windows: dict[str, str | None]
    local_times: dict[str, datetime]
    focus_cost_minutes: int
    reasons: list[str]
    optional_free: tuple[str, ...]
    interrupts_maker_time: bool


@dataclass(frozen=True)
class ProposalResult:
    proposals: list[Proposal]
    warnings: list[str]


class MeetingTooLong(ValueError):
    """The requested duration is above the team's maximum; the message suggests splitting."""


@dataclass(frozen=True)
class MeetingSpec:
    """An existing meeting, as `rebalance` sees it."""

    id: int | str
    title: str
    start: datetime
    end: datetime
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


@dataclass(frozen=True)
class Move:
    """A suggested move of one meeting; `focus_gain_minutes` is summed over its attendees."""

    meeting_id: int | str
    title: str
    old_start: datetime
    old_end: datetime
    new_start: datetime
    new_end: datetime
    focus_gain_minutes: int
    reasons: list[str]


@dataclass(frozen=True)
class DayMetrics:
    """One local working day (for a person) or the sum over the team for that date.

    focus_minutes: minutes in uninterrupted free blocks >= min_focus_block inside working hours
        (lunch, busy time and meetings removed).
    meetings: meetings starting that local day.
    maker_friendly_meetings: those lying entirely inside an after-lunch, early-morning or
        end-of-day window.
    interrupts: those cutting into maker time (inside working hours but in no window, or on a
        meeting-free weekday).
    """

    day: date
    focus_minutes: int
    meetings: int
    maker_friendly_meetings: int
    interrupts: int

    @property
    def focus_hours(self) -> float:
        return self.focus_minutes / 60


@dataclass(frozen=True)
class PersonWeek:
    """One person's working days of a week: `days` per local day, the other fields are week
    totals."""

    username: str
    timezone: str
    days: tuple[DayMetrics, ...]
    focus_minutes: int
    meetings: int
    maker_friendly_meetings: int
    interrupts: int
    name: str = ""  # the Person's name (the username when it has none)

    @property
    def focus_hours(self) -> float:
        return self.focus_minutes / 60

    @property
    def maker_friendly_percent(self) -> float | None:
        """Share of the week's meetings in maker-friendly windows; None without meetings."""
        return _percent(self.maker_friendly_meetings, self.meetings)


@dataclass(frozen=True)
class MakerReport:
    """Focus metrics for the working days of one ISO week.

    people: per username, the person's days and week totals.
    days: team totals per date (sum over people of their local day with that date).
    focus_minutes, meetings, maker_friendly_meetings, interrupts: team totals for the week.
    """

    week_start: date
    team_timezone: str
    people: dict[str, PersonWeek]
    days: tuple[DayMetrics, ...]
    focus_minutes: int
    meetings: int
    maker_friendly_meetings: int
    interrupts: int

    @property
    def focus_hours(self) -> float:
        return self.focus_minutes / 60

    @property
    def maker_friendly_percent(self) -> float | None:
        """Share of the team's meetings in maker-friendly windows; None without meetings."""
        return _percent(self.maker_friendly_meetings, self.meetings)


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole
