"""Databases on both backends: a throwaway PostgreSQL server, new empty databases, private copies of a
migrated template, and one cache of engines prepared once per run, keyed by what was loaded into them.

`engine` is this test's own database (migrated, no rows), with `factory` and `db` over it; `demo_engine`
is the small demo directory, shared and read-only. Taking `backend` (as all of these do) runs a test once on
SQLite and once on PostgreSQL, and every PostgreSQL run is marked `postgres`.

PostgreSQL: ONCONAV_TEST_POSTGRES_URL if set, else a cluster started here from Debian's binaries (one per
test process). Without it the PostgreSQL runs skip, except with CI=true, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from onconav import migrate
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.directory import service as directory
from tests.support.ci import unavailable

BACKENDS = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every PostgreSQL run `postgres`, whatever fixture brought it, so that `-m "not postgres"`
    means what it says."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        fixtures = getattr(item, "fixturenames", ())
        if on_postgres or "postgres_server" in fixtures or "postgres_demo_engine" in fixtures:
            item.add_marker(pytest.mark.postgres)


# ---- the PostgreSQL server -----------------------------------------------------------------------------


def _find_pg_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parent.parent.name)
    return candidates[-1].parent if candidates else None


def _start_postgres(tmp_root: Path) -> tuple[str, Callable[[], None]]:
    """A new cluster in `tmp_root` (run as the postgres user when we are root): its URL and how to stop it."""
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
    initdb = [str(pg_bin / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
    subprocess.run([*as_postgres, *initdb], check=True, capture_output=True, cwd="/")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data_dir} -c fsync=off -c full_page_writes=off"
    pg_ctl = [str(pg_bin / "pg_ctl"), "-D", str(data_dir)]
    start = [*pg_ctl, "-l", str(data_dir / "log"), "-w", "-o", options, "start"]
    subprocess.run([*as_postgres, *start], check=True, capture_output=True, cwd="/")

    def stop() -> None:
        subprocess.run([*as_postgres, *pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True, cwd="/")

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


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
        unavailable(
            skip=f"PostgreSQL is not available here ({error}); `make test` installs it",
            fail=f"CI=true requires PostgreSQL, and it could not be started: {error}",
        )
    try:
        yield url
    finally:
        stop()
        shutil.rmtree(tmp_root, ignore_errors=True)


def _create_postgres_database(server: str, template: str | None = None) -> str:
    """A new database on the server at `server` (a copy of `template` when given): its URL."""
    name = f"onconav_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        copied = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


# ---- new databases ---------------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


def fresh_database_url(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """A new, empty database on `backend` (a SQLite file in `folder`, or a database of `postgres_server`)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}"
    return _create_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def empty_engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a new database with no tables, on each backend."""
    engine = create_db_engine(fresh_database_url(backend, request, tmp_path))
    yield engine
    engine.dispose()


# ---- databases prepared once per run ---------------------------------------------------------------------


class PreparedEngines:
    """Engines over databases migrated and loaded once per run and backend, then shared by every test that
    asks for the same contents (so those tests must not change them)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._engines: dict[tuple[str, str], Engine] = {}

    def get(
        self,
        request: pytest.FixtureRequest,
        backend: str,
        contents: str,
        load: Callable[[Engine], None] | None = None,
    ) -> Engine:
        """The engine over a migrated database holding `contents` (put there by `load`, the first time)."""
        key = (backend, contents)
        if key not in self._engines:
            engine = create_db_engine(fresh_database_url(backend, request, self.folder))
            migrate.upgrade(engine)
            if load is not None:
                load(engine)
            # No connection stays open: SQLite folds its WAL into the file, PostgreSQL may copy the database.
            engine.dispose()
            self._engines[key] = engine
        return self._engines[key]

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def prepared_engines() -> Iterator[PreparedEngines]:
    """The one cache of prepared databases of this test process."""
    folder = Path(tempfile.mkdtemp(prefix="onconav-prepared-"))
    cache = PreparedEngines(folder)
    yield cache
    cache.dispose()
    shutil.rmtree(folder, ignore_errors=True)


MIGRATED = "migrated, no rows"
DEMO_DIRECTORY = "the small demo directory (seed 0)"


def copy_of_migrated(
    backend: str, request: pytest.FixtureRequest, prepared_engines: PreparedEngines, folder: Path
) -> Engine:
    """A private copy of the database migrated once per run (far faster than migrating): a copy of the
    SQLite file in `folder`, or a PostgreSQL database created from it as a template."""
    template = prepared_engines.get(request, backend, MIGRATED)
    if backend == "sqlite":
        target = folder / f"{uuid.uuid4().hex}.sqlite3"
        with (
            contextlib.closing(sqlite3.connect(str(template.url.database))) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return create_db_engine(f"sqlite:///{target}")
    server = request.getfixturevalue("postgres_server")
    return create_db_engine(_create_postgres_database(server, template=template.url.database))


@pytest.fixture
def migrated_engine(
    backend: str, request: pytest.FixtureRequest, prepared_engines: PreparedEngines, tmp_path: Path
) -> Iterator[Engine]:
    """A migrated database with no rows, this test's own, on each backend."""
    engine = copy_of_migrated(backend, request, prepared_engines, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """This test's database: migrated, no rows, its own, on each backend. (Tests that read the shared demo
    directory instead override it with `demo_engine`; `app`, `client`, `db` follow.)"""
    return migrated_engine


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on `engine`; `with unit_of_work(factory) as session:` commits like a request does."""
    return make_session_factory(engine)


@pytest.fixture
def db(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on `engine`, closed after the test (the test commits what it wants kept)."""
    with factory() as session:
        yield session


def _load_demo_directory(engine: Engine) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        directory.load_demo(session, size="small", seed=0)


@pytest.fixture
def demo_engine(backend: str, request: pytest.FixtureRequest, prepared_engines: PreparedEngines) -> Engine:
    """The small demo directory, on each backend (shared: do not change it in tests)."""
    return prepared_engines.get(request, backend, DEMO_DIRECTORY, _load_demo_directory)


@pytest.fixture
def postgres_demo_engine(request: pytest.FixtureRequest, prepared_engines: PreparedEngines) -> Engine:
    """The small demo directory on PostgreSQL only (shared: do not change it in tests)."""
    return prepared_engines.get(request, "postgresql", DEMO_DIRECTORY, _load_demo_directory)


@pytest.fixture
def sqlite_demo_engine(request: pytest.FixtureRequest, prepared_engines: PreparedEngines) -> Engine:
    """The small demo directory on SQLite only (shared: do not change it in tests)."""
    return prepared_engines.get(request, "sqlite", DEMO_DIRECTORY, _load_demo_directory)
