"""seed_demo's schedule part: calendars imported through the real import service, a week of
meetings in maker-friendly windows, and nothing duplicated on a second run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from schedule.models import BusyInterval, BusySource, MakerPolicy, Meeting
from teams.models import Profile

pytestmark = pytest.mark.django_db


def test_seed_demo_schedule_is_realistic_and_idempotent(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Seeding schedule" in out.getvalue()
    team_meetings = Meeting.objects.filter(team__slug="demo")
    counts = (
        team_meetings.count(),
        BusySource.objects.count(),
        BusyInterval.objects.count(),
        MakerPolicy.objects.count(),
    )
    assert counts[0] >= 15, out.getvalue()
    assert {s.user.username for s in BusySource.objects.all()} == {"lena", "sam", "priya", "tom"}
    assert all(s.kind == "upload" and s.interval_count > 10 for s in BusySource.objects.all())
    assert Profile.objects.get(user__username="tom").timezone == "America/New_York"
    # Most meetings sit in maker-friendly windows; the rest are flagged, never silent.
    flagged = team_meetings.filter(forced_into_maker_time=True).count()
    assert flagged <= counts[0] // 3
    titles = set(team_meetings.values_list("title", flat=True))
    assert {"Standup", "Planning", "1:1 Lena / Sam"} <= titles

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert (
        team_meetings.count(),
        BusySource.objects.count(),
        BusyInterval.objects.count(),
        MakerPolicy.objects.count(),
    ) == counts
    assert "0 booked" in again.getvalue()


def test_the_demo_team_has_a_last_week_to_compare_with(settings, client):
    """Its story goes back weeks, so the maker report shows the change from last week."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    client.login(username="lena", password="focusboard-demo")
    html = client.get("/t/demo/schedule/").content.decode()
    assert "vs last week" in html and "no last week to compare with" not in html
