"""The one table of the FHIR face: bulk export jobs ($export), kept in the database so that any worker
process can answer a client's status polls, whichever process runs the export. The files are in the data
directory (`<data_dir>/fhir-exports/<job id>/`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from onconav.db import ID_LENGTH, Base, UtcDateTime, new_id, utcnow

# The states of an export job.
IN_PROGRESS = "in-progress"
COMPLETED = "completed"
FAILED = "failed"


class FhirExportJob(Base):
    """One $export request: what it asked for, how far it got, and the files it wrote.

    A cancelled job is deleted (with its files): the Bulk Data status URL answers 404 after a DELETE."""

    __tablename__ = "fhir_export_job"
    __table_args__ = (Index("ix_fhir_export_job_status", "status"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    request_url: Mapped[str] = mapped_column(Text)  # the kick-off request, as the manifest repeats it
    resource_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    since: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    transaction_time: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)  # the runner's last sign
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    progress: Mapped[str] = mapped_column(String(200), default="")
    # One {"type", "count"} per file written, in export order (the manifest's output).
    output: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
