"""A case's FHIR summary in mCODE (STU3) profiles, built from what the case knows: the understood diagnosis
and stage, the metastatic sites its diagnosis names, and what imported FHIR records said (`clinical_facts`,
written by `mcode_import`: coded conditions, stage, tumor markers, procedures and medicines).

Only real codes: ICD-10-CM (through simple-icd-10-cm) for conditions named in words, AJCC stage groups as
mCODE's TNM stage group carries them, and whatever codes the imported records gave (SNOMED CT, LOINC,
RxNorm...). What the case cannot say in codes is left out or carried as text, never guessed. Checked by
`mcode_checks.check_summary`.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from onconav.cases.models import Case

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CANCER_PATIENT = MCODE + "mcode-cancer-patient"
PRIMARY_CANCER_CONDITION = MCODE + "mcode-primary-cancer-condition"
SECONDARY_CANCER_CONDITION = MCODE + "mcode-secondary-cancer-condition"
TNM_STAGE_GROUP = MCODE + "mcode-tnm-stage-group"
TUMOR_MARKER_TEST = MCODE + "mcode-tumor-marker-test"
SURGICAL_PROCEDURE = MCODE + "mcode-cancer-related-surgical-procedure"
MEDICATION_REQUEST = MCODE + "mcode-cancer-related-medication-request"

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
AJCC = "http://cancerstaging.org"
ASSERTED_DATE = "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
US_CORE_CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PATIENT_ACCOUNT = "https://onconav.org/fhir/sid/patient-account"
HEALTH_CONCERN = {"system": US_CORE_CONDITION_CATEGORY, "code": "health-concern", "display": "Health Concern"}
# SNOMED CT 399390009 "TNM stage grouping": the stage group's kind when the case does not say clinical or
# pathological (mCODE STU3 TNMStageGroupStagingTypeVS).
TNM_STAGE_GROUPING = {"system": SNOMED, "code": "399390009", "display": "TNM stage grouping"}
# ICD-10-CM C81-C96: lymphoid, hematopoietic and related tissue, staged by other systems than AJCC TNM.
NOT_TNM_CATEGORIES = re.compile(r"^C(8[1-9]|9[0-6])")
STAGE_GROUP = re.compile(r"^(0|I|II|III|IV)([A-C][1-3]?)?$")
ROMAN = {"0": "0", "I": "1", "II": "2", "III": "3", "IV": "4"}
NAMESPACE = uuid.UUID("6f1c8d0e-3b7a-4f57-9a43-2f1e6b0c9d21")  # onconav's: ids of a case's summary entries

Resource = dict[str, Any]


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def _profiled(resource_type: str, profile: str, subject: str | None) -> Resource:
    resource: Resource = {"resourceType": resource_type, "meta": {"profile": [profile]}}
    if subject is not None:
        resource["subject"] = {"reference": subject}
    return resource


def ajcc_stage_group(stage: str) -> dict[str, str] | None:
    """The AJCC stage group code of a stage written with Roman numerals ("IIIC" -> "3C"), or None."""
    match = STAGE_GROUP.match(stage.strip().upper())
    if match is None:
        return None
    return {"system": AJCC, "code": ROMAN[match.group(1)] + (match.group(2) or ""), "display": match.group(0)}


def icd10_category(codes: list[str]) -> dict[str, str] | None:
    """The one ICD-10-CM category shared by a condition's malignant (C) codes, with its description."""
    import simple_icd_10_cm as icd

    categories = {code.split(".")[0] for code in codes if code.startswith("C")}
    if len(categories) != 1:
        return None
    category = categories.pop()
    if not icd.is_valid_item(category):
        return None
    return {"system": ICD10CM, "code": category, "display": icd.get_description(category)}


def secondary_site_code(site: str) -> dict[str, str] | None:
    """The ICD-10-CM code of a secondary malignant neoplasm of `site` ("liver" -> C78.7), or None."""
    import simple_icd_10_cm as icd

    site = site.strip().lower()
    stem = "secondary malignant neoplasm of "
    exact, broader = [], []
    for category in ("C77", "C78", "C79"):
        for code in [category, *icd.get_descendants(category)]:
            description = icd.get_description(code)
            lowered = description.lower()
            if lowered == stem + site:
                exact.append((len(code), code, description))
            elif lowered.startswith(f"{stem}{site} and "):
                broader.append((len(code), code, description))
    found = sorted(exact) or sorted(broader)
    if not found:
        return None
    _length, code, description = found[0]
    return {"system": ICD10CM, "code": code, "display": description}


