"""The focus history on a 390x844 phone: the timeline's labels are readable (they were about
5 px tall when the 960-wide chart shrank to the screen)."""

from __future__ import annotations

import os

from django.core.management import call_command
from playwright.sync_api import Page, expect

from .conftest import ConsoleLog, login

RENDERED_SIZES = """(selector) => [...document.querySelectorAll(selector)].map(text => {
    const svg = text.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(text).fontSize) * scale;
})"""


def test_history_timeline_labels_are_readable_on_a_phone(
    live_server, page: Page, console: ConsoleLog, settings
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    login(page, live_server.url, "lena", "focusboard-demo")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/t/demo/history/")
    expect(page.locator("svg.timeline-phone")).to_be_visible()
    expect(page.locator("svg.timeline-wide")).to_be_hidden()
    sizes = page.evaluate(RENDERED_SIZES, "svg.timeline-phone text")
    assert sizes and min(sizes) >= 11, sizes
    months = page.evaluate(RENDERED_SIZES, "svg.months text")
    assert months and min(months) >= 11, months
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # On a wide screen the wide chart, names beside the bars, as before.
    page.set_viewport_size({"width": 1920, "height": 1080})
    expect(page.locator("svg.timeline-wide")).to_be_visible()
    expect(page.locator("svg.timeline-phone")).to_be_hidden()
    assert min(page.evaluate(RENDERED_SIZES, "svg.timeline-wide text")) >= 11
    assert console.errors == [], console.errors
