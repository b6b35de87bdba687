"""The bench every scenario runs on: a throwaway PostgreSQL cluster it may kill, a keyring, and `onconav
serve` subprocesses started, killed and sampled (RSS of the whole process tree) like an operator would.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

PASSWORD = "correct horse battery staple 42"
SMALL_DISK_MIB = 64
SLOW_FSYNC = '''"""Written by reliability.lab: every fsync waits the seconds its file says."""
import os
import time

_flag = os.environ.get("RELIABILITY_SLOW_FSYNC_FILE")
if _flag:
    _fsync = os.fsync

    def _slow_fsync(descriptor):
        try:
            with open(_flag) as setting:
                delay = float(setting.read() or 0)
        except (OSError, ValueError):
            delay = 0.0
        if delay:
            time.sleep(delay)
        return _fsync(descriptor)

    os.fsync = _slow_fsync
'''

START_TIMEOUT_S = 120.0  # generous: seven engineers share two cores
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    return found[-1].parent


def process_tree(pid: int) -> list[int]:
    """`pid` and every live descendant of it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` and its descendants (a server with workers is one server), in KiB."""
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


class PostgresCluster:
    """A PostgreSQL cluster of its own in `folder` (as the postgres user when we are root): started, killed
    with SIGKILL (postmaster and every backend, like a crashed machine would), started again."""

    SETTINGS = (
        "-c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB "
        "-c synchronous_commit=on -c fsync=on"
    )

    def __init__(self, folder: Path) -> None:
        self.bin = _pg_bin()
        self.data = folder / "pgdata"
        self.port = free_port()
        self.as_postgres: list[str] = []
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        initdb = [
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ]
        subprocess.run([*self.as_postgres, *initdb], check=True, capture_output=True, cwd="/")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"{self.SETTINGS} -p {self.port} -k {self.data}"
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"), "-w"]
        subprocess.run(
            [*self.as_postgres, *command, "-t", "120", "-o", options, "start"],
            check=True,
            capture_output=True,
            cwd="/",
        )

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend at once."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        for member in process_tree(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(member, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{member}").exists() for member in process_tree(pid)):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)

    def stop(self) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]
        subprocess.run([*self.as_postgres, *command], capture_output=True, cwd="/")

    def create_database(self, template: str | None = None) -> str:
        """A new database (a copy of `template` when given): its SQLAlchemy URL."""
        from sqlalchemy import create_engine, text

        name = f"reliability_{uuid.uuid4().hex[:10]}"
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            copied = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"


class Lab:
    """A working folder, a keyring, a PostgreSQL cluster and the settings every server and tool shares.

    The harness process itself uses the same settings (users are made in process through the accounts
    service), so `Lab` sets them in this process's environment too.
    """

    def __init__(self, folder: Path | None = None, *, demo: bool = True) -> None:
        self.demo = demo  # False (CI): a directory of one organization instead of the demo's thousands
        self._own_folder = folder is None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="onconav-reliability-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o755)  # the postgres user must reach its cluster below
        self.key_file = self.folder / "keys" / "keyring.json"
        self.settings = {
            "ONCONAV_KEY_FILE": str(self.key_file),
            # Cheap password hashing: the harness measures serving, not Argon2 (docs/security.md has that).
            "ONCONAV_ARGON2_MEMORY_KIB": "1024",
            "ONCONAV_ARGON2_TIME_COST": "1",
            "ONCONAV_DEMO_SIZE": "small",
            "ONCONAV_LOGIN_MAX_FAILURES": "1000",
        }
        if not demo:  # the short form's bombs are small: a limit below them keeps the check meaningful
            self.settings["ONCONAV_MAX_ARCHIVE_EXPANDED_BYTES"] = str(32 * 1024 * 1024)
        os.environ.update(self.settings)
        os.environ["ONCONAV_DATA_DIR"] = str(self.folder / "harness")
        os.environ["ONCONAV_AUDIT_CHECKPOINT_FILE"] = str(self.folder / "harness-checkpoints.jsonl")
        from onconav.accounts import crypto
        from onconav.config import get_settings

        get_settings.cache_clear()
        crypto.forget_cached_keys()
        crypto.ensure_keyring()
        self._postgres: PostgresCluster | None = None
        self._demo_database: str | None = None
        self._demo_server: Server | None = None
        self.servers: list[Server] = []
        self.small_disk = self.folder / "small-disk"
        self.small_disk_mounted = False
        self.small_disk_note = ""
        self.slow_fsync_file = self.folder / "slow-fsync"

    @property
    def postgres(self) -> PostgresCluster:
        """The cluster, started on first use."""
        if self._postgres is None:
            pg_folder = self.folder / "postgres"
            pg_folder.mkdir()
            self._postgres = PostgresCluster(pg_folder)
            self._postgres.start()
        return self._postgres

    def demo_database(self) -> str:
        """A new PostgreSQL database holding the small demo directory and trials (loaded once, copied)."""
        if self._demo_database is None:
            url = self.postgres.create_database()
            if self.demo:
                self.run_cli("demo", "load", "--size", "small", database_url=url)
            else:
                migrate_with_one_organization(url)
            self._demo_database = url.rsplit("/", 1)[1]
        return self.postgres.create_database(template=self._demo_database)

    def demo_server(self, **settings: str) -> Server:
        """The lab's server, over its own copy of the demo, shared by the scenarios (faults, which breaks it,
        runs last). Its documents live on a small filesystem of their own (when mounting is allowed) and
        its fsyncs can be slowed at run time (`slow_fsync_file`): what the faults scenario needs. `settings`
        (as ONCONAV_<NAME>) apply when the server is first made."""
        if self._demo_server is None:
            self.small_disk_mounted, self.small_disk_note = mount_small_disk(self.small_disk)
            inject = self.folder / "inject"
            inject.mkdir()
            (inject / "sitecustomize.py").write_text(SLOW_FSYNC)
            self.slow_fsync_file.write_text("0")
            self._demo_server = self.server(
                self.demo_database(),
                name="demo-server",
                documents_dir=str(self.small_disk / "documents"),
                **settings,
            )
            self._demo_server.environment["PYTHONPATH"] = str(inject)
            self._demo_server.environment["RELIABILITY_SLOW_FSYNC_FILE"] = str(self.slow_fsync_file)
        if not self._demo_server.alive:
            self._demo_server.start()
        return self._demo_server

    def environment(self, **settings: str) -> dict[str, str]:
        """The environment of a server or tool of this lab (`settings` as ONCONAV_<NAME>)."""
        extra = {f"ONCONAV_{name.upper()}": value for name, value in settings.items()}
        return {**os.environ, **self.settings, "PYTHONDONTWRITEBYTECODE": "1", **extra}

    def run_cli(
        self, *arguments: str, database_url: str, timeout: float = 600, **settings: str
    ) -> subprocess.CompletedProcess[str]:
        """`onconav ARGUMENTS` on `database_url` (raises when it fails)."""
        settings.setdefault("data_dir", str(self.folder / "cli"))
        environment = self.environment(database_url=database_url, **settings)
        return subprocess.run(
            [str(VENV_BIN / "onconav"), *arguments],
            env=environment,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
        )

    def server(self, database_url: str, *, name: str = "server", **settings: str) -> Server:
        """A server of this lab (not started) with its own data folder and audit checkpoint file."""
        data_dir = self.folder / name
        settings.setdefault("documents_dir", str(self.folder / "documents"))
        settings.setdefault("audit_checkpoint_file", str(data_dir / "audit-checkpoints.jsonl"))
        server = Server(
            self.environment(database_url=database_url, data_dir=str(data_dir), **settings), data_dir
        )
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        if self.small_disk_mounted:
            subprocess.run(["umount", "-l", str(self.small_disk)], capture_output=True)
        if self._postgres is not None:
            self._postgres.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def mount_small_disk(folder: Path) -> tuple[bool, str]:
    """A small filesystem at `folder` (tmpfs, else a loop-mounted ext4 file): whether it was mounted, and
    a sentence saying what was done (mounting needs root; without it the folder is a plain one)."""
    folder.mkdir(parents=True)
    tmpfs = ["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK_MIB}m,mode=0700", "tmpfs", str(folder)]
    if subprocess.run(tmpfs, capture_output=True).returncode == 0:
        return True, f"document store on a {SMALL_DISK_MIB} MiB tmpfs at {folder}"
    image = folder.parent / "small-disk.img"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        with open(image, "wb") as file:
            file.truncate(SMALL_DISK_MIB * 1024 * 1024)
        subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "loop", str(image), str(folder)], check=True, capture_output=True)
        return True, f"document store on a {SMALL_DISK_MIB} MiB loop-mounted ext4 file at {folder}"
    return False, (
        "could not mount a small filesystem (tmpfs and loop mount refused: not root?); "
        "the full-disk phase is skipped"
    )


def migrate_with_one_organization(database_url: str) -> None:
    """Migrate the database and put one organization in it: a directory that is not empty, so the server
    loads no demo at start-up (the CI short forms check invariants, not search figures)."""
    from onconav import migrate
    from onconav.db import create_db_engine, make_session_factory, unit_of_work
    from onconav.directory.models import Organization

    engine = create_db_engine(database_url)
    try:
        migrate.upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as session:
            session.add(Organization(name="Reliability Cancer Center", kind="cancer_center"))
    finally:
        engine.dispose()


@functools.cache
def serve_supports_workers() -> bool:
    """Whether this onconav's `serve` takes --workers (issue 17 part B); then the harness asks for one."""
    help_text = subprocess.run(
        [str(VENV_BIN / "onconav"), "serve", "--help"], capture_output=True, text=True, env={**os.environ}
    ).stdout
    return "--workers" in help_text


class Server:
    """`onconav serve` in a process group of its own (SIGKILL takes its workers too), logs in its folder."""

    def __init__(self, environment: dict[str, str], data_dir: Path) -> None:
        self.environment = environment
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.extra_arguments: list[str] = ["--workers", "1"] if serve_supports_workers() else []

    @property
    def log(self) -> Path:
        return self.data_dir / "serve.log"

    def start(self, *, wait: bool = True) -> float:
        """Start the server; the seconds until it answered (0 when not waited for)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        started = time.monotonic()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "onconav"), "serve", "--port", str(self.port), *self.extra_arguments],
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        if wait:
            self.wait_until_serving()
            return time.monotonic() - started
        return 0.0

    def wait_until_serving(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the server stopped while starting; see {self.log}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/", timeout=5).status_code < 500:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log}")
            time.sleep(0.2)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def tracebacks(self) -> int:
        """How many tracebacks the server's log holds (each is a crash of a request or worse)."""
        try:
            return self.log.read_text(errors="replace").count("Traceback (most recent call last)")
        except OSError:
            return 0

    @property
    def database_url(self) -> str:
        return self.environment["ONCONAV_DATABASE_URL"]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def kill(self) -> None:
        """SIGKILL the server and its workers, mid-request."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """The server started for the block, stopped after it."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


def offline_checks(database_url: str, *, documents_dir: Path, checkpoint_file: Path) -> list[str]:
    """What `onconav cases verify` and `onconav audit verify` check, run in this process (no CLI start-up:
    the CI short forms stay short): every stored document against its hash, the audit chain against the
    checkpoints of `checkpoint_file`. The problems found; none when all is intact."""
    from onconav.accounts import audit
    from onconav.cases import service
    from onconav.config import get_settings
    from onconav.db import create_db_engine, make_session_factory
    from onconav.storage import DocumentStore

    previous = os.environ.get("ONCONAV_AUDIT_CHECKPOINT_FILE")
    os.environ["ONCONAV_AUDIT_CHECKPOINT_FILE"] = str(checkpoint_file)
    get_settings.cache_clear()
    engine = create_db_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            damaged = service.verify_documents(session, store=DocumentStore(documents_dir))
            chain = audit.verify(session)
    finally:
        engine.dispose()
        if previous is not None:
            os.environ["ONCONAV_AUDIT_CHECKPOINT_FILE"] = previous
        get_settings.cache_clear()
    problems = [f"document {document_id} missing or altered" for document_id in damaged]
    return problems + [f"audit log: {problem}" for problem in chain.problems]
