"""The criterion benchmark: predict a verdict for each expert-labelled record and score it.

Records follow the TrialGPT criterion annotations (`note`, `criterion_type`, `criterion_text`, gold
`expert_eligibility`); predictions read the first three fields only, the gold label only scores them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer
from rich.console import Console
from rich.table import Table

from onconav.errors import InvalidInput
from onconav.trials.verdicts import NoteFacts, judge, read_note

# The only fields a prediction may read; everything else in a record (gold labels, GPT-4 outputs) is hidden.
INPUT_FIELDS = ("note", "criterion_type", "criterion_text")
GOLD_FIELD = "expert_eligibility"
KINDS = ("inclusion", "exclusion")


@dataclass(frozen=True)
class LabelScore:
    """How often the gold label was predicted, over the records that carry it."""

    n: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0


@dataclass(frozen=True)
class EvaluationReport:
    """Overall and per-gold-label accuracy, and each record's prediction in input order."""

    n: int
    correct: int
    per_label: dict[str, LabelScore]
    predictions: list[str]

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def as_json(self) -> dict[str, Any]:
        """The `--json` object: `{"n", "accuracy", "per_label": {label: {"n", "correct", "accuracy"}}}`."""
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "per_label": {
                label: {"n": s.n, "correct": s.correct, "accuracy": round(s.accuracy, 4)}
                for label, s in sorted(self.per_label.items())
            },
        }


def predict(record: Mapping[str, Any], notes: dict[str, NoteFacts] | None = None) -> str:
    """The verdict label for one record, from its note, criterion type and criterion text alone."""
    visible = {key: record.get(key) for key in INPUT_FIELDS}
    note, kind, text = visible["note"], visible["criterion_type"], visible["criterion_text"]
    if not isinstance(note, str) or not isinstance(text, str) or kind not in KINDS:
        raise InvalidInput(
            "Each record needs a text 'note', a text 'criterion_text' and a 'criterion_type' of "
            "inclusion or exclusion."
        )
    cache = notes if notes is not None else {}
    facts = cache.get(note)
    if facts is None:
        facts = cache[note] = read_note(note)
    return judge(facts, text, cast(Literal["inclusion", "exclusion"], kind)).label


def evaluate(records: Iterable[Mapping[str, Any]]) -> EvaluationReport:
    """Predict every record and compare with its gold `expert_eligibility`."""
    notes: dict[str, NoteFacts] = {}
    predictions: list[str] = []
    counts: dict[str, list[int]] = {}
    for record in records:
        predicted = predict(record, notes)
        gold = record.get(GOLD_FIELD)
        if not isinstance(gold, str):
            raise InvalidInput("Each record needs its gold label in 'expert_eligibility'.")
        predictions.append(predicted)
        tally = counts.setdefault(gold, [0, 0])
        tally[0] += 1
        tally[1] += predicted == gold
    per_label = {label: LabelScore(n=n, correct=c) for label, (n, c) in counts.items()}
    return EvaluationReport(
        n=len(predictions),
        correct=sum(s.correct for s in per_label.values()),
        per_label=per_label,
        predictions=predictions,
    )


def load_records(path: Path) -> list[dict[str, Any]]:
    """The JSON array of annotation records in `path`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("Cannot read %(path)s as JSON: %(error)s", path=str(path), error=str(exc)) from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InvalidInput("%(path)s must hold a JSON array of annotation records.", path=str(path))
    return data


def register(app: typer.Typer) -> None:
    """Add `eval-criteria FILE [--json]` to `app`."""

    @app.command("eval-criteria")
    def eval_criteria(
        file: Annotated[Path, typer.Argument(help="JSON array of expert-labelled criterion records.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Accuracy of the criterion verdicts against expert labels, overall and per label."""
        try:
            report = evaluate(load_records(file))
        except InvalidInput as exc:
            Console(stderr=True).print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from exc
        if as_json:
            typer.echo(json.dumps(report.as_json()))
            return
        table = Table(title=f"Criterion verdicts: {report.n} records, accuracy {report.accuracy:.1%}")
        table.add_column("expert label")
        table.add_column("records", justify="right")
        table.add_column("correct", justify="right")
        table.add_column("accuracy", justify="right")
        for label, score in sorted(report.per_label.items()):
            table.add_row(label, str(score.n), str(score.correct), f"{score.accuracy:.1%}")
        Console().print(table)
