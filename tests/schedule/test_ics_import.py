"""The busy-time importer against real-world exports, broken files and random bytes.

Pure Python: nothing here touches Django or the database. Expected intervals in the fixture
tests were worked out by hand from the files (local time, zone offset that day, UTC).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import schedule.ical
from schedule.demo_calendars import demo_calendar_ics
from schedule.ical.read import (
    MAX_ICS_BYTES,
    Budget,
    BusyInterval,
    IcsImportError,
    ReadResult,
    read_busy,
)
from schedule.ical.read.zones import zone_from_definition

from .hostile import HOSTILE_FILES

FIXTURES = Path(__file__).parent / "fixtures"
HORIZON_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday; EU DST starts 29 March
HORIZON_END = datetime(2026, 4, 13, tzinfo=UTC)
MiB = 1024 * 1024


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def import_busy(
    data: bytes | str,
    timezone: str = "Europe/Paris",
    start: datetime = HORIZON_START,
    end: datetime = HORIZON_END,
) -> list[BusyInterval]:
    return read(data, timezone, start, end).intervals


def read(
    data: bytes | str,
    timezone: str = "Europe/Paris",
    start: datetime = HORIZON_START,
    end: datetime = HORIZON_END,
    budget: Budget | None = None,
) -> ReadResult:
    if isinstance(data, str):
        data = (FIXTURES / data).read_bytes()
    return read_busy(
        data, horizon_start=start, horizon_end=end, default_timezone=timezone, budget=budget
    )


def spans(intervals: list[BusyInterval]) -> list[tuple[datetime, datetime, str]]:
    return [(interval.start, interval.end, interval.summary) for interval in intervals]


def calendar(*events: str, header: str = "") -> bytes:
    """A minimal VCALENDAR around hand-written VEVENT bodies (CRLF, as RFC 5545 wants)."""
    blocks = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{blocks}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def refusal(data: bytes, **kwargs: object) -> str:
    with pytest.raises(IcsImportError) as caught:
        import_busy(data, **kwargs)
    return str(caught.value)


# --- real-world exports -------------------------------------------------------------------------


def test_google_export_gives_exactly_the_busy_intervals():
    assert spans(import_busy("google.ics")) == [
        (utc(2026, 3, 2, 8, 30), utc(2026, 3, 2, 8, 45), "ML standup"),
        # Weekly at 18:00 Paris: DTSTART is in UTC, X-WR-TIMEZONE anchors it to Paris time.
        (utc(2026, 3, 5, 17), utc(2026, 3, 5, 18), "Climbing"),
        (utc(2026, 3, 10, 13), utc(2026, 3, 10, 13, 15), "ML standup (moved)"),
        (utc(2026, 3, 12, 15), utc(2026, 3, 12, 16), "Interview: ML engineer candidate"),
        (utc(2026, 3, 12, 17), utc(2026, 3, 12, 18), "Climbing"),
        (utc(2026, 3, 17, 23), utc(2026, 3, 19, 23), "Team offsite"),
        (utc(2026, 3, 19, 17), utc(2026, 3, 19, 18), "Climbing"),
        (utc(2026, 3, 26, 17), utc(2026, 3, 26, 18), "Climbing"),
        (utc(2026, 3, 30, 7, 30), utc(2026, 3, 30, 7, 45), "ML standup"),
        (utc(2026, 4, 2, 16), utc(2026, 4, 2, 17), "Climbing"),
        (utc(2026, 4, 6, 7, 30), utc(2026, 4, 6, 7, 45), "ML standup"),
        (utc(2026, 4, 9, 16), utc(2026, 4, 9, 17), "Climbing"),
    ]


def test_google_standup_keeps_its_paris_time_across_dst():
    standups = [i.start for i in import_busy("google.ics") if i.summary == "ML standup"]
    # 09:30 in Paris is 08:30Z in winter (CET) and 07:30Z from 29 March (CEST).
    assert standups == [utc(2026, 3, 2, 8, 30), utc(2026, 3, 30, 7, 30), utc(2026, 4, 6, 7, 30)]
    paris = {start.astimezone(ZoneInfo("Europe/Paris")).time() for start in standups}
    assert paris == {datetime(2026, 1, 1, 9, 30).time()}


def test_google_exdate_moved_and_cancelled_instances():
    starts = {i.start.date(): i for i in import_busy("google.ics") if "standup" in i.summary}
    assert date(2026, 3, 9) not in starts  # moved away ...
    assert starts[date(2026, 3, 10)].start == utc(2026, 3, 10, 13)  # ... to Tuesday 14:00
    assert date(2026, 3, 16) not in starts  # EXDATE
    assert date(2026, 3, 23) not in starts  # RECURRENCE-ID with STATUS:CANCELLED


def test_google_free_cancelled_and_out_of_horizon_events_are_not_busy():
    summaries = {i.summary for i in import_busy("google.ics")}
    assert "Vendor demo: labeling platform" not in summaries  # STATUS:CANCELLED
    assert "Grace's birthday" not in summaries  # all-day TRANSPARENT, yearly since 1990
    assert "Easter Monday" not in summaries  # all-day TRANSPARENT holiday
    assert "Reading: new retrieval papers (free to book over)" not in summaries
    assert "Old lunch (before the horizon)" not in summaries


def test_outlook_export_with_windows_time_zone_names():
    assert spans(import_busy("outlook.ics")) == [
        (utc(2026, 3, 3, 13), utc(2026, 3, 3, 14), "Sprint planning"),
        (utc(2026, 3, 5, 15), utc(2026, 3, 5, 15, 30), "Maybe: reading group"),  # tentative
        (utc(2026, 3, 10, 13), utc(2026, 3, 10, 14), "Sprint planning"),
        # "Customized Time Zone" is defined only in this file: fixed +05:30.
        (utc(2026, 3, 12, 10, 30), utc(2026, 3, 12, 11, 30), "Sync with Bangalore data team"),
        (utc(2026, 3, 17, 13), utc(2026, 3, 17, 14), "Sprint planning"),
        (utc(2026, 3, 24, 13), utc(2026, 3, 24, 14), "Sprint planning"),
        (utc(2026, 3, 25, 23), utc(2026, 3, 26, 23), "Out of office"),
        # The RDATE after COUNT=4 ran out, in summer time: 14:00 CEST.
        (utc(2026, 4, 7, 12), utc(2026, 4, 7, 13), "Sprint planning"),
    ]


def test_outlook_free_busy_status_is_honoured():
    summaries = {i.summary for i in import_busy("outlook.ics")}
    assert "Lunch" not in summaries  # TRANSP:TRANSPARENT and BUSYSTATUS:FREE
    assert "Hold: design review (free)" not in summaries  # BUSYSTATUS:FREE, TRANSP:OPAQUE


def test_apple_export_floating_all_day_and_duration():
    assert spans(import_busy("apple.ics", timezone="America/New_York")) == [
        (utc(2026, 3, 4, 13, 30), utc(2026, 3, 4, 14, 30), "Dentist"),  # floating 08:30 EST
        (utc(2026, 3, 5, 0), utc(2026, 3, 5, 1), "Piano lesson"),
        (utc(2026, 3, 10, 22), utc(2026, 3, 11, 5, 30), "Flight home (JFK to CDG)"),  # DURATION
        (utc(2026, 3, 11, 23), utc(2026, 3, 12, 0), "Piano lesson"),  # EDT from 8 March
        (utc(2026, 3, 18, 23), utc(2026, 3, 19, 0), "Piano lesson"),
        (utc(2026, 3, 20, 4), utc(2026, 3, 23, 4), "Ski trip"),  # three local days
        (utc(2026, 3, 25, 23), utc(2026, 3, 26, 0), "Piano lesson"),  # last before UNTIL
        # All-day without DTEND lasts one day; "Pay rent" (DATE-TIME, no end) is skipped.
        (utc(2026, 4, 2, 4), utc(2026, 4, 3, 4), "Parent-teacher conference"),
    ]


def test_floating_times_and_dates_follow_the_persons_time_zone():
    busy = {i.summary: i for i in import_busy("apple.ics", timezone="Europe/Paris")}
    assert (busy["Dentist"].start, busy["Dentist"].end) == (
        utc(2026, 3, 4, 7, 30),
        utc(2026, 3, 4, 8, 30),
    )
    assert (busy["Ski trip"].start, busy["Ski trip"].end) == (
        utc(2026, 3, 19, 23),
        utc(2026, 3, 22, 23),
    )
    # TZID=America/New_York stays New York time whatever the person's zone.
    assert busy["Flight home (JFK to CDG)"].start == utc(2026, 3, 10, 22)


def test_never_ending_rules_expand_only_inside_the_horizon_and_fast():
    began = time.perf_counter()
    busy = import_busy("never_ending.ics")
    assert time.perf_counter() - began < 2.0
    daily = [i for i in busy if i.summary == "Check the overnight training runs"]
    assert len(daily) == 42  # every day of the six weeks, since 2001
    assert (daily[0].start, daily[-1].start) == (utc(2026, 3, 2, 7, 45), utc(2026, 4, 12, 6, 45))
    fortnightly = [i.start for i in busy if i.summary == "Fortnightly infra on-call handover"]
    assert fortnightly == [utc(2026, 3, 13, 16), utc(2026, 3, 27, 16), utc(2026, 4, 10, 16)]
    assert all(HORIZON_START <= i.start < i.end <= HORIZON_END for i in busy)


def test_a_year_long_horizon_of_an_endless_rule_is_still_quick():
    began = time.perf_counter()
    busy = import_busy("never_ending.ics", end=HORIZON_START + timedelta(days=365))
    assert time.perf_counter() - began < 3.0
    assert len([i for i in busy if i.summary.startswith("Check")]) == 365


# --- refusals -----------------------------------------------------------------------------------


def test_not_a_calendar_is_refused_in_words():
    message = refusal((FIXTURES / "not_a_calendar.ics").read_bytes())
    assert message.startswith(
        "This is not an iCalendar file: it does not start with BEGIN:VCALENDAR."
    )
    assert "web page" in message


def test_truncated_download_is_refused_as_truncated():
    message = refusal((FIXTURES / "truncated.ics").read_bytes())
    assert "looks truncated" in message
    assert "END:VEVENT is missing" in message


def test_missing_end_vcalendar_is_truncated():
    whole = calendar("UID:a\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z")
    assert "looks truncated" in refusal(whole.replace(b"END:VCALENDAR\r\n", b""))


def test_files_over_2_mb_are_refused_before_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed an oversized file")

    monkeypatch.setattr(icalendar.Calendar, "from_ical", must_not_parse)
    head = b"BEGIN:VCALENDAR\r\n"
    oversized = head + b"X" * (int(3.1 * MiB) - len(head))
    assert refusal(oversized) == (
        "The file is 3.1 MB; calendar files up to 2 MB are accepted. "
        "Export or share a shorter date range."
    )
    assert "2.1 MB" in refusal(b" " * (MAX_ICS_BYTES + 1))


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(data):
    assert refusal(data).startswith("The file is empty.")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "it is not UTF-8 text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "This is not an iCalendar file"),
        (b"Subject: meeting\r\n\r\nsee you", "does not start with BEGIN:VCALENDAR"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n", "BEGIN:VCALENDAR"),
        (b"END:VEVENT\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VEVENT\r\n", "never started"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\n", "outside of BEGIN"),
        (b"BEGIN:VCALENDAR\r\n\x00\r\nEND:VCALENDAR\r\n", "binary data"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" * 5, "nested more than"),
    ],
)
def test_garbage_is_refused_in_words(data, expected):
    assert expected in refusal(data)


def skipped(result: ReadResult) -> list[tuple[str, str]]:
    return [(event.summary, event.reason) for event in result.skipped]


def test_an_unreadable_line_skips_only_its_event_and_says_why():
    data = calendar(
        "UID:a\nSUMMARY:Board meeting\nDTSTART:next tuesday",
        "UID:b\nSUMMARY:Kept\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z",
    )
    result = read(data)
    assert spans(result.intervals) == [(utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Kept")]
    [(summary, reason)] = skipped(result)
    assert summary == "Board meeting"
    assert reason.startswith("has an unreadable DTSTART")
    assert result.skipped_count == 1


def test_a_broken_calendar_level_line_does_not_cost_the_events():
    broken = calendar("UID:a\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z").replace(
        b"VERSION:2.0", b"VERSION 2.0 without a colon"
    )
    assert spans(import_busy(broken)) == [(utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "")]


# The corpus of real-world calendars the review tried: one odd event must not cost the file.


def test_an_empty_rrule_line_means_no_repetition():
    # A widely used holiday feed writes "RRULE:" with nothing after it on every event.
    data = calendar(
        "UID:a\nSUMMARY:Holiday\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z\nRRULE:"
    )
    result = read(data)
    assert spans(result.intervals) == [(utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Holiday")]
    assert result.skipped == []


def test_a_misspelled_component_is_listed_and_the_rest_imported():
    good = "UID:b\nSUMMARY:Kept\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z"
    data = calendar(good).replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVNT\r\nUID:a\r\nSUMMARY:Typo\r\nDTSTART:20260304T100000Z\r\n"
        b"END:VEVNT\r\nEND:VCALENDAR",
    )
    result = read(data)
    assert spans(result.intervals) == [(utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Kept")]
    assert skipped(result) == [
        ("Typo", "is marked BEGIN:VEVNT instead of BEGIN:VEVENT, so it is not read as an event")
    ]


def test_a_misspelled_end_closes_the_event_as_other_readers_do():
    data = calendar(
        "UID:a\nSUMMARY:Sloppy\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z"
    ).replace(b"END:VEVENT", b"END:VEVNT")
    assert spans(import_busy(data)) == [(utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Sloppy")]


def test_start_and_end_swapped_within_a_day_are_swapped_back():
    data = calendar("UID:a\nSUMMARY:Swapped\nDTSTART:20260303T110000Z\nDTEND:20260303T100000Z")
    result = read(data)
    assert spans(result.intervals) == [(utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Swapped")]
    assert result.skipped == []


@pytest.mark.parametrize(
    ("times", "problem"),
    [
        ("DTSTART:20260303T100000Z\nDTEND:20250303T110000Z", "ends before it starts"),
        ("DTSTART:20260303T100000Z\nDURATION:-P3D", "ends before it starts"),
        ("DTSTART:00010303T100000Z\nDTEND:20260303T110000Z", "lasts over a century"),
    ],
)
def test_impossible_lengths_skip_the_event(times, problem):
    result = read(
        calendar(
            f"UID:a\nSUMMARY:Typo\n{times}\nRRULE:FREQ=DAILY",
            "UID:b\nSUMMARY:Kept\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z",
        )
    )
    assert [i.summary for i in result.intervals] == ["Kept"]
    [(summary, reason)] = skipped(result)
    assert summary == "Typo"
    assert problem in reason


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=MINUTELY", "repeats too often to import (every minute)"),
        ("FREQ=SECONDLY;INTERVAL=5", "every 5 seconds"),
        ("FREQ=MINUTELY;COUNT=99999999", "every minute"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "day that does not exist"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "day that does not exist"),
        ("FREQ=DAILY;BYSETPOS=3;BYHOUR=1,2", "BYSETPOS with FREQ=DAILY"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY with FREQ=WEEKLY"),
        ("FREQ=FORTNIGHTLY", "unreadable RRULE (Expected frequency"),
        ("INTERVAL=2", "has no valid FREQ"),
        ("FREQ=HOURLY;INTERVAL=2;BYHOUR=9", "cannot be used (Invalid rrule byxxx"),
        (
            "FREQ=YEARLY;BYMONTH=3;BYHOUR="
            + ",".join(map(str, range(24)))
            + ";BYMINUTE="
            + ",".join(map(str, range(60))),
            "every year, up to",
        ),
    ],
)
def test_runaway_rules_skip_their_event_quickly(rule, expected):
    data = calendar(
        f"UID:a\nSUMMARY:Runaway\nDTSTART:19700101T000000Z\nDTEND:19700101T000100Z\nRRULE:{rule}",
        "UID:b\nSUMMARY:Kept\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z",
    )
    began = time.perf_counter()
    result = read(data)
    assert time.perf_counter() - began < 1.0
    assert [i.summary for i in result.intervals] == ["Kept"]
    [(summary, reason)] = skipped(result)
    assert summary == "Runaway"
    assert expected in reason


def test_many_heavy_series_hit_the_work_budget():
    events = [
        f"UID:{n}\nSUMMARY:Busy {n}\nDTSTART:19900101T090000Z\nDTEND:19900101T100000Z\n"
        "RRULE:FREQ=HOURLY;BYHOUR=9,10,11,12,13,14,15,16"
        for n in range(200)
    ]
    began = time.perf_counter()
    assert "too many repeating events" in refusal(calendar(*events))
    assert time.perf_counter() - began < 3.0


def test_rules_that_never_match_are_cut_off_by_the_deadline():
    # dateutil walks to the year 9999 for each of these (~0.5 s each); the estimate cannot
    # tell, the deadline can.
    events = [
        f"UID:{n}\nSUMMARY:Never {n}\nDTSTART:20250101T090000Z\nDTEND:20250101T100000Z\n"
        "RRULE:FREQ=MONTHLY;BYSETPOS=40;BYDAY=MO,TU"
        for n in range(20)
    ]
    began = time.perf_counter()
    with pytest.raises(IcsImportError, match="takes too long to read"):
        read(calendar(*events), budget=Budget(work=10**12, seconds=0.3))
    assert time.perf_counter() - began < 3.0


def test_caller_mistakes_are_plain_value_errors_not_import_errors():
    data = calendar("UID:a\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z")
    with pytest.raises(ValueError, match="time-zone-aware") as caught:
        import_busy(data, start=datetime(2026, 3, 2))
    assert not isinstance(caught.value, IcsImportError)
    with pytest.raises(ValueError, match="before horizon_end"):
        import_busy(data, start=HORIZON_END, end=HORIZON_START)
    with pytest.raises(ValueError, match="Unknown default_timezone"):
        import_busy(data, timezone="Mars/Olympus_Mons")


def test_busy_interval_refuses_naive_or_empty_spans():
    with pytest.raises(ValueError):
        BusyInterval(start=datetime(2026, 3, 2, 9), end=datetime(2026, 3, 2, 10), summary="x")
    with pytest.raises(ValueError):
        BusyInterval(start=utc(2026, 3, 2, 10), end=utc(2026, 3, 2, 10), summary="x")


# --- encodings, line endings, folding -----------------------------------------------------------

SIMPLE = calendar(
    "UID:a\nSUMMARY:Réunion budget\nDTSTART;TZID=Europe/Paris:20260303T100000\n"
    "DTEND;TZID=Europe/Paris:20260303T110000"
)
SIMPLE_SPANS = [(utc(2026, 3, 3, 9), utc(2026, 3, 3, 10), "Réunion budget")]


@pytest.mark.parametrize(
    "data",
    [
        SIMPLE,
        SIMPLE.replace(b"\r\n", b"\n"),
        SIMPLE.replace(b"\r\n", b"\r"),
        b"\xef\xbb\xbf" + SIMPLE,
        b"\r\n\r\n  " + SIMPLE,
        SIMPLE.decode().encode("utf-16"),
        # Folded anywhere, even inside the TZID parameter and the BEGIN line (RFC 5545 3.1).
        SIMPLE.replace(
            b"TZID=Europe/Paris:20260303T10", b"TZID=Europe/Pa\r\n ris:20260303T10"
        ).replace(b"BEGIN:VEVENT", b"BEGIN:VEV\r\n\tENT"),
    ],
    ids=["crlf", "lf", "cr", "bom", "leading-blank-lines", "utf-16", "folded"],
)
def test_line_endings_encodings_and_folding(data):
    assert spans(import_busy(data)) == SIMPLE_SPANS


def test_windows_1252_export_still_imports_with_a_replacement_character():
    busy = import_busy(SIMPLE.decode().encode("cp1252"))
    assert [(i.start, i.end) for i in busy] == [(utc(2026, 3, 3, 9), utc(2026, 3, 3, 10))]
    assert busy[0].summary == "R\ufffdunion budget"


# --- semantics ----------------------------------------------------------------------------------


def test_intervals_are_clipped_to_the_horizon():
    data = calendar(
        "UID:a\nSUMMARY:Conference\nDTSTART;VALUE=DATE:20260227\nDTEND;VALUE=DATE:20260304",
        "UID:b\nSUMMARY:Late call\nDTSTART:20260412T230000Z\nDTEND:20260413T010000Z",
        "UID:c\nSUMMARY:Just outside\nDTSTART:20260413T000000Z\nDTEND:20260413T010000Z",
    )
    assert spans(import_busy(data, timezone="UTC")) == [
        (HORIZON_START, utc(2026, 3, 4), "Conference"),
        (utc(2026, 4, 12, 23), HORIZON_END, "Late call"),
    ]


def test_exact_duplicates_are_dropped_but_overlaps_are_kept():
    data = calendar(
        "UID:a\nSUMMARY:Sync\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z",
        "UID:b\nSUMMARY:Sync\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z",
        "UID:c\nSUMMARY:Overlap\nDTSTART:20260303T103000Z\nDTEND:20260303T113000Z",
        # Two calendars in one file are both imported (some tools concatenate exports).
    ) + calendar("UID:a\nSUMMARY:Sync\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z")
    assert spans(import_busy(data)) == [
        (utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Sync"),
        (utc(2026, 3, 3, 10, 30), utc(2026, 3, 3, 11, 30), "Overlap"),
    ]


def test_output_is_sorted_aware_utc():
    busy = import_busy("google.ics") + import_busy("outlook.ics") + import_busy("apple.ics")
    for interval in busy:
        assert interval.start.tzinfo is UTC and interval.end.tzinfo is UTC
        assert interval.start < interval.end
    for name in ("google.ics", "outlook.ics", "apple.ics"):
        starts = [i.start for i in import_busy(name)]
        assert starts == sorted(starts)


def test_rdate_periods_and_private_titles():
    data = calendar(
        "UID:a\nSUMMARY:Office hours\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z\n"
        "RDATE;VALUE=PERIOD:20260305T140000Z/PT2H,20260306T080000Z/20260306T083000Z",
        "UID:b\nSUMMARY:Therapy\nCLASS:PRIVATE\nDTSTART:20260304T170000Z\nDTEND:20260304T180000Z",
    )
    assert spans(import_busy(data)) == [
        (utc(2026, 3, 3, 10), utc(2026, 3, 3, 11), "Office hours"),
        (utc(2026, 3, 4, 17), utc(2026, 3, 4, 18), ""),  # busy, but the title stays private
        (utc(2026, 3, 5, 14), utc(2026, 3, 5, 16), "Office hours"),
        (utc(2026, 3, 6, 8), utc(2026, 3, 6, 8, 30), "Office hours"),
    ]


def test_unknown_tzid_and_unknown_x_wr_timezone_fall_back_to_the_persons_zone():
    data = calendar(
        "UID:a\nSUMMARY:Mystery\nDTSTART;TZID=Atlantis Standard Time:20260303T100000\n"
        "DTEND;TZID=Atlantis Standard Time:20260303T110000",
        header="X-WR-TIMEZONE:Atlantis/Capital\n",
    )
    assert spans(import_busy(data, timezone="Asia/Tokyo")) == [
        (utc(2026, 3, 3, 1), utc(2026, 3, 3, 2), "Mystery")
    ]


def customized_zone_calendar(offset: str) -> bytes:
    return calendar(
        "UID:a\nSUMMARY:Call\nDTSTART;TZID=Customized Time Zone:20260303T100000\n"
        "DTEND;TZID=Customized Time Zone:20260303T110000",
        header=(
            "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\n"
            f"DTSTART:16010101T000000\nTZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\n"
            "END:STANDARD\nEND:VTIMEZONE\n"
        ),
    )


def test_a_files_own_time_zone_definitions_do_not_leak_into_the_next_import():
    # icalendar 7 caches VTIMEZONEs process-wide by TZID, first definition wins; two Outlook
    # users with different "Customized Time Zone"s must each get their own.
    assert import_busy(customized_zone_calendar("+0530"))[0].start == utc(2026, 3, 3, 4, 30)
    assert import_busy(customized_zone_calendar("-0300"))[0].start == utc(2026, 3, 3, 13)
    # A forged definition of a Windows zone name cannot shift a later Outlook import either.
    forged = (
        (FIXTURES / "outlook.ics")
        .read_bytes()
        .replace(b"TZOFFSETTO:+0100", b"TZOFFSETTO:+1400")
        .replace(b"TZOFFSETTO:+0200", b"TZOFFSETTO:+1400")
    )
    assert import_busy(forged)[0].start == utc(2026, 3, 3, 13)
    assert import_busy("outlook.ics")[0].start == utc(2026, 3, 3, 13)


def test_this_and_future_override_moves_the_rest_of_the_series():
    data = calendar(
        "UID:s\nSUMMARY:Sync\nDTSTART;TZID=Europe/Paris:20240101T100000\n"
        "DTEND;TZID=Europe/Paris:20240101T103000\nRRULE:FREQ=WEEKLY;BYDAY=MO",
        "UID:s\nSUMMARY:Sync (later)\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Paris:"
        "20260316T100000\nDTSTART;TZID=Europe/Paris:20260316T150000\n"
        "DTEND;TZID=Europe/Paris:20260316T153000\nSEQUENCE:1",
    )
    assert [(i.start, i.summary) for i in import_busy(data)] == [
        (utc(2026, 3, 2, 9), "Sync"),
        (utc(2026, 3, 9, 9), "Sync"),
        (utc(2026, 3, 16, 14), "Sync (later)"),
        (utc(2026, 3, 23, 14), "Sync (later)"),
        (utc(2026, 3, 30, 13), "Sync (later)"),
        (utc(2026, 4, 6, 13), "Sync (later)"),
    ]


# --- bounding the expansion must not change what it finds ---------------------------------------


def expected_by_brute_force(data: bytes) -> list[tuple[datetime, datetime, str]]:
    """recurring_ical_events on the untouched calendar, without any of the importer's limits."""
    found = set()
    query = recurring_ical_events.of(icalendar.Calendar.from_ical(data))
    window = (HORIZON_START - timedelta(days=2), HORIZON_END + timedelta(days=2))
    for occurrence in query.between(*window):
        start, end = (as_utc(occurrence[name].dt) for name in ("DTSTART", "DTEND"))
        start, end = max(start, HORIZON_START), min(end, HORIZON_END)
        if start < end:
            found.add((start, end, str(occurrence["SUMMARY"])))
    return sorted(found)


