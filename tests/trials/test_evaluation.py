"""The criterion benchmark: accuracy on the real expert-labelled dev file, no peeking at gold or GPT-4
fields, and the `eval-criteria` command (table and JSON) on a fresh Typer app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from onconav.errors import InvalidInput
from onconav.trials.evaluation import INPUT_FIELDS, evaluate, register

DEV_FILE = Path("sigir/trialgpt_criterion_annotations/criterion_annotations_dev.json")
TARGET_ACCURACY = 0.80
runner = CliRunner()

NOTE = (
    "0. A 58-year-old woman presents with chest pain.\n"
    "1. She denies diabetes.\n"
    "2. The patient will provide informed consent, and will comply with the trial protocol."
)
RECORDS: list[dict[str, Any]] = [
    {
        "note": NOTE,
        "criterion_type": "inclusion",
        "criterion_text": "Age 25 to 65 years",
        "expert_eligibility": "included",
    },
    {
        "note": NOTE,
        "criterion_type": "inclusion",
        "criterion_text": "Male",
        "expert_eligibility": "not included",
    },
    {
        "note": NOTE,
        "criterion_type": "exclusion",
        "criterion_text": "Type 1 diabetes",
        "expert_eligibility": "not excluded",
    },
    # A gold label the rules do not give: accuracy must count it as wrong.
    {
        "note": NOTE,
        "criterion_type": "exclusion",
        "criterion_text": "Unstable angina",
        "expert_eligibility": "excluded",
    },
]


@pytest.fixture
def app() -> typer.Typer:
    fresh = typer.Typer()

    @fresh.callback()
    def main() -> None:
        """A fresh app, as `onconav trials` would be."""

    register(fresh)
    return fresh


def _dev_records(shared_data: Path) -> list[dict[str, Any]]:
    records = json.loads((shared_data / DEV_FILE).read_text(encoding="utf-8"))
    assert isinstance(records, list)
    return records


def test_dev_accuracy_meets_the_target(shared_data: Path) -> None:
    report = evaluate(_dev_records(shared_data))
    assert report.n == 538
    print(f"criterion verdicts on dev: {report.accuracy:.1%}", report.as_json()["per_label"])
    assert report.accuracy >= TARGET_ACCURACY


def test_predictions_never_read_gold_or_gpt4_fields(shared_data: Path) -> None:
    records = _dev_records(shared_data)
    blind = [
        {key: r[key] for key in INPUT_FIELDS} | {"expert_eligibility": r["expert_eligibility"]}
        for r in records
    ]
    # Corrupt every other field: predictions must not change.
    noisy = [
        {
            key: ("excluded" if key.startswith(("gpt4", "expert")) and key != "expert_eligibility" else value)
            for key, value in r.items()
        }
        for r in records
    ]
    assert any(key.startswith("gpt4_") for key in records[0])
    expected = evaluate(records).predictions
    assert evaluate(blind).predictions == expected
    assert evaluate(noisy).predictions == expected
    # And the gold label itself only scores: swapping it changes accuracy, never predictions.
    swapped = [r | {"expert_eligibility": "not applicable"} for r in blind]
    assert evaluate(swapped).predictions == expected


def test_accuracy_counts_each_wrong_verdict_overall_and_per_label() -> None:
    report = evaluate(RECORDS)
    assert report.n == 4 and report.correct == 3
    assert report.accuracy == pytest.approx(0.75)
    assert report.per_label["excluded"].accuracy == 0.0
    assert report.per_label["included"].accuracy == 1.0
    assert report.as_json() == {
        "n": 4,
        "accuracy": 0.75,
        "per_label": {
            "excluded": {"n": 1, "correct": 0, "accuracy": 0.0},
            "included": {"n": 1, "correct": 1, "accuracy": 1.0},
            "not excluded": {"n": 1, "correct": 1, "accuracy": 1.0},
            "not included": {"n": 1, "correct": 1, "accuracy": 1.0},
        },
    }


def test_bad_records_are_refused() -> None:
    with pytest.raises(InvalidInput):
        evaluate(
            [
                {
                    "note": NOTE,
                    "criterion_type": "maybe",
                    "criterion_text": "x",
                    "expert_eligibility": "included",
                }
            ]
        )
    with pytest.raises(InvalidInput):
        evaluate([{"note": NOTE, "criterion_type": "inclusion", "criterion_text": "x"}])


def test_eval_criteria_prints_the_accuracy_as_json(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    result = runner.invoke(app, ["eval-criteria", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == {"n", "accuracy", "per_label"}
    assert payload["n"] == 4 and payload["accuracy"] == 0.75


def test_eval_criteria_prints_a_table_of_accuracy_per_label(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    result = runner.invoke(app, ["eval-criteria", str(path)])
    assert result.exit_code == 0, result.output
    assert "75.0%" in result.output and "not excluded" in result.output


def test_eval_criteria_refuses_unreadable_or_non_list_files_with_exit_2(
    app: typer.Typer, tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["eval-criteria", str(path), "--json"])
    assert result.exit_code == 2
    assert "Cannot read" in result.output
    (tmp_path / "object.json").write_text('{"a": 1}', encoding="utf-8")
    result = runner.invoke(app, ["eval-criteria", str(tmp_path / "object.json")])
    assert result.exit_code == 2


def test_eval_criteria_on_the_dev_file_meets_the_target(app: typer.Typer, shared_data: Path) -> None:
    result = runner.invoke(app, ["eval-criteria", str(shared_data / DEV_FILE), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["n"] == 538 and payload["accuracy"] >= TARGET_ACCURACY
    assert sum(label["n"] for label in payload["per_label"].values()) == 538
