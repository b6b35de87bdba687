"""The import loop shared by every source: stream, prepare, classify, write in batches, checkpoint.

A source (`ImportSource`) says how to read its file (`records`), how to turn one record into what the
directory keeps (`prepare`), and how to write new and changed records (`insert`, `update`, `retire`). This
module does the rest, the same way for every source:

- memory stays bounded: records stream from the file and are written in batches;
- idempotency: every record has a natural key (source, source_id) in `source_record` with a hash of what
  was kept; re-running finds it: same hash, "unchanged"; another hash, "updated" in place; never twice;
- resumability: each batch commits in one transaction with the run's checkpoint (rows read and byte offset
  in `import_run`, see `runs`), so an interrupted run continues after the last committed batch when started
  again on the same file;
- a summary (read, inserted, updated, unchanged, rejected, skipped, retired) and a CSV report of rejected
  rows (row number, source id, reason).
"""

from __future__ import annotations

import hashlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeAlias, TypeVar

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.engine import Engine

from onconav.db import in_list_chunks, utcnow
from onconav.directory.bulk import TABLES, BulkWriter, delete_search_entries, next_ids
from onconav.directory.imports.formats.csv_file import csv_rows
from onconav.directory.imports.runs import (
    COUNT_KEYS,
    ImportSummary,
    RejectedRowsReport,
    RunState,
    end_run,
    record_error,
    start_run,
)
from onconav.directory.imports.worker import prepared_in_worker
from onconav.directory.models import FLAG_DEACTIVATED, ImportRun, Organization, Practitioner, SourceRecord

__all__ = [
    "COUNT_KEYS",
    "ImportSource",
    "ImportSummary",
    "Outcome",
    "Prepared",
    "RawRecord",
    "Rejected",
    "Retire",
    "WriteBatch",
    "retire_entities",
    "row_hash",
    "run_import",
]

BATCH_RECORDS = 5_000  # prepared records per write transaction
CHECKPOINT_ROWS = 250_000  # commit a checkpoint at least this often, even when nothing is kept
ANALYZE_AFTER_ROWS = 50_000  # PostgreSQL: refresh planner statistics after writing this many records
FIRST_REJECTIONS_KEPT = 20  # rejections a summary carries for the console (all go to the report)
RETIRED_HASH = "retired"
# Sources that bring practitioners: once one is in, specialists are linked to hospitals (signals.py).
PRACTITIONER_SOURCES = frozenset({"nppes", "nppes-api", "nppes-api-saved", "fhir"})
# Tables whose statistics and visibility map a large PostgreSQL load refreshes.
VACUUMED_TABLES = ("organization", "location", "practitioner", "practitioner_role", "search_entry")

DataT = TypeVar("DataT")
PayloadT = TypeVar("PayloadT")


@dataclass(frozen=True)
class RawRecord(Generic[DataT]):
    """One record as read from the file: its 1-based data row number, the byte offset just after it,
    and source-specific data (None for some sources: nothing to prepare, e.g. rows a pre-filter left out)."""

    row: int
    end_offset: int
    data: DataT


def csv_records(
    path: Path, *, required: tuple[str, ...], title: str, start_row: int, start_offset: int
) -> Iterator[RawRecord[dict[str, str]]]:
    """The data rows of a CSV file with a header as records, from `start_row` (byte `start_offset`) on."""
    for row in csv_rows(path, required=required, title=title, start_row=start_row, start_offset=start_offset):
        yield RawRecord(row.row, row.end_offset, row.values)


@dataclass
class Prepared(Generic[PayloadT]):
    """A record the directory keeps: natural key, entity kind, hash of the kept fields, and typed payload."""

    source_id: str
    entity_kind: str  # organization | practitioner | location | healthcare_service | practitioner_role
    row_hash: str
    payload: PayloadT
    row: int = 0


@dataclass
class Retire:
    """The source says this record is gone (an NPPES deactivation): hide what it became."""

    source_id: str
    row: int = 0


@dataclass
class Rejected:
    """A record that cannot be imported, and why (written to the report)."""

    source_id: str | None
    reason: str
    row: int = 0


Outcome: TypeAlias = Prepared[PayloadT] | Retire | Rejected | None  # None: not relevant (skipped)