def as_utc(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):  # all-day: midnight where the person is (Paris here)
        value = datetime.combine(value, datetime.min.time(), tzinfo=ZoneInfo("Europe/Paris"))
    return value.astimezone(UTC)


ZONES = st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC", "all-day"])
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def ical_time(moment: datetime, zone: str) -> str:
    """A property's parameters and value: local with TZID, UTC with Z, or a DATE."""
    if zone == "all-day":
        return f";VALUE=DATE:{moment:%Y%m%d}"
    if zone == "UTC":
        return f":{moment:%Y%m%dT%H%M%S}Z"
    return f";TZID={zone}:{moment:%Y%m%dT%H%M%S}"


def moments(low: datetime, high: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=low, max_value=high).map(
        lambda m: m.replace(second=0, microsecond=0)
    )


def _in_year(moment: datetime, year: int) -> datetime:
    """The same moment in another year; 29 February becomes the 28th where there is none."""
    if (moment.month, moment.day) == (2, 29):
        moment = moment.replace(day=28)
    return moment.replace(year=year)


@st.composite
def repeating_events(draw: st.DrawFn) -> str:
    """A series as calendar apps write them, started up to four centuries before the horizon."""
    zone = draw(ZONES)
    all_day = zone == "all-day"
    freq = draw(
        st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", *([] if all_day else ["HOURLY"])])
    )
    begins = draw(moments(datetime(1600, 1, 1), datetime(2026, 5, 1)))
    if all_day:
        length = timedelta(days=draw(st.integers(1, 3)))
    else:
        length = timedelta(minutes=draw(st.sampled_from([15, 30, 60, 90, 24 * 60, 3 * 24 * 60])))
    rule = {"FREQ": freq, "INTERVAL": str(draw(st.integers(1, 3)))}
    if freq == "HOURLY":  # keep it inside the work budget
        begins = _in_year(begins, draw(st.integers(2025, 2026)))
        hours = draw(st.sets(st.integers(8, 17), min_size=1, max_size=3))
        rule["BYHOUR"] = ",".join(map(str, sorted(hours)))
    if freq in ("DAILY", "WEEKLY") and draw(st.booleans()):
        days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
        rule["BYDAY"] = ",".join(sorted(days, key=WEEKDAYS.index))
    if freq == "MONTHLY" and draw(st.booleans()):
        rule["BYDAY"] = draw(st.sampled_from(["1", "2", "-1"])) + draw(st.sampled_from(WEEKDAYS))
    if freq == "YEARLY" and draw(st.booleans()):
        rule["BYMONTH"] = str(draw(st.integers(1, 12)))
        rule["BYMONTHDAY"] = str(draw(st.integers(1, 28)))
    ending = draw(st.sampled_from(["none", "count", "until"]))
    if ending == "count":
        earliest = 2024 if freq in ("DAILY", "WEEKLY", "HOURLY") else 1990
        begins = _in_year(begins, max(begins.year, earliest))
        rule["COUNT"] = str(draw(st.integers(1, 800)))
    elif ending == "until":
        until = draw(moments(datetime(2026, 2, 1), datetime(2026, 5, 1)))
        rule["UNTIL"] = f"{until:%Y%m%d}" if all_day else f"{until:%Y%m%dT%H%M%S}Z"
    lines = [
        f"UID:{draw(st.uuids())}",
        f"SUMMARY:{freq} series",
        "DTSTART" + ical_time(begins, zone),
        "DTEND" + ical_time(begins + length, zone),
        "RRULE:" + ";".join(f"{part}={value}" for part, value in rule.items()),
    ]
    if draw(st.booleans()):
        skipped = draw(st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 4, 14)))
        lines.append("EXDATE" + ical_time(datetime.combine(skipped, begins.time()), zone))
    if draw(st.booleans()):
        extra = draw(moments(datetime(2026, 2, 20), datetime(2026, 4, 20)))
        lines.append("RDATE" + ical_time(extra, zone))
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(repeating_events(), min_size=1, max_size=3))
def test_bounded_expansion_finds_exactly_what_brute_force_finds(events):
    expected: set[tuple[datetime, datetime, str]] = set()
    unusable = 0
    for event in events:
        try:
            expected.update(expected_by_brute_force(calendar(event)))
        except ValueError:  # e.g. HOURLY;INTERVAL=2;BYHOUR=9 from an odd hour never matches
            unusable += 1
    result = read(calendar(*events))
    assert spans(result.intervals) == sorted(expected)
    assert result.skipped_count == unusable


