"""The next milestones on the wall screen: soft dates, never red, with how often the aim moved
and how far the checklist is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from milestones import selectors, services
from milestones.softdates import TIMES

from .conftest import today_of

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lead_client(client, people):
    client.force_login(people.lead)
    return client


def wall(client) -> str:
    return client.get("/t/ml/wall/content/", **HX).content.decode()


def test_no_open_milestone_no_panel(lead_client):
    assert "Next milestones" not in wall(lead_client)


def test_the_next_three_open_milestones_with_soft_dates_moves_and_progress(
    lead_client, people, practices
):
    today = today_of(people.team)

    def add(title, days, precision="day"):
        return services.milestone_create(
            team=people.team,
            actor=people.lead,
            title=title,
            target_date=today + timedelta(days=days),
            precision=precision,
        )

    moved = add("Leakage audit signed off", 5)
    for days, reason in ((12, "The logs arrived late."), (19, "Two more countries.")):
        services.milestone_update(
            milestone=moved,
            actor=people.lead,
            fields={"target_date": today + timedelta(days=days)},
            reason=reason,
        )
    add("Calibration in the nightly job", 8)
    add("Shadow baseline alarms", 30, precision="month")
    add("Far later", 200)
    services.check_set(
        milestone=moved, non_negotiable=practices[1], actor=people.member, evidence=""
    )

    body = wall(lead_client)
    assert "Next milestones" in body
    assert "Calibration in the nightly job" in body and "Shadow baseline alarms" in body
    assert "Far later" not in body  # the fourth waits its turn
    assert body.index("Calibration in the nightly job") < body.index("Leakage audit signed off")
    assert f"moved 2{TIMES}" in body and "✓ 1/2" in body and "✓ 0/2" in body
    assert "~ " in body and "overdue" not in body.lower()


def test_the_panel_costs_the_same_queries_for_one_milestone_or_many(
    people, practices, django_assert_max_num_queries
):
    today = today_of(people.team)
    for n in range(6):
        services.milestone_create(
            team=people.team,
            actor=people.lead,
            title=f"Milestone {n}",
            target_date=today + timedelta(days=n + 1),
        )
    with django_assert_max_num_queries(4):
        context = selectors.milestones_wall_panel(people.team, timezone.now())
    assert len(context["rows"]) == 3