def row_hash(*parts: object) -> str:
    """A short stable hash of the fields an importer keeps (detects unchanged records)."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.md5(joined.encode("utf-8"), usedforsecurity=False).hexdigest()


class WriteBatch:
    """What a source writes through during one batch: the connection, a bulk writer, fresh ids."""

    def __init__(self, connection: Connection, run_id: int, now: datetime) -> None:
        self.connection = connection
        self.writer = BulkWriter(connection)
        self.run_id = run_id
        self.now = now
        self._next = next_ids(connection)

    def new_id(self, table: str) -> int:
        """A fresh id for a row of `table` (organization, location, practitioner, practitioner_role)."""
        value = self._next[table]
        self._next[table] = value + 1
        return value


class ImportSource(ABC, Generic[DataT, PayloadT]):
    """One importable source, reading records of `DataT` and keeping payloads of `PayloadT`; subclasses
    are registered in `registry.SOURCES` by `name`."""

    name: ClassVar[str]
    title: ClassVar[str]

    @abstractmethod
    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord[DataT]]:
        """Stream the records after `start_row` (byte `start_offset`); validate the layout first."""

    @abstractmethod
    def prepare(self, record: RawRecord[DataT]) -> Outcome[PayloadT]:
        """Turn one record into what the directory keeps, a retirement, a rejection, or None (skip)."""

    def match_existing(self, connection: Connection, items: list[Prepared[PayloadT]]) -> dict[str, int]:
        """Entities already in the directory (from another source) that new records are: source_id ->
        entity id. They are updated instead of inserted and linked in `source_record`. Default: none."""
        return {}

    @abstractmethod
    def insert(self, batch: WriteBatch, items: list[Prepared[PayloadT]]) -> list[int]:
        """Write new records; return the entity id of each, in order."""

    @abstractmethod
    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared[PayloadT]]]) -> None:
        """Rewrite the entities (id, record) whose record changed since the last import."""

    def retire(self, batch: WriteBatch, items: list[tuple[str, int]]) -> None:
        """Hide retired entities (entity kind, id). Default: mark inactive, drop their search entries."""
        retire_entities(batch.connection, items)

    def total_size(self, path: Path) -> int:
        """Progress total, in the unit of `RawRecord.end_offset` (bytes by default)."""
        return path.stat().st_size

    def begin(self, connection: Connection) -> None:
        """Once per run, before reading: load from the database what `prepare` needs (e.g. the keys an
        earlier import of the source wrote, for references to them). Default: nothing."""
        return None

    def warm_up(self) -> None:
        """Load what `prepare` needs once, before any worker process is forked (shared, not rebuilt)."""
        return None

    def finish(self, connection: Connection) -> None:
        """Once per run, after its last batch committed, in a transaction of its own: work over the whole
        source rather than one batch (e.g. duplicate links across sources). Default: nothing."""
        return None


def retire_entities(connection: Connection, items: list[tuple[str, int]]) -> None:
    """Mark entities inactive and flag them; their search entries go (they stay readable by id)."""
    for kind, model in (("organization", Organization), ("practitioner", Practitioner)):
        ids = [entity_id for entity_kind, entity_id in items if entity_kind == kind]
        for chunk in in_list_chunks(ids):
            connection.execute(
                update(model)
                .where(model.id.in_(chunk))
                .values(active=False, quality_flags=[FLAG_DEACTIVATED])
            )
            delete_search_entries(connection, kind, list(chunk))


ProgressCallback = Callable[[int, dict[str, int]], None]  # (position in total_size units, counts so far)


@dataclass
class _Classified:
    """A batch sorted by what the directory already holds of each record."""

    new: list[Prepared[Any]] = field(default_factory=list)
    changed: list[tuple[int, Prepared[Any]]] = field(default_factory=list)  # (entity id, record)
    unchanged: list[int] = field(default_factory=list)  # source_record ids
    retired: list[tuple[str, int]] = field(default_factory=list)  # (entity kind, entity id)
    hash_updates: list[dict[str, Any]] = field(default_factory=list)


def _latest(
    outcomes: list[Prepared[Any] | Retire], rejections: list[Rejected]
) -> dict[str, Prepared[Any] | Retire]:
    """The last occurrence of each id in a batch; earlier different ones are rejected as superseded."""
    latest: dict[str, Prepared[Any] | Retire] = {}
    for outcome in outcomes:
        if outcome.source_id in latest:
            earlier = latest[outcome.source_id]
            if (
                isinstance(earlier, Prepared)
                and isinstance(outcome, Prepared)
                and earlier.row_hash == outcome.row_hash
            ):
                continue  # the same record twice (API pages that overlap): counted as skipped
            rejections.append(
                Rejected(
                    outcome.source_id,
                    f"superseded by a later row of the same id ({outcome.row})",
                    earlier.row,
                )
            )
        latest[outcome.source_id] = outcome
    return latest


def _lookup(connection: Connection, source: str, ids: list[str]) -> dict[str, tuple[int, str, int, str]]:
    """source_id -> (source_record id, entity kind, entity id, row hash) of records seen before."""
    found: dict[str, tuple[int, str, int, str]] = {}
    r = SourceRecord
    for chunk in in_list_chunks(ids):
        rows = connection.execute(
            select(r.source_id, r.id, r.entity_kind, r.entity_id, r.row_hash).where(
                r.source == source, r.source_id.in_(chunk)
            )
        )
        for source_id, record_id, kind, entity_id, hash_ in rows:
            found[source_id] = (record_id, kind, entity_id, hash_)
    return found


def _classify(connection: Connection, source: str, latest: dict[str, Prepared[Any] | Retire]) -> _Classified:
    classified = _Classified()
    known = _lookup(connection, source, list(latest))
    for source_id, outcome in latest.items():
        seen = known.get(source_id)
        if isinstance(outcome, Retire):
            if seen is not None and seen[3] != RETIRED_HASH:
                classified.retired.append((seen[1], seen[2]))
                classified.hash_updates.append({"record_id": seen[0], "row_hash": RETIRED_HASH})
            continue  # never imported, or already retired: counted as skipped
        if seen is None:
            classified.new.append(outcome)
        elif seen[3] == outcome.row_hash:
            classified.unchanged.append(seen[0])
        else:
            classified.changed.append((seen[2], outcome))
            classified.hash_updates.append({"record_id": seen[0], "row_hash": outcome.row_hash})
    return classified


def _write_batch(
    engine: Engine,
    source: ImportSource[Any, Any],
    run: RunState,
    outcomes: list[Prepared[Any] | Retire],
    rejections: list[Rejected],
    counts: dict[str, int],
    checkpoint: tuple[int, int],
) -> None:
    """Classify and write one batch, then move the checkpoint: all in one transaction."""
    now = utcnow()
    table = TABLES["source_record"]
    with engine.begin() as connection:
        batch = WriteBatch(connection, run.id, now)
        sorted_ = _classify(connection, source.name, _latest(outcomes, rejections))
        matched = source.match_existing(connection, sorted_.new) if sorted_.new else {}
        linked = [(matched[item.source_id], item) for item in sorted_.new if item.source_id in matched]
        new = [item for item in sorted_.new if item.source_id not in matched]
        if sorted_.changed or linked:
            source.update(batch, sorted_.changed + linked)
        entity_ids = source.insert(batch, new) if new else []
        if sorted_.retired:
            source.retire(batch, sorted_.retired)
        records = [
            {
                "source": source.name,
                "source_id": item.source_id,
                "entity_kind": item.entity_kind,
                "entity_id": entity_id,
                "row_hash": item.row_hash,
                "first_seen_at": now,
                "last_seen_at": now,
                "last_run_id": run.id,
            }
            for entity_id, item in [*zip(entity_ids, new, strict=True), *linked]
        ]
        batch.writer.add_rows("source_record", records)
        batch.writer.finish()
        if sorted_.hash_updates:
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("record_id"))
                .values(row_hash=bindparam("row_hash"), last_seen_at=now, last_run_id=run.id),
                sorted_.hash_updates,
            )
        for chunk in in_list_chunks(sorted_.unchanged):
            connection.execute(
                update(table).where(table.c.id.in_(chunk)).values(last_seen_at=now, last_run_id=run.id)
            )
        counts["inserted"] += len(new)
        counts["updated"] += len(sorted_.changed) + len(linked)
        counts["unchanged"] += len(sorted_.unchanged)
        counts["retired"] += len(sorted_.retired)
        counts["rejected"] += len(rejections)
        kept = sum(counts[key] for key in ("inserted", "updated", "unchanged", "rejected", "retired"))
        counts["skipped"] = counts["read"] - kept  # not relevant to the directory
        rows, offset = checkpoint
        connection.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id)
            .values(rows_committed=rows, offset_committed=offset, counts=dict(counts))
        )


def _prepared(
    source: ImportSource[Any, Any], path: Path, run: RunState, parallel: bool
) -> Iterator[tuple[int, int, Outcome[Any]]]:
    """(row, byte offset after it, outcome) of every record after the run's checkpoint."""
    if parallel:
        return prepared_in_worker(source, path, run.rows_committed, run.offset_committed)
    records = source.records(path, start_row=run.rows_committed, start_offset=run.offset_committed)
    return ((record.row, record.end_offset, source.prepare(record)) for record in records)