# --- nothing but IcsImportError or a list, whatever the bytes -----------------------------------

SEEDS = [path.read_bytes() for path in sorted(FIXTURES.glob("*.ics"))]
TOKENS = [
    b"\r\n",
    b"\n ",
    b":",
    b";",
    b"=",
    b",",
    b'"',
    b"\\",
    b"Z",
    b"T",
    b"-",
    b"\xff",
    b"\x00",
    b"TZID=",
    b"VALUE=DATE",
    b"VALUE=PERIOD",
    b"RRULE:FREQ=MINUTELY",
    b"RRULE:FREQ=DAILY",
    b"COUNT=",
    b"UNTIL=",
    b"BYSETPOS=",
    b"INTERVAL=0",
    b"EXDATE:",
    b"RDATE:",
    b"RECURRENCE-ID:",
    b"DURATION:P",
    b"99991231",
    b"00010101",
    b"BEGIN:VEVENT\r\n",
    b"END:VEVENT\r\n",
    b"BEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\n",
    b"X-WR-TIMEZONE:",
    b"STATUS:CANCELLED",
]


@st.composite
def mutated_calendars(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "flip", "copy"]))
        if action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(max_size=8))
        elif action == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        else:
            source = draw(st.integers(0, len(data)))
            data[at:at] = data[source : source + draw(st.integers(1, 300))]
    return bytes(data)


