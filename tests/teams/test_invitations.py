"""Bringing people in: invitations (link, email, username), single use, expiring, revocable and
stored hashed; sign-up through them; who may create teams; and adding by username that tells
people who are not staff nothing about which usernames exist."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from focusboard.models import FocusStatus
from focusboard.services import focus_item_add
from teams.models import Invitation, Membership, Role
from tests.conftest import TeamPeople
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]
SIGN_UP = {"name": "Ada Lovelace", "username": "ada", "password": "a long horse battery staple"}


def api_as(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def invite(people: TeamPeople, role: str = "member", email: str = "") -> dict:
    response = api_as(people.lead).post(
        "/api/v1/teams/ml/invitations/", {"role": role, "email": email}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_an_invitation_is_stored_hashed_and_its_url_shown_once(people: TeamPeople):
    body = invite(people, role="viewer")
    assert set(body) >= {"id", "role", "url", "expires_at"} and body["role"] == "viewer"
    secret = re.fullmatch(r"http://testserver/invite/([\w-]+)/", body["url"]).group(1)  # type: ignore[union-attr]
    assert len(secret) >= 43  # 256 random bits
    stored = Invitation.objects.get(pk=body["id"])
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(Invitation.objects.values().get(pk=body["id"]))
    listed = api_as(people.lead).get("/api/v1/teams/ml/invitations/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and "url" not in listed[0]
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=6, hours=23) < expires - timezone.now() <= timedelta(days=7)


def test_sign_up_through_a_link_lands_on_the_board_with_the_role_once(people: TeamPeople, client):
    url = path_of(invite(people, role="viewer")["url"])
    page = client.get(url)
    assert page.status_code == 200
    assert "ML Team" in page.content.decode() and "as viewer" in page.content.decode()
    response = client.post(url, SIGN_UP)
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    ada = User.objects.get(username="ada")
    assert ada.get_full_name() == "Ada Lovelace" and ada.check_password(SIGN_UP["password"])
    assert Membership.objects.get(user=ada, team=people.team).role == Role.VIEWER
    board = client.get("/t/ml/")
    assert board.status_code == 200 and "Welcome to ML Team" in board.content.decode()
    # Used: the next person gets a clear 410, and no account.
    client.logout()
    again = client.get(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    second = client.post(url, {**SIGN_UP, "username": "bob"})
    assert second.status_code == 410 and not User.objects.filter(username="bob").exists()
    assert api_as(people.lead).get("/api/v1/teams/ml/invitations/").json()["results"] == []


def test_expired_and_revoked_invitations_answer_410_and_say_which(people: TeamPeople, client):
    expired = path_of(invite(people)["url"])
    revoked = invite(people)
    assert (
        api_as(people.lead).delete(f"/api/v1/teams/ml/invitations/{revoked['id']}/").status_code
        == 204
    )
    later = timezone.now() + timedelta(days=7, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        gone = client.get(expired)
        tried = client.post(expired, SIGN_UP)
    assert gone.status_code == 410 and "has expired" in gone.content.decode()
    assert tried.status_code == 410 and not User.objects.filter(username="ada").exists()
    withdrawn = client.get(path_of(revoked["url"]))
    assert withdrawn.status_code == 410 and "withdrawn" in withdrawn.content.decode()
    assert client.get("/invite/not-a-token-we-issued/").status_code == 404


def test_sign_up_errors_are_sentences_and_keep_the_invitation(people: TeamPeople, client):
    url = path_of(invite(people)["url"])
    weak = client.post(url, {**SIGN_UP, "password": "password"})
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    taken = client.post(url, {**SIGN_UP, "username": "member"})
    assert taken.status_code == 400 and "already exists" in taken.content.decode()
    assert client.post(url, SIGN_UP).status_code == 302  # still open


def test_an_existing_person_accepts_an_emailed_invitation_after_signing_in(
    people: TeamPeople, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(people, role="member", email="someone@example.com")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["someone@example.com"]
    url = path_of(re.search(r"http://testserver/invite/[\w-]+/", mail.outbox[0].body).group(0))  # type: ignore[union-attr]
    page = client.get(url)
    assert "Sign in" in page.content.decode() and f"next={url}" in page.content.decode().replace(
        "%2F", "/"
    )
    client.force_login(people.outsider)
    assert "Join as" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    assert Membership.objects.get(user=people.outsider, team=people.team).role == Role.MEMBER


def test_a_mail_server_that_fails_does_not_lose_the_invitation_or_answer_500(
    people: TeamPeople, caplog, django_capture_on_commit_callbacks
):
    # The email is sent after commit; a refused connection is logged without the link.
    refused = mock.patch("teams.services.send_mail", side_effect=ConnectionRefusedError("no"))
    with refused, django_capture_on_commit_callbacks(execute=True):
        response = api_as(people.lead).post(
            "/api/v1/teams/ml/invitations/", {"role": "member", "email": "x@example.com"}
        )
    assert response.status_code == 201, response.content
    assert Invitation.objects.filter(email="x@example.com").count() == 1
    assert "could not be emailed" in caplog.text
    assert response.json()["url"].rsplit("/", 2)[-2] not in caplog.text


def test_adding_by_username_answers_the_same_whether_or_not_it_exists(people: TeamPeople, client):
    newbie = UserFactory(username="newbie")
    lead = api_as(people.lead)
    answers = []
    for username in ("newbie", "ghost"):
        response = lead.post("/api/v1/teams/ml/members/", {"username": username}, format="json")
        body = response.json()
        body.pop("invitation")
        answers.append((response.status_code, body["detail"].replace(username, "X")))
    assert answers[0] == answers[1] and answers[0][0] == 202
    UserFactory(username="newbie2")
    client.force_login(people.lead)
    pages = [
        client.post("/t/ml/settings/members/", {"username": u, "role": "viewer"}, follow=True)
        .content.decode()
        .replace(u, "X")
        for u in ("newbie2", "ghost2")
    ]
    sentence = re.compile(r'<li class="message success">(.*?)</li>')
    assert sentence.findall(pages[0]) == sentence.findall(pages[1]) != []
    assert not Membership.objects.filter(user=newbie, team=people.team).exists()
    # The person named finds the invitation on their home page and joins with the role.
    client.force_login(newbie)
    home = client.get("/").content.decode()
    assert "invites you to <strong>ML Team</strong> as member" in home
    invitation = Invitation.objects.get(username="newbie")
    # Nobody else can use it.
    client.force_login(people.viewer)
    assert client.post(f"/invitations/{invitation.pk}/join/").status_code == 404
    client.force_login(newbie)
    joined = client.post(f"/invitations/{invitation.pk}/join/")
    assert joined.status_code == 302 and joined["Location"] == "/t/ml/"
    assert Membership.objects.get(user=newbie, team=people.team).role == Role.MEMBER


def test_staff_add_at_once_and_may_learn_a_username_is_unknown(people: TeamPeople):
    people.lead.is_staff = True
    people.lead.save()
    UserFactory(username="newbie")
    lead = api_as(people.lead)
    assert lead.post("/api/v1/teams/ml/members/", {"username": "newbie"}).status_code == 201
    unknown = lead.post("/api/v1/teams/ml/members/", {"username": "ghost"})
    assert unknown.status_code == 400 and "no user called" in str(unknown.json())


@pytest.mark.parametrize("who", WHO)
def test_invitations_api_role_matrix(people: TeamPeople, who: str):
    client = api_as(people.user(who))
    mine = invite(people)
    made = client.post("/api/v1/teams/ml/invitations/", {"role": "member"}, format="json")
    listed = client.get("/api/v1/teams/ml/invitations/")
    revoked = client.delete(f"/api/v1/teams/ml/invitations/{mine['id']}/")
    refused = {"anonymous": 401, "outsider": 404, "viewer": 403, "member": 403}
    pending = Invitation.objects.filter(team=people.team, revoked_at__isnull=True).count()
    if who == "lead":
        assert (made.status_code, listed.status_code, revoked.status_code) == (201, 200, 204)
        assert pending == 1  # one made, one revoked
    else:
        assert {made.status_code, listed.status_code, revoked.status_code} == {refused[who]}
        assert pending == 1  # the lead's, untouched


@pytest.mark.parametrize("who", WHO)
def test_invitation_pages_role_matrix(people: TeamPeople, client, who: str):
    mine = invite(people)
    if (user := people.user(who)) is not None:
        client.force_login(user)
    made = client.post("/t/ml/settings/invitations/", {"role": "viewer", "email": ""})
    revoked = client.post(f"/t/ml/settings/invitations/{mine['id']}/revoke/", {"confirmed": "yes"})
    live = Invitation.objects.filter(team=people.team, revoked_at__isnull=True)
    if who == "lead":
        assert made.status_code == 201
        assert "/invite/" in made.content.decode() and "shown only now" in made.content.decode()
        assert revoked.status_code == 302
        assert list(live.values_list("role", flat=True)) == ["viewer"]
        settings_page = client.get("/t/ml/settings/").content.decode()
        assert "Pending" in settings_page and "/invite/" not in settings_page
    else:
        expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 403}[who]
        assert (made.status_code, revoked.status_code) == (expected, expected)
        assert list(live.values_list("pk", flat=True)) == [mine["id"]]


@pytest.mark.parametrize("policy", ["anyone", "staff"])
def test_who_may_create_teams_is_a_setting(people: TeamPeople, client, settings, policy: str):
    settings.FOCUSBOARD_TEAM_CREATION = policy
    body = {"slug": "new", "name": "New", "timezone": "UTC", "focus_cap": 3}
    by_member = api_as(people.member).post("/api/v1/teams/", body, format="json")
    client.force_login(people.member)
    home = client.get("/").content.decode()
    page = client.post("/", {**body, "slug": "new2"})
    if policy == "anyone":
        assert by_member.status_code == 201 and page.status_code == 302
        assert "Create a team" in home
    else:
        assert by_member.status_code == 403 and "Only administrators" in by_member.json()["detail"]
        assert page.status_code == 403 and "Only administrators" in page.content.decode()
        assert "Back to my teams" in page.content.decode()  # the site's 403 page
        assert "Create a team" not in home
        people.member.is_staff = True
        people.member.save()
        assert api_as(people.member).post("/api/v1/teams/", body, format="json").status_code == 201


def test_people_edit_their_name_and_it_is_shown_instead_of_the_username(people: TeamPeople, client):
    client.force_login(people.member)
    saved = client.post("/me/", {"form": "name", "first_name": "Tom", "last_name": "Becker"})
    assert saved.status_code == 302
    assert "Colleagues now see you as Tom Becker" in client.get("/me/").content.decode()
    members = api_as(people.lead).get("/api/v1/teams/ml/members/").json()["results"]
    assert {"username": "member", "name": "Tom Becker", "role": "member"} in members
    client.force_login(people.lead)
    settings_page = client.get("/t/ml/settings/").content.decode()
    assert "Tom Becker" in settings_page
    # The parked list showed usernames while the cards showed names: names in both now.
    focus_item_add(
        team=people.team,
        actor=people.lead,
        title="Later",
        why="",
        owner=people.member,
        status=FocusStatus.PARKED,
    )
    board = client.get("/t/ml/").content.decode()
    parked = board[board.index('class="parked-item"') :]
    assert "Tom Becker" in parked[:400] and ">member<" not in parked[:400]
    too_long = client.post("/me/", {"form": "name", "first_name": "x" * 151, "last_name": ""})
    assert too_long.status_code == 400
