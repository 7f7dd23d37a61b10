"""The rules of the maker schedule, through the service layer: conflicts, maker time, length,
size, sequence and cancellation; policy updates; busy-time import that never loses data."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from core.rules import RuleViolation
from schedule import selectors, services
from schedule.models import BusyInterval, BusySource, BusySourceKind, MakerPolicy, Meeting
from teams.models import Role
from teams.services import profile_update
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory, TeamFactory

from .support import (
    NEW_YORK,
    add_busy,
    at,
    calendar_server,
    closed_port_url,
    ics,
    make_meeting,
    three_megabytes,
)

pytestmark = pytest.mark.django_db


def book(people: TeamPeople, start, end, *required, optional=(), override=False, title="Sync"):  # type: ignore[no-untyped-def]
    return services.meeting_create(
        team=people.team,
        organizer=people.member,
        title=title,
        start=start,
        end=end,
        attendees=[u.username for u in required],
        optional_attendees=[u.username for u in optional],
        override_maker_time=override,
    )


# --- meeting_create -------------------------------------------------------------------------


def test_books_a_maker_friendly_meeting(people: TeamPeople):
    booking = book(people, at(1, "13:00"), at(1, "13:30"), people.member, people.lead)
    meeting = booking.meeting
    assert booking.warnings == []
    assert meeting.sequence == 0
    assert meeting.status == "confirmed"
    assert not meeting.forced_into_maker_time
    assert meeting.organizer == people.member
    assert {(a.user.username, a.required) for a in meeting.attendance.all()} == {
        ("member", True),
        ("lead", True),
    }


def test_slot_conflict_names_the_people_and_times(people: TeamPeople):
    make_meeting(people.team, at(1, "13:00"), at(1, "13:45"), [people.lead], title="Planning")
    with pytest.raises(RuleViolation) as caught:
        book(people, at(1, "13:30"), at(1, "14:00"), people.member, people.lead)
    exc = caught.value
    assert exc.code == "slot_conflict"
    assert "Lena Petrova is in “Planning”" in exc.message
    assert "13:00-13:45 Paris time" in exc.message
    assert exc.extra["conflicts"][0]["username"] == "lead"
    assert Meeting.objects.count() == 1


def test_touching_meetings_do_not_conflict(people: TeamPeople):
    make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.lead])
    book(people, at(1, "13:30"), at(1, "14:00"), people.lead)
    assert Meeting.objects.count() == 2


def test_imported_busy_time_conflicts_without_showing_its_title(people: TeamPeople):
    add_busy(people.lead, at(2, "13:00"), at(2, "14:00"), summary="Dentist")
    with pytest.raises(RuleViolation) as caught:
        book(people, at(2, "13:15"), at(2, "13:45"), people.member, people.lead)
    assert caught.value.code == "slot_conflict"
    assert "Lena Petrova is busy in their calendar" in caught.value.message
    assert "Dentist" not in caught.value.message


def test_a_meeting_in_another_team_conflicts_but_stays_private(people: TeamPeople):
    other = TeamFactory(slug="research")
    MembershipFactory(team=other, user=people.member, role=Role.MEMBER)
    make_meeting(other, at(1, "13:00"), at(1, "14:00"), [people.member], title="Secret project")
    with pytest.raises(RuleViolation) as caught:
        book(people, at(1, "13:00"), at(1, "13:30"), people.member)
    assert "another team's meeting" in caught.value.message
    assert "Secret" not in caught.value.message


def test_cancelled_meetings_free_their_time(people: TeamPeople):
    first = book(people, at(1, "13:00"), at(1, "13:30"), people.member).meeting
    services.meeting_cancel(meeting=first)
    book(people, at(1, "13:00"), at(1, "13:30"), people.member)


def test_a_busy_optional_attendee_is_a_warning_not_a_conflict(people: TeamPeople):
    make_meeting(people.team, at(1, "13:00"), at(1, "14:00"), [people.lead])
    booking = book(people, at(1, "13:00"), at(1, "13:30"), people.member, optional=[people.lead])
    assert any("Lena Petrova (optional) already has something" in w for w in booking.warnings)


def test_maker_time_is_refused_without_override(people: TeamPeople):
    with pytest.raises(RuleViolation) as caught:
        book(people, at(1, "10:45"), at(1, "11:15"), people.member)
    assert caught.value.code == "maker_time"
    assert "Marco Rossi's maker time" in caught.value.message
    assert caught.value.extra["people"] == {"member": "maker_time"}
    assert not Meeting.objects.exists()


def test_override_books_in_maker_time_and_flags_it(people: TeamPeople):
    booking = book(people, at(1, "10:45"), at(1, "11:15"), people.member, override=True)
    assert booking.meeting.forced_into_maker_time
    assert "Booked inside protected time for Marco Rossi; the meeting is flagged." in (
        booking.warnings
    )


def test_outside_working_hours_and_over_lunch_need_the_override(people: TeamPeople):
    for start, end in ((at(1, "19:00"), at(1, "19:30")), (at(1, "12:30"), at(1, "13:00"))):
        with pytest.raises(RuleViolation) as caught:
            book(people, start, end, people.member)
        assert caught.value.code == "maker_time"
        assert caught.value.extra["people"] == {"member": "outside_working_hours"}


# Fixed weeks, not the real clock's next one: New York and Paris are six hours apart most of
# the year but five in the weeks between the US and the European clock changes.
IN_STEP = date(2026, 1, 12)  # a Monday: EST and CET, six hours apart
OUT_OF_STEP = date(2026, 3, 9)  # the US moved to EDT on 8 March, Europe waits until the 29th


def test_maker_time_is_judged_in_each_attendees_own_zone(people: TeamPeople):
    # 13:00 Paris is after lunch for the member, 07:00 in New York: before the lead's day.
    profile_update(user=people.lead, timezone="America/New_York", fields={"timezone"})
    with pytest.raises(RuleViolation) as caught:
        book(
            people,
            at(1, "13:00", monday=IN_STEP),
            at(1, "13:30", monday=IN_STEP),
            people.member,
            people.lead,
        )
    assert caught.value.extra["people"] == {"lead": "outside_working_hours"}
    assert "New York time" in caught.value.message
    # 09:00 New York is early morning for the lead and 15:00 in Paris: maker time for member.
    start = at(1, "09:00", NEW_YORK, monday=IN_STEP)
    with pytest.raises(RuleViolation) as caught:
        book(people, start, start + timedelta(minutes=30), people.member, people.lead)
    assert caught.value.extra["people"] == {"member": "maker_time"}


def test_the_same_new_york_time_fits_both_when_the_clocks_are_out_of_step(people: TeamPeople):
    # In March 09:00 New York is 14:00 Paris: early morning for the lead, after lunch for the
    # member. Each zone's own offset on that day decides, not a fixed difference.
    profile_update(user=people.lead, timezone="America/New_York", fields={"timezone"})
    start = at(1, "09:00", NEW_YORK, monday=OUT_OF_STEP)
    booking = book(people, start, start + timedelta(minutes=30), people.member, people.lead)
    assert booking.meeting.start == at(1, "14:00", monday=OUT_OF_STEP)
    assert not booking.meeting.forced_into_maker_time


def test_a_personal_workday_override_counts(people: TeamPeople):
    profile_update(
        user=people.member,
        workday_start=time(7),
        workday_end=time(16),
        fields={"workday_start", "workday_end"},
    )
    # 07:00-08:30 is now the member's early-morning window.
    book(people, at(1, "07:30"), at(1, "08:00"), people.member)


def test_dst_does_not_move_the_after_lunch_window(people: TeamPeople):
    # The last Sunday of March: Paris moves to UTC+2. 13:00 Paris is 11:00 UTC after it.
    from datetime import date, datetime

    from .support import PARIS

    year = date.today().year + 1
    march_31 = date(year, 3, 31)
    sunday = march_31 - timedelta(days=(march_31.weekday() + 1) % 7)
    monday = sunday + timedelta(days=1)
    start = datetime.combine(monday, time(13), PARIS)
    assert start.utcoffset() == timedelta(hours=2)
    book(people, start, start + timedelta(minutes=30), people.member)


def test_too_long_is_refused_with_a_suggestion_to_split(people: TeamPeople):
    with pytest.raises(RuleViolation) as caught:
        book(people, at(1, "13:00"), at(1, "14:30"), people.member)
    assert caught.value.code == "meeting_too_long"
    assert "90-minute meeting is longer than the team's 60-minute maximum" in caught.value.message
    assert "Split it into two" in caught.value.message


def test_too_many_people_is_a_warning_to_keep_it_small(people: TeamPeople):
    services.maker_policy_update(team=people.team, max_attendees=2)
    booking = book(
        people, at(1, "13:00"), at(1, "13:30"), people.member, people.lead, people.viewer
    )
    assert booking.meeting.pk
    assert any("3 people invited" in w and "2 or fewer" in w for w in booking.warnings)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"attendees": ["nobody"]}, "attendees"),
        ({"attendees": ["outsider"]}, "attendees"),
        ({"attendees": []}, "attendees"),
        ({"attendees": ["member"], "optional_attendees": ["member"]}, "optional_attendees"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
    ],
)
def test_bad_input_is_a_validation_error(people: TeamPeople, kwargs, field):
    args = {
        "team": people.team,
        "organizer": people.member,
        "title": "Sync",
        "start": at(1, "13:00"),
        "end": at(1, "13:30"),
        "attendees": ["member"],
        **kwargs,
    }
    with pytest.raises(ValidationError) as caught:
        services.meeting_create(**args)
    assert field in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_naive_and_backwards_times_are_refused(people: TeamPeople):
    start = at(1, "13:00")
    for s, e, field in (
        (start.replace(tzinfo=None), start + timedelta(minutes=30), "start"),
        (start, start - timedelta(minutes=30), "end"),
        (start, start + timedelta(days=2), "end"),
    ):
        with pytest.raises(ValidationError) as caught:
            book(people, s, e, people.member)
        assert field in caught.value.message_dict


# --- meeting_update and meeting_cancel ---------------------------------------------------------


def test_update_bumps_sequence_and_rechecks(people: TeamPeople):
    meeting = book(people, at(1, "13:00"), at(1, "13:30"), people.member).meeting
    make_meeting(people.team, at(1, "14:00"), at(1, "14:30"), [people.member], title="Other")
    # Moving within its own slot is no conflict with itself.
    moved = services.meeting_update(meeting=meeting, start=at(1, "13:15"), end=at(1, "13:45"))
    assert moved.meeting.sequence == 1
    with pytest.raises(RuleViolation) as caught:
        services.meeting_update(meeting=meeting, start=at(1, "13:45"), end=at(1, "14:15"))
    assert caught.value.code == "slot_conflict"
    meeting.refresh_from_db()
    assert (meeting.start, meeting.sequence) == (at(1, "13:15"), 1)
    renamed = services.meeting_update(meeting=meeting, title="Design sync")
    assert (renamed.meeting.title, renamed.meeting.sequence) == ("Design sync", 2)
    # Nothing changed: the sequence stays.
    same = services.meeting_update(meeting=meeting, title="Design sync")
    assert same.meeting.sequence == 2


def test_update_changes_attendees(people: TeamPeople):
    meeting = book(people, at(1, "13:00"), at(1, "13:30"), people.member).meeting
    booking = services.meeting_update(
        meeting=meeting, attendees=["member", "lead"], optional_attendees=["viewer"]
    )
    assert booking.meeting.sequence == 1
    assert {(a.user.username, a.required) for a in booking.meeting.attendance.all()} == {
        ("member", True),
        ("lead", True),
        ("viewer", False),
    }


def test_update_into_maker_time_needs_override_and_is_flagged(people: TeamPeople):
    meeting = book(people, at(1, "13:00"), at(1, "13:30"), people.member).meeting
    with pytest.raises(RuleViolation):
        services.meeting_update(meeting=meeting, start=at(1, "10:45"), end=at(1, "11:15"))
    forced = services.meeting_update(
        meeting=meeting, start=at(1, "10:45"), end=at(1, "11:15"), override_maker_time=True
    )
    assert forced.meeting.forced_into_maker_time
    back = services.meeting_update(meeting=meeting, start=at(1, "13:00"), end=at(1, "13:30"))
    assert not back.meeting.forced_into_maker_time


def test_cancel_keeps_the_meeting_and_grows_the_sequence(people: TeamPeople):
    meeting = book(people, at(1, "13:00"), at(1, "13:30"), people.member).meeting
    cancelled = services.meeting_cancel(meeting=meeting)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at is not None
    assert cancelled.sequence == 1
    again = services.meeting_cancel(meeting=meeting)
    assert again.sequence == 1
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    with pytest.raises(RuleViolation) as caught:
        services.meeting_update(meeting=meeting, title="Revived")
    assert caught.value.code == "meeting_cancelled"


# --- maker policy ------------------------------------------------------------------------------


def test_policy_for_a_new_team_has_defaults_and_writes_nothing(people: TeamPeople):
    policy = selectors.policy_for(people.team)
    assert policy.pk is None
    assert policy.max_meeting_minutes == 60
    assert not MakerPolicy.objects.exists()


def test_maker_policy_update_validates(people: TeamPeople):
    policy = services.maker_policy_update(
        team=people.team, window_minutes=60, meeting_free_weekdays=[4, 2]
    )
    assert policy.meeting_free_weekdays == [2, 4]
    assert policy.meeting_free_day_names == ["Wednesday", "Friday"]
    with pytest.raises(ValidationError):
        services.maker_policy_update(team=people.team, workday_start=time(19))
    with pytest.raises(ValidationError):
        services.maker_policy_update(team=people.team, meeting_free_weekdays=[9])
    with pytest.raises(TypeError):
        services.maker_policy_update(team=people.team, focus_cap=2)
    policy.refresh_from_db()
    assert policy.window_minutes == 60
    assert policy.workday_start == time(9)


def test_a_meeting_free_weekday_is_all_maker_time(people: TeamPeople):
    services.maker_policy_update(team=people.team, meeting_free_weekdays=[2])
    with pytest.raises(RuleViolation) as caught:
        book(people, at(2, "13:00"), at(2, "13:30"), people.member)
    assert caught.value.code == "maker_time"
    book(people, at(1, "13:00"), at(1, "13:30"), people.member)


def test_the_policy_limits_apply_at_once(people: TeamPeople):
    services.maker_policy_update(team=people.team, max_meeting_minutes=20)
    with pytest.raises(RuleViolation) as caught:
        book(people, at(1, "13:00"), at(1, "13:30"), people.member)
    assert "20-minute maximum" in caught.value.message


# --- busy import -------------------------------------------------------------------------------


def upload(people: TeamPeople, data: bytes, name: str = "me.ics", user=None):  # type: ignore[no-untyped-def]
    return services.busy_source_import_file(
        user=user or people.member, file=ContentFile(data, name=name)
    )


def test_upload_imports_and_a_new_upload_replaces(people: TeamPeople):
    source = upload(people, ics((at(1, "10:00"), at(1, "11:00"), "Review")))
    assert source.kind == BusySourceKind.UPLOAD
    assert (source.interval_count, source.filename, source.last_error) == (1, "me.ics", "")
    interval = BusyInterval.objects.get()
    assert (interval.start, interval.end, interval.summary) == (
        at(1, "10:00"),
        at(1, "11:00"),
        "Review",
    )
    again = upload(
        people,
        ics((at(2, "10:00"), at(2, "11:00"), "A"), (at(3, "10:00"), at(3, "11:00"), "B")),
        name="new.ics",
    )
    assert again.pk == source.pk
    assert sorted(BusyInterval.objects.values_list("summary", flat=True)) == ["A", "B"]
    assert BusySource.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html>Sign in</html>", "not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:2025", "truncated"),
        (b"", "empty"),
    ],
)
def test_a_bad_upload_keeps_the_previous_busy_time(people: TeamPeople, data, reason):
    upload(people, ics((at(1, "10:00"), at(1, "11:00"), "Kept")))
    with pytest.raises(services.BusyImportFailed) as caught:
        upload(people, data)
    assert reason in caught.value.reason
    source = BusySource.objects.get()
    # The error is the new file's: the previous, good file's row does not carry it.
    assert source.last_error == ""
    assert source.interval_count == 1
    assert list(BusyInterval.objects.values_list("summary", flat=True)) == ["Kept"]
    upload(people, ics((at(1, "10:00"), at(1, "11:00"), "Fresh")))
    assert list(BusyInterval.objects.values_list("summary", flat=True)) == ["Fresh"]


def test_a_three_megabyte_upload_is_refused_before_parsing(people: TeamPeople):
    with pytest.raises(services.BusyImportFailed) as caught:
        upload(people, three_megabytes())
    assert "3.0 MB" in caught.value.reason and "2 MB" in caught.value.reason
    assert not BusySource.objects.exists()  # a failed first upload stores nothing


@pytest.fixture
def local_urls(settings):  # type: ignore[no-untyped-def]
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def test_url_source_imports_refreshes_and_keeps_data_on_failure(people: TeamPeople, local_urls):
    with calendar_server() as server:
        server.routes["/cal.ics"] = (200, ics((at(1, "10:00"), at(1, "11:00"), "One")))
        source = services.busy_source_add_url(user=people.member, url=server.url("/cal.ics"))
        assert (source.kind, source.interval_count) == ("url", 1)
        server.routes["/cal.ics"] = (
            200,
            ics((at(1, "10:00"), at(1, "11:00"), "One"), (at(2, "10:00"), at(2, "11:00"), "Two")),
        )
        assert services.busy_source_refresh(source=source).interval_count == 2
        server.routes["/cal.ics"] = (503, b"maintenance")
        with pytest.raises(services.BusyImportFailed) as caught:
            services.busy_source_refresh(source=source)
        assert "503" in caught.value.reason
        server.routes["/cal.ics"] = (200, b"<html>login</html>")
        with pytest.raises(services.BusyImportFailed) as caught:
            services.busy_source_refresh(source=source)
        assert "not an iCalendar file" in caught.value.reason
    source.refresh_from_db()
    assert "not an iCalendar file" in source.last_error
    assert source.interval_count == 2
    assert BusyInterval.objects.filter(source=source).count() == 2


def test_adding_a_url_that_fails_stores_nothing(people: TeamPeople, local_urls):
    with calendar_server() as server:
        for path, reason in (("/missing.ics", "404"), ("/big.ics", "larger than 2 MB")):
            if path == "/big.ics":
                server.routes[path] = (200, three_megabytes())
            with pytest.raises(services.BusyImportFailed) as caught:
                services.busy_source_add_url(user=people.member, url=server.url(path))
            assert reason in caught.value.reason
    with pytest.raises(services.BusyImportFailed) as caught:
        services.busy_source_add_url(user=people.member, url=closed_port_url())
    assert "Could not reach 127.0.0.1" in caught.value.reason
    assert not BusySource.objects.exists()


def test_a_stalled_server_times_out(people: TeamPeople, local_urls, monkeypatch):
    monkeypatch.setattr(services, "DOWNLOAD_DEADLINE_SECONDS", 0.3)
    with calendar_server() as server:
        server.routes["/slow.ics"] = 2.0
        with pytest.raises(services.BusyImportFailed) as caught:
            services.busy_source_add_url(user=people.member, url=server.url("/slow.ics"))
    assert "did not answer within 0.3 seconds" in caught.value.reason


def test_webcal_is_fetched_over_https_and_other_schemes_are_refused():
    assert (
        services.normalize_calendar_url("webcal://example.com/a.ics") == "https://example.com/a.ics"
    )
    for bad in ("file:///etc/passwd", "ftp://example.com/a.ics", "javascript:alert(1)", "x"):
        with pytest.raises(ValidationError):
            services.normalize_calendar_url(bad)


def test_private_addresses_are_refused_by_default(people: TeamPeople, settings):
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = []
    for url in ("http://127.0.0.1:9/cal.ics", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(services.BusyImportFailed) as caught:
            services.busy_source_add_url(user=people.member, url=url)
        assert "private or local addresses" in caught.value.reason


def test_the_same_url_is_added_once(people: TeamPeople, local_urls):
    with calendar_server() as server:
        server.routes["/cal.ics"] = (200, ics())
        url = server.url("/cal.ics")
        services.busy_source_add_url(user=people.member, url=url)
        with pytest.raises(ValidationError, match="already added"):
            services.busy_source_add_url(user=people.member, url=url)


def test_import_busy_command_shows_progress_and_fails_when_a_source_fails(
    people: TeamPeople, local_urls, capsys
):
    with calendar_server() as server:
        server.routes["/good.ics"] = (200, ics((at(1, "10:00"), at(1, "11:00"), "x")))
        server.routes["/later.ics"] = (200, ics())
        services.busy_source_add_url(user=people.member, url=server.url("/good.ics"))
        bad = services.busy_source_add_url(user=people.lead, url=server.url("/later.ics"))
        del server.routes["/later.ics"]
        with pytest.raises(CommandError, match="1 of 2 calendars"):
            call_command("import_busy")
        out, err = capsys.readouterr()
        assert "[1/2] lead" in err and "404" in err
        assert "[2/2] member" in out and "1 busy intervals" in out
        bad.refresh_from_db()
        assert "404" in bad.last_error
        server.routes["/later.ics"] = (200, ics())
        call_command("import_busy")
        out, _ = capsys.readouterr()
        assert "Refreshed 2 calendars." in out


# --- reads that feed the engine ---------------------------------------------------------------


def test_team_calendar_query_count_does_not_grow(people: TeamPeople, django_assert_max_num_queries):
    start, end = at(0, "00:00"), at(5, "00:00")
    with django_assert_max_num_queries(4) as small:
        selectors.team_calendar(people.team, start=start, end=end)
    for i in range(10):
        user = MembershipFactory(team=people.team, role=Role.MEMBER).user
        profile_update(user=user, timezone="Europe/London", fields={"timezone"})
        add_busy(user, at(i % 5, "10:00"), at(i % 5, "11:00"))
        make_meeting(people.team, at(i % 5, "13:00"), at(i % 5, "13:30"), [user, people.member])
    with django_assert_max_num_queries(len(small.captured_queries)):
        calendar = selectors.team_calendar(people.team, start=start, end=end)
    assert len(calendar.people) == 13
    assert len(calendar.meetings) == 10
    assert calendar.people[user.username].timezone == "Europe/London"
    assert len(calendar.people["member"].meetings) == 10


def test_people_get_the_team_policy_unless_they_override(people: TeamPeople):
    services.maker_policy_update(team=people.team, workday_start=time(8))
    profile_update(user=people.member, lunch_start=time(11, 30), fields={"lunch_start"})
    # An override that cannot pair with the team's other end falls back to the team's pair.
    profile_update(user=people.lead, workday_end=time(7), fields={"workday_end"})
    calendar = selectors.team_calendar(people.team, start=at(0, "00:00"), end=at(1, "00:00"))
    member, lead = calendar.people["member"], calendar.people["lead"]
    assert (member.workday_start, member.lunch_start, member.lunch_end) == (
        time(8),
        time(11, 30),
        time(13),
    )
    assert (lead.workday_start, lead.workday_end) == (time(8), time(18))
    assert member.timezone == "Europe/Paris"  # the team's, as the profile has none


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.ics", "data:text/calendar,BEGIN"]
)
def test_fetch_refuses_non_web_schemes_whatever_stored_them(settings, url):
    """The scheme is checked where the fetch happens, not only where a URL is added: a
    source edited in the admin or restored from a backup must not read local files."""
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with pytest.raises(services.BusyImportFailed, match="http://, https:// or webcal://"):
        services.fetch_calendar(url)


def test_refresh_of_a_stored_file_url_keeps_the_data_and_says_why(db, people: TeamPeople, settings):
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    source = BusySource.objects.create(user=people.member, kind="url", url="file:///etc/hostname")
    with pytest.raises(services.BusyImportFailed):
        services.busy_source_refresh(source=source)
    source.refresh_from_db()
    assert "http://, https:// or webcal://" in source.last_error
    assert not BusyInterval.objects.filter(source=source).exists()
