"""No calendar file or address, hostile or slow, holds a request for 10 seconds or grows the
web worker's memory by 200 MB: the hostile files of the external review and a slow-drip
server, through the API and the pages, on whichever database the suite runs on.

Memory is the worker's own Python allocations during the request (tracemalloc's peak): the
review's cases grew it by 140 MB to 1.5 GB when the parser ran in the worker.
"""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from schedule import services
from schedule.ical.read import IcsImportError, isolated
from schedule.models import BusyInterval, BusySource
from tests.conftest import TeamPeople

from .hostile import HOSTILE_FILES, fine_zone_since_1970
from .support import Drip, at, calendar_server, ics

BASE = "/api/v1/teams/ml"
REQUEST_SECONDS = 10.0
WORKER_BYTES = 200 * 1024 * 1024


@contextmanager
def bounded(seconds: float = REQUEST_SECONDS, memory: int = WORKER_BYTES) -> Iterator[None]:
    tracemalloc.start()
    began = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < memory, f"the worker grew by {peak / 2**20:.0f} MB"


def post_file(client, data: bytes):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("hostile.ics", data, content_type="text/calendar")
    return client.post(f"{BASE}/busy-sources/", {"file": upload}, format="multipart")


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_files_are_read_quickly_and_their_events_listed(
    people: TeamPeople, as_user, name: str
):
    client = as_user(people.member)
    with bounded():
        response = post_file(client, HOSTILE_FILES[name](at(1, "10:00").date()))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["imported"] == 0
    assert body["skipped_count"] >= 1
    reason = body["skipped"][0]["reason"]
    assert "time zone" in reason or "dates (RDATE/EXDATE)" in reason
    listed = client.get(f"{BASE}/busy-sources/").json()["results"][0]
    assert listed["skipped"] == body["skipped"]