def assert_list_or_import_error(data: bytes) -> None:
    try:
        busy = import_busy(data)
    except IcsImportError as exc:
        message = str(exc)
        assert message and message[0].isupper() and message.endswith((".", ")"))
        assert "/site-packages/" not in message  # never leak server paths
        return
    for interval in busy:
        assert HORIZON_START <= interval.start < interval.end <= HORIZON_END
        assert interval.start.tzinfo is UTC


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_give_a_list_or_an_import_error(data):
    assert_list_or_import_error(data)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400).map(lambda tail: b"BEGIN:VCALENDAR\r\n" + tail))
def test_random_bytes_after_a_calendar_header_give_a_list_or_an_import_error(data):
    assert_list_or_import_error(data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_calendars())
def test_mutated_real_exports_give_a_list_or_an_import_error(data):
    assert_list_or_import_error(data)


# --- demo calendars -----------------------------------------------------------------------------

DEMO_START = date(2026, 3, 2)  # a Monday; six weeks cross both US and EU DST changes


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_demo_calendar_round_trips_through_the_importer(zone, seed):
    data = demo_calendar_ics(username="Ada Lovelace", timezone=zone, start=DEMO_START, seed=seed)
    local = ZoneInfo(zone)
    start = datetime.combine(DEMO_START, datetime.min.time(), tzinfo=local)
    busy = import_busy(data, timezone=zone, start=start, end=start + timedelta(weeks=6))

    standups = [i for i in busy if i.summary == "ML team standup"]
    assert len(standups) == 30 - 1  # every weekday of six weeks but one day off (EXDATE)
    standup_times = {i.start.astimezone(local).time() for i in standups}
    assert len(standup_times) == 1  # the same local time on both sides of DST
    assert (
        datetime(2026, 1, 1, 9, 15).time()
        <= standup_times.pop()
        <= datetime(2026, 1, 1, 9, 45).time()
    )

    one_on_ones = [i for i in busy if i.summary.startswith("1:1 ")]
    assert len(one_on_ones) == 6
    assert len({i.start.astimezone(local).strftime("%a %H:%M") for i in one_on_ones}) == 1

    all_day = [i for i in busy if i.end - i.start >= timedelta(hours=23)]
    assert len(all_day) == 1
    assert all_day[0].start.astimezone(local).time() == datetime.min.time()

    external = [i for i in busy if i not in standups + one_on_ones + all_day]
    assert 2 * 6 <= len(external) <= 3 * 6
    for meeting in external:
        local_start = meeting.start.astimezone(local)
        assert local_start.weekday() < 5
        assert 10 <= local_start.hour <= 16  # mid-morning or mid-afternoon


