"""One active vision per team under real concurrency: many threads, each with its own
database connection, charter at once. Runs on file-backed SQLite and on PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
from rest_framework.test import APIClient

from milestones.models import Vision
from tests.concurrency import race

from .conftest import today_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_concurrent_charters_leave_exactly_one_active_vision(people):
    start = today_of(people.team).isoformat()
    results = race(
        12,
        lambda i: client_for(people.lead).post(
            "/api/v1/teams/ml/visions/",
            {"title": f"Vision {i}", "problem": "P", "starts_on": start},
            format="json",
        ),
    )
    bad = [r for r in results if not hasattr(r, "status_code")]
    assert not bad, bad
    counts = Counter(r.status_code for r in results)  # type: ignore[union-attr]
    assert counts == {201: 1, 409: 11}
    assert {r.json()["code"] for r in results if r.status_code == 409} == {  # type: ignore[union-attr]
        "active_vision_exists"
    }
    assert Vision.objects.filter(team=people.team, status="active").count() == 1


def test_concurrent_review_submissions_record_one_review(people, vision, criteria):
    """Leads press "Record the review" at once: one review, one next target, and the others
    are told that the next review opens later; no half-written second review."""
    from milestones.models import CriterionValue, QuarterlyReview, Target

    body = {
        "held_on": today_of(people.team).isoformat(),
        "outcome": "met",
        "evidence": "e",
        "still_right_problem": True,
        "criteria": [{"id": criteria[0].pk, "current_value": 0.5}],
        "next_target": {"text": "Two"},
    }
    url = f"/api/v1/teams/ml/visions/{vision.pk}/reviews/"
    results = race(6, lambda i: client_for(people.lead).post(url, body, format="json"))
    bad = [r for r in results if not hasattr(r, "status_code")]
    assert not bad, bad
    counts = Counter(r.status_code for r in results)  # type: ignore[union-attr]
    assert counts == {201: 1, 400: 5}, counts
    refused = [r.json()["period"][0] for r in results if r.status_code == 400]  # type: ignore[union-attr]
    assert all(
        m.startswith("No period is ending yet: the review of period 2 opens on") for m in refused
    )
    assert QuarterlyReview.objects.count() == 1
    assert Target.objects.filter(vision=vision, period=2).count() == 1
    assert CriterionValue.objects.filter(criterion=criteria[0], new_value=0.5).count() == 1
