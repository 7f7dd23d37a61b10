from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import TeamPeople
from tripwires import services
from tripwires.models import Tripwire

# Forty days ago at 06:00: a month of daily points still lies in the past, and the fixture's
# tripwire expects a point a month (it goes stale only after two).
START = (datetime.now(UTC) - timedelta(days=40)).replace(hour=6, minute=0, second=0, microsecond=0)


def url(tripwire: Tripwire, suffix: str = "observations/") -> str:
    return f"/api/v1/teams/{tripwire.team.slug}/tripwires/{tripwire.pk}/{suffix}"


def points(
    n: int,
    *,
    start: datetime = START,
    gap: float = 1.0,
    baseline: float = 3.0,
    first: int = 0,
    prefix: str = "d",
    step: timedelta = timedelta(days=1),
) -> list[dict[str, Any]]:
    """`n` daily points with a constant gap (keys d0, d1, ... from `first`)."""
    return [
        {
            "at": (start + (first + i) * step).isoformat(),
            "production": baseline + gap,
            "baseline": baseline,
            "key": f"{prefix}{first + i}",
        }
        for i in range(n)
    ]


@pytest.fixture
def tripwire(people: TeamPeople) -> Tripwire:
    return services.tripwire_create(
        team=people.team,
        actor=people.lead,
        name="CTR",
        metric="click-through rate",
        unit="%",
        reference_window=7,
        expected_interval_hours=24 * 31,
    )


@pytest.fixture
def secret(tripwire: Tripwire, people: TeamPeople) -> str:
    return services.ingest_token_issue(tripwire=tripwire, actor=people.lead)[1]


@pytest.fixture
def pipeline(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def post(pipeline: APIClient, tripwire: Tripwire) -> Callable[..., Any]:
    def send(body: Any, *, target: Tripwire | None = None):
        return pipeline.post(url(target or tripwire), body, format="json")

    return send
