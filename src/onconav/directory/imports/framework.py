"""The import loop shared by every source: stream, prepare, classify, write in batches, checkpoint.

A source (`ImportSource`) says how to read its file (`records`), how to turn one record into what the
directory keeps (`prepare`), and how to write new and changed records (`insert`, `update`, `retire`). This
module does the rest, the same way for every source:

- memory stays bounded: records stream from the file and are written in batches;
- idempotency: every record has a natural key (source, source_id) in `source_record` with a hash of what
  was kept; re-running finds it: same hash, "unchanged"; another hash, "updated" in place; never twice;
- resumability: each batch commits in one transaction with the run's checkpoint (rows read and byte offset
  in `import_run`), so an interrupted run continues after the last committed batch when started again on
  the same file;
- a summary (read, inserted, updated, unchanged, rejected, skipped, retired) and a CSV report of rejected
  rows (row number, source id, reason).
"""

from __future__ import annotations

import csv
import hashlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Connection, select, text, update
from sqlalchemy.engine import Engine

from onconav.config import get_settings
from onconav.db import Base
from onconav.directory.bulk import TABLES, BulkWriter, next_ids
from onconav.directory.models import ImportRun, Organization, Practitioner, SourceRecord

COUNT_KEYS = ("read", "inserted", "updated", "unchanged", "rejected", "skipped", "retired")
BATCH_RECORDS = 5_000  # prepared records per write transaction
CHECKPOINT_ROWS = 250_000  # commit a checkpoint at least this often, even when nothing is kept
LOOKUP_CHUNK = 900  # ids per IN (...) lookup
ANALYZE_AFTER_ROWS = 50_000  # PostgreSQL: refresh planner statistics after writing this many records
TABLES_RUN = Base.metadata.tables["import_run"]
RETIRED_HASH = "retired"


@dataclass(frozen=True)
class RawRecord:
    """One record as read from the file: its 1-based data row number, the byte offset just after it,
    and source-specific data (None: nothing to prepare, e.g. rows a cheap pre-filter left out)."""

    row: int
    end_offset: int
    data: Any


@dataclass
class Prepared:
    """A record the directory keeps: natural key, entity kind, hash of the kept fields, and payload."""

    source_id: str
    entity_kind: str  # organization | practitioner
    row_hash: str
    payload: Any
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


Outcome = Prepared | Retire | Rejected | None  # None: not relevant to the directory (skipped)


