"""A calendar address that hangs, drips or returns garbage on a refresh times out or is
refused in words, and the person's previous busy time stays: through the service and the API
(the load test uploads the hostile files to gunicorn as well)."""

from __future__ import annotations

import time

import pytest

from schedule import services
from schedule.models import BusyInterval, BusySource
from tests.conftest import TeamPeople

from .support import Drip, at, calendar_server, ics

KEPT = ics((at(1, "10:00"), at(1, "11:00"), "Kept"), (at(2, "10:00"), at(2, "11:00"), "Kept"))


@pytest.fixture
def local_urls(settings):  # type: ignore[no-untyped-def]
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def short_deadline(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "DOWNLOAD_DEADLINE_SECONDS", 1.0)


BAD_ANSWERS = {
    "hangs": (3.0, ("did not answer within 1 seconds",)),
    "drips the headers": (Drip(KEPT, every=0.3, headers_too=True), ("did not answer within",)),
    # Whichever comes first: the minimum rate or the overall deadline.
    "drips the body": (Drip(KEPT * 20, every=0.05), ("sends too slowly", "did not answer")),
    "garbage": ((200, b"\x00\xff<html>not a calendar" * 50), ("not an iCalendar file",)),
    "a truncated calendar": ((200, KEPT[: len(KEPT) // 2]), ("",)),
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
def test_a_bad_refresh_keeps_the_previous_busy_time(
    people: TeamPeople, as_user, local_urls, short_deadline, case: str
):
    answer, reasons = BAD_ANSWERS[case]
    client = as_user(people.member)
    with calendar_server() as server:
        server.routes["/cal.ics"] = (200, KEPT)
        created = client.post("/api/v1/me/calendars/", {"url": server.url("/cal.ics")})
        assert created.status_code == 201, created.content
        source = BusySource.objects.get(pk=created.json()["id"])
        before = list(BusyInterval.objects.filter(source=source).values_list("start", "end"))
        assert len(before) == 2
        server.routes["/cal.ics"] = answer
        began = time.monotonic()
        response = client.post(f"/api/v1/me/calendars/{source.pk}/refresh/")
        elapsed = time.monotonic() - began
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["url"]
    sentence = response.json()["url"][0]
    assert any(reason in sentence for reason in reasons), sentence
    assert elapsed < services.DOWNLOAD_DEADLINE_SECONDS + 3
    source.refresh_from_db()
    assert source.last_error
    assert source.interval_count == 2
    after = list(BusyInterval.objects.filter(source=source).values_list("start", "end"))
    assert after == before
