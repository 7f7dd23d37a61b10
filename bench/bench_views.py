"""Board and wall-partial request cost against a trivial view of the same app.

In-process (Django's test client, no network), on a throwaway file SQLite database with a
realistically busy team: 3 active items, 40 parked/finished ones, 8 members, ~300 events.
Prints the median time per request for each view and its ratio to the trivial view
(/healthz, which also does one database round trip). Run: `make bench`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
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
from django.test import Client  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
REPEATS = 5


def build() -> tuple[Client, str]:
    from focusboard import services
    from teams.models import Role
    from tests.factories import MembershipFactory, TeamFactory

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    team = TeamFactory(slug="bench", name="Bench Team")
    lead = MembershipFactory(team=team, role=Role.LEAD, user__username="lead").user
    members = [MembershipFactory(team=team).user for _ in range(7)]
    for n in range(40):
        item = services.focus_item_add(
            team=team, actor=lead, title=f"Idea {n}", owner=members[n % 7], status="parked"
        )
        for m in range(3):
            services.focus_item_edit(item=item, actor=lead, why=f"why {m}", fields={"why"})
        if n % 4 == 0:
            services.focus_item_activate(item=item, actor=lead)
            services.focus_item_finish(item=item, actor=lead)
    for n in range(3):
        services.focus_item_add(team=team, actor=lead, title=f"Focus {n}", owner=members[n])
    _, secret = services.kiosk_token_create(team=team, actor=lead, label="Bench room")
    client = Client()
    client.force_login(lead)
    return client, secret


def per_request(client: Client, path: str, **headers: str) -> float:
    """Median over REPEATS runs of the mean seconds per request over REQUESTS requests."""
    for _ in range(20):  # warm caches, templates, connections
        assert client.get(path, **headers).status_code == 200
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            client.get(path, **headers)
        runs.append((time.perf_counter() - start) / REQUESTS)
    return statistics.median(runs)


# The wall polls every 30 s from every screen: an unchanged poll must stay cheap (issue 14).
WALL_GOAL = 5.0


def main() -> int:
    client, secret = build()
    htmx = {"HTTP_HX_REQUEST": "true"}
    baseline = per_request(client, "/healthz")
    rows = [
        ("trivial view (/healthz)", baseline),
        ("board page", per_request(client, "/t/bench/")),
        ("board fragment (htmx)", per_request(client, "/t/bench/", **htmx)),
        ("wall partial (htmx poll)", per_request(client, "/t/bench/wall/content/", **htmx)),
        ("wall partial (kiosk poll)", per_request(Client(), f"/wall/{secret}/content/", **htmx)),
        ("focus.txt", per_request(client, "/t/bench/focus.txt")),
    ]
    print(f"{REQUESTS} requests x {REPEATS} runs, median of runs, in-process, SQLite")
    for name, seconds in rows:
        print(f"  {name:28s} {seconds * 1000:7.2f} ms/request   x{seconds / baseline:5.1f} trivial")
    wall = max(seconds for name, seconds in rows if name.startswith("wall partial"))
    ok = wall / baseline <= WALL_GOAL
    print(
        f"wall partial x{wall / baseline:.1f} /healthz (goal <= x{WALL_GOAL:.0f}, unchanged poll): "
        + ("ok" if ok else "FAILED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
