"""FHIR Bulk Data export ($export) of the whole directory: NDJSON files, one per resource type, written by a
background runner while clients poll a status URL (the asynchronous request pattern).

The job's state lives in the database (`models.FhirExportJob`), so whichever worker process a poll reaches
can answer it; files live in `<data_dir>/fhir-exports/<job id>/`. Each file is written under a temporary
name, page by page (keyset paging through `directory.service.export_resources`, never the whole directory in
memory), with the resources built by the same mapping as the FHIR reads (`service.CONVERTERS`), and renamed
only when complete: nothing half-written is ever served.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from onconav.config import get_settings
from onconav.db import ID_LENGTH, new_id, unit_of_work, utcnow
from onconav.directory import service as directory
from onconav.fhir.models import COMPLETED, FAILED, IN_PROGRESS, FhirExportJob
from onconav.fhir.outcome import FhirError
from onconav.fhir.service import CONVERTERS
from onconav.private_paths import private_folder

log = logging.getLogger("onconav")

NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = {NDJSON, "application/ndjson", "ndjson"}
PAGE_SIZE = 500  # records read, mapped and written per step (and per heartbeat)
MAX_RUNNING = 2  # exports running at once on this database; more wait (429 with Retry-After)
STALE_AFTER = timedelta(minutes=2)  # a runner silent this long has died with its process
KEEP_FOR = timedelta(hours=24)  # finished exports (and their files) are removed after this
KICK_OFF_PARAMS = {"_type", "_since", "_outputFormat"}
# Dependency order: what a resource references comes first, so the files import in this order.
# Payers and networks are Organization resources (Plan-Net), written to a file of their own.
FHIR_TYPE: dict[str, str] = {"InsuranceOrganization": "Organization"}
EXPORT_ORDER = ("Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole")


@dataclass(frozen=True)
class ExportRequest:
    """What a kick-off request asks for."""

    resource_types: tuple[directory.ResourceKind, ...]
    since: datetime | None


@dataclass(frozen=True)
class ExportStatus:
    """What a status poll answers: still running (with progress), done (with its files), or failed."""

    status: str
    progress: str
    transaction_time: datetime
    request_url: str
    output: list[dict[str, Any]]
    error: str | None
    finished_at: datetime | None


def exportable_types() -> tuple[directory.ResourceKind, ...]:
    """The resource types $export writes, in dependency order."""
    known = [kind for kind in EXPORT_ORDER if kind in directory.RESOURCE_KINDS]
    return tuple(known) + tuple(kind for kind in directory.RESOURCE_KINDS if kind not in known)


def parse_instant(value: str) -> datetime:
    """A FHIR instant (date, time and zone) as an aware datetime; FhirError 400 otherwise."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in value:
        raise FhirError(
            400, f"_since must be a FHIR instant with a time zone, e.g. 2026-01-01T00:00:00Z (got {value!r})."
        )
    return moment.astimezone(UTC)  # stored times are UTC (SQLite compares them as text)


def parse_kick_off(params: Sequence[tuple[str, str]], prefer: str | None) -> ExportRequest:
    """The export a kick-off request asks for; FhirError 400 for anything this server cannot honour."""
    if "respond-async" not in [part.strip().lower() for part in (prefer or "").split(",")]:
        raise FhirError(400, "A bulk export is asynchronous: send the header 'Prefer: respond-async'.")
    unknown = sorted({name for name, _ in params if name not in KICK_OFF_PARAMS})
    if unknown:
        raise FhirError(
            400,
            f"Unsupported $export parameter {unknown[0]!r}; supported: {', '.join(sorted(KICK_OFF_PARAMS))}.",
            code="not-supported",
        )
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    for name in ("_since", "_outputFormat"):
        if len(values.get(name, [])) > 1:
            raise FhirError(400, f"{name} may be given once.")
    output_format = (values.get("_outputFormat") or [NDJSON])[0]
    if output_format not in OUTPUT_FORMATS:
        raise FhirError(
            400, f"_outputFormat {output_format!r} is not supported; use {NDJSON}.", "not-supported"
        )
    supported = exportable_types()
    asked = [t.strip() for value in values.get("_type", []) for t in value.split(",") if t.strip()]
    for resource_type in asked:
        if resource_type not in supported:
            raise FhirError(
                400,
                f"_type {resource_type!r} cannot be exported; supported: {', '.join(supported)}.",
                code="not-supported",
            )
    types = tuple(t for t in supported if t in asked) if asked else supported
    since = parse_instant(values["_since"][0]) if values.get("_since") else None
    return ExportRequest(resource_types=types, since=since)


def export_root() -> Path:
    """Where export files live."""
    return get_settings().data_dir / "fhir-exports"


def job_folder(job_id: str) -> Path:
    """The folder of one job's files."""
    return export_root() / job_id


def _remove_files(job_id: str) -> None:
    shutil.rmtree(job_folder(job_id), ignore_errors=True)


def _purge_expired(session: Session, now: datetime) -> None:
    """Finished jobs older than KEEP_FOR go, with their files."""
    expired = list(
        session.scalars(
            select(FhirExportJob.id).where(
                FhirExportJob.status != IN_PROGRESS, FhirExportJob.finished_at < now - KEEP_FOR
            )
        )
    )
    for job_id in expired:
        _remove_files(job_id)
    if expired:
        session.execute(delete(FhirExportJob).where(FhirExportJob.id.in_(expired)))