def row_hash(*parts: object) -> str:
    """A short stable hash of the fields an importer keeps (detects unchanged records)."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


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


class ImportSource(ABC):
    """One importable source; subclasses are registered in `registry.SOURCES` by `name`."""

    name: ClassVar[str]
    title: ClassVar[str]

    @abstractmethod
    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord]:
        """Stream the records after `start_row` (byte `start_offset`); validate the layout first."""

    @abstractmethod
    def prepare(self, record: RawRecord) -> Outcome:
        """Turn one record into what the directory keeps, a retirement, a rejection, or None (skip)."""

    def match_existing(self, connection: Connection, items: list[Prepared]) -> dict[str, int]:
        """Entities already in the directory (from another source) that new records are: source_id ->
        entity id. They are updated instead of inserted and linked in `source_record`. Default: none."""
        return {}

    @abstractmethod
    def insert(self, batch: WriteBatch, items: list[Prepared]) -> list[int]:
        """Write new records; return the entity id of each, in order."""

    @abstractmethod
    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared]]) -> None:
        """Rewrite the entities (id, record) whose record changed since the last import."""

    def retire(self, batch: WriteBatch, items: list[tuple[str, int]]) -> None:
        """Hide retired entities (entity kind, id). Default: mark inactive, drop their search entries."""
        retire_entities(batch.connection, items)

    def total_size(self, path: Path) -> int:
        """Progress total, in the unit of `RawRecord.end_offset` (bytes by default)."""
        return path.stat().st_size

    def warm_up(self) -> None:
        """Load what `prepare` needs once, before any worker process is forked (shared, not rebuilt)."""
        return None

    def finish(self, connection: Connection) -> None:
        """Once per run, after its last batch committed, in a transaction of its own: work over the whole
        source rather than one batch (e.g. duplicate links across sources). Default: nothing."""
        return None


def csv_records(
    path: Path, *, start_row: int, start_offset: int, encoding: str = "utf-8-sig", delimiter: str = ","
) -> Iterator[RawRecord]:
    """A CSV file's data rows as dicts keyed by the header, with row numbers and byte offsets for
    resuming (quoted values with line breaks are read whole). For sources whose files are small or whose
    every row matters (CMS, HIFLD); NPPES has its own pre-filtering reader.
    """
    with path.open("rb") as handle:
        header_line = handle.readline()
        header = next(csv.reader([header_line.decode(encoding)], delimiter=delimiter), [])
        offset = len(header_line)
        if start_offset > offset:
            handle.seek(start_offset)
            offset = start_offset
        row = start_row
        text_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        for line in handle:
            offset += len(line)
            while line.count(b'"') % 2 == 1:
                more = handle.readline()
                if not more:
                    break
                offset += len(more)
                line += more
            row += 1
            text = line.decode(text_encoding, errors="replace").rstrip("\r\n")
            if not text:
                continue
            values = next(csv.reader([text], delimiter=delimiter), [])
            data: dict[str, Any] = dict(zip(header, values, strict=False))
            data["__columns__"] = len(values)
            yield RawRecord(row, offset, data)


def retire_entities(connection: Connection, items: list[tuple[str, int]]) -> None:
    """Mark entities inactive and flag them; their search entries go (they stay readable by id)."""
    from onconav.directory.bulk import delete_search_entries
    from onconav.directory.models import FLAG_DEACTIVATED

    for kind, model in (("organization", Organization), ("practitioner", Practitioner)):
        ids = [entity_id for entity_kind, entity_id in items if entity_kind == kind]
        for chunk in _chunks(ids, LOOKUP_CHUNK):
            connection.execute(
                update(model)
                .where(model.id.in_(chunk))
                .values(active=False, quality_flags=[FLAG_DEACTIVATED])
            )
            delete_search_entries(connection, kind, chunk)


@dataclass
class ImportSummary:
    """The outcome of one `run_import`."""

    run_id: int
    source: str
    path: str
    status: str  # done | interrupted | failed
    counts: dict[str, int]
    report_path: str
    resumed_from_row: int = 0
    seconds: float = 0.0
    rejections: list[Rejected] = field(default_factory=list)  # the first few, for the console

    @property
    def rows_per_second(self) -> float:
        return self.counts["read"] / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[int, dict[str, int]], None]  # (position in total_size units, counts so far)


WORKER_CHUNK = 2_000  # outcomes per message from the preparing process
WORKER_QUEUE = 8  # messages in flight at most: memory stays bounded


class _WorkerFailure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _prepare_worker(source: ImportSource, path: Path, start_row: int, start_offset: int, queue: Any) -> None:
    """In the worker process: read and prepare every record, send outcomes in chunks, then None."""
    try:
        chunk: list[tuple[int, int, Outcome]] = []
        for record in source.records(path, start_row=start_row, start_offset=start_offset):
            chunk.append((record.row, record.end_offset, source.prepare(record)))
            if len(chunk) >= WORKER_CHUNK:
                queue.put(chunk)
                chunk = []
        queue.put(chunk)
        queue.put(None)
    except BaseException as error:  # sent to the parent, which raises it
        queue.put(_WorkerFailure(error))


def prepared_in_worker(
    source: ImportSource, path: Path, start_row: int, start_offset: int
) -> Iterator[tuple[RawRecord, Outcome]]:
    """Read and prepare in a second process while this one writes: parsing and database work overlap
    on two cores. Outcomes arrive in file order through a bounded queue."""
    import multiprocessing
    import queue as queues

    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=WORKER_QUEUE)
    process = context.Process(
        target=_prepare_worker, args=(source, path, start_row, start_offset, channel), daemon=True
    )
    process.start()
    try:
        while True:
            try:
                message = channel.get(timeout=1.0)
            except queues.Empty:
                if not process.is_alive():
                    raise RuntimeError("the preparing process stopped unexpectedly") from None
                continue
            if message is None:
                break
            if isinstance(message, _WorkerFailure):
                raise message.error
            for row, offset, outcome in message:
                yield RawRecord(row, offset, None), outcome
    finally:
        if process.is_alive():
            process.terminate()
        process.join()


def fingerprint(path: Path) -> str:
    """Identity of a file's content for resuming: size and a hash of its first and last 64 KiB."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(65_536))
        if size > 65_536:
            handle.seek(max(65_536, size - 65_536))
            digest.update(handle.read(65_536))
    return digest.hexdigest()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _now() -> datetime:
    return datetime.now(UTC)


def default_report_path(source: str, run_id: int) -> Path:
    """Where rejected rows go when no path is given: <data dir>/imports/<source>-run<id>-rejected.csv."""
    return get_settings().data_dir / "imports" / f"{source}-run{run_id}-rejected.csv"


@dataclass
class RunState:
    """Where a run stands: its checkpoint and counts."""

    id: int
    rows_committed: int
    offset_committed: int
    counts: dict[str, int]
    report_path: str


