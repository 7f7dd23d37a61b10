from __future__ import annotations

import pytest

from focusboard import services
from focusboard.models import FocusEvent, FocusItem
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/teams/ml/focus-items/"


def test_create_returns_the_spec_shape(people, as_user):
    response = as_user(people.member).post(
        URL, {"title": "Stop label leakage", "why": "Offline gains vanish", "owner": "member"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "title": "Stop label leakage",
        "why": "Offline gains vanish",
        "owner": "member",
        "milestone": None,
        "status": "active",
        "position": 0,
        "activated_at": body["activated_at"],
        "days_on_board": 1,
        "days_on_board_total": 1,
        "outcome": "",
        "closed_at": None,
    }
    assert body["activated_at"].endswith(("+00:00", "Z"))


def test_cap_reached_is_a_409_with_code_and_numbers(people, as_user, full_board):
    response = as_user(people.member).post(URL, {"title": "Fourth"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": (
            "The board is full: ML Team focuses on at most 3 topics at once and 3 are "
            "active. Park, finish or swap an item first."
        ),
        "code": "focus_cap_reached",
        "focus_cap": 3,
        "active": 3,
    }
    assert FocusItem.objects.count() == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 81}, "title"),
        ({"title": "ok", "owner": "ghost"}, "owner"),
        ({"title": "ok", "owner": "outsider"}, "owner"),
        ({"title": "ok", "status": "done"}, "status"),
        ({"title": "ok", "status": 7}, "status"),
    ],
)
def test_bad_input_is_400_and_stores_nothing(people, as_user, body, field):
    response = as_user(people.member).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not FocusItem.objects.exists()


def test_viewer_cannot_own_work(people, as_user):
    response = as_user(people.member).post(URL, {"title": "ok", "owner": "viewer"})
    assert response.status_code == 400
    assert "not a member of ML Team who can own work" in str(response.json())


def test_list_filters(people, as_user, full_board):
    client = as_user(people.viewer)
    _, parked = full_board
    services.focus_item_finish(item=parked[1], actor=people.lead)
    assert [i["title"] for i in client.get(URL).json()["results"]] == [
        "Active 0",
        "Active 1",
        "Active 2",
    ]
    assert [i["title"] for i in client.get(URL + "?status=parked").json()["results"]] == [
        "Parked 0"
    ]
    assert client.get(URL + "?status=done").json()["count"] == 1
    assert client.get(URL + "?status=all").json()["count"] == 5
    bad = client.get(URL + "?status=everything")
    assert bad.status_code == 400 and "status" in bad.json()


