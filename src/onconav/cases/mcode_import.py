"""What an uploaded FHIR Bundle says in mCODE terms, and what the case then understands.

`read_facts` keeps, from a Bundle, the coded content mCODE profiles carry: primary and secondary cancer
conditions (by profile, or by an ICD-10-CM code of a malignant neoplasm), the TNM stage group (by profile or
by the LOINC / SNOMED CT code of a stage group), tumor marker tests, cancer-related surgeries and medication
requests (by profile), and the patient's administrative gender. `understand_records` stores them on the case
(`clinical_facts`, encrypted) and sets the case's understood condition and stage from them, which the case
page shows and trial matching (`trial_profile`) reads.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from onconav.cases import mcode
from onconav.cases.mcode_checks import STAGE_GROUP_KINDS
from onconav.cases.models import Case

MAX_CODINGS = 5
MAX_TEXT = 200
MAX_ITEMS = 20  # of each kind kept from one Bundle
CANCER_WORDS = re.compile(
    r"neoplasm|carcinoma|cancer|leuk[ae]mia|lymphoma|melanoma|sarcoma|myeloma|malignan", re.I
)
SECONDARY_WORDS = re.compile(r"secondary|metasta", re.I)
SECONDARY_ICD10 = re.compile(r"^C(7[7-9]|7B)")
STAGE_IN_WORDS = re.compile(r"\bstage\s+(0|IV|I{1,3})([A-C][1-3]?)?\b", re.I)
AJCC_CODE = re.compile(r"^([0-4])([A-C][1-3]?)?$", re.I)
ROMAN_OF = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
FACT_KINDS = ("primary", "secondary", "stage", "tumor_markers", "procedures", "medications", "gender")


def _text(value: Any) -> str | None:
    return str(value).strip()[:MAX_TEXT] or None if isinstance(value, str | int | float) else None


def concept(value: Any) -> dict[str, Any] | None:
    """A CodeableConcept kept to its codings (system, code, display) and text; None when it says nothing."""
    if not isinstance(value, dict):
        return None
    codings = []
    for coding in value.get("coding") or []:
        if isinstance(coding, dict) and _text(coding.get("code")):
            kept = {key: _text(coding.get(key)) for key in ("system", "code", "display")}
            codings.append({key: text for key, text in kept.items() if text})
    text = _text(value.get("text"))
    result: dict[str, Any] = {}
    if codings:
        result["coding"] = codings[:MAX_CODINGS]
    if text:
        result["text"] = text
    return result or None


def _words(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    return " ".join([value.get("text") or "", *(c.get("display") or "" for c in value.get("coding") or [])])


def label(value: dict[str, Any] | None) -> str:
    """How a kept concept reads: its text, else its first display, else its first code."""
    if not value:
        return ""
    codings = value.get("coding") or []
    return str(
        value.get("text")
        or next((c["display"] for c in codings if c.get("display")), None)
        or next((c["code"] for c in codings if c.get("code")), "")
    )


def _profiles(resource: dict[str, Any]) -> list[str]:
    meta = resource.get("meta")
    return [str(p) for p in (meta.get("profile") or [])] if isinstance(meta, dict) else []


def _date(resource: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = resource.get(key)
        if isinstance(value, dict):
            value = value.get("start") or value.get("end")
        day = _real_day(value[:10]) if isinstance(value, str) else None
        if day:
            return day
    return None


def _real_day(text: str) -> str | None:
    """A FHIR date (year, year-month or a full date) that is a real one; None for "2018-13-45"."""
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return dt.date.fromisoformat(text).isoformat()
        if len(parts) == 2 and len(parts[0]) == 4 and 1 <= int(parts[1]) <= 12 and len(parts[1]) == 2:
            return text
        if len(parts) == 1 and len(text) == 4 and text.isdigit():
            return text
    except ValueError:
        return None
    return None


def _asserted(resource: dict[str, Any]) -> str | None:
    for extension in resource.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == mcode.ASSERTED_DATE:
            return _date(extension, "valueDateTime")
    return _date(resource, "onsetDateTime", "recordedDate")


def _condition_kind(resource: dict[str, Any], code: dict[str, Any]) -> str | None:
    profiles = _profiles(resource)
    if mcode.PRIMARY_CANCER_CONDITION in profiles:
        return "primary"
    if mcode.SECONDARY_CANCER_CONDITION in profiles:
        return "secondary"
    icd = [c["code"] for c in code.get("coding", []) if c.get("system") == mcode.ICD10CM]
    if any(SECONDARY_ICD10.match(c) for c in icd):
        return "secondary"
    if any(c.startswith("C") for c in icd):
        return "primary"
    words = _words(code)
    if CANCER_WORDS.search(words):
        return "secondary" if SECONDARY_WORDS.search(words) else "primary"
    return None


def _condition(resource: dict[str, Any], code: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "asserted": _asserted(resource)}
    sites = [c for c in (concept(s) for s in resource.get("bodySite") or []) if c]
    if sites:
        item["body_site"] = sites
    status = concept(resource.get("clinicalStatus"))
    if status:
        item["clinical_status"] = status
    return item


def _is_stage_group(resource: dict[str, Any], code: dict[str, Any]) -> bool:
    kinds = {(c.get("system"), c.get("code")) for c in code.get("coding", [])}
    return mcode.TNM_STAGE_GROUP in _profiles(resource) or bool(kinds & STAGE_GROUP_KINDS)


def _quantity(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not isinstance(value.get("value"), int | float):
        return None
    kept = {
        "value": value["value"],
        **{k: _text(value.get(k)) for k in ("unit", "system", "code", "comparator")},
    }
    return {key: item for key, item in kept.items() if item is not None}


def _observation(resource: dict[str, Any], facts: dict[str, Any]) -> None:
    code = concept(resource.get("code"))
    if code is None:
        return
    date = _date(resource, "effectiveDateTime", "effectivePeriod", "issued")
    if _is_stage_group(resource, code):
        value = concept(resource.get("valueCodeableConcept"))
        if value:
            facts["stage"] = {
                "code": code,
                "value": value,
                "method": concept(resource.get("method")),
                "date": date,
            }
        return
    if mcode.TUMOR_MARKER_TEST not in _profiles(resource):
        return
    if not any(c.get("system") == mcode.LOINC for c in code.get("coding", [])):
        return
    coded, quantity = concept(resource.get("valueCodeableConcept")), _quantity(resource.get("valueQuantity"))
    value = {"valueCodeableConcept": coded} if coded else {"valueQuantity": quantity} if quantity else None
    if value:
        status = _text(resource.get("status"))
        facts["tumor_markers"].append({"code": code, "value": value, "date": date, "status": status})


def read_facts(bundle: Any) -> dict[str, Any]:
    """The mCODE content of a FHIR Bundle (empty lists and None where it has none)."""
    facts: dict[str, Any] = {kind: [] for kind in FACT_KINDS}
    facts["stage"] = facts["gender"] = None
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        kind = resource.get("resourceType")
        if kind == "Patient" and resource.get("gender") in ("male", "female", "other", "unknown"):
            facts["gender"] = resource["gender"]
        elif kind == "Condition":
            code = concept(resource.get("code"))
            which = _condition_kind(resource, code) if code else None
            if code and which:
                facts[which].append(_condition(resource, code))
        elif kind == "Observation":
            _observation(resource, facts)
        elif kind == "Procedure" and mcode.SURGICAL_PROCEDURE in _profiles(resource):
            code = concept(resource.get("code"))
            if code and code.get("coding"):
                sites = [c for c in (concept(s) for s in resource.get("bodySite") or []) if c]
                date = _date(resource, "performedDateTime", "performedPeriod")
                status = _text(resource.get("status"))
                facts["procedures"].append({"code": code, "date": date, "status": status, "body_site": sites})
        elif kind == "MedicationRequest" and mcode.MEDICATION_REQUEST in _profiles(resource):
            medication = concept(resource.get("medicationCodeableConcept"))
            if medication and medication.get("coding"):
                requester = resource.get("requester")
                facts["medications"].append(
                    {
                        "medication": medication,
                        "status": _text(resource.get("status")),
                        "intent": _text(resource.get("intent")),
                        "date": _date(resource, "authoredOn"),
                        "requester": {"display": _text(requester.get("display"))}
                        if isinstance(requester, dict) and _text(requester.get("display"))
                        else None,
                    }
                )
    for kind in ("primary", "secondary", "tumor_markers", "procedures", "medications"):
        facts[kind] = facts[kind][:MAX_ITEMS]
    return facts


def has_facts(facts: dict[str, Any] | None) -> bool:
    """Whether read facts say anything about the cancer."""
    return facts is not None and any(facts.get(kind) for kind in FACT_KINDS if kind != "gender")


def stage_of(stage: dict[str, Any]) -> str | None:
    """The stage group, in Roman numerals ("IIIC"), of an imported stage group's value."""
    value = stage.get("value") or {}
    for coding in value.get("coding") or []:
        match = AJCC_CODE.match(coding.get("code") or "") if coding.get("system") == mcode.AJCC else None
        if match:
            return ROMAN_OF[match.group(1)] + (match.group(2) or "").upper()
    found = STAGE_IN_WORDS.search(_words(value)) or (
        re.fullmatch(r"(0|IV|I{1,3})([A-C][1-3]?)?", (value.get("text") or "").strip(), re.I)
    )
    return (found.group(1) + (found.group(2) or "")).upper() if found else None


