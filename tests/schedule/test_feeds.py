"""Calendar feeds: /feeds/<token>.ics through the HTTP client, /me/feeds/ and API me/feeds/."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import feeds as core_feeds
from core.feeds import FeedEvent, FeedStamp
from schedule.models import FeedToken, Meeting
from teams.models import Membership
from teams.services import profile_update

from .feed_support import book, new_feed, path_of
from .feed_support import people_with_addresses as _fixture  # noqa: F401
from .ical_checks import occurrences, parse_everywhere
from .support import at, iso, make_meeting

pytestmark = pytest.mark.django_db

BASE = "/api/v1/teams/ml"


def test_personal_feed_loads_in_three_parsers_and_says_why(team_people, as_user, client):
    api = as_user(team_people.lead)
    meeting = book(api)
    created = new_feed(api)
    assert set(created) >= {"id", "scope", "url", "webcal_url"}
    assert created["url"].startswith("http://testserver/feeds/")
    assert created["webcal_url"] == "webcal://" + created["url"].split("://", 1)[1]

    response = client.get(path_of(created["url"]), HTTP_USER_AGENT="Google-Calendar-Importer")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    assert "noindex" in response["X-Robots-Tag"]
    parsed = parse_everywhere(response.content)
    cal = parsed.calendar
    assert str(cal["VERSION"]) == "2.0" and "Focusboard" in str(cal["PRODID"])
    assert "METHOD" not in cal  # published, not sent
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "lead's meetings (Focusboard)"
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal["X-PUBLISHED-TTL"].to_ical() == b"PT1H"
    event = parsed.event(meeting.uid)
    assert event.decoded("DTSTART") == at(1, "13:00").astimezone(UTC)
    assert event.decoded("DTSTAMP") == meeting.updated_at.replace(microsecond=0)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED" and str(event["TRANSP"]) == "OPAQUE"
    description = str(event["DESCRIPTION"])
    assert "Why this time: right after lunch for Lena Petrova (Paris) and Marco Rossi (Paris)." in (
        description
    )
    assert "http://testserver/t/ml/schedule/?week=" in description
    assert str(event["URL"]).endswith(f"#meeting-{meeting.pk}")
    # The page the link opens has that anchor.
    week_page = client_for(team_people.lead, client).get(
        str(event["URL"]).removeprefix("http://testserver")
    )
    assert f'id="meeting-{meeting.pk}"' in week_page.content.decode()
    # Attendee lists stay out of feeds: whoever holds the address reads the calendar.
    assert "ATTENDEE" not in response.content.decode()
    # Occurrences as recurring-ical-events sees them.
    (occurrence,) = occurrences(parsed, at(1, "00:00").date(), 1)
    assert str(occurrence["UID"]) == meeting.uid
    # vobject and ics read the same times.
    vevent = parsed.vobject.vevent_list[0]
    assert vevent.dtstart.value == at(1, "13:00")
    (ics_event,) = parsed.ics.events
    assert ics_event.begin.datetime == at(1, "13:00")
    # The fetch is noted, with the client.
    token = FeedToken.objects.get(pk=created["id"])
    assert token.last_used_at is not None
    assert token.last_user_agent == "Google-Calendar-Importer"


def client_for(user, client):
    client.force_login(user)
    return client


def test_same_data_same_bytes_and_conditional_requests(team_people, as_user, client):
    api = as_user(team_people.lead)
    book(api)
    path = path_of(new_feed(api)["url"])
    first = client.get(path)
    second = client.get(path)
    assert first.content == second.content
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert second["ETag"] == etag and second["Last-Modified"] == first["Last-Modified"]

    not_modified = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    since = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # Positive controls: another ETag, an older date -> the whole feed.
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert client.get(path, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").content

    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == etag and int(head["Content-Length"]) == len(first.content)
    assert client.head(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.post(path).status_code == 405


def test_sequence_grows_on_move_and_cancel_and_a_cancellation_stays_30_days(
    team_people, as_user, client
):
    api = as_user(team_people.lead)
    meeting = book(api)
    path = path_of(new_feed(api)["url"])
    before = client.get(path)

    moved = api.patch(
        f"{BASE}/meetings/{meeting.pk}/",
        {"start": iso(at(2, "13:30")), "end": iso(at(2, "14:00"))},
    )
    assert moved.status_code == 200, moved.content
    after_move = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after_move.status_code == 200 and after_move["ETag"] != before["ETag"]
    event = parse_everywhere(after_move.content).event(meeting.uid)  # same UID
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == at(2, "13:30").astimezone(UTC)

    assert api.post(f"{BASE}/meetings/{meeting.pk}/cancel/").status_code == 200
    cancelled = parse_everywhere(client.get(path).content).event(meeting.uid)
    assert int(cancelled["SEQUENCE"]) == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "[Cancelled] Design review"  # Google drops STATUS

    # 29 days after the cancellation it is still there; after 30 it is gone.
    Meeting.objects.filter(pk=meeting.pk).update(cancelled_at=timezone.now() - timedelta(days=29))
    assert meeting.uid in client.get(path).content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(cancelled_at=timezone.now() - timedelta(days=31))
    assert meeting.uid not in client.get(path).content.decode()


def test_unknown_revoked_and_rotated_away_addresses_are_404(team_people, as_user, client):
    api = as_user(team_people.lead)
    created = new_feed(api)
    old = path_of(created["url"])
    assert client.get(old).status_code == 200  # positive control

    rotated = api.post(f"/api/v1/me/feeds/{created['id']}/rotate/")
    assert rotated.status_code == 200
    new = path_of(rotated.json()["url"])
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200

    assert api.delete(f"/api/v1/me/feeds/{created['id']}/").status_code == 204
    assert client.get(new).status_code == 404
    assert api.post(f"/api/v1/me/feeds/{created['id']}/rotate/").status_code == 404
    for garbage in ("nope", "x" * 300, "%00", "..%2f..%2fetc"):
        assert client.get(f"/feeds/{garbage}.ics").status_code == 404


def test_a_team_feed_stops_when_its_owner_leaves_the_team(team_people, as_user, client):
    api = as_user(team_people.member)
    meeting = book(as_user(team_people.lead))
    api = as_user(team_people.member)
    created = new_feed(api, scope="team", team="ml")
    assert created["scope"] == "team"
    path = path_of(created["url"])
    response = client.get(path)
    assert response.status_code == 200
    assert meeting.uid in response.content.decode()
    assert str(parse_everywhere(response.content).calendar["X-WR-CALNAME"]) == (
        "ML Team (Focusboard)"
    )
    Membership.objects.filter(user=team_people.member, team=team_people.team).delete()
    assert client.get(path).status_code == 404
    # Nor can anyone ask for a team they are not in.
    outsider = as_user(team_people.outsider).post(
        "/api/v1/me/feeds/", {"scope": "team", "team": "ml"}
    )
    assert outsider.status_code == 400
    assert "team" in outsider.json()


def test_maker_blocks_are_busy_and_never_over_a_meeting_window(team_people, as_user, client):
    api = as_user(team_people.lead)
    path = path_of(new_feed(api, scope="personal", include_maker_blocks=True)["url"])
    parsed = parse_everywhere(client.get(path).content)
    blocks = [e for e in parsed.events() if str(e["SUMMARY"]) == "Maker time"]
    assert blocks
    monday = at(0, "00:00").date()
    tuesday = [e for e in blocks if e.decoded("DTSTART").date() == monday + timedelta(days=1)]
    # 9-18 Paris with lunch 12-13: maker time is 10:30-12:00 and 14:30-16:30.
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in tuesday] == [
        (at(1, "10:30").astimezone(UTC), at(1, "12:00").astimezone(UTC)),
        (at(1, "14:30").astimezone(UTC), at(1, "16:30").astimezone(UTC)),
    ]
    assert all(str(e["TRANSP"]) == "OPAQUE" for e in blocks)  # busy: booking tools avoid it
    assert not any(e.decoded("DTSTART").weekday() >= 5 for e in blocks)
    # Off by default.
    plain = path_of(new_feed(api)["url"])
    assert "Maker time" not in client.get(plain).content.decode()


@pytest.fixture
def dummy_source(monkeypatch):
    """Another app's source (milestones): an all-day, transparent "~ title" event."""
    monkeypatch.setattr(core_feeds, "_sources", dict(core_feeds._sources))
    monkeypatch.setattr(core_feeds, "_versions", dict(core_feeds._versions))
    changed = datetime(2026, 1, 5, 10, tzinfo=UTC)
    calls = []

    def milestones(query):
        calls.append(query)
        return [
            FeedEvent(
                uid="milestone-7@focusboard",
                summary="~ Ship the ranking model",
                start=date(2026, 3, 9),
                end=date(2026, 3, 10),
                sequence=3,
                changed_at=changed,
                transparent=True,
            )
        ]

    return milestones, changed, calls


