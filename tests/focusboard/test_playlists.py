"""Wall playlists: one screen rotating through several teams' walls, only ever the teams whose
leads opted in, managed by people who lead one of its teams, with the kiosk token's rules."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from core.tokens import hash_secret
from focusboard import services
from focusboard.models import KioskToken, WallPlaylist, WallPlaylistToken, WallScreen
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def opted_in(team) -> bool:
    return WallScreen.objects.filter(team=team, in_playlists=True).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("member", 403), ("lead", 302)],
)
def test_only_a_lead_opts_the_team_in(client, people, who, status):
    user = people.user(who)
    if user is not None:
        client.force_login(user)
    response = client.post("/t/ml/settings/wall-playlists/", {"in_playlists": "on"})
    assert response.status_code == status
    if who == "lead":
        assert response["Location"] == "/t/ml/settings/"
    else:
        assert not opted_in(people.team)  # the refused write changed nothing
    assert opted_in(people.team) is (who == "lead")


def test_a_lead_opts_out_again_and_the_settings_page_shows_the_choice(client, people):
    client.force_login(people.lead)
    client.post("/t/ml/settings/wall-playlists/", {"in_playlists": "on"})
    page = client.get("/t/ml/settings/").content.decode()
    assert 'id="id_in_playlists" checked' in page
    client.post("/t/ml/settings/wall-playlists/", {})
    assert not opted_in(people.team)
    assert 'id="id_in_playlists" checked' not in client.get("/t/ml/settings/").content.decode()


@pytest.fixture
def teams(people):
    """ml (led by `lead`) and `other` (led by `outsider`) opted in; `quiet` did not."""
    other = people.outsider.memberships.get().team
    quiet = TeamFactory(slug="quiet", name="Quiet")
    for team in (people.team, other):
        services.wall_playlists_opt(team=team, opted_in=True)
    return people.team, other, quiet


def test_a_lead_creates_a_playlist_with_other_opted_in_teams(client, people, teams):
    ml, other, _quiet = teams
    client.force_login(people.lead)
    page = client.get("/walls/").content.decode()
    assert "ML Team" in page and "Other" in page and "Quiet" not in page  # only opted-in teams
    response = client.post(
        "/walls/", {"name": "Kitchen", "teams": [ml.pk, other.pk], "seconds_per_team": 20}
    )
    playlist = WallPlaylist.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/walls/{playlist.pk}/"
    assert set(playlist.teams.all()) == {ml, other} and playlist.seconds_per_team == 20


@pytest.mark.parametrize(
    ("who", "data", "sentence"),
    [
        ("member", {"teams": "ml"}, "at least one team you lead"),
        ("lead", {"teams": "other"}, "at least one team you lead"),
        ("lead", {"teams": "ml,quiet"}, "Teams: select a valid choice"),
        ("lead", {"teams": "", "seconds_per_team": 20}, "Teams"),
        ("lead", {"teams": "ml", "seconds_per_team": 5}, "10"),
        ("lead", {"teams": "ml", "name": ""}, "name"),
    ],
)
def test_a_refused_playlist_says_why_and_creates_nothing(
    client, people, teams, who, data, sentence
):
    ml, other, quiet = teams
    by_slug = {"ml": ml.pk, "other": other.pk, "quiet": quiet.pk}
    client.force_login(getattr(people, who))
    post = {
        "name": data.get("name", "Kitchen"),
        "seconds_per_team": data.get("seconds_per_team", 30),
    }
    post["teams"] = [by_slug[s] for s in data["teams"].split(",") if s]
    response = client.post("/walls/", post)
    assert response.status_code == 400
    assert sentence.lower() in response.content.decode().lower()
    assert not WallPlaylist.objects.exists()


def test_quiet_team_cannot_be_added_by_a_hand_made_post_either(people, teams):
    ml, _, quiet = teams
    with pytest.raises(Exception, match="did not let playlists"):
        services.wall_playlist_create(
            actor=people.lead, name="x", teams=[ml, quiet], seconds_per_team=30
        )
    assert not WallPlaylist.objects.exists()


@pytest.fixture
def playlist(people, teams):
    ml, other, _ = teams
    return services.wall_playlist_create(
        actor=people.lead, name="Kitchen", teams=[ml, other], seconds_per_team=15
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("viewer", 404), ("member", 404), ("lead", 200), ("outsider", 200)],
)
def test_who_may_see_and_change_a_playlist(client, people, playlist, who, status):
    """Leads of any of its teams (the outsider leads `other`); a viewer or member is not told
    the playlist exists."""
    user = people.user(who)
    if user is not None:
        client.force_login(user)
    assert client.get(f"/walls/{playlist.pk}/").status_code == status
    response = client.post(f"/walls/{playlist.pk}/screens/", {"label": "Hall"})
    assert response.status_code == (200 if status == 200 else status)
    assert WallPlaylistToken.objects.exists() is (status == 200)


def test_staff_see_every_playlist_and_strangers_none(client, people, playlist):
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, role=Role.LEAD)  # leads a team not on the playlist
    client.force_login(stranger)
    assert client.get(f"/walls/{playlist.pk}/").status_code == 404
    assert f'href="/walls/{playlist.pk}/"' not in client.get("/walls/").content.decode()
    stranger.is_staff = True
    stranger.save()
    assert client.get(f"/walls/{playlist.pk}/").status_code == 200


def create_screen(client, playlist) -> str:
    response = client.post(f"/walls/{playlist.pk}/screens/", {"label": "Kitchen TV"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert 'data-copy="playlist-url"' in body and '<svg role="img"' in body
    match = re.search(r'value="http://testserver/walls/screen/([^/"]+)/"', body)
    assert match, body
    return match.group(1)


def turn(screen: Client, secret: str, after: int | str = "") -> tuple[str, str]:
    response = screen.get(f"/walls/screen/{secret}/content/?after={after}&since=1", **HX)
    assert response.status_code == 200
    body = response.content.decode()
    team = re.search(r'data-team="([^"]+)"', body)
    return (team.group(1) if team else ""), body


def test_the_screen_rotates_through_opted_in_teams_and_drops_one_that_opts_out(
    client, people, teams, playlist
):
    ml, other, quiet = teams
    client.force_login(people.lead)
    secret = create_screen(client, playlist)
    token = WallPlaylistToken.objects.get()
    assert (
        token.token_hash == hash_secret(secret)
        and secret not in client.get(f"/walls/{playlist.pk}/").content.decode()
    )
    screen = Client()
    page = screen.get(f"/walls/screen/{secret}/")
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert 'data-team="ml"' in page.content.decode() and "every 15s" in page.content.decode()
    # Turns go ML Team -> Other -> ML Team (by name), each asking for the one after it.
    assert turn(screen, secret, ml.pk)[0] == "other"
    slug, body = turn(screen, secret, other.pk)
    assert slug == "ml" and f"after={ml.pk}" in body and "wall-content" in body
    # A team put on the playlist behind the service's back is still never shown.
    playlist.teams.add(quiet)
    assert {turn(screen, secret, t.pk)[0] for t in (ml, other, quiet)} == {"ml", "other"}
    # Other's lead opts out: gone from the next turn.
    services.wall_playlists_opt(team=other, opted_in=False)
    assert turn(screen, secret, ml.pk)[0] == "ml"
    assert turn(screen, secret, other.pk)[0] == "ml"
    # Nobody opted in: the screen says so and keeps asking.
    services.wall_playlists_opt(team=ml, opted_in=False)
    slug, body = turn(screen, secret, ml.pk)
    assert slug == "" and "No team of this playlist shows its wall" in body and "hx-get" in body


def test_a_turn_costs_a_fixed_number_of_queries(
    client, people, playlist, django_assert_max_num_queries
):
    client.force_login(people.lead)
    secret = create_screen(client, playlist)
    screen = Client()
    turn(screen, secret)  # draws and caches ML's wall
    with django_assert_max_num_queries(2):  # the token with its playlist, the rotation
        turn(screen, secret)


def test_a_revoked_playlist_screen_is_disconnected(client, people, playlist):
    client.force_login(people.lead)
    secret = create_screen(client, playlist)
    token = WallPlaylistToken.objects.get()
    # It asks first, and nothing changes until the lead confirms.
    asked = client.post(f"/walls/{playlist.pk}/screens/{token.pk}/revoke/")
    assert asked.status_code == 200 and "Revoke the playlist screen" in asked.content.decode()
    assert Client().get(f"/walls/screen/{secret}/").status_code == 200
    client.post(f"/walls/{playlist.pk}/screens/{token.pk}/revoke/", {"confirmed": "yes"})
    screen = Client()
    page = screen.get(f"/walls/screen/{secret}/")
    assert page.status_code == 410 and "This screen was disconnected" in page.content.decode()
    assert "the playlist" in page.content.decode()
    poll = screen.get(f"/walls/screen/{secret}/content/?after=", **HX)
    assert poll.status_code == 410 and poll["HX-Refresh"] == "true"
    # Someone who may not manage the playlist cannot revoke its screens.
    client.force_login(people.member)
    revoke = f"/walls/{playlist.pk}/screens/{token.pk}/revoke/"
    assert client.post(revoke, {"confirmed": "yes"}).status_code == 404


def test_the_editor_keeps_a_team_they_lead_and_seconds_in_range(client, people, teams, playlist):
    ml, other, _ = teams
    client.force_login(people.lead)
    response = client.post(
        f"/walls/{playlist.pk}/", {"name": "Kitchen", "teams": [other.pk], "seconds_per_team": 15}
    )
    assert response.status_code == 400 and "team you lead" in response.content.decode()
    response = client.post(
        f"/walls/{playlist.pk}/", {"name": "Hall", "teams": [ml.pk], "seconds_per_team": 60}
    )
    assert response.status_code == 302
    playlist.refresh_from_db()
    assert playlist.name == "Hall" and list(playlist.teams.all()) == [ml]
    assert playlist.seconds_per_team == 60


def test_only_someone_who_manages_a_playlist_changes_it_even_calling_the_service(
    people, teams, playlist
):
    """A playlist spans teams, so no team role guards it: the services check who manages it
    themselves. A lead of a team that is not on it (opted in, so they could put their own
    team on it) may not take it over, add a screen or revoke one."""
    stranger = UserFactory(username="stranger")
    own = MembershipFactory(user=stranger, role=Role.LEAD).team
    services.wall_playlists_opt(team=own, opted_in=True)
    token, _ = services.wall_playlist_token_create(playlist=playlist, actor=people.lead, label="TV")
    with pytest.raises(PermissionDenied):
        services.wall_playlist_update(
            playlist=playlist, actor=stranger, name="Mine", teams=[own], seconds_per_team=10
        )
    with pytest.raises(PermissionDenied):
        services.wall_playlist_token_create(playlist=playlist, actor=stranger, label="Mine")
    with pytest.raises(PermissionDenied):
        services.wall_playlist_token_revoke(token=token, actor=stranger)
    playlist.refresh_from_db()
    token.refresh_from_db()
    assert playlist.name == "Kitchen" and set(playlist.teams.all()) == set(teams[:2])
    assert WallPlaylistToken.objects.count() == 1 and token.revoked_at is None
    # The outsider leads `other`, which is on it: they manage it.
    services.wall_playlist_token_revoke(token=token, actor=people.outsider)
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("label", ["", " ", "x" * 61])
def test_a_screen_name_that_is_empty_or_too_long_is_refused_with_the_limit(
    client, people, playlist, label
):
    client.force_login(people.lead)
    response = client.post(f"/walls/{playlist.pk}/screens/", {"label": label}, follow=True)
    assert "Give the screen a name of up to 60 characters." in response.content.decode()
    response = client.post(f"/t/{people.team.slug}/settings/kiosk/", {"label": label}, follow=True)
    assert "Give the screen a name of up to 60 characters." in response.content.decode()
    assert not WallPlaylistToken.objects.exists() and not KioskToken.objects.exists()
