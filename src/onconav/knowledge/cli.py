"""The knowledge base's command: `onconav explain TEXT`, what a phrase or a clinical note says (condition,
stage, spread, biomarkers) and the treatment options, as text or JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from onconav.cli_support import console, fail, print_json
from onconav.errors import OnconavError


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
        console.print(f"- {label} ({intent}{few}): {option.summary}", highlight=False)
        for criterion in option.selection:
            console.print(f"    if: {criterion}", highlight=False)
    if result.condition is not None:
        console.print("Information only: talk with your care team about your options.")
