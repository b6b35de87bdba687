"""The directory's commands: `onconav find` (ranked providers near a place), `onconav import SOURCE PATH`
and `onconav sync nppes`, thin faces over the directory service and the import framework."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from onconav.cli_support import (
    configured_engine,
    console,
    database_session,
    errors,
    fail,
    print_json,
    progress_bars,
)
from onconav.config import get_settings
from onconav.errors import OnconavError

if TYPE_CHECKING:
    from onconav.directory.imports.framework import ImportSummary
    from onconav.directory.schemas import SearchResponse

INTERRUPTED_EXIT_CODE = 130  # the shell's code for a command ended by Ctrl-C
# Insurance accepted (docs/insurance.md): small files, checked whole and written in one transaction.
INSURANCE_SOURCES = ("plannet", "insurance-csv")


def find(
    query: Annotated[str, typer.Argument(help="A procedure, condition or specialty, e.g. 'metastasectomy'.")],
    near: Annotated[str, typer.Option("--near", help="ZIP code, 'City, ST', 'City, Country' or 'lat,lon'.")],
    radius_km: Annotated[float, typer.Option("--radius-km", help="Search radius in km.")] = 100.0,
    limit: Annotated[int, typer.Option(help="Number of results (1-100).")] = 20,
    kind: Annotated[
        str | None, typer.Option(help="organization, practitioner, hospital, cancer_center, clinic")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Spoken language (ISO 639-1, e.g. es).")] = None,
    international: Annotated[
        bool, typer.Option(help="Only providers accepting international patients.")
    ] = False,
    designation: Annotated[str | None, typer.Option(help="nci, coc or jci")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Rank specialists and centers for QUERY near a place, with the reasons for each rank."""
    from onconav.directory import service as directory
    from onconav.directory.schemas import SearchResponse
    from onconav.directory.scoring import SearchFilters
    from onconav.i18n import get_translations

    locale = get_settings().default_locale
    filters = SearchFilters(
        kind=kind, language=language, international=international or None, designation=designation
    )
    try:
        with database_session() as session:
            outcome = directory.search_providers(
                session, query=query, near=near, radius_km=radius_km, limit=limit, filters=filters
            )
            response = SearchResponse.from_outcome(
                outcome, query=query, translations=get_translations(locale), locale=locale
            )
    except OnconavError as error:
        fail(error)
    if as_json:
        print_json(response)
        return
    _print_results(response)


def _print_results(response: SearchResponse) -> None:
    place = response.place
    console.print(f"[bold]{response.query}[/] near [bold]{place.name}[/] ({place.lat:.4f}, {place.lon:.4f})")
    if not place.exact:
        console.print(f"  (you typed {place.query!r})")
    if place.alternatives:
        console.print("  other places it could mean: " + "; ".join(place.alternatives))
    coverage = response.coverage
    console.print(
        f"[bold]Coverage:[/] {coverage.known} known, {coverage.likely} likely, {coverage.unknown} unknown. "
        f"{coverage.note}",
        highlight=False,
    )
    if response.expanded_radius_km:
        console.print(
            f"[yellow]Only {response.within_radius_count} result(s) within {response.radius_km:g} km; "
            f"showing the nearest beyond it, up to {response.expanded_radius_km:g} km.[/]"
        )
    for number, result in enumerate(response.results, 1):
        name = result.name + (" [dim](demo data)[/]" if result.demo else "")
        where = f"{result.city}, {result.region or result.country}"
        console.print(
            f"\n[bold]{number:>2}. {result.score:5.1f}[/]  {name}  ·  {where}  ·  "
            f"{result.distance_km:,.0f} km ({result.distance_miles:,.0f} mi)",
            highlight=False,
        )
        if result.kind == "practitioner" and result.organization:
            console.print(f"             {result.organization}", style="dim", highlight=False)
        console.print(f"             {result.evidence_text}", style="italic", highlight=False)
        for reason in result.why:
            source = f"  [dim]({escape(reason.source)})[/]" if reason.source else ""
            console.print(f"      {reason.points:+6.1f}  {reason.detail}{source}", highlight=False)


def import_command(
    source: Annotated[
        str, typer.Argument(help="nppes (and the other registered sources), plannet, insurance-csv.")
    ],
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
    from onconav.directory.imports import framework, registry

    if source in INSURANCE_SOURCES:
        _import_insurance(source, path)
        return

    try:
        importer = registry.get_source(source)
    except OnconavError as error:
        fail(error)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with configured_engine() as engine:
        migrate.upgrade(engine)  # an import may be the first thing a new installation does
        try:
            with progress_bars(*columns) as progress:
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
            fail(error)
        except KeyboardInterrupt:
            errors.print(
                "Interrupted: run the same command again to continue after the last committed batch."
            )
            raise typer.Exit(code=INTERRUPTED_EXIT_CODE) from None
    print_summary(summary)


def _import_insurance(source: str, path: Path) -> None:
    """Import insurance accepted (a Plan-Net Bundle or the documented CSV); rejected rows with reasons."""
    from onconav import migrate
    from onconav.db import make_session_factory, unit_of_work
    from onconav.directory import service

    with configured_engine() as engine:
        migrate.upgrade(engine)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                done = service.import_insurance(session, path=path, source=source)
        except OnconavError as error:
            fail(error)
    written = ", ".join(f"{count:,} {kind}" for kind, count in done.counts.items()) or "nothing"
    console.print(f"{source}: written {written}; {len(done.rejected):,} rejected", highlight=False)
    for rejected in done.rejected:
        errors.print(f"  row {rejected.row}: {escape(rejected.reason)}", highlight=False)


def print_summary(summary: ImportSummary) -> None:
    """The summary table of an import run, and where its rejected rows are."""
    from onconav.directory.imports.framework import COUNT_KEYS

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
    from onconav.directory.imports import framework
    from onconav.directory.imports.formats.nppes_api import SyncQuery
    from onconav.directory.imports.sources.nppes_api import NppesApiSource

    query = SyncQuery(taxonomy=taxonomy, state=state, city=city, limit=limit)
    source = NppesApiSource(query)
    with configured_engine() as engine:
        migrate.upgrade(engine)  # like `import`, a sync may be the first thing a new installation does
        try:
            with console.status(f"NPI Registry: {query.label()}"):
                summary = framework.run_import(
                    engine, source, Path(query.label()), restart=True, identity=query.label()
                )
        except OnconavError as error:
            fail(error)
    print_summary(summary)
    console.print(f"{source.requests} request(s) to the NPI Registry.")
