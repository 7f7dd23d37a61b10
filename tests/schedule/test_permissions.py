"""The role matrix over every schedule endpoint and page: anonymous, another team's lead (the
outsider: a plain 404), viewer (reads only), member, lead (also the maker policy).

After every write the test reads the team's state back through the API: members and leads
change exactly what they asked for, nobody else changes anything. Busy calendars are read only
through HTTP (their storage is being reshaped: calendars belong to the person)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from tests.conftest import TeamPeople
from tests.factories import TeamFactory

from .support import CalendarServer, at, calendar_server, ics, make_meeting

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]
BASE = "/api/v1/teams/ml"
MEMBERS = frozenset({"member", "lead"})
LEADS = frozenset({"lead"})
API_REFUSED = {"anonymous": 401, "outsider": 404, "viewer": 403, "member": 403}
PAGE_REFUSED = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403}

ONE_EVENT = ics((at(1, "10:00"), at(1, "11:00"), "Busy"))
TWO_EVENTS = ics((at(1, "10:00"), at(1, "11:00"), "Busy"), (at(2, "10:00"), at(2, "11:00"), "x"))

State = dict[str, Any]


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def meeting_row(m: dict[str, Any]) -> tuple[str, datetime | None, datetime | None, str, int]:
    return (
        m["title"],
        parse_datetime(m["start"]),
        parse_datetime(m["end"]),
        m["status"],
        m["sequence"],
    )


def team_state(people: TeamPeople) -> State:
    """What the team's people can read: the policy, the meetings, everyone's own calendars."""
    lead = api_as(people.lead)
    policy = lead.get(f"{BASE}/maker-policy/").json()
    policy.pop("windows")  # derived from the hours; the page test reads it
    meetings = lead.get(f"{BASE}/meetings/").json()["results"]
    sources = {}
    for user in (people.lead, people.member, people.viewer):
        rows = api_as(user).get(f"{BASE}/busy-sources/").json()["results"]
        sources[user.username] = sorted(
            (s["kind"], s["url"] or s["filename"], s["interval_count"]) for s in rows
        )
    return {"policy": policy, "meetings": sorted(map(meeting_row, meetings)), "sources": sources}


@dataclass
class Scene:
    """A team with a meeting and a calendar address for its member and lead (added through
    the API), and the calendar server behind those addresses."""

    people: TeamPeople
    server: CalendarServer
    meeting_id: int
    url_source: dict[str, int]  # username -> id of their calendar address

    def source_for(self, who: str) -> int:
        """The requester's own calendar; for those with none, the member's."""
        return self.url_source.get(who, self.url_source["member"])


@pytest.fixture
def scene(people: TeamPeople, settings) -> Iterator[Scene]:
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    meeting = make_meeting(people.team, at(1, "13:00"), at(1, "13:15"), [people.member])
    with calendar_server() as server:
        server.routes["/c.ics"] = (200, ONE_EVENT)
        ids = {}
        for user in (people.member, people.lead):
            added = api_as(user).post(f"{BASE}/busy-sources/", {"url": server.url("/c.ics")})
            assert added.status_code == 201, added.content
            ids[user.username] = added.json()["id"]
        yield Scene(people, server, meeting.pk, ids)


# --- What each write changes, for those allowed to make it -------------------------------------


def with_policy(**changes: Any) -> Callable[[State, str, Scene], State]:
    def expect(state: State, who: str, scene: Scene) -> State:
        return {**state, "policy": {**state["policy"], **changes}}

    return expect


def with_meeting(
    change: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None,
    *,
    added: tuple[Any, ...] | None = None,
) -> Callable[[State, str, Scene], State]:
    def expect(state: State, who: str, scene: Scene) -> State:
        rows = [change(r) if change and r[0] == "Sync" else r for r in state["meetings"]]
        return {**state, "meetings": sorted(rows + ([added] if added else []))}

    return expect


def with_sources(
    change: Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]],
) -> Callable[[State, str, Scene], State]:
    def expect(state: State, who: str, scene: Scene) -> State:
        return {
            **state,
            "sources": {**state["sources"], who: sorted(change(state["sources"][who]))},
        }

    return expect


SYNC_START, SYNC_END = at(1, "13:00"), at(1, "13:15")
BOOKED = ("Booked", at(1, "14:00"), at(1, "14:15"), "confirmed", 0)
MOVED = with_meeting(lambda r: ("Sync", at(1, "13:30"), at(1, "13:45"), "confirmed", 1))
CANCELLED = with_meeting(lambda r: ("Sync", SYNC_START, SYNC_END, "cancelled", 1))
UPLOADED = with_sources(lambda rows: [*rows, ("upload", "c.ics", 1)])
REFRESHED = with_sources(lambda rows: [(k, u, 2 if k == "url" else n) for k, u, n in rows])
DELETED = with_sources(lambda rows: [r for r in rows if r[0] != "url"])


def added_url(state: State, who: str, scene: Scene) -> State:
    row = ("url", scene.server.url("/c.ics?again"), 2)
    return with_sources(lambda rows: [*rows, row])(state, who, scene)


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("c.ics", ONE_EVENT, content_type="text/calendar")


@dataclass(frozen=True)
class Write:
    method: str
    path: str  # {meeting}, {source} and {url} are filled in
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None
    allowed: frozenset[str]
    expect: Callable[[State, str, Scene], State]
    multipart: bool = False

    def data(self, scene: Scene) -> dict[str, Any] | None:
        body = self.body() if callable(self.body) else self.body
        if body is None:
            return None
        url = scene.server.url("/c.ics")
        return {k: v.format(url=url) if isinstance(v, str) else v for k, v in body.items()}


API_WRITES = {
    "policy": Write(
        "patch", "/maker-policy/", {"max_attendees": 5}, LEADS, with_policy(max_attendees=5)
    ),
    "book": Write(
        "post",
        "/meetings/",
        {
            "title": "Booked",
            "start": BOOKED[1].isoformat(),
            "end": BOOKED[2].isoformat(),
            "attendees": ["member"],
        },
        MEMBERS,
        with_meeting(added=BOOKED),
    ),
    "move": Write(
        "patch",
        "/meetings/{meeting}/",
        {"start": at(1, "13:30").isoformat(), "end": at(1, "13:45").isoformat()},
        MEMBERS,
        MOVED,
    ),
    "rename": Write(
        "patch",
        "/meetings/{meeting}/",
        {"title": "Renamed"},
        MEMBERS,
        with_meeting(lambda r: ("Renamed", *r[1:4], 1)),
    ),
    "cancel": Write("post", "/meetings/{meeting}/cancel/", None, MEMBERS, CANCELLED),
    "upload": Write("post", "/busy-sources/", lambda: {"file": upload()}, MEMBERS, UPLOADED, True),
    "refresh": Write("post", "/busy-sources/{source}/refresh/", None, MEMBERS, REFRESHED),
    "delete": Write("delete", "/busy-sources/{source}/", None, MEMBERS, DELETED),
}
API_SUCCESS = {"post": 200, "patch": 200, "delete": 204}
API_CREATED = {"book", "upload"}


@pytest.mark.parametrize("case", list(API_WRITES))
@pytest.mark.parametrize("who", WHO)
def test_api_write_role_matrix(scene: Scene, who: str, case: str):
    write = API_WRITES[case]
    people = scene.people
    before = team_state(people)
    scene.server.routes["/c.ics"] = (200, TWO_EVENTS)  # what a refresh would now find
    client = APIClient()
    if (user := people.user(who)) is not None:
        client.force_authenticate(user)
    path = BASE + write.path.format(meeting=scene.meeting_id, source=scene.source_for(who))
    response = getattr(client, write.method)(
        path, write.data(scene), format="multipart" if write.multipart else "json"
    )
    after = team_state(people)
    if who in write.allowed:
        expected = 201 if case in API_CREATED else API_SUCCESS[write.method]
        assert response.status_code == expected, response.content
        assert after == write.expect(before, who, scene)
    else:
        assert response.status_code == API_REFUSED[who], response.content
        assert after == before


API_READS = [
    f"{BASE}/maker-policy/",
    f"{BASE}/meetings/",
    f"{BASE}/meetings/{{meeting}}/",
    f"{BASE}/busy-sources/",
    f"{BASE}/maker-report/",
    f"{BASE}/rebalance/",
]


@pytest.mark.parametrize("path", API_READS)
@pytest.mark.parametrize("who", WHO)
def test_api_read_role_matrix(people: TeamPeople, who: str, path: str):
    meeting = make_meeting(people.team, at(1, "13:00"), at(1, "13:15"), [people.member])
    client = APIClient()
    if (user := people.user(who)) is not None:
        client.force_authenticate(user)
    response = client.get(path.format(meeting=meeting.pk))
    expected = {"anonymous": 401, "outsider": 404}.get(who, 200)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("who", WHO)
def test_api_proposals_are_for_members(people: TeamPeople, who: str):
    client = APIClient()
    if (user := people.user(who)) is not None:
        client.force_authenticate(user)
    body = {
        "title": "Sync",
        "duration_minutes": 30,
        "attendees": ["member"],
        "earliest": at(1, "00:00").date().isoformat(),
        "latest": at(2, "00:00").date().isoformat(),
    }
    response = client.post(f"{BASE}/slot-proposals/", body, format="json")
    if who in MEMBERS:
        assert response.status_code == 200, response.content
        assert response.json()["proposals"][0]["windows"] == {"member": "after_lunch"}
    else:
        assert response.status_code == API_REFUSED[who]


# --- Pages ---------------------------------------------------------------------------------------

PAGES = ["/t/ml/schedule/", "/t/ml/schedule/policy/"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", WHO)
def test_schedule_pages_role_matrix(people: TeamPeople, client, who, path):
    user = people.user(who)
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif who == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert b"ML Team" in response.content


def policy_form(**changes: str) -> dict[str, Any]:
    """The policy page's form as a lead would submit it: the defaults, with some changes."""
    form = {
        "workday_start": "09:00",
        "workday_end": "18:00",
        "lunch_start": "12:00",
        "lunch_end": "13:00",
        "window_minutes": "90",
        "max_meeting_minutes": "60",
        "max_attendees": "6",
        "min_focus_block_minutes": "120",
    }
    return {**form, **changes}