def test_transitions_through_the_api(people, as_user, full_board):
    active, parked = full_board
    client = as_user(people.member)
    assert client.post(f"{URL}{active[0].pk}/park/").json()["status"] == "parked"
    assert client.post(f"{URL}{parked[0].pk}/activate/").json()["status"] == "active"
    assert client.post(f"{URL}{parked[0].pk}/finish/").json()["status"] == "done"
    assert client.post(f"{URL}{parked[1].pk}/drop/").json()["status"] == "dropped"
    response = client.post(f"{URL}{active[0].pk}/swap/", {"replace": active[1].pk})
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert FocusItem.objects.get(pk=active[1].pk).status == "parked"
    again = client.post(f"{URL}{parked[0].pk}/finish/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_swap_bad_input(people, as_user, full_board):
    _, parked = full_board
    client = as_user(people.member)
    assert client.post(f"{URL}{parked[0].pk}/swap/", {}).status_code == 400
    assert client.post(f"{URL}{parked[0].pk}/swap/", {"replace": "x"}).status_code == 400
    assert client.post(f"{URL}{parked[0].pk}/swap/", {"replace": 999999}).status_code == 404
    assert FocusItem.objects.filter(status="active").count() == 3


def test_patch_edits_and_moves(people, as_user, full_board):
    active, _ = full_board
    client = as_user(people.member)
    response = client.patch(
        f"{URL}{active[2].pk}/", {"title": "Renamed", "owner": "lead", "position": 0}
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert response.json()["owner"] == "lead"
    assert response.json()["position"] == 0
    assert client.get(URL).json()["results"][0]["title"] == "Renamed"
    assert client.patch(f"{URL}{active[2].pk}/", {"title": ""}).status_code == 400
    assert client.patch(f"{URL}{active[2].pk}/", {"position": -1}).status_code == 400


def test_items_are_never_deleted(people, as_user, full_board):
    active, _ = full_board
    assert as_user(people.lead).delete(f"{URL}{active[0].pk}/").status_code == 405
    assert FocusItem.objects.filter(pk=active[0].pk).exists()


def test_another_teams_items_are_404(people, as_user, full_board):
    active, _ = full_board
    client = as_user(people.outsider)
    assert client.get("/api/v1/teams/other/focus-items/").status_code == 200  # control
    assert client.get(f"{URL}{active[0].pk}/").status_code == 404
    assert client.post(f"{URL}{active[0].pk}/park/").status_code == 404
    # Even through their own team's URL, our item id does not resolve.
    assert client.post(f"/api/v1/teams/other/focus-items/{active[0].pk}/park/").status_code == 404
    assert FocusItem.objects.get(pk=active[0].pk).status == "active"


WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "", [401, 404, 200, 200, 200]),
        ("post", "", [401, 404, 403, 201, 201]),
        ("get", "{active}/", [401, 404, 200, 200, 200]),
        ("patch", "{active}/", [401, 404, 403, 200, 200]),
        ("post", "{active}/park/", [401, 404, 403, 200, 200]),
        ("post", "{parked}/activate/", [401, 404, 403, 200, 200]),
        ("post", "{active}/finish/", [401, 404, 403, 200, 200]),
        ("post", "{active}/drop/", [401, 404, 403, 200, 200]),
        ("post", "{parked}/swap/", [401, 404, 403, 200, 200]),
        ("history", "", [401, 404, 200, 200, 200]),
        ("summary", "", [401, 404, 200, 200, 200]),
    ],
)
@pytest.mark.parametrize("who", WHO)
def test_role_matrix(people, as_user, add, who, method, path, expected):
    active = add("Active", owner=people.member)
    add("Other active")
    parked = add("Parked", status="parked")
    client = as_user(people.user(who))
    if method == "history":
        response = client.get("/api/v1/teams/ml/focus-history/")
    elif method == "summary":
        response = client.get("/api/v1/teams/ml/focus-history/summary/")
    else:
        url = URL + path.format(active=active.pk, parked=parked.pk)
        body = {"title": "T", "replace": active.pk} if method in ("post", "patch") else None
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == expected[WHO.index(who)], response.content


def test_history_api(people, as_user, full_board):
    active, parked = full_board
    services.focus_item_swap(item=parked[0], replace=active[0], actor=people.member)
    client = as_user(people.viewer)
    events = client.get("/api/v1/teams/ml/focus-history/").json()
    assert events["count"] == FocusEvent.objects.count() == 7
    newest = events["results"][0]
    assert newest["kind"] == "swapped"
    assert newest["item"] == {"id": parked[0].pk, "title": "Parked 0"}
    assert newest["actor"] == "member"
    summary = client.get("/api/v1/teams/ml/focus-history/summary/").json()
    assert summary["switches_per_month"][-1]["switches"] == 4  # 3 adds + 1 swap-in
    assert len(summary["timeline"]) == 4
    swapped_out = next(t for t in summary["timeline"] if t["id"] == active[0].pk)
    assert swapped_out["status"] == "parked"
    assert swapped_out["intervals"][0]["end"] is not None
    assert summary["median_days_on_board"] == 0.0


def test_list_query_count_is_flat(people, as_user, add, django_assert_max_num_queries):
    client = as_user(people.member)
    add("One", owner=people.member)
    with django_assert_max_num_queries(20) as few:
        client.get(URL + "?status=all")
    for n in range(15):
        owner = MembershipFactory(team=people.team).user
        item = add(f"Parked {n}", status="parked", owner=owner)
        services.focus_item_edit(item=item, actor=people.lead, why=f"w{n}", fields={"why"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL + "?status=all").json()["count"] == 16
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/teams/ml/focus-history/").json()["count"] == 31
