from __future__ import annotations

from playwright.sync_api import Page, expect

from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login


def test_login_see_team_page_without_console_errors(live_server, page: Page, console: ConsoleLog):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.LEAD, user__username="lena")

    login(page, live_server.url, "lena")
    expect(page.locator(".team-link")).to_have_text("ML Team")
    page.click("text=ML Team")
    page.wait_for_url(f"{live_server.url}/t/ml/")
    expect(page.locator("h1.team-name")).to_have_text("ML Team")
    expect(page.locator('.teamnav a[aria-current="page"]')).to_have_text("Focus board")
    # htmx loaded from our own static files, under the strict CSP.
    assert page.evaluate("typeof window.htmx") == "object"
    assert console.errors == [], console.errors
    assert console.csp_violations == []


def test_api_docs_render_under_csp(live_server, page: Page, console: ConsoleLog):
    TeamFactory()
    MembershipFactory(user__username="lena")
    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Focusboard API")
    assert console.csp_violations == [], console.errors
