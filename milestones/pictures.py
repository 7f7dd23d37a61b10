"""The server-rendered pictures of the vision page: the roadmap (the vision's months, its
three periods, today, the review dates and the milestones at their soft dates) and each
criterion's sparkline. Coordinates are computed here; the templates only draw them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import periods

ROADMAP_WIDTH = 960
ROADMAP_LEFT = 16
ROADMAP_RIGHT = 16
BAND_Y, BAND_HEIGHT = 34, 46
AXIS_Y = BAND_Y + BAND_HEIGHT


@dataclass(frozen=True)
class RoadmapMarker:
    """Something placed on the roadmap at a date: a milestone at its soft date."""

    title: str
    on: date
    label: str  # how the date reads, e.g. "~ mid-March"


@dataclass(frozen=True)
class Band:
    number: int
    x: float
    width: float
    label: str
    center: float
    is_current: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Review:
    number: int
    x: float
    due_on: date
    held: bool


@dataclass(frozen=True)
class PlacedMarker:
    x: float
    title: str
    label: str


@dataclass(frozen=True)
class Roadmap:
    width: int
    height: int
    bands: list[Band]
    ticks: list[Tick]
    reviews: list[Review]
    milestones: list[PlacedMarker]
    today_x: float | None
    today: date


def roadmap(
    starts_on: date,
    ends_on: date,
    *,
    today: date,
    reviewed: set[int],
    milestones: Sequence[RoadmapMarker] = (),
) -> Roadmap:
    span = max(1, (ends_on - starts_on).days)
    inner = ROADMAP_WIDTH - ROADMAP_LEFT - ROADMAP_RIGHT

    def x(day: date) -> float:
        offset = min(max((day - starts_on).days, 0), span)
        return round(ROADMAP_LEFT + inner * offset / span, 1)

    current = periods.period_of(starts_on, ends_on, today)
    bands = []
    for period in periods.periods(starts_on, ends_on):
        left, right = x(period.starts_on), x(period.ends_on)
        bands.append(
            Band(
                period.number,
                left,
                round(right - left, 1),
                f"Period {period.number}",
                round((left + right) / 2, 1),
                current is not None and current.number == period.number,
            )
        )
    # A tick on the first of every month the vision spans; January carries its year.
    ticks = []
    day = starts_on.replace(day=1)
    while day <= ends_on:
        if day >= starts_on:
            ticks.append(Tick(x(day), day.strftime("%b %Y" if day.month == 1 else "%b")))
        day = periods.add_months(day, 1)
    reviews = [
        Review(p.number, x(p.ends_on), p.ends_on, p.number in reviewed)
        for p in periods.periods(starts_on, ends_on)
    ]
    placed = [
        PlacedMarker(x(m.on), m.title, m.label) for m in milestones if starts_on <= m.on <= ends_on
    ]
    return Roadmap(
        width=ROADMAP_WIDTH,
        height=AXIS_Y + 40 + (24 if placed else 0),
        bands=bands,
        ticks=ticks,
        reviews=reviews,
        milestones=placed,
        today_x=x(today) if starts_on <= today <= ends_on else None,
        today=today,
    )


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 3


@dataclass(frozen=True)
class Sparkline:
    points: str  # an SVG polyline's points
    target_y: float
    last_x: float
    last_y: float
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(values: Sequence[float], target: float) -> Sparkline | None:
    """A criterion's measured values over time (oldest first) with its target as a line;
    None until there are two values to draw a line between."""
    if len(values) < 2:
        return None
    low, high = min(*values, target), max(*values, target)
    spread = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)

    def y(value: float) -> float:
        return round(
            SPARK_HEIGHT - SPARK_PAD - (value - low) / spread * (SPARK_HEIGHT - 2 * SPARK_PAD), 1
        )

    coords = [(round(SPARK_PAD + i * step, 1), y(v)) for i, v in enumerate(values)]
    return Sparkline(
        points=" ".join(f"{cx},{cy}" for cx, cy in coords),
        target_y=y(target),
        last_x=coords[-1][0],
        last_y=coords[-1][1],
    )
