"""Bringing a colleague in, as people do it in a browser: a lead invites by link, a new person
signs up through it and lands on the board with the role; a used, expired or revoked link
gets a clear page; an invitation by email (the locmem backend's message) for someone who
already has an account."""

from __future__ import annotations

import os
import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from teams.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

from .conftest import ConsoleLog, login

SHOTS = os.environ.get("FOCUSBOARD_SHOTS")  # a folder to save screenshots in, when set


def shot(page: Page, name: str) -> None:
    if SHOTS:
        for width in (1920, 390):
            page.set_viewport_size({"width": width, "height": 1000})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def log_out(page: Page) -> None:
    page.click("text=Log out")
    page.wait_for_url(re.compile(r".*/accounts/login/|.*/$"))


def test_a_lead_invites_by_link_and_a_new_person_signs_up_onto_the_board(
    live_server, page: Page, console: ConsoleLog
):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.LEAD, user__username="lena")
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/settings/")
    page.select_option("#invitations select[name=role]", "viewer")
    page.click("#invitations button:has-text('Invite')")
    url = page.locator("#issued-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/invite/[\w-]{{43}}/", url)
    shot(page, "settings-invitation")
    page.goto(f"{live_server.url}/t/ml/settings/")
    expect(page.locator("table.invitations tbody tr")).to_have_count(1)
    log_out(page)

    page.goto(url)
    expect(page.locator("h1")).to_have_text("Join ML Team")
    expect(page.locator("main")).to_contain_text("as viewer")
    shot(page, "invitation-sign-up")
    page.fill("#id_name", "Ada Lovelace")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "a long horse battery staple")
    page.click("button:has-text('Create account and join')")
    page.wait_for_url(f"{live_server.url}/t/ml/")
    expect(page.locator(".messages")).to_contain_text("Welcome to ML Team. Your role: viewer.")
    assert Membership.objects.get(user__username="ada", team=team).role == Role.VIEWER
    log_out(page)

    # Used: the same link now says so, and creates nobody.
    page.goto(url)
    expect(page.locator("h1")).to_have_text("This invitation no longer works")
    expect(page.locator(".invitation-state")).to_contain_text("already been used")
    shot(page, "invitation-used")
    assert console.csp_violations == [], console.errors


def test_expired_and_revoked_links_get_a_clear_page(live_server, page: Page, console: ConsoleLog):
    team = TeamFactory(slug="ml", name="ML Team")
    lead = MembershipFactory(team=team, role=Role.LEAD, user__username="lena").user
    _, expired_secret = Invitation.issue(
        team=team, role=Role.MEMBER, invited_by=lead, expires_at=timezone.now() - timedelta(1)
    )
    _, revoked_secret = Invitation.issue(
        team=team, role=Role.MEMBER, invited_by=lead, expires_at=timezone.now() + timedelta(1)
    )
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/settings/")
    page.click("table.invitations button:has-text('Withdraw')")
    # Withdrawing cannot be undone, so it asks first.
    expect(page.locator("h1")).to_have_text("Withdraw this invitation?")
    page.click("button:has-text('Withdraw the invitation')")
    expect(page.locator(".messages")).to_contain_text("Invitation withdrawn")
    log_out(page)
    for secret, words in ((expired_secret, "has expired"), (revoked_secret, "withdrawn")):
        response = page.goto(f"{live_server.url}/invite/{secret}/")
        assert response is not None and response.status == 410
        expect(page.locator(".invitation-state")).to_contain_text(words)
        expect(page.locator("main a:has-text('Go to my teams')")).to_be_visible()
    shot(page, "invitation-revoked")
    assert console.csp_violations == [], console.errors


def test_an_existing_person_accepts_an_emailed_invitation(
    live_server, page: Page, console: ConsoleLog
):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.LEAD, user__username="lena")
    UserFactory(username="tom", email="tom@example.com")
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/settings/")
    page.select_option("#invitations select[name=role]", "member")
    page.fill("#invitations input[name=email]", "tom@example.com")
    page.click("#invitations button:has-text('Invite')")
    expect(page.locator(".messages")).to_contain_text("Invitation sent to tom@example.com")
    log_out(page)

    assert [m.to for m in mail.outbox] == [["tom@example.com"]]
    url = re.search(r"http://\S+/invite/[\w-]+/", mail.outbox[0].body).group(0)  # type: ignore[union-attr]
    page.goto(url)
    page.click("main a:has-text('Sign in')")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.*"))
    page.fill("#id_username", "tom")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(url)
    page.click("button:has-text('Join as')")
    page.wait_for_url(f"{live_server.url}/t/ml/")
    expect(page.locator(".messages")).to_contain_text("Your role: member.")
    assert Membership.objects.get(user__username="tom", team=team).role == Role.MEMBER
    assert console.csp_violations == [], console.errors
