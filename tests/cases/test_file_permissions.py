"""What onconav writes to disk is its owner's only (issue 15, item 6): the data directory, the SQLite
database with its WAL and shared memory, documents, the keyring and backups are created 0700 (folders) and
0600 (files) even under a umask of 000, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.accounts import crypto
from onconav.cli import app
from onconav.config import get_settings
from onconav.db import create_db_engine
from onconav.storage import DocumentStore
from tests.cases.test_backup import fill


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: anything not made private on purpose would be world-readable."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_under(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


def assert_private(root: Path) -> None:
    for path in everything_under(root):
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) == expected, (str(path), oct(mode(path)))


def test_the_sqlite_database_its_wal_and_folders_are_private_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    data_dir = tmp_path / "data" / "state"
    engine = create_db_engine(f"sqlite:///{data_dir / 'onconav.sqlite3'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            names = {path.name for path in data_dir.iterdir()}
            assert {"onconav.sqlite3", "onconav.sqlite3-wal", "onconav.sqlite3-shm"} <= names
            assert_private(tmp_path / "data")
    finally:
        engine.dispose()


def test_documents_and_the_keyring_are_private_whatever_the_umask(
    tmp_path: Path, open_umask: None, accounts_settings: Path
) -> None:
    store = DocumentStore(tmp_path / "var" / "documents")
    with store.receive(io.BytesIO(b"%PDF-1.4 hello"), max_bytes=1024) as staged:
        path = store.commit(store.stage_bytes(b"sealed"), "ab" + "0" * 30)
        assert staged.path.exists()
    assert path.exists()
    assert_private(tmp_path / "var")
    crypto.ensure_keyring()
    assert_private(accounts_settings.parent)


@pytest.fixture
def configured(engine: Engine, documents_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def test_backups_and_restored_documents_are_private_whatever_the_umask(
    configured: Engine, documents_dir: Path, tmp_path: Path, open_umask: None
) -> None:
    fill(configured, DocumentStore(documents_dir))
    target = tmp_path / "backups" / "nightly" / "onconav.tar"
    made = CliRunner().invoke(app, ["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert_private(tmp_path / "backups")
    restored = CliRunner().invoke(app, ["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert_private(documents_dir)