def _start_run(
    engine: Engine,
    source: ImportSource,
    path: Path,
    report_path: Path | None,
    restart: bool,
    identity: str | None = None,
) -> tuple[RunState, bool]:
    """The run to continue (same source and file content, not finished) or a new one."""
    print_ = hashlib.sha256(identity.encode()).hexdigest() if identity is not None else fingerprint(path)
    r = ImportRun
    columns = (r.id, r.status, r.rows_committed, r.offset_committed, r.counts, r.report_path)
    with engine.begin() as connection:
        previous = None
        if not restart:
            previous = connection.execute(
                select(*columns)
                .where(r.source == source.name, r.fingerprint == print_)
                .order_by(r.id.desc())
                .limit(1)
            ).first()
        if previous is not None and previous.status != "done":
            connection.execute(update(r).where(r.id == previous.id).values(status="running", error=None))
            state = RunState(
                id=previous.id,
                rows_committed=previous.rows_committed,
                offset_committed=previous.offset_committed,
                counts=dict(previous.counts),
                report_path=previous.report_path or str(default_report_path(source.name, previous.id)),
            )
            return state, True
        result = connection.execute(
            TABLES_RUN.insert().values(
                source=source.name,
                path=str(path),
                fingerprint=print_,
                status="running",
                started_at=_now(),
                rows_committed=0,
                offset_committed=0,
                counts=dict.fromkeys(COUNT_KEYS, 0),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        run_id = int(key[0])
        report = str(report_path or default_report_path(source.name, run_id))
        connection.execute(update(r).where(r.id == run_id).values(report_path=report))
        return RunState(run_id, 0, 0, dict.fromkeys(COUNT_KEYS, 0), report), False


class _Report:
    """The rejected-rows CSV, appended after each committed batch (so a resumed run does not repeat)."""

    HEADER = ("row", "source_id", "reason")

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.stat().st_size == 0:
            with path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerow(self.HEADER)

    def append(self, rejections: list[Rejected]) -> None:
        if not rejections:
            return
        with self.path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for rejection in rejections:
                writer.writerow((rejection.row, rejection.source_id or "", rejection.reason))


def _lookup(connection: Connection, source: str, ids: list[str]) -> dict[str, tuple[int, str, int, str]]:
    """source_id -> (source_record id, entity kind, entity id, row hash) of records seen before."""
    found: dict[str, tuple[int, str, int, str]] = {}
    r = SourceRecord
    for chunk in _chunks(ids, LOOKUP_CHUNK):
        rows = connection.execute(
            select(r.source_id, r.id, r.entity_kind, r.entity_id, r.row_hash).where(
                r.source == source, r.source_id.in_(chunk)
            )
        )
        for source_id, record_id, kind, entity_id, hash_ in rows:
            found[source_id] = (record_id, kind, entity_id, hash_)
    return found


def _write_batch(
    engine: Engine,
    source: ImportSource,
    run: RunState,
    outcomes: list[Prepared | Retire],
    rejections: list[Rejected],
    counts: dict[str, int],
    checkpoint: tuple[int, int],
) -> None:
    """Classify and write one batch, then move the checkpoint: all in one transaction."""
    now = _now()
    table = TABLES["source_record"]
    with engine.begin() as connection:
        batch = WriteBatch(connection, run.id, now)
        # The last occurrence of an id in a batch wins; earlier ones are rejected as duplicates.
        latest: dict[str, Prepared | Retire] = {}
        for outcome in outcomes:
            if outcome.source_id in latest:
                earlier = latest[outcome.source_id]
                same = isinstance(earlier, Prepared) and isinstance(outcome, Prepared)
                if same and earlier.row_hash == outcome.row_hash:  # type: ignore[union-attr]
                    continue  # the same record twice (API pages that overlap): counted as skipped
                rejections.append(
                    Rejected(
                        outcome.source_id,
                        f"superseded by a later row of the same id ({outcome.row})",
                        earlier.row,
                    )
                )
            latest[outcome.source_id] = outcome
        known = _lookup(connection, source.name, list(latest))
        new: list[Prepared] = []
        changed: list[tuple[int, Prepared]] = []
        unchanged: list[int] = []
        retired: list[tuple[str, int]] = []
        hash_updates: list[dict[str, Any]] = []
        for source_id, outcome in latest.items():
            seen = known.get(source_id)
            if isinstance(outcome, Retire):
                if seen is not None and seen[3] != RETIRED_HASH:
                    retired.append((seen[1], seen[2]))
                    hash_updates.append({"record_id": seen[0], "row_hash": RETIRED_HASH})
                continue  # never imported, or already retired: counted as skipped
            if seen is None:
                new.append(outcome)
            elif seen[3] == outcome.row_hash:
                unchanged.append(seen[0])
            else:
                changed.append((seen[2], outcome))
                hash_updates.append({"record_id": seen[0], "row_hash": outcome.row_hash})
        matched = source.match_existing(connection, new) if new else {}
        linked = [(matched[item.source_id], item) for item in new if item.source_id in matched]
        new = [item for item in new if item.source_id not in matched]
        if changed or linked:
            source.update(batch, changed + linked)
        entity_ids = source.insert(batch, new) if new else []
        if retired:
            source.retire(batch, retired)
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
        if hash_updates:
            from sqlalchemy import bindparam

            connection.execute(
                update(table)
                .where(table.c.id == bindparam("record_id"))
                .values(row_hash=bindparam("row_hash"), last_seen_at=now, last_run_id=run.id),
                hash_updates,
            )
        for chunk in _chunks(unchanged, LOOKUP_CHUNK):
            connection.execute(
                update(table).where(table.c.id.in_(chunk)).values(last_seen_at=now, last_run_id=run.id)
            )
        counts["inserted"] += len(new)
        counts["updated"] += len(changed) + len(linked)
        counts["unchanged"] += len(unchanged)
        counts["retired"] += len(retired)
        counts["rejected"] += len(rejections)
        kept = sum(counts[key] for key in ("inserted", "updated", "unchanged", "rejected", "retired"))
        counts["skipped"] = counts["read"] - kept  # not relevant to the directory
        rows, offset = checkpoint
        connection.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id)
            .values(rows_committed=rows, offset_committed=offset, counts=dict(counts))
        )


