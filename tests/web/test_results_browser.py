"""Search results and profiles a person can act on, in a real browser (Debian Chromium via Playwright) on a
desktop and a phone: the stage and the typed place kept, doctors grouped under their center, within-radius
results first, no zero-point reasons, contacts on a profile, a labelled map; axe-core finds nothing serious.

Screenshots of each page go to test-artifacts/screenshots/results-<name>-<viewport>.png for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from tests.support.browser import (
    VIEWPORTS,
    OpenPage,
    assert_accessible,
    assert_fits_the_screen,
    save_screenshot,
)
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser


def _map_matches_the_list(page: Page, list_items: str) -> None:
    """The map is an image with a name, one marker per numbered entry of the list, the same numbers."""
    figure = page.get_by_role("img", name=re.compile(r"^Map of the results near "))
    expect(figure).to_be_visible()
    numbers = page.locator(list_items).evaluate_all("items => items.map(item => item.dataset.number)")
    markers = page.locator("svg[role=img] g.map-marker").evaluate_all(
        "markers => markers.map(marker => marker.dataset.number)"
    )
    assert numbers and sorted(markers, key=int) == numbers


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_search_with_a_stage_keeps_the_stage_and_the_place_typed(
    open_page: OpenPage, live_server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    page.goto(live_server.url + "/search")
    page.get_by_label("Procedure, condition or specialty").fill("stage 4 pleural mesothelioma")
    page.get_by_label("Near", exact=True).fill("Ukiah, CA")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r".*/conditions/pleural-mesothelioma/near/ukiah-ca\?.*"))
    assert "stage=IV" in urlsplit(page.url).query

    expect(page.get_by_label("Near", exact=True)).to_have_value("Ukiah, CA")
    expect(page.locator("p.understood")).to_contain_text("Pleural mesothelioma, stage IV")
    stage_link = page.get_by_role("link", name=re.compile(r"stage IV: treatment options"))
    expect(stage_link).to_have_attribute("href", "/conditions/pleural-mesothelioma/stages/iv")
    trials = page.get_by_role("link", name=re.compile(r"^Clinical trials for Pleural mesothelioma, stage IV"))
    expect(trials).to_have_attribute("href", re.compile(r"stage=IV&near=Ukiah%2C\+CA"))
    expect(page.get_by_role("link", name="Ask for a second opinion")).to_have_attribute(
        "href", "/cases?condition=pleural-mesothelioma&stage=iv#new-case"
    )

    # Doctors sit inside their center's entry: each center heads one entry, its doctors one click away.
    groups = page.locator("ol.results > li.result-group")
    headings = groups.locator("> h3 a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert headings and len(headings) == len(set(headings))
    doctors = page.locator("ol.results details.doctors")
    assert doctors.count() >= 1
    first_doctors = doctors.first
    first_doctors.locator("> summary").click()
    expect(first_doctors.locator("li.doctor").first).to_be_visible()

    _map_matches_the_list(page, "ol.results > li.result-group")
    assert_fits_the_screen(page)
    assert_accessible(page)
    save_screenshot(page, "results-stage-grouped", viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_results_within_the_radius_come_first_and_why_has_no_zero_rows(
    open_page: OpenPage, live_server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    page.goto(live_server.url + "/procedures/lobectomy/near/ukiah-ca?typed=Ukiah%2C+CA")
    expect(page.get_by_label("Near", exact=True)).to_have_value("Ukiah, CA")
    within = page.locator("ol.results > li.result-group").evaluate_all(
        "items => items.map(item => item.dataset.within)"
    )
    assert "yes" in within and "no" in within, within
    assert within == sorted(within, reverse=True), "a result beyond the radius ranks above one inside it"
    expect(page.locator("nav.result-order [aria-current=true]")).to_have_text(
        "Best match within your radius first"
    )

    for details in page.locator("details.why, details.member-why").all():
        details.evaluate("details => { details.open = true; }")
    points = page.locator("details.why td.num, details.member-why td.num").all_inner_texts()
    assert points and not [p for p in points if re.fullmatch(r"[+-]?0\.0", p.strip())], points
    expect(page.get_by_text(re.compile("Outside your"))).to_have_count(0)

    _map_matches_the_list(page, "ol.results > li.result-group")
    assert_fits_the_screen(page)
    assert_accessible(page)
    save_screenshot(page, "results-within-radius-first", viewport)

    page.get_by_role("link", name="Nearest first").click()
    expect(page.locator("nav.result-order [aria-current=true]")).to_have_text("Nearest first")
    kilometres = [
        float(text.split(" km")[0].replace(",", ""))
        for text in page.locator("ol.results > li.result-group > p strong").all_inner_texts()
        if " km" in text
    ]
    assert kilometres == sorted(kilometres)


@pytest.fixture
def real_server(real_directory_engine: Engine) -> Iterator[LiveServer]:
    """The app over the real CMS and HIFLD hospital samples (with their phones and websites)."""
    with LiveServer(real_directory_engine) as server:
        yield server


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_profile_shows_how_to_reach_the_center_and_where_it_is(
    open_page: OpenPage, real_server: LiveServer, viewport: str, backend: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    page.goto(real_server.url + "/search?q=Massachusetts+General+Hospital&near=02114")
    page.locator("ol.results > li.result-group > h3 a").first.click()
    page.wait_for_url(re.compile(r".*/organizations/\d+$"))
    contact = page.locator("section.contact-section")
    expect(contact.get_by_role("heading", name="Contact and referral")).to_be_visible()
    phone = contact.locator("a[href^='tel:']")
    expect(phone).to_have_text(re.compile(r"\d{3}.*\d{4}"))
    expect(contact).to_contain_text("How to get a referral:")
    expect(page.get_by_role("img", name=re.compile(r"^Where .+ is$"))).to_be_visible()
    expect(page.locator("svg[role=img] g.map-marker")).to_have_count(1)
    assert_fits_the_screen(page)
    assert_accessible(page)
    save_screenshot(page, "results-profile-contact", viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_very_long_search_gets_a_clear_message_and_keeps_the_layout(
    open_page: OpenPage, live_server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    page.goto(live_server.url + "/search?near=Ukiah%2C+CA&q=" + "lung+cancer+" * 420)
    expect(page.locator(".error-message")).to_contain_text("That search is too long")
    assert_fits_the_screen(page)
    save_screenshot(page, "results-long-query", viewport)
