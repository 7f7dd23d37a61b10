"""The schedule page in Chromium: propose a meeting, read the ranked proposals and their
reasons, book one with a click and see it in the week without leaving the page (htmx), under
the strict CSP. And the seeded demo week, photographed for the README."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.core.management import call_command
from django.utils.dateparse import parse_datetime
from playwright.sync_api import Page, expect

from schedule.models import Meeting
from teams.models import Role
from teams.services import profile_update
from tests.factories import MembershipFactory, TeamFactory
from tests.schedule.support import at, make_meeting, week_of

from .conftest import ConsoleLog, login

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_propose_and_book_a_meeting_with_htmx(live_server, page: Page, console: ConsoleLog):
    team = TeamFactory(slug="ml", name="ML Team", timezone="Europe/Paris")
    MembershipFactory(team=team, role=Role.MEMBER, user__username="lena")
    sam = MembershipFactory(team=team, role=Role.MEMBER, user__username="sam").user
    profile_update(user=sam, timezone="Europe/London", fields={"timezone"})
    monday = at(0, "00:00").date()

    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/schedule/?week={week_of(monday)}")
    expect(page.locator("#week-picture svg.week-svg")).to_be_visible()
    expect(page.locator('g.wk-row[data-person="sam"]')).to_have_count(1)

    page.fill("#id_title", "Design sync")
    page.select_option("#id_duration_minutes", "30")
    page.check('input[name="attendees"][value="lena"]')
    page.check('input[name="attendees"][value="sam"]')
    page.fill("#id_earliest", at(1, "00:00").date().isoformat())
    page.fill("#id_latest", at(2, "00:00").date().isoformat())
    # A marker on window survives only if the page is never reloaded.
    page.evaluate("window.__stillHere = true")
    page.click("text=Find slots")

    proposals = page.locator("#planner .proposal")
    expect(proposals.first).to_be_visible()
    assert proposals.count() >= 2
    first = proposals.first
    expect(first).to_contain_text("#1")
    # 14:00 Paris is 13:00 London: right after lunch for both.
    expect(first.locator(".when")).to_contain_text("14:00")
    expect(first.locator(".reasons")).to_contain_text("right after lunch for")
    expect(first.locator(".chips")).to_contain_text("sam · after lunch · Tue 13:00 London")

    first.get_by_role("button", name="Book 14:00").click()
    expect(page.locator("#schedule-feedback")).to_contain_text("Booked “Design sync”")
    meeting = Meeting.objects.get()
    expect(page.locator(f'#week-picture g[data-meeting="{meeting.pk}"]')).to_have_count(2)
    expect(page.locator("#meetings")).to_contain_text("Design sync")
    expect(page.locator("#meetings")).to_contain_text("sam 13:00 London")
    assert page.evaluate("window.__stillHere") is True
    assert page.url.endswith(f"?week={week_of(monday)}")
    # The planner came back empty for the next meeting.
    expect(page.locator("#planner .proposal")).to_have_count(0)

    # Booking the same slot again (from a stale list) is refused in words, not a 500.
    page.fill("#id_title", "Design sync")
    page.check('input[name="attendees"][value="lena"]')
    page.fill("#id_earliest", at(1, "00:00").date().isoformat())
    page.fill("#id_latest", at(1, "00:00").date().isoformat())
    page.click("text=Find slots")
    expect(page.locator("#planner .proposal").first).to_be_visible()
    # Occupy lena's best slot behind the page's back, then try to book it.
    best = page.locator("#planner .proposal").first
    start = best.locator('input[name="start"]').get_attribute("value")
    end = best.locator('input[name="end"]').get_attribute("value")
    lena = meeting.attendees.get(username="lena")
    make_meeting(team, parse_datetime(start), parse_datetime(end), [lena], title="Surprise")
    best.get_by_role("button").click()
    expect(page.locator("#schedule-feedback")).to_contain_text("That time clashes")
    expect(page.locator("#schedule-feedback")).to_contain_text("“Surprise”")
    assert page.evaluate("window.__stillHere") is True

    # The refused booking answered 409, which Chromium logs; nothing else may show up.
    expected = "the server responded with a status of 409 (Conflict)"
    assert [e for e in console.errors if expected not in e] == [], console.errors
    assert console.csp_violations == []


def test_demo_week_screenshot(live_server, page: Page, console: ConsoleLog, settings, tmp_path):
    """The seeded demo week at 1440x900. Saved to docs/ with FOCUSBOARD_UPDATE_SCREENSHOTS=1
    (the README shows it); otherwise only checked."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server.url, "lena", "focusboard-demo")
    page.goto(f"{live_server.url}/t/demo/schedule/")
    picture = page.locator("#week-picture")
    expect(picture.locator("g.wk-meeting").first).to_be_visible()
    for username in ("lena", "sam", "priya", "tom", "vic"):
        expect(picture.locator(f'g.wk-row[data-person="{username}"]')).to_have_count(1)
    assert picture.locator("g.wk-busy").count() > 0
    assert picture.locator("g.wk-focus").count() > 0
    expect(page.locator("#maker-report")).to_contain_text("of team focus time")
    shot = tmp_path / "schedule-week.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("FOCUSBOARD_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        shutil.copy(shot, DOCS / "schedule-week.png")
    assert console.errors == [], console.errors
