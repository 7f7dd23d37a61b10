from __future__ import annotations

import pytest

from teams import services as team_services
from teams.models import Membership, Role, Team
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory, UserFactory


def test_create_team_makes_creator_lead(people: TeamPeople, as_user):
    client = as_user(people.member)
    response = client.post(
        "/api/v1/teams/",
        {"slug": "vision-team", "name": "Vision", "timezone": "America/New_York", "focus_cap": 2},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "slug": "vision-team",
        "name": "Vision",
        "timezone": "America/New_York",
        "focus_cap": 2,
        "role": "lead",
        "member_count": 1,
    }
    assert Membership.objects.get(team__slug="vision-team", user=people.member).role == Role.LEAD


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "ml", "name": "Dup"}, "slug"),
        ({"slug": "bad slug!", "name": "X"}, "slug"),
        ({"slug": "x", "name": "X", "timezone": "Mars/Olympus"}, "timezone"),
        ({"slug": "x", "name": "X", "focus_cap": 6}, "focus_cap"),
        ({"slug": "x", "name": "X", "focus_cap": 0}, "focus_cap"),
        ({"slug": "x", "name": "X", "focus_cap": "three"}, "focus_cap"),
        ({"slug": "x"}, "name"),
    ],
)
def test_create_team_bad_input_is_400_with_field(people: TeamPeople, as_user, body, field):
    before = Team.objects.count()
    response = as_user(people.lead).post("/api/v1/teams/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert Team.objects.count() == before


def test_team_list_only_shows_my_teams_and_is_paginated(people: TeamPeople, as_user):
    response = as_user(people.member).get("/api/v1/teams/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [t["slug"] for t in body["results"]] == ["ml"]
    assert body["results"][0]["role"] == "member"
    assert body["results"][0]["member_count"] == 3


def test_team_list_query_count_is_flat(db, as_user, django_assert_max_num_queries):
    user = UserFactory(username="busy")
    for _ in range(3):
        MembershipFactory(user=user)
    client = as_user(user)
    with django_assert_max_num_queries(3) as small:
        assert client.get("/api/v1/teams/").status_code == 200
    for _ in range(25):
        MembershipFactory(user=user, team=MembershipFactory(role=Role.LEAD).team)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/teams/")
    assert response.json()["count"] == 28


def test_lead_updates_team(people: TeamPeople, as_user):
    response = as_user(people.lead).patch(
        "/api/v1/teams/ml/", {"name": "Ranking", "timezone": "Europe/London", "focus_cap": 2}
    )
    assert response.status_code == 200, response.content
    team = Team.objects.get(slug="ml")
    assert (team.name, team.timezone, team.focus_cap) == ("Ranking", "Europe/London", 2)


def test_patch_team_bad_cap_is_400_and_keeps_data(people: TeamPeople, as_user):
    response = as_user(people.lead).patch("/api/v1/teams/ml/", {"focus_cap": 9})
    assert response.status_code == 400
    assert "focus_cap" in response.json()
    assert Team.objects.get(slug="ml").focus_cap == 3


def test_members_add_change_remove(people: TeamPeople, as_user):
    """Staff add by username at once (other leads invite: tests/teams/test_invitations.py)."""
    UserFactory(username="newbie")
    people.lead.is_staff = True
    people.lead.save()
    client = as_user(people.lead)
    assert client.post("/api/v1/teams/ml/members/", {"username": "newbie"}).json() == {
        "username": "newbie",
        "name": Membership.objects.get(user__username="newbie").user.get_full_name() or "newbie",
        "role": "member",
    }
    assert client.patch("/api/v1/teams/ml/members/newbie/", {"role": "lead"}).json()["role"] == (
        "lead"
    )
    assert client.delete("/api/v1/teams/ml/members/newbie/").status_code == 204
    assert not Membership.objects.filter(user__username="newbie").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"username": "ghost"}, "no user called"),
        ({"username": "member"}, "already a member"),
        ({"username": "newbie", "role": "boss"}, "not a valid choice"),
    ],
)
def test_member_add_bad_input(people: TeamPeople, as_user, body, message):
    UserFactory(username="newbie")
    people.lead.is_staff = True  # only staff learn that a username does not exist
    people.lead.save()
    response = as_user(people.lead).post("/api/v1/teams/ml/members/", body)
    assert response.status_code == 400
    assert message in str(response.json())


def test_the_last_lead_cannot_leave_or_step_down(people: TeamPeople, as_user):
    client = as_user(people.lead)
    response = client.patch("/api/v1/teams/ml/members/lead/", {"role": "member"})
    assert response.status_code == 409
    assert response.json()["code"] == "last_lead"
    assert "only lead" in response.json()["detail"]
    assert client.delete("/api/v1/teams/ml/members/lead/").status_code == 409
    assert Membership.objects.get(user=people.lead).role == Role.LEAD


def test_unknown_member_is_404(people: TeamPeople, as_user):
    assert (
        as_user(people.lead)
        .patch("/api/v1/teams/ml/members/ghost/", {"role": "viewer"})
        .status_code
        == 404
    )


def test_another_teams_members_are_invisible(people: TeamPeople, as_user):
    # Positive control: the outsider sees their own team's members...
    client = as_user(people.outsider)
    assert client.get("/api/v1/teams/other/members/").status_code == 200
    # ...but not ours, not even by guessing a username.
    assert client.get("/api/v1/teams/ml/members/lead/").status_code == 404
    assert client.delete("/api/v1/teams/ml/members/member/").status_code == 404


def test_me_get_and_patch(people: TeamPeople, as_user):
    client = as_user(people.member)
    assert client.get("/api/v1/me/").json() == {
        "username": "member",
        "timezone": None,
        "workday_start": None,
        "workday_end": None,
        "lunch_start": None,
        "lunch_end": None,
        "receive_invitations": True,
    }
    response = client.patch(
        "/api/v1/me/", {"timezone": "America/New_York", "workday_start": "08:00"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["timezone"] == "America/New_York"
    assert response.json()["workday_start"] == "08:00:00"
    # Clearing an override puts the team policy back.
    assert client.patch("/api/v1/me/", {"timezone": None}).json()["timezone"] is None
    # Invitations off for me alone; the other fields keep their values.
    body = client.patch("/api/v1/me/", {"receive_invitations": False}).json()
    assert body["receive_invitations"] is False
    assert body["workday_start"] == "08:00:00"


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Europe/Atlantis"},
        {"workday_start": "18:00", "workday_end": "09:00"},
        {"lunch_start": "25:00"},
    ],
)
def test_me_bad_input_is_400_and_keeps_data(people: TeamPeople, as_user, body):
    client = as_user(people.member)
    client.patch("/api/v1/me/", {"timezone": "Europe/Paris"})
    response = client.patch("/api/v1/me/", body)
    assert response.status_code == 400
    assert client.get("/api/v1/me/").json()["timezone"] == "Europe/Paris"


def test_token_auth(people: TeamPeople, api):
    _, key = team_services.api_token_create(user=people.viewer, name="test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/teams/ml/").json()["role"] == "viewer"
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/teams/ml/").status_code == 401


def test_anonymous_api_is_401_with_challenge(api, db):
    response = api.get("/api/v1/teams/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_create_api_token_command_works(people: TeamPeople, api):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_token", "lead", "--days", "30", stdout=out)
    key = out.getvalue().strip()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/teams/ml/").json()["role"] == "lead"
