"""People booking the same colleague at the same time: exactly one wins, on SQLite (file
database, IMMEDIATE transactions) and on PostgreSQL (row locks on the team and on the
attendees)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from schedule.models import Meeting, MeetingStatus
from teams.models import Role
from tests.concurrency import race
from tests.factories import MembershipFactory, TeamFactory

from .support import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 8


def book(booker, team_slug: str, index: int, target: str):
    """Book `target` and the booker; starts 13:00, 13:03, ... 30 minutes long: every pair
    of bookings overlaps."""
    client = APIClient()
    client.force_authenticate(booker)
    start = at(1, "13:00") + timedelta(minutes=3 * index)
    body = {
        "title": f"Booking {index}",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "attendees": [target, booker.username],
    }
    return client.post(f"/api/v1/teams/{team_slug}/meetings/", body, format="json")


def test_concurrent_bookings_of_one_person_one_wins():
    team = TeamFactory(slug="race", timezone="Europe/Paris")
    target = MembershipFactory(team=team, role=Role.MEMBER, user__username="busy-bee").user
    bookers = [
        MembershipFactory(team=team, role=Role.MEMBER, user__username=f"booker{i}").user
        for i in range(THREADS)
    ]
    results = race(THREADS, lambda i: book(bookers[i], "race", i, "busy-bee"))
    codes = sorted(r.status_code for r in results)  # an exception here fails the test
    assert codes == [201] + [409] * (THREADS - 1), results
    assert all(r.json()["code"] == "slot_conflict" for r in results if r.status_code == 409)
    assert Meeting.objects.filter(team=team, status=MeetingStatus.CONFIRMED).count() == 1
    assert Meeting.objects.get().attendees.filter(pk=target.pk).exists()


def test_two_teams_booking_the_same_person_at_once_one_wins():
    """Someone in two teams: each team's lock alone would let both bookings through, so the
    attendees' own rows are locked too."""
    teams = [TeamFactory(slug=f"team{t}", timezone="Europe/Paris") for t in range(2)]
    target = MembershipFactory(team=teams[0], role=Role.MEMBER, user__username="shared").user
    MembershipFactory(team=teams[1], user=target, role=Role.MEMBER)
    bookers = [
        MembershipFactory(team=teams[i % 2], role=Role.MEMBER, user__username=f"b{i}").user
        for i in range(THREADS)
    ]
    results = race(THREADS, lambda i: book(bookers[i], f"team{i % 2}", i, "shared"))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * (THREADS - 1), results
    assert Meeting.objects.filter(attendees=target, status=MeetingStatus.CONFIRMED).count() == 1
