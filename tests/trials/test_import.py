"""Importing trials into the database on SQLite and PostgreSQL: all fields, sites geocoded offline,
re-imports that skip unchanged records and update changed ones, and the CLI's summary and rejects.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.trials import service
from onconav.trials.models import Trial, TrialSite, TrialTerm, TrialTermStat
from onconav.trials.sources import iter_source


def test_samples_imported_with_sites_geocoded(trials_engine: Engine) -> None:
    with unit_of_work(make_session_factory(trials_engine)) as session:
        assert service.count_trials(session) == 73
        trial = service.get_trial_or_raise(session, nct_id="nct02679963")
        assert trial.status == "RECRUITING" and trial.min_age_years == 18
        assert [c["kind"] for c in trial.criteria].count("exclusion") == 20
        villejuif = trial.sites[0]
        assert villejuif.country_code == "FR"
        assert villejuif.lat == pytest.approx(48.79, abs=0.05)
        match_trial = service.get_trial_or_raise(session, nct_id="NCT02465060")
        assert len(match_trial.sites) == 1218
        boston = [s for s in match_trial.sites if s.city == "Boston"]
        assert boston and all(s.lat == pytest.approx(42.35, abs=0.1) for s in boston)
        geocoded = session.scalar(
            select(func.count()).select_from(TrialSite).where(TrialSite.lat.is_not(None))
        )
        total = session.scalar(select(func.count()).select_from(TrialSite))
        assert total and geocoded and geocoded / total > 0.95
        assert session.get(TrialTermStat, "") is not None
        assert session.get(TrialTermStat, "mesothelioma") is not None
        assert service.get_trial(session, nct_id="NCT99999999") is None


def test_reimport_skips_unchanged_and_updates_changed(engine: Engine, samples: Path, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    shutil.copytree(samples / "legacy_xml", folder)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        first = service.import_records(session, iter_source(folder), geocode=False)
    assert (first.inserted, first.updated, first.unchanged) == (63, 0, 0)
    # NCT00980226.xml holds NCT00081588 again: the same trial, read twice, is stored once.
    assert first.read == 64
    record = folder / "NCT02679963.xml"
    record.write_text(record.read_text().replace("<overall_status>Recruiting", "<overall_status>Completed"))
    with unit_of_work(factory) as session:
        terms_before = session.scalar(select(func.count()).select_from(TrialTerm))
        second = service.import_records(session, iter_source(folder), geocode=False)
    assert (second.inserted, second.updated) == (0, 1)
    assert second.unchanged == 62
    with unit_of_work(factory) as session:
        trial = service.get_trial_or_raise(session, nct_id="NCT02679963")
        assert trial.status == "COMPLETED"
        assert len(trial.sites) == 1  # replaced, not added to
        assert session.scalar(select(func.count()).select_from(Trial)) == 63
        assert session.scalar(select(func.count()).select_from(TrialTerm)) == terms_before
        closed = session.scalars(select(TrialTerm.is_open).where(TrialTerm.trial_id == trial.id)).all()
        assert closed and not any(closed)


def test_cli_import_prints_summary_and_writes_rejects(
    samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        rejects = tmp_path / "rejects.csv"
        runner = CliRunner()
        result = runner.invoke(app, ["trials", "import", str(samples), "--rejects", str(rejects)])
        assert result.exit_code == 0, result.output
        assert "Trials import" in result.output
        assert "Rejected records" in result.output
        assert "Note: NCT00980226.xml holds NCT00081588" in " ".join(result.output.split())
        rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
        assert len(rows) == 1 and rows[0]["source"].endswith("NCT00023673.json")
        assert "classic API" in rows[0]["reason"]
        again = runner.invoke(app, ["trials", "import", str(samples / "api_v2_json")])
        assert again.exit_code == 0
        assert "unchanged (skipped)" in again.output
        missing = runner.invoke(app, ["trials", "import", str(tmp_path / "nope")])
        assert missing.exit_code == 2
    finally:
        get_settings.cache_clear()