def test_demo_calendar_is_deterministic_and_seeded():
    arguments = {"username": "grace", "timezone": "Europe/Paris", "start": DEMO_START}
    first = demo_calendar_ics(**arguments, seed=3)
    assert first == demo_calendar_ics(**arguments, seed=3)
    assert first != demo_calendar_ics(**arguments, seed=4)
    assert b"DTSTAMP:20260302T000000Z" in first
    assert b"DTSTAMP:" + datetime.now(UTC).strftime("%Y%m%d").encode() not in first


def test_demo_calendar_uses_the_features_the_importer_must_handle():
    data = demo_calendar_ics(username="grace", timezone="Europe/Paris", start=DEMO_START)
    text = data.decode()
    assert "\r\n" in text and "BEGIN:VTIMEZONE" in text and "TZID:Europe/Paris" in text
    assert text.count("RRULE:FREQ=WEEKLY") == 2 and "EXDATE;TZID=Europe/Paris:" in text
    assert "DTSTART;VALUE=DATE:" in text
    parsed = icalendar.Calendar.from_ical(data)
    one_offs = [event for event in parsed.events if "RRULE" not in event]
    timed = [event.DTSTART for event in one_offs if isinstance(event.DTSTART, datetime)]
    assert len(timed) == len(one_offs) - 1  # all but the all-day event
    assert all(start.tzinfo is not None and start.utcoffset() == timedelta(0) for start in timed)
    assert all(f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in text for start in timed)
    assert all(event.get("DTSTAMP") for event in parsed.events)
    assert len({str(event["UID"]) for event in parsed.events}) == len(parsed.events)


