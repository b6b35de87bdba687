"""The case pages and the trials page in a real browser (Debian Chromium via Playwright, axe-core), on a
desktop and a phone: a case started from the prefilled form, a record uploaded, a withdrawal that asks
first, states in plain words, no sideways scrolling, Spanish; and trials for a note that names a place.
Screenshots of each step are written to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from onconav.accounts import service as accounts
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.i18n import get_translations
from onconav.trials import service as trials
from onconav.trials.sources import iter_source
from tests.cases.case_samples import make_pdf
from tests.support.accounts import PASSWORD
from tests.support.browser import (
    DESKTOP,
    PHONE,
    VIEWPORTS,
    OpenPage,
    assert_accessible,
    assert_fits_the_screen,
    save_screenshot,
)
from tests.support.data import TRIAL_SAMPLES
from tests.support.databases import PreparedEngines
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser
EMAIL = "worried@example.org"
PREFILL = "/cases?condition=pleural-mesothelioma&stage=iv"


@pytest.fixture
def server(
    engine: Engine, accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    """The app over this test's database with one patient account and a documents folder of its own."""
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    with unit_of_work(make_session_factory(engine)) as session:
        accounts.create_user(session, email=EMAIL, password=PASSWORD, role="patient", verified=True)
    with LiveServer(engine) as live:
        yield live
    get_settings.cache_clear()


def start_case(page: Page, server: LiveServer, picture: str | None = None) -> str:
    """Signed out, open the form a stage page links to: sign in first, land on the prefilled form, start
    the case (its URL)."""
    page.goto(server.url + PREFILL)
    expect(page).to_have_url(server.url + "/sign-in?next=" + quote(PREFILL, safe=""))
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + PREFILL)
    if picture:
        save_screenshot(page, picture, "desktop")
    expect(page.get_by_label("A short name for the case")).to_have_value("Pleural mesothelioma, stage IV")
    expect(page.get_by_label("Your diagnosis, in your words")).to_have_value("Pleural mesothelioma, stage IV")
    page.get_by_label("Your questions (one per line)").fill("Is surgery possible?\nWhich trials fit me?")
    page.get_by_role("button", name="Start the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pleural mesothelioma, stage IV")
    return page.url


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_case_is_started_from_the_prefilled_form_and_withdrawn_only_after_confirming(
    open_page: OpenPage, server: LiveServer
) -> None:
    page = open_page(viewport=DESKTOP, javascript=False)  # the pages work without JavaScript
    case_url = start_case(page, server, "cases-prefilled-form")
    expect(page.locator(".case-state-line")).to_contain_text("Not sent yet")
    page.get_by_label("Add a record", exact=False).set_input_files(
        files=[{"name": "pathology.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#records")).to_contain_text("pathology.pdf")
    expect(page.locator("#timeline")).to_contain_text("Record added: pathology.pdf.")
    save_screenshot(page, "cases-case-page", "desktop")

    page.get_by_role("button", name="Withdraw the request").click()  # the first click only asks
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw this request for a second opinion?")
    expect(page.locator(".confirm-consequence")).to_contain_text("This cannot be undone")
    danger = page.get_by_role("button", name="Yes, withdraw the request")
    assert "button-danger" in (danger.get_attribute("class") or "")
    save_screenshot(page, "cases-confirm-withdraw", "desktop")
    page.get_by_role("link", name="No, go back to the case").click()
    expect(page.locator(".case-state-line")).to_contain_text("Not sent yet")  # nothing was withdrawn

    page.get_by_role("button", name="Withdraw the request").click()
    page.get_by_label("Note for the case (optional)").fill("I found a team closer to home.")
    page.get_by_role("button", name="Yes, withdraw the request").click()
    expect(page.locator(".case-state-line")).to_contain_text("Withdrawn")
    expect(page.locator("#timeline")).to_contain_text("I found a team closer to home.")
    expect(page.get_by_role("button", name="Withdraw the request")).to_have_count(0)
    expect(page.get_by_role("button", name="Upload")).to_have_count(0)
    save_screenshot(page, "cases-withdrawn", "desktop")

    axe_page = open_page(viewport=DESKTOP)  # axe-core is a script: same session, JavaScript on
    axe_page.context.add_cookies(page.context.cookies())
    for url in (case_url, server.url + "/cases"):
        axe_page.goto(url)
        assert_accessible(axe_page)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_case_list_and_page_fit_the_screen_in_plain_words(
    open_page: OpenPage, server: LiveServer, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport])
    case_url = start_case(page, server)
    page.get_by_role("button", name="Send to the review team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send this case to the review team?")
    page.get_by_role("button", name="Yes, send it").click()
    expect(page.locator(".case-state-line")).to_contain_text("Sent, waiting for a coordinator")
    expect(page.locator(".case-facts")).to_contain_text("Opinion due")
    assert_fits_the_screen(page)
    assert_accessible(page)
    save_screenshot(page, "cases-sent", viewport)
    page.goto(server.url + "/cases")
    row = page.locator("table.cases tbody tr").first
    expect(row).to_contain_text("Sent, waiting for a coordinator")
    expect(row).not_to_contain_text("submitted")
    assert_fits_the_screen(page)
    assert_accessible(page)
    save_screenshot(page, "cases-list", viewport)
    assert page.url != case_url


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_case_page_speaks_spanish(open_page: OpenPage, server: LiveServer) -> None:
    page = open_page(viewport=PHONE)  # signs in in English, then asks for the page in Spanish
    case_url = start_case(page, server)
    page.goto(case_url + "?lang=es")
    spanish = get_translations("es").gettext
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".case-state-line strong")).to_have_text(spanish("Not sent yet"))
    expect(page.get_by_role("button", name=spanish("Send to the review team"))).to_be_visible()
    expect(page.locator("#records-heading")).to_have_text(spanish("Records"))
    assert spanish("Records") != "Records"  # a string already translated: the page really is Spanish
    assert_fits_the_screen(page)
    assert_accessible(page)
    save_screenshot(page, "cases-case-page-es", "phone")


