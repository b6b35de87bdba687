"""The command line over a real SQLite file: db upgrade, demo load, find (table and JSON), errors, and no
silent migration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_upgrade_load_and_find_as_json(data_dir: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (data_dir / "onconav.sqlite3").exists()
    result = runner.invoke(app, ["demo", "load", "--size", "tiny"])
    assert result.exit_code == 0, result.output
    assert "practitioner" in result.output
    result = runner.invoke(
        app, ["find", "lobectomy", "--near", "Sna Francisco, CA", "--json", "--limit", "5"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) >= {"place", "results"}
    assert set(body["place"]) >= {"name", "lat", "lon"}
    assert body["place"]["name"].startswith("San Francisco")
    assert 1 <= len(body["results"]) <= 5
    for item in body["results"]:
        assert {"kind", "id", "name", "city", "country", "distance_km", "score", "why"} <= set(item)
    scores = [item["score"] for item in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_find_prints_reasons_and_refuses_nonsense(data_dir: Path) -> None:
    assert runner.invoke(app, ["demo", "load", "--size", "tiny"]).exit_code == 0
    result = runner.invoke(app, ["find", "thoracic surgeon", "--near", "10065"])
    assert result.exit_code == 0, result.output
    assert "Specialty: Thoracic surgery" in result.output and "km" in result.output
    bad_place = runner.invoke(app, ["find", "lobectomy", "--near", "Qqqxzzv"])
    assert bad_place.exit_code == 2 and "No place matches" in bad_place.output
    bad_radius = runner.invoke(app, ["find", "lobectomy", "--near", "Ukiah, CA", "--radius-km", "-4"])
    assert bad_radius.exit_code == 2 and "radius" in bad_radius.output


def test_reloading_the_demo_replaces_it(data_dir: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["demo", "load", "--size", "tiny"])
        assert result.exit_code == 0, result.output
    from onconav.db import create_db_engine, make_session_factory, unit_of_work
    from onconav.directory import service as directory
    from onconav.trials import service as trials

    assert "trial" in result.output
    engine = create_db_engine()
    with unit_of_work(make_session_factory(engine)) as session:
        counts = directory.count_providers(session)
        stored_trials = trials.count_trials(session)
    engine.dispose()
    organizations, practitioners = directory.planned_demo_size("tiny")
    assert counts["organizations"] == organizations and counts["practitioners"] == practitioners
    assert stored_trials == trials.planned_demo_trials("tiny") > 0


def test_demo_trials_match_from_the_command_line(data_dir: Path) -> None:
    assert runner.invoke(app, ["demo", "load", "--size", "tiny"]).exit_code == 0
    note = "58-year-old man with stage IV pleural mesothelioma, ECOG 1"
    result = runner.invoke(app, ["trials", "match", "--note", note, "--near", "Ukiah, CA"])
    assert result.exit_code == 0, result.output
    assert "DEMO" in result.output and "(demo data)" in result.output
    assert "nearest site:" in result.output and "km)" in result.output


def test_trials_match_without_trials_says_what_to_do(data_dir: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["trials", "match", "--note", "stage 4 lung cancer", "--near", "Boston, MA"])
    assert result.exit_code == 0, result.output
    assert "No trials are stored here yet" in result.output
    assert "onconav demo load" in result.output and "onconav trials import" in result.output


def test_commands_never_migrate_silently_and_say_to_run_db_upgrade(data_dir: Path) -> None:
    from onconav import migrate
    from onconav.db import create_db_engine

    def said(output: str) -> str:
        return " ".join(output.split())  # Rich wraps long messages at the terminal width

    for command in (["users", "list"], ["find", "lobectomy", "--near", "10065"], ["cases", "verify"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "has no schema yet. Run `onconav db upgrade` first." in said(result.output)
    engine = create_db_engine()
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine, "0001")
    engine.dispose()
    behind = runner.invoke(app, ["audit", "verify"])
    assert behind.exit_code == 2
    assert "is at schema revision 0001" in said(behind.output) and "onconav db upgrade" in said(behind.output)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["users", "list"]).exit_code == 0


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "find", "demo", "db"):
        assert command in result.output


def test_demo_load_help_mentions_trials() -> None:
    result = runner.invoke(app, ["demo", "load", "--help"])
    assert result.exit_code == 0 and "trials" in result.output
