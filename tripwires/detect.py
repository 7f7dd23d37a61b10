"""Tripwire detection: is production still ahead of its baseline by as much as it used to be?

Pure Python, no Django: the app, the property tests and the simulation in bench/ all call
`assess()`. The gap is `production - baseline` (sign flipped when lower is better), so a
healthy gap is positive and the question is always "has it shrunk?".

Rules (the README repeats them with the thresholds):

* reference gap: pinned by a lead, or learned as the median gap of the first `reference_window`
  observations (until then the tripwire is `learning`);
* noise: 1.4826 x the median absolute deviation of the reference window's gaps (a robust
  standard deviation: the 1 % outliers pipelines produce do not inflate it), never below
  NOISE_FLOOR of the reference gap so a perfectly constant series cannot divide by zero;
* shrinking gap: a one-sided CUSUM of the standardised shortfall. Each point adds
  `(reference - gap) / noise - k` (at most CLIP noise units, so one outlier cannot trip the
  wire alone), floored at 0, and the wire trips when the sum passes THRESHOLD. The allowance
  `k` puts the line where the sum starts to climb a little above the tolerance line (the
  smallest loss worth an alarm) and never closer to the reference than MIN_ALLOWANCE noise
  units: losses well inside the tolerance never accumulate. The change point is the first
  point after the sum last stood at zero;
* sign flip: production no better than the baseline on SIGN_FLIP_POINTS consecutive points
  trips at once (one point alone is as likely an outlier);
* recovery: after a trip, a mirrored CUSUM of the gap's return to the reference clears it;
* stale: no observation for STALE_FACTOR x the expected interval.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

DEFAULT_TOLERANCE = 0.30
DEFAULT_REFERENCE_WINDOW = 28  # four weeks of daily points: every weekday four times
MIN_REFERENCE_WINDOW = 7
DEFAULT_EXPECTED_INTERVAL = timedelta(hours=24)
STALE_FACTOR = 2
MAD_TO_SD = 1.4826  # the MAD of a normal sample times this estimates its standard deviation
NOISE_FLOOR = 0.02  # of the reference gap
CLIP = 3.0  # noise units one point may add to a CUSUM at most
MIN_ALLOWANCE = 0.5  # noise units
ALLOWANCE_MARGIN = 0.5  # noise units above the tolerance line where the sum starts to climb
THRESHOLD = 5.5  # noise units of accumulated shortfall
SIGN_FLIP_POINTS = 2
RECENT_POINTS = 7  # the "current gap" is the median of this many latest points


class Status(enum.StrEnum):
    LEARNING = "learning"
    OK = "ok"
    TRIPPED = "tripped"
    STALE = "stale"
    MUTED = "muted"


class Cause(enum.StrEnum):
    SHRINKING_GAP = "shrinking_gap"
    SIGN_FLIP = "sign_flip"


@dataclass(frozen=True)
class Point:
    at: datetime
    production: float
    baseline: float


@dataclass(frozen=True)
class Settings:
    higher_is_better: bool = True
    tolerance: float = DEFAULT_TOLERANCE
    reference_gap: float | None = None  # pinned; None = learned
    reference_window: int = DEFAULT_REFERENCE_WINDOW
    expected_interval: timedelta = DEFAULT_EXPECTED_INTERVAL


@dataclass(frozen=True)
class Transition:
    at: datetime
    tripped: bool  # False = recovered
    cause: Cause | None


@dataclass(frozen=True)
class Assessment:
    status: Status  # learning | ok | tripped | stale (muting is the caller's business)
    cause: Cause | None = None
    reference_gap: float | None = None
    noise: float | None = None
    tolerance_gap: float | None = None  # the gap below which the loss is worth an alarm
    current_gap: float | None = None
    change_point: datetime | None = None
    last_observation_at: datetime | None = None
    points: int = 0
    transitions: list[Transition] = field(default_factory=list)

    @property
    def alarming(self) -> bool:
        return self.status in (Status.TRIPPED, Status.STALE)


def gap(point: Point, *, higher_is_better: bool) -> float:
    difference = point.production - point.baseline
    return difference if higher_is_better else -difference


def robust_noise(gaps: Sequence[float], reference_gap: float) -> float:
    centre = median(gaps)
    mad = median(abs(g - centre) for g in gaps)
    return max(MAD_TO_SD * mad, NOISE_FLOOR * abs(reference_gap), 1e-300)


def allowance(reference_gap: float, noise: float, tolerance: float) -> float:
    """CUSUM allowance k in noise units (see the module docstring)."""
    return max(MIN_ALLOWANCE, tolerance * reference_gap / noise - ALLOWANCE_MARGIN)


def is_stale(last_at: datetime | None, now: datetime, expected_interval: timedelta) -> bool:
    return last_at is not None and now - last_at > STALE_FACTOR * expected_interval


def assess(points: Sequence[Point], settings: Settings, now: datetime) -> Assessment:
    """Run the rules over every point in time order and say where the tripwire stands now."""
    ordered = sorted(points, key=lambda p: p.at)
    if not ordered:
        return Assessment(Status.LEARNING)
    gaps = [gap(p, higher_is_better=settings.higher_is_better) for p in ordered]
    last_at = ordered[-1].at
    window = gaps[: settings.reference_window]
    learned = settings.reference_gap is None
    reference = median(window) if learned else float(settings.reference_gap or 0.0)
    enough = len(gaps) >= settings.reference_window

    tripped_by: Cause | None = None
    change_index: int | None = None
    transitions: list[Transition] = []
    noise: float | None = None
    if enough and reference > 0:
        noise = robust_noise(window, reference)
        k = allowance(reference, noise, settings.tolerance)
    loss = 0.0
    back = 0.0
    run_start = 0  # the first point after the loss sum last stood at zero
    flips = 0
    for i, g in enumerate(gaps):
        flips = flips + 1 if g <= 0 else 0
        if noise is not None:
            z = (g - reference) / noise
            if tripped_by is None:
                loss = max(0.0, loss + min(CLIP, -z - k))
                if loss == 0.0:
                    run_start = i + 1
            else:
                back = max(0.0, back + min(CLIP, z + k))
        if tripped_by is None:
            if flips >= SIGN_FLIP_POINTS:
                tripped_by, change_index = Cause.SIGN_FLIP, i - SIGN_FLIP_POINTS + 1
            elif noise is not None and loss > THRESHOLD:
                tripped_by, change_index = Cause.SHRINKING_GAP, min(run_start, i)
            if tripped_by is not None:
                transitions.append(Transition(ordered[i].at, True, tripped_by))
                back = 0.0
        elif g > 0 and (noise is None or back > THRESHOLD):
            # Recovered: the gap is positive again and (when there is a reference to return
            # to) has climbed back towards it for long enough.
            transitions.append(Transition(ordered[i].at, False, None))
            tripped_by, change_index, loss, back, run_start = None, None, 0.0, 0.0, i + 1

    if tripped_by is not None and change_index is not None:
        since = gaps[change_index:]
        current = median(since[-RECENT_POINTS:])
    else:
        current = median(gaps[-RECENT_POINTS:])
    if tripped_by is not None:
        status = Status.TRIPPED
    elif is_stale(last_at, now, settings.expected_interval):
        status = Status.STALE
    elif learned and not enough:
        status = Status.LEARNING
    elif reference <= 0:
        # Production was never ahead of its baseline over the reference window.
        status, tripped_by = Status.TRIPPED, Cause.SIGN_FLIP
        change_index = 0
    else:
        status = Status.OK
    return Assessment(
        status=status,
        cause=tripped_by,
        reference_gap=reference if (enough or not learned) else None,
        noise=noise,
        tolerance_gap=reference * (1 - settings.tolerance) if (enough or not learned) else None,
        current_gap=current,
        change_point=ordered[change_index].at if change_index is not None else None,
        last_observation_at=last_at,
        points=len(ordered),
        transitions=transitions,
    )
