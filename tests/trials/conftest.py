"""Fixtures for the trials tests: the real ClinicalTrials.gov samples imported once per backend."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from onconav import migrate
from onconav.app import create_app
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.trials import service
from onconav.trials.sources import iter_source

_ENGINES: dict[str, Engine] = {}


def new_database_url(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """A new, empty database on `backend` (PostgreSQL through the suite's `postgres_server`)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    name = f"onconav_trials_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def samples(shared_data: Path) -> Path:
    """The real ClinicalTrials.gov records (legacy XML and API v2 JSON)."""
    return shared_data / "clinicaltrials_gov_samples"


@pytest.fixture(scope="session")
def trials_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="onconav-trials-"))
    yield path
    for engine in _ENGINES.values():
        engine.dispose()
    shutil.rmtree(path, ignore_errors=True)


def trials_engine_for(
    backend: str, request: pytest.FixtureRequest, trials_dir: Path, samples: Path
) -> Engine:
    """Every real sample imported on `backend`, built once per run."""
    if backend not in _ENGINES:
        engine = create_db_engine(new_database_url(backend, request, trials_dir))
        migrate.upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as session:
            service.import_records(session, iter_source(samples))
        _ENGINES[backend] = engine
    return _ENGINES[backend]


@pytest.fixture
def trials_engine(backend: str, request: pytest.FixtureRequest, trials_dir: Path, samples: Path) -> Engine:
    """Every real sample imported, on each backend (read-only: do not change it in tests)."""
    return trials_engine_for(backend, request, trials_dir, samples)


@pytest.fixture
def sqlite_trials_engine(request: pytest.FixtureRequest, trials_dir: Path, samples: Path) -> Engine:
    """Every real sample imported, on SQLite only (faces whose backend makes no difference)."""
    return trials_engine_for("sqlite", request, trials_dir, samples)


@pytest.fixture
def trials_client(trials_engine: Engine) -> Iterator[TestClient]:
    """The app over the imported samples, on each backend."""
    with TestClient(create_app(trials_engine)) as client:
        yield client
