"""Costs of protecting patient data, each beside a baseline measured in the same run:
- Argon2id password hashing at the production cost, beside one SHA-256 (what an attacker's guess costs);
- chained audit events appended in one transaction, beside plain inserts of the same rows without the chain;
- `audit verify` over those events;
- file encryption in 64 KiB chunks (AES-256-GCM, envelope keys), beside copying the same bytes.

Usage: python benchmarks/accounts.py [--events 20000] [--megabytes 64]   (a temporary SQLite database
and keyring; nothing else is touched). Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from onconav import migrate
from onconav.accounts import audit, crypto, passwords
from onconav.accounts.models import AuditEvent
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, new_id, unit_of_work, utcnow


def timed(label: str, seconds: float, count: int, unit: str) -> float:
    rate = count / seconds
    print(f"  {label:<48} {seconds * 1000:10.1f} ms  {rate:12,.0f} {unit}/s")
    return rate


def bench_passwords(rounds: int) -> None:
    print(f"Password hashing ({rounds} hashes at the production cost: 64 MiB, 3 passes)")
    os.environ.pop("ONCONAV_ARGON2_MEMORY_KIB", None)
    os.environ.pop("ONCONAV_ARGON2_TIME_COST", None)
    get_settings.cache_clear()
    start = time.perf_counter()
    digests = [passwords.hash_password(f"a long passphrase number {i}") for i in range(rounds)]
    argon = time.perf_counter() - start
    start = time.perf_counter()
    for digest in digests:
        passwords.verify_password(digest, "a long passphrase number 0")
    verify = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(rounds * 1000):
        hashlib.sha256(f"a long passphrase number {i}".encode()).digest()
    sha = time.perf_counter() - start
    print(
        f"  Argon2id hash: {argon / rounds * 1000:.1f} ms each; verify: {verify / rounds * 1000:.1f} ms each"
    )
    print(f"  SHA-256: {sha / (rounds * 1000) * 1e6:.2f} µs each")
    print(
        f"  ratio: one Argon2id guess costs {argon / rounds / (sha / (rounds * 1000)):,.0f} SHA-256 guesses"
    )


def bench_audit(directory: Path, events: int) -> None:
    print(f"Audit log ({events:,} events, SQLite)")
    engine = create_db_engine(f"sqlite:///{directory / 'audit.sqlite3'}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        for number in range(events):
            audit.record(
                session,
                event_type="case.read",
                action="read",
                actor_id=new_id(),
                actor_role="specialist",
                patient_id=new_id(),
                entity_type="case",
                entity_id=new_id(),
                source_ip="203.0.113.7",
                detail=f"n={number}",
            )
    chained = timed("chained events, one transaction", time.perf_counter() - start, events, "events")
    rows = [
        {
            "sequence": 10_000_000 + number,
            "id": new_id(),
            "recorded_at": utcnow(),
            "event_type": "case.read",
            "action": "R",
            "outcome": "success",
            "actor_id": new_id(),
            "actor_role": "specialist",
            "patient_id": new_id(),
            "entity_type": "case",
            "entity_id": new_id(),
            "source_ip": "203.0.113.7",
            "detail": f"n={number}",
            "previous_hash": "0" * 64,
            "hash": "0" * 64,
        }
        for number in range(events)
    ]
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        for row in rows:
            session.execute(insert(AuditEvent).values(**row))
    plain = timed("plain inserts of the same rows (baseline)", time.perf_counter() - start, events, "rows")
    print(f"  ratio: chaining costs {plain / chained:.2f}x the plain insert")
    with unit_of_work(factory) as session:
        session.execute(AuditEvent.__table__.delete().where(AuditEvent.sequence >= 10_000_000))
    start = time.perf_counter()
    with factory() as session:
        report = audit.verify(session)
    assert report.intact
    timed("audit verify", time.perf_counter() - start, report.events, "events")
    engine.dispose()


def bench_files(directory: Path, megabytes: int) -> None:
    print(f"File encryption ({megabytes} MiB in 64 KiB chunks, AES-256-GCM)")
    engine = create_db_engine(f"sqlite:///{directory / 'files.sqlite3'}")
    migrate.upgrade(engine)
    data = os.urandom(megabytes * 1024 * 1024)
    with unit_of_work(make_session_factory(engine)) as session:
        crypto.current_data_key(session)
        start = time.perf_counter()
        sink = io.BytesIO()
        crypto.encrypt_stream(session, io.BytesIO(data), sink, context="bench")
        encrypt = time.perf_counter() - start
        start = time.perf_counter()
        total = sum(
            len(chunk)
            for chunk in crypto.decrypt_stream(session, io.BytesIO(sink.getvalue()), context="bench")
        )
        decrypt = time.perf_counter() - start
        assert total == len(data)
    start = time.perf_counter()
    copy = io.BytesIO()
    source = io.BytesIO(data)
    while chunk := source.read(crypto.CHUNK_SIZE):
        copy.write(chunk)
    baseline = time.perf_counter() - start
    print(f"  encrypt: {megabytes / encrypt:8.0f} MiB/s   decrypt: {megabytes / decrypt:8.0f} MiB/s")
    print(f"  chunked copy (baseline): {megabytes / baseline:8.0f} MiB/s")
    overhead = len(sink.getvalue()) - len(data)
    print(f"  ratio: encryption takes {encrypt / baseline:.1f}x the copy; overhead {overhead:,} bytes")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--megabytes", type=int, default=64)
    parser.add_argument("--password-rounds", type=int, default=10)
    arguments = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["ONCONAV_KEY_FILE"] = str(Path(folder) / "keyring.json")
        get_settings.cache_clear()
        crypto.create_keyring()  # as `onconav keys init` does, so first use does not warn
        bench_passwords(arguments.password_rounds)
        bench_audit(Path(folder), arguments.events)
        bench_files(Path(folder), arguments.megabytes)


if __name__ == "__main__":
    main()
