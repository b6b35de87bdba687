"""Fixtures for the cases tests: a migrated database on both backends, a document store in a temporary
folder, and real files of every accepted kind, made by the formats' own libraries or shipped by them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav import migrate
from onconav.accounts import crypto
from onconav.cases.storage import DocumentStore
from onconav.config import get_settings
from onconav.db import make_session_factory


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh documents folder and keyring, configured through the environment like in production,
    and cheap password hashing for the accounts the API tests create."""
    folder = tmp_path / "documents"
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(folder))
    monkeypatch.setenv("ONCONAV_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
    monkeypatch.setenv("ONCONAV_KEY_FILE", str(tmp_path / "keys" / "keyring.json"))
    monkeypatch.setenv("ONCONAV_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("ONCONAV_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    crypto.forget_cached_keys()
    yield folder
    get_settings.cache_clear()
    crypto.forget_cached_keys()


@pytest.fixture
def store(documents_dir: Path) -> DocumentStore:
    return DocumentStore(documents_dir)


@pytest.fixture
def cases_engine(empty_engine: Engine) -> Engine:
    """A migrated, empty database on each backend."""
    migrate.upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def session(cases_engine: Engine) -> Iterator[Session]:
    factory = make_session_factory(cases_engine)
    with factory() as db_session:
        yield db_session
