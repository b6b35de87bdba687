"""Overload and outages are answered, not stalled: with no database connection free, or no database at
all, a request gets 503 with Retry-After at once, in the client's shape (JSON, OperationOutcome, a page);
and an error, expected or not, leaves the keep-alive connection usable for the requests sent after it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import create_db_engine

SERVER_START_TIMEOUT_S = 30.0
ANSWER_TIMEOUT_S = 60.0
NEEDS_DATABASE = "/api/v1/organizations/1"  # any read that asks the database


@pytest.fixture
def tiny_pool(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine over this test's database with one connection and a 0.2 s wait for it."""
    monkeypatch.setenv("ONCONAV_DATABASE_POOL_SIZE", "1")
    monkeypatch.setenv("ONCONAV_DATABASE_POOL_OVERFLOW", "0")
    monkeypatch.setenv("ONCONAV_DATABASE_POOL_TIMEOUT_SECONDS", "0.2")
    get_settings.cache_clear()
    tiny = create_db_engine(engine.url.render_as_string(hide_password=False))
    yield tiny
    tiny.dispose()
    get_settings.cache_clear()


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable_database() -> Iterator[Engine]:
    """An engine whose PostgreSQL server is down (a closed port)."""
    down = create_db_engine(f"postgresql+psycopg://onconav@127.0.0.1:{closed_port()}/onconav")
    yield down
    down.dispose()


def assert_unavailable(client: TestClient) -> None:
    """The API, FHIR and pages all answer 503 with Retry-After, each in its own shape."""
    api = client.get(NEEDS_DATABASE)
    assert api.status_code == 503, api.text
    assert int(api.headers["Retry-After"]) > 0
    assert api.json()["error"]["code"] == "unavailable"
    fhir = client.get("/fhir/R4/Organization/1")
    assert fhir.status_code == 503 and "Retry-After" in fhir.headers
    assert fhir.json()["resourceType"] == "OperationOutcome"
    page = client.get("/organizations/1")
    assert page.status_code == 503 and "Retry-After" in page.headers
    assert page.headers["content-type"].startswith("text/html")


def test_an_exhausted_pool_is_answered_503_with_retry_after(tiny_pool: Engine) -> None:
    with TestClient(create_app(tiny_pool)) as client:
        with tiny_pool.connect() as held:  # the pool's only connection, busy elsewhere
            held.execute(text("SELECT 1"))
            assert_unavailable(client)
        assert client.get(NEEDS_DATABASE).status_code == 404  # once it is free, the answer is real


def test_an_unreachable_database_is_answered_503_with_retry_after(unreachable_database: Engine) -> None:
    with TestClient(create_app(unreachable_database)) as client:
        assert_unavailable(client)
        assert client.get("/openapi.json").status_code == 200  # what needs no database still works


@contextmanager
def served(app: FastAPI) -> Iterator[int]:
    """`app` served by uvicorn on a real socket in a background thread; yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(SERVER_START_TIMEOUT_S)
        listener.close()


def pipelined_statuses(port: int, paths: list[str]) -> list[int]:
    """Send GETs of `paths` at once on one keep-alive connection; the status of each answer received."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT_S) as connection:
        connection.sendall(b"".join(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode() for path in paths))
        received = b""
        statuses: list[int] = []
        while len(statuses) < len(paths):
            head_end = received.find(b"\r\n\r\n")
            if head_end >= 0:
                head = received[:head_end].decode("latin-1").split("\r\n")
                length = next(
                    int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:")
                )
                if len(received) >= head_end + 4 + length:
                    statuses.append(int(head[0].split()[1]))
                    received = received[head_end + 4 + length :]
                    continue
            chunk = connection.recv(65536)
            if not chunk:  # the server closed the connection: the rest is lost
                break
            received += chunk
    return statuses


def test_an_unexpected_error_keeps_the_connection_usable(engine: Engine) -> None:
    app = create_app(engine)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/broken", broken)
    with served(app) as port:
        assert pipelined_statuses(port, ["/api/v1/broken", "/openapi.json"]) == [500, 200]


def test_a_database_outage_keeps_the_connection_usable(unreachable_database: Engine) -> None:
    with served(create_app(unreachable_database)) as port:
        assert pipelined_statuses(port, [NEEDS_DATABASE, "/openapi.json", NEEDS_DATABASE]) == [503, 200, 503]
