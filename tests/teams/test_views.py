from __future__ import annotations

import pytest

from teams.models import Membership, Role, Team
from tests.conftest import TeamPeople
from tests.factories import MembershipFactory, UserFactory


def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in to Focusboard" in response.content


def test_login_and_logout(people: TeamPeople, client):
    response = client.post("/accounts/login/", {"username": "lead", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert b"ML Team" in client.get("/").content
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_says_so(people: TeamPeople, client):
    response = client.post("/accounts/login/", {"username": "lead", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_home_lists_only_my_teams(people: TeamPeople, client):
    client.force_login(people.member)
    body = client.get("/").content.decode()
    assert "ML Team" in body and "Other" not in body


def test_home_query_count_is_flat(db, client, django_assert_max_num_queries):
    user = UserFactory(username="busy")
    MembershipFactory(user=user)
    client.force_login(user)
    with django_assert_max_num_queries(10) as few:
        client.get("/")
    for _ in range(20):
        MembershipFactory(user=user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").content.decode().count('class="team-link"') == 21


def test_create_team_from_home(db, client, user):
    client.force_login(user)
    response = client.post(
        "/", {"name": "Speech", "slug": "speech", "timezone": "Europe/Paris", "focus_cap": 3}
    )
    assert response.status_code == 302 and response["Location"] == "/t/speech/"
    assert Membership.objects.get(team__slug="speech", user=user).role == Role.LEAD


def test_create_team_bad_input_shows_errors(people: TeamPeople, client):
    client.force_login(people.member)
    response = client.post(
        "/", {"name": "Dup", "slug": "ml", "timezone": "Nowhere", "focus_cap": 8}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "already exists" in body
    assert "is not a time zone name" in body
    assert "less than or equal to 5" in body
    assert Team.objects.get(slug="ml").name == "ML Team"


def test_settings_change_cap_and_timezone(people: TeamPeople, client):
    client.force_login(people.lead)
    response = client.post(
        "/t/ml/settings/", {"name": "ML", "timezone": "America/New_York", "focus_cap": 2}
    )
    assert response.status_code == 302
    team = Team.objects.get(slug="ml")
    assert (team.name, team.timezone, team.focus_cap) == ("ML", "America/New_York", 2)


def test_settings_bad_cap_is_an_error_not_a_save(people: TeamPeople, client):
    client.force_login(people.lead)
    response = client.post("/t/ml/settings/", {"name": "", "timezone": "UTC", "focus_cap": 0})
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert Team.objects.get(slug="ml").name == "ML Team"


def test_settings_members_flow(people: TeamPeople, client):
    UserFactory(username="newbie", first_name="Noor", last_name="Haddad")
    people.lead.is_staff = True  # staff add at once; other leads invite
    people.lead.save()
    client.force_login(people.lead)
    added = client.post(
        "/t/ml/settings/members/", {"username": "newbie", "role": "viewer"}, follow=True
    )
    assert Membership.objects.get(user__username="newbie").role == Role.VIEWER
    # The lead typed a username; what they read back is the person's name.
    assert "Noor Haddad joined ML Team." in added.content.decode()
    changed = client.post("/t/ml/settings/members/newbie/", {"role": "member"}, follow=True)
    assert Membership.objects.get(user__username="newbie").role == Role.MEMBER
    assert "Noor Haddad is now member." in changed.content.decode()
    client.post("/t/ml/settings/members/newbie/", {"action": "remove"})
    assert not Membership.objects.filter(user__username="newbie").exists()


def test_settings_last_lead_message_is_shown(people: TeamPeople, client):
    client.force_login(people.lead)
    response = client.post("/t/ml/settings/members/lead/", {"role": "member"}, follow=True)
    assert "the only lead" in response.content.decode()
    assert Membership.objects.get(user=people.lead).role == Role.LEAD


def test_settings_unknown_user_message_is_for_staff_only(people: TeamPeople, client):
    people.lead.is_staff = True
    people.lead.save()
    client.force_login(people.lead)
    response = client.post(
        "/t/ml/settings/members/", {"username": "ghost", "role": "member"}, follow=True
    )
    assert "no user called" in response.content.decode()


def test_unknown_member_page_is_404(people: TeamPeople, client):
    client.force_login(people.lead)
    assert client.post("/t/ml/settings/members/ghost/", {"role": "member"}).status_code == 404


def test_me_page_saves_and_validates(people: TeamPeople, client):
    client.force_login(people.member)
    assert client.get("/me/").status_code == 200
    response = client.post("/me/", {"timezone": "Asia/Kolkata", "workday_start": "10:00"})
    assert response.status_code == 302
    response = client.post(
        "/me/", {"timezone": "Asia/Kolkata", "lunch_start": "14:00", "lunch_end": "13:00"}
    )
    assert response.status_code == 200
    assert b"Lunch must start before it ends" in response.content


@pytest.mark.parametrize("path", ["/t/nope/", "/t/nope/settings/"])
def test_unknown_team_is_404(people: TeamPeople, client, path):
    client.force_login(people.lead)
    assert client.get(path).status_code == 404


def test_timezone_fields_suggest_iana_names(people: TeamPeople, client):
    client.force_login(people.lead)
    for path in ("/", "/t/ml/settings/", "/me/"):
        body = client.get(path).content.decode()
        assert 'list="id_timezone-zones"' in body
        assert '<datalist id="id_timezone-zones">' in body
        assert '<option value="Europe/Paris">' in body
