"""The real-data journey, as a new operator meets it: a fresh database, only the real public samples in
the repository (tests/data/real: CMS hospitals, HIFLD hospitals, ClinicalTrials.gov records, NPI Registry API
answers), loaded with the commands an operator types; then the searches of issue 12 on both databases and
in a browser. No demo data anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings
from onconav.directory.imports import framework
from onconav.directory.imports.formats.nppes_api import SyncQuery
from onconav.directory.imports.sources.nppes_api import NppesApiSource
from onconav.directory.search import MAX_EXPANSION_KM
from tests.support.web import LiveServer

BOSTON_CANCER_HOSPITALS = ("massachusetts general", "dana", "brigham and women", "beth israel deaconess")
NPI_SAMPLES = "nppes_npi_registry_api_samples"


def _saved_answers(folder: Path) -> Any:
    """A transport that answers the NPI Registry API from the saved responses (no network)."""
    results: list[dict[str, Any]] = []
    for path in sorted(folder.glob("api-*.json")):
        results += json.loads(path.read_text(encoding="utf-8")).get("results") or []

    def transport(url: str, params: dict[str, str]) -> dict[str, Any]:
        skip, limit = int(params.get("skip", 0)), int(params.get("limit", 200))
        page = results[skip : skip + limit]
        return {"result_count": len(page), "results": page}

    return transport


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def real_engine(
    engine: Engine, shared_data: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Engine]:
    """A fresh database loaded by an operator's commands from the real samples only."""
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        cms = shared_data / "cms_hospital_general_information" / "Hospital_General_Information.csv"
        _cli("import", "cms-hospitals", str(cms))
        _cli("import", "hifld-hospitals", str(shared_data / "hifld_hospitals" / "Hospitals.csv"))
        trials = _cli("trials", "import", str(shared_data / "clinicaltrials_gov_samples" / "legacy_xml"))
        assert "Hospitals with trial activity" in trials.output
        source = NppesApiSource(
            SyncQuery(taxonomy="Medical Oncology", state="NY"),
            transport=_saved_answers(shared_data / NPI_SAMPLES),
            min_interval_s=0,
        )
        framework.run_import(
            engine, source, Path("saved NPI Registry answers"), identity="saved", restart=True
        )
        yield engine
    finally:
        get_settings.cache_clear()


def _find(*args: str) -> dict[str, Any]:
    return json.loads(_cli("find", *args, "--json").stdout)


def _is_boston_cancer_hospital(name: str) -> bool:
    return any(
        words in name.lower().replace("-", " ").replace("  ", " ") for words in BOSTON_CANCER_HOSPITALS
    )


def test_lung_cancer_near_boston_ranks_real_boston_cancer_hospitals_with_evidence_and_sources(
    real_engine: Engine,
) -> None:
    answer = _find("lung cancer", "--near", "Boston, MA")
    top = answer["results"][:5]
    assert any(_is_boston_cancer_hospital(result["name"]) for result in top), [r["name"] for r in top]
    assert answer["expanded_radius_km"] is None  # enough within the radius: nothing from New York
    for result in top:
        assert result["within_radius"] and result["distance_km"] <= answer["radius_km"]
        assert result["evidence"] in ("known", "likely") and result["evidence_text"]
        for reason in result["why"]:
            assert reason["source"] if reason["factor"] != "distance" else reason["source"] is None, reason
    coverage = answer["coverage"]
    assert coverage["known"] + coverage["likely"] >= 5 and coverage["note"]
    # The hospitals a source ties to lung cancer: trial sites (NCT01642004 at Massachusetts General) and the
    # NCI designation of the Dana-Farber/Harvard Cancer Center members, each naming its source.
    mgh = next(r for r in answer["results"] if "massachusetts general" in r["name"].lower())
    sources = " ".join(reason["source"] or "" for reason in mgh["why"])
    assert "ClinicalTrials.gov NCT01642004" in sources and "NCI Cancer Centers Program" in sources


def test_metastasectomy_near_ukiah_gives_nearby_real_hospitals_and_says_nobody_is_known_to_do_it(
    real_engine: Engine,
) -> None:
    answer = _find("metastasectomy", "--near", "Ukia, CA")
    assert answer["place"]["name"].startswith("Ukiah")
    results = answer["results"]
    assert results, "nearby hospitals, marked services unknown"
    assert all(result["distance_km"] <= MAX_EXPANSION_KM for result in results)
    assert results[0]["distance_km"] < 25 and "ukiah" in results[0]["name"].lower()
    assert all(result["evidence"] == "unknown" for result in results)
    coverage = answer["coverage"]
    assert coverage == {**coverage, "known": 0, "likely": 0, "unknown": len(results)}
    assert "No provider in this directory is known to offer Metastasectomy" in coverage["note"]
    assert "radius" not in coverage["note"].lower()  # a larger radius would not help: never suggest one
    assert answer["expanded_radius_km"] is None or answer["expanded_radius_km"] <= MAX_EXPANSION_KM


@pytest.fixture
def real_server(real_engine: Engine) -> Iterator[LiveServer]:
    with LiveServer(real_engine) as server:
        yield server


# One browser run is enough: the pages read the same service on both databases.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_results_page_shows_coverage_evidence_and_sources_in_plain_words(
    page: Page, real_server: LiveServer
) -> None:
    page.goto(f"{real_server.url}/search?q=metastasectomy&near=Ukia%2C%20CA")
    coverage = page.locator("p.coverage")
    assert "No provider in this directory is known to offer" in coverage.inner_text()
    assert "larger radius" not in page.content()
    assert page.locator(".badge.evidence-unknown").count() >= 1
    assert "Services unknown: call to ask" in page.locator(".result-card").first.inner_text()

    page.goto(f"{real_server.url}/search?q=lung%20cancer&near=Boston%2C%20MA")
    cards = page.locator(".result-card")
    names = [cards.nth(i).locator("h3").inner_text() for i in range(min(5, cards.count()))]
    assert any(_is_boston_cancer_hospital(name) for name in names), names
    first = cards.first
    first.locator("summary").click()
    assert "ClinicalTrials.gov" in first.inner_text() or "NCI Cancer Centers Program" in first.inner_text()
    assert first.locator(".badge.evidence").inner_text() in (
        "Listed by a source",
        "Likely: implied by a public signal, not listed",
    )
