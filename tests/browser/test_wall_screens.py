"""Screens in a room, in Chromium: a revoked address turns into "This screen was disconnected"
and stops polling; a playlist rotates teams' walls; the pages that make their addresses (Copy,
QR code) work at phone width. Screenshots go to FOCUSBOARD_SCREENSHOTS (a folder) when set, and
the disconnected page and the playlist screen to docs/ with FOCUSBOARD_UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from focusboard import services
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login

DOCS = Path(__file__).resolve().parents[2] / "docs"

# The page is wider than the screen when the document scrolls sideways.
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def shoot(page: Page, name: str, *, docs: bool = False) -> None:
    folder = os.environ.get("FOCUSBOARD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
    if docs and os.environ.get("FOCUSBOARD_UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / f"{name}.png"))


@pytest.fixture
def teams(db, settings):
    settings.FOCUSBOARD_WALL_POLL_SECONDS = 1
    ml = TeamFactory(slug="ml", name="Ranking Models")
    lena = MembershipFactory(
        team=ml, role=Role.LEAD, user__username="lena", user__first_name="Lena"
    ).user
    infra = TeamFactory(slug="infra", name="Training Infra")
    MembershipFactory(team=infra, role=Role.LEAD, user=lena)
    for team, titles in (
        (ml, ("Stop label leakage between train and test", "Calibrate per country")),
        (infra, ("GPU queue under ten minutes at peak",)),
    ):
        for title in titles:
            services.focus_item_add(team=team, actor=lena, title=title, owner=lena)
        services.wall_playlists_opt(team=team, opted_in=True)
    return ml, infra, lena


def screen(browser: Browser, console: ConsoleLog, width: int = 1920, height: int = 1080) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", console.record)
    return page


def test_revoking_an_open_wall_shows_disconnected_and_stops_polling(
    live_server, browser: Browser, console: ConsoleLog, teams
):
    ml, _, lena = teams
    token, secret = services.kiosk_token_create(team=ml, actor=lena, label="Team room")
    wall = screen(browser, console)
    polls: list[str] = []
    wall.on("request", lambda r: polls.append(r.url) if "/content/" in r.url else None)
    wall.goto(f"{live_server.url}/wall/{secret}/")
    expect(wall.locator(".wall-card")).to_have_count(2)
    services.kiosk_token_revoke(token=token)
    heading = wall.locator("h1", has_text="This screen was disconnected")
    expect(heading).to_be_visible(timeout=5_000)
    expect(
        wall.locator("text=ask a lead of the team for a new wall-screen address")
    ).to_be_visible()
    expect(wall.locator("#wall-offline")).to_have_count(0)  # no "Connection lost… retrying"
    shoot(wall, "wall-disconnected", docs=True)
    seen = len(polls)
    time.sleep(3.5)  # three poll intervals
    assert len(polls) == seen, polls[seen:]
    assert wall.evaluate(SIDEWAYS) is False
    wall.context.close()
    # On a phone too (someone opening an old link).
    phone = screen(browser, console, 390, 844)
    phone.goto(f"{live_server.url}/wall/{secret}/")
    expect(phone.locator("h1")).to_have_text("This screen was disconnected")
    assert phone.evaluate(SIDEWAYS) is False
    shoot(phone, "wall-disconnected-390")
    phone.context.close()
    assert console.csp_violations == []


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_a_playlist_screen_rotates_teams_and_fits(
    live_server, browser: Browser, console: ConsoleLog, teams, width, height
):
    ml, infra, lena = teams
    playlist = services.wall_playlist_create(
        actor=lena, name="Kitchen", teams=[ml, infra], seconds_per_team=10
    )
    _, secret = services.wall_playlist_token_create(playlist=playlist, actor=lena, label="TV")
    page = screen(browser, console, width, height)
    page.clock.install()  # the test moves the page's timers on by a turn at a time
    page.goto(f"{live_server.url}/walls/screen/{secret}/")
    expect(page.locator(".wall-team")).to_have_text("Ranking Models")
    expect(page.locator(".wall-card")).to_have_count(2)
    page.clock.run_for(10_500)
    expect(page.locator(".wall-team")).to_have_text("Training Infra", timeout=5_000)
    expect(page.locator(".wall-card")).to_have_count(1)
    shoot(page, f"wall-playlist-{width}x{height}", docs=width == 1920)
    doc = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert doc == [width, height]
    # Training Infra's lead stops it: the screen stays on Ranking Models.
    services.wall_playlists_opt(team=infra, opted_in=False)
    page.clock.run_for(10_500)
    expect(page.locator(".wall-team")).to_have_text("Ranking Models", timeout=5_000)
    expect(page.locator(".wall-card")).to_have_count(2)
    page.clock.run_for(10_500)
    time.sleep(1)
    expect(page.locator(".wall-team")).to_have_text("Ranking Models")
    page.context.close()
    assert console.errors == [], console.errors


def test_managing_a_playlist_on_a_phone_with_copy_and_qr(
    live_server, browser: Browser, console: ConsoleLog, teams
):
    phone = screen(browser, console, 390, 844)
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    login(phone, live_server.url, "lena", "pw")
    phone.goto(f"{live_server.url}/walls/")
    shoot(phone, "playlists-390")
    assert phone.evaluate(SIDEWAYS) is False
    phone.fill("#id_name", "Kitchen")
    phone.check("text=Ranking Models")
    phone.check("text=Training Infra")
    phone.click("text=Create the playlist")
    expect(phone.locator("h1")).to_have_text("Kitchen")
    expect(phone.locator("text=Ranking Models → Training Infra")).to_be_visible()
    shoot(phone, "playlist-390")
    assert phone.evaluate(SIDEWAYS) is False
    phone.click("text=Create screen address")
    expect(phone.locator("svg.qr")).to_be_visible()
    address = phone.input_value("#playlist-url")
    assert "/walls/screen/" in address
    phone.click("button[data-copy=playlist-url]")
    expect(phone.locator("button[data-copy=playlist-url]")).to_have_text("Copied")
    shoot(phone, "playlist-screen-created-390")
    assert phone.evaluate(SIDEWAYS) is False
    # The team's own wall-screen address gets the same.
    phone.goto(f"{live_server.url}/t/ml/settings/")
    phone.click("text=Create wall screen address")
    expect(phone.locator("svg.qr")).to_be_visible()
    phone.click("button[data-copy=kiosk-url]")
    expect(phone.locator("button[data-copy=kiosk-url]")).to_have_text("Copied")
    shoot(phone, "kiosk-created-390")
    assert phone.evaluate(SIDEWAYS) is False
    phone.context.close()
    assert console.errors == [], console.errors
