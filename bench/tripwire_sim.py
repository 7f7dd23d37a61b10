"""Synthetic daily series for the tripwire simulation (bench/bench_tripwires.py)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from tripwires.detect import Point

START = datetime(2024, 1, 1, 6, tzinfo=UTC)
BASELINE = 0.030  # a CTR of 3 %
REFERENCE_GAP = 0.010  # production 1 point ahead of it
NOISE_SD = REFERENCE_GAP / 4  # day-to-day noise: a quarter of the reference gap
WEEKLY_AMPLITUDE = 0.10  # weekends move both arms by up to 10 %
OUTLIER_RATE = 0.01
OUTLIER_SIZE = 5 * NOISE_SD


def series(
    rng: random.Random,
    days: int,
    *,
    loss_from: int | None = None,
    loss: float = 0.0,
    flip_from: int | None = None,
) -> list[Point]:
    """`days` daily points; from day `loss_from` the gap has lost `loss` of itself; from day
    `flip_from` production falls below the baseline."""
    points = []
    for day in range(days):
        weekly = 1 + WEEKLY_AMPLITUDE * math.sin(2 * math.pi * day / 7)
        gap = REFERENCE_GAP
        if loss_from is not None and day >= loss_from:
            gap *= 1 - loss
        if flip_from is not None and day >= flip_from:
            gap = -REFERENCE_GAP / 2
        baseline = BASELINE * weekly
        production = baseline + gap * weekly + rng.gauss(0, NOISE_SD)
        if rng.random() < OUTLIER_RATE:
            production += rng.choice((-1, 1)) * OUTLIER_SIZE
        points.append(Point(START + timedelta(days=day), production, baseline))
    return points