# The trials page ------------------------------------------------------------------------------------------

NOTE_WITH_PLACE = (
    "A 62-year-old woman with stage IV non-small cell lung cancer. She lives in Paris, France with her "
    "daughter. ECOG performance status of 1. She received carboplatin and pemetrexed."
)


@pytest.fixture(scope="module")
def trials_url(
    request: pytest.FixtureRequest, prepared_engines: PreparedEngines, shared_data: Path
) -> Iterator[str]:
    """The app over the imported legacy XML ClinicalTrials.gov samples (SQLite), with the real verdicts."""

    def load(engine: Engine) -> None:
        with unit_of_work(make_session_factory(engine)) as session:
            trials.import_records(session, iter_source(shared_data / TRIAL_SAMPLES / "legacy_xml"))

    engine = prepared_engines.get(request, "sqlite", "the legacy XML ClinicalTrials.gov samples", load)
    with LiveServer(engine) as live:
        yield live.url


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_trials_for_a_note_naming_a_place_use_it_and_show_sentences_km_and_miles(
    open_page: OpenPage, trials_url: str, viewport: str
) -> None:
    page = open_page(viewport=VIEWPORTS[viewport], javascript=False)
    page.goto(trials_url + "/trials")
    page.get_by_label("Clinical note (optional)").fill(NOTE_WITH_PLACE)
    page.get_by_role("button", name="Find trials").click()
    understood = page.locator(".understood")
    expect(understood).to_contain_text("Paris, France")
    expect(understood).to_contain_text("where the note says the patient lives")
    expect(understood).to_contain_text("ECOG performance status")
    expect(understood).to_contain_text("carboplatin, pemetrexed")
    expect(page.get_by_label("Near", exact=True)).to_have_value("")  # used, not typed for them
    # The Villejuif trial is for chemotherapy-naive patients: listed, but below those still possible.
    first = page.locator("ol.trials > li", has_text="NCT02679963")
    expect(first).to_contain_text("likely not eligible")
    expect(first.locator(".nearest-site")).to_contain_text("France")
    expect(first.locator(".nearest-site")).to_contain_text(" km (")
    expect(first.locator(".nearest-site")).to_contain_text(" mi)")
    first.locator("details.criteria > summary").click()
    evidence = [text.strip() for text in first.locator(".evidence q").all_inner_texts()]
    assert evidence, "no criterion shows its evidence"
    assert all(len(text) < len(NOTE_WITH_PLACE) for text in evidence)  # a sentence, never the whole note
    assert_fits_the_screen(page)
    save_screenshot(page, "trials-note-with-place", viewport)
