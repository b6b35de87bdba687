"""The knowledge base's commands: `onconav explain TEXT`, what a phrase or a clinical note says (condition,
stage, spread, biomarkers) and the treatment options, as text or JSON; `onconav knowledge review` and
`onconav knowledge report`, the clinician review of the content."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from onconav.cli_support import console, fail, print_json
from onconav.errors import OnconavError

app = typer.Typer(
    help="The cancer content: clinician reviews and what still needs one.", no_args_is_help=True
)


@app.command("review")
def review(
    condition: Annotated[str, typer.Argument(help="The condition's code, e.g. pleural-mesothelioma.")],
    reviewer: Annotated[str, typer.Option(help="The reviewing clinician's full name.")],
    credentials: Annotated[str, typer.Option(help="Their credentials, e.g. 'MD, thoracic oncology'.")],
    on: Annotated[str | None, typer.Option(help="Date of the review (YYYY-MM-DD); today by default.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Record that a clinician has read CONDITION's file against its sources (writes the YAML file)."""
    from onconav.knowledge import service as knowledge

    try:
        date = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        console.print(f"Not a date: {on!r} (use YYYY-MM-DD).")
        raise typer.Exit(2) from None
    if knowledge.get_condition(condition) is None:
        console.print(f"Nothing called {condition!r} is in the catalogue.")
        raise typer.Exit(2)
    question = f"Record that {reviewer} ({credentials}) reviewed {condition} on {date.isoformat()}?"
    if not yes and not typer.confirm(question):
        console.print("Nothing recorded.")
        raise typer.Exit(1)
    try:
        path = knowledge.record_condition_review(
            code=condition, reviewer=reviewer, credentials=credentials, on=date
        )
    except OnconavError as error:
        fail(error)
    console.print(f"Recorded in {path}. Commit the file so that the review is kept.", highlight=False)


@app.command("report")
def report() -> None:
    """What needs a clinician: unreviewed conditions, reviews over a year old, sources without a date."""
    from onconav.knowledge import service as knowledge

    result = knowledge.review_state_report(today=dt.date.today())
    console.print(f"[bold]Not yet reviewed by a clinician ({len(result.unreviewed)}):[/]")
    for code in result.unreviewed:
        console.print(f"  {code}", highlight=False)
    console.print(f"[bold]Last reviewed or written over a year ago ({len(result.out_of_date)}):[/]")
    for code, date in result.out_of_date:
        console.print(f"  {code} ({date.isoformat()})", highlight=False)
    console.print(f"[bold]Sources without their own date ({len(result.undated_sources)}):[/]")
    for source in result.undated_sources:
        console.print(f"  {source.condition}: {source.key} - {source.title}", highlight=False)


def explain(
    text: Annotated[str, typer.Argument(help="A phrase ('stage 4 mesothelioma') or a whole clinical note.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """What TEXT says: condition (OncoTree, ICD-10-CM), stage, spread, biomarkers, and the options."""
    from onconav.knowledge import service as knowledge

    try:
        result = knowledge.explain_text(text)
    except OnconavError as error:
        fail(error)
    if as_json:
        print_json(result)
        return
    if result.condition is None:
        console.print("No cancer is named in this text.")
    else:
        condition = result.condition
        codes = ", ".join(
            filter(
                None,
                [
                    f"OncoTree {', '.join(condition.oncotree)}" if condition.oncotree else "",
                    f"ICD-10-CM {', '.join(condition.icd10)}" if condition.icd10 else "",
                ],
            )
        )
        console.print(
            f"[bold]Condition:[/] {condition.name} ({codes}) from {condition.matched_text!r}", highlight=False
        )
    console.print(f"[bold]Stage:[/] {result.stage or 'not stated'}", highlight=False)
    if result.metastatic_sites:
        console.print(f"[bold]Spread to:[/] {', '.join(result.metastatic_sites)}", highlight=False)
    for marker in result.biomarkers:
        value = f" {marker['value']}" if marker.get("value") else ""
        console.print(f"[bold]Biomarker:[/] {marker['name']} {marker['status']}{value}", highlight=False)
    for negated in result.negated:
        console.print(f"[dim]Not the patient's: {negated['text']!r} ({negated['cue']})[/]", highlight=False)
    for option in result.options:
        label = knowledge.modality_label(option.modality)
        intent = knowledge.intent_label(option.intent)
        few = " - only if the cancer has spread to a few places" if option.oligometastatic else ""
        few += f" - stage {', '.join(option.substages)} only" if option.substages else ""
        console.print(f"- {label} ({intent}{few}): {option.summary}", highlight=False)
        for criterion in option.selection:
            console.print(f"    if: {criterion}", highlight=False)
    if result.condition is not None:
        console.print("Information only: talk with your care team about your options.")
