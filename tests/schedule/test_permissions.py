"""The role matrix over every schedule endpoint and page: anonymous, another team's lead
(the outsider: a plain 404), viewer (reads only), member, lead (also the maker policy)."""

from __future__ import annotations

import pytest

from schedule.models import BusySource, BusySourceKind
from tests.conftest import TeamPeople

from .support import at, ics, make_meeting

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]
BASE = "/api/v1/teams/ml"


def meeting_body(hour: str) -> dict:
    return {
        "title": "Sync",
        "start": at(1, hour).isoformat(),
        "end": at(1, hour).replace(minute=15).isoformat(),
        "attendees": ["member"],
    }


# (method, path, body, expected status for each of WHO); {meeting} and {source} are filled in.
API_CASES = [
    ("get", f"{BASE}/maker-policy/", None, [401, 404, 200, 200, 200]),
    ("patch", f"{BASE}/maker-policy/", {"max_attendees": 5}, [401, 404, 403, 403, 200]),
    (
        "post",
        f"{BASE}/slot-proposals/",
        {"duration_minutes": 30, "attendees": ["member"]},
        [401, 404, 403, 200, 200],
    ),
    ("get", f"{BASE}/meetings/", None, [401, 404, 200, 200, 200]),
    ("post", f"{BASE}/meetings/", meeting_body("14:00"), [401, 404, 403, 201, 201]),
    ("get", f"{BASE}/meetings/{{meeting}}/", None, [401, 404, 200, 200, 200]),
    ("patch", f"{BASE}/meetings/{{meeting}}/", {"title": "Renamed"}, [401, 404, 403, 200, 200]),
    ("post", f"{BASE}/meetings/{{meeting}}/cancel/", None, [401, 404, 403, 200, 200]),
    ("get", f"{BASE}/busy-sources/", None, [401, 404, 200, 200, 200]),
    ("get", f"{BASE}/maker-report/", None, [401, 404, 200, 200, 200]),
    ("get", f"{BASE}/rebalance/", None, [401, 404, 200, 200, 200]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "expected"), API_CASES)
@pytest.mark.parametrize("who", WHO)
def test_api_role_matrix(people: TeamPeople, as_user, who, method, path, body, expected):
    meeting = make_meeting(people.team, at(1, "13:00"), at(1, "13:15"), [people.member])
    client = as_user(people.user(who))
    response = getattr(client, method)(path.format(meeting=meeting.pk), body, format="json")
    assert response.status_code == expected[WHO.index(who)], response.content


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_busy_source_writes(people: TeamPeople, as_user, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(people.user(who))
    upload = SimpleUploadedFile("c.ics", ics())
    created = client.post(f"{BASE}/busy-sources/", {"file": upload}, format="multipart")
    expected = {"anonymous": 401, "outsider": 404, "viewer": 403, "member": 201, "lead": 201}
    assert created.status_code == expected[who], created.content
    user = people.user(who)
    if who in ("member", "lead"):
        source = BusySource.objects.get(user=user)
        assert client.delete(f"{BASE}/busy-sources/{source.pk}/").status_code == 204
    else:
        source = BusySource.objects.create(
            team=people.team, user=people.member, kind=BusySourceKind.UPLOAD
        )
        deleted = client.delete(f"{BASE}/busy-sources/{source.pk}/")
        assert deleted.status_code == {"anonymous": 401, "outsider": 404, "viewer": 403}[who]
        assert BusySource.objects.filter(pk=source.pk).exists()


PAGES = ["/t/ml/schedule/", "/t/ml/schedule/policy/"]


@pytest.mark.django_db
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


def page_posts(meeting_id: int, source_id: int) -> list[tuple[str, dict]]:
    return [
        ("/t/ml/schedule/propose/", {"title": "x", "duration_minutes": "30"}),
        ("/t/ml/schedule/book/", {"title": "x"}),
        (f"/t/ml/schedule/meetings/{meeting_id}/cancel/", {}),
        (f"/t/ml/schedule/meetings/{meeting_id}/move/", {"start": "x", "end": "y"}),
        ("/t/ml/schedule/busy/upload/", {}),
        ("/t/ml/schedule/busy/url/", {"url": ""}),
        (f"/t/ml/schedule/busy/{source_id}/refresh/", {}),
        (f"/t/ml/schedule/busy/{source_id}/delete/", {}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(8))
@pytest.mark.parametrize("who", WHO)
def test_schedule_actions_need_a_member(people: TeamPeople, client, who, index):
    meeting = make_meeting(people.team, at(1, "13:00"), at(1, "13:15"), [people.member])
    user = people.user(who)
    source_owner = user if who in ("member", "lead") else people.member
    source = BusySource.objects.create(
        team=people.team, user=source_owner, kind=BusySourceKind.UPLOAD, filename="c.ics"
    )
    if user is not None:
        client.force_login(user)
    path, data = page_posts(meeting.pk, source.pk)[index]
    response = client.post(path, data)
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403}
    if who in expected:
        assert response.status_code == expected[who]
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
    else:
        # Members and leads get an answer (a page, a redirect or a form error), never 403/500.
        assert response.status_code in (200, 302, 400, 409), (path, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_policy_post_is_for_leads(people: TeamPeople, client, who):
    user = people.user(who)
    if user is not None:
        client.force_login(user)
    response = client.post("/t/ml/schedule/policy/", {"max_attendees": "4"})
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403, "lead": 400}
    assert response.status_code == expected[who]


@pytest.mark.django_db
def test_someone_elses_busy_source_is_404_even_in_my_team(people: TeamPeople, client):
    source = BusySource.objects.create(
        team=people.team, user=people.lead, kind=BusySourceKind.UPLOAD, filename="c.ics"
    )
    client.force_login(people.member)
    for action in ("refresh", "delete"):
        assert client.post(f"/t/ml/schedule/busy/{source.pk}/{action}/").status_code == 404
    assert BusySource.objects.filter(pk=source.pk).exists()
