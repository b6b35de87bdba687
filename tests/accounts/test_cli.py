"""`onconav users create|list|disable`, `onconav keys rotate`, `onconav audit export` on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.accounts import crypto
from onconav.cli import app
from onconav.config import get_settings
from tests.support.accounts import PASSWORD


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield CliRunner()


def test_users_create_list_and_disable_and_a_disabled_user_loses_access(
    runner: CliRunner, client: TestClient
) -> None:
    created = runner.invoke(
        app, ["users", "create", "--email", "Ops@Example.org", "--role", "patient"], input=PASSWORD + "\n"
    )
    assert created.exit_code == 0, created.output
    assert "ops@example.org" in created.output
    assert PASSWORD not in created.output
    duplicate = runner.invoke(
        app, ["users", "create", "--email", "ops@example.org", "--role", "patient"], input=PASSWORD + "\n"
    )
    assert duplicate.exit_code == 2
    assert "already exists" in duplicate.output
    weak = runner.invoke(
        app, ["users", "create", "--email", "w@example.org", "--role", "patient"], input="123456\n"
    )
    assert weak.exit_code == 2
    bad_role = runner.invoke(
        app, ["users", "create", "--email", "r@example.org", "--role", "doctor"], input=PASSWORD + "\n"
    )
    assert bad_role.exit_code == 2 and "Unknown role doctor" in bad_role.output
    no_link = runner.invoke(
        app, ["users", "create", "--email", "s@example.org", "--role", "specialist"], input=PASSWORD + "\n"
    )
    assert no_link.exit_code == 2 and "practitioner" in no_link.output
    listed = runner.invoke(app, ["users", "list", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["email"], r["role"], r["verified"], r["disabled"]) for r in rows] == [
        ("ops@example.org", "patient", True, False)
    ]
    login = {"email": "ops@example.org", "password": PASSWORD}
    token = client.post("/api/v1/auth/token", json=login).json()["access_token"]
    disabled = runner.invoke(app, ["users", "disable", "ops@example.org"])
    assert disabled.exit_code == 0, disabled.output
    assert client.get("/api/v1/account", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.post("/api/v1/auth/token", json=login).status_code == 401
    assert runner.invoke(app, ["users", "disable", "nobody@example.org"]).exit_code == 2
    table = runner.invoke(app, ["users", "list"])
    assert "disabled" in table.output


def test_key_rotation_keeps_secrets_readable_and_audit_export_is_fhir(
    runner: CliRunner, client: TestClient, accounts_settings: Path
) -> None:
    runner.invoke(
        app, ["users", "create", "--email", "k@example.org", "--role", "admin"], input=PASSWORD + "\n"
    )
    # Start an authenticator enrolment so that something is encrypted.
    from onconav.accounts import service
    from onconav.db import make_session_factory, unit_of_work

    factory = make_session_factory(client.app.state.engine)  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        user = service.get_user_by_email(session, email="k@example.org")
        assert user is not None
        secret = service.begin_totp_enrolment(session, user=user)
    before = json.loads(accounts_settings.read_text())["current"]
    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert "1 old master key(s) removed" in rotated.output
    keyring = json.loads(accounts_settings.read_text())
    assert keyring["current"] != before and list(keyring["master_keys"]) == [keyring["current"]]
    crypto.forget_cached_keys()
    with unit_of_work(factory) as session:
        user = service.get_user_by_email(session, email="k@example.org")
        assert user is not None
        assert service.pending_totp_secret(session, user=user) == secret
    exported = runner.invoke(app, ["audit", "export"])
    events = [json.loads(line) for line in exported.output.splitlines()]
    assert events and all(e["resourceType"] == "AuditEvent" for e in events)
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
