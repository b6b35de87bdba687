"""The journeys of a person who only clicks, in a real browser (Debian Chromium via Playwright) on a desktop
and a phone screen, with axe-core checks: the header leads everywhere and is reachable by keyboard; each
role signs in and lands on its home; home → cancer types → pleural mesothelioma → stage IV → trials for
that stage, or → a second opinion through sign-in; Spanish kept through a search. Each journey leaves a
screenshot in test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from onconav.accounts import crypto
from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.trials import service as trials
from tests.support.accounts import Account, links_for
from tests.support.browser import VIEWPORTS, OpenPage, assert_accessible, save_screenshot
from tests.support.databases import PreparedEngines
from tests.support.web import LiveServer

JOURNEYS_DATABASE = "the journeys: the small demo directory and the small demo trials (seed 0)"
HEADER_LINKS = ("Find care", "Cancer types", "Clinical trials", "Second opinion", "Sign in")
ROLE_HOMES = {
    "patient": "/cases",
    "caregiver": "/cases",
    "coordinator": "/cases/queue",
    "specialist": "/cases/workspace",
}


def _load_directory_and_trials(engine: Engine) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        directory.load_demo(session, size="small", seed=0)
        trials.load_demo(session, size="small", seed=0)


@pytest.fixture(scope="module")
def journeys_engine(request: pytest.FixtureRequest, prepared_engines: PreparedEngines) -> Engine:
    """The demo directory and demo trials, for this module only (its tests add accounts, each its own)."""
    return prepared_engines.get(request, "sqlite", JOURNEYS_DATABASE, _load_directory_and_trials)


@pytest.fixture(scope="module")
def module_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One keyring (and cheap hashing) for the module: its accounts share one database, whose data keys
    the keyring must keep opening from test to test."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ONCONAV_KEY_FILE", str(tmp_path_factory.mktemp("journeys-keys") / "keyring.json"))
    patch.setenv("ONCONAV_ARGON2_MEMORY_KIB", "1024")
    patch.setenv("ONCONAV_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    crypto.forget_cached_keys()
    yield
    patch.undo()
    get_settings.cache_clear()
    crypto.forget_cached_keys()


@pytest.fixture
def engine(journeys_engine: Engine) -> Engine:
    """Accounts made with `make_account` go into the journeys database."""
    return journeys_engine


@pytest.fixture(scope="module")
def server(journeys_engine: Engine) -> Iterator[LiveServer]:
    with LiveServer(journeys_engine) as live:
        yield live


@pytest.fixture
def person(
    make_account: Callable[..., Account], directory_links: dict[str, int], module_keyring: None
) -> Callable[[str], Account]:
    """`person(role)`: a verified account with an address no other test of the module uses."""

    def make(role: str) -> Account:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        return make_account(role, email=email, **links_for(role, directory_links))

    return make


def _sign_in(page: Page, account: Account) -> None:
    """The sign-in form (and the code, for the roles that need one), as a person fills it."""
    page.get_by_label("E-mail address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    if account.totp_secret:
        page.get_by_label("Six-digit code").fill(account.code())
        page.get_by_role("button", name="Continue").click()


def _to_stage_iv(page: Page, server: LiveServer) -> None:
    """Home → Cancer types → Pleural mesothelioma → Stage IV, by clicking only."""
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cancer types").click()
    page.get_by_role("link", name="Pleural mesothelioma", exact=True).click()
    page.get_by_role("link", name="Stage IV", exact=True).click()
    page.wait_for_url(server.url + "/conditions/pleural-mesothelioma/stages/iv")
    expect(page.locator("h1")).to_have_text("Pleural mesothelioma: Stage IV")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_header_shows_every_journey_and_each_link_is_reachable_by_keyboard(
    open_page: OpenPage, server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    page.goto(server.url + "/conditions")
    header = page.get_by_role("navigation", name="Main")
    for name in HEADER_LINKS:
        expect(header.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(header.get_by_role("link", name="Cancer types")).to_have_attribute("aria-current", "true")
    reached: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert set(HEADER_LINKS) <= set(reached), reached
    assert_accessible(page)  # with colour contrast: the links are white on the header's blue
    save_screenshot(page, "header", viewport)


@pytest.mark.parametrize("role", sorted(ROLE_HOMES))
def test_each_role_signs_in_from_the_header_and_lands_on_its_home(
    open_page: OpenPage, server: LiveServer, person: Callable[[str], Account], role: str
) -> None:
    page = open_page(viewport=VIEWPORTS["desktop"])
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    _sign_in(page, person(role))
    page.wait_for_url(server.url + ROLE_HOMES[role])
    header = page.get_by_role("navigation", name="Main")
    expect(header.get_by_role("link", name="Your account")).to_be_visible()
    header.get_by_role("link", name="Your account").click()
    # The account page leads back to the role's work.
    expect(page.locator(f'main a[href="{ROLE_HOMES[role]}"]')).to_be_visible()
    page.locator(f'main a[href="{ROLE_HOMES[role]}"]').click()
    page.wait_for_url(server.url + ROLE_HOMES[role])
    save_screenshot(page, f"home-of-{role}", "desktop")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_person_who_only_clicks_reaches_trials_for_stage_iv_pleural_mesothelioma(
    open_page: OpenPage, server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    _to_stage_iv(page, server)
    questions = page.locator("section", has=page.locator("#questions-title"))
    expect(questions).not_to_contain_text("surgery")  # no operation is an option at stage IV
    assert_accessible(page)
    save_screenshot(page, "stage-iv-page", viewport)
    page.get_by_role("link", name=re.compile("Clinical trials for Pleural mesothelioma, Stage IV")).click()
    page.wait_for_url(re.compile(r".*/trials\?.*"))
    expect(page.get_by_label("Condition", exact=True)).to_have_value("Pleural mesothelioma")
    expect(page.get_by_label("Stage", exact=True)).to_have_value("IV")
    expect(page.locator("ol.trials > li").first).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "stage-iv-trials", viewport)


def _ask_for_a_second_opinion(page: Page, server: LiveServer, account: Account) -> None:
    """From the stage IV page to the second-opinion form, through sign-in."""
    _to_stage_iv(page, server)
    page.get_by_role("link", name="Ask for a second opinion on Pleural mesothelioma, Stage IV").first.click()
    page.wait_for_url(re.compile(r".*/sign-in\?next=.*"))
    _sign_in(page, account)
    page.wait_for_url(re.compile(r".*/cases\?.*"))


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_asking_for_a_second_opinion_from_a_stage_page_signs_in_and_comes_back_with_the_stage(
    open_page: OpenPage, server: LiveServer, person: Callable[[str], Account], viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    _ask_for_a_second_opinion(page, server, person("patient"))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"condition": ["pleural-mesothelioma"], "stage": ["iv"]}
    expect(page.get_by_role("button", name="Start the case")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "second-opinion-after-sign-in", viewport)


def test_a_second_opinion_is_requested_by_clicking_with_the_condition_and_stage_kept(
    open_page: OpenPage, server: LiveServer, person: Callable[[str], Account]
) -> None:
    page = open_page(viewport=VIEWPORTS["desktop"])
    _ask_for_a_second_opinion(page, server, person("patient"))
    diagnosis = page.get_by_label("Your diagnosis, in your words").input_value()
    assert "Pleural mesothelioma" in diagnosis and "IV" in diagnosis
    save_screenshot(page, "second-opinion-prefilled", "desktop")
    # Still only clicking: start the case, send it, confirm; the request is with the review team.
    page.get_by_role("button", name="Start the case").click()
    page.get_by_role("button", name="Send to the review team").click()
    page.get_by_role("button", name="Yes, send it").click()
    expect(page.locator(".case-state-line")).to_contain_text("Sent, waiting for a coordinator")
    expect(page.locator("body")).to_contain_text("Pleural mesothelioma")
    save_screenshot(page, "second-opinion-submitted", "desktop")


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_spanish_chosen_by_a_link_is_kept_through_a_search_and_the_next_link(
    open_page: OpenPage, server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])  # the browser asks for English
    page.goto(server.url + "/?lang=es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("#q").fill("metastasectomy")
    page.locator("#near").fill("Ukiah, CA")
    page.locator("form.search-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/procedures/metastasectomy/near/ukiah-ca.*"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("ol.results > li").first).to_be_visible()
    page.locator('nav.main-nav a[href="/conditions"]').click()
    page.wait_for_url(server.url + "/conditions")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Tipos de cáncer")
    save_screenshot(page, "spanish-kept", viewport)


def test_a_lang_link_is_remembered_like_the_language_switch(journeys_engine: Engine) -> None:
    with TestClient(create_app(journeys_engine)) as client:
        first = client.get("/?lang=es")
        assert "onconav_lang=es" in first.headers["set-cookie"]
        assert client.get("/conditions").headers["content-language"] == "es"
        assert "set-cookie" not in client.get("/conditions?lang=es").headers  # already remembered
        assert "set-cookie" not in client.get("/?lang=xx").headers  # not a language onconav speaks
        client.get("/?lang=en")
        assert client.get("/conditions").headers["content-language"] == "en"
