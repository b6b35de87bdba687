"""The hand-back as FHIR R4: a collection Bundle with the CarePlan (one activity per item), the case's
CancerPatient and mCODE resources (the PrimaryCancerCondition the plan addresses, its TNM stage group, tumor
markers ... as `cases.service.mcode_resources` builds them from what the case knows) and the Procedure (the
treatment received). Entries are `urn:uuid:` entries, as in the case's mCODE summary, so that
`cases.service.check_mcode` holds; a case whose cancer the knowledge base does not know gets a plain
Condition instead (nothing is guessed). Validated with `fhir.resources` and `check_mcode` in the tests.

Not the case's own mCODE summary (cases/mcode.py, which describes the second-opinion case): this one is
the follow-up plan the local team takes over.
"""

from __future__ import annotations

import uuid
from typing import Any

from onconav.care.handback import TreatmentSummary
from onconav.care.schemas import PlanRead

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ACTIVITY_STATUS = {"planned": "scheduled", "done": "completed", "skipped": "cancelled"}
ACTIVITY_KIND = {"visit": "Appointment", "imaging": "ServiceRequest", "test": "ServiceRequest"}
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
PRIMARY_CANCER_CONDITION = MCODE + "mcode-primary-cancer-condition"
NAMESPACE = uuid.UUID("0d9a5f43-6a4e-4b0f-8a57-3c2b1f7e9e10")  # onconav's: ids of a hand-back's entries

Resource = dict[str, Any]


def entry_id(plan: PlanRead, name: str) -> str:
    """The stable id of one of the plan's own entries (the same on every download)."""
    return str(uuid.uuid5(NAMESPACE, f"{plan.id}/{name}"))


def _activity(item: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": ACTIVITY_STATUS[item.status],
        "code": {"text": item.title},
        "description": item.detail or item.title,
    }
    if item.kind in ACTIVITY_KIND:
        detail["kind"] = ACTIVITY_KIND[item.kind]
    if item.due_on is not None:
        detail["scheduledPeriod"] = {"start": item.due_on.isoformat(), "end": item.due_on.isoformat()}
    else:
        detail["scheduledString"] = "Date to be set by the care team"
    return {"detail": detail}


def _plain_condition(summary: TreatmentSummary, plan: PlanRead, subject: str, icd10: list[str]) -> Resource:
    """The condition as the patient described it, when the case names no cancer mCODE can code."""
    coding = [{"system": ICD10_SYSTEM, "code": code} for code in icd10]
    condition_text = summary.condition or summary.diagnosis or "Cancer"
    if summary.condition and summary.stage:
        condition_text += f", stage {summary.stage.upper()}"
    return {
        "resourceType": "Condition",
        "id": entry_id(plan, "condition"),
        "subject": {"reference": subject},
        "code": {"text": condition_text, **({"coding": coding} if coding else {})},
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
    }


def _is_primary(resource: Resource) -> bool:
    return PRIMARY_CANCER_CONDITION in (resource.get("meta") or {}).get("profile", [])


def careplan_bundle(
    summary: TreatmentSummary,
    plan: PlanRead,
    *,
    patient: Resource,
    mcode: list[Resource],
    icd10: list[str],
    base_url: str = "",
) -> dict[str, Any]:
    """The plan, the CancerPatient `patient` (its id set), the case's `mcode` resources (subject: that
    patient as `urn:uuid:<id>`) and the Procedure as a FHIR R4 collection Bundle (JSON-ready)."""
    subject = f"urn:uuid:{patient['id']}"
    primary = [resource for resource in mcode if _is_primary(resource)]
    others = [resource for resource in mcode if not _is_primary(resource)]
    if not primary:
        primary = [_plain_condition(summary, plan, subject, icd10)]
    if summary.diagnosis:
        for condition in primary:
            condition["note"] = [{"text": "As described by the patient: " + summary.diagnosis}]
    addresses = [{"reference": f"urn:uuid:{condition['id']}"} for condition in primary]
    procedure = {
        "resourceType": "Procedure",
        "id": entry_id(plan, "procedure"),
        "status": "completed",
        "subject": {"reference": subject},
        "code": {"text": plan.treatment or plan.modality or "Cancer treatment"},
        "performedPeriod": {"end": plan.treatment_end.isoformat()},
        "reasonReference": addresses,
    }
    careplan = {
        "resourceType": "CarePlan",
        "id": entry_id(plan, "careplan"),
        "identifier": [{"system": f"{base_url}/followup", "value": plan.id}],
        "status": "active",
        "intent": "plan",
        "title": plan.template_name or "Follow-up plan",
        "description": "Follow-up after cancer treatment. Information from published sources; the treating "
        "team decides the follow-up.",
        "subject": {"reference": subject},
        "period": {"start": plan.treatment_end.isoformat()},
        "addresses": addresses,
        "supportingInfo": [{"reference": f"urn:uuid:{r['id']}"} for r in [procedure, *others]],
        "activity": [_activity(item) for item in plan.items],
        "note": [{"text": "Call the care team about: " + symptom.text} for symptom in plan.symptoms],
    }
    entries = [careplan, patient, *primary, *others, procedure]
    return {
        "resourceType": "Bundle",
        "id": entry_id(plan, "bundle"),
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in entries],
    }
