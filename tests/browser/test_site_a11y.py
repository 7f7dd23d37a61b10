"""Every page of the site, from `site_pages.PAGES`: axe-core finds no serious or critical
accessibility violation, and a 390x844 phone never scrolls sideways.

One test per check seeds the demo once and opens every page as a subtest (each page passes or
fails on its own line): seeding per page took ~8 s under load, times 27 pages, times 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import login
from .site_pages import LEAD, PAGES, PASSWORD, SeededSite, SitePage, seed_site

AXE = Axe()
BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(transactional_db) -> SeededSite:
    return seed_site()


class Visitor:
    """Opens pages signed in as the lead or signed out, one browser context each."""

    def __init__(self, browser: Browser, live_server, site: SeededSite, **context: object):
        self.base, self.site = live_server.url, site
        self.contexts: list[BrowserContext] = []
        self.signed_in = self._page(browser, context)
        login(self.signed_in, self.base, LEAD, PASSWORD)
        self.signed_out = self._page(browser, context)

    def _page(self, browser: Browser, context: dict) -> Page:
        self.contexts.append(browser.new_context(**context))
        page = self.contexts[-1].new_page()
        page.set_default_timeout(15_000)
        return page

    def open(self, target: SitePage) -> Page:
        page = self.signed_in if target.signed_in else self.signed_out
        response = page.goto(self.base + self.site.url(target))
        assert response is not None and response.status == target.status, (
            f"{target.name}: {response and response.status}, expected {target.status}"
        )
        page.wait_for_load_state("load")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def desktop(browser: Browser, live_server, site) -> Iterator[Visitor]:
    visitor = Visitor(browser, live_server, site, viewport={"width": 1280, "height": 900})
    yield visitor
    visitor.close()


@pytest.fixture
def phone(browser: Browser, live_server, site) -> Iterator[Visitor]:
    visitor = Visitor(browser, live_server, site, viewport=PHONE, is_mobile=True, has_touch=True)
    yield visitor
    visitor.close()


def readable(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " / ")
            lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def test_no_serious_accessibility_violation_on_any_page(desktop: Visitor, subtests):
    for target in PAGES:
        with subtests.test(page=target.name):
            page = desktop.open(target)
            violations = AXE.run(page).response["violations"]
            blocking = [v for v in violations if v["impact"] in BLOCKING]
            where = desktop.site.url(target)
            assert not blocking, f"{target.name} ({where}):\n{readable(blocking)}"


TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 391)
    .slice(0, 8)
    .map(e => `${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''}`
        + ` ${Math.round(e.getBoundingClientRect().right)}`)"""


def test_no_sideways_scrolling_on_a_phone_on_any_page(phone: Visitor, subtests):
    for target in PAGES:
        with subtests.test(page=target.name):
            page = phone.open(target)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (
                f"{target.name} is {width} px wide in a {PHONE['width']} px screen; "
                f"too wide: {page.evaluate(TOO_WIDE)}"
            )
