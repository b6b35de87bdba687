"""Cases tests: a documents folder of their own (with the keyring and cheap Argon2 of every accounts
test), the practitioner specialists link to, and the names the cases tests use for the shared fixtures
(`session` for `db`, `api` for `client`). Sample files of every kind are in tests/cases/case_samples.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.config import get_settings
from onconav.db import unit_of_work
from onconav.directory.models import Practitioner
from onconav.storage import DocumentStore


@pytest.fixture(autouse=True)
def documents_dir(accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh documents folder and a 5 MB upload limit, configured through the environment like in
    production (with the keyring and cheap hashing of `accounts_settings`)."""
    folder = tmp_path / "documents"
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(folder))
    monkeypatch.setenv("ONCONAV_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture
def store(documents_dir: Path) -> DocumentStore:
    return DocumentStore(documents_dir)


@pytest.fixture
def session(db: Session) -> Session:
    """`db`, under the name the cases service gives it."""
    return db


@pytest.fixture
def directory_links(factory: sessionmaker[Session]) -> dict[str, int]:
    """The practitioner specialist accounts link to: Dr. Ana Ruiz (id 1)."""
    with unit_of_work(factory) as session:
        session.add(Practitioner(id=1, given_name="Ana", family_name="Ruiz", languages=["en"], is_demo=True))
    return {"practitioner_id": 1}


@pytest.fixture
def api(directory_links: dict[str, int], client: TestClient) -> TestClient:
    """The app over this test's database, with the practitioner specialists link to."""
    return client
