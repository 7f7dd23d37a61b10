"""A batch that trips a wire puts the red line on an open wall screen, without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from rest_framework.test import APIClient

from focusboard import services as focus_services
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory
from tripwires import services

from .conftest import ConsoleLog, login


@pytest.fixture
def wall_page(browser: Browser, console: ConsoleLog):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", console.record)
    yield page
    context.close()


def daily(n: int, *, first: int, gap: float, start) -> dict:
    return {
        "observations": [
            {
                "at": (start + timedelta(days=first + i)).isoformat(),
                "production": 5.2 + gap,
                "baseline": 5.2,
                "key": f"d{first + i}",
            }
            for i in range(n)
        ]
    }


def test_a_tripping_batch_turns_the_open_wall_red_without_a_reload(
    live_server, wall_page: Page, console: ConsoleLog, settings, db
):
    settings.FOCUSBOARD_WALL_POLL_SECONDS = 1
    team = TeamFactory(slug="ml", name="Ranking Models", timezone="Europe/Paris")
    lena = MembershipFactory(
        team=team, role=Role.LEAD, user__username="lena", user__first_name="Lena"
    ).user
    for title in ("Stop label leakage between train and test", "Calibrate per country"):
        focus_services.focus_item_add(team=team, actor=lena, title=title, owner=lena)
    tripwire = services.tripwire_create(
        team=team,
        actor=lena,
        name="CTR",
        metric="ctr",
        unit="%",
        baseline_label="popularity baseline",
        expected_interval_hours=24 * 7,
    )
    _, secret = services.ingest_token_issue(tripwire=tripwire, actor=lena)
    pipeline = APIClient()
    pipeline.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    path = f"/api/v1/teams/ml/tripwires/{tripwire.pk}/observations/"
    start = (timezone.now() - timedelta(days=37)).replace(hour=6, minute=0, second=0)
    assert (
        pipeline.post(path, daily(30, first=0, gap=4.1, start=start), format="json").json()[
            "status"
        ]
        == "ok"
    )

    login(wall_page, live_server.url, "lena", "pw")
    wall_page.goto(f"{live_server.url}/t/ml/wall/")
    expect(wall_page.locator(".wall-tripwires-ok")).to_have_text("1 tripwire ok")
    expect(wall_page.locator(".wall-alert")).to_have_count(0)
    wall_page.evaluate("window.__noReload = true")

    answer = pipeline.post(path, daily(6, first=30, gap=1.2, start=start), format="json")
    assert answer.json()["status"] == "tripped"

    alarm = wall_page.locator(".wall-alert.wall-tripwire")
    expect(alarm).to_be_visible(timeout=5_000)
    expect(alarm).to_contain_text(
        "Tripwire CTR: production's lead over the popularity baseline fell from 4.1 % to 1.2 %"
    )
    assert wall_page.evaluate("window.__noReload === true")  # polled in, not reloaded
    red = alarm.evaluate("e => getComputedStyle(e).backgroundColor")
    assert red == "rgb(138, 28, 28)"
    # At the top of the wall, above the cards, and alone in red.
    assert alarm.bounding_box()["y"] < wall_page.locator(".wall-card").first.bounding_box()["y"]
    expect(wall_page.locator(".wall-tripwires-ok")).to_have_count(0)
    assert not console.csp_violations
