"""The delivered opinion as a PDF (fpdf2) and as a FHIR R4 Composition (a document a portal can file).

Both are built from the stored, signed content only, so they say exactly what the reviewers signed.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from onconav.cases.models import Case, Opinion
from onconav.cases.schemas import OpinionContent
from onconav.i18n import N_

AGREEMENT_LABELS = {
    "agree": N_("The reviewers agree with the diagnosis."),
    "partly_agree": N_("The reviewers partly agree with the diagnosis."),
    "disagree": N_("The reviewers do not agree with the diagnosis."),
    "cannot_assess": N_("The reviewers could not assess the diagnosis from the records provided."),
}
DISCLAIMER = (
    "This second opinion is based on the records shared with the reviewing team. It does not replace "
    "the care of your treating team: take it to them and decide together."
)
# A Unicode font from the system when present; the PDF core fonts cover Latin-1 only.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)


def _sections(content: OpinionContent) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [
        ("Diagnosis", [AGREEMENT_LABELS[content.diagnosis_agreement], content.diagnosis_comment]),
        ("Staging", [content.staging or "Not assessed."]),
        ("Recommended treatment plan", [content.recommended_plan]),
    ]
    if content.alternatives:
        sections.append(("Alternatives", [f"- {a}" for a in content.alternatives]))
    if content.trials:
        sections.append(
            (
                "Clinical trials worth considering",
                [
                    f"- {t.title}"
                    + (f" ({t.identifier})" if t.identifier else "")
                    + (f": {t.why}" if t.why else "")
                    for t in content.trials
                ],
            )
        )
    if content.questions_for_team:
        sections.append(
            ("Questions to take to your treating team", [f"- {q}" for q in content.questions_for_team])
        )
    return sections


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "not delivered"


def opinion_pdf(case: Case, opinion: Opinion) -> bytes:
    """The opinion as a PDF document with its version, signatures and content hash."""
    from fpdf import FPDF

    content = OpinionContent.model_validate(opinion.content)
    pdf = FPDF(format="A4")
    pdf.set_title(f"Second opinion - {case.title}")
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

    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(family, size=18)
    pdf.multi_cell(0, 9, text("Second opinion"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=12)
    pdf.multi_cell(0, 6, text(case.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    status = "Delivered" if opinion.status == "delivered" else "DRAFT - not delivered"
    meta = f"Version {opinion.version} - {status} {_date(opinion.delivered_at)}"
    if opinion.amendment_reason:
        meta += f" - Amendment: {opinion.amendment_reason}"
    pdf.multi_cell(0, 5, text(meta), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(
        0,
        5,
        text("Diagnosis as stated by the patient: " + case.diagnosis_text),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for title, lines in _sections(content):
        pdf.ln(4)
        pdf.set_font(family, size=13)
        pdf.multi_cell(0, 7, text(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=10)
        for line in lines:
            if line:
                pdf.multi_cell(0, 5, text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=13)
    pdf.multi_cell(0, 7, text("Reviewers and signatures"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    signed = {s["user_id"]: s for s in opinion.signatures}
    for reviewer in content.reviewers:
        signature = signed.get(reviewer.user_id)
        when = f"signed {signature['signed_at'][:16].replace('T', ' ')} UTC" if signature else "not signed"
        pdf.multi_cell(
            0, 5, text(f"{reviewer.name}, {reviewer.credentials} - {when}"), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(2)
    pdf.set_font(family, size=8)
    pdf.multi_cell(0, 4, text(f"Content SHA-256: {opinion.content_sha256}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 4, text(DISCLAIMER), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _narrative(content: OpinionContent) -> str:
    from html import escape

    parts = []
    for title, lines in _sections(content):
        items = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
        parts.append(f"<h3>{escape(title)}</h3>{items}")
    return '<div xmlns="http://www.w3.org/1999/xhtml">' + "".join(parts) + "</div>"


def _section(title: str, code: str, display: str, text: str) -> dict[str, Any]:
    from html import escape

    return {
        "title": title,
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></div>',
        },
    }


def opinion_composition(case: Case, opinion: Opinion, *, base_url: str = "") -> dict[str, Any]:
    """The opinion as a FHIR R4 Composition (LOINC 11488-4 Consult note), with attesters for signatures."""
    content = OpinionContent.model_validate(opinion.content)
    final = opinion.status == "delivered"
    sections = [
        _section(
            "Diagnosis",
            "29548-5",
            "Diagnosis Narrative",
            AGREEMENT_LABELS[content.diagnosis_agreement]
            + (" " + content.diagnosis_comment if content.diagnosis_comment else ""),
        ),
        _section("Staging", "21902-2", "Stage group.clinical Cancer", content.staging or "Not assessed."),
        _section(
            "Recommended plan",
            "18776-5",
            "Plan of care note",
            content.recommended_plan + "".join(f"\nAlternative: {a}" for a in content.alternatives),
        ),
    ]
    if content.trials:
        sections.append(
            _section(
                "Clinical trials worth considering",
                "18776-5",
                "Plan of care note",
                "; ".join(t.title + (f" ({t.identifier})" if t.identifier else "") for t in content.trials),
            )
        )
    if content.questions_for_team:
        sections.append(
            _section(
                "Questions for the treating team",
                "18776-5",
                "Plan of care note",
                " ".join(content.questions_for_team),
            )
        )
    composition: dict[str, Any] = {
        "resourceType": "Composition",
        "id": opinion.id,
        "identifier": {"system": f"{base_url}/opinions", "value": f"{opinion.id}"},
        "status": "final" if final and not opinion.supersedes_id else ("amended" if final else "preliminary"),
        "type": {
            "coding": [{"system": "http://loinc.org", "code": "11488-4", "display": "Consult note"}],
            "text": "Second opinion",
        },
        "date": (opinion.delivered_at or opinion.created_at).isoformat(),
        "author": [{"display": f"{r.name}, {r.credentials}"} for r in content.reviewers],
        "title": f"Second opinion: {case.title} (version {opinion.version})",
        "text": {"status": "generated", "div": _narrative(content)},
        "section": sections,
    }
    attesters = [
        {
            "mode": "professional",
            "time": s["signed_at"],
            "party": {"display": f"{s['name']}, {s['credentials']}"},
        }
        for s in opinion.signatures
        if s["content_sha256"] == opinion.content_sha256
    ]
    if attesters:
        composition["attester"] = attesters
    if opinion.supersedes_id:
        composition["relatesTo"] = [
            {
                "code": "replaces",
                "targetIdentifier": {"system": f"{base_url}/opinions", "value": opinion.supersedes_id},
            }
        ]
    return composition