PAGE_WRITES = {
    "policy": Write(
        "post",
        "/t/ml/schedule/policy/",
        policy_form(max_attendees="4", window_minutes="60", lunch_start="12:30", lunch_end="13:30"),
        LEADS,
        with_policy(
            max_attendees=4, window_minutes=60, lunch_start="12:30:00", lunch_end="13:30:00"
        ),
    ),
    "book": Write(
        "post",
        "/t/ml/schedule/book/",
        {
            "title": "Booked",
            "start": BOOKED[1].isoformat(),
            "end": BOOKED[2].isoformat(),
            "attendees": "member",
        },
        MEMBERS,
        with_meeting(added=BOOKED),
    ),
    "move": Write(
        "post",
        "/t/ml/schedule/meetings/{meeting}/move/",
        {"start": at(1, "13:30").isoformat(), "end": at(1, "13:45").isoformat()},
        MEMBERS,
        MOVED,
    ),
    "cancel": Write("post", "/t/ml/schedule/meetings/{meeting}/cancel/", {}, MEMBERS, CANCELLED),
}


@pytest.mark.parametrize("case", list(PAGE_WRITES))
@pytest.mark.parametrize("who", WHO)
def test_page_write_role_matrix(scene: Scene, client, who: str, case: str):
    write = PAGE_WRITES[case]
    people = scene.people
    before = team_state(people)
    scene.server.routes["/c.ics"] = (200, TWO_EVENTS)
    scene.server.routes["/c.ics?again"] = (200, TWO_EVENTS)
    if (user := people.user(who)) is not None:
        client.force_login(user)
    path = write.path.format(meeting=scene.meeting_id, source=scene.source_for(who))
    response = client.post(path, write.data(scene))
    after = team_state(people)
    if who in write.allowed:
        assert response.status_code == 302, response.content
        assert after == write.expect(before, who, scene)
        # What the person is told, on the page they are sent back to.
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert b'class="message success"' in page.content
    else:
        assert response.status_code == PAGE_REFUSED[who], response.content
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        assert after == before


