"""The trials page in a real browser (Debian Chromium via Playwright): the form posted without
JavaScript, ranked trials with criteria ticked, crossed or unknown, and axe-core checks in English and
Spanish. The app runs over the real ClinicalTrials.gov samples, served by uvicorn on a free port.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.trials import service
from onconav.trials.sources import iter_source
from onconav.trials.verdicts import NoteFacts, Verdict
from tests.support.browser import OpenPage, blocking_accessibility_violations
from tests.support.data import TRIAL_SAMPLES
from tests.support.databases import PreparedEngines
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser
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
def trials_url(
    request: pytest.FixtureRequest, prepared_engines: PreparedEngines, shared_data: Path
) -> Iterator[str]:
    """The app over the imported legacy XML samples (SQLite), served for real."""

    def load(engine: Engine) -> None:
        with unit_of_work(make_session_factory(engine)) as session:
            service.import_records(session, iter_source(shared_data / TRIAL_SAMPLES / "legacy_xml"))

    engine = prepared_engines.get(request, "sqlite", "the legacy XML ClinicalTrials.gov samples", load)
    patch = pytest.MonkeyPatch()
    patch.setattr("onconav.trials.verdicts.judge", _judge)
    try:
        with LiveServer(engine) as server:
            yield server.url
    finally:
        patch.undo()


def test_the_trials_form_gives_ranked_trials_with_marked_criteria_without_javascript(
    page_without_js: Page, trials_url: str
) -> None:
    page = page_without_js
    page.goto(trials_url + "/trials")
    page.get_by_label("Clinical note (optional)").fill(NOTE)
    page.get_by_label("Near", exact=True).fill("Paris, France")
    page.get_by_label("Farthest distance you will travel (km)").fill("200")
    page.get_by_role("button", name="Find trials").click()
    page.wait_for_url(trials_url + "/trials")
    cards = page.locator("ol.trials > li")
    expect(cards.first).to_be_visible()
    # The judge excludes the olaparib trial by its pregnancy criterion: it sinks below every trial still
    # possible, says "likely not eligible" and shows the deciding criterion.
    expect(cards.first.locator(".eligibility")).not_to_contain_text("likely not eligible")
    first = cards.filter(has_text="Olaparib").first
    expect(first.locator(".eligibility")).to_contain_text("likely not eligible")
    expect(first.locator(".deciding")).to_contain_text("Pregnant")
    expect(first.locator(".freshness")).to_contain_text("Record last updated 2017-08-01")
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
def test_trials_pages_are_accessible(open_page: OpenPage, trials_url: str, lang: str) -> None:
    page = open_page(locale="es-ES" if lang == "es" else "en-US")
    page.goto(f"{trials_url}/trials?lang={lang}")
    assert not blocking_accessibility_violations(page)
    page.goto(f"{trials_url}/trials?condition=non-small+cell+lung+cancer&near=Paris%2C+France&lang={lang}")
    expect(page.locator("ol.trials > li").first).to_be_visible()
    page.locator("ol.trials > li").first.locator("details.criteria > summary").click()
    violations = blocking_accessibility_violations(page)
    assert not violations, [(v["id"], v["help"]) for v in violations]
    if lang == "es":
        expect(page.locator("h1")).to_have_text("Ensayos clínicos para un paciente")
