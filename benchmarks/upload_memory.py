"""Server memory under oversized and hostile uploads: the peak resident memory (RSS, sampled every 10 ms
from /proc) of a real `uvicorn` server process while it answers each request, above its RSS just before,
and the bytes it read (sockets and files) and wrote (spool files, staged uploads) meanwhile.

Requests (all bodies generated on the fly by the client, never held whole):
- an anonymous 300 MB multipart upload to `/api/v1/cases/{id}/documents`, with its Content-Length, then
  chunked (no length);
- a 551 MB chunked form to the page `/cases/{id}/documents` with a CSRF cookie (the CSRF check reads forms);
- a signed-in 210 MB upload (over the 200 MB upload limit and the 201 MB body limit of uploads), with
  its Content-Length, then chunked;
- a signed-in ZIP of one DICOM image and a hidden 600 MB entry of zeros (600 KB compressed), then its
  de-identified copy (`/content?shared=true`) when the upload was accepted.

Sizes are in MiB (written MB). Usage: python benchmarks/upload_memory.py [--src DIR]   (`--src` runs the
server from another checkout's `src`, e.g. `git archive main | tar -x -C /tmp/before` then
`--src /tmp/before/src`, for the figures before a change). A temporary data directory, database and
keyring; nothing else is touched. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

MB = 1024 * 1024  # MiB, like the limits
CHUNK = 256 * 1024
BOUNDARY = "benchmarkboundary"
SERVER = """
import sys, uvicorn
from onconav import migrate
from onconav.accounts import service
from onconav.app import create_app
from onconav.db import create_db_engine, make_session_factory, unit_of_work

engine = create_db_engine()
migrate.upgrade(engine)
with unit_of_work(make_session_factory(engine)) as session:
    user = service.create_user(session, email="bench@example.org", password="benchmarks need a passphrase 9",
                               role="patient", verified=True)
    token = service.issue_access_token(session, user=user, second_factor_done=False).secret