# --- My busy calendars (/me/calendars/ and api me/calendars/) ---------------------------------
# A person's calendars are theirs: anyone signed in manages their own, whatever their role in
# any team; someone else's calendar is a plain 404. What a team member changes shows in that
# team; the outsider's own calendar is not the team's business.

SIGNED_IN = frozenset({"outsider", "viewer", "member", "lead"})
OWNERS = frozenset({"member", "lead"})  # the scene gives these two a calendar address


def mine_only(expect: Callable[[State, str, Scene], State]) -> Callable[[State, str, Scene], State]:
    def only_members(state: State, who: str, scene: Scene) -> State:
        return expect(state, who, scene) if who in state["sources"] else state

    return only_members


ME_PAGE_WRITES = {
    "upload": Write(
        "post", "/me/calendars/upload/", lambda: {"file": upload()}, SIGNED_IN, mine_only(UPLOADED)
    ),
    "add-url": Write(
        "post", "/me/calendars/url/", {"url": "{url}?again"}, SIGNED_IN, mine_only(added_url)
    ),
    "refresh": Write("post", "/me/calendars/{source}/refresh/", {}, OWNERS, REFRESHED),
    "delete": Write(
        "post", "/me/calendars/{source}/delete/", {"confirmed": "yes"}, OWNERS, DELETED
    ),
}


