"""Single sign-on (django-allauth): off by default, existing accounts found by VERIFIED email
only, new accounts only through an invitation (or an allowed domain), sane usernames, and the
password login untouched. The provider's answers are faked at the HTTP level
(tests/teams/sso_provider.py); allauth's flow runs for real."""

from __future__ import annotations

import os

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from teams.models import Invitation, Membership, Role
from teams.sso import unique_username, username_base
from tests.conftest import TeamPeople
from tests.factories import UserFactory

from .sso_provider import GOOGLE, OIDC, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in_as(client: Client):  # type: ignore[no-untyped-def]
    return client.get("/me/").wsgi_request.user


def make_invitation(people: TeamPeople, role: str = Role.VIEWER) -> str:
    from teams import services

    issued = services.invitation_create(
        team=people.team, invited_by=people.lead, role=role, url_for=lambda s: f"/invite/{s}/"
    )
    return issued.url


# --- Off by default ------------------------------------------------------------------------


@override_settings(SOCIALACCOUNT_PROVIDERS={})
def test_sso_off_no_buttons_and_its_addresses_404(client: Client, people: TeamPeople):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b"Sign in with" not in page.content
    invitation = client.get(make_invitation(people))
    assert invitation.status_code == 200 and b"Sign in with" not in invitation.content
    assert "form-action 'self';" in page["Content-Security-Policy"] + ";"
    for url in (
        "/accounts/sso/google/login/",
        "/accounts/sso/microsoft/login/",
        "/accounts/sso/oidc/acme/login/",
        "/accounts/sso/oidc/acme/login/callback/",
        "/accounts/sso/login/error/",
        "/accounts/sso/login/cancelled/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"process": "login"}).status_code == 404, url


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_only_configured_providers_answer(client: Client):
    page = client.get("/accounts/login/")
    assert b"Sign in with Acme ID" in page.content
    assert b"Sign in with Google" not in page.content
    assert client.post("/accounts/sso/google/login/").status_code == 404
    assert client.post("/accounts/sso/oidc/other/login/").status_code == 404
    # A GET shows a confirmation page (with its own POST button), never signs in by itself.
    confirm = client.get("/accounts/sso/oidc/acme/login/")
    assert confirm.status_code == 200 and b"Continue to Acme ID" in confirm.content
    # The password login and the reset page are Django's, as before.
    assert b'name="password"' in page.content
    assert client.get("/accounts/password/reset/").status_code == 200
    # Browsers apply form-action to the redirect a form causes: the button's form must be
    # allowed to lead to the provider's sign-in page, and only there.
    form_action = next(
        d for d in page["Content-Security-Policy"].split(";") if "form-action" in d
    ).split()
    assert form_action == ["form-action", "'self'", "https://id.example.com"]


# --- Existing accounts: verified email only -------------------------------------------------


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_a_verified_email_signs_in_the_existing_account(client: Client, monkeypatch):
    ada = UserFactory(username="ada", email="ada@example.com")
    response = sign_in(
        client,
        monkeypatch,
        {"sub": "acme-1", "email": "ADA@example.com", "email_verified": True, "name": "Ada L"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == ada
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(uid="acme-1").user == ada
    # Next time the provider's account itself finds her, whatever the address says.
    client.logout()
    again = sign_in(client, monkeypatch, {"sub": "acme-1", "email": "new@example.org"})
    assert again.status_code == 302 and signed_in_as(client) == ada


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_an_unverified_email_never_takes_over_an_account(client: Client, monkeypatch):
    ada = UserFactory(username="ada", email="ada@example.com")
    response = sign_in(
        client,
        monkeypatch,
        {"sub": "mallory", "email": "ada@example.com", "email_verified": False},
    )
    assert response.status_code == 403
    assert b"no Focusboard account uses that address" in response.content
    assert not signed_in_as(client).is_authenticated
    assert not SocialAccount.objects.exists()
    ada.refresh_from_db()
    assert ada.check_password("pw")  # untouched


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_an_unverified_email_through_an_invitation_makes_a_separate_account(
    client: Client, monkeypatch, people: TeamPeople
):
    ada = UserFactory(username="ada", email="ada@example.com")
    url = make_invitation(people, role=Role.MEMBER)
    response = sign_in(
        client,
        monkeypatch,
        {"sub": "mallory", "email": "ada@example.com", "email_verified": False, "name": "M"},
        next_url=url,
    )
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    newcomer = signed_in_as(client)
    assert newcomer != ada and newcomer.username == "ada-2"
    assert not Membership.objects.filter(user=ada, team=people.team).exists()
    ada.refresh_from_db()
    assert ada.check_password("pw")


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_first_match_on_an_address_never_verified_switches_off_its_password(
    client: Client, monkeypatch
):
    """Anyone could have typed Ada's address into their own account; once Ada proves it
    through her provider, that account's password stops working (allauth's guard)."""
    typed = UserFactory(username="typed", email="ada@example.com")
    sign_in(client, monkeypatch, {"sub": "a", "email": "ada@example.com", "email_verified": True})
    assert signed_in_as(client) == typed
    typed.refresh_from_db()
    assert not typed.has_usable_password()


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_a_verified_address_keeps_the_password(client: Client, monkeypatch):
    ada = UserFactory(username="ada", email="ada@example.com")
    EmailAddress.objects.create(user=ada, email="ada@example.com", verified=True, primary=True)
    sign_in(client, monkeypatch, {"sub": "a", "email": "ada@example.com", "email_verified": True})
    assert signed_in_as(client) == ada
    ada.refresh_from_db()
    assert ada.check_password("pw")


@override_settings(SOCIALACCOUNT_PROVIDERS=GOOGLE)
def test_google_verified_email_matches_too(client: Client, monkeypatch):
    ada = UserFactory(username="ada", email="ada@example.com")
    response = sign_in(
        client,
        monkeypatch,
        {"id": "g-1", "email": "ada@example.com", "verified_email": True, "name": "Ada"},
        login_url="/accounts/sso/google/login/",
        callback_url="/accounts/sso/google/login/callback/",
    )
    assert response.status_code == 302 and signed_in_as(client) == ada


@override_settings(SOCIALACCOUNT_PROVIDERS=GOOGLE)
def test_google_unverified_email_does_not_match(client: Client, monkeypatch):
    UserFactory(username="ada", email="ada@example.com")
    response = sign_in(
        client,
        monkeypatch,
        {"id": "g-2", "email": "ada@example.com", "verified_email": False},
        login_url="/accounts/sso/google/login/",
        callback_url="/accounts/sso/google/login/callback/",
    )
    assert response.status_code == 403 and not signed_in_as(client).is_authenticated


# --- New people ---------------------------------------------------------------------------


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_a_stranger_gets_no_account_without_an_invitation(client: Client, monkeypatch):
    response = sign_in(
        client, monkeypatch, {"sub": "s", "email": "s@elsewhere.org", "email_verified": True}
    )
    assert response.status_code == 403 and b"invitation" in response.content
    assert not User.objects.exists() and not signed_in_as(client).is_authenticated


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC, FOCUSBOARD_SSO_SIGNUP_DOMAINS=["example.com"])
def test_an_allowed_domain_signs_up_only_with_a_verified_address(client: Client, monkeypatch):
    refused = sign_in(
        client, monkeypatch, {"sub": "u", "email": "eve@example.com", "email_verified": False}
    )
    assert refused.status_code == 403 and not User.objects.exists()
    made = sign_in(
        client, monkeypatch, {"sub": "v", "email": "bob@example.com", "email_verified": True}
    )
    assert made.status_code == 302
    bob = signed_in_as(client)
    assert bob.username == "bob" and bob.email == "bob@example.com"
    assert not bob.has_usable_password() and not Membership.objects.filter(user=bob).exists()


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_a_new_person_joins_through_an_invitation_with_its_role(
    client: Client, monkeypatch, people: TeamPeople
):
    url = make_invitation(people, role=Role.VIEWER)
    page = client.get(url)
    assert b"Sign in with Acme ID" in page.content
    assert f'name="next" value="{url}"'.encode() in page.content
    response = sign_in(
        client,
        monkeypatch,
        {
            "sub": "grace-1",
            "email": "grace@example.org",
            "email_verified": True,
            "given_name": "Grace",
            "family_name": "Hopper",
        },
        next_url=url,
    )
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    board = client.get("/t/ml/")
    assert board.status_code == 200 and b"Welcome to ML Team" in board.content
    grace = signed_in_as(client)
    assert grace.username == "grace" and grace.get_full_name() == "Grace Hopper"
    membership = Membership.objects.get(user=grace, team=people.team)
    assert membership.role == Role.VIEWER
    invitation = Invitation.objects.get()
    assert invitation.used_by == grace
    # The invitation is used up: the same link and the same provider make nothing more.
    client.logout()
    again = sign_in(
        client,
        monkeypatch,
        {"sub": "other", "email": "o@example.org", "email_verified": True},
        next_url=url,
    )
    assert again.status_code == 403 and User.objects.filter(username="o").count() == 0


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_an_existing_person_joins_through_an_invitation(
    client: Client, monkeypatch, people: TeamPeople
):
    ada = UserFactory(username="ada", email="ada@example.com")
    url = make_invitation(people, role=Role.MEMBER)
    response = sign_in(
        client,
        monkeypatch,
        {"sub": "ada", "email": "ada@example.com", "email_verified": True},
        next_url=url,
    )
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    assert Membership.objects.get(user=ada, team=people.team).role == Role.MEMBER


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_odd_names_make_sane_unique_usernames(client: Client, monkeypatch, people: TeamPeople):
    UserFactory(username="unicode-o-brien")
    url = make_invitation(people)
    sign_in(
        client,
        monkeypatch,
        # No usable address: the username comes from the name, and it is taken once.
        {"sub": "x", "name": "Ünïcödé O'Brien/../", "preferred_username": "../admin"},
        next_url=url,
    )
    newcomer = signed_in_as(client)
    assert newcomer.is_authenticated
    assert newcomer.username == "unicode-o-brien-2"
    # In the team with the invitation's role: the board is theirs, its settings are not.
    assert Membership.objects.get(team=people.team, user=newcomer).role == Role.VIEWER
    assert client.get("/t/ml/").status_code == 200
    assert client.get("/t/ml/settings/").status_code == 403


def test_username_rules():
    assert username_base("ada.lovelace@example.com") == "ada.lovelace"
    assert username_base("Zoë Ünal") == "zoe-unal"
    assert username_base("../..//", "名前", None) == "user"
    assert username_base("a/b\\c d") == "a-b-c-d"
    assert len(username_base("x" * 300)) == 30
    for name in ("ada.lovelace", "zoe-unal", "user", "a-b-c-d"):
        assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in name)


@pytest.mark.django_db
def test_unique_username_counts_up():
    UserFactory(username="ada")
    UserFactory(username="ada-2")
    assert unique_username("ada@example.com") == "ada-3"
    UserFactory(username="x" * 30)
    made = unique_username("x" * 40)
    assert made == "x" * 28 + "-2" and len(made) == 30


def test_providers_come_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import base

    for name in list(os.environ):
        if name.startswith("FOCUSBOARD_SSO_"):
            monkeypatch.delenv(name)
    assert base._sso_providers() == {}
    monkeypatch.setenv("FOCUSBOARD_SSO_GOOGLE_CLIENT_ID", "g")
    monkeypatch.setenv("FOCUSBOARD_SSO_GOOGLE_SECRET", "gs")
    monkeypatch.setenv("FOCUSBOARD_SSO_MICROSOFT_CLIENT_ID", "m")
    monkeypatch.setenv("FOCUSBOARD_SSO_OIDC", "acme, okta")
    monkeypatch.setenv("FOCUSBOARD_SSO_OIDC_ACME_SERVER_URL", "https://id.acme.com/.well-known/x")
    monkeypatch.setenv("FOCUSBOARD_SSO_OIDC_ACME_CLIENT_ID", "a")
    monkeypatch.setenv("FOCUSBOARD_SSO_OIDC_ACME_NAME", "Acme ID")
    with pytest.raises(ImproperlyConfigured, match="FOCUSBOARD_SSO_OIDC_OKTA_SERVER_URL"):
        base._sso_providers()
    monkeypatch.setenv("FOCUSBOARD_SSO_OIDC_OKTA_SERVER_URL", "https://okta.example/x")
    monkeypatch.setenv("FOCUSBOARD_SSO_OIDC_OKTA_CLIENT_ID", "o")
    providers = base._sso_providers()
    assert providers["google"]["APPS"] == [{"client_id": "g", "secret": "gs"}]
    assert providers["microsoft"]["APPS"][0]["settings"] == {"tenant": "organizations"}
    apps = providers["openid_connect"]["APPS"]
    assert [(a["provider_id"], a["name"]) for a in apps] == [("acme", "Acme ID"), ("okta", "okta")]
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        from teams.sso import configured, sign_in_origins

        assert [p.login_url for p in configured()] == [
            "/accounts/sso/google/login/",
            "/accounts/sso/microsoft/login/",
            "/accounts/sso/oidc/acme/login/",
            "/accounts/sso/oidc/okta/login/",
        ]
        assert sign_in_origins() == [
            "https://accounts.google.com",
            "https://login.microsoftonline.com",
            "https://id.acme.com",
            "https://okta.example",
        ]
