"""Backup and restore of the whole onconav state: the database (SQLite online backup API, or pg_dump's
custom format for PostgreSQL) and the documents folder, in one tar file with a manifest of SHA-256 hashes.

The database is copied first and the documents after: every document row in the copy has its file,
because files are made durable before their rows commit. Files without rows are swept at the next start-up.
The documents are copied as stored (encrypted); only the folder layout of `onconav.storage` is known here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url

from onconav import __version__
from onconav.config import child_process_environment
from onconav.errors import InvalidInput, OnconavError
from onconav.private_paths import create_private_file, make_private, open_new_private, private_folder
from onconav.storage import DocumentStore

FORMAT = "onconav-backup"
FORMAT_VERSION = 1
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"


class BackupError(OnconavError):
    """A backup or restore that could not be done, with the reason."""

    status_code = 500


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[4]))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError("The PostgreSQL tool %(tool)s is not installed.", tool=name)
    return found


def _pg_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries the password."""
    url = engine.url.set(drivername="postgresql")
    extra = {}
    if url.password:
        extra["PGPASSWORD"] = str(url.password)
        url = url.set(password=None)
    return url.render_as_string(hide_password=False), child_process_environment(**extra)


def _dump_database(engine: Engine, folder: Path) -> tuple[str, str]:
    """Copy the database into `folder`; returns (backend, file name)."""
    if engine.dialect.name == "sqlite":
        database = make_url(str(engine.url)).database
        if not database or database == ":memory:":
            raise BackupError("An in-memory database cannot be backed up.")
        source = sqlite3.connect(database)
        target = sqlite3.connect(folder / SQLITE_NAME)
        try:
            with target:
                source.backup(target)  # the online backup API: consistent while the app keeps writing
        finally:
            target.close()
            source.close()
        return "sqlite", SQLITE_NAME
    url, env = _pg_target(engine)
    result = subprocess.run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={folder / PG_NAME}",
            url,
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError("pg_dump failed: %(reason)s", reason=result.stderr.decode(errors="replace")[-500:])
    return "postgresql", PG_NAME


def backup(engine: Engine, documents_dir: Path, target: Path) -> dict[str, Any]:
    """Write a backup of the database and documents to `target` (written aside, then renamed)."""
    from onconav import migrate

    target = target.resolve()
    private_folder(target.parent)
    with tempfile.TemporaryDirectory(prefix="onconav-backup-", dir=target.parent) as scratch:
        folder = Path(scratch)
        backend, database_name = _dump_database(engine, folder)
        files: dict[str, str] = {database_name: _sha256(folder / database_name)}
        document_paths = DocumentStore(documents_dir).object_paths()
        for path in document_paths:
            files[f"documents/{path.relative_to(documents_dir).as_posix()}"] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "onconav_version": __version__,
            "created_at": datetime.now(UTC).isoformat(),
            "backend": backend,
            "schema_revision": migrate.current_revision(engine),
            "database": database_name,
            "documents": len(document_paths),
            "files": files,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = folder / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            archive.add(folder / database_name, arcname=database_name)
            for path in document_paths:
                archive.add(path, arcname=f"documents/{path.relative_to(documents_dir).as_posix()}")
        make_private(partial)  # holds the database and documents: its owner only, whatever the umask
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
    return manifest


def _safe_members(archive: tarfile.TarFile, files: dict[str, str]) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        if member.name == "manifest.json":
            continue
        if not member.isfile() or member.name not in files or ".." in Path(member.name).parts:
            raise InvalidInput(
                "The backup holds an unexpected entry (%(name)s) and is refused.", name=member.name[:100]
            )
        members.append(member)
    return members


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of a backup file; raises when it is not an onconav backup."""
    try:
        with tarfile.open(source, "r") as archive:
            handle = archive.extractfile("manifest.json")
            if handle is None:
                raise KeyError("manifest.json")
            manifest: dict[str, Any] = json.load(handle)
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as error:
        raise InvalidInput("This file is not an onconav backup.") from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidInput("This file is not an onconav backup of a supported version.")
    return manifest


def restore(engine: Engine, documents_dir: Path, source: Path) -> dict[str, Any]:
    """Replace the database and documents with those of a backup, after checking every hash."""
    manifest = read_manifest(source)
    backend = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    if manifest["backend"] != backend:
        raise InvalidInput(
            "This backup is of a %(backup)s database; the configured database is %(current)s.",
            backup=manifest["backend"],
            current=backend,
        )
    files: dict[str, str] = manifest["files"]
    documents_dir = documents_dir.resolve()
    private_folder(documents_dir.parent)
    with tempfile.TemporaryDirectory(prefix="onconav-restore-", dir=documents_dir.parent) as scratch:
        folder = Path(scratch)
        with tarfile.open(source, "r") as archive:
            for member in _safe_members(archive, files):
                handle = archive.extractfile(member)
                assert handle is not None
                destination = folder / member.name
                private_folder(destination.parent)
                with open_new_private(destination) as out:
                    shutil.copyfileobj(handle, out, 1024 * 1024)
        for name, expected in files.items():
            path = folder / name
            if not path.is_file() or _sha256(path) != expected:
                raise InvalidInput("The backup is damaged: %(name)s is missing or altered.", name=name)
        engine.dispose()
        _load_database(engine, folder / manifest["database"], backend)
        fresh = folder / "documents"
        private_folder(DocumentStore(fresh).objects)
        previous = documents_dir.with_name(documents_dir.name + ".before-restore")
        shutil.rmtree(previous, ignore_errors=True)
        if documents_dir.exists():
            os.replace(documents_dir, previous)
        os.replace(fresh, documents_dir)
        shutil.rmtree(previous, ignore_errors=True)
    return manifest


def _load_database(engine: Engine, dump: Path, backend: str) -> None:
    if backend == "sqlite":
        database = make_url(str(engine.url)).database
        assert database
        create_private_file(Path(database))
        source = sqlite3.connect(dump)
        target = sqlite3.connect(database)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    url, env = _pg_target(engine)
    result = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(dump),
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            "pg_restore failed: %(reason)s", reason=result.stderr.decode(errors="replace")[-500:]
        )
