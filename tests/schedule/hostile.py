"""Hostile calendars from the external review, built in code so their size is exact.

Shared by the import tests and `bench/bench_hostile.py` (which measures time and memory).
Each builder returns bytes an attacker could upload or serve from a calendar address.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

DAY = date(2026, 3, 3)  # inside the pure tests' horizon; the Django tests pass a day near now


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


def _event(uid: str, tzid: str, day: date) -> str:
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nSUMMARY:Sync\nDTSTART;TZID={tzid}:{day:%Y%m%d}T100000\n"
        f"DTEND;TZID={tzid}:{day:%Y%m%d}T110000\nEND:VEVENT\n"
    )


def fine_zone_small(day: date = DAY) -> bytes:
    """About 450 bytes: one zone switching every minute since 2020, used by one event."""
    return _calendar(_fine_zone("Fine", "20200101T000000", "MINUTELY") + _event("a", "Fine", day))


def fine_zones_several(day: date = DAY) -> bytes:
    """A few KB: five such zones, each used by an event."""
    body = "".join(_fine_zone(f"Fine {n}", "20200101T000000", "MINUTELY") for n in range(5))
    body += "".join(_event(f"e{n}", f"Fine {n}", day) for n in range(5))
    return _calendar(body)


def fine_zone_since_1970(day: date = DAY) -> bytes:
    """A zone switching every second since 1970."""
    zone = _fine_zone("Epoch", "19700101T000000", "SECONDLY")
    return _calendar(zone + _event("a", "Epoch", day))


def rdate_every_minute(day: date = DAY, size: int = 2 * 1024 * 1024 - 4096) -> bytes:
    """One event with an RDATE every minute from `day` on, filling ~2 MB."""
    lines = []
    used = 0
    minute = 0
    while used < size:
        moment = datetime.combine(day, time(0)) + timedelta(minutes=minute)
        line = f"RDATE:{moment:%Y%m%dT%H%M%S}Z\n"
        lines.append(line)
        used += len(line) + 1
        minute += 1
    event = (
        f"BEGIN:VEVENT\nUID:drip\nSUMMARY:Every minute\nDTSTART:{day:%Y%m%d}T000000Z\n"
        f"DTEND:{day:%Y%m%d}T000030Z\n" + "".join(lines) + "END:VEVENT\n"
    )
    return _calendar(event)


HOSTILE_FILES = {
    "fine_zone_small": fine_zone_small,
    "fine_zones_several": fine_zones_several,
    "fine_zone_since_1970": fine_zone_since_1970,
    "rdate_every_minute": rdate_every_minute,
}
