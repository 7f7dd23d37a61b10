from __future__ import annotations

from datetime import date, timedelta

import pytest

from milestones import selectors, services
from milestones.models import DoneCriterion, Milestone, NonNegotiable, Vision
from milestones.periods import add_months


def today_of(team) -> date:
    return selectors.team_today(team)


@pytest.fixture
def charter(people):
    """Charter a vision for the `ml` team that started `started_days_ago` days ago."""

    def charter(started_days_ago: int = 100, **fields) -> Vision:
        starts_on = today_of(people.team) - timedelta(days=started_days_ago)
        return services.vision_create(
            team=people.team,
            actor=people.lead,
            title=fields.pop("title", "Ranking that users trust"),
            problem=fields.pop("problem", "Search results ignore what users click."),
            starts_on=starts_on,
            **fields,
        )

    return charter


@pytest.fixture
def vision(people, charter) -> Vision:
    """A vision whose first period ended a week ago (its review is open, not overdue), with
    two criteria (neither met) and a first target."""
    start = add_months(today_of(people.team), -3) - timedelta(days=7)
    vision = services.vision_create(
        team=people.team,
        actor=people.lead,
        title="Ranking that users trust",
        problem="Search results ignore what users click.",
        starts_on=start,
    )
    services.criterion_add(
        vision=vision,
        actor=people.lead,
        description="Offline ranking quality",
        metric="NDCG@10",
        comparator=">=",
        target_value=0.35,
        current_value=0.31,
    )
    services.criterion_add(
        vision=vision,
        actor=people.lead,
        description="Fast enough to serve",
        metric="p95 latency",
        comparator="<=",
        target_value=80,
        unit="ms",
        current_value=95,
    )
    services.target_create(
        vision=vision, actor=people.lead, period=1, text="A click model beats the baseline."
    )
    return vision


@pytest.fixture
def criteria(vision) -> list[DoneCriterion]:
    return list(vision.criteria.order_by("position"))


@pytest.fixture
def practices(people) -> list[NonNegotiable]:
    add = services.non_negotiable_add
    return [
        add(team=people.team, actor=people.lead, title="Unit tests", requires_evidence=True),
        add(team=people.team, actor=people.lead, title="Design doc"),
    ]


@pytest.fixture
def milestone(people) -> Milestone:
    return services.milestone_create(
        team=people.team,
        actor=people.lead,
        title="Ranker v2 in shadow",
        target_date=date(2027, 3, 15),
        precision="month",
    )
