"""The demo team's tripwires, fed through the real ingest service: a CTR tripwire with 120
days of history whose gap collapsed ten days ago (tripped 9 days ago), a healthy one, and one
whose pipeline stopped reporting; and two neutral tests, one of them not neutral. Running it
twice adds nothing."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractUser, User
from django.utils import timezone

from teams.models import Team

from . import neutral, services
from .models import NeutralTest, Tripwire

HISTORY_DAYS = 120


def _daily(
    *,
    rng: random.Random,
    start: datetime,
    days: int,
    baseline: float,
    gap: float,
    noise: float,
    broken_from: int | None = None,
    broken_gap: float = 0.0,
    sign: int = 1,
) -> list[services.NewPoint]:
    points = []
    for day in range(days):
        weekly = 1 + 0.06 * math.sin(2 * math.pi * day / 7)
        current = broken_gap if broken_from is not None and day >= broken_from else gap
        base = baseline * weekly + rng.gauss(0, noise / 3)
        production = base + sign * (current + rng.gauss(0, noise))
        at = start + timedelta(days=day)
        points.append(
            services.NewPoint(
                at=at,
                production=round(production, 3),
                baseline=round(base, 3),
                key=at.date().isoformat(),
            )
        )
    return points


def _feed(tripwire: Tripwire, points: list[services.NewPoint]) -> None:
    """One post a day, as the pipeline would have made them, so the log's trip and recovery
    carry the day they happened."""
    for point in points:
        services.observations_ingest(
            tripwire_id=tripwire.pk,
            points=[point],
            digest=f"demo-{point.key}",
            now=point.at + timedelta(hours=1),
            notify=False,  # history replayed: nobody is emailed about it
        )


def seed(*, team: Team, people: Mapping[str, AbstractUser], stdout: Any) -> None:
    lead = people["lena"]
    assert isinstance(lead, User)
    now = timezone.now()
    today = now.replace(hour=6, minute=0, second=0, microsecond=0)
    if today > now:
        today -= timedelta(days=1)
    start = today - timedelta(days=HISTORY_DAYS - 1)
    rng = random.Random(11)

    if not Tripwire.objects.filter(team=team, name="CTR").exists():
        ctr = services.tripwire_create(
            team=team,
            actor=lead,
            name="CTR",
            metric="click-through rate of the home feed",
            unit="%",
        )
        services.ingest_token_issue(tripwire=ctr, actor=lead, label="airflow: ctr_daily")
        points = _daily(
            rng=rng,
            start=start,
            days=HISTORY_DAYS,
            baseline=5.2,
            gap=4.1,
            noise=0.35,
            broken_from=HISTORY_DAYS - 11,
            broken_gap=1.2,
        )
        _feed(ctr, points)
        stdout.write(f"  CTR tripwire: {Tripwire.objects.get(pk=ctr.pk).status}")

    if not Tripwire.objects.filter(team=team, name="NDCG@10").exists():
        ndcg = services.tripwire_create(
            team=team,
            actor=lead,
            name="NDCG@10",
            metric="offline NDCG@10 on yesterday's sessions",
            baseline_label="BM25 baseline",
        )
        _feed(
            ndcg,
            _daily(rng=rng, start=start, days=HISTORY_DAYS, baseline=0.31, gap=0.09, noise=0.01),
        )

    if not Tripwire.objects.filter(team=team, name="Latency p95").exists():
        latency = services.tripwire_create(
            team=team,
            actor=lead,
            name="Latency p95",
            metric="p95 ranking latency",
            unit="ms",
            higher_is_better=False,
            baseline_label="cached baseline",
        )
        # The export job died four days ago.
        points = _daily(
            rng=rng, start=start, days=HISTORY_DAYS - 4, baseline=120, gap=35, noise=4, sign=-1
        )
        _feed(latency, points)
        services.tripwires_check_stale(team=team, now=now, notify=False)

    if not NeutralTest.objects.filter(team=team).exists():
        services.neutral_test_record(
            team=team,
            actor=lead,
            name="A/A before the ranker v8 test",
            neutralised="both arms served ranker v7",
            a=neutral.Proportion(4118, 100_000),
            b=neutral.Proportion(4161, 100_000),
        )
        services.neutral_test_record(
            team=team,
            actor=people["sam"] if isinstance(people["sam"], User) else lead,
            name="A/A on session length",
            neutralised="both arms served ranker v7, new bucketing service",
            a=neutral.Mean(312.0, 240.0, 20_000),
            b=neutral.Mean(318.5, 244.0, 20_000),
        )
