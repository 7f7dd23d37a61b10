"""A member checks every non-negotiable of a milestone and completes it; with one missing,
the page says which in words and the milestone stays open."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from milestones import services
from milestones.models import Milestone, NonNegotiable
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login


@pytest.fixture
def milestone(db) -> Milestone:
    team = TeamFactory(slug="ml", name="Ranking Models")
    lena = MembershipFactory(
        team=team, role=Role.LEAD, user__username="lena", user__first_name="Lena"
    ).user
    MembershipFactory(team=team, role=Role.MEMBER, user__username="sam", user__first_name="Sam")
    for title, evidence in (("Unit tests", True), ("Design doc", False), ("Job retries", False)):
        services.non_negotiable_add(team=team, actor=lena, title=title, requires_evidence=evidence)
    return services.milestone_create(
        team=team,
        actor=lena,
        title="Click model in shadow mode",
        target_date=date(2027, 3, 15),
        precision="month",
    )


def test_check_every_item_then_complete(live_server, page: Page, console: ConsoleLog, milestone):
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/milestones/{milestone.pk}/")
    page.evaluate("window.__noReload = true")
    expect(page.locator("#checklist h3")).to_have_text("Non-negotiables 0/3")
    for item in NonNegotiable.objects.order_by("position"):
        line = page.locator(".check-line", has_text=item.title)
        if item.requires_evidence:
            line.get_by_label(f"Evidence for {item.title}").fill("https://ci.example.com/42")
        line.get_by_role("button", name="Check").click()
        expect(page.locator(".check-line.checked", has_text=item.title)).to_have_count(1)
    expect(page.locator("#checklist h3")).to_have_text("Non-negotiables 3/3")
    link = page.locator(".check-line", has_text="Unit tests").get_by_role("link", name="evidence")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    page.get_by_role("button", name="Complete the milestone").click()
    expect(page.locator("#checklist")).to_contain_text("Done on")
    assert page.evaluate("window.__noReload === true")
    milestone.refresh_from_db()
    assert milestone.status == "done"
    assert console.errors == [], console.errors


def test_completing_with_one_missing_says_which(
    live_server, page: Page, console: ConsoleLog, milestone
):
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/milestones/{milestone.pk}/")
    page.locator(".check-line", has_text="Unit tests").get_by_label("Evidence for Unit tests").fill(
        "note: 212 tests green"
    )
    for title in ("Unit tests", "Design doc"):
        page.locator(".check-line", has_text=title).get_by_role("button", name="Check").click()
        expect(page.locator(".check-line.checked", has_text=title)).to_have_count(1)
    expect(page.locator("#checklist h3")).to_have_text("Non-negotiables 2/3")
    page.get_by_role("button", name="Complete the milestone").click()
    expect(page.locator("#checklist .board-error")).to_contain_text(
        "cannot be completed: not yet checked: Job retries"
    )
    milestone.refresh_from_db()
    assert milestone.status == "planned"


def test_checking_from_the_keyboard_keeps_focus_in_the_checklist(
    live_server, page: Page, console: ConsoleLog, milestone
):
    """The checklist is swapped by htmx; focus must not fall back to the top of the page."""
    login(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/t/ml/milestones/{milestone.pk}/")
    page.evaluate("window.__noReload = true")
    line = page.locator(".check-line", has_text="Design doc")
    line.get_by_role("button", name="Check").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".check-line.checked", has_text="Design doc")).to_have_count(1)
    # Focus lands on the same item's control in the new checklist (now "Uncheck").
    page.wait_for_function(
        "() => document.activeElement.closest('.check-line')?.textContent.includes('Design doc')"
        " && document.activeElement.textContent.trim() === 'Uncheck'"
    )
    page.keyboard.press("Enter")  # and Enter again takes it back, still without a mouse
    expect(page.locator(".check-line.checked", has_text="Design doc")).to_have_count(0)
    page.wait_for_function(
        "() => document.activeElement.closest('.check-line')?.textContent.includes('Design doc')"
    )
    assert console.errors == [], console.errors
