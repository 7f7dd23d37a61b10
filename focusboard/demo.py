"""Demo board: a few months of a ranking team's focus, replayed through the real services
at the times they happened, so the history page has a story to show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.contrib.auth.models import User
from django.utils import timezone

from teams.models import Team

from . import services
from .models import FocusItem, FocusStatus

# (days ago, action, title, owner, why)
STORY: list[tuple[int, str, str, str, str]] = [
    (
        150,
        "add",
        "Baseline: logistic regression on clicks",
        "lena",
        "Start simple; every later model must beat it.",
    ),
    (
        148,
        "add",
        "Offline evaluation harness",
        "priya",
        "We cannot improve what we cannot measure reproducibly.",
    ),
    (
        121,
        "finish",
        "Baseline: logistic regression on clicks",
        "",
        "It stays as the floor: every model is compared with it first.",
    ),
    (
        120,
        "add",
        "Feature store access for ranking data",
        "sam",
        "Keep the data close to the models: log the features ourselves.",
    ),
    (101, "park", "Feature store access for ranking data", "", ""),
    (100, "add-parked", "Multi-GPU training", "tom", "Maybe later: not the bottleneck yet."),
    (
        92,
        "finish",
        "Offline evaluation harness",
        "",
        "Pin the eval data snapshot, or results drift from run to run.",
    ),
    (
        91,
        "add",
        "Stop label leakage between train and test",
        "priya",
        "Offline gains that vanish online smell of leakage.",
    ),
    (
        70,
        "add",
        "Neutral A/A test before every launch",
        "tom",
        "A test that should change nothing finds the pipeline's bugs.",
    ),
    (62, "activate", "Feature store access for ranking data", "", ""),
    (45, "drop", "Multi-GPU training", "", "Data loading, not compute, was the bottleneck."),
    (
        40,
        "finish",
        "Neutral A/A test before every launch",
        "",
        "It caught a logger that counted clicks twice.",
    ),
    (
        31,
        "add",
        "Calibrate the click model per country",
        "sam",
        "Smallest largest dataset: one country first, then the world.",
    ),
    (28, "park", "Feature store access for ranking data", "", ""),
    (
        20,
        "add-parked",
        "Try a transformer ranker",
        "priya",
        "Only after the plain model is squeezed dry.",
    ),
    (
        12,
        "add",
        "Tripwire: baseline vs production, every day",
        "tom",
        "Functional monitoring: the gap to the baseline must not shrink.",
    ),
]


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    with mock.patch("focusboard.services.timezone.now", return_value=at):
        yield


def seed(*, team: Team, people: dict[str, User], stdout: Any) -> None:
    if FocusItem.objects.filter(team=team).exists():
        stdout.write("  focus board already seeded")
        return
    lead = people["lena"]
    now = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0)
    items: dict[str, FocusItem] = {}
    for days_ago, action, title, owner, why in STORY:
        with _clock(now - timedelta(days=days_ago)):
            if action in ("add", "add-parked"):
                items[title] = services.focus_item_add(
                    team=team,
                    actor=lead,
                    title=title,
                    why=why,
                    owner=people[owner],
                    status=FocusStatus.PARKED if action == "add-parked" else FocusStatus.ACTIVE,
                )
            else:
                service = {
                    "finish": services.focus_item_finish,
                    "park": services.focus_item_park,
                    "activate": services.focus_item_activate,
                    "drop": services.focus_item_drop,
                }[action]
                # For finish and drop, the last field is what the team learned.
                extra = {"outcome": why} if action in ("finish", "drop") else {}
                items[title] = service(item=items[title], actor=lead, **extra)
    active = FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).count()
    stdout.write(f"  focus board: {len(items)} items, {active} active")
