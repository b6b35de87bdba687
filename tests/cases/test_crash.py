"""Nothing lost, nothing half-visible: the real server (`onconav serve` in a subprocess) takes uploads and
state changes from several clients at once and is killed with SIGKILL while they are in flight. After a
restart, every acknowledged write is there and intact (SHA-256 of the decrypted bytes), every document row
has its file, and no staged or orphan file is left.
"""

from __future__ import annotations

import hashlib
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
from sqlalchemy import select
from sqlalchemy.engine import Engine

from onconav.accounts import crypto
from onconav.accounts import service as accounts
from onconav.cases import service as cases
from onconav.cases.models import CaseDocument
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.directory.models import Organization
from onconav.storage import DocumentStore

PASSWORD = "correct horse battery staple 42"
WORKERS = 4
ACKS_BEFORE_KILL = 24


def noise_png(seed: int) -> bytes:
    """A real PNG of random pixels (~100 KB, different every time)."""
    from PIL import Image

    generator = random.Random(seed)
    image = Image.frombytes("RGB", (180, 180), generator.randbytes(180 * 180 * 3))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`onconav serve` in its own process group, killable with SIGKILL."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "onconav.cli", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the server did not start: " + self.log.read_text()[-3000:])

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def server(engine: Engine, tmp_path: Path, documents_dir: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "ONCONAV_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "ONCONAV_DATA_DIR": str(tmp_path / "var"),
        "ONCONAV_DOCUMENTS_DIR": str(documents_dir),
        "ONCONAV_START_UP_SWEEP_MIN_AGE_SECONDS": "0",  # one machine: every leftover is a crash's
        "ONCONAV_KEY_FILE": os.environ["ONCONAV_KEY_FILE"],
        "ONCONAV_ARGON2_MEMORY_KIB": "1024",
        "ONCONAV_ARGON2_TIME_COST": "1",
        "ONCONAV_MAX_UPLOAD_BYTES": str(5 * 1024 * 1024),
    }
    crypto.load_keyring()  # one keyring for the test and the server
    with unit_of_work(make_session_factory(engine)) as session:
        session.add(Organization(name="Not empty: no demo load", kind="clinic"))  # serve skips the demo
    running = Server(env, tmp_path / "server.log")
    yield running
    running.stop()


def sign_in(url: str, engine: Engine, email: str) -> dict[str, str]:
    with unit_of_work(make_session_factory(engine)) as session:
        accounts.create_user(session, email=email, password=PASSWORD, role="patient", verified=True)
    response = httpx.post(f"{url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_acknowledged_writes_survive_sigkill(server: Server, engine: Engine, documents_dir: Path) -> None:
    server.start()
    headers = [sign_in(server.url, engine, f"patient{n}@example.org") for n in range(WORKERS)]
    acked_cases: dict[str, tuple[int, str]] = {}  # case id -> (worker, acknowledged state)
    acked_documents: dict[str, tuple[str, str]] = {}  # document id -> (case id, sha256)
    lock = threading.Lock()
    enough = threading.Event()

    def work(worker: int) -> None:
        client = httpx.Client(base_url=server.url, headers=headers[worker], timeout=30)
        seed = worker * 10_000
        try:
            while True:
                created = client.post(
                    "/api/v1/cases", json={"title": f"w{worker}", "diagnosis": "colon cancer"}
                )
                assert created.status_code == 201, created.text
                case_id = created.json()["id"]
                with lock:
                    acked_cases[case_id] = (worker, "draft")
                for _ in range(2):
                    seed += 1
                    data = noise_png(seed)
                    uploaded = client.post(
                        f"/api/v1/cases/{case_id}/documents", files={"file": ("scan.png", data, "image/png")}
                    )
                    assert uploaded.status_code == 201, uploaded.text
                    assert uploaded.json()["sha256"] == hashlib.sha256(data).hexdigest()
                    with lock:
                        acked_documents[uploaded.json()["id"]] = (case_id, uploaded.json()["sha256"])
                        if len(acked_documents) >= ACKS_BEFORE_KILL:
                            enough.set()
                moved = client.post(f"/api/v1/cases/{case_id}/transitions", json={"action": "submit"})
                assert moved.status_code == 200, moved.text
                with lock:
                    acked_cases[case_id] = (worker, "submitted")
        except httpx.TransportError:
            return  # the server died under us: what was not acknowledged may or may not be there
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=300), server.log.read_text()[-3000:]
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert len(acked_documents) >= ACKS_BEFORE_KILL

    server.start()  # start-up sweeps what a killed upload left behind
    for case_id, (worker, state) in acked_cases.items():
        case = httpx.get(f"{server.url}/api/v1/cases/{case_id}", headers=headers[worker], timeout=30)
        assert case.status_code == 200, case.text
        assert case.json()["state"] == state or (state == "draft" and case.json()["state"] == "submitted")
    for document_id, (case_id, sha256) in acked_documents.items():
        worker = acked_cases[case_id][0]
        content = httpx.get(
            f"{server.url}/api/v1/documents/{document_id}/content", headers=headers[worker], timeout=30
        )
        assert content.status_code == 200, content.text
        assert hashlib.sha256(content.content).hexdigest() == sha256
    server.stop()

    store = DocumentStore(documents_dir)
    get_settings.cache_clear()
    with unit_of_work(make_session_factory(engine)) as session:
        rows = set(session.scalars(select(CaseDocument.id)))
        assert set(acked_documents) <= rows
        assert cases.verify_documents(session, store=store) == []  # every row's file, whole and authentic
    assert store.object_ids() == rows  # no orphan object is left visible
    assert list(store.staging.iterdir()) == []  # nor a half-written one
