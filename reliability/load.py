"""Load: the search and case APIs at rising concurrency (8, 16, 32, 64, 128 connections), on PostgreSQL or
SQLite, with latency percentiles (overall and per kind of request), where p99 passes 1 s, every answer that
was not a success, and on PostgreSQL how many database sessions waited for a lock (and for the audit log's
head row) while the level ran.

`python -m reliability.load [--short] [--database sqlite] [--levels 8,64] [--seconds 20]`
(short: 8 connections for 3 s). Goals: 0 errors below saturation; past it, every request answered (a
success or an immediate 503 with Retry-After), none left without an answer. Invariants (CI): no error at 8
connections; the audit chain verifies after the load; the server stays up.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

from reliability.lab import Lab, Server
from reliability.report import Report
from reliability.traffic import SEARCHES, bearer, make_patients, percentile

LEVELS = (8, 16, 32, 64, 128)
SHORT_LEVELS = (8,)
SATURATION_P99_S = 1.0
REQUEST_TIMEOUT_S = 60.0
# An overload answer is "immediate" when it comes within the pool timeout (2 s) and some queueing.
PROMPT_REFUSAL_S = 10.0
KINDS = ("search", "read", "create")
KEEPALIVE_EXPIRY_S = 2.0
WARM_UP_S = 10.0


@dataclass
class Level:
    """What one concurrency level saw."""

    connections: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    errors: dict[str, int] = field(default_factory=dict)  # "503", "500", "no answer" ...
    slowest_refusal: float = 0.0  # the slowest 503
    lock_waits: LockWaits | None = None
    server_side: str = ""  # what the server's access log says of the same requests

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def unanswered(self) -> int:
        return sum(count for kind, count in self.errors.items() if kind.startswith("no answer"))

    @property
    def bad_errors(self) -> int:
        """Errors that are not an overload answer: a 5xx other than a 503 with Retry-After, a 4xx, none."""
        return sum(count for kind, count in self.errors.items() if kind != "503")

    def line(self) -> str:
        rate = len(self.latencies) / self.seconds if self.seconds else 0.0
        errors = ", ".join(f"{kind}: {count}" for kind, count in sorted(self.errors.items())) or "none"
        p50, p95, p99 = (percentile(self.latencies, share) * 1000 for share in (0.50, 0.95, 0.99))
        return (
            f"| {self.connections} | {len(self.latencies)} | {rate:.0f} | "
            f"{p50:,.0f} ms | {p95:,.0f} ms | {p99:,.0f} ms | {errors} |"
        )

    def kinds_line(self) -> str:
        parts = []
        for kind, values in self.by_kind.items():
            p50, p99 = (percentile(values, share) * 1000 for share in (0.50, 0.99))
            parts.append(f"{kind} {len(values)} (p50 {p50:,.0f} ms, p99 {p99:,.0f} ms)")
        waits = f"; {self.lock_waits.describe()}" if self.lock_waits else ""
        return f"  by kind: {', '.join(parts)}{waits}\n  server side: {self.server_side}"


@dataclass
class LockWaits:
    """PostgreSQL sessions of the server's database waiting for a lock, sampled while a level runs."""

    samples: int = 0
    waiting_total: int = 0
    waiting_peak: int = 0
    on_head_total: int = 0
    on_head_peak: int = 0

    def add(self, waiting: int, on_head: int) -> None:
        self.samples += 1
        self.waiting_total += waiting
        self.waiting_peak = max(self.waiting_peak, waiting)
        self.on_head_total += on_head
        self.on_head_peak = max(self.on_head_peak, on_head)

    def describe(self) -> str:
        mean = self.waiting_total / self.samples if self.samples else 0.0
        on_head = self.on_head_total / self.samples if self.samples else 0.0
        return (
            f"sessions waiting for a lock: mean {mean:.1f}, peak {self.waiting_peak} "
            f"(on the audit head: mean {on_head:.1f}, peak {self.on_head_peak}; {self.samples} samples)"
        )


