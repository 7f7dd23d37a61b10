"""The board from the keyboard alone (no mouse clicks): focus stays on the acted-on item across
htmx swaps, Linear-style shortcuts, the help dialog, and shortcuts that keep quiet while typing."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from focusboard import services
from focusboard.models import FocusItem
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login
from .site_pages import LEAD, PASSWORD, seed_site

AXE = Axe()
TITLES = ("Cut eval time", "Stop label leakage", "Calibrate per country")


@pytest.fixture
def team(db):
    team = TeamFactory(slug="ml", name="ML Team", focus_cap=3)
    lead = MembershipFactory(team=team, role=Role.LEAD, user__username="lena").user
    for title in TITLES:
        services.focus_item_add(team=team, actor=lead, title=title)
    return team


def board_order() -> list[str]:
    active = FocusItem.objects.filter(status="active").order_by("position")
    return list(active.values_list("title", flat=True))


def focused_item_title(page: Page) -> str:
    return page.evaluate(
        "() => document.activeElement.closest('[data-item]')"
        "?.querySelector('.card-title, .parked-title')?.textContent ?? ''"
    )


def expect_focus_on(page: Page, title: str) -> None:
    """Focus lands after htmx settles, a moment after the new board is in the page: wait."""
    try:
        page.wait_for_function(
            """title => (document.activeElement.closest('[data-item]')
                ?.querySelector('.card-title, .parked-title')?.textContent ?? '') === title""",
            arg=title,
            timeout=10_000,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"focus is on {focused_item_title(page)!r}, not {title!r}") from None


def open_board(page: Page, live_server) -> None:
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/")
    page.evaluate("window.__noReload = true")


def test_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(live_server, page: Page, team):
    open_board(page, live_server)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_reorder_two_places_with_the_keyboard_keeps_focus_on_the_item(
    live_server, page: Page, console: ConsoleLog, team
):
    open_board(page, live_server)
    page.keyboard.press("j")  # selects the first card
    expect_focus_on(page, "Cut eval time")
    page.keyboard.press("Shift+J")
    expect(page.locator(".focus-card").nth(1)).to_contain_text("Cut eval time")
    expect_focus_on(page, "Cut eval time")
    # The ↓ button itself, Enter pressed on it: focus stays on it after the swap.
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(".focus-card").nth(2)).to_contain_text("Cut eval time")
    expect_focus_on(page, "Cut eval time")
    assert board_order() == ["Stop label leakage", "Calibrate per country", "Cut eval time"]
    # Back up one with the ↑ button reached by Tab and pressed with Enter.
    up = page.get_by_role("button", name="Move “Cut eval time” up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".focus-card").nth(1)).to_contain_text("Cut eval time")
    expect(page.get_by_role("button", name="Move “Cut eval time” up")).to_be_focused()
    assert page.evaluate("window.__noReload === true")
    assert console.errors == [], console.errors


def test_shortcuts_pressed_before_the_board_settles_wait_their_turn(
    live_server, page: Page, console: ConsoleLog, team
):
    """Keys pressed while a move is on its way (or its new board not yet wired by htmx) run
    after it, in order, instead of submitting the old-fashioned way and reloading the page."""
    open_board(page, live_server)
    page.keyboard.press("j")
    page.keyboard.press("Shift+J")
    page.keyboard.press("Shift+J")  # no wait: the first move has not come back yet
    page.keyboard.press("k")
    page.keyboard.press("Shift+K")  # the selection moved up to "Calibrate…", which goes up
    expect(page.locator(".focus-card").nth(0)).to_contain_text("Calibrate per country")
    expect_focus_on(page, "Calibrate per country")
    assert board_order() == ["Calibrate per country", "Stop label leakage", "Cut eval time"]
    assert page.evaluate("window.__noReload === true")
    assert console.errors == [], console.errors


def test_park_with_p_and_edit_with_e_keep_focus_on_the_item(
    live_server, page: Page, console: ConsoleLog, team
):
    open_board(page, live_server)
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect_focus_on(page, "Stop label leakage")
    page.keyboard.press("p")
    expect(page.locator(".parked-item", has_text="Stop label leakage")).to_be_visible()
    expect_focus_on(page, "Stop label leakage")
    assert FocusItem.objects.get(title="Stop label leakage").status == "parked"
    # a brings it back, still selected.
    page.keyboard.press("a")
    expect(page.locator(".focus-card", has_text="Stop label leakage")).to_be_visible()
    expect_focus_on(page, "Stop label leakage")
    # e opens the inline editor with the caret at the end of the title; Enter saves.
    page.keyboard.press("e")
    expect(page.locator("#id_title")).to_be_focused()
    page.keyboard.type(" now")
    page.keyboard.press("Enter")
    expect(page.locator(".card-title", has_text="Stop label leakage now")).to_be_visible()
    expect(
        page.locator(".focus-card", has_text="Stop label leakage now").locator("[data-action=edit]")
    ).to_be_focused()
    assert console.errors == [], console.errors


def test_finishing_moves_the_selection_to_the_neighbour(live_server, page: Page, team):
    open_board(page, live_server)
    page.keyboard.press("j")
    page.keyboard.press("f")
    expect(page.locator(".focus-card", has_text="Cut eval time")).to_have_count(0)
    expect(page.locator(".focus-card").first).to_be_focused()


def test_question_mark_opens_an_accessible_help_dialog(live_server, page: Page, team):
    open_board(page, live_server)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Park it")
    # Shortcuts are off while the dialog is open; Escape closes it.
    page.keyboard.press("j")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert FocusItem.objects.filter(status="active").count() == 3
    # The same list from a button, for people who do not know about "?"; Close by keyboard.
    page.get_by_role("button", name="Keyboard shortcuts").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_focused()


def test_shortcuts_do_not_fire_while_typing_in_the_add_form(live_server, page: Page, team):
    services.focus_item_park(item=FocusItem.objects.get(title="Calibrate per country"), actor=None)
    open_board(page, live_server)
    page.keyboard.press("j")  # an item is selected…
    page.locator("#add-title").focus()  # …then the person types a title full of shortcut keys
    page.keyboard.type("Jpeg fakes? keep aside")
    page.keyboard.press("Tab")
    page.keyboard.type("few people ask")
    expect(page.locator("#add-title")).to_have_value("Jpeg fakes? keep aside")
    expect(page.locator("#add-why")).to_have_value("few people ask")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert board_order() == ["Cut eval time", "Stop label leakage"]
    # Enter in the form adds it and leaves focus in the title, ready for the next one.
    page.locator("#add-title").press("Enter")
    expect(page.locator(".card-title", has_text="Jpeg fakes? keep aside")).to_be_visible()
    expect(page.locator("#add-title")).to_have_count(0)  # the board is full now
    assert board_order() == ["Cut eval time", "Stop label leakage", "Jpeg fakes? keep aside"]


def test_action_buttons_are_named_with_their_item(live_server, page: Page, team):
    open_board(page, live_server)
    card = page.locator(".focus-card", has_text="Cut eval time")
    for name in ("Park “Cut eval time”", "Finish “Cut eval time”", "Drop “Cut eval time”"):
        expect(card.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="Edit “Cut eval time”", exact=True)).to_be_visible()
    # …while what the eye sees is unchanged.
    hidden = card.locator("[data-action=park] .visually-hidden").bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1


def test_the_week_picture_is_reachable_by_keyboard_with_its_details_in_words(
    live_server, page: Page, console: ConsoleLog, transactional_db
):
    site = seed_site()
    login(page, live_server.url, LEAD, PASSWORD)
    page.goto(f"{live_server.url}/t/{site.team}/schedule/")
    blocks = page.locator(".week-svg [data-block]")
    # One Tab stop for the whole picture (roving tabindex), then the arrow keys.
    expect(page.locator(".week-svg [data-block][tabindex='0']")).to_have_count(1)
    first = page.locator(".week-svg [data-block][tabindex='0']")
    first.focus()
    first_label = first.get_attribute("aria-label")
    detail = page.locator("#week-detail")
    expect(detail).to_have_text(first_label or "no label")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert second and second != first_label
    expect(detail).to_have_text(second)
    page.keyboard.press("ArrowDown")
    third = page.evaluate("document.activeElement.closest('.wk-row').dataset.person")
    assert third != "lena"  # the next person's row
    # Every meeting of the picture is in the list under it, in words.
    meetings = page.locator(".week-svg [data-meeting][data-block]")
    assert meetings.count() > 0
    page.get_by_text("The week as a list, person by person").click()
    listed = page.locator(".week-text li.is-meeting")
    expect(listed.first).to_be_visible()
    names = {m.get_attribute("aria-label") for m in meetings.all()}
    assert {f"Meeting: {n}" for n in names} <= set(listed.all_inner_texts())
    assert blocks.count() >= meetings.count()
    assert console.errors == [], console.errors


def serious_violations(page: Page) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_the_board_s_dynamic_states_pass_axe_too(live_server, page: Page, team):
    """The site-wide check sees pages as loaded; the help dialog and the inline editor
    appear only after a key press."""
    open_board(page, live_server)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("e")
    expect(page.locator("#id_title")).to_be_focused()
    assert serious_violations(page) == []


# The colour of the focus ring against what is behind it (the nearest ancestor with a
# background), as WCAG 2.2 computes contrast.
RING_CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = el.parentElement;
  while (bg && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
  const ring = lum(rgb(getComputedStyle(el).outlineColor));
  const back = lum(rgb(getComputedStyle(bg || document.body).backgroundColor));
  const [hi, lo] = ring > back ? [ring, back] : [back, ring];
  return { style: getComputedStyle(el).outlineStyle, ratio: (hi + 0.05) / (lo + 0.05) };
}"""


