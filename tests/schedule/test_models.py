"""The invariants the database holds for the schedule, whatever code writes the rows."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from schedule.models import (
    BusyInterval,
    BusySource,
    BusySourceKind,
    MakerPolicy,
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    validate_weekdays,
)
from tests.conftest import TeamPeople

from .support import at, make_meeting

pytestmark = pytest.mark.django_db


def _fails(**fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(**fields)


def test_meeting_must_end_after_it_starts(people: TeamPeople):
    start = at(1, "13:00")
    _fails(team=people.team, title="Backwards", start=start, end=start - timedelta(minutes=5))
    _fails(team=people.team, title="Empty", start=start, end=start)
    ok = Meeting.objects.create(
        team=people.team, title="Fine", start=start, end=start + timedelta(minutes=30)
    )
    assert ok.duration_minutes == 30


def test_meeting_status_is_constrained_and_cancelled_at_goes_with_it(people: TeamPeople):
    start, end = at(1, "13:00"), at(1, "13:30")
    team = people.team
    _fails(team=team, title="x", start=start, end=end, status="postponed")
    _fails(team=team, title="x", start=start, end=end, status=MeetingStatus.CANCELLED)
    _fails(team=team, title="x", start=start, end=end, cancelled_at=timezone.now())
    cancelled = Meeting.objects.create(
        team=team,
        title="x",
        start=start,
        end=end,
        status=MeetingStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )
    assert cancelled.is_cancelled


def test_meeting_uid_is_unique_and_stable(people: TeamPeople):
    a = make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.member])
    b = make_meeting(people.team, at(1, "14:00"), at(1, "14:30"), [people.member])
    assert a.uid != b.uid
    assert a.uid.endswith("@focusboard")
    uid = a.uid
    a.title = "Renamed"
    a.save()
    a.refresh_from_db()
    assert a.uid == uid
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=b.pk).update(uid=uid)


def test_a_person_attends_a_meeting_once(people: TeamPeople):
    meeting = make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.member])
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingAttendee.objects.create(meeting=meeting, user=people.member, required=False)
    assert "required" in str(meeting.attendance.get())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"workday_start": time(18), "workday_end": time(9)}, "workday must start"),
        ({"lunch_start": time(13), "lunch_end": time(12)}, "Lunch must start"),
        ({"lunch_start": time(8), "lunch_end": time(9)}, "inside the workday"),
        ({"window_minutes": 0}, "greater than or equal to 15"),
        ({"max_attendees": 0}, "greater than or equal to 2"),
    ],
)
def test_policy_constraints(people: TeamPeople, fields, message):
    policy = MakerPolicy(team=people.team, **fields)
    with pytest.raises(ValidationError, match=message):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_policy_defaults_follow_the_spec(people: TeamPeople):
    policy = MakerPolicy.objects.create(team=people.team)
    assert (policy.workday_start, policy.workday_end) == (time(9), time(18))
    assert (policy.lunch_start, policy.lunch_end) == (time(12), time(13))
    assert policy.window_minutes == 90
    assert policy.max_meeting_minutes == 60
    assert policy.max_attendees == 6
    assert policy.min_focus_block_minutes == 120
    assert policy.meeting_free_weekdays == []
    assert str(policy) == "Maker policy of ML Team"


@pytest.mark.parametrize("value", [[7], [-1], ["1"], [True], [1, 1], "0,1", None])
def test_weekdays_validator_refuses_nonsense(value):
    with pytest.raises(ValidationError):
        validate_weekdays(value)


def test_weekdays_validator_accepts_distinct_days():
    validate_weekdays([])
    validate_weekdays([0, 2, 4])


def test_one_upload_per_person_and_each_url_once(people: TeamPeople):
    member = people.member
    BusySource.objects.create(user=member, kind=BusySourceKind.UPLOAD)
    with pytest.raises(IntegrityError), transaction.atomic():
        BusySource.objects.create(user=member, kind=BusySourceKind.UPLOAD)
    url = "https://calendar.example.com/private-abc/basic.ics"
    BusySource.objects.create(user=member, kind=BusySourceKind.URL, url=url)
    BusySource.objects.create(user=member, kind=BusySourceKind.URL, url=url.replace("abc", "def"))
    with pytest.raises(IntegrityError), transaction.atomic():
        BusySource.objects.create(user=member, kind=BusySourceKind.URL, url=url)
    with pytest.raises(IntegrityError), transaction.atomic():
        BusySource.objects.create(user=member, kind=BusySourceKind.URL, url="")
    with pytest.raises(IntegrityError), transaction.atomic():
        BusySource.objects.create(user=member, kind="pigeon")
    # Another person may upload their own.
    BusySource.objects.create(user=people.lead, kind=BusySourceKind.UPLOAD)


def test_a_url_source_shows_only_its_host(people: TeamPeople):
    source = BusySource(
        user=people.member,
        kind=BusySourceKind.URL,
        url="https://calendar.google.com/calendar/ical/secret-token/basic.ics",
    )
    assert source.label == "https://calendar.google.com/…"
    assert "secret" not in str(source)


def test_busy_interval_must_end_after_it_starts(people: TeamPeople):
    source = BusySource.objects.create(user=people.member, kind=BusySourceKind.UPLOAD)
    start = at(1, "10:00")
    with pytest.raises(IntegrityError), transaction.atomic():
        BusyInterval.objects.create(source=source, user=people.member, start=start, end=start)
    BusyInterval.objects.create(
        source=source, user=people.member, start=start, end=start + timedelta(hours=1)
    )
    source.delete()
    assert not BusyInterval.objects.exists()  # a source takes its intervals with it
