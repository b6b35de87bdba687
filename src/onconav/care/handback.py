"""The hand-back to the local care team as a PDF (fpdf2): the treatment summary and the follow-up plan,
with the symptoms that should prompt a call, the sources and what the content is (information from
sources, not a clinician's review)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from onconav.care.schemas import PlanRead

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
KIND_LABELS = {"visit": "Visit", "imaging": "Imaging", "test": "Test", "other": "Other"}
STATUS_LABELS = {"planned": "planned", "done": "done", "skipped": "skipped"}
DISCLAIMER = (
    "This follow-up plan was made on onconav from published sources and what the patient or their care "
    "team entered. It is information, not medical advice, and has not been checked by a clinician for "
    "this patient: the treating team decides the follow-up and may change it."
)


@dataclass(frozen=True)
class TreatmentSummary:
    """What the local team needs to know besides the plan."""

    diagnosis: str
    condition: str | None  # the knowledge base's name
    stage: str | None


def handback_pdf(summary: TreatmentSummary, plan: PlanRead, *, generated: dt.date) -> bytes:
    """The treatment summary and follow-up plan as a PDF document."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title("Treatment summary and follow-up plan")
    pdf.set_author("onconav")
    pdf.set_creator("onconav")
    font = next((f for f in UNICODE_FONTS if f.is_file()), None)
    family = "Helvetica"
    if font is not None:
        pdf.add_font("Body", "", str(font))
        family = "Body"

    def text(value: str) -> str:
        if font is not None:
            return value
        return unicodedata.normalize("NFKD", value).encode("latin-1", "replace").decode("latin-1")

    def heading(value: str) -> None:
        pdf.ln(4)
        pdf.set_font(family, size=13)
        pdf.multi_cell(0, 7, text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=10)

    def line(value: str) -> None:
        pdf.multi_cell(0, 5, text(value), new_x="LMARGIN", new_y="NEXT")

    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(family, size=18)
    pdf.multi_cell(0, 9, text("Treatment summary and follow-up plan"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    line(f"Made on onconav on {generated.isoformat()}")
    heading("Diagnosis")
    if summary.condition:
        line(summary.condition + (f", stage {summary.stage.upper()}" if summary.stage else ""))
    if summary.diagnosis:
        line("As described by the patient: " + summary.diagnosis)
    heading("Treatment received")
    line(plan.treatment or "Not described.")
    line(f"End of treatment: {plan.treatment_end.isoformat()}")
    heading("Follow-up plan" + (f" ({plan.template_name})" if plan.template_name else ""))
    for item in plan.items:
        when = item.due_on.isoformat() if item.due_on else "date to be set by the care team"
        line(f"- {when}: {item.title} [{KIND_LABELS[item.kind]}, {STATUS_LABELS[item.status]}]")
    if plan.symptoms:
        heading("Symptoms that should prompt a call to the care team")
        for symptom in plan.symptoms:
            line(f"- {symptom.text}")
    if plan.sources:
        heading("Sources")
        for source in plan.sources:
            dated = f" ({source.published})" if source.published else ""
            line(f"- {source.title}{dated}, {source.publisher or ''} {source.url}")
    pdf.ln(4)
    pdf.set_font(family, size=8)
    reviewed = (
        "A clinician's review of the template is on record."
        if plan.template_reviewed
        else "The template has not been reviewed by a clinician."
    )
    line(reviewed + " " + DISCLAIMER)
    return bytes(pdf.output())
