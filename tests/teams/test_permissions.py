"""The role matrix over every team and member endpoint and page.

Each case names who asks and what they get; another team's lead (the outsider) gets a plain
404, with the team's own members as the positive control in the same parametrisation."""

from __future__ import annotations

import pytest

from tests.conftest import TeamPeople

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]

# (method, path, body, expected status for each of WHO)
API_CASES = [
    ("get", "/api/v1/teams/ml/", None, [401, 404, 200, 200, 200]),
    ("patch", "/api/v1/teams/ml/", {"name": "Renamed"}, [401, 404, 403, 403, 200]),
    ("get", "/api/v1/teams/ml/members/", None, [401, 404, 200, 200, 200]),
    (
        "post",
        "/api/v1/teams/ml/members/",
        {"username": "newbie", "role": "member"},
        [401, 404, 403, 403, 201],
    ),
    ("get", "/api/v1/teams/ml/members/member/", None, [401, 404, 200, 200, 200]),
    ("patch", "/api/v1/teams/ml/members/member/", {"role": "viewer"}, [401, 404, 403, 403, 200]),
    ("delete", "/api/v1/teams/ml/members/member/", None, [401, 404, 403, 403, 204]),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_CASES)
@pytest.mark.parametrize("who", WHO)
def test_api_role_matrix(people: TeamPeople, as_user, who, method, path, body, expected):
    from tests.factories import UserFactory

    UserFactory(username="newbie")
    client = as_user(people.user(who))
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code == expected[WHO.index(who)], response.content


PAGES = [
    "/t/ml/",
    "/t/ml/vision/",
    "/t/ml/milestones/",
    "/t/ml/non-negotiables/",
    "/t/ml/schedule/",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", WHO)
def test_team_pages_role_matrix(people: TeamPeople, client, who, path):
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


SETTINGS_CASES = [
    ("get", "/t/ml/settings/", {}),
    ("post", "/t/ml/settings/", {"name": "ML", "timezone": "Europe/Paris", "focus_cap": 3}),
    ("post", "/t/ml/settings/members/", {"username": "newbie", "role": "member"}),
    ("post", "/t/ml/settings/members/member/", {"role": "viewer"}),
]


@pytest.mark.parametrize(("method", "path", "data"), SETTINGS_CASES)
@pytest.mark.parametrize("who", WHO)
def test_settings_pages_are_for_leads(people: TeamPeople, client, who, method, path, data):
    from tests.factories import UserFactory

    UserFactory(username="newbie")
    user = people.user(who)
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(path, data)
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403}
    if who == "lead":
        assert response.status_code in (200, 302)
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == expected[who]
