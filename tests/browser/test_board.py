from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from focusboard import services
from focusboard.models import FocusItem
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login


@pytest.fixture
def team(db):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.LEAD, user__username="lena", user__first_name="Lena")
    MembershipFactory(team=team, role=Role.MEMBER, user__username="sam", user__first_name="Sam")
    return team


def no_navigation_marker(page: Page) -> None:
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


def add_item(page: Page, title: str) -> None:
    page.fill("#add-title", title)
    page.click("text=Add to the board")
    expect(page.locator(".card-title", has_text=title)).to_be_visible()


def test_add_park_resume_finish_swap_through_the_ui(
    live_server, page: Page, console: ConsoleLog, team
):
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    no_navigation_marker(page)

    for title in ("Stop label leakage", "Calibrate per country", "Baseline tripwire"):
        add_item(page, title)
    expect(page.locator(".cap")).to_have_text("3/3")
    expect(page.locator(".board-full")).to_contain_text(
        "The board is full: park, finish or swap an item first."
    )
    expect(page.locator("#add-title")).to_have_count(0)

    # Park one: it moves to the parked list, and the add form comes back.
    page.locator("#item-1, .focus-card", has_text="Calibrate per country").get_by_role(
        "button", name="Park"
    ).click()
    expect(page.locator(".parked-item", has_text="Calibrate per country")).to_be_visible()
    expect(page.locator(".cap")).to_have_text("2/3")

    # Finish one.
    page.locator(".focus-card", has_text="Baseline tripwire").get_by_role(
        "button", name="Finish"
    ).click()
    expect(page.locator(".focus-card", has_text="Baseline tripwire")).to_have_count(0)

    # Fill the board again, then swap the parked item in through the picker.
    add_item(page, "Neutral A/A test")
    add_item(page, "Feature store access")
    page.select_option("#swap-replace", label="Stop label leakage")
    page.select_option("#swap-item", label="Calibrate per country")
    page.get_by_role("button", name="Swap", exact=True).click()
    expect(page.locator(".focus-card", has_text="Calibrate per country")).to_be_visible()
    expect(page.locator(".parked-item", has_text="Stop label leakage")).to_be_visible()

    # Reorder from the keyboard: focus the "down" button of the first card and press Enter.
    first = page.locator(".focus-card").first
    first_title = first.locator(".card-title").inner_text()
    first.get_by_role("button", name="down").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".focus-card").nth(1)).to_contain_text(first_title.split(". ", 1)[-1])

    assert_not_reloaded(page)
    assert console.errors == [], console.errors
    statuses = dict(FocusItem.objects.values_list("title", "status"))
    assert statuses == {
        "Stop label leakage": "parked",
        "Calibrate per country": "active",
        "Baseline tripwire": "done",
        "Neutral A/A test": "active",
        "Feature store access": "active",
    }


def test_refusal_is_shown_in_words(live_server, page: Page, console: ConsoleLog, team):
    lena = team.memberships.get(role=Role.LEAD).user
    for n in range(2):
        services.focus_item_add(team=team, actor=lena, title=f"Topic {n}")
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    # Someone else fills the board while this page is open...
    services.focus_item_add(team=team, actor=lena, title="Added elsewhere")
    page.fill("#add-title", "One too many")
    page.click("text=Add to the board")
    # ...so the server refuses, and the board says why.
    expect(page.locator(".board-error")).to_contain_text("The board is full")
    expect(page.locator(".card-title", has_text="Added elsewhere")).to_be_visible()
    assert FocusItem.objects.filter(status="active").count() == 3
    assert [e for e in console.errors if "409" not in e] == []


def test_inline_edit(live_server, page: Page, console: ConsoleLog, team):
    lena = team.memberships.get(role=Role.LEAD).user
    services.focus_item_add(team=team, actor=lena, title="Old title")
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/")
    no_navigation_marker(page)
    page.click("text=Edit")
    page.fill("#id_title", "New title")
    page.click("text=Save")
    expect(page.locator(".card-title", has_text="New title")).to_be_visible()
    assert_not_reloaded(page)
    assert console.errors == []
