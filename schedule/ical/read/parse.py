"""Bytes to parsed components, one top-level block at a time.

The file is first walked as text (cheap, linear): that finds what is not a calendar or was cut
off, splits each VCALENDAR into its own properties and top-level blocks (events, zones, ...),
and sets aside an event whose date lists alone would cost seconds to parse. icalendar then
parses block by block, so the deadline is checked between blocks and one unreadable event
costs only that event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from icalendar import Calendar, Component

from .budget import Budget
from .errors import IcsImportError

MAX_ICS_BYTES = 2 * 1024 * 1024
_MiB = 1024 * 1024
_MAX_NESTING = 8
_MAX_REASON_CHARS = 160
# An event with more dates in its RDATE/EXDATE lists than this is not read: icalendar takes
# seconds to parse 50,000 of them, and no calendar app writes more than a few hundred.
MAX_LISTED_DATES = 2000
# icalendar caches every VTIMEZONE it parses in a process-wide registry keyed by TZID, first
# definition wins: one person's "Customized Time Zone" (or a fake "W. Europe Standard Time")
# would silently shift the next person's import. Hiding the TZID property from the parser keeps
# each file's definitions to that file; `zones.ZoneResolver` reads them back.
_TZID_PROPERTY = re.compile(r"^TZID(?=[;:])", re.IGNORECASE | re.MULTILINE)
HIDDEN_TZID = "X-FOCUSBOARD-TZID"
_DATE_LISTS = ("RDATE", "EXDATE")


MAX_ICS_SIZE = f"{MAX_ICS_BYTES // _MiB} MB"  # the limit as people read it (binary MB)


def size_refusal(size: int | None = None) -> str:
    """The one sentence for a calendar over MAX_ICS_BYTES (`None`: a download cut off at it)."""
    limit = f"calendar files up to {MAX_ICS_SIZE} are accepted"
    if size is None:
        return f"The calendar is larger than {MAX_ICS_SIZE}; {limit}. " + _SHORTER
    tenths = -(-size * 10 // _MiB)  # round up: 2 MB and one byte is "2.1 MB"
    return f"The file is {tenths // 10}.{tenths % 10} MB; {limit}. " + _SHORTER


_SHORTER = "Export or share a shorter date range."


@dataclass
class Block:
    """One top-level component of a VCALENDAR, as unfolded text lines."""

    name: str
    line: int
    lines: list[str] = field(default_factory=list)
    listed_dates: int = 0

    @property
    def summary(self) -> str:
        return clip(self.value_of("SUMMARY").replace("\\,", ",").replace("\\;", ";"))

    def value_of(self, property_name: str) -> str:
        """The raw text of the block's first such property, before icalendar parses it."""
        for line in self.lines[1:]:
            if line.upper().startswith(("BEGIN:", "END:")):
                break  # only the block's own properties, not a nested component's
            name, _, value = line.partition(":")
            if name.split(";", 1)[0].strip().upper() == property_name:
                return value.strip()
        return ""


