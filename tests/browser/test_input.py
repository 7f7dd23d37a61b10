"""In Chromium under the strict CSP: /me/tokens/ (create, copy, use, revoke) and the page a
person gets for an upload that is too large (refused before it is read)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from teams.models import ApiToken, Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login

SIZES = ((1920, 1080), (390, 844))


def shots(page: Page, name: str, folder: Path) -> None:
    folder = Path(os.environ.get("FOCUSBOARD_SHOTS") or folder)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        # Nothing wider than the screen, on a phone too.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_person_creates_copies_uses_and_revokes_a_token(
    live_server, page: Page, console: ConsoleLog, tmp_path
):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.MEMBER, user__username="tom")
    login(page, live_server.url, "tom")
    page.goto(f"{live_server.url}/me/")
    page.click("text=My API tokens")
    page.fill("#id_name", "Laptop terminal")
    page.select_option("#id_expires", "30")
    page.click("text=Create the token")
    key = page.input_value("#new-token")
    assert len(key) >= 40
    page.click("button[data-copy=new-token]")
    expect(page.locator("button[data-copy=new-token]")).to_have_text("Copied")
    expect(page.locator("tr[data-token]")).to_contain_text("Laptop terminal")
    shots(page, "me-tokens", tmp_path)

    api = page.request.get(
        f"{live_server.url}/api/v1/teams/ml/", headers={"Authorization": f"Token {key}"}
    )
    assert api.status == 200
    page.goto(f"{live_server.url}/me/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    expect(page.locator("tr[data-token]")).to_contain_text("ago")  # last used
    page.click("tr[data-token] >> text=Revoke")
    expect(page.locator("tr[data-token]")).to_contain_text("revoked")
    assert ApiToken.objects.get().revoked_at is not None
    api = page.request.get(
        f"{live_server.url}/api/v1/teams/ml/", headers={"Authorization": f"Token {key}"}
    )
    assert api.status == 401
    assert console.csp_violations == [], console.errors


def test_a_too_large_calendar_upload_gets_a_readable_page(
    live_server, page: Page, console: ConsoleLog, tmp_path
):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.MEMBER, user__username="tom")
    big = tmp_path / "huge.ics"
    big.write_bytes(b"BEGIN:VCALENDAR\r\n" + b" " * (3 * 1024 * 1024) + b"END:VCALENDAR\r\n")
    login(page, live_server.url, "tom")
    page.goto(f"{live_server.url}/me/calendars/")
    page.set_input_files("input[type=file]", str(big))
    page.locator("input[type=file]").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("h1")).to_have_text("That was too much at once")
    expect(page.locator("main")).to_contain_text("calendar files up to 2 MB are accepted")
    shots(page, "too-large", tmp_path)
    assert console.csp_violations == [], console.errors
