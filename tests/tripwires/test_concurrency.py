"""Concurrent batches from retrying pipelines: nothing is stored twice, every answer to the
same batch is the same. Real threads, each with its own connection, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from tests.concurrency import race
from tripwires.models import EventKind, IngestBatch, Observation

from .conftest import points, url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 8
HALF_DAY = timedelta(hours=12)


def sender(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def answers(results: list[object]) -> list[tuple[int, dict]]:
    bad = [r for r in results if not hasattr(r, "status_code")]
    assert not bad, bad
    return [(r.status_code, r.json()) for r in results]  # type: ignore[union-attr]


def test_the_same_batch_sent_at_once_is_stored_once(tripwire, secret):
    body = {"observations": points(50, step=HALF_DAY)}
    results = answers(
        race(THREADS, lambda i: sender(secret).post(url(tripwire), body, format="json"))
    )
    assert {status for status, _ in results} == {201}
    assert all(answer == results[0][1] for _, answer in results)
    assert results[0][1]["stored"] == 50
    assert Observation.objects.filter(tripwire=tripwire).count() == 50
    assert IngestBatch.objects.count() == 1


def test_overlapping_batches_at_once_store_each_point_once(tripwire, secret):
    # Thread i sends points i*5 .. i*5+19: neighbours share 15 keys.
    results = answers(
        race(
            THREADS,
            lambda i: sender(secret).post(
                url(tripwire),
                {"observations": points(20, first=i * 5, step=HALF_DAY)},
                format="json",
            ),
        )
    )
    assert {status for status, _ in results} == {201}
    expected = (THREADS - 1) * 5 + 20
    assert sum(answer["stored"] for _, answer in results) == expected
    assert Observation.objects.filter(tripwire=tripwire).count() == expected


def test_concurrent_tripping_batches_log_one_trip(tripwire, secret):
    sender(secret).post(url(tripwire), {"observations": points(7)}, format="json")
    low = {"observations": points(6, first=7, gap=0.2, prefix="low")}
    results = answers(
        race(THREADS, lambda i: sender(secret).post(url(tripwire), low, format="json"))
    )
    assert {answer["status"] for _, answer in results} == {"tripped"}
    assert tripwire.events.filter(kind=EventKind.TRIPPED).count() == 1
