"""The schedule's wall panel: the one line saying what the team's time is for, through the
function and through the wall screen that draws the registered panel."""

from __future__ import annotations

from datetime import time
from unittest import mock

import pytest

from schedule import services
from schedule.models import MeetingStatus
from schedule.wall import wall_status
from tests.conftest import TeamPeople
from tests.factories import TeamFactory

from .support import NEW_YORK, at, make_meeting

pytestmark = pytest.mark.django_db


def status(people: TeamPeople, now):  # type: ignore[no-untyped-def]
    return wall_status(team=people.team, now=now)


def test_maker_time_until_lunch(people: TeamPeople, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        result = status(people, at(1, "10:45"))
    assert (result.kind, result.text) == ("maker_time", "Maker time until 12:00")
    assert result.until == at(1, "12:00")
    assert result.meeting_title is None


def test_maker_time_until_the_next_meeting_or_window(people: TeamPeople):
    make_meeting(people.team, at(1, "11:15"), at(1, "11:45"), [people.member], title="Vendor")
    assert status(people, at(1, "10:45")).text == "Maker time until 11:15"
    assert status(people, at(1, "14:40")).text == "Maker time until 16:30"


def test_next_meeting_in_a_window_or_at_lunch(people: TeamPeople, django_assert_max_num_queries):
    make_meeting(people.team, at(1, "13:30"), at(1, "14:00"), [people.member], title="Standup")
    with django_assert_max_num_queries(2):
        result = status(people, at(1, "12:30"))
    assert (result.kind, result.text) == ("next_meeting", "Next meeting 13:30 Standup")
    assert (result.until, result.meeting_title) == (at(1, "13:30"), "Standup")
    assert status(people, at(1, "13:05")).text == "Next meeting 13:30 Standup"


def test_in_a_meeting(people: TeamPeople):
    make_meeting(people.team, at(1, "13:30"), at(1, "14:00"), [people.member], title="Standup")
    result = status(people, at(1, "13:40"))
    assert (result.kind, result.text) == ("meeting_now", "In a meeting until 14:00: Standup")
    assert result.until == at(1, "14:00")


def test_no_more_meetings_today_in_a_window(people: TeamPeople):
    result = status(people, at(1, "16:45"))
    assert (result.kind, result.text) == ("maker_time", "No more meetings today")


def test_outside_working_hours(people: TeamPeople, django_assert_max_num_queries):
    assert status(people, at(1, "20:00")).text == "Outside working hours"
    make_meeting(people.team, at(2, "09:30"), at(2, "10:00"), [people.member], title="Planning")
    with django_assert_max_num_queries(2):
        evening = status(people, at(1, "20:00"))
    assert (evening.kind, evening.text) == (
        "off_hours",
        "Outside working hours; next meeting Wed 09:30 Planning",
    )
    early = status(people, at(2, "07:00"))
    assert early.text == "Outside working hours; next meeting 09:30 Planning"
    weekend = status(people, at(-2, "11:00"))  # the Saturday before
    assert weekend.text == "Outside working hours; next meeting Wed 09:30 Planning"


def test_phrased_in_the_team_zone_and_only_for_this_team(people: TeamPeople):
    people.team.timezone = "America/New_York"
    people.team.save()
    make_meeting(people.team, at(1, "10:30", NEW_YORK), at(1, "11:00", NEW_YORK), [people.member])
    other = TeamFactory(slug="elsewhere", timezone="America/New_York")
    make_meeting(other, at(1, "09:30", NEW_YORK), at(1, "10:00", NEW_YORK), [], title="Theirs")
    cancelled = make_meeting(
        people.team, at(1, "09:45", NEW_YORK), at(1, "10:00", NEW_YORK), [], title="Gone"
    )
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.cancelled_at = at(0, "09:00")
    cancelled.save()
    result = status(people, at(1, "09:15", NEW_YORK))
    assert result.text == "Next meeting 10:30 Sync"


def test_a_meeting_free_day_is_maker_time_all_day(people: TeamPeople):
    services.maker_policy_update(team=people.team, meeting_free_weekdays=[2])
    assert status(people, at(2, "13:15")).text == "Maker time until 18:00"
    assert status(people, at(2, "10:00")).text == "Maker time until 12:00"


def test_the_windows_and_hours_are_the_policys(people: TeamPeople):
    """The line words the windows of engine.windows for the team's policy: change the policy
    and the line follows (no window is written in the wall code)."""
    services.maker_policy_update(
        team=people.team,
        workday_start=time(8),
        workday_end=time(17),
        lunch_start=time(12, 30),
        lunch_end=time(13, 30),
        window_minutes=60,
    )
    assert status(people, at(1, "08:30")).text == "No more meetings today"  # early morning
    assert status(people, at(1, "09:05")).text == "Maker time until 12:30"  # lunch
    assert status(people, at(1, "14:00")).text == "No more meetings today"  # after lunch
    assert status(people, at(1, "14:40")).text == "Maker time until 16:00"  # end of day
    assert status(people, at(1, "17:05")).text == "Outside working hours"


def test_the_maker_line_is_a_registered_wall_panel(people: TeamPeople, client):
    """The wall draws the schedule's line through the panel registry, in the team's zone."""
    client.force_login(people.member)
    make_meeting(people.team, at(1, "13:30"), at(1, "14:00"), [people.member], title="Standup")
    with mock.patch("django.utils.timezone.now", return_value=at(1, "12:30")):
        body = client.get("/t/ml/wall/content/", HTTP_HX_REQUEST="true").content.decode()
    assert (
        '<p class="wall-panel wall-maker wall-maker-next_meeting">Next meeting 13:30 Standup</p>'
        in body
    )
