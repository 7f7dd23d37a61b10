"""Undo, outcomes and the Done list in a real browser: a drop undone from the keyboard, a
finish with what we learned, bring back, the toast going by itself, the no-JS fallback, a
refused add that keeps its input, and the screenshots (docs/done-list.png with
FOCUSBOARD_UPDATE_SCREENSHOTS=1; always saved to FOCUSBOARD_SHOTS when set)."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from focusboard import services
from focusboard.models import FocusItem
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import CHROMIUM, ConsoleLog, login  # noqa: F401

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = os.environ.get("FOCUSBOARD_SHOTS")


@pytest.fixture
def team(db):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.LEAD, user__username="lena", user__first_name="Lena")
    MembershipFactory(team=team, role=Role.MEMBER, user__username="sam", user__first_name="Sam")
    return team


def lead_of(team):
    return team.memberships.get(role=Role.LEAD).user


def card(page: Page, title: str):
    return page.locator(".focus-card", has_text=title)


def test_drop_then_undo_from_the_keyboard(live_server, page: Page, console: ConsoleLog, team):
    services.focus_item_add(team=team, actor=lead_of(team), title="Stop label leakage")
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    card(page, "Stop label leakage").get_by_role("button", name="Drop").focus()
    page.keyboard.press("Enter")
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Dropped “Stop label leakage”.")
    expect(toast).to_have_attribute("role", "status")
    expect(card(page, "Stop label leakage")).to_have_count(0)
    # Tab from the top of the page reaches the toast's Undo button.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('toast-undo')"):
            break
    else:
        pytest.fail("Tab never reached the Undo button")
    page.keyboard.press("Enter")
    expect(page.locator(".board-notice")).to_contain_text("Undone: “Stop label leakage” is back")
    expect(card(page, "Stop label leakage")).to_be_visible()
    assert FocusItem.objects.get().status == "active"
    assert console.errors == [], console.errors


def test_finish_with_outcome_done_list_bring_back_and_screens(
    live_server, browser: Browser, console: ConsoleLog, team, tmp_path
):
    lena = lead_of(team)
    sam = team.memberships.get(role=Role.MEMBER).user
    now = timezone.now()

    def days_ago(n: int):
        return mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=n))

    # On the board for ten days, parked for three, back for three: "day 3 · 13 days in all".
    with days_ago(14):
        calibrate = services.focus_item_add(
            team=team, actor=lena, title="Calibrate per country", owner=sam
        )
    with days_ago(5):
        services.focus_item_park(item=calibrate, actor=lena)
    with days_ago(2):
        services.focus_item_activate(item=calibrate, actor=lena)
    with days_ago(4):
        services.focus_item_add(team=team, actor=lena, title="Neutral A/A test", owner=sam)
    services.focus_item_add(team=team, actor=lena, title="Feature store access", owner=lena)
    old = services.focus_item_add(team=team, actor=lena, title="Distil the ranker", status="parked")
    services.focus_item_drop(item=old, actor=lena, outcome="Latency was fine without it.")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.on("console", console.record)
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/")

    expect(card(page, "Calibrate per country")).to_contain_text("day 3 · 13 days in all")
    card(page, "Neutral A/A test").get_by_role("button", name="Finish").click()
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Finished “Neutral A/A test”.")
    expect(page.locator(".toast[data-armed]")).to_be_visible()  # the board placed its focus
    toast.get_by_label("What did we learn?").fill("The split was fine; the logger double-counted")
    shot_toast = tmp_path / "board-toast.png"
    page.screenshot(path=str(shot_toast), caret="initial")
    toast.get_by_role("button", name="Save note").click()
    expect(page.locator(".board-notice")).to_contain_text("Outcome of “Neutral A/A test” saved")
    done = page.locator("#done")
    expect(done).to_have_attribute("open", "")
    expect(done.locator(".done-item").first).to_contain_text("logger double-counted")
    expect(done.locator(".done-item").first).to_contain_text("Sam")
    expect(done.locator(".done-item", has_text="Distil the ranker")).to_contain_text(
        "Latency was fine"
    )
    page.screenshot(path=str(tmp_path / "done-list.png"), caret="initial")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "done-list-390.png"), full_page=True, caret="initial")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1920, "height": 1080})

    # Bring the dropped one back: it is parked again.
    done.get_by_role("button", name="Bring back “Distil the ranker” as parked").click()
    expect(page.locator(".parked-item", has_text="Distil the ranker")).to_be_visible()
    assert FocusItem.objects.get(title="Distil the ranker").status == "parked"

    # The toast after a drop, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    card(page, "Feature store access").get_by_role("button", name="Drop").click()
    expect(page.locator(".toast")).to_be_visible()
    page.screenshot(path=str(tmp_path / "board-toast-390.png"), caret="initial")

    # The history page lists them too, and fits a phone.
    page.goto(f"{live_server.url}/t/ml/history/")
    expect(page.locator("#done .done-item").first).to_contain_text("Feature store access")
    expect(page.locator("#done")).to_contain_text("logger double-counted")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "history-done-390.png"), full_page=True, caret="initial")
    context.close()

    for name in (
        "board-toast",
        "done-list",
        "done-list-390",
        "board-toast-390",
        "history-done-390",
    ):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
        if SHOTS:
            shutil.copy(tmp_path / f"{name}.png", Path(SHOTS) / f"{name}.png")
    if os.environ.get("FOCUSBOARD_UPDATE_SCREENSHOTS"):
        shutil.copy(tmp_path / "done-list.png", DOCS / "done-list.png")
    assert console.errors == [], console.errors


def test_the_toast_goes_by_itself_but_not_while_focused(
    live_server, page: Page, console: ConsoleLog, team
):
    services.focus_item_add(team=team, actor=lead_of(team), title="One")
    services.focus_item_add(team=team, actor=lead_of(team), title="Two")
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    card(page, "One").get_by_role("button", name="Drop").click()
    # Armed once htmx has settled (when the board also places its focus): then type in it.
    expect(page.locator(".toast[data-armed]")).to_be_visible()
    note = page.locator(".toast").get_by_label("What did we learn?")
    note.focus()
    expect(note).to_be_focused()
    page.wait_for_timeout(9_500)
    expect(page.locator(".toast")).to_be_visible()  # someone is typing: it stays
    page.locator("#board-heading").click()
    expect(page.locator(".toast")).to_have_count(0, timeout=12_000)
    card(page, "Two").get_by_role("button", name="Drop").click()
    # The toast is armed once htmx has settled it (a few ms after it shows).
    expect(page.locator(".toast[data-armed]")).to_be_visible()
    page.keyboard.press("Tab")
    page.locator(".toast-undo").press("Escape")
    expect(page.locator(".toast")).to_have_count(0)
    assert console.errors == [], console.errors


def test_without_javascript_the_result_page_offers_undo(
    live_server, browser: Browser, console: ConsoleLog, team
):
    services.focus_item_add(team=team, actor=lead_of(team), title="Stop label leakage")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    card(page, "Stop label leakage").get_by_role("button", name="Finish").click()
    page.wait_for_url(f"{live_server.url}/t/ml/")
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Finished “Stop label leakage”.")
    expect(toast.locator("[data-toast-close]")).to_be_hidden()  # Dismiss needs JS
    toast.get_by_role("button", name="Undo: finished “Stop label leakage”").click()
    expect(page.locator(".messages")).to_contain_text("Undone")
    expect(card(page, "Stop label leakage")).to_be_visible()
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_add_keeps_what_was_typed(live_server, browser: Browser, team, javascript):
    lena = lead_of(team)
    for n in range(2):
        services.focus_item_add(team=team, actor=lena, title=f"Topic {n}")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    services.focus_item_add(team=team, actor=lena, title="Added elsewhere")  # a stale tab
    page.fill("#add-title", "One too many")
    page.fill("#add-why", "It matters")
    page.select_option("#add-owner", label="Sam")
    page.click("text=Add to the board")
    expect(page.locator(".board-error")).to_contain_text("The board is full")
    # The board is full now: the typed topic waits in the "add to parked" form.
    expect(page.locator("#add-title-parked")).to_have_value("One too many")
    expect(page.locator("#add-why-parked")).to_have_value("It matters")
    expect(page.locator("#add-owner-parked option:checked")).to_have_text("Sam")
    page.click("summary:has-text('Add a new idea to the parked list instead')")
    page.click("text=Add to parked")
    expect(page.locator(".parked-item", has_text="One too many")).to_be_visible()
    context.close()


def test_remove_member_undo_and_revoke_asks_first(
    live_server, page: Page, console: ConsoleLog, team, tmp_path
):
    from focusboard.models import KioskToken
    from teams.models import Membership

    KioskToken.issue(team=team, label="Team room", created_by=lead_of(team))
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/settings/")
    page.locator("tr", has_text="sam").get_by_role("button", name="Remove").click()
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Sam left ML Team.")
    toast.get_by_role("button", name="Undo: remove Sam").click()
    expect(page.locator(".messages")).to_contain_text("Sam is back in ML Team as member.")
    assert Membership.objects.filter(team=team, user__username="sam").exists()

    assert page.locator("#invitations").count() == 1  # a whole page, not one inside the toast
    page.locator("form[action*='/settings/kiosk/'] button", has_text="Revoke").click()
    expect(page.locator("h1")).to_have_text("Revoke the wall screen “Team room”?")
    for width, height in ((1920, 1080), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(tmp_path / f"confirm-{width}.png"), caret="initial")
        if SHOTS:
            shutil.copy(tmp_path / f"confirm-{width}.png", Path(SHOTS) / f"confirm-{width}.png")
    page.get_by_role("link", name="Cancel, keep it").click()
    assert KioskToken.objects.live().exists()
    page.locator("form[action*='/settings/kiosk/'] button", has_text="Revoke").click()
    page.get_by_role("button", name="Revoke the screen").click()
    expect(page.locator(".messages")).to_contain_text("can no longer see the board")
    assert not KioskToken.objects.live().exists()
    assert console.errors == [], console.errors