@pytest.mark.parametrize("case", list(ME_PAGE_WRITES))
@pytest.mark.parametrize("who", WHO)
def test_my_calendar_pages_role_matrix(scene: Scene, client, who: str, case: str):
    write = ME_PAGE_WRITES[case]
    people = scene.people
    before = team_state(people)
    scene.server.routes["/c.ics"] = (200, TWO_EVENTS)
    scene.server.routes["/c.ics?again"] = (200, TWO_EVENTS)
    if (user := people.user(who)) is not None:
        client.force_login(user)
    path = write.path.format(source=scene.source_for(who))
    response = client.post(path, write.data(scene))
    after = team_state(people)
    if who in write.allowed:
        assert response.status_code == 302, response.content
        assert response["Location"] == "/me/calendars/"
        assert after == write.expect(before, who, scene)
        page = client.get(response["Location"])
        assert page.status_code == 200 and b'class="message success"' in page.content
    elif who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert after == before
    else:  # the member's calendar, asked for by someone else
        assert response.status_code == 404, response.content
        assert after == before


ME_API_WRITES = {
    "upload": Write(
        "post",
        "/api/v1/me/calendars/",
        lambda: {"file": upload()},
        SIGNED_IN,
        mine_only(UPLOADED),
        True,
    ),
    "add-url": Write(
        "post", "/api/v1/me/calendars/", {"url": "{url}?again"}, SIGNED_IN, mine_only(added_url)
    ),
    "refresh": Write("post", "/api/v1/me/calendars/{source}/refresh/", None, OWNERS, REFRESHED),
    "delete": Write("delete", "/api/v1/me/calendars/{source}/", None, OWNERS, DELETED),
}


@pytest.mark.parametrize("case", list(ME_API_WRITES))
@pytest.mark.parametrize("who", WHO)
def test_my_calendars_api_role_matrix(scene: Scene, who: str, case: str):
    write = ME_API_WRITES[case]
    people = scene.people
    before = team_state(people)
    scene.server.routes["/c.ics"] = (200, TWO_EVENTS)
    scene.server.routes["/c.ics?again"] = (200, TWO_EVENTS)
    client = APIClient()
    if (user := people.user(who)) is not None:
        client.force_authenticate(user)
    path = write.path.format(source=scene.source_for(who))
    response = getattr(client, write.method)(
        path, write.data(scene), format="multipart" if write.multipart else "json"
    )
    after = team_state(people)
    if who in write.allowed:
        expected = 201 if case in ("upload", "add-url") else API_SUCCESS[write.method]
        assert response.status_code == expected, response.content
        assert after == write.expect(before, who, scene)
    else:
        assert response.status_code == (401 if who == "anonymous" else 404), response.content
        assert after == before


@pytest.mark.parametrize("who", WHO)
def test_my_calendars_reads(scene: Scene, client, who: str):
    """Each person lists only their own calendars, on the page and in the API."""
    api = APIClient()
    if (user := scene.people.user(who)) is not None:
        client.force_login(user)
        api.force_authenticate(user)
    page = client.get("/me/calendars/")
    listed = api.get("/api/v1/me/calendars/")
    if who == "anonymous":
        assert page.status_code == 302 and listed.status_code == 401
        return
    assert page.status_code == 200 and listed.status_code == 200
    ids = [row["id"] for row in listed.json()["results"]]
    assert ids == ([scene.url_source[who]] if who in scene.url_source else [])
    html = page.content.decode()
    assert ("http://127.0.0.1/…" in html) == (who in scene.url_source)
    assert "/c.ics" not in html  # the path of an address can be a secret: only its host shows