def condition_of(primary: dict[str, Any]) -> str | None:
    """The knowledge condition of an imported primary cancer: by its ICD-10-CM code (a listed code it falls
    under, or the category of listed codes), made precise by its words when they name that condition or a
    kind of it ("Non-small cell lung cancer" with C34, "Pleural mesothelioma" with C45); by its words alone
    when it has no such code. A code several conditions share, with no words to choose, chooses none."""
    from onconav.cases.workflow import understand_diagnosis
    from onconav.knowledge import service as knowledge

    code = primary.get("code") or {}
    icd = [c["code"] for c in code.get("coding", []) if c.get("system") == mcode.ICD10CM]
    scores: dict[str, int] = {}
    for condition in knowledge.list_conditions():
        for listed in condition.icd10:
            for given in icd:
                if given == listed or given.startswith(listed):
                    scores[condition.code] = max(scores.get(condition.code, 0), len(listed))
                elif listed.startswith(given + "."):
                    scores[condition.code] = max(scores.get(condition.code, 0), len(given))
    words = _words(code)
    by_words = understand_diagnosis(words)[0] if words.strip() else None
    if not scores:
        return by_words
    top = max(scores.values())
    best = sorted(name for name, score in scores.items() if score == top)
    found = knowledge.get_condition(by_words) if by_words else None
    while found is not None:  # the words name a coded condition or a kind of it
        if found.code in best:
            return by_words
        found = knowledge.get_condition(found.parent) if found.parent else None
    return best[0] if len(best) == 1 else None


