"""The cap under real concurrency: many threads, each with its own database connection,
hit the API at once. Runs on the file-backed SQLite test database and on PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
from rest_framework.test import APIClient

from focusboard import services
from focusboard.models import FocusEvent, FocusItem, FocusStatus
from teams.models import Team
from tests.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 20


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def statuses(results: list[object]) -> Counter[int]:
    bad = [r for r in results if not hasattr(r, "status_code")]
    assert not bad, bad
    return Counter(r.status_code for r in results)  # type: ignore[union-attr]


def test_twenty_concurrent_adds_end_with_exactly_the_cap(people):
    results = race(
        THREADS,
        lambda i: client_for(people.member).post(
            "/api/v1/teams/ml/focus-items/", {"title": f"Topic {i}"}, format="json"
        ),
    )
    assert statuses(results) == {201: 3, 409: THREADS - 3}
    for response in results:
        if response.status_code == 409:  # type: ignore[union-attr]
            assert response.json()["code"] == "focus_cap_reached"  # type: ignore[union-attr]
    assert FocusItem.objects.filter(team=people.team, status="active").count() == 3
    assert FocusEvent.objects.filter(team=people.team).count() == 3


def test_concurrent_activations_of_parked_items_respect_the_cap(people):
    team = people.team
    services.focus_item_add(team=team, actor=people.lead, title="Already on")
    parked = [
        services.focus_item_add(team=team, actor=people.lead, title=f"P{i}", status="parked")
        for i in range(THREADS)
    ]
    results = race(
        THREADS,
        lambda i: client_for(people.member).post(
            f"/api/v1/teams/ml/focus-items/{parked[i].pk}/activate/"
        ),
    )
    assert statuses(results) == {200: 2, 409: THREADS - 2}
    assert FocusItem.objects.filter(team=team, status="active").count() == 3


def test_concurrent_swaps_never_leave_the_board_over_or_under(people):
    team = people.team
    active = [
        services.focus_item_add(team=team, actor=people.lead, title=f"A{i}") for i in range(3)
    ]
    parked = [
        services.focus_item_add(team=team, actor=people.lead, title=f"P{i}", status="parked")
        for i in range(THREADS)
    ]
    # Everyone tries to swap their parked item for the same active one: one wins.
    results = race(
        THREADS,
        lambda i: client_for(people.member).post(
            f"/api/v1/teams/ml/focus-items/{parked[i].pk}/swap/",
            {"replace": active[0].pk},
            format="json",
        ),
    )
    counts = statuses(results)
    assert counts[200] == 1 and counts[409] == THREADS - 1, counts
    assert FocusItem.objects.filter(team=team, status="active").count() == 3
    assert FocusItem.objects.get(pk=active[0].pk).status == "parked"


def test_concurrent_adds_and_a_cap_decrease(people):
    """Lowering the cap races with adds: whatever the order, the active count never ends
    above the final cap, and every refusal is a 409."""
    team = people.team
    services.focus_item_add(team=team, actor=people.lead, title="First")

    def request(i: int):
        if i == 0:
            return client_for(people.lead).patch(
                "/api/v1/teams/ml/", {"focus_cap": 1}, format="json"
            )
        return client_for(people.member).post(
            "/api/v1/teams/ml/focus-items/", {"title": f"T{i}"}, format="json"
        )

    results = race(10, request)
    counts = statuses(results)
    assert set(counts) <= {200, 201, 409}
    cap = Team.objects.get(pk=team.pk).focus_cap
    active = FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).count()
    assert active <= cap
    # Either the cap went down first (then every add was refused) or the adds filled the
    # board first (then the decrease was refused with cap_below_active).
    assert (cap, active) in {(1, 1), (3, 3)}


def test_undos_racing_for_the_last_slot_and_the_same_undo_twice(people):
    """Ten dropped topics are undone at once onto a board with one free slot: one gets it,
    the others are refused with the cap; the same undo sent ten times takes effect once."""
    team = people.team
    on_board = [
        services.focus_item_add(team=team, actor=people.lead, title=f"On {i}") for i in (1, 2)
    ]
    dropped = []
    for i in range(10):
        item = services.focus_item_add(team=team, actor=people.lead, title=f"D{i}", status="parked")
        services.focus_item_activate(item=item, actor=people.lead)
        dropped.append(services.focus_item_drop(item=item, actor=people.lead))
    assert len(on_board) == 2
    results = race(
        10,
        lambda i: client_for(people.member).post(
            f"/api/v1/teams/ml/focus-items/{dropped[i].pk}/undo/", format="json"
        ),
    )
    assert statuses(results) == {200: 1, 409: 9}
    assert FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).count() == 3

    parked = services.focus_item_add(team=team, actor=people.lead, title="Idea", status="parked")
    services.focus_item_drop(item=parked, actor=people.lead)
    results = race(
        10,
        lambda i: client_for(people.member).post(
            f"/api/v1/teams/ml/focus-items/{parked.pk}/undo/", format="json"
        ),
    )
    assert statuses(results) == {200: 1, 409: 9}
    assert FocusEvent.objects.filter(item=parked, kind="undone").count() == 1