def test_a_lead_changes_the_policy_through_the_page_and_everyone_reads_it(
    people: TeamPeople, client
):
    client.force_login(people.lead)
    page = client.get("/t/ml/schedule/policy/")
    assert b'name="max_attendees"' in page.content
    response = client.post(
        "/t/ml/schedule/policy/",
        policy_form(workday_start="08:00", max_attendees="4", meeting_free_weekdays="2"),
    )
    assert response.status_code == 302 and response["Location"] == "/t/ml/schedule/policy/"
    assert b"The maker policy is saved." in client.get(response["Location"]).content
    # The new hours are what every member now reads, and what the windows follow.
    policy = api_as(people.viewer).get(f"{BASE}/maker-policy/").json()
    assert (policy["workday_start"], policy["max_attendees"]) == ("08:00:00", 4)
    assert policy["meeting_free_weekdays"] == [2]
    early = next(w for w in policy["windows"] if w["kind"] == "early_morning")
    assert early["start"].startswith("08:00")
    # A member reads the policy on the same page, without the form, and cannot post it.
    client.force_login(people.member)
    member_page = client.get("/t/ml/schedule/policy/").content
    assert b"than 4 people" in member_page and b'name="max_attendees"' not in member_page
    refused = client.post("/t/ml/schedule/policy/", policy_form(max_attendees="9"))
    assert refused.status_code == 403
    assert api_as(people.viewer).get(f"{BASE}/maker-policy/").json()["max_attendees"] == 4


def test_a_lead_bad_policy_is_400_with_the_reason_and_changes_nothing(people: TeamPeople, client):
    client.force_login(people.lead)
    response = client.post(
        "/t/ml/schedule/policy/", policy_form(lunch_start="19:00", lunch_end="20:00")
    )
    assert response.status_code == 400
    assert b"lunch" in response.content.lower()
    assert api_as(people.lead).get(f"{BASE}/maker-policy/").json()["lunch_start"] == "12:00:00"


# --- Another team's objects, and another person's calendars: a plain 404 ----------------------


def test_another_teams_meeting_is_404_and_ours_answers(people: TeamPeople, client):
    other = TeamFactory(slug="elsewhere")
    theirs = make_meeting(other, at(1, "13:00"), at(1, "13:15"), [people.outsider], title="Theirs")
    ours = make_meeting(people.team, at(1, "13:00"), at(1, "13:15"), [people.member])
    lead = api_as(people.lead)
    client.force_login(people.lead)
    move = {"start": at(1, "13:30").isoformat(), "end": at(1, "13:45").isoformat()}
    for meeting, expected in ((theirs, 404), (ours, 200)):
        assert lead.get(f"{BASE}/meetings/{meeting.pk}/").status_code == expected
        assert (
            lead.patch(f"{BASE}/meetings/{meeting.pk}/", move, format="json").status_code
            == expected
        )
        cancel = f"{BASE}/meetings/{meeting.pk}/cancel/"
        assert lead.post(cancel).status_code == expected
    for meeting, expected in ((theirs, 404), (ours, 302)):
        page = f"/t/ml/schedule/meetings/{meeting.pk}/"
        assert client.post(page + "move/", move).status_code == expected
    theirs.refresh_from_db()
    assert (theirs.start, theirs.status, theirs.sequence) == (at(1, "13:00"), "confirmed", 0)
    ours.refresh_from_db()
    assert (ours.start, ours.status) == (at(1, "13:30"), "cancelled")


def test_someone_elses_calendar_is_404_and_mine_answers(scene: Scene, client):
    people = scene.people
    lead = api_as(people.lead)
    client.force_login(people.lead)
    mine, members = scene.url_source["lead"], scene.url_source["member"]
    # The outsider's calendar, added in their own team.
    outsiders = api_as(people.outsider).post(
        "/api/v1/teams/other/busy-sources/", {"url": scene.server.url("/c.ics")}
    )
    assert outsiders.status_code == 201
    scene.server.routes["/c.ics"] = (200, TWO_EVENTS)  # what a refresh would now find
    for source in (members, outsiders.json()["id"]):
        assert lead.get(f"{BASE}/busy-sources/{source}/").status_code == 404
        assert lead.post(f"{BASE}/busy-sources/{source}/refresh/").status_code == 404
        assert lead.delete(f"{BASE}/busy-sources/{source}/").status_code == 404
        assert client.post(f"/me/calendars/{source}/refresh/").status_code == 404
        assert (
            client.post(f"/me/calendars/{source}/delete/", {"confirmed": "yes"}).status_code == 404
        )
    assert lead.get(f"{BASE}/busy-sources/{mine}/").status_code == 200
    assert lead.post(f"{BASE}/busy-sources/{mine}/refresh/").status_code == 200
    assert client.post(f"/me/calendars/{mine}/delete/", {"confirmed": "yes"}).status_code == 302
    state = team_state(people)["sources"]
    assert state["lead"] == [] and state["member"] == [("url", scene.server.url("/c.ics"), 1)]
    # Nothing happened to the outsider's calendar either.
    other = api_as(people.outsider).get("/api/v1/teams/other/busy-sources/").json()["results"]
    assert [s["interval_count"] for s in other] == [1]
