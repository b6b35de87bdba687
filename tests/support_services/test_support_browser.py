"""Support services in a real browser (Debian Chromium via Playwright): from the condition page, support for
pleural mesothelioma near Ukiah, CA; narrowed to online and to Spanish; a listing opened, its demo banner
shown; with JavaScript off, on a desktop and a phone; axe-core finds nothing serious.

Screenshots go to test-artifacts/screenshots/support-<name>-<viewport>.png for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.support import service
from tests.support.browser import (
    VIEWPORTS,
    OpenPage,
    assert_accessible,
    assert_fits_the_screen,
    save_screenshot,
)
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def support_server(engine: Engine) -> Iterator[LiveServer]:
    with unit_of_work(make_session_factory(engine)) as session:
        service.load_demo(session)
    with LiveServer(engine) as server:
        yield server


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_support_for_pleural_mesothelioma_near_ukiah_online_in_spanish(
    open_page: OpenPage, support_server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport], javascript=False)
    page.goto(support_server.url + "/conditions/pleural-mesothelioma")
    links = page.locator("section.support-links")
    expect(links.get_by_role("heading")).to_have_text("Support for people with Pleural mesothelioma")
    links.get_by_label("Near").fill("Ukiah, CA")
    links.get_by_role("button", name="Find support").click()
    page.wait_for_url(re.compile(r".*/support\?condition=pleural-mesothelioma&near=Ukiah.*"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Support for people with Pleural mesothelioma near Ukiah, California, United States"
    )
    expect(page.locator(".demo-banner")).to_be_visible()
    cards = page.locator("li.support-card")
    expect(cards.first.get_by_role("link")).to_have_text("Redwood Valley Mesothelioma Circle (demo)")
    reaches = set(cards.evaluate_all("cards => cards.map(card => card.dataset.reach)"))
    assert {"in_person", "online"} <= reaches
    first_why = cards.first.locator("details.why")
    first_why.locator("summary").click()
    expect(first_why.locator("tbody tr").first).to_contain_text("Serves people with Pleural mesothelioma")
    assert_fits_the_screen(page)

    page.get_by_label("How").select_option("online")
    page.get_by_label("Spoken language").select_option("es")
    page.get_by_role("button", name="Search support").click()
    page.wait_for_url(re.compile(r".*language=es.*delivery=online.*|.*delivery=online.*language=es.*"))
    assert set(cards.evaluate_all("cards => cards.map(card => card.dataset.reach)")) == {"online"}
    for languages in cards.locator("p.languages").all_inner_texts():
        assert "Spanish" in languages
    expect(cards.get_by_role("link", name="Mesothelioma Caregivers Online (demo)")).to_have_count(0)
    save_screenshot(page, "support-results", viewport)

    cards.get_by_role("link", name="Ayuda Mesotelioma en Línea (demo)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ayuda Mesotelioma en Línea (demo)")
    expect(page.locator(".demo-banner")).to_contain_text("It is not a real service.")
    expect(page.locator("dl.support-facts")).to_contain_text("onconav demo data (fictional)")
    assert_fits_the_screen(page)
    save_screenshot(page, "support-listing", viewport)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_support_pages_are_accessible(open_page: OpenPage, support_server: LiveServer) -> None:
    page = open_page()  # axe-core runs as a script
    page.goto(support_server.url + "/support?condition=pleural-mesothelioma&near=Ukiah%2C+CA")
    assert_accessible(page)
    page.locator("li.support-card").first.get_by_role("link").click()
    expect(page.locator(".demo-banner")).to_be_visible()
    assert_accessible(page)
    page.goto(support_server.url + "/conditions/pleural-mesothelioma")
    assert_accessible(page)
