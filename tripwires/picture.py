"""The gap over time as an SVG picture's coordinates (server-rendered, no JavaScript): the gap
line, the reference band (the reference gap ± the noise), the tolerance line and the change
point. Pure: it takes numbers and returns numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT, PAD = 600, 160, 8


@dataclass(frozen=True)
class GapPicture:
    width: int
    height: int
    line: str  # SVG polyline points
    dots: list[tuple[float, float]]  # the points themselves (few enough to draw each)
    band_top: float | None
    band_height: float | None
    reference_y: float | None
    tolerance_y: float | None
    zero_y: float | None
    change_x: float | None
    empty: bool


def gap_picture(
    gaps: Sequence[tuple[datetime, float]],
    *,
    start: datetime,
    end: datetime,
    reference: float | None,
    noise: float | None,
    tolerance_gap: float | None,
    change_point: datetime | None,
) -> GapPicture:
    values = [g for _, g in gaps]
    # The zero line (production = baseline) only when the gap came near it: otherwise it
    # would squash the part of the picture that matters.
    marks = [v for v in (reference, tolerance_gap) if v is not None]
    if values and min(values) <= (tolerance_gap or 0) / 2:
        marks.append(0.0)
    if reference is not None and noise is not None:
        marks += [reference + noise, reference - noise]
    everything = values + marks
    if not values:
        return GapPicture(WIDTH, HEIGHT, "", [], None, None, None, None, None, None, True)
    low, high = min(everything), max(everything)
    if high == low:
        low, high = low - 1, high + 1
    span = (end - start).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        share = (moment - start).total_seconds() / span
        return round(PAD + max(0.0, min(1.0, share)) * (WIDTH - 2 * PAD), 1)

    def y(value: float) -> float:
        return round(PAD + (high - value) / (high - low) * (HEIGHT - 2 * PAD), 1)

    coordinates = [(x(at), y(g)) for at, g in gaps]
    band_top = band_height = None
    if reference is not None and noise is not None:
        band_top = y(reference + noise)
        band_height = round(y(reference - noise) - band_top, 1)
    return GapPicture(
        WIDTH,
        HEIGHT,
        " ".join(f"{a},{b}" for a, b in coordinates),
        coordinates if len(coordinates) <= 200 else [],
        band_top,
        band_height,
        y(reference) if reference is not None else None,
        y(tolerance_gap) if tolerance_gap is not None else None,
        y(0.0) if low <= 0 <= high else None,
        x(change_point) if change_point is not None and change_point >= start else None,
        False,
    )
