from __future__ import annotations

import pytest
from django.core.management import call_command

from milestones.models import (
    CriterionValue,
    Milestone,
    NonNegotiable,
    QuarterlyReview,
    Target,
    Vision,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_tells_the_vision_story(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    vision = Vision.objects.get(team__slug="demo")
    assert vision.is_active
    criteria = list(vision.criteria.all())
    met = sum(c.met for c in criteria)
    assert 0 < met < len(criteria)  # partly met
    review = QuarterlyReview.objects.get(vision=vision)
    assert review.period == 1 and review.outcome == "partly"
    second = Target.objects.get(vision=vision, period=2)
    assert second.revisions.count() == 2
    assert review.next_target_revision == second.revisions.order_by("at", "pk").last()
    # The pipeline posted some of the values.
    assert CriterionValue.objects.filter(criterion__vision=vision, token__isnull=False).exists()
    # Started about four months ago: the review of period 1 is held, period 2 runs now.
    assert review.held_on >= vision.periods[0].ends_on
    call_command("seed_demo")
    assert Vision.objects.filter(team__slug="demo").count() == 1
    assert QuarterlyReview.objects.count() == 1


def test_seed_demo_has_milestones_in_several_states_and_one_moved_twice(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    titles = list(NonNegotiable.objects.filter(team__slug="demo").values_list("title", flat=True))
    assert titles[:3] == ["Unit tests", "Design doc", "Robust job scheduling"]
    assert "A neutral A/A test before every experiment" in titles
    statuses = set(Milestone.objects.filter(team__slug="demo").values_list("status", flat=True))
    assert {"done", "in_progress", "planned"} <= statuses
    assert Milestone.objects.get(title="Click model in shadow mode").slips.count() == 2
    call_command("seed_demo")
    assert Milestone.objects.filter(team__slug="demo").count() == 4
