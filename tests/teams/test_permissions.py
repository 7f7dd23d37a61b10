"""The role matrix over every team and member endpoint and page.

Each case names who asks and what they get, and after every write what the team looks like:
leads change exactly what they asked for, nobody else changes anything. Another team's lead
(the outsider) gets a plain 404, with the team's own members as the positive control."""

from __future__ import annotations

import pytest

from teams.models import Invitation, Membership, Role, Team
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory, UserFactory

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]

# What the team looks like: its settings and who is in it with which role.
ML_BEFORE = {
    "team": ("ML Team", 3),
    "members": {("lead", "lead"), ("member", "member"), ("viewer", "viewer")},
    "invitations": set(),
}
# A lead who is not staff adds by username through an invitation (no one learns who exists).
INVITED_NEWBIE = {**ML_BEFORE, "invitations": {("newbie", "viewer")}}

# (method, path, body, expected status for each of WHO, the team after a lead's write)
API_WRITES = [
    (
        "patch",
        "/api/v1/teams/ml/",
        {"name": "Renamed", "focus_cap": 4},
        [401, 404, 403, 403, 200],
        {**ML_BEFORE, "team": ("Renamed", 4)},
    ),
    (
        "post",
        "/api/v1/teams/ml/members/",
        {"username": "newbie", "role": "viewer"},
        [401, 404, 403, 403, 202],
        INVITED_NEWBIE,
    ),
    (
        "patch",
        "/api/v1/teams/ml/members/member/",
        {"role": "viewer"},
        [401, 404, 403, 403, 200],
        {
            **ML_BEFORE,
            "members": ML_BEFORE["members"] - {("member", "member")} | {("member", "viewer")},
        },
    ),
    (
        "delete",
        "/api/v1/teams/ml/members/member/",
        None,
        [401, 404, 403, 403, 204],
        {**ML_BEFORE, "members": ML_BEFORE["members"] - {("member", "member")}},
    ),
]


def ml_state() -> dict:
    team = Team.objects.get(slug="ml")
    members = Membership.objects.filter(team=team).values_list("user__username", "role")
    invitations = Invitation.objects.filter(team=team).values_list("username", "role")
    return {
        "team": (team.name, team.focus_cap),
        "members": set(members),
        "invitations": set(invitations),
    }


@pytest.mark.parametrize(("method", "path", "body", "expected", "after"), API_WRITES)
@pytest.mark.parametrize("who", WHO)
def test_api_write_role_matrix(
    people: TeamPeople, as_user, who, method, path, body, expected, after
):
    UserFactory(username="newbie")
    assert ml_state() == ML_BEFORE
    response = getattr(as_user(people.user(who)), method)(path, body, format="json")
    assert response.status_code == expected[WHO.index(who)], response.content
    assert ml_state() == (after if who == "lead" else ML_BEFORE)
    # The outsider's own team is never touched by anyone's request on ours.
    other = Membership.objects.filter(team__slug="other").values_list("user__username", "role")
    assert set(other) == {("outsider", "lead")}


API_READS = [
    ("/api/v1/teams/ml/", "slug", "ml"),
    ("/api/v1/teams/ml/members/", "count", 3),
    ("/api/v1/teams/ml/members/member/", "role", "member"),
]


@pytest.mark.parametrize(("path", "key", "value"), API_READS)
@pytest.mark.parametrize("who", WHO)
def test_api_read_role_matrix(people: TeamPeople, as_user, who, path, key, value):
    response = as_user(people.user(who)).get(path)
    expected = {"anonymous": 401, "outsider": 404}.get(who, 200)
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()[key] == value


@pytest.mark.parametrize("who", WHO)
def test_teams_list_and_create(people: TeamPeople, as_user, who):
    """Anyone signed in lists their own teams only and may create one, becoming its lead."""
    client = as_user(people.user(who))
    listed = client.get("/api/v1/teams/")
    created = client.post("/api/v1/teams/", {"slug": "new", "name": "New"}, format="json")
    if who == "anonymous":
        assert (listed.status_code, created.status_code) == (401, 401)
        assert not Team.objects.filter(slug="new").exists()
        return
    mine = {"outsider": ["other"]}.get(who, ["ml"])
    assert [t["slug"] for t in listed.json()["results"]] == mine
    assert created.status_code == 201, created.content
    members = Membership.objects.filter(team__slug="new").values_list("user__username", "role")
    assert set(members) == {(who, "lead")}
    assert ml_state() == ML_BEFORE


def test_another_teams_members_are_404_and_ours_answer(people: TeamPeople, as_user):
    client = as_user(people.lead)
    MembershipFactory(team=Team.objects.get(slug="other"), role=Role.MEMBER, user__username="sam")
    for team, expected in (("other", 404), ("ml", 200)):
        username = "sam" if team == "other" else "member"
        path = f"/api/v1/teams/{team}/members/{username}/"
        assert client.get(path).status_code == expected
        assert client.patch(path, {"role": "viewer"}, format="json").status_code == expected
    assert Membership.objects.get(user__username="sam").role == Role.MEMBER
    assert Membership.objects.get(user__username="member").role == Role.VIEWER


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


# (method, path, form data, the team after a lead's request)
SETTINGS_CASES = [
    ("get", "/t/ml/settings/", {}, ML_BEFORE),
    (
        "post",
        "/t/ml/settings/",
        {"name": "ML", "timezone": "Europe/Paris", "focus_cap": 4},
        {**ML_BEFORE, "team": ("ML", 4)},
    ),
    (
        "post",
        "/t/ml/settings/members/",
        {"username": "newbie", "role": "viewer"},
        INVITED_NEWBIE,
    ),
    (
        "post",
        "/t/ml/settings/members/member/",
        {"role": "viewer"},
        {
            **ML_BEFORE,
            "members": ML_BEFORE["members"] - {("member", "member")} | {("member", "viewer")},
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "data", "after"), SETTINGS_CASES)
@pytest.mark.parametrize("who", WHO)
def test_settings_pages_are_for_leads(people: TeamPeople, client, who, method, path, data, after):
    UserFactory(username="newbie")
    user = people.user(who)
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(path, data)
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403}
    if who == "lead":
        assert response.status_code == (200 if method == "get" else 302)
        assert ml_state() == after
    else:
        assert response.status_code == expected[who]
        assert ml_state() == ML_BEFORE