open(sys.argv[2], "w").write(token)
uvicorn.run(create_app(engine), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def io_bytes(pid: int) -> tuple[int, int]:
    """Bytes the process read and wrote through system calls so far (sockets and files: rchar, wchar)."""
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(fields["rchar"]), int(fields["wchar"])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakRss:
    """The largest RSS of `pid` while the block runs, sampled every 10 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = rss_kib(pid)
        self.peak = self.before
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.01)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.2)
        self._running = False
        self._thread.join()


def multipart(
    size: int, filename: str = "scan.dcm", payload: Iterator[bytes] | None = None
) -> Iterator[bytes]:
    """A multipart body with one file field of `size` bytes of zeros (or `payload`)."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    if payload is not None:
        yield from payload
    else:
        sent = 0
        while sent < size:
            chunk = bytes(min(CHUNK, size - sent))
            sent += len(chunk)
            yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def post(port: int, path: str, body: Iterator[bytes], headers: dict[str, str], length: int | None) -> str:
    """Send `body` (with Content-Length when `length` is given, else chunked); the status, or what
    happened when the server closed the connection while it was still being sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    if length is not None:
        headers["Content-Length"] = str(length)
    # The server may answer and close before the whole body is sent: then read its answer.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        connection.request("POST", path, body=body, headers=headers, encode_chunked=length is None)
    try:
        response = connection.getresponse()
        return f"{response.status}"
    except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
        return "connection closed"
    finally:
        connection.close()


def zeros_archive() -> bytes:
    """One DICOM image and a hidden 600 MB entry of zeros, written in chunks (about 600 KB)."""
    from pydicom.data import get_testdata_file

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("series/001.dcm", Path(str(get_testdata_file("CT_small.dcm"))).read_bytes())
        with archive.open(".cache", "w", force_zip64=True) as hidden:
            for _ in range(600):
                hidden.write(bytes(MB))
    return output.getvalue()


def measure(pid: int, label: str, action: object) -> None:
    read_before, written_before = io_bytes(pid)
    with PeakRss(pid) as peak:
        started = time.monotonic()
        outcome = action() if callable(action) else action
        seconds = time.monotonic() - started
    read_after, written_after = io_bytes(pid)
    read, written = (read_after - read_before) / MB, (written_after - written_before) / MB
    before, top = peak.before / 1024, peak.peak / 1024
    print(
        f"| {label} | {outcome} | {seconds:.1f} s | {read:.1f} MB | {written:.1f} MB | "
        f"{before:.0f} MB | {top:.0f} MB | +{top - before:.0f} MB |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "src")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port, token_file = free_port(), Path(folder) / "token"
        environment = {
            **os.environ,
            "PYTHONPATH": str(options.src.resolve()),
            "PYTHONDONTWRITEBYTECODE": "1",
            "ONCONAV_DATA_DIR": folder,
            "ONCONAV_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "ONCONAV_ARGON2_MEMORY_KIB": "1024",
            "ONCONAV_ARGON2_TIME_COST": "1",
            "TMPDIR": folder,
        }
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), str(token_file)], env=environment, cwd=folder
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            print(f"Python {sys.version.split()[0]}, server from {options.src}", flush=True)
            run(server.pid, port, token_file.read_text())
        finally:
            server.terminate()
            server.wait(30)


def run(pid: int, port: int, token: str) -> None:
    signed_in = {"Authorization": f"Bearer {token}"}
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request(
        "POST",
        "/api/v1/cases",
        body=json.dumps({"title": "Benchmark", "diagnosis": "pleural mesothelioma", "urgency": "routine"}),
        headers={**signed_in, "Content-Type": "application/json"},
    )
    case_id = json.loads(connection.getresponse().read())["id"]
    connection.close()
    upload = f"/api/v1/cases/{case_id}/documents"
    head = len(next(multipart(0)))
    tail = len(f"\r\n--{BOUNDARY}--\r\n")
    print("| request | answer | time | server read | server wrote | RSS before | peak RSS | growth |")
    print("|---|---|---|---|---|---|---|---|")
    size = 300 * MB
    measure(
        pid,
        "anonymous 300 MB upload, Content-Length",
        lambda: post(port, upload, multipart(size), {}, head + size + tail),
    )
    measure(pid, "anonymous 300 MB upload, chunked", lambda: post(port, upload, multipart(size), {}, None))
    cookie = {"Cookie": "onconav_csrf=" + "c" * 43}
    size = 551 * MB
    measure(
        pid,
        "551 MB form to a page (CSRF check), chunked",
        lambda: post(port, f"/cases/{case_id}/documents", multipart(size), cookie, None),
    )
    size = 210 * MB
    measure(
        pid,
        "signed-in 210 MB upload, Content-Length",
        lambda: post(port, upload, multipart(size), signed_in, head + size + tail),
    )
    measure(
        pid,
        "signed-in 210 MB upload, chunked",
        lambda: post(port, upload, multipart(size), signed_in, None),
    )
    archive = zeros_archive()
    outcome: dict[str, str] = {}

    def upload_archive() -> str:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        body = b"".join(multipart(0, "study.zip", iter([archive])))
        connection.request(
            "POST",
            upload,
            body=body,
            headers={**signed_in, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        response = connection.getresponse()
        answer = response.read()
        if response.status == 201:
            outcome["id"] = json.loads(answer)["id"]
        return str(response.status)

    measure(
        pid, f"signed-in ZIP: 1 DICOM + hidden 600 MB of zeros ({len(archive) // 1000} KB)", upload_archive
    )
    if "id" in outcome:

        def shared_copy() -> str:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            connection.request(
                "GET", f"/api/v1/documents/{outcome['id']}/content?shared=true", headers=signed_in
            )
            response = connection.getresponse()
            response.read()
            return str(response.status)

        measure(pid, "its de-identified copy", shared_copy)


if __name__ == "__main__":
    main()
