"""Backup and restore drill on SQLite and on PostgreSQL with the existing CLI (`onconav backup FILE`,
`onconav restore FILE --yes`): cases, messages and records written through the API, backed up, restored
into a new database and a new documents folder, then checked.

`python -m reliability.backup_restore [--short]` (short: 3 rounds of writes instead of 200). Figures:
time of the backup and of the restore, size of the backup. Invariants (CI): the same rows in the restored
database, every acknowledged write present and intact there, `onconav cases verify` and `onconav audit
verify` pass on it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from reliability.lab import Lab, migrate_with_one_organization, offline_checks
from reliability.report import Report, main
from reliability.traffic import Ledger, make_patients, verify_ledger, write_case_round


def _counts(database_url: str) -> dict[str, int]:
    from onconav.accounts.models import AuditEvent, User
    from onconav.cases.models import Case, CaseDocument, CaseMessage
    from onconav.db import create_db_engine

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                model.__tablename__: int(connection.scalar(select(func.count()).select_from(model)) or 0)
                for model in (User, Case, CaseMessage, CaseDocument, AuditEvent)
            }
    finally:
        engine.dispose()


def _in_process_client(database_url: str, documents_dir: Path, checkpoints: Path) -> TestClient:
    """The app in this process over `database_url` and `documents_dir` (no server to start: quicker)."""
    from onconav.app import create_app
    from onconav.config import get_settings
    from onconav.db import create_db_engine

    os.environ["ONCONAV_DOCUMENTS_DIR"] = str(documents_dir)
    os.environ["ONCONAV_AUDIT_CHECKPOINT_FILE"] = str(checkpoints)
    get_settings.cache_clear()
    return TestClient(create_app(create_db_engine(database_url)))


def drill(report: Report, lab: Lab, backend: str, rounds: int) -> None:
    folder = lab.folder / f"drill-{backend}"
    folder.mkdir()
    if backend == "sqlite":
        source, target = (f"sqlite:///{folder / name}.sqlite3" for name in ("source", "restored"))
    else:
        source, target = lab.postgres.create_database(), lab.postgres.create_database()
    migrate_with_one_organization(source)
    migrate_with_one_organization(target)  # restore replaces it: a machine that was set up, then lost
    documents, restored_documents = folder / "documents", folder / "restored-documents"
    # This machine's audit checkpoints: kept across the restore (the restored log is the one they anchor).
    checkpoints = folder / "audit-checkpoints.jsonl"
    ledger = Ledger()
    email = make_patients(source, 1, prefix=f"drill-{backend}")[0]
    with _in_process_client(source, documents, checkpoints) as client:
        headers = _token(client, email)
        client.headers.update(headers)
        for number in range(rounds):
            write_case_round(client, ledger, f"{backend}-{number}")
    before = _counts(source)
    archive = folder / "backup.tar"
    started = time.monotonic()
    lab.run_cli(
        "backup",
        str(archive),
        database_url=source,
        documents_dir=str(documents),
        audit_checkpoint_file=str(checkpoints),
    )
    backup_seconds = time.monotonic() - started
    started = time.monotonic()
    lab.run_cli(
        "restore",
        "--yes",
        str(archive),
        database_url=target,
        documents_dir=str(restored_documents),
        audit_checkpoint_file=str(checkpoints),
    )
    restore_seconds = time.monotonic() - started
    after = _counts(target)
    report.say(
        f"| {backend} | {ledger.acknowledged} writes ({len(ledger.documents)} records) | "
        f"{archive.stat().st_size / 1024 / 1024:.1f} MiB | {backup_seconds:.1f} s | {restore_seconds:.1f} s |"
    )
    report.check(f"{backend}: the same rows after the restore", before == after)
    if before != after:
        report.say(f"  rows before {before}, after {after}")
    with _in_process_client(target, restored_documents, checkpoints) as client:
        problems = verify_ledger("", dict.fromkeys(ledger.cases, headers), ledger, through=client)
    for problem in problems[:10]:
        report.say(f"  {problem}")
    report.check(f"{backend}: every acknowledged write present and intact after the restore", not problems)
    offline = offline_checks(target, documents_dir=restored_documents, checkpoint_file=checkpoints)
    for problem in offline:
        report.say(f"  {problem}")
    report.check(f"{backend}: stored documents match their hashes, the audit chain is intact", not offline)


def _token(client: TestClient, email: str) -> dict[str, str]:
    from reliability.lab import PASSWORD

    answer = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def run(lab: Lab, short: bool) -> Report:
    report = Report("backup and restore")
    rounds = 3 if short else 200
    report.say(f"Each round writes a case, a message and a PDF record; {rounds} rounds per database.")
    report.say("| database | written | backup size | backup | restore |")
    report.say("|---|---|---:|---:|---:|")
    for backend in ("sqlite", "postgresql"):
        drill(report, lab, backend, rounds)
    return report


if __name__ == "__main__":
    main(run, __doc__.split("\n", 1)[0])
