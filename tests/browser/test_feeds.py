"""/me/feeds/ in Chromium, wide and phone-sized: create an address, copy it with the button,
fetch the feed, and see when and by what it was fetched; under the strict CSP. Saved to
docs/feeds.png with FOCUSBOARD_UPDATE_SCREENSHOTS=1 (the README shows it)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("width", [1920, 390])
def test_create_copy_and_watch_a_feed(live_server, browser: Browser, tmp_path, width):
    team = TeamFactory(slug="ml", name="ML Team", timezone="Europe/Paris")
    MembershipFactory(team=team, role=Role.LEAD, user__username="lena")
    console = ConsoleLog()
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", console.record)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    try:
        login(page, live_server.url, "lena")
        page.goto(f"{live_server.url}/me/feeds/")
        expect(page.locator("h1")).to_have_text("My calendar feeds")
        page.select_option("#id_calendar", "personal")
        page.check("#id_include_maker_blocks")
        page.click("text=Create the address")

        webcal = page.locator("#feed-webcal")
        expect(webcal).to_have_value(re.compile(r"^webcal://localhost:\d+/feeds/[\w-]{40,}\.ics$"))
        https = page.locator("#feed-https").input_value()
        button = page.locator('button[data-copy="feed-webcal"]')
        button.click()
        expect(button).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == webcal.input_value()

        # A calendar app fetches it; the page then says when and by what.
        response = page.request.get(https, headers={"User-Agent": "Thunderbird/128.0"})
        assert response.status == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert b"Maker time" in response.body()
        page.goto(f"{live_server.url}/me/feeds/")
        row = page.locator("table.feeds-table tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("with my maker time")
        expect(row).to_contain_text("Thunderbird/128.0")
        expect(page.locator("#feed-webcal")).to_have_count(0)  # shown once only
        # Nothing spills sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # Show the address again, as right after creating it, for the picture.
        page.click("text=Rotate")
        expect(page.locator("#feed-webcal")).to_be_visible()
        shot = tmp_path / f"feeds-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if width == 1920 and os.environ.get("FOCUSBOARD_UPDATE_SCREENSHOTS"):
            DOCS.mkdir(exist_ok=True)
            shutil.copy(shot, DOCS / "feeds.png")
        assert console.errors == [], console.errors
    finally:
        context.close()
