from __future__ import annotations

import pytest

from focusboard import services
from focusboard.models import FocusItem, FocusStatus


@pytest.fixture
def add(people):
    """Add an item to the `ml` team's board through the service, as its lead."""

    def add(title: str, status: str = FocusStatus.ACTIVE, **kwargs) -> FocusItem:
        return services.focus_item_add(
            team=people.team, actor=people.lead, title=title, status=status, **kwargs
        )

    return add


@pytest.fixture
def full_board(people, add):
    """Three active items (the cap) and two parked ones."""
    active = [add(f"Active {n}", owner=people.member) for n in range(3)]
    parked = [add(f"Parked {n}", status=FocusStatus.PARKED) for n in range(2)]
    return active, parked