def _concept(coding: list[dict[str, str]], text: str | None) -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if coding:
        concept["coding"] = coding
    if text:
        concept["text"] = text
    return concept


def cancer_patient(case: Case, *, name: str | None, gender: str | None) -> Resource:
    """The CancerPatient: the onconav account as identifier; a name only when the reader may see it."""
    patient = _profiled("Patient", CANCER_PATIENT, None)
    patient["identifier"] = [{"system": PATIENT_ACCOUNT, "value": case.patient_id}]
    patient["name"] = (
        [{"text": name}]
        if name
        else [{"extension": [{"url": DATA_ABSENT, "valueCode": "masked" if name is None else "unknown"}]}]
    )
    patient["gender"] = gender if gender in ("male", "female", "other") else "unknown"
    return patient


def _condition(
    profile: str, subject: str, code: dict[str, Any], asserted: str | None, facts: dict[str, Any]
) -> Resource:
    condition = _profiled("Condition", profile, subject)
    if asserted:
        condition["extension"] = [{"url": ASSERTED_DATE, "valueDateTime": asserted}]
    if facts.get("clinical_status"):
        condition["clinicalStatus"] = facts["clinical_status"]
    condition["category"] = [{"coding": [HEALTH_CONCERN]}]
    condition["code"] = code
    if facts.get("body_site"):
        condition["bodySite"] = facts["body_site"]
    condition["subject"] = {"reference": subject}
    return condition


def primary_conditions(case: Case, subject: str, facts: dict[str, Any]) -> list[Resource]:
    """The primary cancer: as imported records coded it, else the understood condition in ICD-10-CM."""
    from onconav.knowledge import service as knowledge

    recorded = _day(case.created_at)
    imported = facts.get("primary") or []
    if imported:
        return [
            _condition(
                PRIMARY_CANCER_CONDITION, subject, item["code"], item.get("asserted") or recorded, item
            )
            for item in imported
        ]
    condition = knowledge.get_condition(case.condition) if case.condition else None
    if condition is None:
        return []
    category = icd10_category(condition_icd10(case.condition))
    code = _concept([category] if category else [], condition.name)
    return [_condition(PRIMARY_CANCER_CONDITION, subject, code, recorded, {})]


def secondary_conditions(case: Case, subject: str, facts: dict[str, Any]) -> list[Resource]:
    """Metastases: as imported records coded them, else the sites the diagnosis names, in ICD-10-CM."""
    from onconav.errors import OnconavError
    from onconav.knowledge import service as knowledge

    recorded = _day(case.created_at)
    imported = facts.get("secondary") or []
    if imported:
        return [
            _condition(
                SECONDARY_CANCER_CONDITION, subject, item["code"], item.get("asserted") or recorded, item
            )
            for item in imported
        ]
    try:
        sites = knowledge.explain_text(case.diagnosis_text).metastatic_sites if case.diagnosis_text else []
    except OnconavError:
        sites = []
    found = []
    for site in sites:
        coding = secondary_site_code(site)
        text = f"Metastasis to {site}"
        found.append(
            _condition(
                SECONDARY_CANCER_CONDITION, subject, _concept([coding] if coding else [], text), recorded, {}
            )
        )
    return found


def condition_icd10(code: str | None) -> list[str]:
    """The ICD-10 codes of a knowledge condition; a kind that lists none has its parent's (NSCLC: lung)."""
    from onconav.knowledge import service as knowledge

    condition = knowledge.get_condition(code) if code else None
    while condition is not None and not condition.icd10:
        condition = knowledge.get_condition(condition.parent) if condition.parent else None
    return list(condition.icd10) if condition else []


def _is_tnm_staged(case: Case) -> bool:
    codes = condition_icd10(case.condition)
    return bool(codes) and not any(NOT_TNM_CATEGORIES.match(code) for code in codes)


def tnm_stage_group(case: Case, subject: str, focus: str | None, facts: dict[str, Any]) -> Resource | None:
    """The TNM stage group: as an imported record gave it, else the case's stage written as an AJCC group
    (for cancers AJCC TNM stages; lymphomas, leukemias and myelomas are staged otherwise)."""
    imported = facts.get("stage")
    if imported:
        code, value = imported["code"], imported["value"]
        method, effective = imported.get("method"), imported.get("date")
    elif case.stage and _is_tnm_staged(case):
        group = ajcc_stage_group(case.stage)
        if group is None:
            return None
        code, value = {"coding": [TNM_STAGE_GROUPING]}, _concept([group], f"Stage {group['display']}")
        method, effective = None, None
    else:
        return None
    observation = _profiled("Observation", TNM_STAGE_GROUP, subject)
    observation["status"] = "final"
    observation["code"] = code
    if focus:
        observation["focus"] = [{"reference": focus}]
    observation["effectiveDateTime"] = effective or _day(case.created_at)
    observation["valueCodeableConcept"] = value
    if method:
        observation["method"] = method
    return observation


