"""Reads: the wall screen's line, weeks, proposals through the selector."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from core.rules import RuleViolation
from schedule import proposals, selectors, services, weeks
from schedule.models import MeetingStatus
from tests.conftest import TeamPeople
from tests.factories import TeamFactory

from .support import LONDON, NEW_YORK, at, make_meeting

pytestmark = pytest.mark.django_db


def status(people: TeamPeople, now):  # type: ignore[no-untyped-def]
    return selectors.wall_status(team=people.team, now=now)


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


# --- weeks --------------------------------------------------------------------------------


def test_parse_week():
    today = date(2025, 2, 12)  # a Wednesday
    assert weeks.parse_week(None, today=today) == date(2025, 2, 10)
    assert weeks.parse_week("2025-W07", today=today) == date(2025, 2, 10)
    assert weeks.parse_week("2025W7", today=today) == date(2025, 2, 10)
    assert weeks.parse_week("2020-W53", today=today) == date(2020, 12, 28)
    for bad in ("2025-W54", "2025-W00", "next week", "2025-13", "W07", "9" * 40, "2025-W07x"):
        with pytest.raises(ValidationError):
            weeks.parse_week(bad, today=today)
    assert weeks.week_label(date(2025, 2, 10)) == "2025-W07"


# --- proposals through the selector -----------------------------------------------------------


def test_proposals_come_from_the_engine_with_the_teams_people(people: TeamPeople):
    make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.lead], title="Taken")
    result = proposals.propose_slots(
        people.team,
        viewer=people.lead,
        duration_minutes=30,
        attendees=["member", "lead"],
        optional_attendees=[],
        earliest=at(1, "00:00"),
        latest=at(2, "00:00"),
    )
    assert result.proposals
    best = result.proposals[0]
    assert best.windows == {"member": "after_lunch", "lead": "after_lunch"}
    assert best.start == at(1, "13:30")  # right after lunch, next to lead's meeting
    assert any("batched" in reason for reason in best.reasons)


def test_proposals_across_time_zones(people: TeamPeople):
    from teams.services import profile_update

    profile_update(user=people.lead, timezone="Europe/London", fields={"timezone"})
    result = proposals.propose_slots(
        people.team,
        viewer=people.lead,
        duration_minutes=30,
        attendees=["member", "lead"],
        optional_attendees=[],
        earliest=at(1, "00:00"),
        latest=at(2, "00:00"),
    )
    best = result.proposals[0]
    assert best.windows == {"member": "after_lunch", "lead": "after_lunch"}
    assert best.local_times["lead"].tzinfo == LONDON or str(best.local_times["lead"].tzinfo) == (
        "Europe/London"
    )
    assert best.start == at(1, "14:00")  # 14:00 Paris = 13:00 London


def test_proposal_errors(people: TeamPeople):
    args = {
        "duration_minutes": 30,
        "attendees": ["member"],
        "optional_attendees": [],
        "earliest": at(1, "00:00"),
        "latest": at(2, "00:00"),
    }
    with pytest.raises(RuleViolation) as caught:
        proposals.propose_slots(
            people.team, viewer=people.lead, **{**args, "duration_minutes": 600}
        )
    assert caught.value.code == "meeting_too_long"
    for bad in (
        {"attendees": ["outsider"]},
        {"attendees": []},
        {"optional_attendees": ["ghost"]},
        {"duration_minutes": 0},
        {"latest": at(0, "00:00")},
        {"latest": at(0, "00:00") + timedelta(weeks=9)},
    ):
        with pytest.raises(ValidationError):
            proposals.propose_slots(people.team, viewer=people.lead, **{**args, **bad})


# --- rebalance ------------------------------------------------------------------------------


def test_rebalance_never_moves_the_past_nor_into_it(people: TeamPeople):
    monday = at(0, "00:00").date()
    wednesday = make_meeting(
        people.team, at(2, "10:30"), at(2, "11:00"), [people.member], title="Wed", forced=True
    )
    make_meeting(
        people.team, at(3, "10:30"), at(3, "11:00"), [people.member], title="Thu", forced=True
    )
    before = selectors.rebalance(people.team, monday, now=at(0, "08:00"))
    assert {s.meeting.pk for s in before} >= {wednesday.pk}
    now = at(2, "15:00")
    later = selectors.rebalance(people.team, monday, now=now)
    assert [s.meeting.title for s in later] == ["Thu"]
    assert all(s.move.new_start > now for s in later)
    assert selectors.rebalance(people.team, monday, now=at(6, "12:00")) == []
