"""Reads: weeks, proposals through the selector, rebalance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from core.rules import RuleViolation
from schedule import proposals, selectors, weeks
from tests.conftest import TeamPeople

from .support import LONDON, at, make_meeting

pytestmark = pytest.mark.django_db


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
    # Both are in a 13:00 meeting: 13:30 then trims each afternoon by 30 minutes, as 9:00 trims
    # each morning; at equal focus cost after lunch comes first, batched next to the meeting.
    make_meeting(
        people.team, at(1, "13:00"), at(1, "13:30"), [people.lead, people.member], title="Taken"
    )
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
    assert best.start == at(1, "13:30")
    assert best.focus_cost_minutes == 60
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