def test_an_app_source_contributes_all_day_transparent_events(
    team_people, as_user, client, dummy_source
):
    milestones, changed, calls = dummy_source
    core_feeds.register_feed_source(
        "milestones", milestones, version=lambda query: FeedStamp("m-v1", changed)
    )
    api = as_user(team_people.lead)
    path = path_of(new_feed(api, scope="team", team="ml")["url"])
    first = client.get(path)
    parsed = parse_everywhere(first.content)
    event = parsed.event("milestone-7@focusboard")
    assert event["DTSTART"].to_ical() == b"20260309"
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event.decoded("DTEND") == date(2026, 3, 10)  # exclusive: one day
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["SUMMARY"]) == "~ Ship the ranking model"
    (ics_event,) = [e for e in parsed.ics.events if e.uid == "milestone-7@focusboard"]
    assert ics_event.all_day
    # A 304 asks the source's fingerprint, not its events.
    calls.clear()
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert calls == []

    # A source without a fingerprint: the feed is rendered and its bytes give the ETag.
    core_feeds.register_feed_source("milestones", milestones)
    again = client.get(path)
    assert again.content == first.content
    assert client.get(path, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
    assert calls  # rendered to find out


def _queries(client, path: str, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code in (200, 304)
    return len(ctx)


def test_query_count_does_not_grow_with_the_number_of_meetings(team_people, as_user, client):
    api = as_user(team_people.lead)
    people = [team_people.lead, team_people.member]
    path = path_of(new_feed(api, scope="personal", include_maker_blocks=True)["url"])
    make_meeting(team_people.team, at(1, "13:00"), at(1, "13:30"), people)
    etag = client.get(path)["ETag"]  # the first fetch notes itself
    few, few_304 = _queries(client, path), _queries(client, path, HTTP_IF_NONE_MATCH=etag)
    for day in range(2, 30):
        make_meeting(team_people.team, at(day, "13:00"), at(day, "13:30"), people)
    response = client.get(path)
    assert response.content.decode().count("BEGIN:VEVENT") > 29
    many = _queries(client, path)
    etag = client.get(path)["ETag"]
    assert many == few
    assert _queries(client, path, HTTP_IF_NONE_MATCH=etag) == few_304 <= few


def test_feed_addresses_never_reach_the_logs(team_people, as_user, client, caplog):
    created = new_feed(as_user(team_people.lead))
    secret = path_of(created["url"]).removeprefix("/feeds/").removesuffix(".ics")
    FeedToken.objects.filter(pk=created["id"]).update(revoked_at=timezone.now())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/feeds/{secret}.ics").status_code == 404
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert logged == ["Not Found: /feeds/***.ics"]

    # runserver's request log goes through the same mask.
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    server = logging.getLogger("django.server")
    handler = Keep()
    server.addHandler(handler)
    try:
        server.info('"%s" %s %s', f"GET /feeds/{secret}.ics HTTP/1.1", 200, 512)
        server.info('"%s" %s %s', f"GET /wall/{secret}/content/ HTTP/1.1", 200, 512)
    finally:
        server.removeHandler(handler)
    assert seen == [
        '"GET /feeds/***.ics HTTP/1.1" 200 512',
        '"GET /wall/***/content/ HTTP/1.1" 200 512',
    ]


# --- /me/feeds/ -----------------------------------------------------------------------------


def test_me_feeds_page_shows_an_address_once_then_when_and_by_what_it_was_fetched(
    team_people, client
):
    client.force_login(team_people.lead)
    assert client.get("/me/feeds/").status_code == 200
    created = client.post("/me/feeds/", {"calendar": "team:ml"})
    assert created.status_code == 201
    html = created.content.decode()
    token = FeedToken.objects.get(user=team_people.lead)
    assert token.team == team_people.team
    start = html.index('id="feed-https" type="text" readonly value="') + len(
        'id="feed-https" type="text" readonly value="'
    )
    url = html[start : html.index('"', start)]
    assert url.startswith("http://testserver/feeds/") and url.endswith(".ics")
    assert 'value="webcal://testserver/feeds/' in html
    assert 'data-copy="feed-webcal"' in html

    feed = client.get(path_of(url), HTTP_USER_AGENT="Thunderbird/128.0")
    assert feed.status_code == 200
    page = client.get("/me/feeds/").content.decode()
    assert path_of(url) not in page  # shown once only
    assert "Thunderbird/128.0" in page and "just now" in page

    rotated = client.post(f"/me/feeds/{token.pk}/rotate/")
    assert rotated.status_code == 200
    assert client.get(path_of(url)).status_code == 404
    assert client.post(f"/me/feeds/{token.pk}/revoke/", {"confirmed": "yes"}).status_code == 302
    assert not FeedToken.objects.live().filter(pk=token.pk).exists()

    # Someone else's feed is not mine to rotate or revoke; bad input is a 400 sentence.
    theirs, _ = FeedToken.issue(user=team_people.member, scope="personal")
    assert client.post(f"/me/feeds/{theirs.pk}/rotate/").status_code == 404
    assert client.post(f"/me/feeds/{theirs.pk}/revoke/", {"confirmed": "yes"}).status_code == 404
    assert client.post("/me/feeds/", {"calendar": "team:other"}).status_code == 400


def test_me_feeds_needs_login_and_lists_only_mine_without_secrets(team_people, as_user, client):
    assert client.get("/me/feeds/").status_code == 302
    assert as_user(None).get("/api/v1/me/feeds/").status_code in (401, 403)
    new_feed(as_user(team_people.member))
    mine = new_feed(as_user(team_people.lead))
    listed = as_user(team_people.lead).get("/api/v1/me/feeds/").json()["results"]
    assert [f["id"] for f in listed] == [mine["id"]]
    assert "url" not in listed[0]
    assert as_user(team_people.lead).post("/api/v1/me/feeds/", {"scope": "x"}).status_code == 400


def test_a_change_to_what_the_reasons_say_is_a_new_etag(team_people, as_user, client):
    """The 304 path never builds events, so its fingerprint must cover everything the events
    are written from: here a person's time zone, which the reasons name."""
    api = as_user(team_people.lead)
    meeting = book(api)
    path = path_of(new_feed(api)["url"])
    before = client.get(path)
    assert "Marco Rossi (Paris)" in str(
        parse_everywhere(before.content).event(meeting.uid)["DESCRIPTION"]
    )
    profile_update(user=team_people.member, timezone="Europe/London", fields={"timezone"})
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    description = str(parse_everywhere(after.content).event(meeting.uid)["DESCRIPTION"])
    assert "Marco Rossi (London)" in description
    # And the team's name, which the description also gives.
    team_people.team.name = "Ranking Team"
    team_people.team.save()
    renamed = client.get(path, HTTP_IF_NONE_MATCH=after["ETag"])
    assert renamed.status_code == 200 and "in Ranking Team" in renamed.content.decode()
