"""Shared by the feed and invitation tests: a team whose people have email addresses, and
booking or subscribing through the API."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from schedule.models import Meeting
from teams.services import profile_update
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory

from .support import at, iso

BASE = "/api/v1/teams/ml"


@pytest.fixture(name="team_people")
def people_with_addresses(people: TeamPeople) -> TeamPeople:
    """The team, with email addresses, and an optional attendee in New York."""
    for user in (people.lead, people.member):
        user.email = f"{user.username}@example.com"
        user.save()
    nyc = MembershipFactory(
        team=people.team, user__username="nyc", user__email="nyc@example.com"
    ).user
    profile_update(user=nyc, timezone="America/New_York", fields={"timezone"})
    return people


def book(client, title: str = "Design review", day: int = 1, hhmm: str = "13:00") -> Meeting:
    start = at(day, hhmm)
    response = client.post(
        f"{BASE}/meetings/",
        {
            "title": title,
            "start": iso(start),
            "end": iso(start + timedelta(minutes=30)),
            "attendees": ["lead", "member"],
            "optional_attendees": ["nyc"],
        },
    )
    assert response.status_code == 201, response.content
    return Meeting.objects.get(pk=response.json()["id"])


def new_feed(client, **body) -> dict:
    response = client.post("/api/v1/me/feeds/", body or {"scope": "personal"})
    assert response.status_code == 201, response.content
    return response.json()


def path_of(url: str) -> str:
    return urlsplit(url).path
