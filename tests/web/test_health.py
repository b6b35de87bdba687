"""/healthz answers while the process lives, whatever the database does; /readyz says 503 with Retry-After
and the failed check when the database is unreachable, the schema is behind, or the keyring is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from onconav.accounts import crypto
from onconav.app import create_app
from onconav.web.health import readiness

# Port 1 on the loopback: nothing listens, so connecting is refused at once.
UNREACHABLE_URL = "postgresql+psycopg://onconav:secret-password@127.0.0.1:1/onconav?connect_timeout=1"


@pytest.fixture
def dead_client(accounts_settings: Path) -> Iterator[TestClient]:
    """A client of the app over a database nobody answers for (the keyring is fine)."""
    crypto.ensure_keyring()
    engine = create_engine(UNREACHABLE_URL)
    with TestClient(create_app(engine)) as test_client:
        yield test_client
    engine.dispose()


def test_healthz_answers_without_touching_the_database(dead_client: TestClient) -> None:
    response = dead_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database_with_a_keyring(
    client: TestClient, accounts_settings: Path
) -> None:
    crypto.ensure_keyring()
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "keyring": "ok"},
    }
    assert "retry-after" not in response.headers


def test_readyz_fails_when_the_database_is_unreachable(dead_client: TestClient) -> None:
    response = dead_client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["failed"] == ["database", "migrations"]
    assert body["checks"]["keyring"] == "ok"
    # Nothing of the connection URL (its password above all) leaks into the answer.
    assert "secret-password" not in response.text and "127.0.0.1" not in response.text


def test_readyz_fails_when_migrations_are_behind(
    client: TestClient, engine: Engine, accounts_settings: Path
) -> None:
    crypto.ensure_keyring()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.json()["checks"] == {"database": "ok", "migrations": "behind", "keyring": "ok"}
    assert response.json()["failed"] == ["migrations"]


def test_readiness_reports_a_missing_keyring_without_creating_one(
    engine: Engine, accounts_settings: Path
) -> None:
    # Checked without a request: the CSRF middleware derives its key (creating a keyring) on every request.
    assert not accounts_settings.exists()
    assert readiness(engine) == {"database": "ok", "migrations": "ok", "keyring": "missing"}
    assert not accounts_settings.exists()
