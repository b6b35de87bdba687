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
from onconav.trials.evaluation import INPUT_FIELDS, evaluate, evaluate_split, is_closed, register

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
        "skipped": 0,
        "accuracy": 0.75,
        "per_label": {
            "excluded": {"n": 1, "correct": 0, "accuracy": 0.0},
            "included": {"n": 1, "correct": 1, "accuracy": 1.0},
            "not excluded": {"n": 1, "correct": 1, "accuracy": 1.0},
            "not included": {"n": 1, "correct": 1, "accuracy": 1.0},
        },
    }


def test_records_without_criterion_text_or_note_are_skipped_and_counted() -> None:
    incomplete = [
        RECORDS[0] | {"criterion_text": None},
        RECORDS[1] | {"note": "   "},
        {key: value for key, value in RECORDS[2].items() if key != "note"},
    ]
    report = evaluate([*RECORDS, *incomplete])
    assert report.n == 4 and report.skipped == 3 and report.correct == 3


def _patient_in(closed: bool) -> str:
    return next(f"patient-{i}" for i in range(100) if is_closed({"patient_id": f"patient-{i}"}) == closed)


def test_the_closed_quarter_is_a_fixed_quarter_of_patients_by_their_id() -> None:
    patients = [f"sigir-{i}" for i in range(4000)]
    closed = [p for p in patients if is_closed({"patient_id": p})]
    assert 0.22 < len(closed) / len(patients) < 0.28
    # The same patient is always on the same side, whatever else is in the file.
    assert closed == [p for p in patients if is_closed({"patient_id": p, "note": "other"})]
    assert not is_closed({"note": NOTE})  # no patient id: nothing to group by, open


def test_split_report_scores_both_parts_but_lists_only_open_errors() -> None:
    open_id, closed_id = _patient_in(False), _patient_in(True)
    records = [r | {"patient_id": open_id} for r in RECORDS] + [
        r | {"patient_id": closed_id} for r in RECORDS
    ]
    report = evaluate_split(records)
    assert (report.open.n, report.open.correct) == (4, 3)
    assert (report.closed.n, report.closed.correct) == (4, 3)
    assert report.closed.predictions == []
    errors = report.open_errors()
    assert [e["patient_id"] for e in errors] == [open_id]
    assert errors[0]["criterion_text"] == "Unstable angina"
    assert set(report.as_json()) == {"open", "closed"}


def test_eval_criteria_split_prints_open_and_closed_and_never_closed_errors(
    app: typer.Typer, tmp_path: Path
) -> None:
    open_id, closed_id = _patient_in(False), _patient_in(True)
    closed_only = RECORDS[3] | {"patient_id": closed_id, "criterion_text": "Closed secret criterion"}
    records = [r | {"patient_id": open_id} for r in RECORDS] + [closed_only]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(app, ["eval-criteria", str(path), "--split", "--errors"])
    assert result.exit_code == 0, result.output
    assert "Unstable angina" in result.output
    assert "Closed secret criterion" not in result.output
    assert "never listed" in result.output
    result = runner.invoke(app, ["eval-criteria", str(path), "--split", "--errors", "--json"])
    payload = json.loads(result.output)
    assert payload["closed"]["n"] == 1 and payload["closed"]["accuracy"] == 0.0
    assert [e["criterion_text"] for e in payload["open_errors"]] == ["Unstable angina"]


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
    assert set(payload) == {"n", "skipped", "accuracy", "per_label"}
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
