"""The vision's wall panel, through the registry the wall screen renders from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from core.wall import Region, wall_panels
from milestones import selectors, services

from .conftest import today_of

pytestmark = pytest.mark.django_db


def vision_panel(team):
    panels = wall_panels(team, timezone.now())[Region.SIDE]
    return next((p for p in panels if p.name == "vision"), None)


def test_no_active_vision_no_panel(people):
    assert vision_panel(people.team) is None


def test_the_panel_shows_the_current_target_days_left_and_marks(
    people, vision, criteria, django_assert_max_num_queries
):
    services.target_create(
        vision=vision, actor=people.lead, period=2, text="Serve the click model to 5%"
    )
    services.criterion_update_value(criterion=criteria[1], value=70, actor=people.member)
    with django_assert_max_num_queries(3):  # this panel's own queries
        selectors.wall_panel(people.team, timezone.now())
    panel = vision_panel(people.team)  # as the wall gets it, through the registry
    period = vision.periods[1]
    assert panel.context["period"] == period
    assert panel.context["days_left"] == (period.ends_on - today_of(people.team)).days
    html = render_to_string(panel.template_name, dict(panel.context))
    assert "Serve the click model to 5%" in html
    assert f"{panel.context['days_left']} days left in period 2" in html
    assert html.count('class="wall-mark met"') == 1
    assert html.count('class="wall-mark unmet"') == 1
    assert 'title="p95 latency: met">✓ p95 latency</span>' in html
    assert 'title="NDCG@10: not met">○ NDCG@10</span>' in html


def test_the_panel_says_when_the_period_has_no_target(people, vision):
    html = render_to_string("milestones/wall_panel.html", dict(vision_panel(people.team).context))
    assert "No target set for period 2 yet." in html


def test_query_count_does_not_grow_with_criteria(people, vision, django_assert_max_num_queries):
    for n in range(12):
        services.criterion_add(
            vision=vision, actor=people.lead, metric=f"m{n}", comparator=">=", target_value=1
        )
    with django_assert_max_num_queries(3):
        assert selectors.wall_panel(people.team, timezone.now()) is not None


def test_a_vision_that_has_not_started_shows_no_days_left(people, charter):
    charter(started_days_ago=-10)
    html = render_to_string("milestones/wall_panel.html", dict(vision_panel(people.team).context))
    starts_on = today_of(people.team) + timedelta(days=10)
    assert f"starts on {starts_on:%-d %B}" in html
    assert "days left" not in html and "period" not in html


def test_more_than_five_criteria_are_summed_up(people, vision):
    for n in range(5):
        services.criterion_add(
            vision=vision, actor=people.lead, metric=f"m{n}", comparator=">=", target_value=1
        )
    html = render_to_string("milestones/wall_panel.html", dict(vision_panel(people.team).context))
    assert html.count('class="wall-mark') == 5 and "+2 more" in html
