"""Tripwires: a simulation of the detection on synthetic daily series, and the ingest rate.

Simulation (the source recommends simulating a pipeline to check it), with the default
tolerance (30 %) and a 28-point reference window, on SERIES synthetic daily series each
(bench/tripwire_sim.py): day-to-day noise with a standard deviation of a quarter of the
reference gap, a weekly pattern, and 1 % outliers at 5x the noise.
  * false alarms on stable series of three years of daily points (goal: <= 1 per 3 years);
  * median detection delay, in points, when the gap loses 50 % (goal <= 5) and 35 %
    (goal <= 10);
  * the delay for a sign flip (production falls below the baseline).

Ingest: batches of 1,000 observations posted through the API with an ingest token, in
process (Django's test client) on a throwaway file SQLite database, against a trivial view
(/healthz) in the same run. Run: `make bench`.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp(prefix="focusboard-bench-")) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from bench.tripwire_sim import series  # noqa: E402
from tripwires.detect import Settings, assess  # noqa: E402

SERIES = int(os.environ.get("BENCH_SERIES", "1000"))
WINDOW = 28
YEARS = 3
STABLE_DAYS = 365 * YEARS
BEFORE, AFTER = 60, 40  # stable points after the reference window, then the change
BATCHES = int(os.environ.get("BENCH_BATCHES", "20"))
SEED = 20251014


ALREADY = -1  # tripped by a false alarm before the change and still tripped


def delay(points, change_day: int) -> int | None:
    """Points from the change until the wire trips (1 = on the first changed point)."""
    result = assess(points, Settings(reference_window=WINDOW), points[-1].at)
    changed_at = points[change_day].at
    for transition in result.transitions:
        if transition.tripped and transition.at >= changed_at:
            return (transition.at - changed_at).days + 1
    before = [t for t in result.transitions if t.at < changed_at]
    if before and before[-1].tripped:
        return ALREADY
    return None


def simulate() -> dict[str, float]:
    rng = random.Random(SEED)
    false_trips = 0
    for _ in range(SERIES):
        points = series(rng, WINDOW + STABLE_DAYS)
        result = assess(points, Settings(reference_window=WINDOW), points[-1].at)
        false_trips += sum(1 for t in result.transitions if t.tripped)
    out: dict[str, float] = {"false_per_3y": false_trips / SERIES}
    change = WINDOW + BEFORE
    for name, kwargs in (
        ("loss_50", {"loss_from": change, "loss": 0.50}),
        ("loss_35", {"loss_from": change, "loss": 0.35}),
        ("flip", {"flip_from": change}),
    ):
        delays = [delay(series(rng, change + AFTER, **kwargs), change) for _ in range(SERIES)]
        found = [d for d in delays if d is not None and d != ALREADY]
        out[f"{name}_median"] = statistics.median(found) if found else float("inf")
        out[f"{name}_p90"] = statistics.quantiles(found, n=10)[-1] if len(found) > 1 else 0
        out[f"{name}_missed"] = delays.count(None) / len(delays)
        out[f"{name}_already"] = delays.count(ALREADY) / len(delays)
    return out


def ingest_rate() -> tuple[float, float, float]:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from teams.models import Role
    from tests.factories import MembershipFactory, TeamFactory
    from tripwires import services

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    team = TeamFactory(slug="bench", name="Bench Team")
    lead = MembershipFactory(team=team, role=Role.LEAD, user__username="lead").user
    tripwire = services.tripwire_create(team=team, actor=lead, name="CTR", metric="ctr")
    _, secret = services.ingest_token_issue(tripwire=tripwire, actor=lead)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    path = f"/api/v1/teams/bench/tripwires/{tripwire.pk}/observations/"
    rng = random.Random(SEED)
    start = timezone.now() - timedelta(minutes=BATCHES * 1000 + 10)
    batch_seconds = []
    for b in range(BATCHES):
        body = {
            "observations": [
                {
                    "at": (start + timedelta(minutes=b * 1000 + i)).isoformat(),
                    "production": 4.0 + rng.gauss(0, 0.25),
                    "baseline": 3.0,
                    "key": f"{b}-{i}",
                }
                for i in range(1000)
            ]
        }
        began = time.perf_counter()
        response = client.post(path, body, content_type="application/json")
        batch_seconds.append(time.perf_counter() - began)
        assert response.status_code == 201, response.content
    trivial = []
    for _ in range(200):
        began = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        trivial.append(time.perf_counter() - began)
    batch = statistics.median(batch_seconds)
    return 1000 / batch, batch, statistics.median(trivial)


def main() -> None:
    began = time.perf_counter()
    sim = simulate()
    took = time.perf_counter() - began
    print(f"Tripwire simulation: {SERIES} series per scenario, default tolerance, {took:.0f} s")

    def goal(ok: bool) -> str:
        return "ok" if ok else "OVER GOAL"

    print(
        f"  false alarms on stable series: {sim['false_per_3y']:.2f} per 3 years of daily points"
        f" (goal <= 1: {goal(sim['false_per_3y'] <= 1)})"
    )
    for name, label, target in (
        ("loss_50", "gap loses 50 %", 5),
        ("loss_35", "gap loses 35 %", 10),
        ("flip", "sign flip", 2),
    ):
        median = sim[f"{name}_median"]
        print(
            f"  {label}: median delay {median:g} points, 90th percentile "
            f"{sim[f'{name}_p90']:g}; missed within {AFTER} points "
            f"{sim[f'{name}_missed']:.1%}, already tripped by an earlier false alarm "
            f"{sim[f'{name}_already']:.1%} (goal <= {target}: {goal(median <= target)})"
        )
    per_second, batch, trivial = ingest_rate()
    print(
        f"Ingest: {per_second:,.0f} observations/s in batches of 1,000 "
        f"(median {batch * 1000:.0f} ms a batch over {BATCHES} batches, history growing to "
        f"{BATCHES * 1000:,} points); trivial view {trivial * 1000:.2f} ms; one batch = "
        f"{batch / trivial:.0f}x a trivial request, {batch / trivial / 1000:.2f}x per point"
    )


if __name__ == "__main__":
    main()