# --- hostile files and time zones a file defines ------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_files_cost_little_and_list_what_was_skipped(name):
    # Before: 10 s and +176 MB, over 60 s and +700 MB, over 60 s and +870 MB, 8.5 s and +143 MB.
    # Now under 0.1 s each; the bound leaves room for a machine shared with other test runs.
    began = time.perf_counter()
    result = read(HOSTILE_FILES[name]())
    assert time.perf_counter() - began < 3.0
    assert result.intervals == []
    assert result.skipped_count >= 1
    assert all(
        "time zone" in event.reason or "RDATE/EXDATE" in event.reason for event in result.skipped
    )


def custom_zone(tzid: str, *parts: str) -> str:
    return f"BEGIN:VTIMEZONE\nTZID:{tzid}\n" + "".join(parts) + "END:VTIMEZONE\n"


EU_RULES = (
    "BEGIN:DAYLIGHT\nDTSTART:19810329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZNAME:CEST\nEND:DAYLIGHT\n"
    "BEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nTZNAME:CET\nEND:STANDARD\n"
)


def test_a_files_own_yearly_zone_follows_its_dst_rules():
    zone = custom_zone("Bureau de Paris", EU_RULES)
    events = [
        f"UID:{day}\nSUMMARY:Sync\nDTSTART;TZID=Bureau de Paris:202603{day}T100000\n"
        f"DTEND;TZID=Bureau de Paris:202603{day}T110000"
        for day in ("27", "30")
    ]
    data = calendar(*events).replace(
        b"BEGIN:VEVENT", zone.replace("\n", "\r\n").encode() + b"BEGIN:VEVENT", 1
    )
    assert spans(import_busy(data)) == [
        (utc(2026, 3, 27, 9), utc(2026, 3, 27, 10), "Sync"),  # CET, +01:00
        (utc(2026, 3, 30, 8), utc(2026, 3, 30, 9), "Sync"),  # CEST, +02:00
    ]


