"""Structured access logs: one JSON line per request with the route template, the path without its query
string, the status, the duration and a request id; never tokens from one-time links, never bodies. And
`onconav serve` turns uvicorn's own access log (whole URLs) off.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.cli import app as cli_app
from onconav.config import get_settings
from onconav.web.access_log import ACCESS_LOG

ONE_TIME_TOKEN = "one-time-secret-4f9c2e"
PASSWORD = "a password that must never be logged"


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == ACCESS_LOG.name]


def test_one_line_per_request_without_query_strings_or_bodies(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG.name):
        client.get(f"/verify-email?token={ONE_TIME_TOKEN}")
        client.get(f"/password-reset/confirm?token={ONE_TIME_TOKEN}&code=123456")
        client.post("/api/v1/auth/token", json={"email": "someone@example.org", "password": PASSWORD})
    lines = access_lines(caplog)
    assert [(line["method"], line["route"], line["path"]) for line in lines] == [
        ("GET", "/verify-email", "/verify-email"),
        ("GET", "/password-reset/confirm", "/password-reset/confirm"),
        ("POST", "/api/v1/auth/token", "/api/v1/auth/token"),
    ]
    assert [line["status"] for line in lines] == [200, 200, 401]
    assert all(line["duration_ms"] >= 0 and len(line["request_id"]) == 32 for line in lines)
    assert ONE_TIME_TOKEN not in caplog.text and "123456" not in caplog.text
    assert PASSWORD not in caplog.text and "someone@example.org" not in caplog.text


def test_route_templates_hide_ids_and_unknown_paths_share_one_label(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG.name):
        client.get("/api/v1/organizations/4242")
        client.get("/no/such/page")
    found, unknown = access_lines(caplog)
    assert (found["route"], found["path"], found["status"]) == (
        "/api/v1/organizations/{organization_id}",
        "/api/v1/organizations/4242",
        404,
    )
    assert unknown["route"] == "<unmatched>" and unknown["status"] == 404


def test_a_request_id_is_kept_from_the_proxy_or_made(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG.name):
        given = client.get("/conditions", headers={"X-Request-ID": "proxy-1234"})
        forged = client.get("/conditions", headers={"X-Request-ID": 'x" injected\n{"status":200}'})
    assert given.headers["X-Request-ID"] == "proxy-1234"
    assert forged.headers["X-Request-ID"] != 'x" injected\n{"status":200}'
    assert [line["request_id"] for line in access_lines(caplog)] == [
        "proxy-1234",
        forged.headers["X-Request-ID"],
    ]


def test_serve_replaces_uvicorns_access_log(
    engine: Engine, accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import onconav.cli

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: started.append(options))
    monkeypatch.setattr(onconav.cli, "warm_up_reference_data", lambda: None)
    monkeypatch.setattr(onconav.cli, "load_demo_with_progress", lambda size, seed: None)
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    for workers in ("1", "2"):
        result = CliRunner().invoke(cli_app, ["serve", "--workers", workers])
        assert result.exit_code == 0, result.output
    for options in started:
        assert options["access_log"] is False
        assert options["log_config"]["loggers"]["onconav.access"]["handlers"] == ["onconav_access"]
        assert options["timeout_graceful_shutdown"] == get_settings().graceful_shutdown_seconds
    assert started[1]["workers"] == 2 and started[1]["factory"] is True
