"""The `onconav` command line: the Typer app, composed of each domain's commands (its `cli.py`), and the
commands without a domain: `serve`, `db` (schema migrations) and `demo load`.

Each command is a thin face over a service function; errors print their message and exit with 2
(`onconav.cli_support`).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import Engine

from onconav import migrate
from onconav.accounts.cli import audit_app, keys_app, users_app
from onconav.care import cli as care_cli
from onconav.cases import cli as cases_cli
from onconav.cli_support import configured_engine, console, fail, progress_bars
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.directory import cli as directory_cli
from onconav.errors import OnconavError
from onconav.knowledge import cli as knowledge_cli
from onconav.private_paths import private_folder
from onconav.quotes.cli import rates_app
from onconav.support import cli as support_cli
from onconav.trials.cli import trials_app
from onconav.web.warm_up import warm_up_reference_data

app = typer.Typer(
    help="onconav: cancer-care navigation (directory of specialists, knowledge, trials).",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
demo_app = typer.Typer(help="Fictional demo data at real city coordinates.", no_args_is_help=True)
# Registration order is the order of `onconav --help`: commands first, then the groups.
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(trials_app, name="trials")
app.command("import")(directory_cli.import_command)
app.add_typer(directory_cli.sync_app, name="sync")
app.add_typer(cases_cli.app, name="cases")
app.add_typer(care_cli.app, name="followup")
app.command("backup")(cases_cli.backup)
app.command("restore")(cases_cli.restore)
app.command("find")(directory_cli.find)
app.command("explain")(knowledge_cli.explain)
app.add_typer(knowledge_cli.app, name="knowledge")
app.add_typer(support_cli.app, name="support")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(rates_app, name="rates")


class DemoSize(StrEnum):
    tiny = "tiny"
    small = "small"
    large = "large"


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or update the schema to the newest revision (or REVISION)."""
    with configured_engine() as engine:
        migrate.upgrade(engine, revision)
        console.print(
            f"Database at revision {migrate.current_revision(engine)} ({engine.url.render_as_string()})"
        )


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")]) -> None:
    """Take the schema back to REVISION ('base' drops every table)."""
    with configured_engine() as engine:
        migrate.downgrade(engine, revision)
        console.print(f"Database at revision {migrate.current_revision(engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one available."""
    with configured_engine() as engine:
        console.print(f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision(engine)}")


def load_demo_with_progress(size: str, seed: int) -> dict[str, int]:
    """Load the demo (directory, then trials) into the configured database with a progress bar;
    returns rows per table. Real imported trials stay: only the demo trials are replaced."""
    from onconav.directory import service as directory
    from onconav.support import service as support_service
    from onconav.trials import service as trials

    _organizations, practitioners = directory.planned_demo_size(size, seed)  # type: ignore[arg-type]
    with configured_engine() as engine, progress_bars() as progress:
        migrate.upgrade(engine)  # the demo may be the first thing a new installation loads
        task = progress.add_task(f"Demo ({size}): practitioners", total=practitioners)
        with unit_of_work(make_session_factory(engine)) as session:
            counts = directory.load_demo(
                session,
                size=size,  # type: ignore[arg-type]
                seed=seed,
                on_bundle=lambda bundle: progress.advance(task, len(bundle.practitioners)),
            )
            progress.update(task, description="Demo: committing")
        trial_task = progress.add_task(
            f"Demo ({size}): trials",
            total=trials.planned_demo_trials(size),  # type: ignore[arg-type]
        )
        with unit_of_work(make_session_factory(engine)) as session:
            summary = trials.load_demo(
                session,
                size=size,  # type: ignore[arg-type]
                seed=seed,
                on_item=lambda _item: progress.advance(trial_task),
            )
            progress.update(trial_task, description="Demo trials: committing")
        with unit_of_work(make_session_factory(engine)) as session:
            support = support_service.load_demo(session)
    return {
        **counts,
        "trial": summary.inserted,
        "trial_site": summary.sites,
        "support_service": support.inserted,
    }


@demo_app.command("load")
def demo_load(
    size: Annotated[
        DemoSize,
        typer.Option(
            help="tiny: ~300 practitioners, ~80 trials; small: ~2,000 practitioners, ~320 trials; "
            "large: 1,000,000 practitioners, ~1,080 trials."
        ),
    ] = DemoSize.small,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 0,
) -> None:
    """Replace the demo data (fictional centers, doctors and clinical trials at real cities) in the
    database; real imported trials are kept."""
    counts = load_demo_with_progress(size.value, seed)
    table = Table("table", "rows written", title="Demo data loaded")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: ONCONAV_WORKERS, else the number of cores)."),
    ] = None,
) -> None:
    """Serve the web site and API; creates the keyring, the database and the demo data on first run."""
    # Everything the server writes (database, WAL, documents, keys, temporary files) is its owner's only,
    # whatever umask it was started with.
    previous_umask = os.umask(0o077)
    try:
        _serve(host, port, workers)
    finally:
        os.umask(previous_umask)