@dataclass
class CalendarText:
    """One VCALENDAR: its own property lines and its top-level blocks."""

    properties: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Bytes to text with LF line ends, refusing what cannot be a calendar before parsing."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("The reader expects the file's bytes.")
    data = bytes(data)
    if len(data) > MAX_ICS_BYTES:
        raise IcsImportError(size_refusal(len(data)))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows tools sometimes write UTF-16
        text = data.decode("utf-16", errors="replace")
    else:
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # RFC 5545 says UTF-8, but old Outlook writes Windows-1252; the times are ASCII,
            # so a calendar with a mangled accent in a title is still worth importing.
            if not data.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
                raise IcsImportError(
                    "This is not an iCalendar file: it is not UTF-8 text."
                ) from None
            text = data.decode("utf-8", errors="replace")
    if not text.strip(" \t\r\n\ufeff"):
        raise IcsImportError("The file is empty. Export your calendar again as an .ics file.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_calendars(text: str, budget: Budget) -> list[CalendarText]:
    """Check the file's structure and cut it into calendars and top-level blocks.

    Refused: what does not start with BEGIN:VCALENDAR, binary data, absurd nesting, a component
    outside any calendar, and a file cut off before its END:VCALENDAR (icalendar would silently
    drop the half-downloaded rest). Tolerated like icalendar does: an END with a misspelled
    name closes the innermost component.
    """
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if first_line.upper() != "BEGIN:VCALENDAR":
        hint = ""
        if first_line.startswith("<"):
            hint = (
                " It looks like a web page (for example a sign-in or error page) saved "
                "instead of the calendar export."
            )
        raise IcsImportError(
            "This is not an iCalendar file: it does not start with BEGIN:VCALENDAR." + hint
        )
    if "\x00" in text:
        raise IcsImportError("This is not an iCalendar file: it contains binary data.")
    calendars: list[CalendarText] = []
    open_components: list[tuple[str, int]] = []
    block: Block | None = None
    for number, line in _logical_lines(text):
        budget.spend()
        keyword, _, value = line.partition(":")
        keyword = keyword.strip().upper()
        if keyword not in ("BEGIN", "END"):
            if not open_components:
                continue  # blank or stray lines between calendars
            if block is None:
                calendars[-1].properties.append(line)
            else:
                block.lines.append(line)
                if keyword.split(";", 1)[0] in _DATE_LISTS:
                    block.listed_dates += value.count(",") + 1
            continue
        component = value.strip().upper()
        if keyword == "BEGIN":
            if not open_components and component != "VCALENDAR":
                raise IcsImportError(
                    f"This is not an iCalendar file: it contains a {component or 'component'} "
                    "outside of BEGIN:VCALENDAR … END:VCALENDAR."
                )
            open_components.append((component, number))
            if len(open_components) > _MAX_NESTING:
                raise IcsImportError(
                    f"This calendar file is damaged: components are nested more than "
                    f"{_MAX_NESTING} deep (line {number})."
                )
            if len(open_components) == 1:
                calendars.append(CalendarText())
            elif len(open_components) == 2:
                block = Block(name=component, line=number)
            if block is not None:
                block.lines.append(line)
            continue
        if not open_components:
            raise IcsImportError(
                f"This calendar file is damaged: line {number} ends a {component} "
                "that was never started."
            )
        names = [name for name, _ in open_components]
        if component in names:
            depth = len(names) - names[::-1].index(component)  # the innermost of that name
        elif len(open_components) > 1:
            depth = len(open_components)  # a misspelled END closes the innermost component
        else:
            continue  # a misspelled END:VCALENDAR would drop the calendar: ignore it
        if block is not None:
            closed = open_components[max(depth - 1, 1) :]
            block.lines.extend(f"END:{name}" for name, _ in reversed(closed))
            if depth <= 2:
                calendars[-1].blocks.append(block)
                block = None
        del open_components[depth - 1 :]
    if open_components:
        component, started = open_components[-1]
        raise IcsImportError(
            f"This calendar file looks truncated: the {component} started on line {started} "
            f"never ends (END:{component} is missing). Download or export it again."
        )
    return calendars


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfold continuation lines (RFC 5545 3.1), keeping each line's first line number."""
    number, pending = 0, ""
    for index, line in enumerate(text.split("\n"), start=1):
        if line[:1] in (" ", "\t") and number:
            pending += line[1:]
            continue
        if number:
            yield number, pending
        number, pending = index, line
    if number:
        yield number, pending


def parse_lines(lines: list[str]) -> Component:
    """Parse one block (or a calendar's own properties) with icalendar."""
    text = _TZID_PROPERTY.sub(HIDDEN_TZID, "\n".join(lines))
    # Bytes, not str: icalendar 7 treats a str without line breaks as a path and reads that file.
    return Calendar.from_ical(text.encode("utf-8"))


def calendar_properties(calendar: CalendarText) -> Component:
    return parse_lines(["BEGIN:VCALENDAR", *calendar.properties, "END:VCALENDAR"])


def plain_reason(exc: BaseException) -> str:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    reason = "".join(char if char.isprintable() else "?" for char in reason)
    if len(reason) > _MAX_REASON_CHARS:
        reason = reason[: _MAX_REASON_CHARS - 1] + "…"
    return reason.rstrip(".")


def clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_of(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value).strip()


def as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
