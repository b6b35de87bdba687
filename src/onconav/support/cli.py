"""The support services commands: `onconav support import FILE` (the documented CSV, all or nothing) and
`onconav support find` (ranked listings with their reasons; demo listings say so)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from onconav.cli_support import console, database_session, errors, fail, print_json
from onconav.config import get_settings
from onconav.errors import OnconavError
from onconav.support import service
from onconav.support.schemas import SupportSearchResponse

app = typer.Typer(
    help="Support services: counseling, groups, palliative care, financial and legal help.",
    no_args_is_help=True,
)
MAX_FILE_BYTES = 50 * 1024 * 1024


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="A support services CSV (docs/support-services.md).")],
) -> None:
    """Import support service listings from PATH: every row, or nothing when any row is malformed."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.print(f"[bold red]Error:[/] {escape(str(path))} is larger than 50 MB.", highlight=False)
            raise typer.Exit(code=2)
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        errors.print(
            f"[bold red]Error:[/] cannot read {escape(str(path))}: {escape(str(error))}", highlight=False
        )
        raise typer.Exit(code=2) from None
    try:
        with database_session() as session:
            summary = service.import_listings(session, text=text)
    except OnconavError as error:
        for problem in error.details.get("problems", []):
            errors.print(f"line {problem['line']}: {escape(problem['reason'])}", highlight=False)
        fail(error)
    console.print(f"Support services imported: {summary.inserted} new, {summary.updated} updated.")


@app.command("find")
def find(
    condition: Annotated[
        str | None, typer.Option(help="A condition code, e.g. pleural-mesothelioma.")
    ] = None,
    near: Annotated[
        str | None, typer.Option(help="ZIP code, 'City, ST', 'City, Country' or 'lat,lon'.")
    ] = None,
    category: Annotated[str | None, typer.Option(help=", ".join(service.CATEGORIES))] = None,
    language: Annotated[str | None, typer.Option(help="Spoken language (ISO 639-1, e.g. es).")] = None,
    delivery: Annotated[str | None, typer.Option(help="in_person, online or phone")] = None,
    radius_km: Annotated[
        float, typer.Option("--radius-km", help="Radius for in-person services, km.")
    ] = 100.0,
    limit: Annotated[int, typer.Option(help="Number of results (1-100).")] = 20,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Rank support services for a condition near a place, with the reasons for each rank."""
    try:
        with database_session() as session:
            response = service.search_support(
                session,
                category=category,
                condition=condition,
                near=near,
                radius_km=radius_km,
                language=language,
                delivery=delivery,
                limit=limit,
                locale=get_settings().default_locale,
            )
    except OnconavError as error:
        fail(error)
    if as_json:
        print_json(response)
        return
    _print_results(response)


def _print_results(response: SupportSearchResponse) -> None:
    if response.includes_demo:
        console.print("[bold]Demo data:[/] listings marked DEMO are fictional, not real services.")
    table = Table("#", "service", "kind", "how", "score", "why", title=f"{response.total} support service(s)")
    for number, hit in enumerate(response.results, start=1):
        name = escape(hit.service.name) + (" [bold]DEMO[/]" if hit.service.is_demo else "")
        how = hit.reach_label + (f", {hit.distance_km:,.1f} km" if hit.distance_km is not None else "")
        why = "\n".join(f"{reason.points:+.1f} {escape(reason.detail)}" for reason in hit.why)
        table.add_row(str(number), name, hit.service.category_label, how, f"{hit.score:.2f}", why)
    console.print(table)
