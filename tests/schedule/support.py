"""Shared helpers for the schedule tests (Django side): times, meetings, busy time, .ics bytes
and a local calendar server. Imported explicitly, so the engine and parser tests keep their
own conftest free."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from schedule.models import BusyInterval, BusySource, BusySourceKind, Meeting, MeetingAttendee
from teams.models import Team

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def next_monday() -> date:
    """Monday of next week (Paris): always in the future and inside the import horizon."""
    today = timezone.now().astimezone(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def at(day: int, hhmm: str, zone: ZoneInfo = PARIS, *, monday: date | None = None) -> datetime:
    """Next week's day `day` (0 = Monday) at local `hhmm`."""
    base = monday or next_monday()
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(base + timedelta(days=day), time(hours, minutes), zone)


def iso(dt: datetime) -> str:
    return dt.isoformat()


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def make_meeting(
    team: Team,
    start: datetime,
    end: datetime,
    required: Sequence[AbstractUser],
    optional: Sequence[AbstractUser] = (),
    *,
    title: str = "Sync",
    forced: bool = False,
) -> Meeting:
    """A meeting straight in the database (no rule checks): the data a test starts from."""
    meeting = Meeting.objects.create(
        team=team, title=title, start=start, end=end, forced_into_maker_time=forced
    )
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, user=u, required=True) for u in required]
        + [MeetingAttendee(meeting=meeting, user=u, required=False) for u in optional]
    )
    return meeting


def add_busy(
    user: AbstractUser, start: datetime, end: datetime, summary: str = "Busy"
) -> BusyInterval:
    """Busy time in the person's own calendar (it counts in every team they are in)."""
    source, _ = BusySource.objects.get_or_create(
        user=user, kind=BusySourceKind.UPLOAD, defaults={"filename": "cal.ics"}
    )
    interval = BusyInterval.objects.create(
        source=source, user=user, start=start, end=end, summary=summary
    )
    source.interval_count = source.intervals.count()
    source.save(update_fields=["interval_count"])
    return interval


def ics(*events: tuple[datetime, datetime, str]) -> bytes:
    """A small valid calendar with one-off events in UTC."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Focusboard tests//EN"]
    for number, (start, end, summary) in enumerate(events):
        lines += [
            "BEGIN:VEVENT",
            f"UID:test-{number}@focusboard.invalid",
            "DTSTAMP:20250101T000000Z",
            f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{summary}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def three_megabytes() -> bytes:
    """A syntactically fine calendar of exactly 3 MiB (a long comment line, folded)."""
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    tail = b"END:VCALENDAR\r\n"
    filler = b"X-FILLER:" + b"x" * 60 + b"\r\n"
    size = 3 * 1024 * 1024 - len(head) - len(tail)
    body = filler * (size // len(filler))
    body += b"X-PAD:" + b"y" * (size - len(body) - 8) + b"\r\n"
    data = head + body + tail
    assert len(data) == 3 * 1024 * 1024
    return data


@dataclass(frozen=True)
class Drip:
    """A hostile server: `body` one byte every `every` seconds; from the status line on when
    `headers_too`, so nothing useful ever arrives before the client gives up."""

    body: bytes
    every: float
    headers_too: bool = False


@dataclass(frozen=True)
class Redirect:
    location: str
    status: int = 302


class CalendarServer:
    """A calendar server on 127.0.0.1 in a thread. `routes` maps a path to (status, body), a
    number of seconds to stall before answering, a Drip or a Redirect; `hits` lists the paths
    requested, so a test can show a refused fetch never reached the server."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes] | float | Drip | Redirect] = {}
        self.hits: list[str] = []
        self.posts: list[tuple[str, str, bytes]] = []  # (path, content type, body)
        self.stopping = threading.Event()
        routes, hits, posts, stopping = self.routes, self.hits, self.posts, self.stopping

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                route = routes.get(self.path, (404, b"not found"))
                try:
                    if isinstance(route, Drip):
                        self._drip(route)
                        return
                    if isinstance(route, Redirect):
                        self.send_response(route.status)
                        self.send_header("Location", route.location)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    if isinstance(route, float):
                        stopping.wait(route)
                        route = (200, b"")
                    status, body = route
                    self.send_response(status)
                    self.send_header("Content-Type", "text/calendar")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                posts.append(
                    (self.path, self.headers.get("Content-Type", ""), self.rfile.read(length))
                )
                self.do_GET()

            def _drip(self, drip: Drip) -> None:
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
                    f"Content-Length: {len(drip.body)}\r\n\r\n"
                ).encode()
                if not drip.headers_too:
                    self.wfile.write(head)
                    head = b""
                for byte in head + drip.body:
                    if stopping.wait(drip.every):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def calendar_server() -> Iterator[CalendarServer]:
    server = CalendarServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.server.shutdown()
        server.server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/calendar.ics"
