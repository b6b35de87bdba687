"""`onconav followup`: reminders (run by a timer), the follow-up templates and their clinician review."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from onconav.cli_support import console, database_session, fail
from onconav.errors import InvalidInput, OnconavError

app = typer.Typer(help="Follow-up plans after treatment: reminders and templates.", no_args_is_help=True)


@app.command("send-reminders")
def send_reminders(
    days: Annotated[int, typer.Option(help="Remind about items due within this many days.")] = 7,
    today: Annotated[str, typer.Option(help="The day to count from (YYYY-MM-DD); default today.")] = "",
) -> None:
    """E-mail each patient with an item due soon (never twice for the same item and date)."""
    from onconav.care import service

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        fail(InvalidInput("“%(value)s” is not a date: write it as YYYY-MM-DD.", value=today[:20]))
    try:
        with database_session() as session:
            count = service.send_reminders(session, today=day, days=days)
    except OnconavError as error:
        fail(error)
    console.print(f"Reminders recorded and sent for {count} item(s).")


@app.command("templates")
def templates() -> None:
    """The follow-up templates with their review state, and what needs a clinician (as `knowledge report`)."""
    from onconav.knowledge import service as knowledge

    for template in knowledge.list_followup_templates():
        review = (
            f"reviewed {template.reviewed.date} by {template.reviewed.reviewer}"
            if template.reviewed
            else "not yet reviewed by a clinician"
        )
        console.print(f"{template.code}: {template.name} ({review}; written {template.written.date})")
    result = knowledge.followup_review_report(today=dt.date.today())
    console.print(f"[bold]Last reviewed or written over a year ago ({len(result.out_of_date)}):[/]")
    for code, date in result.out_of_date:
        console.print(f"  {code} ({date.isoformat()})", highlight=False)
    console.print(f"[bold]Sources without their own date ({len(result.undated_sources)}):[/]")
    for source in result.undated_sources:
        console.print(f"  {source.condition}: {source.key} - {source.title}", highlight=False)


@app.command("review-template")
def review_template(
    code: Annotated[str, typer.Argument(help="The template's code, e.g. after-lung-resection.")],
    reviewer: Annotated[str, typer.Option(help="The clinician's full name.")],
    credentials: Annotated[str, typer.Option(help='For example "MD, thoracic oncology".')],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Record a clinician's review of a follow-up template in its file (commit the file to keep it)."""
    from onconav.knowledge import service as knowledge

    if not yes and not typer.confirm(f"Record that {reviewer} reviewed {code} against its sources today?"):
        raise typer.Exit(code=1)
    try:
        path = knowledge.record_followup_template_review(
            code=code, reviewer=reviewer, credentials=credentials, on=dt.date.today()
        )
    except OnconavError as error:
        fail(error)
    console.print(f"Review recorded in {path}.")
