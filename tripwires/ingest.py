"""Reading a pipeline's post: one observation or `{"observations": [...]}`, validated whole
before anything is stored, with a 400 sentence that names the point and the reason."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .services import MAX_BATCH, NewPoint

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# Clocks drift and time zones confuse; a point a day ahead is odd but real, later is absurd.
FUTURE_SLACK = timedelta(days=1)
MAX_KEY_LENGTH = 100
FIELDS = {"at", "production", "baseline", "key"}


class BatchError(ValueError):
    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


def parse(body: Any, *, now: datetime | None = None) -> tuple[list[NewPoint], str]:
    """The batch's points and its digest (the same batch sent again has the same digest)."""
    now = now or timezone.now()
    single = isinstance(body, dict) and "observations" not in body
    if single:
        raw: Any = [body]
    elif isinstance(body, dict):
        raw = body["observations"]
        if not isinstance(raw, list):
            raise BatchError('"observations" must be a list of points.')
    else:
        raise BatchError(
            'Send one point {"at", "production", "baseline", "key"} or {"observations": [...]}.'
        )
    if not raw:
        raise BatchError("The batch holds no observations.")
    if len(raw) > MAX_BATCH:
        raise BatchError(
            f"A batch holds at most {MAX_BATCH} observations; this one has {len(raw)}."
        )
    points: list[NewPoint] = []
    keys: dict[str, int] = {}
    for index, item in enumerate(raw):
        point = _point(item, index, now, single=single)
        if point.key in keys:
            raise BatchError(
                f"Points {keys[point.key]} and {index} share the key {point.key!r}; "
                "each observation needs its own.",
                index,
            )
        keys[point.key] = index
        points.append(point)
    canonical = [[p.key, p.at.isoformat(), repr(p.production), repr(p.baseline)] for p in points]
    digest = hashlib.sha256(json.dumps(canonical).encode()).hexdigest()
    return points, digest


def _point(item: Any, index: int, now: datetime, *, single: bool) -> NewPoint:
    where = "The observation" if single else f"Point {index}"

    def fail(reason: str) -> BatchError:
        return BatchError(f"{where}: {reason}", None if single else index)

    if not isinstance(item, dict):
        raise fail('each observation is an object {"at", "production", "baseline", "key"}.')
    unknown = set(item) - FIELDS
    if unknown:
        raise fail(f"unknown field(s) {', '.join(sorted(unknown))}.")
    for name in ("at", "production", "baseline"):
        if name not in item:
            raise fail(f"{name} is missing.")
    at_raw = item["at"]
    at = parse_datetime(at_raw) if isinstance(at_raw, str) else None
    if at is None:
        raise fail("at must be an ISO 8601 time with an offset, e.g. 2025-10-14T06:00:00+00:00.")
    if timezone.is_naive(at):
        raise fail("at has no UTC offset; add one, e.g. 2025-10-14T06:00:00+00:00.")
    if at < EARLIEST or at > now + FUTURE_SLACK:
        raise fail(f"at {at_raw} is not a plausible time (from 2000 until tomorrow).")
    values = []
    for name in ("production", "baseline"):
        value = item[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"{name} must be a number, not {type(value).__name__}.")
        if not math.isfinite(value):
            raise fail(f"{name} must be a finite number (not NaN or infinity).")
        values.append(float(value))
    key = item.get("key")
    if key is None:
        # Without a key, the moment is the key: posting the same moment twice is a retry.
        key = "at:" + at.astimezone(UTC).isoformat()
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise fail(f"key must be a non-empty string of at most {MAX_KEY_LENGTH} characters.")
    return NewPoint(at=at, production=values[0], baseline=values[1], key=key)
