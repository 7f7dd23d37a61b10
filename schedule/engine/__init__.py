"""The slot engine: where meetings should go so that makers keep their long focus blocks.

Pure Python, no Django: the app converts its models into the dataclasses below, calls
`propose`, `maker_report` or `rebalance`, and stores what comes back.

How it works, and why it is fast:

* Every instant is an integer number of seconds since the epoch (UTC). A person's workday, lunch
  and meeting windows are materialised per *local* calendar day with zoneinfo
  (local date + local wall time -> aware -> UTC), so a DST change never moves "13:00 after lunch"
  to 12:00 or 14:00.
* Busy intervals and meetings are merged once per person (sort + sweep). For each local day the
  engine keeps the free segments (working hours minus lunch minus busy) and their focus minutes.
* Candidate slots come from intersecting the required attendees' free segments (a linear
  two-pointer sweep), so time is never scanned minute by minute; every candidate knows the free
  segment it sits in for every required attendee, which makes its focus cost O(1) per required
  attendee and O(log n) (a bisect) per optional one.
"""

from __future__ import annotations

from .model import (
    DayMetrics,
    MakerReport,
    MeetingSpec,
    MeetingTooLong,
    Move,
    Person,
    PersonWeek,
    Policy,
    Proposal,
    ProposalResult,
    SlotRequest,
)
from .moves import rebalance
from .report import maker_report
from .slots import check_duration, focus_blocks, is_free, propose, size_warning, window_of
from .windows import (
    AFTER_LUNCH,
    EARLY_MORNING,
    END_OF_DAY,
    MAKER_FRIENDLY_WINDOWS,
    MAKER_TIME,
    WINDOW_LABEL,
    WINDOW_ORDER,
    WINDOW_PHRASE,
    WINDOW_TIER,
    Window,
    day_windows,
    is_meeting_day,
    is_working_day,
    wall_time,
)
from .zones import city_name

__all__ = [
    "AFTER_LUNCH",
    "EARLY_MORNING",
    "END_OF_DAY",
    "MAKER_FRIENDLY_WINDOWS",
    "MAKER_TIME",
    "WINDOW_LABEL",
    "WINDOW_ORDER",
    "WINDOW_PHRASE",
    "WINDOW_TIER",
    "DayMetrics",
    "MakerReport",
    "MeetingSpec",
    "MeetingTooLong",
    "Move",
    "Person",
    "PersonWeek",
    "Policy",
    "Proposal",
    "ProposalResult",
    "SlotRequest",
    "Window",
    "check_duration",
    "city_name",
    "day_windows",
    "focus_blocks",
    "is_free",
    "is_meeting_day",
    "is_working_day",
    "maker_report",
    "propose",
    "rebalance",
    "size_warning",
    "wall_time",
    "window_of",
]