def test_two_hostile_uploads_at_once_leave_the_worker_alone():
    """Two parallel uploads of the 1970 zone used to take both gunicorn workers down."""
    data = fine_zone_since_1970(date(2026, 3, 3))
    outcomes: list[int] = []

    def read() -> None:
        result = isolated.read_busy_isolated(
            data,
            horizon_start=datetime(2026, 3, 2, tzinfo=UTC),
            horizon_end=datetime(2026, 4, 13, tzinfo=UTC),
            default_timezone="Europe/Paris",
        )
        outcomes.append(result.skipped_count)

    with bounded():
        threads = [threading.Thread(target=read) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes == [1, 1]


def test_skipped_events_are_shown_next_to_the_calendar(people: TeamPeople, client):
    client.force_login(people.member)
    start = at(2, "10:00").astimezone(UTC)
    typo = (  # a year off in the end
        f"BEGIN:VEVENT\r\nUID:typo\r\nSUMMARY:Offsite\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start - timedelta(days=365):%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\nEND:VCALENDAR"
    )
    data = ics((at(1, "10:00"), at(1, "11:00"), "Review")).replace(b"END:VCALENDAR", typo.encode())
    response = client.post(
        "/me/calendars/upload/", {"file": SimpleUploadedFile("me.ics", data)}, follow=True
    )
    html = response.content.decode()
    assert "Imported 1 busy intervals from me.ics. 1 event could not be read" in html
    assert "1 event could not be read and was skipped" in html
    assert "“Offsite” ends before it starts; a year is probably mistyped." in html
    source = BusySource.objects.get(user=people.member)
    assert source.skipped == [
        {"summary": "Offsite", "reason": "ends before it starts; a year is probably mistyped"}
    ]
    # The next import replaces the list.
    clean = ics((at(1, "10:00"), at(1, "11:00"), "Review"))
    client.post("/me/calendars/upload/", {"file": SimpleUploadedFile("me.ics", clean)})
    source.refresh_from_db()
    assert (source.skipped, source.skipped_count) == ([], 0)
    assert "could not be read" not in client.get("/me/calendars/").content.decode()


@pytest.fixture
def local_urls(settings):  # type: ignore[no-untyped-def]
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.mark.parametrize(
    ("drip", "reason"),
    [
        (Drip(ics() * 20, every=0.05), "sends too slowly"),
        (Drip(ics(), every=0.5, headers_too=True), "did not answer within 4 seconds"),
    ],
)
def test_a_slow_drip_calendar_address_is_cut_off(
    people: TeamPeople, as_user, local_urls, drip: Drip, reason: str
):
    client = as_user(people.member)
    with calendar_server() as server:
        server.routes["/drip.ics"] = drip
        with bounded(seconds=services.DOWNLOAD_DEADLINE_SECONDS + 1.5):
            response = client.post(f"{BASE}/busy-sources/", {"url": server.url("/drip.ics")})
    assert response.status_code == 400
    assert list(response.json()) == ["url"]
    assert reason in response.json()["url"][0]
    assert not BusySource.objects.exists()


def test_import_busy_finishes_past_a_slow_drip_calendar(people: TeamPeople, local_urls, capsys):
    with calendar_server() as server:
        server.routes["/good.ics"] = (200, ics((at(1, "10:00"), at(1, "11:00"), "x")))
        server.routes["/drip.ics"] = (200, ics())
        good = services.busy_source_add_url(user=people.member, url=server.url("/good.ics"))
        services.busy_source_add_url(user=people.lead, url=server.url("/drip.ics"))
        server.routes["/drip.ics"] = Drip(ics(), every=0.5, headers_too=True)
        server.routes["/good.ics"] = (
            200,
            ics((at(1, "10:00"), at(1, "11:00"), "x"), (at(2, "10:00"), at(2, "11:00"), "y")),
        )
        began = time.monotonic()
        with pytest.raises(CommandError, match="1 of 2 calendars"):
            call_command("import_busy")
        assert time.monotonic() - began < services.DOWNLOAD_DEADLINE_SECONDS + 3
    out, err = capsys.readouterr()
    assert "[1/2] lead" in err and "did not answer within" in err
    assert "[2/2] member" in out and "2 busy intervals" in out
    assert BusyInterval.objects.filter(source=good).count() == 2


# --- the separate process is the backstop --------------------------------------------------------


def read_isolated(data: bytes) -> Callable[[], object]:
    return lambda: isolated.read_busy_isolated(
        data,
        horizon_start=datetime(2026, 3, 2, tzinfo=UTC),
        horizon_end=datetime(2026, 4, 13, tzinfo=UTC),
        default_timezone="Europe/Paris",
    )


@pytest.mark.parametrize(
    ("limit", "value"),
    [("WALL_SECONDS", 0.01), ("MEMORY_BYTES", 16 * 1024 * 1024), ("CPU_SECONDS", 1)],
)
def test_a_child_stopped_by_a_limit_is_a_clear_400(
    people: TeamPeople, as_user, monkeypatch, limit: str, value: float
):
    """What the in-process budget cannot foresee is stopped by the process limits; the person
    gets a sentence and the previous busy time is kept."""
    client = as_user(people.member)
    assert post_file(client, ics((at(1, "10:00"), at(1, "11:00"), "Kept"))).status_code == 201
    monkeypatch.setattr(isolated, limit, value)
    # A heavy but honest file: about 2 s of parsing (old events, outside the horizon), more
    # than the lowered CPU or memory limit allows.
    old = datetime(2020, 1, 6, 10, tzinfo=UTC)
    heavy = ics(*[(old, old + timedelta(hours=1), f"Event {n}") for n in range(12000)])
    with bounded():
        response = post_file(client, heavy)
    assert response.status_code == 400, response.content
    assert response.json() == {"file": [isolated.LIMIT_SENTENCE]}
    assert list(BusyInterval.objects.values_list("summary", flat=True)) == ["Kept"]


def test_the_child_reports_refusals_in_words():
    with pytest.raises(IcsImportError, match="does not start with BEGIN:VCALENDAR"):
        read_isolated(b"<html>sign in</html>")()
