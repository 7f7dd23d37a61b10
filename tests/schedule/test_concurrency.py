"""Two people booking the same colleague at the same time: exactly one wins, on SQLite (file
database, IMMEDIATE transactions) and on PostgreSQL (the team row lock)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from schedule.models import Meeting, MeetingStatus
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .support import at

THREADS = 8


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_person_one_wins():
    team = TeamFactory(slug="race", timezone="Europe/Paris")
    target = MembershipFactory(team=team, role=Role.MEMBER, user__username="busy-bee").user
    bookers = [
        MembershipFactory(team=team, role=Role.MEMBER, user__username=f"booker{i}").user
        for i in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            client = APIClient()
            client.force_authenticate(bookers[index])
            # Starts 13:00, 13:03, ... 13:21, all 30 minutes long: every pair overlaps.
            start = at(1, "13:00") + timedelta(minutes=3 * index)
            body = {
                "title": f"Booking {index}",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "attendees": ["busy-bee", bookers[index].username],
            }
            barrier.wait(timeout=10)
            response = client.post("/api/v1/teams/race/meetings/", body, format="json")
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == THREADS, results
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (THREADS - 1), results
    assert all(body["code"] == "slot_conflict" for code, body in results if code == 409)
    assert Meeting.objects.filter(team=team, status=MeetingStatus.CONFIRMED).count() == 1
    assert Meeting.objects.get().attendees.filter(pk=target.pk).exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
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
    barrier = threading.Barrier(THREADS)
    codes: list[int] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            client = APIClient()
            client.force_authenticate(bookers[index])
            start = at(1, "13:00") + timedelta(minutes=3 * index)
            body = {
                "title": f"Booking {index}",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "attendees": ["shared", bookers[index].username],
            }
            barrier.wait(timeout=10)
            response = client.post(f"/api/v1/teams/team{index % 2}/meetings/", body, format="json")
            with lock:
                codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [201] + [409] * (THREADS - 1), codes
    assert Meeting.objects.filter(attendees=target, status=MeetingStatus.CONFIRMED).count() == 1
