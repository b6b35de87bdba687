"""What every command-line face shares: the Rich consoles, the configured database and one unit of work on
it, domain errors printed with exit code 2, JSON output and progress bars.

Only commands that create the database by design (`serve`, `demo load`, `import`, `sync`, `trials import`
and `trials sync`) migrate it, with `migrate.upgrade` in their own body; every other command refuses an
outdated schema and says to run `onconav db upgrade`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav import migrate
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.errors import OnconavError

console = Console()
errors = Console(stderr=True)

ERROR_EXIT_CODE = 2


def fail(error: OnconavError) -> NoReturn:
    """Print the error's message, and the places or terms it suggests, then end the command with code 2."""
    errors.print(f"[bold red]Error:[/] {error.message}", highlight=False)
    suggestions = error.details.get("suggestions")
    if suggestions:
        errors.print("Did you mean: " + "; ".join(suggestions), highlight=False)
    raise typer.Exit(code=ERROR_EXIT_CODE)


@contextmanager
def configured_engine() -> Iterator[Engine]:
    """An engine on the configured database, disposed of when the block ends."""
    engine = create_db_engine()
    try:
        yield engine
    finally:
        engine.dispose()


def require_current_schema(engine: Engine) -> None:
    """End the command with code 2, saying to run `onconav db upgrade`, unless the schema is the newest.

    Migrating here instead would change a production database as a side effect of, say, listing users.
    """
    current = migrate.current_revision(engine)
    newest = migrate.head_revision(engine)
    if current == newest:
        return
    where = escape(engine.url.render_as_string())
    if current is None:
        problem = f"The database {where} has no schema yet."
    else:
        problem = f"The database {where} is at schema revision {current}, not {newest} as this onconav needs."
    errors.print(f"[bold red]Error:[/] {problem} Run `onconav db upgrade` first.", highlight=False)
    raise typer.Exit(code=ERROR_EXIT_CODE)


@contextmanager
def database_session() -> Iterator[Session]:
    """One unit of work on the configured database, whose schema must be the newest; committed when the
    block succeeds (a failed commit raises NotSaved or SaveConflict), rolled back when it raises."""
    with configured_engine() as engine:
        require_current_schema(engine)
        with unit_of_work(make_session_factory(engine)) as session:
            yield session


def print_json(model: BaseModel) -> None:
    """`model` as indented JSON on standard output, written directly so that Rich never wraps or styles it."""
    sys.stdout.write(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")


def progress_bars(*columns: ProgressColumn) -> Progress:
    """Progress bars on the shared console: `columns`, or by default description, bar, done/total and time.

    They stay on screen in a terminal and are cleared otherwise, so that logs and pipes get only the result.
    """
    if not columns:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console, transient=not sys.stdout.isatty())
