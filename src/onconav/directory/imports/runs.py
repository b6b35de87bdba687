"""The bookkeeping of import runs: which run to continue, where it stands, its summary and its report.

A run is a row of `import_run` (checkpoint: rows read and byte offset committed, counts), found again by the
fingerprint of the file's content; the rejected rows go to a CSV report appended after each committed batch.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from onconav.config import get_settings
from onconav.db import Base, utcnow
from onconav.directory.models import ImportRun

if TYPE_CHECKING:
    from onconav.directory.imports.framework import ImportSource, Rejected

COUNT_KEYS = ("read", "inserted", "updated", "unchanged", "rejected", "skipped", "retired")
FINGERPRINT_BYTES = 65_536  # the head and the tail of a file that its fingerprint hashes (64 KiB each)
ERROR_TEXT_LENGTH = 2_000  # characters of a failed run's error kept in `import_run.error`
TABLES_RUN = Base.metadata.tables["import_run"]


@dataclass
class RunState:
    """Where a run stands: its checkpoint and counts."""

    id: int
    rows_committed: int
    offset_committed: int
    counts: dict[str, int]
    report_path: str


@dataclass
class ImportSummary:
    """The outcome of one `framework.run_import`."""

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


def fingerprint(path: Path) -> str:
    """Identity of a file's content for resuming: size and a hash of its first and last 64 KiB."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(FINGERPRINT_BYTES))
        if size > FINGERPRINT_BYTES:
            handle.seek(max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES))
            digest.update(handle.read(FINGERPRINT_BYTES))
    return digest.hexdigest()


def default_report_path(source: str, run_id: int) -> Path:
    """Where rejected rows go when no path is given: <data dir>/imports/<source>-run<id>-rejected.csv."""
    return get_settings().data_dir / "imports" / f"{source}-run{run_id}-rejected.csv"


def start_run(
    engine: Engine,
    source: ImportSource,
    path: Path,
    report_path: Path | None,
    restart: bool,
    identity: str | None = None,
) -> tuple[RunState, bool]:
    """The run to continue (same source and file content, not finished) or a new one; True when continued."""
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
                started_at=utcnow(),
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


def record_error(engine: Engine, run_id: int, error: Exception) -> None:
    """Keep why a run failed (the start of the error's text) on its row."""
    with engine.begin() as connection:
        connection.execute(
            update(ImportRun).where(ImportRun.id == run_id).values(error=str(error)[:ERROR_TEXT_LENGTH])
        )


def end_run(engine: Engine, run_id: int, status: str) -> None:
    """Set a run's final status (done | interrupted | failed); a done run gets its finishing time."""
    with engine.begin() as connection:
        connection.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(status=status, finished_at=utcnow() if status == "done" else None)
        )


class RejectedRowsReport:
    """The rejected-rows CSV, appended after each committed batch (so a resumed run does not repeat)."""

    HEADER = ("row", "source_id", "reason")

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.stat().st_size == 0:
            with path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle).writerow(self.HEADER)

    def append(self, rejections: list[Rejected]) -> None:
        """Add the rejections of one committed batch."""
        if not rejections:
            return
        with self.path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for rejection in rejections:
                writer.writerow((rejection.row, rejection.source_id or "", rejection.reason))
