"""In a real browser: the login page with single sign-on buttons, a new person joining a team
through an invitation with "Sign in with …" (the provider's pages are stood in for by
Playwright's routing, its server answers by tests/teams/sso_provider.py), and the lockout
message after repeated failed sign-ins."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.test import override_settings
from playwright.sync_api import Page, Route, expect

from teams import services
from teams.models import Membership, Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.teams.sso_provider import ISSUER, OIDC, FakeProvider

from .conftest import ConsoleLog

SIZES = {"desktop": (1920, 1080), "phone": (390, 844)}


def shoot(page: Page, name: str) -> None:
    """Both sizes; FOCUSBOARD_SCREENSHOTS=<folder> keeps the pictures to look at."""
    folder = os.environ.get("FOCUSBOARD_SCREENSHOTS")
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        # Nothing wider than the screen, on a phone too.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot = page.screenshot(full_page=True)
        assert shot.startswith(b"\x89PNG")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / f"{name}-{label}.png").write_bytes(shot)


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_a_new_person_joins_by_invitation_with_single_sign_on(
    live_server, page: Page, console: ConsoleLog, monkeypatch
):
    team = TeamFactory(slug="ml", name="ML Team")
    lead = MembershipFactory(team=team, role=Role.LEAD, user__username="lena").user
    url = services.invitation_create(
        team=team, invited_by=lead, role=Role.VIEWER, url_for=lambda s: f"/invite/{s}/"
    ).url
    provider = FakeProvider(
        {"sub": "g-1", "email": "grace@example.org", "email_verified": True, "name": "Grace H"}
    )
    monkeypatch.setattr("teams.sso.SocialAccountAdapter.get_requests_session", lambda s: provider)

    def provider_login_page(route: Route) -> None:
        # The person signs in at the provider, which sends the browser back with a code.
        query = parse_qs(urlsplit(route.request.url).query)
        back = f"{query['redirect_uri'][0]}?code=c-1&state={query['state'][0]}"
        route.fulfill(status=302, headers={"Location": back})

    page.route(f"{ISSUER}/authorize**", provider_login_page)
    page.goto(f"{live_server.url}{url}")
    shoot(page, "invitation-sso")
    page.click("text=Sign in with Acme ID")
    page.wait_for_url(f"{live_server.url}/t/ml/")
    expect(page.locator(".messages")).to_contain_text("Welcome to ML Team. Your role: viewer.")
    grace = Membership.objects.get(team=team, user__email="grace@example.org")
    assert grace.role == Role.VIEWER and grace.user.username == "grace"
    assert console.csp_violations == [], console.errors


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_login_page_offers_sso_and_says_when_signing_in_is_locked(
    live_server, page: Page, console: ConsoleLog
):
    UserFactory(username="ada")
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator(".sso button")).to_have_text("Sign in with Acme ID")
    shoot(page, "login-sso")
    for n in range(5):
        page.fill("#id_username", "ada")
        page.fill("#id_password", f"guess-{n}")
        page.click("form[action='/accounts/login/'] button[type=submit]")
    alert = page.locator(".locked-out")
    expect(alert).to_contain_text("Too many failed sign-ins")
    expect(alert).to_contain_text("Try again after")
    expect(page.locator("#id_username")).to_have_value("ada")
    shoot(page, "login-locked")
    # The right password now is refused too, with the same page.
    page.fill("#id_password", "pw")
    page.click("form[action='/accounts/login/'] button[type=submit]")
    expect(page.locator(".locked-out")).to_be_visible()
    assert page.url.endswith("/accounts/login/")
    assert console.csp_violations == [], console.errors


@override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
def test_a_stranger_signing_in_is_told_to_ask_for_an_invitation(
    live_server, page: Page, console: ConsoleLog, monkeypatch
):
    provider = FakeProvider({"sub": "s-1", "email": "s@elsewhere.org", "email_verified": True})
    monkeypatch.setattr("teams.sso.SocialAccountAdapter.get_requests_session", lambda s: provider)

    def provider_login_page(route: Route) -> None:
        query = parse_qs(urlsplit(route.request.url).query)
        back = f"{query['redirect_uri'][0]}?code=c-1&state={query['state'][0]}"
        route.fulfill(status=302, headers={"Location": back})

    page.route(f"{ISSUER}/authorize**", provider_login_page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Sign in with Acme ID")
    expect(page.locator("h1")).to_have_text("No Focusboard account for you yet")
    expect(page.locator(".sso-refused")).to_contain_text("You signed in with Acme ID")
    shoot(page, "sso-closed")
    page.click("text=Back to the login page")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert console.csp_violations == [], console.errors
