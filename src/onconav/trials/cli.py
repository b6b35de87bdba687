"""`onconav trials`: import ClinicalTrials.gov records, sync them live, and match a patient to trials.

Thin faces over `onconav.trials.service`; errors print their message and exit with 2.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from onconav.cli_support import configured_engine, console, database_session, fail, print_json, progress_bars
from onconav.errors import InvalidInput, OnconavError
from onconav.trials import evaluation
from onconav.trials.sources import SourceItem

if TYPE_CHECKING:
    from onconav.trials.service import ImportSummary

trials_app = typer.Typer(help="Clinical trials: import, sync from ClinicalTrials.gov, match a patient.")
REJECTS_SHOWN = 20


def _run_import(
    items: Iterable[SourceItem], total: int | None, description: str, rejects: Path | None
) -> None:
    from onconav import migrate
    from onconav.db import commit, make_session_factory, unit_of_work
    from onconav.trials import service

    with configured_engine() as engine:
        migrate.upgrade(engine)  # an import may be the first thing a new installation does
        with progress_bars() as progress, unit_of_work(make_session_factory(engine)) as session:
            task = progress.add_task(description, total=total)
            # Each batch commits: an interrupted import keeps what it wrote, and a re-run skips it. The unit
            # of work commits the last, partial batch, or rolls back only the batch in progress.
            summary = service.import_records(
                session,
                items,
                on_item=lambda _item: progress.advance(task),
                on_batch=partial(commit, session),
            )
            # Trial sites make hospitals findable for the trials' conditions (directory signals).
            from onconav.directory import service as directory

            linked = directory.refresh_trial_activity(session)
    _print_import_summary(summary, rejects)
    console.print(f"Hospitals with trial activity (sites linked to the directory): {linked:,}")


def _print_import_summary(summary: ImportSummary, rejects: Path | None) -> None:
    """The counts of an import run, the first rejected records, and every rejection in `rejects` (CSV)."""
    table = Table("records", "count", title="Trials import")
    for name, value in (
        ("read", summary.read),
        ("new", summary.inserted),
        ("updated", summary.updated),
        ("unchanged (skipped)", summary.unchanged),
        ("rejected", len(summary.rejected)),
        ("sites", summary.sites),
        ("sites with coordinates", summary.sites_geocoded),
    ):
        table.add_row(name, f"{value:,}")
    console.print(table)
    for note in summary.notes:
        console.print(f"Note: {note}")
    if summary.rejected:
        shown = Table("source", "why rejected", title="Rejected records")
        for source, reason in summary.rejected[:REJECTS_SHOWN]:
            shown.add_row(source, reason)
        console.print(shown)
        if len(summary.rejected) > REJECTS_SHOWN:
            console.print(f"... and {len(summary.rejected) - REJECTS_SHOWN:,} more (see --rejects FILE)")
    if rejects is not None:
        with rejects.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source", "reason"])
            writer.writerows(summary.rejected)
        console.print(f"Rejected records written to {rejects}")


@trials_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A .json/.xml study file, a folder of them, or a .zip.")],
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write every rejected record and why to this CSV.")
    ] = None,
) -> None:
    """Import ClinicalTrials.gov records (API v2 JSON or legacy XML); re-runs update and skip unchanged."""
    from onconav.trials.sources import count_files, iter_source

    if not path.exists():
        fail(InvalidInput("No file or folder at %(path)s.", path=str(path)))
    _run_import(iter_source(path), count_files(path), f"Importing {path.name}", rejects)


@trials_app.command("sync")
def sync_command(
    condition: Annotated[str, typer.Option("--condition", help='Condition to fetch, e.g. "mesothelioma".')],
    status: Annotated[str | None, typer.Option("--status", help="Only this status, e.g. RECRUITING.")] = None,
    max_pages: Annotated[int | None, typer.Option("--max-pages", help="Stop after this many pages.")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="CSV of rejected records.")] = None,
) -> None:
    """Fetch trials for a condition from the ClinicalTrials.gov API v2 (needs internet) and import them."""
    from onconav.trials.sync import StudiesClient, check_status

    try:
        code = check_status(status)
    except OnconavError as error:
        fail(error)
    client = StudiesClient()
    try:
        items = client.studies(condition=condition, status=code, max_pages=max_pages)
        _run_import(items, None, f"Syncing {condition}", rejects)
    except OnconavError as error:
        fail(error)
    finally:
        client.close()


@trials_app.command("match")
def match_command(
    patient: Annotated[Path | None, typer.Option("--patient", help="Patient profile as a JSON file.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A free-text patient note.")] = None,
    near: Annotated[str | None, typer.Option("--near", help="ZIP, 'City, ST' or 'City, Country'.")] = None,
    limit: Annotated[int, typer.Option(help="Number of trials (1-50).")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Trials a patient may be eligible for, criterion by criterion, with the nearest site."""
    from onconav.config import get_settings
    from onconav.geo.service import km_to_miles
    from onconav.i18n import get_translations
    from onconav.trials import profile as profiles
    from onconav.trials import service
    from onconav.trials.reasons import site_place_text
    from onconav.trials.schemas import PatientProfile

    if (patient is None) == (note is None):
        fail(InvalidInput("Give either --patient FILE.json or --note TEXT."))
    try:
        if patient is not None:
            profile = PatientProfile.model_validate(json.loads(patient.read_text(encoding="utf-8")))
        else:
            profile = PatientProfile(note=note)
    except (OSError, ValueError, ValidationError) as error:
        fail(InvalidInput("The patient profile cannot be used: %(error)s", error=str(error)))
    locale = get_settings().default_locale
    translations = get_translations(locale)
    where, from_note = profiles.where_to_measure_from(near, profile)
    try:
        with database_session() as session:
            outcome = service.match(session, patient=profile, near=where, limit=limit)
            response = service.to_response(outcome, translations=translations, locale=locale)
            response = profiles.complete_understood(response, profile, from_note=from_note)
            stored = service.count_trials(session)
    except OnconavError as error:
        fail(error)
    if as_json:
        print_json(response)
        return
    understood = response.patient
    console.print(
        f"[bold]Patient:[/] {understood.condition or 'condition not recognised'}"
        + (f", stage {understood.stage}" if understood.stage else "")
        + (f", {understood.age} years" if understood.age is not None else "")
        + (f", {understood.sex}" if understood.sex else "")
        + (f", ECOG {understood.ecog}" if understood.ecog is not None else "")
        + (
            f", prior treatments: {', '.join(understood.prior_treatments) or 'none'}"
            if understood.prior_treatments is not None
            else ""
        )
        + (f", biomarkers: {', '.join(understood.biomarkers)}" if understood.biomarkers else ""),
        highlight=False,
    )
    if response.place:
        source = " (where the note says the patient lives)" if response.place_from_note else ""
        console.print(f"[bold]Near:[/] {response.place.name}{source}", highlight=False)
    if response.message:
        console.print(response.message, highlight=False)
    screened = response.screened
    console.print(f"{screened:,} open trial{'' if screened == 1 else 's'} fit by condition, age and sex.")
    if stored == 0:
        console.print(get_translations(locale).gettext(service.NO_TRIALS_STORED), highlight=False)
    marks = {"met": "[green]✓[/]", "unmet": "[red]✗[/]", "unknown": "?", "not-applicable": "-"}
    for number, result in enumerate(response.results, 1):
        console.print(
            f"\n[bold]{number:>2}. {result.score:5.1f}[/]  {result.nct_id}  {result.title}"
            + (" [dim](demo data)[/]" if result.demo else ""),
            highlight=False,
        )
        console.print(
            f"      {result.eligibility_summary} · last update {result.last_update or 'unknown'}"
            + (f" · {result.status_note}" if result.status_note else "")
            + (" · site unknown" if result.site_unknown else ""),
            highlight=False,
        )
        if result.deciding_criterion:
            console.print(f"      deciding criterion: {result.deciding_criterion[:160]}", highlight=False)
        for reason in result.why:
            console.print(f"      {reason.points:+6.1f}  {reason.detail}", highlight=False)
        site = result.nearest_site
        if site is not None:
            town = site_place_text(site.city, site.state, site.country)
            place = ", ".join(filter(None, (site.facility, town)))
            km = site.distance_km
            # Miles first here (terminal readers are mostly US operators); the page gives km first.
            distance = f" · {km_to_miles(km):,.0f} mi ({km:,.0f} km)" if km is not None else ""
            console.print(f"      nearest site: {place}{distance}", highlight=False)
        decided = [c for c in result.criteria if c.mark in ("met", "unmet")]
        for criterion in decided[:6]:
            console.print(f"      {marks[criterion.mark]} {criterion.text[:100]}", highlight=False)
    console.print(f"\n{response.notice}")


evaluation.register(trials_app)
