"""The criterion benchmark: predict a verdict for each expert-labelled record and score it, overall and
split by patient into an open part (to study errors on) and a fixed closed quarter (scored, never shown).

Records follow the TrialGPT criterion annotations (`note`, `criterion_type`, `criterion_text`, gold
`expert_eligibility`); predictions read the first three fields only, the gold label only scores them.
"""

from __future__ import annotations

import json
import zlib
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
PATIENT_FIELD = "patient_id"
# The closed quarter: patients whose CRC-32 of the id is 3 modulo 4. Fixed before the rules of issue 13
# were written, and the same quarter ("Q3") that earlier rounds kept closed (docs/trials-criteria.md):
# every other patient has been studied record by record, these never have.
QUARTERS = 4
CLOSED_QUARTER = 3


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
    skipped: int = 0  # records without a criterion text or a note

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def as_json(self) -> dict[str, Any]:
        """The `--json` object: `{"n", "accuracy", "per_label": {label: {"n", "correct", "accuracy"}}}`."""
        return {
            "n": self.n,
            "skipped": self.skipped,
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


def is_complete(record: Mapping[str, Any]) -> bool:
    """Whether the record has a criterion text and a note to judge (some published records have neither)."""
    return all(isinstance(record.get(key), str) and record[key].strip() for key in ("note", "criterion_text"))


def is_closed(record: Mapping[str, Any]) -> bool:
    """Whether the record's patient is in the closed quarter (records without a patient id are open)."""
    patient = record.get(PATIENT_FIELD)
    if not isinstance(patient, str):
        return False
    return zlib.crc32(patient.encode("utf-8")) % QUARTERS == CLOSED_QUARTER


def evaluate(records: Iterable[Mapping[str, Any]]) -> EvaluationReport:
    """Predict every complete record and compare with its gold `expert_eligibility`; count the others."""
    notes: dict[str, NoteFacts] = {}
    predictions: list[str] = []
    counts: dict[str, list[int]] = {}
    skipped = 0
    for record in records:
        if not is_complete(record):
            skipped += 1
            continue
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
        skipped=skipped,
    )


@dataclass(frozen=True)
class SplitReport:
    """The open part's report (its errors may be studied) beside the closed quarter's scores only."""

    open: EvaluationReport
    closed: EvaluationReport
    open_records: list[Mapping[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """`{"open": {...}, "closed": {...}}`, each as `EvaluationReport.as_json`."""
        return {"open": self.open.as_json(), "closed": self.closed.as_json()}

    def open_errors(self) -> list[dict[str, str]]:
        """The open part's wrong predictions (the closed quarter's are never listed)."""
        complete = [r for r in self.open_records if is_complete(r)]
        return [
            {
                "patient_id": str(r.get(PATIENT_FIELD, "")),
                "criterion_type": str(r["criterion_type"]),
                "criterion_text": str(r["criterion_text"]),
                "expected": str(r[GOLD_FIELD]),
                "predicted": predicted,
            }
            for r, predicted in zip(complete, self.open.predictions, strict=True)
            if predicted != r[GOLD_FIELD]
        ]


def evaluate_split(records: Iterable[Mapping[str, Any]]) -> SplitReport:
    """Score the open part and the closed quarter separately; the closed predictions are dropped."""
    items = list(records)
    open_records = [r for r in items if not is_closed(r)]
    closed = evaluate(r for r in items if is_closed(r))
    hidden = EvaluationReport(
        n=closed.n, correct=closed.correct, per_label=closed.per_label, predictions=[], skipped=closed.skipped
    )
    return SplitReport(open=evaluate(open_records), closed=hidden, open_records=open_records)


def load_records(path: Path) -> list[dict[str, Any]]:
    """The JSON array of annotation records in `path`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("Cannot read %(path)s as JSON: %(error)s", path=str(path), error=str(exc)) from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InvalidInput("%(path)s must hold a JSON array of annotation records.", path=str(path))
    return data


def _table(title: str, reports: dict[str, EvaluationReport]) -> Table:
    """Per gold label: records, correct and accuracy of each report side by side."""
    table = Table(title=title)
    table.add_column("expert label")
    for name in reports:
        table.add_column(f"{name} records", justify="right")
        table.add_column(f"{name} correct", justify="right")
        table.add_column(f"{name} accuracy", justify="right")
    labels = sorted({label for report in reports.values() for label in report.per_label})
    empty = LabelScore(0, 0)
    for label in [*labels, None]:
        row = [label or "all"]
        for report in reports.values():
            score = report.per_label.get(label, empty) if label else LabelScore(report.n, report.correct)
            row += [str(score.n), str(score.correct), f"{score.accuracy:.1%}" if score.n else "-"]
        table.add_row(*row)
    return table


def register(app: typer.Typer) -> None:
    """Add `eval-criteria FILE [--split] [--errors] [--json]` to `app`."""

    @app.command("eval-criteria")
    def eval_criteria(
        file: Annotated[Path, typer.Argument(help="JSON array of expert-labelled criterion records.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
        split: Annotated[
            bool,
            typer.Option("--split", help="Score the open patients and the closed quarter side by side."),
        ] = False,
        errors: Annotated[
            bool,
            typer.Option("--errors", help="List the open patients' wrong verdicts (never the closed ones)."),
        ] = False,
    ) -> None:
        """Accuracy of the criterion verdicts against expert labels, overall and per label."""
        console = Console()
        try:
            records = load_records(file)
            if split or errors:
                report = evaluate_split(records)
            else:
                whole = evaluate(records)
        except InvalidInput as exc:
            Console(stderr=True).print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from exc
        if not (split or errors):
            if as_json:
                typer.echo(json.dumps(whole.as_json()))
                return
            console.print(_table(f"Criterion verdicts: {whole.n} records", {"all": whole}))
            if whole.skipped:
                console.print(f"Skipped {whole.skipped} records without a criterion text or a note.")
            return
        if as_json:
            payload = report.as_json() | ({"open_errors": report.open_errors()} if errors else {})
            typer.echo(json.dumps(payload))
            return
        title = f"Criterion verdicts: open {report.open.n} records, closed quarter {report.closed.n} records"
        console.print(_table(title, {"open": report.open, "closed": report.closed}))
        skipped = report.open.skipped + report.closed.skipped
        if skipped:
            console.print(f"Skipped {skipped} records without a criterion text or a note.")
        if errors:
            for error in report.open_errors():
                console.print(
                    f"{error['patient_id']} {error['criterion_type']}: expected {error['expected']}, "
                    f"predicted {error['predicted']}: {error['criterion_text'][:200]}",
                    markup=False,
                    highlight=False,
                )
            console.print("The closed quarter's individual errors are never listed.")
