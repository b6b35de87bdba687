"""Trials tests: the real ClinicalTrials.gov samples, imported once per run and backend (read-only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.trials import service
from onconav.trials.sources import iter_source
from tests.support.data import TRIAL_SAMPLES
from tests.support.databases import PreparedEngines

SAMPLES_IMPORTED = "every ClinicalTrials.gov sample"


@pytest.fixture(scope="session")
def samples(shared_data: Path) -> Path:
    """The real ClinicalTrials.gov records (legacy XML and API v2 JSON)."""
    return shared_data / TRIAL_SAMPLES


def importing(samples: Path) -> Callable[[Engine], None]:
    """What loads every sample into a migrated database."""

    def load(engine: Engine) -> None:
        with unit_of_work(make_session_factory(engine)) as session:
            service.import_records(session, iter_source(samples))

    return load


@pytest.fixture
def trials_engine(
    backend: str, request: pytest.FixtureRequest, prepared_engines: PreparedEngines, samples: Path
) -> Engine:
    """Every real sample imported, on each backend (read-only: do not change it in tests)."""
    return prepared_engines.get(request, backend, SAMPLES_IMPORTED, importing(samples))


@pytest.fixture
def sqlite_trials_engine(
    request: pytest.FixtureRequest, prepared_engines: PreparedEngines, samples: Path
) -> Engine:
    """Every real sample imported, on SQLite only (faces whose backend makes no difference)."""
    return prepared_engines.get(request, "sqlite", SAMPLES_IMPORTED, importing(samples))


@pytest.fixture
def trials_client(trials_engine: Engine) -> Iterator[TestClient]:
    """The app over the imported samples, on each backend."""
    with TestClient(create_app(trials_engine)) as client:
        yield client
