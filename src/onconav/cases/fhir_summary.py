"""A FHIR R4 bundle exported from a patient portal, read into a case summary a reviewer can scan:
conditions (cancers first), observations, diagnostic reports, medications and procedures, newest first.

Only the resource types a second opinion needs are read; the rest are counted.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from onconav.errors import InvalidInput

READ_TYPES = ("Condition", "Observation", "DiagnosticReport", "MedicationRequest", "Procedure")
CANCER_WORDS = re.compile(
    r"neoplasm|carcinoma|cancer|leuk[ae]mia|lymphoma|melanoma|tumou?r|sarcoma|myeloma|malignan|mesothelioma",
    re.IGNORECASE,
)
LIMITS = {"observations": 60, "reports": 40, "medications": 60, "procedures": 60}


class InvalidBundle(InvalidInput):
    """JSON that is not a FHIR R4 Bundle we can read."""


def _text(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return str(concept["text"]).strip()
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("display"):
            return str(coding["display"]).strip()
    return ""


def _codes(concept: Any) -> list[dict[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [
        {"system": str(c.get("system", "")), "code": str(c.get("code", ""))}
        for c in concept.get("coding") or []
        if isinstance(c, dict) and c.get("code")
    ]


def _date(resource: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = resource.get(key)
        if isinstance(value, dict):
            value = value.get("start") or value.get("end")
        if isinstance(value, str) and len(value) >= 4:
            return value[:10]
    return None


def _status(resource: dict[str, Any], key: str) -> str:
    value = resource.get(key)
    if isinstance(value, dict):
        return _text(value) or next(
            (str(c.get("code")) for c in value.get("coding") or [] if c.get("code")), ""
        )
    return str(value or "")


def _value(observation: dict[str, Any]) -> str:
    if isinstance(observation.get("valueQuantity"), dict):
        quantity = observation["valueQuantity"]
        number = quantity.get("value")
        if isinstance(number, int | float):
            number = f"{number:.4g}"
        return f"{number} {quantity.get('unit') or quantity.get('code') or ''}".strip()
    if isinstance(observation.get("valueCodeableConcept"), dict):
        return _text(observation["valueCodeableConcept"])
    for key in ("valueString", "valueBoolean", "valueInteger"):
        if key in observation:
            return str(observation[key])
    parts = [
        f"{_text(c.get('code'))}: {_value(c)}"
        for c in observation.get("component") or []
        if isinstance(c, dict)
    ]
    return "; ".join(p for p in parts if p.strip(": "))


def summarize_bundle(bundle: Any) -> dict[str, Any]:
    """The case summary of a FHIR R4 Bundle; raises InvalidBundle when it is not one."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidBundle('This JSON file is not a FHIR Bundle (resourceType must be "Bundle").')
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        raise InvalidBundle("This FHIR Bundle has no entries.")
    resources: list[dict[str, Any]] = [
        e["resource"]
        for e in entries
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and isinstance(e["resource"].get("resourceType"), str)
    ]
    if not resources:
        raise InvalidBundle("This FHIR Bundle has no resources.")
    counts = Counter(str(r["resourceType"]) for r in resources)
    if not any(counts[t] for t in READ_TYPES):
        raise InvalidBundle(
            "This FHIR Bundle holds no conditions, observations, reports, medications or procedures."
        )
    conditions: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    medications: list[dict[str, Any]] = []
    procedures: list[dict[str, Any]] = []
    for resource in resources:
        kind = resource["resourceType"]
        if kind == "Condition":
            name = _text(resource.get("code"))
            conditions.append(
                {
                    "name": name,
                    "codes": _codes(resource.get("code")),
                    "onset": _date(resource, "onsetDateTime", "onsetPeriod", "recordedDate"),
                    "abated": _date(resource, "abatementDateTime", "abatementPeriod"),
                    "status": _status(resource, "clinicalStatus"),
                    "cancer": bool(CANCER_WORDS.search(name)),
                }
            )
        elif kind == "Observation":
            observations.append(
                {
                    "name": _text(resource.get("code")),
                    "value": _value(resource),
                    "date": _date(resource, "effectiveDateTime", "effectivePeriod", "issued"),
                }
            )
        elif kind == "DiagnosticReport":
            results = [str(r.get("display", "")) for r in resource.get("result") or [] if isinstance(r, dict)]
            reports.append(
                {
                    "name": _text(resource.get("code")),
                    "date": _date(resource, "effectiveDateTime", "effectivePeriod", "issued"),
                    "conclusion": str(resource.get("conclusion") or ""),
                    "results": [r for r in results if r][:20],
                }
            )
        elif kind == "MedicationRequest":
            medications.append(
                {
                    "name": _text(resource.get("medicationCodeableConcept"))
                    or str((resource.get("medicationReference") or {}).get("display", "")),
                    "status": str(resource.get("status") or ""),
                    "date": _date(resource, "authoredOn"),
                }
            )
        elif kind == "Procedure":
            procedures.append(
                {
                    "name": _text(resource.get("code")),
                    "status": str(resource.get("status") or ""),
                    "date": _date(resource, "performedDateTime", "performedPeriod"),
                }
            )

    def newest(items: list[dict[str, Any]], key: str = "date") -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: item.get(key) or "", reverse=True)

    conditions = sorted(newest(conditions, "onset"), key=lambda c: not c["cancer"])
    return {
        "bundle_type": str(bundle.get("type") or ""),
        "resource_counts": dict(sorted(counts.items())),
        "cancer_conditions": [c for c in conditions if c["cancer"]],
        "conditions": conditions,
        "observations": newest(observations)[: LIMITS["observations"]],
        "reports": newest(reports)[: LIMITS["reports"]],
        "medications": newest(medications)[: LIMITS["medications"]],
        "procedures": newest(procedures)[: LIMITS["procedures"]],
    }


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as plain text (for reviewers' search and for matching the diagnosis)."""
    lines: list[str] = []
    if summary["cancer_conditions"]:
        lines.append("Cancer diagnoses:")
        lines += [f"- {c['name']} (since {c['onset'] or 'unknown'})" for c in summary["cancer_conditions"]]
    other = [c for c in summary["conditions"] if not c["cancer"]]
    if other:
        lines.append("Other conditions:")
        lines += [f"- {c['name']} ({c['status'] or 'status unknown'})" for c in other]
    for title, key in (("Procedures", "procedures"), ("Medications", "medications"), ("Reports", "reports")):
        if summary[key]:
            lines.append(f"{title}:")
            lines += [f"- {item['date'] or ''} {item['name']}".rstrip() for item in summary[key]]
    if summary["observations"]:
        lines.append("Recent observations:")
        lines += [f"- {o['date'] or ''} {o['name']}: {o['value']}" for o in summary["observations"][:30]]
    return "\n".join(lines)


def patient_identifiers(bundle: Any) -> dict[str, str]:
    """The identifying details of the bundle's first Patient (names, birth date, identifiers), kept apart
    like a DICOM file's identifying tags: shown to the owner, redacted from text shared beyond the team."""
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            continue
        names = []
        for name in resource.get("name") or []:
            if isinstance(name, dict):
                parts = [*(name.get("given") or []), name.get("family") or "", name.get("text") or ""]
                names.append(" ".join(str(part) for part in parts if part))
        numbers = [
            str(identifier.get("value"))
            for identifier in resource.get("identifier") or []
            if isinstance(identifier, dict) and identifier.get("value")
        ]
        found = {
            "PatientName": " / ".join(n for n in names if n)[:500],
            "PatientBirthDate": str(resource.get("birthDate") or "")[:10],
            "PatientID": " / ".join(numbers)[:500],
        }
        return {key: value for key, value in found.items() if value}
    return {}
