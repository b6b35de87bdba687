"""`onconav import nppes-api-saved PATH`: NPI Registry API v2.1 answers saved as JSON files, imported offline.

PATH is one saved answer (`{"result_count": N, "results": [...]}`); import several one after the other.
Each result becomes the same record as a row of the NPPES file and of `onconav sync nppes` (source "nppes",
keyed by the NPI, same fields and hash), so a saved answer, a sync and a monthly file update each other. An
error answer (`{"Errors": [...]}`) or a file that is not JSON is reported as a rejected row, not dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from onconav.directory.imports.formats.nppes import NppesRecord
from onconav.directory.imports.formats.nppes_api import record_of
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.imports.framework import Outcome, RawRecord, Rejected
from onconav.directory.imports.sources.nppes import NppesPayload, NppesWriter

Saved = NppesRecord | RowRejected  # one result of a saved answer, or why a file gave none


def saved_records(path: Path) -> Iterator[Saved]:
    """Every result of a saved answer, as NPPES records; an answer without results says why."""
    for file in [path]:
        try:
            answer = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:  # RecursionError: too deep
            yield RowRejected("invalid_json", f"{file.name}: {error}")
            continue
        if not isinstance(answer, dict):
            yield RowRejected("not_an_answer", f"{file.name}: not an NPI Registry API answer")
            continue
        if answer.get("Errors"):
            described = "; ".join(
                str(e.get("description", e)) for e in answer["Errors"] if isinstance(e, dict)
            )
            yield RowRejected("api_error", f"{file.name}: {described or 'the API refused the query'}")
            continue
        for result in answer.get("results") or []:
            try:
                yield record_of(result)
            except (KeyError, TypeError, ValueError) as error:
                yield RowRejected("invalid_result", f"{file.name}: {error!r}")


class NppesApiSavedSource(NppesWriter[Saved]):
    """Saved NPI Registry API answers (offline); same natural keys as the NPPES file (source "nppes")."""

    title = "NPI Registry API v2.1 answers saved as JSON"

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord[Saved]]:
        for row, record in enumerate(saved_records(path), start=1):
            if row > start_row:
                yield RawRecord(row, row, record)

    def prepare(self, record: RawRecord[Saved]) -> Outcome[NppesPayload]:
        if isinstance(record.data, RowRejected):
            return Rejected(None, f"{record.data.reason}: {record.data.message}")
        return self.prepare_record(record.data)

    def total_size(self, path: Path) -> int:
        return sum(1 for _ in saved_records(path))
