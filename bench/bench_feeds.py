"""A calendar feed with 5,000 events: the full render against the conditional (304) path.

Calendar clients poll a feed every few minutes to every few hours; almost every poll should
be a 304 answered from the sources' fingerprints, without building an event. In-process
(Django's test client), on a throwaway file SQLite database: one team, 8 members, 5,000
meetings over the last 90 days and the next two years, each with 3 attendees. Prints the
median time of each path, their ratio (goal: the 304 is at least 20x cheaper) and the query
count of each path at 500 and at 5,000 events (goal: the same). Run: `make bench`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp(prefix="focusboard-bench-")) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

EVENTS = int(os.environ.get("BENCH_FEED_EVENTS", "5000"))
FULL_RUNS = 5
CONDITIONAL_RUNS = 200


def add_meetings(team, people, count: int, first: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Meetings straight into the database (the services' rule checks are not what is
    measured): three a working day, 13:00, 13:30 and 09:00 UTC, from 90 days ago on."""
    from schedule.models import Meeting, MeetingAttendee

    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= timedelta(days=89)
    slots = [(13, 0), (13, 30), (9, 0)]
    meetings = []
    n = first
    day = 0
    while len(meetings) < count:
        date = start + timedelta(days=day + n // 3)
        if date.weekday() < 5:
            hour, minute = slots[n % 3]
            when = date.replace(hour=hour, minute=minute)
            meetings.append(
                Meeting(
                    team=team,
                    title=f"Meeting {n}",
                    start=when,
                    end=when + timedelta(minutes=30),
                    organizer=people[n % len(people)],
                    sequence=n % 4,
                )
            )
        n += 1
    Meeting.objects.bulk_create(meetings, batch_size=500)
    created = Meeting.objects.filter(team=team).order_by("pk")[first:]
    MeetingAttendee.objects.bulk_create(
        [
            MeetingAttendee(meeting=m, user=people[(i + k) % len(people)], required=k < 2)
            for i, m in enumerate(created)
            for k in range(3)
        ],
        batch_size=1000,
    )


def build() -> tuple[Client, str, object, list[object]]:
    from schedule.models import FeedToken
    from teams.models import Role
    from tests.factories import MembershipFactory, TeamFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    team = TeamFactory(slug="bench", name="Bench Team")
    lead = MembershipFactory(team=team, role=Role.LEAD, user__username="lead").user
    people = [lead] + [MembershipFactory(team=team).user for _ in range(7)]
    _, secret = FeedToken.issue(user=lead, scope="team", team=team)
    return Client(), f"/feeds/{secret}.ics", team, people


def timed(client: Client, path: str, runs: int, **headers: str) -> tuple[float, int]:
    """Median seconds per request, and the status code."""
    times = []
    status = 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, **headers)
        times.append(time.perf_counter() - start)
        status = response.status_code
    return statistics.median(times), status


def queries(client: Client, path: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, **headers)
    return len(ctx)


def main() -> None:
    client, path, team, people = build()
    tenth = EVENTS // 10
    add_meetings(team, people, tenth)
    etag = client.get(path)["ETag"]
    small = (queries(client, path), queries(client, path, HTTP_IF_NONE_MATCH=etag))
    add_meetings(team, people, EVENTS - tenth, first=tenth)

    first = client.get(path)
    body = first.content
    events = body.count(b"BEGIN:VEVENT")
    etag = first["ETag"]
    full, code = timed(client, path, FULL_RUNS)
    assert code == 200
    conditional, code = timed(client, path, CONDITIONAL_RUNS, HTTP_IF_NONE_MATCH=etag)
    assert code == 304
    since, code = timed(
        client, path, CONDITIONAL_RUNS, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert code == 304
    large = (queries(client, path), queries(client, path, HTTP_IF_NONE_MATCH=etag))
    assert client.get(path).content == body, "same data, same bytes"

    print(f"feed with {events} events, {len(body) / 1e6:.1f} MB")
    print(f"  full render (200)          {full * 1000:9.1f} ms")
    ratio = full / conditional
    print(f"  If-None-Match (304)        {conditional * 1000:9.2f} ms  ratio {ratio:6.0f}x")
    print(f"  If-Modified-Since (304)    {since * 1000:9.2f} ms  ratio {full / since:6.0f}x")
    print(
        f"  queries at {tenth} / {events} events: full {small[0]} / {large[0]}, "
        f"304 {small[1]} / {large[1]}"
    )
    ok = full / conditional >= 20 and small == large
    print("  goal (304 >= 20x cheaper, queries flat):", "met" if ok else "NOT MET")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
