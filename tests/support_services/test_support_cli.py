"""`onconav support import FILE` and `onconav support find` over a real SQLite file: all or nothing, every
malformed line reported, demo listings marked DEMO, the demo loaded by `onconav demo load`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onconav.cli import app
from onconav.config import get_settings
from tests.support_services.test_importer import csv_of, listing

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_import_reports_every_malformed_line_and_writes_nothing(data_dir: Path) -> None:
    bad = data_dir / "bad.csv"
    bad.write_text(csv_of(listing(), listing(name="B", cost="cheap"), listing(name="C", languages="xx")))
    result = runner.invoke(app, ["support", "import", str(bad)])
    assert result.exit_code == 2
    assert "line 3: cost 'cheap' is not one of" in result.output
    assert "line 4: languages: xx is not an ISO 639-1 code" in result.output
    assert "nothing was imported" in result.output
    found = runner.invoke(app, ["support", "find", "--json"])
    assert found.exit_code == 0 and json.loads(found.stdout)["total"] == 0


def test_import_then_find(data_dir: Path) -> None:
    good = data_dir / "good.csv"
    good.write_text(csv_of(listing(), listing(name="Phone legal help", category="legal", delivery="phone")))
    result = runner.invoke(app, ["support", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated" in result.output
    found = runner.invoke(
        app, ["support", "find", "--condition", "pleural-mesothelioma", "--near", "Ukiah, CA", "--json"]
    )
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    assert body["results"][0]["service"]["name"] == "Mendocino Coast Mesothelioma Group"
    assert body["includes_demo"] is False


def test_unreadable_file_and_bad_search_exit_with_2(data_dir: Path) -> None:
    missing = runner.invoke(app, ["support", "import", str(data_dir / "none.csv")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    binary = data_dir / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    assert runner.invoke(app, ["support", "import", str(binary)]).exit_code == 2
    bad = runner.invoke(app, ["support", "find", "--category", "massage"])
    assert bad.exit_code == 2 and "Unknown category" in bad.output


def test_demo_load_includes_support_listings_marked_demo(data_dir: Path) -> None:
    result = runner.invoke(app, ["demo", "load", "--size", "tiny"])
    assert result.exit_code == 0, result.output
    assert "support_service" in result.output
    found = runner.invoke(
        app, ["support", "find", "--condition", "pleural-mesothelioma", "--near", "Ukiah, CA"]
    )
    assert found.exit_code == 0, found.output
    assert "Demo data:" in found.output and "DEMO" in found.output
