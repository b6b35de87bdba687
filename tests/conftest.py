"""Shared fixtures: databases on both backends (SQLite file and a throwaway PostgreSQL), the demo
directory loaded once per backend, and app clients.

PostgreSQL: ONCONAV_TEST_POSTGRES_URL if set, else a cluster started here from Debian's binaries.
With CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from onconav import migrate
from onconav.app import create_app
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.directory import service as directory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]


def _find_pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name)
    return candidates[-1].parent if candidates else None


def _start_postgres(tmp_root: Path) -> tuple[str, callable]:  # type: ignore[valid-type]
    pg_bin = _find_pg_bin()
    if pg_bin is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    data_dir = tmp_root / "pgdata"
    data_dir.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(tmp_root, "postgres", "postgres")
        shutil.chown(data_dir, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = 55000 + (os.getpid() % 5000)
    subprocess.run(
        [
            *as_postgres,
            str(pg_bin / "initdb"),
            "-D",
            str(data_dir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        cwd="/",
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [
            *as_postgres,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data_dir),
            "-l",
            str(data_dir / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
        cwd="/",
    )

    def stop() -> None:
        subprocess.run(
            [*as_postgres, str(pg_bin / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            cwd="/",
        )

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every PostgreSQL run `postgres` and every Chromium test `browser`, whatever fixture brought them,
    so that `-m "not postgres"` and `-m "not browser"` mean what they say."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        if on_postgres or "postgres_server" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database."""
    given = os.environ.get("ONCONAV_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    tmp_root = Path(tempfile.mkdtemp(prefix="onconav-pg-"))
    try:
        url, stop = _start_postgres(tmp_root)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
        shutil.rmtree(tmp_root, ignore_errors=True)
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL, and it could not be started: {error}")
        pytest.skip(f"PostgreSQL is not available here ({error}); `make test` installs it")
    try:
        yield url
    finally:
        stop()
        shutil.rmtree(tmp_root, ignore_errors=True)


def fresh_database_url(backend: str, request: pytest.FixtureRequest, tmp_dir: Path) -> str:
    """A new, empty database on `backend`."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex}.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    name = f"onconav_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def empty_engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a new database with no tables, on each backend."""
    engine = create_db_engine(fresh_database_url(backend, request, tmp_path))
    yield engine
    engine.dispose()


_DEMO_ENGINES: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def demo_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="onconav-demo-"))
    yield path
    for engine in _DEMO_ENGINES.values():
        engine.dispose()
    shutil.rmtree(path, ignore_errors=True)


def demo_engine_for(backend: str, request: pytest.FixtureRequest, demo_dir: Path) -> Engine:
    """A migrated database with the default (small) demo loaded; built once per backend per run."""
    if backend not in _DEMO_ENGINES:
        engine = create_db_engine(fresh_database_url(backend, request, demo_dir))
        migrate.upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as session:
            directory.load_demo(session, size="small", seed=0)
        _DEMO_ENGINES[backend] = engine
    return _DEMO_ENGINES[backend]


@pytest.fixture
def demo_engine(backend: str, request: pytest.FixtureRequest, demo_dir: Path) -> Engine:
    """The small demo directory, on each backend (read-only: do not change it in tests)."""
    return demo_engine_for(backend, request, demo_dir)


@pytest.fixture
def sqlite_demo_engine(request: pytest.FixtureRequest, demo_dir: Path) -> Engine:
    """The small demo directory on SQLite only."""
    return demo_engine_for("sqlite", request, demo_dir)


@pytest.fixture
def client(demo_engine: Engine) -> Iterator[TestClient]:
    """An HTTP client of the app over the demo directory, on each backend."""
    with TestClient(create_app(demo_engine)) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(sqlite_demo_engine: Engine) -> Iterator[TestClient]:
    """An HTTP client of the app over the demo directory on SQLite (for tests that need one backend)."""
    with TestClient(create_app(sqlite_demo_engine)) as test_client:
        yield test_client


SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public datasets beside the repository (../shared/data); CI must have them."""
    if not SHARED_DATA.is_dir():
        if IN_CI:
            pytest.fail(f"CI=true but the shared datasets are missing at {SHARED_DATA}")
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


SERVER_START_TIMEOUT_S = 30.0


class LiveServer:
    """The app on a real socket, served by uvicorn in a background thread."""

    def __init__(self, engine: Engine) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Port 0: the system picks a free port, and the socket stays ours until uvicorn serves on it.
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(engine), log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="uvicorn-test", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start serving on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(SERVER_START_TIMEOUT_S)
        self._socket.close()


@pytest.fixture
def live_server(sqlite_demo_engine: Engine) -> Iterator[LiveServer]:
    """The app over the small SQLite demo directory, served on 127.0.0.1 at a free port."""
    server = LiveServer(sqlite_demo_engine)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---- Debian's Chromium driven by Playwright (one instance per test process) -------------------------
# Chromium is /usr/bin/chromium (`apt-get install chromium`); Playwright's own browser downloads are never
# used. Without it the browser tests skip, except with CI=true, where they fail. The fixture lives here so
# that every test folder shares it: a second sync Playwright in the same process cannot start.

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium, shared by the browser tests of a run."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(f"CI=true requires the browser tests to run, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
