"""`make run` runs seed_demo every time: it creates what is missing and never undoes what people
did in between (a cancelled meeting booked again, an uploaded calendar replaced, a role or a
time zone reset, a person put back into a team they were removed from)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command

from focusboard import services as focus_services
from focusboard.models import FocusItem, FocusStatus
from schedule import services as schedule_services
from schedule.models import BusyInterval, BusySource, MakerPolicy, Meeting
from teams import services as team_services
from teams.models import Membership, Profile, Team

from .schedule.support import ics

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, Any]:
    """Everything a person can change in the demo, read straight from the database."""
    return {
        "team": list(Team.objects.values_list("slug", "name", "timezone", "focus_cap")),
        "users": list(User.objects.order_by("pk").values_list("username", "password", "email")),
        "memberships": sorted(
            Membership.objects.values_list("team__slug", "user__username", "role")
        ),
        "profiles": sorted(
            Profile.objects.values_list(
                "user__username", "timezone", "workday_start", "workday_end"
            )
        ),
        "policy": list(MakerPolicy.objects.values_list("window_minutes", "max_attendees")),
        "meetings": sorted(
            Meeting.objects.values_list("pk", "title", "start", "end", "status", "sequence")
        ),
        "calendars": sorted(
            BusySource.objects.values_list("user__username", "kind", "filename", "interval_count")
        ),
        "busy": BusyInterval.objects.count(),
        "focus": sorted(FocusItem.objects.values_list("pk", "title", "status", "position")),
    }


def test_seed_demo_twice_changes_nothing_people_did_in_between(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    team = Team.objects.get(slug="demo")
    lena = User.objects.get(username="lena")
    tom = User.objects.get(username="tom")

    # What people do on their first day with the demo:
    standup = Meeting.objects.filter(team=team, title="Standup", status="confirmed").last()
    assert standup is not None
    schedule_services.meeting_cancel(meeting=standup)
    retro = Meeting.objects.filter(team=team, title="Retro").last()
    assert retro is not None
    schedule_services.meeting_update(meeting=retro, title="Retro (short)")
    schedule_services.busy_source_import_file(
        user=tom,
        file=ContentFile(ics((standup.start, standup.end + timedelta(hours=2), "Mine")), "tom.ics"),
    )
    team_services.profile_update(
        user=tom,
        workday_start=None,
        workday_end=None,
        timezone="",
        fields={"workday_start", "workday_end", "timezone"},
    )
    team_services.membership_change_role(team=team, username="vic", role="member")
    team_services.membership_remove(team=team, username="priya")
    sam = User.objects.get(username="sam")
    sam.set_password("sam's own password")
    sam.save()
    schedule_services.maker_policy_update(team=team, window_minutes=90)
    active = FocusItem.objects.filter(team=team, status=FocusStatus.ACTIVE).first()
    assert active is not None
    focus_services.focus_item_park(item=active, actor=lena)
    team_services.team_update(team=team, name="Our ranking team")

    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before, out.getvalue()
    assert "0 booked" in out.getvalue()
