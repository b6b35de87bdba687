"""`onconav backup` and `onconav restore`: a round trip brings back the database and every document
byte for byte, on SQLite and PostgreSQL; a damaged or foreign backup is refused and changes nothing."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.cases import service
from onconav.cases.models import Case, CaseDocument
from onconav.cases.schemas import CaseCreate
from onconav.cli import app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.storage import DocumentStore
from tests.cases.case_samples import dicom_file, make_pdf


@pytest.fixture
def configured(engine: Engine, documents_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    return engine


def fill(engine: Engine, store: DocumentStore) -> dict[str, str]:
    hashes = {}
    with unit_of_work(make_session_factory(engine)) as session:
        case = service.create(
            session, patient_id="p", case_in=CaseCreate(title="Backup me", diagnosis="colon cancer")
        )
        for data, name in ((make_pdf(), "report.pdf"), (dicom_file(), "ct.dcm")):
            document = service.add_document(
                session, store=store, case=case, uploaded_by="p", source=io.BytesIO(data), filename=name
            )
            hashes[document.id] = hashlib.sha256(data).hexdigest()
    return hashes


def test_restore_brings_back_the_database_and_every_document_as_backed_up(
    configured: Engine, store: DocumentStore, tmp_path: Path
) -> None:
    hashes = fill(configured, store)
    target = tmp_path / "backups" / "onconav.tar"
    result = CliRunner().invoke(app, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "2 document(s)" in result.output

    # Lose everything after the backup: a new case, a document file, and a row.
    with unit_of_work(make_session_factory(configured)) as session:
        service.create(session, patient_id="p", case_in=CaseCreate(title="after backup", diagnosis="x"))
        session.execute(CaseDocument.__table__.delete().where(CaseDocument.id == next(iter(hashes))))
    for document_id in hashes:
        store.object_path(document_id).unlink(missing_ok=True)

    result = CliRunner().invoke(app, ["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    configured.dispose()
    with unit_of_work(make_session_factory(configured)) as session:
        assert [c.title for c in session.scalars(select(Case))] == ["Backup me"]
        stored = {d.id: d.sha256 for d in session.scalars(select(CaseDocument))}
        assert stored == hashes
        assert service.verify_documents(session, store=store) == []


def test_a_damaged_or_foreign_backup_is_refused_and_changes_nothing(
    configured: Engine, store: DocumentStore, tmp_path: Path
) -> None:
    fill(configured, store)
    target = tmp_path / "b.tar"
    assert CliRunner().invoke(app, ["backup", str(target)]).exit_code == 0
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(target) as source, tarfile.open(damaged, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("documents/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    result = CliRunner().invoke(app, ["restore", str(damaged), "--yes"])
    assert result.exit_code == 2 and "damaged" in result.output
    not_a_backup = tmp_path / "x.tar"
    not_a_backup.write_bytes(b"hello")
    result = CliRunner().invoke(app, ["restore", str(not_a_backup), "--yes"])
    assert result.exit_code == 2 and "not an onconav backup" in result.output
    with unit_of_work(make_session_factory(configured)) as session:
        assert session.scalar(select(func.count()).select_from(CaseDocument)) == 2
        assert service.verify_documents(session, store=store) == []