def _serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    from onconav.web.access_log import uvicorn_log_config
    from onconav.web.metrics import prepare_multiprocess_directory, remove_multiprocess_directory

    settings = get_settings()
    engine = _prepare_first_run()  # once, in this process, before any worker starts
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.effective_workers
    # uvicorn's own access log prints whole URLs, query strings (one-time link tokens) included: ours
    # (onconav.web.access_log) logs route templates and paths only.
    options = {
        "host": host,
        "port": port,
        "log_level": "info",
        "log_config": uvicorn_log_config(),
        "access_log": False,
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds,
    }
    if workers > 1:
        # uvicorn's default (5 s) replaces a worker still importing on a busy machine, again and again.
        options["timeout_worker_healthcheck"] = settings.worker_start_seconds
    console.print(
        f"Serving onconav on http://{host}:{port} with {workers} worker process{'es' if workers > 1 else ''}"
        f"  (database: {engine.url.render_as_string()})"
    )
    if workers == 1:
        from onconav.app import create_app

        application = create_app(engine)
        warm_up_reference_data()
        _run_until_stopped(lambda: uvicorn.run(application, **options))  # type: ignore[arg-type]
    else:
        engine.dispose()  # each worker opens its own connections
        metrics_folder = prepare_multiprocess_directory(settings)
        try:
            # Workers are new interpreters (spawned): each imports the app and builds its reference data.
            _run_until_stopped(
                lambda: uvicorn.run("onconav.app:create_worker_app", factory=True, workers=workers, **options)  # type: ignore[arg-type]
            )
        finally:
            remove_multiprocess_directory(metrics_folder)
    _checkpoint_audit_head(engine)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _StopSignal(Exception):
    """SIGTERM or SIGINT arrived outside uvicorn's own handling of them."""


def _raise_stop_signal(_signal: int, _frame: object) -> None:
    raise _StopSignal


def _run_until_stopped(run_server: Callable[[], None]) -> None:
    """Run the server until a stop signal, then return, so that the shutdown work after it still runs.

    Once it has shut down, uvicorn raises again the signal that stopped it, which by default would end this
    process at once; here it ends `run_server` instead (as does a signal sent before uvicorn took over).
    """
    previous_handlers = {stop: signal.signal(stop, _raise_stop_signal) for stop in STOP_SIGNALS}
    try:
        run_server()
    except _StopSignal:
        pass
    finally:
        for stop, handler in previous_handlers.items():
            signal.signal(stop, handler)


def _prepare_first_run() -> Engine:
    """What must happen once per start, never in a worker: the keyring, the schema, the sweep of uploads
    cut short and, on first run, the demo data. Returns the engine used."""
    from onconav.accounts import crypto
    from onconav.directory import service as directory

    settings = get_settings()
    private_folder(settings.data_dir)
    try:
        # Before anything encrypts or audits: created here once, atomically, never at a first request.
        if crypto.ensure_keyring():
            console.print(
                f"No keyring at {settings.effective_key_file}: created one. In production, create it "
                "ahead with `onconav keys init` (ONCONAV_KEY_FILE says where) and back it up apart from "
                "the database.",
                highlight=False,
                soft_wrap=True,
            )
        crypto.load_keyring()
    except OnconavError as error:
        fail(error)
    engine = create_db_engine()
    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        cases_cli.sweep_leftovers(session)  # uploads cut short by a crash: nothing points at them
        empty = directory.count_providers(session)["organizations"] == 0
    if empty:
        console.print(f"First run: loading the {settings.demo_size} demo directory and trials...")
        load_demo_with_progress(settings.demo_size, 0)
    return engine


def _checkpoint_audit_head(engine: Engine) -> None:
    """On shutdown: anchor the audit log's head outside the database (see `audit.checkpoint_head`)."""
    from onconav.accounts import audit

    with unit_of_work(make_session_factory(engine)) as session:
        point = audit.checkpoint_head(session)
    if point is not None:
        console.print(f"Audit log head checkpointed at event {point.sequence:,}.")


if __name__ == "__main__":
    app()
