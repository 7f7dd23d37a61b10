"""Hostile calendars from the external review, built in code so their size is exact.

Shared by the import tests and `bench/bench_hostile.py` (which measures time and memory).
Each builder returns bytes an attacker could upload or serve from a calendar address.
"""

from __future__ import annotations


def _calendar(body: str) -> bytes:
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//hostile//EN\n{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def _fine_zone(tzid: str, start: str, freq: str) -> str:
    """A VTIMEZONE whose DST switches back and forth every `freq` since `start`."""
    return (
        f"BEGIN:VTIMEZONE\nTZID:{tzid}\n"
        f"BEGIN:STANDARD\nDTSTART:{start}\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        f"RRULE:FREQ={freq};INTERVAL=2\nEND:STANDARD\n"
        f"BEGIN:DAYLIGHT\nDTSTART:{start}\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
        f"RRULE:FREQ={freq};INTERVAL=2;BYSECOND=30\nEND:DAYLIGHT\n"
        "END:VTIMEZONE\n"
    )


def _event(uid: str, tzid: str, day: str = "20260303") -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nSUMMARY:Sync\nDTSTART;TZID={tzid}:{day}T100000\n"
        f"DTEND;TZID={tzid}:{day}T110000\nEND:VEVENT\n"
    )


def fine_zone_small() -> bytes:
    """About 450 bytes: one zone switching every minute since 2020, used by one event."""
    return _calendar(_fine_zone("Fine", "20200101T000000", "MINUTELY") + _event("a", "Fine"))


def fine_zones_several() -> bytes:
    """About 2.8 KB: five such zones, each used by an event."""
    body = "".join(_fine_zone(f"Fine {n}", "20200101T000000", "MINUTELY") for n in range(5))
    body += "".join(_event(f"e{n}", f"Fine {n}") for n in range(5))
    return _calendar(body)


def fine_zone_since_1970() -> bytes:
    """A zone switching every second since 1970."""
    return _calendar(_fine_zone("Epoch", "19700101T000000", "SECONDLY") + _event("a", "Epoch"))


def rdate_every_minute(size: int = 2 * 1024 * 1024 - 4096) -> bytes:
    """One event with an RDATE every minute from the horizon on, filling ~2 MB."""
    lines = []
    used = 0
    minute = 0
    while used < size:
        day, rest = divmod(minute, 24 * 60)
        hour, mins = divmod(rest, 60)
        line = f"RDATE:202603{2 + day % 27:02d}T{hour:02d}{mins:02d}00Z\n"
        lines.append(line)
        used += len(line) + 1
        minute += 1
    event = (
        "BEGIN:VEVENT\nUID:drip\nSUMMARY:Every minute\nDTSTART:20260302T000000Z\n"
        "DTEND:20260302T000030Z\n" + "".join(lines) + "END:VEVENT\n"
    )
    return _calendar(event)


HOSTILE_FILES = {
    "fine_zone_small": fine_zone_small,
    "fine_zones_several": fine_zones_several,
    "fine_zone_since_1970": fine_zone_since_1970,
    "rdate_every_minute": rdate_every_minute,
}
