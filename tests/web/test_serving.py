"""`onconav serve` as it runs in production, in a subprocess: several worker processes answer while the
first-run work (keyring, schema, demo data) happens once, metrics add up across workers, and SIGTERM lets
an upload in flight finish and be stored before the process exits.
"""

from __future__ import annotations

import io
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from onconav import migrate
from onconav.accounts import service as accounts
from onconav.cases.models import CaseDocument
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory.models import Organization

START_TIMEOUT_S = 240.0  # a first run loads the demo, and each worker builds its reference data
ANSWER_TIMEOUT_S = 60.0
PASSWORD = "correct horse battery staple 42"
SEARCH = "/api/v1/search?q=lobectomy&near=Chicago, IL"
# The environment of the suite that must not leak into the server's.
SUITE_ONLY = ("ONCONAV_DATABASE_URL", "ONCONAV_KEY_FILE", "ONCONAV_DOCUMENTS_DIR", "PROMETHEUS_MULTIPROC_DIR")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """`onconav serve` in a subprocess (its own process group), its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path, *arguments: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "onconav.cli", "serve", "--port", str(self.port), *arguments]
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_until_serving()
        except BaseException:
            self.kill_group()  # no fixture teardown runs for a server that never started
            raise

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.process.poll() is None, self.output()[-3000:]
            assert time.monotonic() < deadline, "the server did not start: " + self.output()[-3000:]
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self) -> int:
        """SIGTERM to the server (the parent, which passes it to its workers); its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=ANSWER_TIMEOUT_S)

    def kill_group(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=ANSWER_TIMEOUT_S)


def server_environment(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in SUITE_ONLY}
    env.update(ONCONAV_DATA_DIR=str(data_dir), ONCONAV_ARGON2_MEMORY_KIB="1024", ONCONAV_ARGON2_TIME_COST="1")
    env.update({f"ONCONAV_{name.upper()}": value for name, value in settings.items()})
    return env


def children_of(pid: int) -> set[int]:
    """Process ids whose parent is `pid` (from /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[ServeProcess]:
    """A first run of `onconav serve --workers 2` on a new SQLite data directory with the tiny demo."""
    env = server_environment(
        tmp_path / "var", demo_size="tiny", expose_worker_pid="true", metrics_dir=str(tmp_path / "metrics")
    )
    server = ServeProcess(env, tmp_path / "serve.log", "--workers", "2")
    yield server
    server.kill_group()


def test_two_workers_answer_and_first_run_work_happens_once(
    two_workers: ServeProcess, tmp_path: Path
) -> None:
    answered_by: set[str] = set()
    searches = 0
    lock = threading.Lock()
    deadline = time.monotonic() + ANSWER_TIMEOUT_S * 2

    def ask() -> None:
        nonlocal searches
        while time.monotonic() < deadline:
            with lock:
                if len(answered_by) >= 2:
                    return
            answer = httpx.get(two_workers.url + SEARCH, timeout=ANSWER_TIMEOUT_S)  # a new connection each
            assert answer.status_code == 200, answer.text
            with lock:
                searches += 1
                answered_by.add(answer.headers["X-Onconav-Worker"])

    askers = [threading.Thread(target=ask) for _ in range(6)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert len(answered_by) == 2, "only one worker process answered"
    assert {int(pid) for pid in answered_by} <= children_of(two_workers.process.pid)

    metrics = httpx.get(two_workers.url + "/metrics", timeout=ANSWER_TIMEOUT_S).text
    counted = sum(
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "onconav_http_requests_total" and sample.labels["route"] == "/api/v1/search"
    )
    assert counted == searches  # the counts of both workers, added up

    assert two_workers.terminate() == 0
    log = two_workers.output()
    assert log.count("No keyring at") == 1 and log.count("First run: loading") == 1
    assert log.count("Started server process") == 2
    assert (tmp_path / "var" / "keys" / "keyring.json").is_file()
    engine = create_db_engine(f"sqlite:///{tmp_path / 'var' / 'onconav.sqlite3'}")
    with unit_of_work(make_session_factory(engine)) as session:
        assert directory.count_providers(session)["organizations"] == directory.planned_demo_size("tiny")[0]
    engine.dispose()
    assert not (tmp_path / "metrics").exists()  # the run's metrics folder goes with it


def noise_png(seed: int) -> bytes:
    """A real PNG of random pixels (~100 KB)."""
    from PIL import Image

    generator = random.Random(seed)
    image = Image.frombytes("RGB", (180, 180), generator.randbytes(180 * 180 * 3))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def multipart(boundary: str, filename: str, data: bytes) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


def refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except OSError:
        return True


def test_sigterm_lets_an_upload_in_flight_finish(tmp_path: Path, accounts_settings: Path) -> None:
    data_dir = tmp_path / "var"
    url = f"sqlite:///{tmp_path / 'onconav.sqlite3'}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        session.add(Organization(name="Not empty: no demo load", kind="clinic"))
        accounts.create_user(
            session, email="patient@example.org", password=PASSWORD, role="patient", verified=True
        )
    env = server_environment(
        data_dir,
        database_url=url,
        key_file=str(accounts_settings),
        documents_dir=str(tmp_path / "documents"),
        graceful_shutdown_seconds="120",
    )
    server = ServeProcess(env, tmp_path / "serve.log", "--workers", "1")
    try:
        signed_in = httpx.post(
            f"{server.url}/api/v1/auth/token",
            json={"email": "patient@example.org", "password": PASSWORD},
            timeout=ANSWER_TIMEOUT_S,
        )
        token = signed_in.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        case = httpx.post(
            f"{server.url}/api/v1/cases",
            json={"title": "scans", "diagnosis": "colon cancer"},
            headers=headers,
            timeout=ANSWER_TIMEOUT_S,
        )
        assert case.status_code == 201, case.text
        body = multipart("upload-boundary-7f3a", "scan.png", noise_png(1))
        half = len(body) // 2
        with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_TIMEOUT_S) as upload:
            upload.sendall(
                (
                    f"POST /api/v1/cases/{case.json()['id']}/documents HTTP/1.1\r\nHost: test\r\n"
                    f"Authorization: Bearer {token}\r\n"
                    "Content-Type: multipart/form-data; boundary=upload-boundary-7f3a\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body[:half]
            )
            time.sleep(0.5)  # let the server read the headers and start the request
            server.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + ANSWER_TIMEOUT_S
            while not refuses_connections(server.port):  # shutting down: it takes no new connection
                assert time.monotonic() < deadline, "the server kept listening after SIGTERM"
                time.sleep(0.1)
            upload.sendall(body[half:])
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = upload.recv(65536)
                if not chunk:
                    break
                answer += chunk
        status_line = answer.split(b"\r\n", 1)[0].decode()
        assert status_line.startswith("HTTP/1.1 201"), answer[:2000]
        assert server.process.wait(timeout=ANSWER_TIMEOUT_S) == 0
    finally:
        server.kill_group()
        get_settings.cache_clear()
    with unit_of_work(make_session_factory(engine)) as session:
        assert session.scalar(select(func.count()).select_from(CaseDocument)) == 1
    assert any(path.is_file() for path in (tmp_path / "documents").rglob("*"))
    engine.dispose()
