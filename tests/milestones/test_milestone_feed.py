"""Milestones in the calendar feeds, through the feed-source registry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.feeds import FeedQuery, FeedScope, feed_events, feed_version
from milestones import services

pytestmark = pytest.mark.django_db


def milestone_events(query: FeedQuery):
    return [e for e in feed_events(query) if e.uid.startswith("milestone-")]


def test_milestones_are_all_day_transparent_soft_dated_events(people, milestone):
    query = FeedQuery(FeedScope.TEAM, user=people.member, team=people.team)
    [event] = milestone_events(query)
    assert event.summary == "~ Ranker v2 in shadow"
    assert (event.start, event.end) == (date(2027, 3, 15), date(2027, 3, 16))
    assert event.transparent and "~ mid-March" in event.description
    before = (event.sequence, feed_version(query))
    services.milestone_update(
        milestone=milestone,
        actor=people.lead,
        fields={"target_date": date(2027, 4, 2)},
        reason="Late data",
    )
    [moved] = milestone_events(query)
    assert moved.uid == event.uid and moved.start == date(2027, 4, 2)
    assert moved.sequence >= before[0]
    assert feed_version(query) != before[1]


def test_other_teams_and_dropped_milestones_stay_out(people, milestone):
    services.milestone_create(
        team=people.outsider.memberships.get().team,
        actor=people.outsider,
        title="Theirs",
        target_date=date(2027, 1, 1) + timedelta(days=3),
    )
    personal = FeedQuery(FeedScope.PERSONAL, user=people.member)
    assert [e.summary for e in milestone_events(personal)] == ["~ Ranker v2 in shadow"]
    services.milestone_update(milestone=milestone, actor=people.lead, fields={"status": "dropped"})
    assert milestone_events(personal) == []
