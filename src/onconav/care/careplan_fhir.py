"""The hand-back as FHIR R4: a collection Bundle with the CarePlan (one activity per item), the Condition
it addresses and the Procedure (the treatment received). Validated with `fhir.resources` in the tests.

Not cases/fhir_summary.py's bundle (which describes the second-opinion case): this one is the follow-up
plan the local team takes over.
"""

from __future__ import annotations

from typing import Any

from onconav.care.handback import TreatmentSummary
from onconav.care.schemas import PlanRead

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ACTIVITY_STATUS = {"planned": "scheduled", "done": "completed", "skipped": "cancelled"}
ACTIVITY_KIND = {"visit": "Appointment", "imaging": "ServiceRequest", "test": "ServiceRequest"}


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


def careplan_bundle(
    summary: TreatmentSummary, plan: PlanRead, *, icd10: list[str], base_url: str = ""
) -> dict[str, Any]:
    """The plan, its Condition and its Procedure as a FHIR R4 collection Bundle (JSON-ready)."""
    patient = {"reference": f"Patient/{plan.patient_id}"}
    condition_id = f"condition-{plan.id}"
    procedure_id = f"procedure-{plan.id}"
    coding = [{"system": ICD10_SYSTEM, "code": code} for code in icd10]
    condition_text = summary.condition or summary.diagnosis or "Cancer"
    if summary.condition and summary.stage:
        condition_text += f", stage {summary.stage.upper()}"
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "id": condition_id,
        "subject": patient,
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
    if summary.diagnosis:
        condition["note"] = [{"text": "As described by the patient: " + summary.diagnosis}]
    procedure = {
        "resourceType": "Procedure",
        "id": procedure_id,
        "status": "completed",
        "subject": patient,
        "code": {"text": plan.treatment or plan.modality or "Cancer treatment"},
        "performedPeriod": {"end": plan.treatment_end.isoformat()},
        "reasonReference": [{"reference": f"Condition/{condition_id}"}],
    }
    careplan = {
        "resourceType": "CarePlan",
        "id": plan.id,
        "identifier": [{"system": f"{base_url}/followup", "value": plan.id}],
        "status": "active",
        "intent": "plan",
        "title": plan.template_name or "Follow-up plan",
        "description": "Follow-up after cancer treatment. Information from published sources; the treating "
        "team decides the follow-up.",
        "subject": patient,
        "period": {"start": plan.treatment_end.isoformat()},
        "addresses": [{"reference": f"Condition/{condition_id}"}],
        "supportingInfo": [{"reference": f"Procedure/{procedure_id}"}],
        "activity": [_activity(item) for item in plan.items],
        "note": [{"text": "Call the care team about: " + symptom.text} for symptom in plan.symptoms],
    }
    entries = [careplan, condition, procedure]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{base_url}/fhir/{r['resourceType']}/{r['id']}", "resource": r} for r in entries
        ],
    }