def test_focus_rings_have_3_to_1_contrast_against_their_background(live_server, page: Page, team):
    open_board(page, live_server)
    checked = []
    # Tab through the page from the top: the skip link, the dark top bar, the team nav, the
    # cards' buttons, the add form.
    for _ in range(30):
        page.keyboard.press("Tab")
        ring = page.evaluate_handle("document.activeElement").evaluate(RING_CONTRAST)
        name = page.evaluate(
            "document.activeElement.textContent.trim().slice(0, 30) || document.activeElement.id"
        )
        checked.append(name)
        assert ring["style"] != "none", f"{name}: no focus outline"
        assert ring["ratio"] >= 3, f"{name}: focus ring contrast {ring['ratio']:.2f}:1"
    assert "Log out" in checked and any(n.startswith("Park") for n in checked), checked


def test_swapping_by_keyboard_focuses_the_item_brought_in(live_server, page: Page, team):
    lead = team.memberships.get(role=Role.LEAD).user
    services.focus_item_park(item=FocusItem.objects.get(title="Cut eval time"), actor=lead)
    services.focus_item_add(team=team, actor=lead, title="Feature store access")
    open_board(page, live_server)
    page.locator("#swap-item").focus()  # the only parked item is already chosen
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Swap", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".focus-card", has_text="Cut eval time")).to_be_visible()
    expect_focus_on(page, "Cut eval time")