def test_a_zone_of_listed_changes_is_read_and_one_listing_too_many_is_not():
    listed = (
        "BEGIN:DAYLIGHT\nDTSTART:20250330T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
        "RDATE:20260329T020000\nEND:DAYLIGHT\n"
        "BEGIN:STANDARD\nDTSTART:20251026T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "RDATE:20261025T030000\nEND:STANDARD\n"
    )
    flood = (
        "BEGIN:STANDARD\nDTSTART:20000101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
        + "".join(f"RDATE:{2000 + n // 400}0101T{n % 24:02d}0000\n" for n in range(2500))
        + "END:STANDARD\n"
    )
    zones = custom_zone("Listed", listed) + custom_zone("Flood", flood)
    events = [
        f"UID:{tzid}\nSUMMARY:{tzid}\nDTSTART;TZID={tzid}:20260330T100000\n"
        f"DTEND;TZID={tzid}:20260330T110000"
        for tzid in ("Listed", "Flood")
    ]
    data = calendar(*events).replace(
        b"BEGIN:VEVENT", zones.replace("\n", "\r\n").encode() + b"BEGIN:VEVENT", 1
    )
    result = read(data)
    assert spans(result.intervals) == [(utc(2026, 3, 30, 8), utc(2026, 3, 30, 9), "Listed")]
    [(summary, reason)] = skipped(result)
    assert summary == "Flood"
    assert "lists 2,500 changes of offset" in reason


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12", "more than 4 times a year"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYSETPOS=1", "uses BYSETPOS"),
        ("FREQ=MONTHLY", "with FREQ=MONTHLY"),
        ("FREQ=HOURLY", "every hour"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "a day that does not exist"),
    ],
)
def test_zone_rules_unlike_real_zones_skip_the_events_that_use_them(rule, why):
    zone = custom_zone(
        "Odd",
        "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        f"RRULE:{rule}\nEND:STANDARD\n",
    )
    event = "UID:a\nSUMMARY:Odd\nDTSTART;TZID=Odd:20260303T100000\nDTEND;TZID=Odd:20260303T110000"
    data = calendar(event).replace(
        b"BEGIN:VEVENT", zone.replace("\n", "\r\n").encode() + b"BEGIN:VEVENT", 1
    )
    began = time.perf_counter()
    result = read(data)
    assert time.perf_counter() - began < 1.0
    [(summary, reason)] = skipped(result)
    assert summary == "Odd"
    assert reason.startswith('uses the time zone "Odd", which this file defines in a way')
    assert why in reason