def tumor_markers(case: Case, subject: str, facts: dict[str, Any]) -> list[Resource]:
    """Tumor marker tests as the imported records coded them (LOINC), with their values."""
    found = []
    for item in facts.get("tumor_markers") or []:
        observation = _profiled("Observation", TUMOR_MARKER_TEST, subject)
        observation["status"] = item.get("status") or "final"
        observation["category"] = [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}
        ]
        observation["code"] = item["code"]
        observation["effectiveDateTime"] = item.get("date") or _day(case.created_at)
        observation.update(item["value"])  # {"valueCodeableConcept": ...} or {"valueQuantity": ...}
        found.append(observation)
    return found


def surgical_procedures(subject: str, facts: dict[str, Any]) -> list[Resource]:
    """Cancer-related surgeries as the imported records coded them."""
    found = []
    for item in facts.get("procedures") or []:
        procedure = _profiled("Procedure", SURGICAL_PROCEDURE, subject)
        procedure["status"] = item.get("status") or "completed"
        procedure["code"] = item["code"]
        if item.get("date"):
            procedure["performedDateTime"] = item["date"]
        if item.get("body_site"):
            procedure["bodySite"] = item["body_site"]
        found.append(procedure)
    return found


def medication_requests(subject: str, facts: dict[str, Any]) -> list[Resource]:
    """Cancer-related medicines as the imported records coded them (who prescribed: as they said, else
    marked unknown, as US Core asks)."""
    found = []
    for item in facts.get("medications") or []:
        request = _profiled("MedicationRequest", MEDICATION_REQUEST, subject)
        request["status"] = item.get("status") or "unknown"
        request["intent"] = item.get("intent") or "order"
        request["medicationCodeableConcept"] = item["medication"]
        if item.get("date"):
            request["authoredOn"] = item["date"]
        request["requester"] = item.get("requester") or {
            "extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]
        }
        found.append(request)
    return found


def mcode_resources(
    case: Case, *, patient_reference: str, facts: dict[str, Any] | None = None
) -> list[Resource]:
    """The case's mCODE resources (conditions, stage group, tumor markers, surgeries, medicines), each with
    `subject` = `patient_reference`; for documents that hold their own CancerPatient (the follow-up plan)."""
    facts = case.clinical_facts if facts is None else facts
    primary = primary_conditions(case, patient_reference, facts)
    for index, condition in enumerate(primary):
        condition["id"] = str(uuid.uuid5(NAMESPACE, f"{case.id}/primary/{index}"))
    focus = None
    if primary:  # referenced as the patient is: inside a Bundle of urn:uuid entries, or by type and id
        uuid_style = patient_reference.startswith("urn:uuid:")
        focus = f"urn:uuid:{primary[0]['id']}" if uuid_style else f"Condition/{primary[0]['id']}"
    stage = tnm_stage_group(case, patient_reference, focus, facts)
    resources = [
        *primary,
        *secondary_conditions(case, patient_reference, facts),
        *([stage] if stage else []),
        *tumor_markers(case, patient_reference, facts),
        *surgical_procedures(patient_reference, facts),
        *medication_requests(patient_reference, facts),
    ]
    for index, resource in enumerate(resources):
        resource.setdefault("id", str(uuid.uuid5(NAMESPACE, f"{case.id}/{resource['resourceType']}/{index}")))
    return resources


def mcode_bundle(case: Case, *, patient_name: str | None, now: datetime) -> dict[str, Any]:
    """The case's summary: a collection Bundle of its CancerPatient and mCODE resources. `patient_name`
    None: the reader may not see who the patient is (name masked)."""
    facts = case.clinical_facts
    patient = cancer_patient(case, name=patient_name, gender=facts.get("gender"))
    patient["id"] = str(uuid.uuid5(NAMESPACE, f"{case.id}/patient"))
    subject = f"urn:uuid:{patient['id']}"
    resources = [patient, *mcode_resources(case, patient_reference=subject, facts=facts)]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(NAMESPACE, f"{case.id}/summary")),
        "meta": {"lastUpdated": now.isoformat(timespec="seconds").replace("+00:00", "Z")},
        "type": "collection",
        "timestamp": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "entry": [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in resources],
    }
