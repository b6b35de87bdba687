"""Operator commands for quotes: `onconav rates import FILE` loads exchange rates (the ECB reference-rate
CSV layout) that conversions use, and `onconav rates list` shows which dates are loaded. Rates are never
fetched: only what the operator loads is used, with its date shown next to every converted amount."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from onconav.cli_support import console, database_session, fail
from onconav.errors import InvalidInput, OnconavError

rates_app = typer.Typer(help="Exchange rates for comparing offers (loaded from a file, never fetched).")


@rates_app.command("import")
def import_rates(
    file: Annotated[Path, typer.Argument(help="ECB reference-rate CSV: 'Date, USD, JPY, ...', per 1 EUR.")],
    source: Annotated[str, typer.Option(help="Where the file comes from, shown with converted amounts.")] = (
        "ECB euro foreign exchange reference rates"
    ),
) -> None:
    """Load the rates of FILE (a rate already loaded for the same date and currency is replaced)."""
    from onconav.quotes import service

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(InvalidInput("%(file)s cannot be read: %(problem)s", file=str(file), problem=str(error)))
    try:
        rows = service.parse_ecb_csv(text)
        with database_session() as session:
            count = service.import_rates(session, rows=rows, source=source[:200])
    except OnconavError as error:
        fail(error)
    days = sorted({row.rate_date for row in rows})
    console.print(f"Loaded {count} rate(s) for {len(days)} date(s), {days[0]} to {days[-1]}.")


@rates_app.command("list")
def list_rates() -> None:
    """The latest dates with loaded rates."""
    from onconav.quotes import service

    with database_session() as session:
        dates = service.loaded_dates(session)
    if not dates:
        console.print("No exchange rates are loaded: amounts are shown in their own currency only.")
        return
    table = Table("date", "currencies")
    for day, count in dates:
        table.add_row(day.isoformat(), str(count))
    console.print(table)
