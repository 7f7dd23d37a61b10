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
    MembershipFactory(team=team, role=Role.MEMBER, user__username="lena", user__first_name="Lena")
    sam = MembershipFactory(
        team=team, role=Role.MEMBER, user__username="sam", user__first_name="Sam"
    ).user
    profile_update(user=sam, timezone="Europe/London", fields={"timezone"})
    monday = at(0, "00:00").date()

    login(page, live_server.url, "lena")
    page.goto(f"{live_server.url}/t/ml/schedule/?week={week_of(monday)}")
    expect(page.locator("#week-picture svg.week-svg")).to_be_visible()
    expect(page.locator('svg.week-svg g.wk-row[data-person="sam"]')).to_have_count(1)

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
    expect(first.locator(".reasons")).to_contain_text("Right after lunch for Lena (Paris) and Sam")
    expect(first).not_to_contain_text("score")
    expect(first.locator(".chips")).to_contain_text("Sam · after lunch · Tue 13:00 London")

    first.get_by_role("button", name="Book 14:00").click()
    expect(page.locator("#schedule-feedback")).to_contain_text("Booked “Design sync”")
    meeting = Meeting.objects.get()
    expect(page.locator(f'svg.week-svg g[data-meeting="{meeting.pk}"]')).to_have_count(2)
    expect(page.locator("#meetings")).to_contain_text("Design sync")
    expect(page.locator("#meetings")).to_contain_text("Sam 13:00 London")
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
    """The seeded demo week at 1920x1080: the days one under the other, meeting titles inside
    their blocks, a legend of five entries. Saved to docs/ with FOCUSBOARD_UPDATE_SCREENSHOTS=1
    (the README shows it); otherwise only checked."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, live_server.url, "lena", "focusboard-demo")
    page.goto(f"{live_server.url}/t/demo/schedule/")
    picture = page.locator("#week-picture svg.week-svg")
    expect(picture.locator("g.wk-meeting").first).to_be_visible()
    for username in ("lena", "sam", "priya", "tom", "vic"):
        expect(picture.locator(f'g.wk-row[data-person="{username}"]')).to_have_count(1)
    assert picture.locator("g.wk-busy").count() > 0
    assert picture.locator("g.wk-focus").count() > 0
    expect(page.locator("#week-picture .day-view")).to_be_hidden()
    assert page.locator("#week-picture .legend li").count() <= 5
    # Titles are written inside the blocks they fit in, and stay inside them.
    labels = picture.locator("g.wk-meeting text.wk-label")
    assert labels.count() >= 5
    expect(labels.first).to_be_visible()
    inside = page.evaluate(
        """() => [...document.querySelectorAll('svg.week-svg g.wk-meeting')]
            .filter(g => g.querySelector('text'))
            .map(g => {
                const r = g.querySelector('rect').getBBox(), t = g.querySelector('text').getBBox();
                return t.x >= r.x && t.x + t.width <= r.x + r.width + 1 && t.width > 0;
            })"""
    )
    assert inside and all(inside), inside
    day_width = page.evaluate(
        """() => { const svg = document.querySelector('svg.week-svg');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return scale * (svg.viewBox.baseVal.width - 150); }"""
    )
    assert day_width >= 1400, day_width  # a day's time line was ~230 px wide
    expect(page.locator("#maker-report")).to_contain_text("of team focus time")
    shot = tmp_path / "schedule-week.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("FOCUSBOARD_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        shutil.copy(shot, DOCS / "schedule-week.png")
    assert console.errors == [], console.errors


def test_demo_schedule_on_a_phone_reads_one_day_without_sideways_scrolling(
    live_server, page: Page, console: ConsoleLog, settings, tmp_path
):
    """390x844: one day at a time with the days as plain links, the propose form as wide as
    the screen, no sideways scrolling. Saved as docs/schedule-phone.png like the week."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "lena", "focusboard-demo")
    page.goto(f"{live_server.url}/t/demo/schedule/")
    day_view = page.locator("#week-picture .day-view")
    expect(day_view).to_be_visible()
    expect(page.locator("#week-picture svg.week-svg")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    links = day_view.locator(".day-nav a")
    assert links.count() == 5
    # Another day is a plain link (works without JavaScript): it shows that day's meetings.
    second = links.nth(1)
    href = second.get_attribute("href")
    assert href and "day=" in href
    second.click()
    expect(page.locator(".day-nav a.current")).to_have_text(second.inner_text())
    expect(day_view.locator("svg.day-svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form = page.locator("#planner form.propose-form")
    if form.count():
        box = form.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    shot = tmp_path / "schedule-phone.png"
    page.screenshot(path=str(shot), full_page=False)
    if os.environ.get("FOCUSBOARD_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        shutil.copy(shot, DOCS / "schedule-phone.png")
    assert console.errors == [], console.errors
