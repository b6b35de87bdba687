"""Request bodies over the limit are refused on the stream, before CSRF checks, authentication and form
parsing: a declared length over the limit is answered 413 without reading a byte, and a chunked body is cut
off with 413 as soon as it passes the limit. Bodies are generated lazily and counted as the application
pulls them, so these tests never hold more than a chunk in memory, and prove how much the server read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import http.client
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from onconav.app import create_app
from onconav.cases.models import CaseDocument
from onconav.config import get_settings
from onconav.db import create_db_engine, unit_of_work
from tests.support.accounts import Account
from tests.support.web import LiveServer

MiB = 1024 * 1024
CHUNK = 64 * 1024
UPLOAD_LIMIT = 5 * MiB  # ONCONAV_MAX_UPLOAD_BYTES below; the upload routes accept 1 MiB more of form
BOUNDARY = "limitsboundary"


@pytest.fixture
def bare_app(tmp_path: Path) -> FastAPI:
    """The app over an empty database: the requests of these tests never get as far as a query."""
    return create_app(create_db_engine(f"sqlite:///{tmp_path / 'unused.sqlite3'}"))


@pytest.fixture(autouse=True)
def small_limits(accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("ONCONAV_MAX_UPLOAD_BYTES", str(UPLOAD_LIMIT))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class CountingBody:
    """A multipart body of `size` bytes made on demand, counting what the application pulled."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pulled = 0
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="scan.dcm"\r\n'
            "Content-Type: application/dicom\r\n\r\n"
        ).encode()

    async def receive(self) -> dict[str, Any]:
        if self.pulled >= self.size:
            await asyncio.sleep(3600)  # a client that sent everything waits for the answer
        chunk = self.head if self.pulled == 0 else b"\x00" * min(CHUNK, self.size - self.pulled)
        self.pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": self.pulled < self.size}


def call(
    app: FastAPI, path: str, body: CountingBody, *, declared: bool, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """POST `body` to `app` as an ASGI server would: with Content-Length when `declared`, else chunked."""
    raw_headers = [
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
        (b"host", b"testserver"),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    if declared:
        raw_headers.append((b"content-length", str(body.size).encode()))
    else:
        raw_headers.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # In a thread of its own: a browser test of the same worker may have left an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, asyncio.wait_for(app(scope, body.receive, send), timeout=60)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], response_headers, content


def _documents(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as session:
        return int(session.scalar(select(func.count()).select_from(CaseDocument)) or 0)


def _case_of(client: Any, patient: Account) -> str:
    created = client.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Mesothelioma", "diagnosis": "pleural mesothelioma", "urgency": "routine"},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_an_anonymous_300_mb_upload_with_its_length_is_refused_413_before_a_byte_is_read(
    bare_app: FastAPI,
) -> None:
    body = CountingBody(300 * MiB)
    status, headers, content = call(bare_app, "/api/v1/cases/x/documents", body, declared=True)
    assert status == 413
    assert body.pulled == 0
    assert json.loads(content)["error"]["code"] == "too_large"
    assert headers["connection"] == "close"


def test_an_anonymous_chunked_upload_is_cut_off_at_the_general_limit_not_spooled_whole(
    bare_app: FastAPI,
) -> None:
    """An anonymous caller gets the general limit even on an upload route: it could only earn a 401."""
    body = CountingBody(300 * MiB)
    status, _, _ = call(bare_app, "/api/v1/cases/x/documents", body, declared=False)
    assert status == 413
    assert body.pulled <= get_settings().max_request_bytes + CHUNK


def test_a_chunked_form_to_a_page_is_cut_off_before_the_csrf_check_copies_it(bare_app: FastAPI) -> None:
    """The CSRF middleware reads form bodies to find the token: it now never sees more than the limit."""
    body = CountingBody(551 * MiB)
    cookie = {"cookie": "onconav_csrf=" + "c" * 43}  # a CSRF cookie without a token: the form is read
    status, headers, content = call(bare_app, "/cases/x/documents", body, declared=False, headers=cookie)
    assert status == 413
    assert body.pulled <= get_settings().max_request_bytes + CHUNK
    assert headers["content-type"].startswith("text/html")
    assert b"larger than the limit" in content


def test_a_signed_in_upload_over_the_limit_is_refused_before_the_handler_reads_it(
    client: Any, person: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    patient = person("patient")
    case_id = _case_of(client, patient)
    app = client.app
    declared = CountingBody(UPLOAD_LIMIT + 2 * MiB)
    status, _, _ = call(
        app, f"/api/v1/cases/{case_id}/documents", declared, declared=True, headers=patient.headers
    )
    assert status == 413 and declared.pulled == 0

    chunked = CountingBody(UPLOAD_LIMIT + 5 * MiB)
    status, _, content = call(
        app, f"/api/v1/cases/{case_id}/documents", chunked, declared=False, headers=patient.headers
    )
    assert status == 413, content
    assert chunked.pulled <= get_settings().effective_max_upload_request_bytes + CHUNK
    assert _documents(factory) == 0


def test_a_signed_in_upload_under_the_limit_still_reaches_the_handler(
    client: Any, person: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    patient = person("patient")
    """A body within the upload limit is read whole: the handler decides (here: not a DICOM file, 422)."""
    case_id = _case_of(client, patient)
    body = CountingBody(UPLOAD_LIMIT // 2)
    status, _, content = call(
        client.app, f"/api/v1/cases/{case_id}/documents", body, declared=False, headers=patient.headers
    )
    assert status in (400, 422), content
    assert body.pulled == body.size


def test_a_route_gets_its_own_limit_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, client: Any, person: Callable[..., Account]
) -> None:
    patient = person("patient")
    monkeypatch.setenv("ONCONAV_BODY_LIMITS", json.dumps({"/api/v1/cases": 200}))
    get_settings.cache_clear()
    limited = create_app(client.app.state.engine)
    body = CountingBody(512 * 1024)
    status, _, _ = call(limited, "/api/v1/cases", body, declared=False, headers=patient.headers)
    assert status == 413
    assert body.pulled <= len(body.head) + CHUNK  # cut off at the first chunk past 200 bytes


def test_a_real_server_answers_413_to_a_300_mb_upload_before_the_body_is_sent(
    tmp_path: Path,
) -> None:
    """Over a socket (uvicorn): the answer comes at once and the connection closes, the client cannot
    make the server read the 300 MB it announced."""
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        while sent < 300 * MiB:
            sent += CHUNK
            yield bytes(CHUNK)

    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(300 * MiB)}
    with LiveServer(create_db_engine(f"sqlite:///{tmp_path / 'unused.sqlite3'}")) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request("POST", "/api/v1/cases/x/documents", body=body(), headers=headers)
        response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "too_large"
    assert sent < 300 * MiB  # the server closed the connection long before the body was sent
    connection.close()