def start(session: Session, request: ExportRequest, *, request_url: str, now: datetime | None = None) -> str:
    """Record a new export job (the caller's transaction commits it, then starts `run`); its id.

    FhirError 429 when MAX_RUNNING exports are already running."""
    now = now or utcnow()
    _purge_expired(session, now)
    running = session.scalar(
        select(func.count())
        .select_from(FhirExportJob)
        .where(FhirExportJob.status == IN_PROGRESS, FhirExportJob.heartbeat_at >= now - STALE_AFTER)
    )
    if (running or 0) >= MAX_RUNNING:
        raise FhirError(429, "Too many exports are running; try again in a minute.", code="throttled")
    job = FhirExportJob(
        id=new_id(),
        status=IN_PROGRESS,
        request_url=request_url,
        resource_types=list(request.resource_types),
        since=request.since,
        transaction_time=now,
        heartbeat_at=now,
        progress="Waiting to start",
        output=[],
    )
    session.add(job)
    session.flush()
    return job.id


def _job_or_404(session: Session, job_id: str) -> FhirExportJob:
    job = session.get(FhirExportJob, job_id) if len(job_id) <= ID_LENGTH else None
    if job is None:
        raise FhirError(404, "There is no such export (it may have been cancelled or expired).")
    return job


def status(session: Session, job_id: str, *, now: datetime | None = None) -> ExportStatus:
    """Where the export stands; a runner silent for STALE_AFTER is reported (and recorded) as failed."""
    now = now or utcnow()
    job = _job_or_404(session, job_id)
    if job.status == IN_PROGRESS and job.heartbeat_at < now - STALE_AFTER:
        job.status = FAILED
        job.error = "The export stopped (its server process ended); start a new one."
        job.finished_at = now
        session.flush()
    return ExportStatus(
        status=job.status,
        progress=job.progress,
        transaction_time=job.transaction_time,
        request_url=job.request_url,
        output=list(job.output),
        error=job.error,
        finished_at=job.finished_at,
    )


def cancel(session: Session, job_id: str) -> None:
    """Cancel (or delete) an export: its record goes, so the runner stops, and so do its files."""
    job = _job_or_404(session, job_id)
    session.delete(job)
    session.flush()
    _remove_files(job_id)


def output_file(session: Session, job_id: str, resource_type: str) -> Path:
    """The NDJSON file of one resource type of a completed export; FhirError 404 otherwise."""
    job = _job_or_404(session, job_id)
    written = {item.get("file", item["type"]) for item in job.output}
    if job.status != COMPLETED or resource_type not in written:
        raise FhirError(404, f"This export has no {resource_type} file (yet).")
    path = job_folder(job_id) / f"{resource_type}.ndjson"
    if not path.is_file():
        raise FhirError(404, "The files of this export are gone; start a new export.")
    return path


class _Cancelled(Exception):
    """The job's record is gone: a client cancelled it."""


def _beat(factory: sessionmaker[Session], job_id: str, progress: str, output: list[dict[str, Any]]) -> None:
    """Record progress (and that the runner lives) in a short transaction; _Cancelled when the job is gone."""
    with unit_of_work(factory) as session:
        job = session.get(FhirExportJob, job_id, with_for_update=True)
        if job is None:
            raise _Cancelled
        job.heartbeat_at = utcnow()
        job.progress = progress[:200]
        job.output = output


def _write_type(
    factory: sessionmaker[Session],
    job_id: str,
    kind: directory.ResourceKind,
    since: datetime | None,
    done: list[dict[str, Any]],
) -> int:
    """Write every resource of `kind` to its file, page by page; how many were written."""
    folder = job_folder(job_id)
    partial = folder / f".{kind}.ndjson.partial"
    count = 0
    after_id = 0
    with partial.open("w", encoding="utf-8") as handle:
        while True:
            with unit_of_work(factory) as session:
                records = directory.export_resources(
                    session, kind=kind, after_id=after_id, count=PAGE_SIZE, since=since
                )
                lines = [
                    json.dumps(CONVERTERS[type(record)](record), ensure_ascii=False, separators=(",", ":"))
                    for record in records
                ]
            for line in lines:
                handle.write(line + "\n")
            count += len(lines)
            if len(records) < PAGE_SIZE:
                break
            after_id = records[-1].id
            _beat(factory, job_id, f"{kind}: {count:,} written", done)
    partial.replace(folder / f"{kind}.ndjson")
    return count


def run(factory: sessionmaker[Session], job_id: str) -> None:
    """Write the export's files, then mark it completed (or failed). Runs in a background thread."""
    try:
        with unit_of_work(factory) as session:
            job = session.get(FhirExportJob, job_id)
            if job is None:
                return
            types: list[directory.ResourceKind] = list(job.resource_types)  # type: ignore[arg-type]
            since = job.since
        private_folder(job_folder(job_id))  # the data directory's convention, whatever the umask
        done: list[dict[str, Any]] = []
        for kind in types:
            _beat(factory, job_id, f"{kind}: starting", done)
            count = _write_type(factory, job_id, kind, since, done)
            if count:  # a type with nothing to export gets no file in the manifest
                done.append({"type": FHIR_TYPE.get(kind, kind), "file": kind, "count": count})
        with unit_of_work(factory) as session:
            job = session.get(FhirExportJob, job_id, with_for_update=True)
            if job is None:
                raise _Cancelled
            job.status = COMPLETED
            job.output = done
            job.progress = "Complete"
            job.finished_at = utcnow()
    except _Cancelled:
        _remove_files(job_id)
    except Exception as error:
        _remove_files(job_id)
        with contextlib.suppress(Exception), unit_of_work(factory) as session:
            job = session.get(FhirExportJob, job_id)
            if job is None:  # cancelled while a file was being written: nothing failed
                return
            log.error("FHIR export %s failed", job_id, exc_info=error)
            job.status = FAILED
            job.error = f"The export failed ({type(error).__name__}); start a new one."
            job.finished_at = utcnow()
