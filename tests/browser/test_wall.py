from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from focusboard import services
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login


@pytest.fixture
def team(db, settings):
    settings.FOCUSBOARD_WALL_POLL_SECONDS = 1
    team = TeamFactory(slug="ml", name="Ranking Models")
    lena = MembershipFactory(
        team=team, role=Role.LEAD, user__username="lena", user__first_name="Lena"
    ).user
    for title in ("Stop label leakage between train and test", "Calibrate per country"):
        services.focus_item_add(team=team, actor=lena, title=title, owner=lena)
    return team


@pytest.fixture
def wall_page(browser: Browser, console: ConsoleLog):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", console.record)
    yield page
    context.close()


def test_wall_is_readable_and_refreshes_without_navigation(
    live_server, wall_page: Page, console: ConsoleLog, team
):
    login(wall_page, live_server.url, "lena", "pw")
    wall_page.goto(f"{live_server.url}/t/ml/wall/")
    expect(wall_page.locator(".wall-card")).to_have_count(2)
    sizes = wall_page.eval_on_selector_all(
        ".wall-card-title", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 40, sizes
    assert wall_page.locator(".wall-card-title").first.bounding_box()["width"] < 1920
    wall_page.evaluate("window.__noReload = true")

    # An item added through the API shows up within one polling interval.
    lena = team.memberships.get().user
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(lena)
    assert api.post("/api/v1/teams/ml/focus-items/", {"title": "Tripwire"}).status_code == 201
    expect(wall_page.locator(".wall-card-title", has_text="Tripwire")).to_be_visible(timeout=3_000)
    assert wall_page.evaluate("window.__noReload === true")
    expect(wall_page.locator(".wall-footer")).to_contain_text("3 of 3 focus topics")
    assert console.errors == [], console.errors


def test_connection_lost_banner_comes_and_goes(
    live_server, wall_page: Page, console: ConsoleLog, team
):
    login(wall_page, live_server.url, "lena", "pw")
    wall_page.goto(f"{live_server.url}/t/ml/wall/")
    banner = wall_page.locator("#wall-offline")
    expect(banner).to_be_hidden()
    # The server stops answering the polls...
    wall_page.route("**/wall/content/**", lambda route: route.abort("connectionrefused"))
    expect(banner).to_be_visible(timeout=5_000)
    expect(banner).to_contain_text("Connection lost")
    # ...and comes back: the screen recovers by itself, with no reload.
    wall_page.evaluate("window.__noReload = true")
    wall_page.unroute("**/wall/content/**")
    expect(banner).to_be_hidden(timeout=5_000)
    assert wall_page.evaluate("window.__noReload === true")


def test_reload_all_screens_reaches_a_kiosk(
    live_server, wall_page: Page, console: ConsoleLog, team, page: Page
):
    lena = team.memberships.get().user
    _, secret = services.kiosk_token_create(team=team, actor=lena, label="Team room")
    wall_page.goto(f"{live_server.url}/wall/{secret}/")
    expect(wall_page.locator(".wall-card")).to_have_count(2)
    wall_page.evaluate("window.__noReload = true")
    # A lead presses "reload all screens" on the settings page.
    login(page, live_server.url, "lena", "pw")
    page.goto(f"{live_server.url}/t/ml/settings/")
    with wall_page.expect_event("load", timeout=5_000):  # the kiosk reloads itself
        page.click("text=Reload all screens")
        expect(page.locator(".messages")).to_contain_text("reloads at its next refresh")
    assert wall_page.evaluate("window.__noReload === undefined")
    expect(wall_page.locator(".wall-card")).to_have_count(2)
    assert [e for e in console.errors if "Content Security Policy" in e] == []
