"""The trials page in a real browser (Debian Chromium via Playwright): the form posted without
JavaScript, ranked trials with criteria ticked, crossed or unknown, and axe-core checks in English and
Spanish. The app runs over the real ClinicalTrials.gov samples, served by uvicorn on a free port.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.engine import Engine

from onconav import migrate
from onconav.app import create_app
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.trials import service
from onconav.trials.sources import iter_source
from onconav.trials.verdicts import NoteFacts, Verdict

pytestmark = pytest.mark.browser
BLOCKING_IMPACTS = ("serious", "critical")
NOTE = "A 62-year-old woman with stage IV non-small cell lung cancer, ECOG 1."


def _judge(note: NoteFacts, text: str, kind: Literal["inclusion", "exclusion"]) -> Verdict:
    """Clear-cut verdicts so the page shows every mark (the real engine comes from `verdicts`)."""
    lowered = text.lower()
    if kind == "inclusion" and "years of age" in lowered:
        return Verdict(label="included", evidence="A 62-year-old woman", reason="age")
    if kind == "exclusion" and "pregnant" in lowered:
        return Verdict(label="excluded", evidence="A 62-year-old woman", reason="test")
    return Verdict(label="not enough information", evidence=None, reason="test")


@pytest.fixture(scope="module")
def trials_url(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the imported samples, served for real."""
    folder = tmp_path_factory.mktemp("trials-browser")
    engine: Engine = create_db_engine(f"sqlite:///{folder / 'trials.sqlite3'}")
    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        service.import_records(
            session, iter_source(shared_data / "clinicaltrials_gov_samples" / "legacy_xml")
        )
    patch = pytest.MonkeyPatch()
    patch.setattr("onconav.trials.verdicts.judge", _judge)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(engine), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()
        patch.undo()
        engine.dispose()


@pytest.fixture
def page_without_js(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(locale="en-US", java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def _blocking(page: Page) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def test_form_to_ranked_trials_without_javascript(page_without_js: Page, trials_url: str) -> None:
    page = page_without_js
    page.goto(trials_url + "/trials")
    page.get_by_label("Clinical note (optional)").fill(NOTE)
    page.get_by_label("Near", exact=True).fill("Paris, France")
    page.get_by_label("Farthest distance you will travel (km)").fill("200")
    page.get_by_role("button", name="Find trials").click()
    page.wait_for_url(trials_url + "/trials")
    cards = page.locator("ol.trials > li")
    expect(cards.first).to_be_visible()
    first = cards.first
    expect(first.locator("h3")).to_contain_text("Olaparib")
    expect(first.locator(".nearest-site")).to_contain_text("Villejuif")
    expect(first.locator(".contacts")).to_contain_text("gustaveroussy.fr")
    # The criteria, ticked, crossed or unknown, with the evidence from the note.
    first.locator("details.criteria > summary").click()
    expect(first.locator("li.mark-met").first).to_contain_text("18 years of age")
    expect(first.locator("li.mark-met .evidence").first).to_contain_text("62-year-old")
    expect(first.locator("li.mark-unmet").first).to_contain_text("Pregnant")
    assert first.locator("li.mark-unknown").count() > 10
    first.locator("details.why > summary").click()
    expect(first.locator("details.why tbody tr").filter(has_text="from Paris")).to_have_count(1)
    # What was typed stays in the form, and the note is not in the URL.
    expect(page.get_by_label("Clinical note (optional)")).to_have_value(NOTE)
    assert "62-year-old" not in page.url


@pytest.mark.parametrize("lang", ["en", "es"])
def test_trials_pages_are_accessible(chromium: Browser, trials_url: str, lang: str) -> None:
    context = chromium.new_context(locale="es-ES" if lang == "es" else "en-US")
    try:
        page = context.new_page()
        page.goto(f"{trials_url}/trials?lang={lang}")
        assert not _blocking(page)
        page.goto(
            f"{trials_url}/trials?condition=non-small+cell+lung+cancer&near=Paris%2C+France&lang={lang}"
        )
        expect(page.locator("ol.trials > li").first).to_be_visible()
        page.locator("ol.trials > li").first.locator("details.criteria > summary").click()
        violations = _blocking(page)
        assert not violations, [(v["id"], v["help"]) for v in violations]
        if lang == "es":
            expect(page.locator("h1")).to_have_text("Ensayos clínicos para un paciente")
    finally:
        context.close()
