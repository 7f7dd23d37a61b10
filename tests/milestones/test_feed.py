"""Quarterly review dates in the calendar feeds, through the feed-source registry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.feeds import FeedQuery, FeedScope, feed_events
from milestones import selectors, services

from .conftest import today_of

pytestmark = pytest.mark.django_db


def reviews(query: FeedQuery):
    return [e for e in feed_events(query) if e.uid.startswith("review-")]


def test_team_feed_has_each_periods_review_date(people, vision):
    events = reviews(FeedQuery(FeedScope.TEAM, user=people.member, team=people.team))
    assert [e.start for e in events] == [p.ends_on for p in vision.periods]
    first = events[0]
    assert first.end == first.start + timedelta(days=1)  # all day, exclusive end
    assert first.transparent and first.sequence == 0
    assert first.summary == "Quarterly vision review (period 1): Ranking that users trust"
    assert first.uid == f"review-{vision.pk}-1@focusboard"


def test_a_held_review_and_a_recharter_move_the_event_and_bump_its_sequence(people, vision):
    services.review_record(
        vision=vision,
        actor=people.lead,
        held_on=today_of(people.team),
        outcome="met",
        evidence="e",
        still_right_problem=True,
        next_target_text="Two",
    )
    new_end = vision.ends_on + timedelta(days=20)
    services.vision_update(
        vision=vision, actor=people.lead, fields={"ends_on": new_end}, reason="Data is late"
    )
    events = reviews(FeedQuery(FeedScope.TEAM, user=people.lead, team=people.team))
    by_uid = {e.uid: e for e in events}
    held = by_uid[f"review-{vision.pk}-1@focusboard"]
    assert held.start == today_of(people.team) and held.summary.endswith("· held")
    assert held.sequence == 2
    last = by_uid[f"review-{vision.pk}-3@focusboard"]
    assert last.start == new_end and last.sequence == 1


def test_personal_feed_covers_the_persons_teams_only(people, vision, django_assert_num_queries):
    services.vision_create(
        team=people.outsider.memberships.get().team,
        actor=people.outsider,
        title="Theirs",
        problem="P",
        starts_on=today_of(people.team),
    )
    with django_assert_num_queries(2):  # this source's own queries
        selectors.review_feed_events(FeedQuery(FeedScope.PERSONAL, user=people.viewer))
    mine = reviews(FeedQuery(FeedScope.PERSONAL, user=people.viewer))
    assert {e.uid.split("-")[1] for e in mine} == {str(vision.pk)}
    theirs = reviews(FeedQuery(FeedScope.PERSONAL, user=people.outsider))
    assert len(theirs) == 3 and str(vision.pk) not in {e.uid.split("-")[1] for e in theirs}


def test_no_active_vision_no_review_dates(people, vision):
    services.vision_abandon(vision=vision, actor=people.lead, reason="r")
    assert reviews(FeedQuery(FeedScope.TEAM, user=people.lead, team=people.team)) == []


def test_the_fingerprint_changes_exactly_when_the_review_dates_do(people, vision):
    query = FeedQuery(FeedScope.TEAM, user=people.lead, team=people.team)
    first = selectors.review_feed_version(query)
    assert selectors.review_feed_version(query) == first  # same data, same stamp
    assert first.changed_at == vision.updated_at
    services.criterion_add(  # not in the feed: the stamp stays
        vision=vision, actor=people.lead, metric="m", comparator=">=", target_value=1
    )
    assert selectors.review_feed_version(query).fingerprint == first.fingerprint
    stamps = {first.fingerprint}
    services.review_record(
        vision=vision,
        actor=people.lead,
        held_on=today_of(people.team),
        outcome="met",
        evidence="e",
        still_right_problem=True,
        next_target_text="Two",
    )
    stamps.add(selectors.review_feed_version(query).fingerprint)
    services.vision_update(
        vision=vision,
        actor=people.lead,
        fields={"ends_on": vision.ends_on + timedelta(days=9)},
        reason="Later data",
    )
    stamps.add(selectors.review_feed_version(query).fingerprint)
    people.team.name = "Search Ranking"
    people.team.save()
    stamps.add(selectors.review_feed_version(query).fingerprint)
    assert len(stamps) == 4


def test_review_events_link_back_to_the_reviews(people, vision):
    query = FeedQuery(
        FeedScope.TEAM, user=people.lead, team=people.team, base_url="https://focus.example"
    )
    (first, *_) = selectors.review_feed_events(query)
    assert first.url == "https://focus.example/t/ml/reviews/"
