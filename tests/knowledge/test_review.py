"""Clinician review as a workflow: a review is recorded in the condition's file only when a person asks for
it (with a confirmation), pages say "Not yet reviewed by a clinician" until then, and the report lists what
is unreviewed, out of date or cites a source without its date.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onconav import cli
from onconav.errors import InvalidInput, NotFound
from onconav.knowledge import review as review_module
from onconav.knowledge import service as knowledge
from onconav.knowledge.catalogue import data_files
from onconav.knowledge.schemas import Condition, Review

WRITTEN = dt.date(2026, 11, 23)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the condition files, so that tests never write the package's data."""
    for file in data_files("conditions"):
        shutil.copy(Path(str(file)), tmp_path / file.name)
    return tmp_path


def test_no_condition_is_recorded_as_reviewed_in_the_package() -> None:
    assert all(c.reviewed is None for c in knowledge.list_conditions())
    for file in data_files("conditions"):
        assert "\nreviewed:" not in file.read_text(encoding="utf-8"), file.name


def test_a_review_is_written_into_the_file_keeping_its_comments(folder: Path) -> None:
    path = knowledge.record_condition_review(
        code="pleural-mesothelioma",
        reviewer="Ada Example",
        credentials="MD, thoracic oncology",
        on=dt.date(2026, 12, 1),
        folder=folder,
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Pleural mesothelioma")
    condition = Condition.model_validate(yaml.safe_load(text))
    assert condition.reviewed == Review(
        date=dt.date(2026, 12, 1), reviewer="Ada Example", credentials="MD, thoracic oncology"
    )
    knowledge.record_condition_review(
        code="pleural-mesothelioma",
        reviewer="Bo Other",
        credentials="DO",
        on=dt.date(2026, 12, 2),
        folder=folder,
    )
    text = path.read_text(encoding="utf-8")
    assert text.count("\nreviewed:") == 1 and "Ada Example" not in text and "Bo Other" in text


@pytest.mark.parametrize(
    ("reviewer", "credentials", "on", "error"),
    [
        ("", "MD", dt.date(2026, 12, 1), InvalidInput),
        ("Ada Example", " ", dt.date(2026, 12, 1), InvalidInput),
        ("Ada Example", "MD", WRITTEN - dt.timedelta(days=1), InvalidInput),
    ],
)
def test_a_review_needs_a_name_credentials_and_a_date_after_the_writing(
    folder: Path, reviewer: str, credentials: str, on: dt.date, error: type[Exception]
) -> None:
    before = (folder / "melanoma.yaml").read_text(encoding="utf-8")
    with pytest.raises(error):
        knowledge.record_condition_review(
            code="melanoma", reviewer=reviewer, credentials=credentials, on=on, folder=folder
        )
    assert (folder / "melanoma.yaml").read_text(encoding="utf-8") == before


def test_an_unknown_condition_cannot_be_reviewed(folder: Path) -> None:
    with pytest.raises(NotFound):
        knowledge.record_condition_review(
            code="nope", reviewer="A B", credentials="MD", on=WRITTEN, folder=folder
        )


def test_the_command_asks_before_it_writes(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(review_module, "data_files", lambda _: sorted(folder.glob("*.yaml")))
    args = [
        "knowledge",
        "review",
        "melanoma",
        "--reviewer",
        "Ada Example",
        "--credentials",
        "MD, dermatology",
    ]
    refused = CliRunner().invoke(cli.app, [*args, "--on", "2026-12-01"], input="n\n")
    assert refused.exit_code == 1 and "Nothing recorded" in refused.output
    assert "reviewed:" not in (folder / "melanoma.yaml").read_text(encoding="utf-8")
    accepted = CliRunner().invoke(cli.app, [*args, "--on", "2026-12-01"], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Ada Example" in (folder / "melanoma.yaml").read_text(encoding="utf-8")
    review_module.catalogue.cache_clear()


def test_the_report_lists_unreviewed_out_of_date_and_undated() -> None:
    pleural = knowledge.get_condition("pleural-mesothelioma")
    melanoma = knowledge.get_condition("melanoma")
    assert pleural is not None and melanoma is not None
    fresh = Review(date=dt.date(2027, 6, 1), reviewer="Ada Example", credentials="MD")
    reviewed = pleural.model_copy(update={"reviewed": fresh})
    report = review_module.review_report(today=dt.date(2027, 12, 31), conditions=[reviewed, melanoma])
    assert report.unreviewed == ["melanoma"]
    assert report.out_of_date == [("melanoma", WRITTEN)]
    undated = {(s.condition, s.key) for s in report.undated_sources}
    assert ("pleural-mesothelioma", "acs-staging") in undated
    assert ("pleural-mesothelioma", "mars2") not in undated


def test_the_report_command_prints_every_section() -> None:
    result = CliRunner().invoke(cli.app, ["knowledge", "report"])
    assert result.exit_code == 0
    assert "Not yet reviewed by a clinician (34)" in result.output
    assert "Sources without their own date" in result.output


def test_a_recorded_review_shows_on_the_page(
    sqlite_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    condition = knowledge.get_condition("pleural-mesothelioma")
    assert condition is not None
    review = Review(date=dt.date(2026, 12, 1), reviewer="Ada Example", credentials="MD, thoracic oncology")
    reviewed = condition.model_copy(update={"reviewed": review})
    real = knowledge.get_condition
    monkeypatch.setattr(
        knowledge, "get_condition", lambda code: reviewed if code == condition.code else real(code)
    )
    page = sqlite_client.get("/conditions/pleural-mesothelioma").text
    assert "Reviewed by Ada Example (MD, thoracic oncology) on 2026-12-01." in page
    assert "Not yet reviewed by a clinician" not in page