WAITING_SQL = """
SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'),
       count(*) FILTER (WHERE wait_event_type = 'Lock' AND query ILIKE '%audit_head%')
FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


class LockSampler:
    """Samples pg_stat_activity every quarter second in a thread of its own, until stopped."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.waits = LockWaits()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reliability-lock-sampler", daemon=True)

    def _run(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                while not self._stop.wait(0.25):
                    waiting, on_head = connection.execute(text(WAITING_SQL)).one()
                    connection.rollback()
                    self.waits.add(int(waiting), int(on_head))
        except Exception as error:  # a sampler that fails says so; the load goes on
            print(f"  (lock sampler stopped: {type(error).__name__})", flush=True)
        finally:
            engine.dispose()

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


async def _drive(
    base_url: str, level: Level, duration: float, headers: list[dict[str, str]], cases: list[str]
) -> None:
    """`level.connections` clients, each on a keep-alive connection of its own, sending the mix (search,
    read a case, create a case) back to back."""
    # One connection per client, as separate users would have: one shared pool of 128 connections costs the
    # harness itself seconds per request (httpx's pool bookkeeping grows with its size) on a busy machine.
    # Idle connections are closed by the client after 2 s, before the server's keep-alive timeout (uvicorn:
    # 5 s, httpx's own default too) closes them: with equal timeouts a request sent on a connection the
    # server is closing at that moment fails (ReadError), the race every HTTP/1.1 client must avoid.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE_EXPIRY_S)
    deadline = time.monotonic() + duration
    mix = itertools.cycle(("search", "search", "search", "read", "create"))
    searches = itertools.cycle(SEARCHES)

    async def one_client(number: int) -> None:
        own = headers[number % len(headers)]
        case_id = cases[number % len(cases)]
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT_S) as client:
            while time.monotonic() < deadline:
                kind = next(mix)
                started = time.monotonic()
                try:
                    if kind == "search":
                        answer = await client.get(next(searches))
                    elif kind == "read":
                        answer = await client.get(f"/api/v1/cases/{case_id}", headers=own)
                    else:
                        answer = await client.post(
                            "/api/v1/cases", json={"title": "Load", "diagnosis": "lung cancer"}, headers=own
                        )
                    outcome = None if answer.status_code < 400 else str(answer.status_code)
                    if answer.status_code == 503 and "retry-after" not in answer.headers:
                        outcome = "503 without Retry-After"
                except httpx.HTTPError as error:
                    outcome = f"no answer ({type(error).__name__}, {kind})"
                elapsed = time.monotonic() - started
                level.latencies.append(elapsed)
                level.by_kind[kind].append(elapsed)
                if outcome is not None:
                    level.errors[outcome] = level.errors.get(outcome, 0) + 1
                    if outcome == "503":
                        level.slowest_refusal = max(level.slowest_refusal, elapsed)

    started = time.monotonic()
    await asyncio.gather(*(one_client(number) for number in range(level.connections)))
    level.seconds = time.monotonic() - started


def _run_in_own_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """asyncio.run in a thread of its own: the caller's thread may already run an event loop (a browser
    test's, in the same pytest worker), where asyncio.run refuses to start."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as error:  # handed back to the caller's thread
            failure.append(error)

    thread = threading.Thread(target=run, name="reliability-load")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class ServerLog:
    """The server's access log lines (one JSON object per request) written since the last look."""

    def __init__(self, server: Server) -> None:
        self.path = server.log
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def since_last(self) -> str:
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
            self.offset = log.tell()
        durations: list[float] = []
        refusals: list[float] = []
        statuses: dict[int, int] = {}
        other_lines = 0
        for line in text.splitlines():
            if not line.startswith('{"method"'):
                other_lines += bool(line.strip())
                continue
            entry = json.loads(line)
            if entry["route"] == "/api/v1/auth/token":
                continue
            statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
            (refusals if entry["status"] == 503 else durations).append(entry["duration_ms"])
        answered = ", ".join(f"{status} x {count}" for status, count in sorted(statuses.items()))
        return (
            f"{answered or 'nothing logged'}; successes p50 {percentile(durations, 0.5):,.0f} ms, "
            f"p99 {percentile(durations, 0.99):,.0f} ms; slowest 503 {max(refusals, default=0):,.0f} ms; "
            f"{other_lines} other log lines"
        )


def sqlite_server(lab: Lab, **settings: str) -> Server:
    """A server of the lab over a SQLite file holding the small demo (or, short, one organization)."""
    from reliability.lab import migrate_with_one_organization

    url = f"sqlite:///{lab.folder / 'load-sqlite' / 'onconav.sqlite'}"
    (lab.folder / "load-sqlite").mkdir(exist_ok=True)
    if lab.demo:
        lab.run_cli("demo", "load", "--size", "small", database_url=url)
    else:
        migrate_with_one_organization(url)
    server = lab.server(url, name="load-sqlite-server", **settings)
    server.start()
    return server