def _refresh_statistics(engine: Engine) -> None:
    """PostgreSQL, after a large load: fresh planner statistics, and (VACUUM) the visibility map, without
    which the scoring scans cannot be index-only until autovacuum comes round."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in VACUUMED_TABLES:
            connection.execute(text(f"VACUUM (ANALYZE) {table}"))


def run_import(
    engine: Engine,
    source: ImportSource[Any, Any],
    path: Path,
    *,
    report_path: Path | None = None,
    restart: bool = False,
    batch_records: int = BATCH_RECORDS,
    checkpoint_rows: int = CHECKPOINT_ROWS,
    parallel: bool = False,
    on_progress: ProgressCallback | None = None,
    identity: str | None = None,
) -> ImportSummary:
    """Import `path` with `source` into the database of `engine`, continuing an interrupted run of the
    same file unless `restart`. `parallel`: read and prepare in a second process (`worker`).
    `identity` replaces the file fingerprint for sources that are not files (an API query); `path` is then
    only a label.
    """
    started = time.perf_counter()
    run, resumed = start_run(engine, source, path, report_path, restart, identity)
    counts = {key: int(run.counts.get(key, 0)) for key in COUNT_KEYS}
    report = RejectedRowsReport(Path(run.report_path))
    first_rejections: list[Rejected] = []
    resumed_from = run.rows_committed if resumed else 0
    pending: list[Prepared[Any] | Retire] = []
    rejections: list[Rejected] = []
    rows_since_commit = 0
    position = (run.rows_committed, run.offset_committed)
    status = "failed"

    def commit() -> None:
        nonlocal pending, rejections, rows_since_commit
        _write_batch(engine, source, run, pending, rejections, counts, position)
        report.append(rejections)
        if len(first_rejections) < FIRST_REJECTIONS_KEPT:
            first_rejections.extend(rejections[: FIRST_REJECTIONS_KEPT - len(first_rejections)])
        pending, rejections, rows_since_commit = [], [], 0
        if on_progress is not None:
            on_progress(position[1], dict(counts))

    try:
        with engine.connect() as connection:
            source.begin(connection)
        source.warm_up()
        for row, end_offset, outcome in _prepared(source, path, run, parallel):
            rows_since_commit += row - position[0]
            counts["read"] += row - position[0]
            position = (row, end_offset)
            if isinstance(outcome, Rejected):
                outcome.row = row
                rejections.append(outcome)
            elif outcome is not None:
                outcome.row = row
                pending.append(outcome)
            if len(pending) >= batch_records or rows_since_commit >= checkpoint_rows:
                commit()
        commit()
        with engine.begin() as connection:
            source.finish(connection)
            if source.name in PRACTITIONER_SOURCES:
                from onconav.directory.signals import refresh_hospital_signals

                refresh_hospital_signals(connection, all_hospitals=False)  # specialists at hospitals
        status = "done"
        written = counts["inserted"] + counts["updated"] + counts["retired"]
        if written >= ANALYZE_AFTER_ROWS and engine.dialect.name == "postgresql":
            _refresh_statistics(engine)
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception as error:
        record_error(engine, run.id, error)
        raise
    finally:
        end_run(engine, run.id, status)
    return ImportSummary(
        run_id=run.id,
        source=source.name,
        path=str(path),
        status=status,
        counts=counts,
        report_path=str(report.path),
        resumed_from_row=resumed_from,
        seconds=time.perf_counter() - started,
        rejections=first_rejections,
    )