def run_import(
    engine: Engine,
    source: ImportSource,
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
    same file unless `restart`. `parallel`: read and prepare in a second process (`prepared_in_worker`).
    `identity` replaces the file fingerprint for sources that are not files (an API query); `path` is then
    only a label.
    """
    started = time.perf_counter()
    run, resumed = _start_run(engine, source, path, report_path, restart, identity)
    counts = {key: int(run.counts.get(key, 0)) for key in COUNT_KEYS}
    report = _Report(Path(run.report_path))
    first_rejections: list[Rejected] = []
    resumed_from = run.rows_committed if resumed else 0
    pending: list[Prepared | Retire] = []
    rejections: list[Rejected] = []
    rows_since_commit = 0
    position = (run.rows_committed, run.offset_committed)
    status = "failed"

    def commit() -> None:
        nonlocal pending, rejections, rows_since_commit
        _write_batch(engine, source, run, pending, rejections, counts, position)
        report.append(rejections)
        if len(first_rejections) < 20:
            first_rejections.extend(rejections[: 20 - len(first_rejections)])
        pending, rejections, rows_since_commit = [], [], 0
        if on_progress is not None:
            on_progress(position[1], dict(counts))

    try:
        source.warm_up()
        if parallel:
            prepared = prepared_in_worker(source, path, run.rows_committed, run.offset_committed)
        else:
            records = source.records(path, start_row=run.rows_committed, start_offset=run.offset_committed)
            prepared = ((record, source.prepare(record)) for record in records)
        for record, outcome in prepared:
            rows_since_commit += record.row - position[0]
            counts["read"] += record.row - position[0]
            position = (record.row, record.end_offset)
            if isinstance(outcome, Rejected):
                outcome.row = record.row
                rejections.append(outcome)
            elif outcome is not None:
                outcome.row = record.row
                pending.append(outcome)
            if len(pending) >= batch_records or rows_since_commit >= checkpoint_rows:
                commit()
        commit()
        with engine.begin() as connection:
            source.finish(connection)
        status = "done"
        written = counts["inserted"] + counts["updated"] + counts["retired"]
        if written >= ANALYZE_AFTER_ROWS and engine.dialect.name == "postgresql":
            # Fresh planner statistics after a large load, and (VACUUM) the visibility map, without which
            # the scoring scans cannot be index-only until autovacuum comes round.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in (
                    "organization",
                    "location",
                    "practitioner",
                    "practitioner_role",
                    "search_entry",
                ):
                    connection.execute(text(f"VACUUM (ANALYZE) {table}"))
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except Exception as error:
        with engine.begin() as connection:
            connection.execute(
                update(ImportRun).where(ImportRun.id == run.id).values(error=str(error)[:2000])
            )
        raise
    finally:
        with engine.begin() as connection:
            connection.execute(
                update(ImportRun)
                .where(ImportRun.id == run.id)
                .values(status=status, finished_at=_now() if status == "done" else None)
            )
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