def _audit_chain_problems(server: Server) -> list[str]:
    """What `onconav audit verify` finds in the server's database (none when the chain is intact)."""
    from onconav.accounts import audit
    from onconav.db import create_db_engine, make_session_factory

    engine = create_db_engine(server.database_url)
    try:
        with make_session_factory(engine)() as session:
            report = audit.verify(session)
    finally:
        engine.dispose()
    # The server's checkpoints are in its own file; the chain itself is what concurrent appends could break.
    return [problem for problem in report.problems if "checkpoint" not in problem]


def run(
    lab: Lab,
    short: bool,
    *,
    database: str = "postgresql",
    levels: tuple[int, ...] | None = None,
    seconds: float | None = None,
    threads: int | None = None,
) -> Report:
    report = Report(f"load ({database})")
    settings = {"worker_threads": str(threads)} if threads else {}
    server = lab.demo_server(**settings) if database == "postgresql" else sqlite_server(lab, **settings)
    emails = make_patients(server.database_url, 4 if short else 16, prefix="load")
    headers = [bearer(server.url, email) for email in emails]
    cases = [
        httpx.post(
            server.url + "/api/v1/cases",
            json={"title": "Load", "diagnosis": "lung cancer"},
            headers=own,
            timeout=60,
        ).json()["id"]
        for own in headers
    ]
    duration = seconds or (3.0 if short else 20.0)
    report.say(f"Mix: 3 searches : 1 case read : 1 case creation; {duration:.0f} s per level; {database}.")
    report.say("| connections | requests | req/s | p50 | p95 | p99 | errors |")
    report.say("|---|---:|---:|---:|---:|---:|---|")
    if not short:  # a fresh server opens its connections and fills its caches: not part of any level
        _run_in_own_thread(_drive(server.url, Level(8), WARM_UP_S, headers, cases))
    saturated_at = None
    for connections in levels or (SHORT_LEVELS if short else LEVELS):
        level = Level(connections)
        server_log = ServerLog(server)
        if database == "postgresql":
            with LockSampler(server.database_url) as sampler:
                _run_in_own_thread(_drive(server.url, level, duration, headers, cases))
            level.lock_waits = sampler.waits
        else:
            _run_in_own_thread(_drive(server.url, level, duration, headers, cases))
        time.sleep(1)  # the server's last lines reach its log
        level.server_side = server_log.since_last()
        report.say(level.line())
        report.say(level.kinds_line())
        p99 = percentile(level.latencies, 0.99)
        if connections == SHORT_LEVELS[0]:
            report.check("no error at 8 connections", level.error_count == 0)
        if saturated_at is None:
            report.goal(
                f"0 errors below saturation ({connections} connections)",
                level.error_count == 0 or p99 > SATURATION_P99_S,
                f"{level.error_count} errors, p99 {p99 * 1000:.0f} ms",
            )
        else:
            report.goal(
                f"past saturation, every request answered: a success or a prompt 503 with Retry-After "
                f"({connections} connections)",
                level.bad_errors == 0 and level.slowest_refusal <= PROMPT_REFUSAL_S,
                f"{level.bad_errors} other errors, slowest 503 {level.slowest_refusal:.1f} s",
            )
        if p99 > SATURATION_P99_S and saturated_at is None:
            saturated_at = connections
            report.say(f"  p99 passed {SATURATION_P99_S:.0f} s at {connections} connections (saturation)")
    report.say(f"saturation (p99 over 1 s) at {saturated_at or 'none of these'} connections")
    report.check("server alive after the load", server.alive)
    problems = _audit_chain_problems(server)
    report.say(f"audit chain after the load: {'intact' if not problems else '; '.join(problems[:5])}")
    report.check("the audit chain verifies after the load", not problems)
    tracebacks = server.tracebacks()
    report.goal("no traceback in the server log", tracebacks == 0, f"{tracebacks} tracebacks")
    if database != "postgresql":
        server.stop()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--short", action="store_true", help="The short form (what CI runs).")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--levels", help="Connections per level, comma-separated (default 8,16,32,64,128).")
    parser.add_argument("--seconds", type=float, help="Seconds per level (default 20, short 3).")
    parser.add_argument("--threads", type=int, help="The server's request threads (default: its own, 32).")
    options = parser.parse_args()
    levels = tuple(int(part) for part in options.levels.split(",")) if options.levels else None
    with Lab(demo=not options.short) as lab:
        report = run(
            lab,
            options.short,
            database=options.database,
            levels=levels,
            seconds=options.seconds,
            threads=options.threads,
        )
    print(report.summary(), flush=True)
    sys.exit(1 if report.broken else 0)


if __name__ == "__main__":
    main()
