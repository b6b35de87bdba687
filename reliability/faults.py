"""Faults during writes: SIGKILL of the server, SIGKILL of PostgreSQL, the document store's disk full, the
document store's disk slow. Patients keep writing cases, messages and PDF records throughout; a ledger
keeps every write the server acknowledged.

`python -m reliability.faults [--short]` (short: two writers, one server kill, PostgreSQL down 3 s).
Goals: 503 with Retry-After while PostgreSQL is down, service back within 1 s of its return, a full disk
answered without a 500. Invariants (CI): every acknowledged write present and intact, every record shown
complete, the server serving again after each fault without repair, document hashes and the audit chain
intact.

The lab's server keeps its documents on a 64 MiB tmpfs mounted for the run (root), else on a loop-mounted
ext4 file, else the full-disk phase says it could not run; the disk is filled with a ballast file. The slow
disk is every fsync of the server delayed (a `sitecustomize` on the server's PYTHONPATH, see reliability.lab).
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import time
from pathlib import Path

import httpx

from reliability.lab import Lab, Server, offline_checks
from reliability.report import Report, main
from reliability.traffic import (
    Ledger,
    bearer,
    make_patients,
    percentile,
    verify_ledger,
    write_case_round,
)

WRITERS = 4
SLOW_FSYNC_S = 0.3


class Writer(threading.Thread):
    """One patient writing rounds (case, message, PDF) back to back until stopped; waits a little after a
    failure (the server or its database may be down)."""

    def __init__(self, server: Server, email: str, name: str) -> None:
        super().__init__(daemon=True, name=name)
        self.server = server
        self.headers = bearer(server.url, email)
        self.ledger = Ledger()
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.server.url, headers=self.headers, timeout=30) as client:
            turn = 0
            while not self.halt.is_set():
                turn += 1
                before = self.ledger.unacknowledged
                write_case_round(client, self.ledger, f"{self.name}-{turn}")
                if self.ledger.unacknowledged > before:
                    time.sleep(0.1)


def _writers(server: Server, emails: list[str], phase: str) -> list[Writer]:
    writers = [Writer(server, email, f"{phase}{number}") for number, email in enumerate(emails)]
    for writer in writers:
        writer.start()
    return writers


def _stop(writers: list[Writer]) -> None:
    for writer in writers:
        writer.halt.set()
    for writer in writers:
        writer.join(120)


def _serves(server: Server, headers: dict[str, str]) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(server.url + "/api/v1/cases", headers=headers, timeout=10).status_code == 200
    return False


def server_kills(report: Report, server: Server, emails: list[str], kills: int, every: float) -> list[Writer]:
    report.say(f"-- SIGKILL of the server during writes ({kills} time(s), every {every:.0f} s)")
    writers = _writers(server, emails, "kill")
    for number in range(kills):
        time.sleep(every)
        server.kill()
        seconds = server.start()
        report.say(
            f"  kill {number + 1}: the server was serving again {seconds:.1f} s after its restart began"
        )
    time.sleep(1.0)
    _stop(writers)
    report.check("server serving after SIGKILL without repair", _serves(server, writers[0].headers))
    return writers


def postgres_kill(report: Report, lab: Lab, server: Server, emails: list[str], down: float) -> list[Writer]:
    report.say(f"-- SIGKILL of PostgreSQL during writes (down {down:.0f} s)")
    writers = _writers(server, emails, "pg")
    time.sleep(1.0)
    lab.postgres.kill()
    killed_at = time.monotonic()
    seen: dict[str, int] = {}
    slowest = 0.0
    with httpx.Client(base_url=server.url, headers=writers[0].headers, timeout=30) as probe:
        while time.monotonic() - killed_at < down:
            started = time.monotonic()
            try:
                answer = probe.get("/api/v1/cases")
                key = str(answer.status_code) + (
                    " with Retry-After" if "retry-after" in answer.headers else ""
                )
            except httpx.HTTPError as error:
                key = f"no answer ({type(error).__name__})"
            slowest = max(slowest, time.monotonic() - started)
            seen[key] = seen.get(key, 0) + 1
            time.sleep(0.2)
    report.say(f"  answers while PostgreSQL was down: {seen}; slowest answer {slowest:.2f} s")
    report.goal(
        "503 with Retry-After while PostgreSQL is down",
        set(seen) == {"503 with Retry-After"},
        ", ".join(f"{key}: {count}" for key, count in seen.items()),
    )
    lab.postgres.start()
    returned_at = time.monotonic()
    while not _serves(server, writers[0].headers):
        if time.monotonic() - returned_at > 60:
            break
        time.sleep(0.05)
    back = time.monotonic() - returned_at
    report.goal("service back within 1 s of PostgreSQL's return", back <= 1.0, f"{back:.2f} s")
    time.sleep(1.0)
    _stop(writers)
    report.check(
        "server serving after PostgreSQL's return without repair", _serves(server, writers[0].headers)
    )
    return writers


def noise_png(side: int = 300) -> bytes:
    """A PNG of random pixels (about 270 KB that no compression shrinks), different every time."""
    from PIL import Image

    image = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(image, format="PNG")
    return image.getvalue()


def _upload(server: Server, headers: dict[str, str], case_id: str, label: str) -> tuple[int, float]:
    data = noise_png()  # incompressible: the disk fills quickly
    started = time.monotonic()
    try:
        answer = httpx.post(
            server.url + f"/api/v1/cases/{case_id}/documents",
            files={"file": (f"{label}.png", io.BytesIO(data), "image/png")},
            headers=headers,
            timeout=60,
        )
        return answer.status_code, time.monotonic() - started
    except httpx.HTTPError:
        return 0, time.monotonic() - started


def disk_full(report: Report, server: Server, disk: Path, headers: dict[str, str]) -> None:
    report.say("-- the document store's disk full")
    case_id = httpx.post(
        server.url + "/api/v1/cases",
        json={"title": "Disk", "diagnosis": "lung cancer"},
        headers=headers,
        timeout=60,
    ).json()["id"]
    ballast = disk / "ballast"
    with contextlib.suppress(OSError), open(ballast, "wb") as sink:
        while True:
            sink.write(b"\0" * 65536)
            sink.flush()
    statuses = [_upload(server, headers, case_id, f"full-{number}")[0] for number in range(3)]
    report.say(f"  uploads to a full disk answered: {statuses}")
    report.goal(
        "a full disk answered without a 500 (503 or 507)",
        all(status in (503, 507) for status in statuses),
        f"statuses {statuses}",
    )
    ballast.unlink()
    status, _seconds = _upload(server, headers, case_id, "after-full")
    report.check("uploads work again once space is freed, without repair", status == 201)
    report.check("the server did not die of a full disk", server.alive)


def slow_disk(report: Report, lab: Lab, server: Server, headers: dict[str, str], uploads: int) -> None:
    report.say(f"-- the document store's disk slow (every fsync +{SLOW_FSYNC_S:.1f} s)")
    case_id = httpx.post(
        server.url + "/api/v1/cases",
        json={"title": "Slow", "diagnosis": "lung cancer"},
        headers=headers,
        timeout=60,
    ).json()["id"]
    flag = lab.slow_fsync_file
    flag.write_text(str(SLOW_FSYNC_S))
    try:
        results = [_upload(server, headers, case_id, f"slow-{number}") for number in range(uploads)]
    finally:
        flag.write_text("0")
    statuses = [status for status, _seconds in results]
    seconds = [duration for _status, duration in results]
    report.say(f"  {uploads} uploads: statuses {sorted(set(statuses))}, p50 {percentile(seconds, 0.5):.2f} s")
    report.check("uploads to a slow disk succeed", all(status == 201 for status in statuses))


def run(lab: Lab, short: bool) -> Report:
    report = Report("faults")
    server = lab.demo_server()  # run last: it is broken here on purpose (it comes back)
    report.say(lab.small_disk_note)
    writers: list[Writer] = []
    emails = make_patients(server.database_url, 2 if short else WRITERS, prefix="faults")
    writers += server_kills(report, server, emails, kills=1 if short else 4, every=2.0 if short else 8.0)
    writers += postgres_kill(report, lab, server, emails, down=3.0 if short else 10.0)
    if lab.small_disk_mounted:
        disk_full(report, server, lab.small_disk, writers[0].headers)
    slow_disk(report, lab, server, writers[0].headers, uploads=3 if short else 10)
    _verify(report, lab, server, writers)
    return report


def _verify(report: Report, lab: Lab, server: Server, writers: list[Writer]) -> None:
    acknowledged = sum(writer.ledger.acknowledged for writer in writers)
    unacknowledged = sum(writer.ledger.unacknowledged for writer in writers)
    report.say(f"-- check: {acknowledged} acknowledged writes, {unacknowledged} not acknowledged")
    problems: list[str] = []
    for writer in writers:
        by_case = dict.fromkeys(writer.ledger.cases, writer.headers)
        problems += verify_ledger(server.url, by_case, writer.ledger)
    for problem in problems[:20]:
        report.say(f"  {problem}")
    report.check("every acknowledged write present and intact; every record shown complete", not problems)
    offline = offline_checks(
        server.database_url,
        documents_dir=Path(server.environment["ONCONAV_DOCUMENTS_DIR"]),
        checkpoint_file=Path(server.environment["ONCONAV_AUDIT_CHECKPOINT_FILE"]),
    )
    for problem in offline:
        report.say(f"  {problem}")
    report.check(
        "stored documents match their hashes; the audit chain is intact (cases/audit verify)", not offline
    )
    report.say(f"  tracebacks in the server log (reported, not an invariant): {server.tracebacks()}")


if __name__ == "__main__":
    main(run, __doc__.split("\n", 1)[0])
