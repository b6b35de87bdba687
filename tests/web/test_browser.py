"""The patient's journey in a real browser (Debian Chromium via Playwright), with and without JavaScript,
on a phone-size screen, and axe-core accessibility checks of every kind of page, in English and Spanish.

Run alone with `pytest -m browser`; the server and browser fixtures are in tests/support (web, browser).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import PHONE, OpenPage, blocking_accessibility_violations
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser

RESULTS_PATH = "/procedures/metastasectomy/near/ukiah-ca"


def _search_journey(page: Page, server: LiveServer) -> None:
    """Home → search form → results near Ukiah → open a "why ranked here" with the keyboard → a profile."""
    page.goto(server.url + "/")
    page.get_by_label("Procedure, condition or specialty").fill("metastasectomy")
    page.get_by_label("Near", exact=True).fill("Ukia, CA")
    page.get_by_role("button", name="Search", exact=True).click()
    # The readable URL (its query string may carry what was typed, for the note below).
    page.wait_for_url(re.compile(re.escape(server.url + RESULTS_PATH) + r"(\?.*)?$"))
    assert urlsplit(page.url).path == RESULTS_PATH

    results = page.locator("ol.results > li")
    expect(results.first).to_be_visible()
    assert results.count() >= 1
    # "Ukia, CA" was read as Ukiah, and the page says so.
    expect(page.locator("p.note", has_text="to mean Ukiah")).to_contain_text("“Ukia, CA”")
    expect(page.locator("#results-title")).to_contain_text("near Ukiah, California")

    first = results.first
    why = first.locator("details.why")
    assert why.get_attribute("open") is None
    first.locator("details.why > summary").focus()
    page.keyboard.press("Enter")
    expect(why).to_have_attribute("open", "")
    rows = why.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    expect(rows.filter(has_text="from Ukiah")).to_have_count(1)

    link = first.locator("h3 a")
    name = link.inner_text().strip()
    link.click()
    page.wait_for_url(re.compile(r".*/(organizations|practitioners)/\d+$"))
    expect(page.locator("h1")).to_have_text(name)


def test_a_visitor_searches_reads_why_a_result_ranks_and_opens_its_profile(
    page: Page, live_server: LiveServer
) -> None:
    _search_journey(page, live_server)


def test_the_search_journey_works_without_javascript(page_without_js: Page, live_server: LiveServer) -> None:
    _search_journey(page_without_js, live_server)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_results_fit_a_phone_screen(open_page: OpenPage, live_server: LiveServer, lang: str) -> None:
    page = open_page(viewport=PHONE)
    page.goto(f"{live_server.url}{RESULTS_PATH}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("ol.results > li").first).to_be_visible()
    # With the ranking reasons open too: their table is the widest thing on the page.
    page.locator("details.why").first.evaluate("details => { details.open = true; }")
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways on a phone: {widths}"


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '')!s}")
    return "\n".join(lines)


def _profile_url(page: Page, server: LiveServer, prefix: str) -> str:
    page.goto(server.url + RESULTS_PATH)
    href = page.locator(f"ol.results :is(h3, h4) a[href^='{prefix}']").first.get_attribute("href")
    assert href, f"no {prefix} result to open"
    return server.url + href


@pytest.mark.parametrize(
    "target",
    [
        "home",
        "results",
        "organization",
        "practitioner",
        "results-es",
        "home-es",
        "about-ranking",
        "search-error",
        "not-found",
    ],
)
def test_every_kind_of_page_has_no_serious_accessibility_violations(
    page: Page, live_server: LiveServer, target: str
) -> None:
    urls = {
        "home": lambda: live_server.url + "/",
        "results": lambda: live_server.url + RESULTS_PATH,
        "organization": lambda: _profile_url(page, live_server, "/organizations/"),
        "practitioner": lambda: _profile_url(page, live_server, "/practitioners/"),
        "results-es": lambda: live_server.url + RESULTS_PATH + "?lang=es",
        "home-es": lambda: live_server.url + "/?lang=es",
        "about-ranking": lambda: live_server.url + "/about/ranking",
        "search-error": lambda: live_server.url + "/search?q=zzzqqq&near=Ukiah%2C+CA",
        "not-found": lambda: live_server.url + "/no/such/page",
    }
    page.goto(urls[target]())
    if target.endswith("-es"):
        expect(page.locator("html")).to_have_attribute("lang", "es")
    if target == "search-error":
        expect(page.locator(".error-message")).to_be_visible()
    if target.startswith("results"):
        # Check the ranking reasons too, as a reader who opened them sees them.
        page.locator("details.why").first.evaluate("details => { details.open = true; }")
    violations = blocking_accessibility_violations(page)
    assert not violations, f"axe found serious problems on {page.url}:\n{_describe(violations)}"


def test_changing_the_radius_updates_the_results_in_place(page: Page, live_server: LiveServer) -> None:
    """On the results page, htmx (when installed) swaps only the results; without it the form navigates.
    Either way the address bar ends on the readable URL with the new radius, and the notice about too
    few results nearby goes away once the radius reaches the big centers.
    """
    page.goto(live_server.url + RESULTS_PATH)
    expect(page.locator(".notice")).to_be_visible()
    page.locator("details.filters > summary").click()
    page.get_by_label("Radius (km)").fill("400")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/procedures/metastasectomy/near/ukiah-ca\?.*radius_km=400.*"))
    expect(page.locator(".notice")).to_have_count(0)
    expect(page.locator("ol.results > li").first).to_be_visible()
    assert page.locator("ol.results > li").count() >= 5
    expect(page.locator(".badge.beyond")).to_have_count(0)