def test_the_reader_imports_nothing_from_django():
    """schedule/ical/ runs in a bare child process and in the fuzz tests without settings."""
    package = Path(schedule.ical.__file__).parent
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in names), path
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, schedule.ical.read.isolated; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        cwd=package.parents[1],
        env={"PYTHONPATH": str(package.parents[1]), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "[]"


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    st.sampled_from([0, 1]),
)
@example(datetime(2026, 3, 29, 2, 30), 0)  # in the gap of spring forward
@example(datetime(2026, 3, 29, 2, 30), 1)
@example(datetime(2026, 10, 25, 2, 30), 0)  # the repeated hour of fall back
@example(datetime(2026, 10, 25, 2, 30), 1)
@example(datetime(2026, 10, 25, 3, 0), 0)
def test_a_file_zone_with_paris_rules_agrees_with_paris(local, fold):
    """Gaps and repeated hours included: fold=0 and fold=1 pick the same offsets as zoneinfo."""
    definition = icalendar.Calendar.from_ical(
        custom_zone("X", EU_RULES).replace("TZID:X", "X-FOCUSBOARD-TZID:X").encode()
    )
    zone = zone_from_definition("X", definition, until=datetime(2028, 1, 1), budget=Budget())
    paris = ZoneInfo("Europe/Paris")
    ours, theirs = local.replace(tzinfo=zone, fold=fold), local.replace(tzinfo=paris, fold=fold)
    assert ours.utcoffset() == theirs.utcoffset()
    instant = ours.astimezone(UTC)
    back = instant.astimezone(zone)
    assert back.replace(tzinfo=None) == instant.astimezone(paris).replace(tzinfo=None)
    assert back.fold == instant.astimezone(paris).fold
