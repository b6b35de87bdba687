"""The `onconav` command line: serve the site, manage the database, load demo data, search.

Each command is a thin face over a service function; errors print their message and exit with 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from onconav import migrate
from onconav.accounts.cli import audit_app, keys_app, users_app
from onconav.cases import cli as cases_cli
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.directory.imports.cli import import_command, sync_app
from onconav.errors import OnconavError
from onconav.trials.cli import trials_app

app = typer.Typer(
    help="onconav: cancer-care navigation (directory of specialists, knowledge, trials).",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
demo_app = typer.Typer(help="Fictional demo data at real city coordinates.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(trials_app, name="trials")
app.command("import")(import_command)
app.add_typer(sync_app, name="sync")
app.add_typer(cases_cli.app, name="cases")
app.command("backup")(cases_cli.backup)
app.command("restore")(cases_cli.restore)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
console = Console()
errors = Console(stderr=True)


class DemoSize(StrEnum):
    tiny = "tiny"
    small = "small"
    large = "large"


@contextmanager
def _session() -> Iterator[Session]:
    engine = create_db_engine()
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _print_json(model: BaseModel) -> None:
    sys.stdout.write(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")


def _fail(error: OnconavError) -> None:
    errors.print(f"[bold red]Error:[/] {error.message}", highlight=False)
    suggestions = error.details.get("suggestions")
    if suggestions:
        errors.print("Did you mean: " + "; ".join(suggestions), highlight=False)
    raise typer.Exit(code=2)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or update the schema to the newest revision (or REVISION)."""
    engine = create_db_engine()
    migrate.upgrade(engine, revision)
    console.print(
        f"Database at revision {migrate.current_revision(engine)} ({engine.url.render_as_string()})"
    )
    engine.dispose()


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")]) -> None:
    """Take the schema back to REVISION ('base' drops every table)."""
    engine = create_db_engine()
    migrate.downgrade(engine, revision)
    console.print(f"Database at revision {migrate.current_revision(engine)}")
    engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one available."""
    engine = create_db_engine()
    console.print(f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision(engine)}")
    engine.dispose()


def load_demo_with_progress(size: str, seed: int) -> dict[str, int]:
    """Load the demo (directory, then trials) into the configured database with a progress bar;
    returns rows per table. Real imported trials stay: only the demo trials are replaced."""
    from onconav.directory import service as directory
    from onconav.trials import service as trials

    engine = create_db_engine()
    migrate.upgrade(engine)
    _organizations, practitioners = directory.planned_demo_size(size, seed)  # type: ignore[arg-type]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=not sys.stdout.isatty()) as progress:
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
    engine.dispose()
    return {**counts, "trial": summary.inserted, "trial_site": summary.sites}


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
        with _session() as session:
            outcome = directory.search_providers(
                session, query=query, near=near, radius_km=radius_km, limit=limit, filters=filters
            )
            response = SearchResponse.from_outcome(
                outcome, query=query, translations=get_translations(locale), locale=locale
            )
    except OnconavError as error:
        _fail(error)
        return
    if as_json:
        _print_json(response)
        return
    _print_results(response)


def _print_results(response: object) -> None:
    from onconav.directory.schemas import SearchResponse

    assert isinstance(response, SearchResponse)
    place = response.place
    console.print(f"[bold]{response.query}[/] near [bold]{place.name}[/] ({place.lat:.4f}, {place.lon:.4f})")
    if not place.exact:
        console.print(f"  (you typed {place.query!r})")
    if place.alternatives:
        console.print("  other places it could mean: " + "; ".join(place.alternatives))
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
        for reason in result.why:
            console.print(f"      {reason.points:+6.1f}  {reason.detail}", highlight=False)


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="A phrase ('stage 4 mesothelioma') or a whole clinical note.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """What TEXT says: condition (OncoTree, ICD-10-CM), stage, spread, biomarkers, and the options."""
    from onconav.knowledge import service as knowledge

    try:
        result = knowledge.explain_text(text)
    except OnconavError as error:
        _fail(error)
        return
    if as_json:
        _print_json(result)
        return
    if result.condition is None:
        console.print("No cancer is named in this text.")
    else:
        c = result.condition
        codes = ", ".join(
            filter(
                None,
                [
                    f"OncoTree {', '.join(c.oncotree)}" if c.oncotree else "",
                    f"ICD-10-CM {', '.join(c.icd10)}" if c.icd10 else "",
                ],
            )
        )
        console.print(f"[bold]Condition:[/] {c.name} ({codes}) from {c.matched_text!r}", highlight=False)
    console.print(f"[bold]Stage:[/] {result.stage or 'not stated'}", highlight=False)
    if result.metastatic_sites:
        console.print(f"[bold]Spread to:[/] {', '.join(result.metastatic_sites)}", highlight=False)
    for marker in result.biomarkers:
        value = f" {marker['value']}" if marker.get("value") else ""
        console.print(f"[bold]Biomarker:[/] {marker['name']} {marker['status']}{value}", highlight=False)
    for negated in result.negated:
        console.print(f"[dim]Not the patient's: {negated['text']!r} ({negated['cue']})[/]", highlight=False)
    for option in result.options:
        console.print(f"- {option.modality} ({option.intent}): {option.summary}", highlight=False)
    if result.condition is not None:
        console.print("Information only: talk with your care team about your options.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the web site and API; creates the keyring, the database and the demo data on first run."""
    import uvicorn

    from onconav.accounts import crypto
    from onconav.app import create_app
    from onconav.directory import service as directory

    settings = get_settings()
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
        _fail(error)
        return
    engine = create_db_engine()
    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        cases_cli.sweep_leftovers(session)  # uploads cut short by a crash: nothing points at them
        empty = directory.count_providers(session)["organizations"] == 0
    if empty:
        console.print(f"First run: loading the {settings.demo_size} demo directory and trials...")
        load_demo_with_progress(settings.demo_size, 0)
    host = host or settings.host
    port = port or settings.port
    application = create_app(engine)
    warm_up_reference_data()
    console.print(f"Serving onconav on http://{host}:{port}  (database: {engine.url.render_as_string()})")
    uvicorn.run(application, host=host, port=port, log_level="info")


def warm_up_reference_data() -> None:
    """Build the place, knowledge and text-understanding tables now, then exempt them from garbage
    collection: otherwise a full collection walks their ~0.5 M objects in the middle of a request
    (about 280 ms, measured by benchmarks/trials.py)."""
    import gc

    from onconav.geo import service as geo
    from onconav.knowledge import service as knowledge
    from onconav.knowledge.understanding import explain

    geo.resolve_place("Boston, MA")
    knowledge.list_conditions()
    explain("stage 4 lung adenocarcinoma with brain metastases, EGFR positive")
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    app()
