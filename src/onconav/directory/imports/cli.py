"""`onconav import SOURCE PATH` (and `onconav sync`): thin faces over the import framework."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from onconav.errors import OnconavError

console = Console()
errors = Console(stderr=True)


def import_command(
    source: Annotated[str, typer.Argument(help="nppes (and the other registered sources).")],
    path: Annotated[
        Path, typer.Argument(help="The source file.", exists=True, dir_okay=False, readable=True)
    ],
    report: Annotated[
        Path | None,
        typer.Option(help="CSV of rejected rows. Default: <data dir>/imports/<source>-run<id>-rejected.csv"),
    ] = None,
    restart: Annotated[
        bool, typer.Option(help="Start from the first row even if a run of this file was interrupted.")
    ] = False,
    parallel: Annotated[
        bool, typer.Option(help="Read and parse in a second process while this one writes (2+ idle cores).")
    ] = False,
) -> None:
    """Import a real data file into the directory: streaming, idempotent, resumable."""
    from onconav import migrate
    from onconav.db import create_db_engine
    from onconav.directory.imports import framework, registry

    try:
        importer = registry.get_source(source)
    except OnconavError as error:
        errors.print(f"[bold red]Error:[/] {error.message}", highlight=False)
        raise typer.Exit(code=2) from None
    engine = create_db_engine()
    migrate.upgrade(engine)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=not sys.stdout.isatty()) as progress:
            task = progress.add_task(f"{source}: importing", total=importer.total_size(path))

            def on_progress(position: int, counts: dict[str, int]) -> None:
                description = (
                    f"{source}: {counts['read']:,} read, {counts['inserted']:,} new, "
                    f"{counts['updated']:,} updated, {counts['rejected']:,} rejected"
                )
                progress.update(task, completed=position, description=description)

            summary = framework.run_import(
                engine,
                importer,
                path,
                report_path=report,
                restart=restart,
                parallel=parallel,
                on_progress=on_progress,
            )
    except OnconavError as error:
        errors.print(f"[bold red]Error:[/] {error.message}", highlight=False)
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        errors.print("Interrupted: run the same command again to continue after the last committed batch.")
        raise typer.Exit(code=130) from None
    finally:
        engine.dispose()
    print_summary(summary)


def print_summary(summary: object) -> None:
    """The summary table of an import run, and where its rejected rows are."""
    from onconav.directory.imports.framework import COUNT_KEYS, ImportSummary

    assert isinstance(summary, ImportSummary)
    title = f"{summary.source}: {summary.path}"
    if summary.resumed_from_row:
        title += f" (continued after row {summary.resumed_from_row:,})"
    table = Table("rows", "count", title=title)
    for key in COUNT_KEYS:
        table.add_row(key, f"{summary.counts[key]:,}")
    console.print(table)
    console.print(f"{summary.seconds:,.1f} s, {summary.rows_per_second:,.0f} rows/s (this session)")
    if summary.counts["rejected"]:
        console.print(f"Rejected rows and reasons: {summary.report_path}")
        for rejection in summary.rejections[:5]:
            console.print(f"  row {rejection.row:,} ({rejection.source_id or '?'}): {rejection.reason}")


sync_app = typer.Typer(
    help="Fetch fresh records from live public APIs (needs internet).", no_args_is_help=True
)


@sync_app.command("nppes")
def sync_nppes(
    taxonomy: Annotated[
        str, typer.Option(help="A NUCC code (207RX0202X) or taxonomy description words ('Medical Oncology').")
    ],
    state: Annotated[str, typer.Option(help="Two-letter US state of the practice address, e.g. NY.")],
    city: Annotated[str | None, typer.Option(help="City of the practice address.")] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, max=1200, help="At most this many results (the API serves 1,200).")
    ] = None,
) -> None:
    """Fetch providers from the NPPES NPI Registry API v2.1 and import them like rows of the NPPES file."""
    from onconav import migrate
    from onconav.db import create_db_engine
    from onconav.directory.imports import framework
    from onconav.directory.imports.formats.nppes_api import SyncQuery
    from onconav.directory.imports.sources.nppes_api import NppesApiSource

    query = SyncQuery(taxonomy=taxonomy, state=state, city=city, limit=limit)
    source = NppesApiSource(query)
    engine = create_db_engine()
    migrate.upgrade(engine)
    try:
        with console.status(f"NPI Registry: {query.label()}"):
            summary = framework.run_import(
                engine, source, Path(query.label()), restart=True, identity=query.label()
            )
    except OnconavError as error:
        errors.print(f"[bold red]Error:[/] {error.message}", highlight=False)
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    print_summary(summary)
    console.print(f"{source.requests} request(s) to the NPI Registry.")
