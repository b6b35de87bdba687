"""The fictional demo trials: deterministic, marked demo everywhere, criteria the engine can read, written
through the import path beside real trials on SQLite and PostgreSQL, replaced (never duplicated) on
reload, and matched to a patient note with verdicts and the nearest site.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.trials import demo, service
from onconav.trials.criteria import parse_criteria
from onconav.trials.models import Trial, TrialSite, TrialTerm, TrialTermStat
from onconav.trials.records import NCT_ID, TrialRecord
from onconav.trials.schemas import PatientProfile
from onconav.trials.sources import iter_source
from tests.support.databases import PreparedEngines

NOTE = "62-year-old woman with stage IV lung adenocarcinoma, EGFR exon 19 deletion, ECOG 1, near Boston"


@pytest.fixture(scope="module")
def tiny() -> list[TrialRecord]:
    return list(demo.generate("tiny", seed=0))


@pytest.fixture
def demo_trials_engine(
    backend: str, request: pytest.FixtureRequest, prepared_engines: PreparedEngines, samples: Path
) -> Engine:
    """Real samples imported, then the small demo loaded with seed 1 and reloaded with seed 0."""

    def load(engine: Engine) -> None:
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            service.import_records(session, iter_source(samples))
        for seed in (1, 0):
            with unit_of_work(factory) as session:
                service.load_demo(session, size="small", seed=seed)

    contents = "every ClinicalTrials.gov sample, then the small demo trials (seed 1, reloaded with seed 0)"
    return prepared_engines.get(request, backend, contents, load)


def test_same_seed_same_trials_other_seed_other_trials(tiny: list[TrialRecord]) -> None:
    again = list(demo.generate("tiny", seed=0))
    assert [r.content_hash() for r in again] == [r.content_hash() for r in tiny]
    other = list(demo.generate("tiny", seed=1))
    assert [r.nct_id for r in other] == [r.nct_id for r in tiny]
    assert [r.content_hash() for r in other] != [r.content_hash() for r in tiny]
    assert len(tiny) == demo.planned_count("tiny")
    assert len(list(demo.generate("small"))) == demo.planned_count("small") > len(tiny)


def test_every_demo_trial_is_marked_demo(tiny: list[TrialRecord]) -> None:
    assert len({r.nct_id for r in tiny}) == len(tiny)
    for record in tiny:
        assert demo.is_demo_id(record.nct_id) and not NCT_ID.match(record.nct_id)
        assert len(record.nct_id) <= 20
        assert record.brief_title.startswith("Demo trial")
        assert record.sponsor == "onconav demo data" and record.source_format == "demo"
        assert "fictional" in (record.summary or "") and "fictional" in (record.official_title or "")
        assert record.sites
        for site in record.sites:
            assert "Demo" in (site.facility or "") and site.lat is not None and site.lon is not None
            for contact in site.contacts:
                assert contact["email"].endswith("@example.org")
                assert contact["phone"].startswith("+1 555-01")


def test_demo_covers_the_catalogue_with_mostly_recruiting_trials() -> None:
    records = list(demo.generate("small"))
    statuses = [r.status for r in records]
    assert statuses.count("RECRUITING") > len(records) / 2
    assert {"NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED"} <= set(statuses)
    conditions = {r.conditions[0] for r in records}
    assert {"Pleural mesothelioma", "Lung adenocarcinoma", "Breast cancer"} <= conditions
    assert any("EGFR" in (r.criteria_text or "") for r in records)
    assert all(r.sex == "FEMALE" for r in records if r.conditions[0] == "Ovarian cancer")


def test_demo_breast_cancer_trials_are_open_to_men_too() -> None:
    breast = [r for r in demo.generate("small") if r.conditions[0] == "Breast cancer"]
    assert breast and all(r.sex == "ALL" for r in breast)


def test_demo_criteria_split_into_inclusion_and_exclusion(tiny: list[TrialRecord]) -> None:
    for record in tiny:
        text = record.criteria_text or ""
        criteria = parse_criteria(text)
        inclusion = [c for c in criteria if c.kind == "inclusion"]
        exclusion = [c for c in criteria if c.kind == "exclusion"]
        bullets = text.split("Exclusion Criteria:")
        assert len(inclusion) == bullets[0].count("\n* ")
        assert len(exclusion) == bullets[1].count("\n* ")
        assert any("ECOG" in c.text for c in inclusion)
        assert any("brain" in c.text.lower() or "central nervous" in c.text.lower() for c in exclusion)


def test_reload_replaces_demo_trials_and_keeps_real_ones(demo_trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(demo_trials_engine)) as session:
        total = service.count_trials(session)
        demo_count = session.scalar(
            select(func.count()).select_from(Trial).where(Trial.nct_id.startswith(demo.DEMO_PREFIX))
        )
        assert demo_count == demo.planned_count("small")
        assert total == 73 + demo_count  # the 73 real samples survive both demo loads
        assert service.get_trial(session, nct_id="NCT02679963") is not None
        # The trial stored is seed 0's, not seed 1's.
        first = next(demo.generate("small", seed=0))
        stored = service.get_trial_or_raise(session, nct_id=first.nct_id)
        assert stored.source_hash == first.content_hash()
        assert len(stored.sites) == len(first.sites)
        assert session.scalar(select(TrialTermStat.trials).where(TrialTermStat.term == "")) == total
        orphans = session.scalar(
            select(func.count()).select_from(TrialSite).where(TrialSite.trial_id.not_in(select(Trial.id)))
        )
        assert orphans == 0
        assert (
            session.scalar(
                select(func.count()).select_from(TrialTerm).where(TrialTerm.trial_id.not_in(select(Trial.id)))
            )
            == 0
        )


def test_reloading_a_smaller_demo_leaves_no_extra_trials(engine: Engine) -> None:
    factory = make_session_factory(engine)
    for size in ("small", "tiny", "tiny"):
        with unit_of_work(factory) as session:
            service.load_demo(session, size=size, seed=0)  # type: ignore[arg-type]
    with unit_of_work(factory) as session:
        assert service.count_trials(session) == demo.planned_count("tiny")


def test_note_near_boston_gets_demo_trials_with_verdicts(demo_trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(demo_trials_engine)) as session:
        outcome = service.match(session, patient=PatientProfile(note=NOTE), near="Boston, MA", limit=10)
        from onconav.i18n import get_translations

        response = service.to_response(outcome, translations=get_translations("en"), locale="en")
    assert response.patient.condition_code in ("lung-adenocarcinoma", "non-small-cell-lung-cancer")
    demo_results = [r for r in response.results if r.demo]
    assert demo_results, [r.nct_id for r in response.results]
    for result in demo_results:
        assert result.url is None and result.nct_id.startswith("DEMO")
        assert result.status in ("RECRUITING", "NOT_YET_RECRUITING")
    top = demo_results[0]
    assert "lung" in top.title.lower()
    assert top.counts["met"] >= 2
    met = " ".join(c.text for c in top.criteria if c.mark == "met")
    assert "ECOG" in met or "Age" in met or "confirmed" in met
    assert top.nearest_site is not None and top.nearest_site.distance_km is not None
    assert any(r.nearest_site and r.nearest_site.distance_km < 500 for r in demo_results)


def test_trials_page_shows_demo_trials_and_empty_store_advice(
    demo_trials_engine: Engine, engine: Engine
) -> None:
    with TestClient(create_app(demo_trials_engine)) as client:
        page = client.get("/trials", params={"condition": "pleural mesothelioma", "near": "Ukiah, CA"})
        assert page.status_code == 200
        assert "Demo data" in page.text and "DEMO" in page.text
        assert "No trials are stored here yet" not in page.text
    with TestClient(create_app(engine)) as client:
        page = client.get("/trials", params={"condition": "lung cancer"})
        assert page.status_code == 200
        assert "No trials are stored here yet" in page.text and "onconav demo load" in page.text
        spanish = client.get("/trials", params={"condition": "lung cancer", "lang": "es"})
        assert "onconav demo load" in spanish.text
        assert "No trials are stored here yet" not in spanish.text