def understand_records(case: Case, facts: dict[str, Any] | None) -> bool:
    """Keep what a Bundle said on the case (its kinds replace earlier ones) and understand the condition
    and stage from it; whether anything was learnt."""
    if facts is None or not has_facts(facts):
        return False
    kept = dict(case.clinical_facts)
    kept.update({kind: value for kind, value in facts.items() if value})
    case.clinical_facts = kept
    condition = next((c for c in map(condition_of, facts.get("primary") or []) if c), None)
    if condition:
        case.condition = condition
    stage = stage_of(facts["stage"]) if facts.get("stage") else None
    if stage:
        case.stage = stage
    return True


def understood_biomarkers(case: Case) -> list[str]:
    """Biomarkers the case knows: tumor markers of its records ("name: value"), then its diagnosis's words."""
    from onconav.errors import OnconavError
    from onconav.knowledge import service as knowledge

    found = []
    for marker in case.clinical_facts.get("tumor_markers") or []:
        value = marker["value"]
        if "valueCodeableConcept" in value:
            shown = label(value["valueCodeableConcept"])
        else:
            quantity = value["valueQuantity"]
            shown = f"{quantity['value']:g} {quantity.get('unit') or quantity.get('code') or ''}".strip()
        name = label(marker["code"])
        found.append(f"{name}: {shown}" if shown else name)
    try:
        explained = knowledge.explain_text(case.diagnosis_text) if case.diagnosis_text.strip() else None
    except OnconavError:
        explained = None
    for marker in explained.biomarkers if explained else []:
        found.append(
            " ".join(str(part) for part in (marker["name"], marker["value"] or marker["status"]) if part)
        )
    return list(dict.fromkeys(found))


def trial_profile(case: Case) -> dict[str, Any]:
    """What trial matching needs of the case (fields of trials' PatientProfile): the understood condition,
    stage, biomarkers, and the treatments its records name as prior therapies."""
    from onconav.cases.workflow import condition_query

    prior = [label(p["code"]) for p in case.clinical_facts.get("procedures") or []]
    prior += [label(m["medication"]) for m in case.clinical_facts.get("medications") or []]
    return {
        "condition": condition_query(case),
        "stage": case.stage,
        "biomarkers": understood_biomarkers(case)[:30],
        "prior_therapies": [p[:200] for p in prior if p][:30],
    }
