"""Operator commands for cases: `onconav backup FILE`, `onconav restore FILE`, and `onconav cases`
(verify stored documents against their hashes, sweep leftovers after a crash)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from onconav.cli_support import configured_engine, console, database_session, errors, fail
from onconav.config import get_settings
from onconav.errors import OnconavError

app = typer.Typer(help="Second-opinion cases: document checks and clean-up.", no_args_is_help=True)


def backup(file: Annotated[Path, typer.Argument(help="Where to write the backup (a tar file).")]) -> None:
    """Back up the database and the documents into FILE."""
    from onconav import backup as backups

    with configured_engine() as engine:
        try:
            manifest = backups.backup(engine, get_settings().effective_documents_dir, file)
        except OnconavError as error:
            fail(error)
    console.print(
        f"Backup written to {file}: {manifest['backend']} database at revision "
        f"{manifest['schema_revision']}, {manifest['documents']} document(s)."
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `onconav backup`.", exists=True)],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the current data without asking.")] = False,
) -> None:
    """Replace the database and the documents with those in FILE (stop the server first)."""
    from onconav import backup as backups

    if not yes and not typer.confirm("This replaces the current database and documents. Continue?"):
        raise typer.Exit(code=1)
    with configured_engine() as engine:
        try:
            manifest = backups.restore(engine, get_settings().effective_documents_dir, file)
        except OnconavError as error:
            fail(error)
    console.print(f"Restored {manifest['documents']} document(s) and the database from {file}.")


def sweep_leftovers(session: Session) -> int:
    """At start-up: remove staged uploads and files without rows, older than
    ONCONAV_START_UP_SWEEP_MIN_AGE_SECONDS (another machine sharing the store may be uploading)."""
    from onconav.cases import service

    return service.sweep_storage(
        session,
        store=service.document_store(),
        min_age_seconds=get_settings().start_up_sweep_min_age_seconds,
    )


@app.command("verify")
def verify() -> None:
    """Check every stored document against its SHA-256; exit status 1 when any is missing or altered."""
    from onconav.cases import service

    with database_session() as session:
        damaged = service.verify_documents(session, store=service.document_store())
    if damaged:
        errors.print(f"{len(damaged)} document(s) missing or altered: " + ", ".join(damaged))
        raise typer.Exit(code=1)
    console.print("Every stored document matches its hash.")


@app.command("sweep")
def sweep() -> None:
    """Remove staged uploads and files no document points at (run while the server is stopped)."""
    from onconav.cases import service

    with database_session() as session:
        removed = service.sweep_storage(session, store=service.document_store())
    console.print(f"Removed {removed} leftover file(s).")
