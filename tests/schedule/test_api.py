"""The schedule API: the documented request and response shapes, 409s with a sentence, 400s for bad
input (never a 500), pinned query counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.dateparse import parse_datetime

from schedule.models import BusyInterval, BusySource, Meeting
from teams.models import Role
from teams.services import profile_update
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory

from .support import (
    add_busy,
    at,
    calendar_server,
    closed_port_url,
    ics,
    make_meeting,
    three_megabytes,
    week_of,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "/api/v1/teams/ml"


# --- maker-policy/ ---------------------------------------------------------------------------


def test_policy_get_and_patch(people: TeamPeople, as_user):
    body = as_user(people.viewer).get(f"{BASE}/maker-policy/").json()
    assert body["workday_start"] == "09:00:00"
    assert body["max_meeting_minutes"] == 60
    assert body["meeting_free_weekdays"] == []
    assert body["windows"] == [
        {"kind": "after_lunch", "start": "13:00", "end": "14:30"},
        {"kind": "early_morning", "start": "09:00", "end": "10:30"},
        {"kind": "end_of_day", "start": "16:30", "end": "18:00"},
    ]
    response = as_user(people.lead).patch(
        f"{BASE}/maker-policy/",
        {"lunch_start": "12:30", "lunch_end": "13:30", "meeting_free_weekdays": [2]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["windows"][0] == {
        "kind": "after_lunch",
        "start": "13:30",
        "end": "15:00",
    }
    assert response.json()["meeting_free_weekdays"] == [2]


@pytest.mark.parametrize(
    "body",
    [
        {"workday_start": "19:00"},
        {"lunch_start": "08:00", "lunch_end": "08:30"},
        {"window_minutes": 0},
        {"max_meeting_minutes": "lots"},
        {"meeting_free_weekdays": [8]},
        {"meeting_free_weekdays": "monday"},
        {"workday_start": "25:00"},
    ],
)
def test_policy_bad_input_is_400(people: TeamPeople, as_user, body):
    response = as_user(people.lead).patch(f"{BASE}/maker-policy/", body)
    assert response.status_code == 400, response.content
    assert as_user(people.lead).get(f"{BASE}/maker-policy/").json()["workday_start"] == "09:00:00"


# --- slot-proposals/ -------------------------------------------------------------------------


def proposals_body(**extra):  # type: ignore[no-untyped-def]
    return {
        "title": "Design sync",
        "duration_minutes": 30,
        "attendees": ["member", "lead"],
        "earliest": at(1, "00:00").date().isoformat(),
        "latest": at(2, "00:00").date().isoformat(),
        **extra,
    }


def test_proposals_shape(people: TeamPeople, as_user):
    profile_update(user=people.lead, timezone="America/New_York", fields={"timezone"})
    profile_update(
        user=people.lead, workday_start=__import__("datetime").time(8), fields={"workday_start"}
    )
    response = as_user(people.member).post(
        f"{BASE}/slot-proposals/", proposals_body(optional_attendees=["viewer"])
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"proposals", "warnings"}
    best = body["proposals"][0]
    assert {
        "start",
        "end",
        "score",
        "windows",
        "local_times",
        "focus_cost_minutes",
        "reasons",
    } <= set(best)
    assert set(best["windows"]) == {"member", "lead", "viewer"}
    assert best["windows"]["member"] == "after_lunch"
    assert best["windows"]["lead"] == "early_morning"
    start = parse_datetime(best["start"])
    assert start is not None and start.utcoffset() is not None
    lead_local = parse_datetime(best["local_times"]["lead"])
    assert lead_local is not None and lead_local.utcoffset() in (
        timedelta(hours=-5),
        timedelta(hours=-4),
    )
    assert best["reasons"] and all(isinstance(r, str) for r in best["reasons"])
    scores = [p["score"] for p in body["proposals"]]
    assert scores == sorted(scores, reverse=True)


def test_proposals_warn_about_big_meetings(people: TeamPeople, as_user):
    as_user(people.lead).patch(f"{BASE}/maker-policy/", {"max_attendees": 2})
    response = as_user(people.member).post(
        f"{BASE}/slot-proposals/", proposals_body(attendees=["member", "lead", "viewer"])
    )
    assert response.status_code == 200
    assert any("keeps meetings to 2 or fewer" in w for w in response.json()["warnings"])


def test_proposals_too_long_is_409(people: TeamPeople, as_user):
    response = as_user(people.member).post(
        f"{BASE}/slot-proposals/", proposals_body(duration_minutes=95)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "meeting_too_long"
    assert "Split it into two shorter meetings" in response.json()["detail"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"attendees": ["ghost"]}, "attendees"),
        ({"attendees": ["outsider"]}, "attendees"),
        ({"attendees": []}, "attendees"),
        ({"optional_attendees": ["member"]}, "optional_attendees"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 10**9}, "duration_minutes"),
        ({"duration_minutes": "half an hour"}, "duration_minutes"),
        ({"earliest": "2025-02-30"}, "earliest"),
        ({"earliest": "2025-03-04T13:00:00"}, "earliest"),
        ({"latest": "tomorrow"}, "latest"),
        ({"latest": "2000-01-01"}, "latest"),
        ({"earliest": "2030-01-01", "latest": "2031-01-01"}, "latest"),
        ({"limit": 0}, "limit"),
    ],
)
def test_proposals_bad_input_is_400(people: TeamPeople, as_user, extra, field):
    response = as_user(people.member).post(f"{BASE}/slot-proposals/", proposals_body(**extra))
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_proposals_query_count_is_flat(people: TeamPeople, as_user, django_assert_max_num_queries):
    client = as_user(people.member)
    with django_assert_max_num_queries(8) as small:
        assert client.post(f"{BASE}/slot-proposals/", proposals_body()).status_code == 200
    for i in range(12):
        user = MembershipFactory(team=people.team, role=Role.MEMBER).user
        add_busy(people.lead, at(1, f"{9 + i % 8:02d}:00"), at(1, f"{9 + i % 8:02d}:20"))
        make_meeting(people.team, at(2, "16:30"), at(2, "17:00"), [user, people.member])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.post(f"{BASE}/slot-proposals/", proposals_body()).status_code == 200


# --- meetings/ --------------------------------------------------------------------------------


def meeting_body(**extra):  # type: ignore[no-untyped-def]
    return {
        "title": "Design sync",
        "start": at(1, "13:00").isoformat(),
        "end": at(1, "13:30").isoformat(),
        "attendees": ["member", "lead"],
        **extra,
    }


def test_create_meeting(people: TeamPeople, as_user):
    response = as_user(people.member).post(
        f"{BASE}/meetings/", meeting_body(optional_attendees=["viewer"])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Design sync"
    assert parse_datetime(body["start"]) == at(1, "13:00")
    assert body["attendees"] == ["lead", "member"]
    assert body["optional_attendees"] == ["viewer"]
    assert body["organizer"] == "member"
    assert (body["status"], body["sequence"], body["forced_into_maker_time"]) == (
        "confirmed",
        0,
        False,
    )
    assert body["uid"].endswith("@focusboard")
    assert body["warnings"] == []
    assert body["local_times"]["member"].endswith("+01:00") or body["local_times"][
        "member"
    ].endswith("+02:00")


def test_create_meeting_conflicts(people: TeamPeople, as_user):
    client = as_user(people.member)
    assert client.post(f"{BASE}/meetings/", meeting_body()).status_code == 201
    clash = client.post(
        f"{BASE}/meetings/",
        meeting_body(start=at(1, "13:15").isoformat(), end=at(1, "13:45").isoformat()),
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "slot_conflict"
    assert "Marco Rossi is in “Design sync”" in clash.json()["detail"]
    assert {c["username"] for c in clash.json()["conflicts"]} == {"member", "lead"}

    maker = client.post(
        f"{BASE}/meetings/",
        meeting_body(start=at(2, "10:45").isoformat(), end=at(2, "11:15").isoformat()),
    )
    assert maker.status_code == 409
    assert maker.json()["code"] == "maker_time"
    forced = client.post(
        f"{BASE}/meetings/",
        meeting_body(
            start=at(2, "10:45").isoformat(),
            end=at(2, "11:15").isoformat(),
            override_maker_time=True,
        ),
    )
    assert forced.status_code == 201
    assert forced.json()["forced_into_maker_time"] is True
    assert forced.json()["warnings"]

    long = client.post(
        f"{BASE}/meetings/",
        meeting_body(start=at(3, "13:00").isoformat(), end=at(3, "15:00").isoformat()),
    )
    assert long.status_code == 409
    assert long.json()["code"] == "meeting_too_long"
    assert "Split it into two shorter meetings" in long.json()["detail"]


def test_create_meeting_too_many_people_warns(people: TeamPeople, as_user):
    as_user(people.lead).patch(f"{BASE}/maker-policy/", {"max_attendees": 2})
    response = as_user(people.member).post(
        f"{BASE}/meetings/", meeting_body(optional_attendees=["viewer"])
    )
    assert response.status_code == 201
    assert any("3 people invited" in w for w in response.json()["warnings"])


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"start": "2030-03-04T13:00:00"}, "start"),  # naive
        ({"end": "2030-03-04 13:30"}, "end"),  # naive
        ({"start": "not a time"}, "start"),
        ({"start": "2030-02-30T13:00:00+01:00"}, "start"),
        ({"attendees": ["ghost"]}, "attendees"),
        ({"attendees": ["outsider"]}, "attendees"),
        ({"attendees": "member"}, "attendees"),
        ({"attendees": []}, "attendees"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"optional_attendees": ["member"]}, "optional_attendees"),
        ({"override_maker_time": "perhaps"}, "override_maker_time"),
    ],
)
def test_create_meeting_bad_input_is_400(people: TeamPeople, as_user, extra, field):
    response = as_user(people.member).post(f"{BASE}/meetings/", meeting_body(**extra))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Meeting.objects.exists()


def test_create_meeting_end_before_start_is_400(people: TeamPeople, as_user):
    response = as_user(people.member).post(
        f"{BASE}/meetings/",
        meeting_body(start=at(1, "13:30").isoformat(), end=at(1, "13:00").isoformat()),
    )
    assert response.status_code == 400
    assert "end" in response.json()


def test_list_meetings_filters_and_paginates(people: TeamPeople, as_user):
    for day in range(5):
        make_meeting(people.team, at(day, "13:00"), at(day, "13:30"), [people.member])
    client = as_user(people.viewer)
    body = client.get(f"{BASE}/meetings/").json()
    assert body["count"] == 5 and len(body["results"]) == 5
    monday = at(0, "00:00").date()
    ranged = client.get(
        f"{BASE}/meetings/",
        {"from": (monday + timedelta(days=1)).isoformat(), "to": at(3, "00:00").isoformat()},
    ).json()
    assert ranged["count"] == 2
    for bad in ({"from": "yesterday"}, {"to": "2030-01-01T10:00"}, {"status": "maybe"}):
        response = client.get(f"{BASE}/meetings/", bad)
        assert response.status_code == 400, (bad, response.content)


def test_meetings_list_query_count_is_flat(
    people: TeamPeople, as_user, django_assert_max_num_queries
):
    make_meeting(people.team, at(0, "13:00"), at(0, "13:30"), [people.member])
    client = as_user(people.member)
    with django_assert_max_num_queries(6) as small:
        assert client.get(f"{BASE}/meetings/").status_code == 200
    for i in range(20):
        user = MembershipFactory(team=people.team, role=Role.MEMBER).user
        make_meeting(
            people.team,
            at(i % 5, "14:00"),
            at(i % 5, "14:15"),
            [user, people.lead],
            [people.viewer],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"{BASE}/meetings/").json()["count"] == 21


def test_patch_and_cancel_meeting(people: TeamPeople, as_user):
    client = as_user(people.member)
    meeting_id = client.post(f"{BASE}/meetings/", meeting_body()).json()["id"]
    moved = client.patch(
        f"{BASE}/meetings/{meeting_id}/",
        {"start": at(1, "13:30").isoformat(), "end": at(1, "14:00").isoformat()},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["sequence"] == 1
    into_maker = client.patch(
        f"{BASE}/meetings/{meeting_id}/",
        {"start": at(1, "10:45").isoformat(), "end": at(1, "11:15").isoformat()},
    )
    assert into_maker.status_code == 409 and into_maker.json()["code"] == "maker_time"
    bad = client.patch(f"{BASE}/meetings/{meeting_id}/", {"start": "2030-01-01T10:00"})
    assert bad.status_code == 400
    cancelled = client.post(f"{BASE}/meetings/{meeting_id}/cancel/")
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)
    assert cancelled.json()["cancelled_at"]
    again = client.patch(f"{BASE}/meetings/{meeting_id}/", {"title": "Back"})
    assert again.status_code == 409 and again.json()["code"] == "meeting_cancelled"
    assert client.get(f"{BASE}/meetings/{meeting_id}/").json()["status"] == "cancelled"


def test_another_teams_meeting_is_404(people: TeamPeople, as_user):
    from tests.factories import TeamFactory

    other = TeamFactory(slug="elsewhere")
    theirs = make_meeting(other, at(1, "13:00"), at(1, "13:30"), [])
    client = as_user(people.lead)
    assert client.get(f"{BASE}/meetings/{theirs.pk}/").status_code == 404
    assert client.post(f"{BASE}/meetings/{theirs.pk}/cancel/").status_code == 404
    assert client.patch(f"{BASE}/meetings/{theirs.pk}/", {"title": "x"}).status_code == 404


# --- busy-sources/ -----------------------------------------------------------------------------


def post_file(client, data: bytes, name: str = "calendar.ics"):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(name, data, content_type="text/calendar")
    return client.post(f"{BASE}/busy-sources/", {"file": upload}, format="multipart")


def test_upload_then_a_bad_upload_keeps_the_intervals(people: TeamPeople, as_user):
    client = as_user(people.member)
    created = post_file(client, ics((at(1, "10:00"), at(1, "11:00"), "Review")))
    assert created.status_code == 201, created.content
    assert (created.json()["imported"], created.json()["kind"]) == (1, "upload")
    for bad, reason in (
        (FIXTURES.joinpath("not_a_calendar.ics").read_bytes(), "not an iCalendar file"),
        (FIXTURES.joinpath("truncated.ics").read_bytes(), "truncated"),
        (b"\x00\x01\x02binary", "not an iCalendar file"),
    ):
        response = post_file(client, bad)
        assert response.status_code == 400, response.content
        # The same 400 shape as any validation error: the field's list of sentences.
        assert list(response.json()) == ["file"]
        assert reason in response.json()["file"][0]
        assert BusyInterval.objects.filter(user=people.member).count() == 1
    # Over 2 MB is refused by its Content-Length before it is read (core.middleware): 413.
    response = post_file(client, three_megabytes())
    assert response.status_code == 413, response.content
    assert "2 MB" in response.json()["detail"]
    assert BusyInterval.objects.filter(user=people.member).count() == 1
    listed = client.get(f"{BASE}/busy-sources/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["interval_count"] == 1
    # The 400 told the client what was wrong with the new file; the previous (good) file's
    # row carries no error of it.
    assert listed["results"][0]["last_error"] == ""


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "apple.ics", "never_ending.ics"])
def test_realistic_exports_import(people: TeamPeople, as_user, name):
    response = post_file(as_user(people.member), FIXTURES.joinpath(name).read_bytes(), name)
    assert response.status_code == 201, response.content
    imported = response.json()["imported"]
    assert imported == BusyInterval.objects.filter(user=people.member).count()
    if name == "never_ending.ics":
        # A daily rule since 2001, expanded only inside the horizon (about 13 weeks).
        assert 50 < imported < 150


def test_busy_source_by_url_and_refresh(people: TeamPeople, as_user, settings):
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    client = as_user(people.member)
    with calendar_server() as server:
        server.routes["/c.ics"] = (200, ics((at(1, "10:00"), at(1, "11:00"), "x")))
        created = client.post(f"{BASE}/busy-sources/", {"url": server.url("/c.ics")})
        assert created.status_code == 201, created.content
        assert (created.json()["kind"], created.json()["imported"]) == ("url", 1)
        source_id = created.json()["id"]
        server.routes["/c.ics"] = (200, b"garbage")
        refreshed = client.post(f"{BASE}/busy-sources/{source_id}/refresh/")
        assert refreshed.status_code == 400
        assert "not an iCalendar file" in refreshed.json()["url"][0]
        assert BusyInterval.objects.filter(source_id=source_id).count() == 1
    unreachable = client.post(f"{BASE}/busy-sources/", {"url": closed_port_url()})
    assert unreachable.status_code == 400
    assert "Could not reach" in unreachable.json()["url"][0]
    for bad in ("ftp://example.com/x.ics", "", "not a url"):
        assert client.post(f"{BASE}/busy-sources/", {"url": bad}).status_code == 400
    empty = client.post(f"{BASE}/busy-sources/", {})
    assert empty.status_code == 400 and "`url`" in empty.json()["file"][0]


def test_busy_sources_are_private_to_their_owner(people: TeamPeople, as_user):
    assert post_file(as_user(people.lead), ics()).status_code == 201
    source = BusySource.objects.get(user=people.lead)
    member = as_user(people.member)
    assert member.get(f"{BASE}/busy-sources/").json()["count"] == 0
    assert member.get(f"{BASE}/busy-sources/{source.pk}/").status_code == 404
    assert member.delete(f"{BASE}/busy-sources/{source.pk}/").status_code == 404
    lead = as_user(people.lead)
    assert lead.delete(f"{BASE}/busy-sources/{source.pk}/").status_code == 204
    assert not BusySource.objects.exists()


# --- maker-report/ and rebalance/ --------------------------------------------------------------


def test_maker_report(people: TeamPeople, as_user):
    monday = at(0, "00:00").date()
    make_meeting(people.team, at(1, "13:00"), at(1, "13:30"), [people.member])
    make_meeting(people.team, at(2, "10:30"), at(2, "11:00"), [people.member], forced=True)
    response = as_user(people.viewer).get(f"{BASE}/maker-report/", {"week": week_of(monday)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["week_start"] == monday.isoformat()
    assert body["team_timezone"] == "Europe/Paris"
    member = next(p for p in body["people"] if p["username"] == "member")
    assert member["name"] == "Marco Rossi"
    assert member["meetings"] == 2
    assert member["maker_friendly_percent"] == 50.0
    assert member["interrupts"] == 1
    assert [d["date"] for d in member["days"]] == [
        (monday + timedelta(days=i)).isoformat() for i in range(5)
    ]
    # Monday untouched: 09-12 and 13-18 are two focus blocks (3 h + 5 h).
    assert member["days"][0]["focus_hours"] == 8.0
    assert member["days"][2]["focus_hours"] < 8.0
    assert body["previous"]["meetings"] == 0
    assert member["focus_hours_delta"] == member["focus_hours"] - 40.0
    lead = next(p for p in body["people"] if p["username"] == "lead")
    assert lead["maker_friendly_percent"] is None


@pytest.mark.parametrize("week", ["2025-W60", "W07", "last week", "2025-13-01", "%00"])
def test_bad_week_is_400(people: TeamPeople, as_user, week):
    for path in ("maker-report", "rebalance"):
        response = as_user(people.member).get(f"{BASE}/{path}/", {"week": week})
        assert response.status_code == 400, response.content
        assert "YYYY-Www" in str(response.json())


def test_rebalance_suggests_moving_a_maker_time_meeting(people: TeamPeople, as_user):
    monday = at(0, "00:00").date()
    meeting = make_meeting(
        people.team, at(2, "10:30"), at(2, "11:00"), [people.member, people.lead], forced=True
    )
    response = as_user(people.member).get(f"{BASE}/rebalance/", {"week": week_of(monday)})
    assert response.status_code == 200, response.content
    suggestions = response.json()["suggestions"]
    assert suggestions and suggestions[0]["meeting"] == meeting.pk
    move = suggestions[0]
    assert move["focus_gain_minutes"] > 0
    assert move["reasons"]
    applied = as_user(people.member).patch(
        f"{BASE}/meetings/{meeting.pk}/", {"start": move["new_start"], "end": move["new_end"]}
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["forced_into_maker_time"] is False
    again = as_user(people.member).get(f"{BASE}/rebalance/", {"week": week_of(monday)}).json()
    assert all(s["meeting"] != meeting.pk for s in again["suggestions"])


def test_report_query_count_is_flat(people: TeamPeople, as_user, django_assert_max_num_queries):
    client = as_user(people.member)
    week = week_of(at(0, "00:00").date())
    with django_assert_max_num_queries(8) as small:
        assert client.get(f"{BASE}/maker-report/", {"week": week}).status_code == 200
    for i in range(10):
        user = MembershipFactory(team=people.team, role=Role.MEMBER).user
        add_busy(user, at(i % 5, "09:00"), at(i % 5, "10:00"))
        make_meeting(people.team, at(i % 5, "13:00"), at(i % 5, "13:30"), [user])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"{BASE}/maker-report/", {"week": week}).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"{BASE}/rebalance/", {"week": week}).status_code == 200


def test_schema_lists_every_schedule_endpoint(client, db):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/maker-policy/",
        "/slot-proposals/",
        "/meetings/",
        "/meetings/{id}/",
        "/meetings/{id}/cancel/",
        "/busy-sources/",
        "/busy-sources/{id}/",
        "/busy-sources/{id}/refresh/",
        "/maker-report/",
        "/rebalance/",
    ):
        assert f"/api/v1/teams/{{team_slug}}{path}" in schema, path
    assert "SlotRequest" in schema and "Proposal" in schema and "MakerReport" in schema


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("slot-proposals/", proposals_body(earliest="0001-01-01")),
        ("slot-proposals/", proposals_body(latest="9999-12-31")),
        ("slot-proposals/", proposals_body(earliest="9999-12-31T23:30:00-01:00")),
        ("meetings/", meeting_body(start="9999-12-31T23:00:00-01:00")),
        ("meetings/", meeting_body(start="0001-01-01T00:00:00+01:00")),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_400_not_500(people: TeamPeople, as_user, path, body):
    response = as_user(people.member).post(f"{BASE}/{path}", body)
    assert response.status_code == 400, response.content


def test_extreme_filters_and_weeks_are_400(people: TeamPeople, as_user):
    client = as_user(people.member)
    for query in ({"from": "0001-01-01"}, {"to": "9999-12-31"}):
        assert client.get(f"{BASE}/meetings/", query).status_code == 400
    for week in ("9999-W52", "0001-W01"):
        assert client.get(f"{BASE}/maker-report/", {"week": week}).status_code == 400
        assert client.get(f"{BASE}/rebalance/", {"week": week}).status_code == 400


def test_cancelling_a_past_meeting_is_a_409_with_a_sentence(people: TeamPeople, as_user):
    from django.utils import timezone

    now = timezone.now()
    past = make_meeting(
        people.team, now - timedelta(hours=3), now - timedelta(hours=2), [people.member]
    )
    client = as_user(people.member)
    response = client.post(f"{BASE}/meetings/{past.pk}/cancel/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "“Sync” is over; a past meeting cannot be cancelled.",
        "code": "meeting_in_past",
    }
    moved = client.patch(
        f"{BASE}/meetings/{past.pk}/",
        {"start": at(1, "13:00").isoformat(), "end": at(1, "13:30").isoformat()},
    )
    assert moved.status_code == 409 and moved.json()["code"] == "meeting_in_past"
    assert client.get(f"{BASE}/meetings/{past.pk}/").json()["status"] == "confirmed"


def test_a_new_team_has_no_change_from_last_week(people: TeamPeople, as_user):
    report = as_user(people.member).get(f"{BASE}/maker-report/").json()
    assert report["focus_hours_delta"] is None and report["previous"] is None
    assert all(person["focus_hours_delta"] is None for person in report["people"])


def test_required_and_optional_at_once_is_a_400_sentence(people: TeamPeople, as_user):
    client = as_user(people.member)
    body = {"duration_minutes": 30, "attendees": ["member"], "optional_attendees": ["member"]}
    response = client.post(f"{BASE}/slot-proposals/", body, format="json")
    assert response.status_code == 400
    assert "member cannot be both required and optional." in str(response.json())
    booked = client.post(
        f"{BASE}/meetings/", meeting_body(optional_attendees=["member"]), format="json"
    )
    assert booked.status_code == 400
    assert "cannot be both required and optional" in str(booked.json())
