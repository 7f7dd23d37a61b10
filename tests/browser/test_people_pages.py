"""The pages people meet on their first day, in Chromium under the strict CSP: my busy
calendars (upload, used in every team), the week page's flag when new busy time overlaps a
booked meeting, the password reset page, and the 403 and 404 pages in the site's layout."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from schedule.models import Meeting, MeetingAttendee
from teams.models import Role
from tests.factories import MembershipFactory, TeamFactory

from .conftest import ConsoleLog, login

SHOTS = os.environ.get("FOCUSBOARD_SHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        for width in (1920, 390):
            page.set_viewport_size({"width": width, "height": 1000})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def ics_event(start: datetime, end: datetime) -> bytes:
    def fmt(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        f"SUMMARY:Dentist\r\nDTSTART:{fmt(start)}\r\nDTEND:{fmt(end)}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


def test_my_calendars_upload_flags_a_booked_meeting_on_the_week(
    live_server, page: Page, console: ConsoleLog, tmp_path
):
    ml = TeamFactory(slug="ml", name="ML Team", timezone="UTC")
    infra = TeamFactory(slug="infra", name="Infra", timezone="UTC")
    tom = MembershipFactory(team=ml, role=Role.MEMBER, user__username="tom").user
    MembershipFactory(team=infra, role=Role.MEMBER, user=tom)
    tom.first_name, tom.last_name = "Tom", "Becker"
    tom.save()
    start = (timezone.now() + timedelta(days=1)).replace(hour=13, minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        team=ml, title="Sync", start=start, end=start + timedelta(minutes=30)
    )
    MeetingAttendee.objects.create(meeting=meeting, user=tom)
    calendar = tmp_path / "tom.ics"
    calendar.write_bytes(ics_event(start - timedelta(minutes=30), start + timedelta(minutes=15)))

    login(page, live_server.url, "tom")
    page.goto(f"{live_server.url}/t/ml/schedule/?week={start:%G-W%V}")
    page.click("text=Manage my busy calendars")
    page.wait_for_url(f"{live_server.url}/me/calendars/")
    expect(page.locator("main")).to_contain_text("You have not added a calendar yet.")
    page.set_input_files("input[type=file]", str(calendar))
    page.click("button:has-text('Upload')")
    expect(page.locator(".messages")).to_contain_text("Imported 1 busy intervals from tom.ics")
    expect(page.locator("table.sources")).to_contain_text("tom.ics")
    expect(page.locator("main")).to_contain_text("Infra")
    shot(page, "my-calendars")
    page.goto(f"{live_server.url}/t/ml/schedule/?week={start:%G-W%V}")
    expect(page.locator(".newly-busy")).to_have_text("Tom Becker is now busy then.")
    expect(page.locator("#busy")).to_contain_text("tom.ics")
    shot(page, "week-newly-busy")
    assert console.csp_violations == [], console.errors


def test_403_404_and_password_reset_pages_use_the_site_layout(
    live_server, page: Page, console: ConsoleLog
):
    team = TeamFactory(slug="ml", name="ML Team")
    MembershipFactory(team=team, role=Role.VIEWER, user__username="vic")
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Forgot your password?")
    expect(page.locator("h1")).to_have_text("Reset your password")
    shot(page, "password-reset")
    login(page, live_server.url, "vic")
    response = page.goto(f"{live_server.url}/t/ml/settings/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("You cannot do that here")
    expect(page.locator("main")).to_contain_text("Your role in ML Team is viewer")
    expect(page.locator("header.topbar")).to_be_visible()
    shot(page, "403")
    response = page.goto(f"{live_server.url}/t/nowhere/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("There is nothing here")
    page.click("main a:has-text('Back to my teams')")
    page.wait_for_url(f"{live_server.url}/")
    assert console.csp_violations == [], console.errors
