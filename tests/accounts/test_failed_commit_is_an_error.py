"""One request is one unit of work that commits BEFORE the response is sent: when the database refuses the
commit, the client gets an error (503 with Retry-After, in the one error shape), never a 200 or 201 for
work that was lost, and nothing of the request is kept. On both backends.

The failure is the database driver's own: the dialect's COMMIT raises the driver's OperationalError, as a
full disk, a lost connection or a failed-over server would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts.models import ApiToken, AuditEvent
from onconav.db import unit_of_work
from tests.support.accounts import Account, bearer, csrf_of, sign_in


class CommitSabotage:
    """Makes the engine's next COMMITs fail in the driver, until disarmed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.armed = False
        self.refused = 0
        self._commit = engine.dialect.do_commit

    def __call__(self, dbapi_connection: Any) -> None:
        if self.armed:
            self.refused += 1
            raise self._driver_error()
        self._commit(dbapi_connection)

    def _driver_error(self) -> Exception:
        module = self.engine.dialect.loaded_dbapi
        return module.OperationalError("disk I/O error (the test refuses this COMMIT)")


@pytest.fixture
def sabotage(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CommitSabotage]:
    saboteur = CommitSabotage(engine)
    monkeypatch.setattr(engine.dialect, "do_commit", saboteur)
    yield saboteur


def _tokens(factory: sessionmaker[Session], user_id: str) -> int:
    with unit_of_work(factory) as session:
        return (
            session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id)) or 0
        )


def test_api_write_whose_commit_fails_answers_503_and_keeps_nothing(
    client: TestClient,
    patient: Account,
    factory: sessionmaker[Session],
    sabotage: CommitSabotage,
) -> None:
    headers = bearer(client, patient)
    before = _tokens(factory, patient.id)

    sabotage.armed = True
    response = client.post(
        "/api/v1/account/tokens", headers=headers, json={"name": "lost", "scopes": ["read"], "days": 30}
    )
    sabotage.armed = False

    assert sabotage.refused >= 1
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"].isdigit()
    error = response.json()["error"]
    assert error["status"] == 503
    assert "could not be saved" in error["message"]
    assert "token" not in response.json()  # the secret of a token that does not exist is never shown
    assert _tokens(factory, patient.id) == before
    listed = client.get("/api/v1/account/tokens", headers=headers)
    assert listed.status_code == 200
    assert all(row["name"] != "lost" for row in listed.json())


def test_page_form_whose_commit_fails_shows_an_error_page_not_the_result(
    client: TestClient,
    patient: Account,
    factory: sessionmaker[Session],
    sabotage: CommitSabotage,
) -> None:
    sign_in(client, patient)
    csrf = csrf_of(client, "/account/tokens")
    before = _tokens(factory, patient.id)

    sabotage.armed = True
    response = client.post(
        "/account/tokens", data={"name": "lost", "scope": "read", "days": "30", "csrf_token": csrf}
    )
    sabotage.armed = False

    assert response.status_code == 503
    assert "text/html" in response.headers["content-type"]
    assert "could not be saved" in response.text
    assert 'role="alert"' in response.text
    assert "onc_" not in response.text  # no token secret is shown for a token that was never saved
    assert _tokens(factory, patient.id) == before


def test_read_whose_audit_event_cannot_be_committed_is_not_served(
    client: TestClient,
    make_account: Callable[..., Account],
    factory: sessionmaker[Session],
    sabotage: CommitSabotage,
) -> None:
    """Every read of personal data is audited in the same unit of work: no event, no data."""
    patient = make_account("patient")
    headers = bearer(client, patient)
    with unit_of_work(factory) as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))

    sabotage.armed = True
    response = client.get("/api/v1/account/access-log", headers=headers)
    sabotage.armed = False

    assert response.status_code == 503
    assert "error" in response.json()
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
