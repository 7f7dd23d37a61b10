"""The registries through which apps contribute to the wall and the feeds without importing
each other."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core import feeds, wall

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def isolated(monkeypatch):
    monkeypatch.setattr(wall, "_panels", {})
    monkeypatch.setattr(feeds, "_sources", {})


def test_wall_panels_by_region_in_order_and_silent_ones_left_out(isolated):
    def says(text):
        return lambda team, now: {"text": text, "team": team, "now": now}

    wall.register_wall_panel(wall.WallPanel("b", wall.Region.SIDE, 20, "b.html", says("b")))
    wall.register_wall_panel(wall.WallPanel("a", wall.Region.SIDE, 10, "a.html", says("a")))
    wall.register_wall_panel(wall.WallPanel("alarm", wall.Region.ALERT, 1, "x.html", says("!")))
    wall.register_wall_panel(
        wall.WallPanel("quiet", wall.Region.SIDE, 5, "q.html", lambda team, now: None)
    )
    # Registering again by name replaces: ready() may run twice.
    wall.register_wall_panel(wall.WallPanel("b", wall.Region.SIDE, 20, "b.html", says("b2")))

    shown = wall.wall_panels("the team", NOW)
    assert [p.name for p in shown[wall.Region.SIDE]] == ["a", "b"]
    assert shown[wall.Region.SIDE][1].context["text"] == "b2"
    assert [p.template_name for p in shown[wall.Region.ALERT]] == ["x.html"]
    assert shown[wall.Region.SIDE][0].context == {"text": "a", "team": "the team", "now": NOW}


def test_feed_events_merge_sources_in_a_stable_order(isolated):
    def event(uid, start):
        end = start
        return feeds.FeedEvent(
            uid=uid, summary=uid, start=start, end=end, sequence=0, changed_at=NOW
        )

    seen = []

    def milestones(query):
        seen.append(query)
        return [event("m-2", date(2026, 3, 9)), event("m-1", date(2026, 3, 9))]

    def meetings(query):
        return [event("x-1", datetime(2026, 3, 2, 13, tzinfo=UTC))]

    feeds.register_feed_source("milestones", milestones)
    feeds.register_feed_source("meetings", meetings)
    query = feeds.FeedQuery(scope=feeds.FeedScope.TEAM, user="u", team="t")
    first = feeds.feed_events(query)
    assert [e.uid for e in first] == ["x-1", "m-1", "m-2"]
    assert feeds.feed_events(query) == first  # same data, same order
    assert seen[0] is query
