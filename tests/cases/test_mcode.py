"""mCODE: a case's FHIR summary built from what it knows validates (fhir.resources and each profile's
must-haves, which fail when one is missing); an uploaded Bundle with mCODE content sets the case's
understood diagnosis, stage and biomarkers (shown on the case, given to trial matching), and the summary
then carries the records' coded conditions, stage, tumor markers, surgery and medicine. On both databases.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from onconav.accounts.models import AuditEvent
from onconav.cases import service
from onconav.cases.models import Case
from onconav.db import make_session_factory, unit_of_work
from onconav.knowledge import service as knowledge
from tests.support.accounts import Account

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
PATIENT_REF = {"reference": "urn:uuid:7d3a6c1e-1b2f-4c55-9a0e-5f1d0c2b3a41"}

# Codes as the mCODE IG's own examples use them (SNOMED CT, LOINC, ICD-10-CM, RxNorm).
RECORDS = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": PATIENT_REF["reference"],
            "resource": {"resourceType": "Patient", "gender": "female", "name": [{"family": "Example"}]},
        },
        {
            "resource": {
                "resourceType": "Condition",
                "meta": {"profile": [MCODE + "mcode-primary-cancer-condition"]},
                "code": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/sid/icd-10-cm",
                            "code": "C50.912",
                            "display": "Malignant neoplasm of unspecified site of left female breast",
                        }
                    ]
                },
                "bodySite": [
                    {"coding": [{"system": SNOMED, "code": "80248007", "display": "Left breast structure"}]}
                ],
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/condition-assertedDate",
                        "valueDateTime": "2018-03-16",
                    }
                ],
                "subject": PATIENT_REF,
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "meta": {"profile": [MCODE + "mcode-tnm-stage-group"]},
                "status": "final",
                "code": {
                    "coding": [
                        {"system": SNOMED, "code": "399537006", "display": "Clinical TNM stage grouping"}
                    ]
                },
                "subject": PATIENT_REF,
                "effectiveDateTime": "2018-03-16",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": SNOMED,
                            "code": "1222769001",
                            "display": "American Joint Committee on Cancer stage IIB (qualifier value)",
                        }
                    ]
                },
                "method": {"coding": [{"system": SNOMED, "code": "897275008"}]},
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "meta": {"profile": [MCODE + "mcode-tumor-marker-test"]},
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "laboratory",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [
                        {
                            "system": LOINC,
                            "code": "85337-4",
                            "display": "Estrogen receptor Ag [Presence] in Breast cancer specimen by "
                            "Immune stain",
                        }
                    ],
                    "text": "Estrogen receptor",
                },
                "subject": PATIENT_REF,
                "effectiveDateTime": "2018-03-10",
                "valueCodeableConcept": {
                    "coding": [{"system": LOINC, "code": "LA6576-8", "display": "Positive"}]
                },
            }
        },
        {
            "resource": {
                "resourceType": "Procedure",
                "meta": {"profile": [MCODE + "mcode-cancer-related-surgical-procedure"]},
                "status": "completed",
                "code": {
                    "coding": [
                        {"system": SNOMED, "code": "64368001", "display": "Excision of part of breast"}
                    ]
                },
                "subject": PATIENT_REF,
                "performedDateTime": "2018-04-01",
            }
        },
        {
            "resource": {
                "resourceType": "MedicationRequest",
                "meta": {"profile": [MCODE + "mcode-cancer-related-medication-request"]},
                "status": "active",
                "intent": "order",
                "medicationCodeableConcept": {
                    "coding": [
                        {
                            "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                            "code": "84857",
                            "display": "anastrozole",
                        }
                    ]
                },
                "subject": PATIENT_REF,
                "authoredOn": "2018-09-30",
                "requester": {"display": "Dr. Owen Oncologist"},
            }
        },
    ],
}


def profiles(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        for profile in entry["resource"].get("meta", {}).get("profile", []):
            found.setdefault(profile.rsplit("/", 1)[-1], []).append(entry["resource"])
    return found


def new_case(api: TestClient, patient: Account, diagnosis: str) -> str:
    created = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Second opinion", "diagnosis": diagnosis, "questions": [], "urgency": "routine"},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_a_case_summary_is_mcode_from_what_the_case_knows(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient, stranger = person("patient", "Rosa Example"), person("patient")
    case_id = new_case(api, patient, "Stage IIIC breast cancer with metastases to the liver, HER2 positive")
    response = api.get(f"/api/v1/cases/{case_id}/fhir/mcode", headers=patient.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.headers["cache-control"] == "no-store"
    bundle = response.json()
    assert service.check_mcode(bundle) == []
    found = profiles(bundle)
    assert found["mcode-cancer-patient"][0]["name"] == [{"text": "Rosa Example"}]
    primary = found["mcode-primary-cancer-condition"][0]
    assert primary["code"]["coding"][0]["code"] == "C50"  # ICD-10-CM: malignant neoplasm of breast
    secondary = found["mcode-secondary-cancer-condition"][0]
    assert secondary["code"]["coding"][0]["code"] == "C78.7"  # secondary malignant neoplasm of liver
    stage = found["mcode-tnm-stage-group"][0]
    # The knowledge base reads distant metastases as stage IV, whatever stage the words gave first.
    assert stage["valueCodeableConcept"]["coding"][0] == {
        "system": "http://cancerstaging.org",
        "code": "4",
        "display": "IV",
    }
    assert stage["focus"][0]["reference"] == f"urn:uuid:{primary['id']}"
    assert "mcode-tumor-marker-test" not in found  # "HER2 positive" in words has no LOINC code to give

    assert api.get(f"/api/v1/cases/{case_id}/fhir/mcode", headers=stranger.headers).status_code == 404
    with unit_of_work(make_session_factory(engine)) as session:
        audited = session.execute(
            select(AuditEvent.outcome, AuditEvent.detail).where(AuditEvent.entity_id == case_id)
        ).all()
    # The patient's export and the stranger's refusal, each in the hash-chained audit log.
    assert {outcome for outcome, detail in audited if detail and "mcode" in detail} >= {"success"}
    assert any(outcome == "denied" for outcome, _detail in audited)


def _summary(api: TestClient, who: Account, case_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/cases/{case_id}/fhir/mcode", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_imported_mcode_records_set_the_diagnosis_stage_biomarkers_and_the_summary(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient = person("patient")
    case_id = new_case(api, patient, "a lump in my breast, they said it is cancer")
    uploaded = api.post(
        f"/api/v1/cases/{case_id}/documents",
        headers=patient.headers,
        files={"file": ("records.json", io.BytesIO(json.dumps(RECORDS).encode()), "application/fhir+json")},
    )
    assert uploaded.status_code == 201, uploaded.text

    case = api.get(f"/api/v1/cases/{case_id}", headers=patient.headers).json()
    assert case["condition"] == "breast-cancer" and case["stage"] == "IIB"
    assert "Estrogen receptor: Positive" in case["biomarkers"]
    page = api.get(f"/cases/{case_id}", headers=patient.headers)
    assert page.status_code == 200 and "Estrogen receptor: Positive" in page.text
    assert 'name="stage" value="IIB"' in page.text  # the trials form carries what the case understood

    with unit_of_work(make_session_factory(engine)) as session:
        stored = session.get(Case, case_id)
        assert stored is not None
        profile = service.trial_profile(stored)
    assert profile["condition"] == "Breast cancer" and profile["stage"] == "IIB"
    assert profile["prior_therapies"] == ["Excision of part of breast", "anastrozole"]

    bundle = _summary(api, patient, case_id)
    assert service.check_mcode(bundle) == []
    found = profiles(bundle)
    assert found["mcode-cancer-patient"][0]["gender"] == "female"
    primary = found["mcode-primary-cancer-condition"][0]
    assert primary["code"]["coding"][0]["code"] == "C50.912"
    assert primary["bodySite"][0]["coding"][0]["code"] == "80248007"
    assert primary["extension"][0]["valueDateTime"] == "2018-03-16"
    stage = found["mcode-tnm-stage-group"][0]
    assert stage["method"]["coding"][0]["code"] == "897275008"
    assert stage["valueCodeableConcept"]["coding"][0]["code"] == "1222769001"
    marker = found["mcode-tumor-marker-test"][0]
    assert marker["code"]["coding"][0]["code"] == "85337-4"
    assert marker["valueCodeableConcept"]["coding"][0]["code"] == "LA6576-8"
    assert found["mcode-cancer-related-surgical-procedure"][0]["code"]["coding"][0]["code"] == "64368001"
    medication = found["mcode-cancer-related-medication-request"][0]
    assert medication["medicationCodeableConcept"]["coding"][0]["code"] == "84857"
    assert medication["requester"] == {"display": "Dr. Owen Oncologist"}


def _full_summary(records: dict[str, Any] = RECORDS) -> dict[str, Any]:
    from datetime import UTC, datetime

    case = Case(id="c" * 32, patient_id="p" * 32, condition="breast-cancer", stage="IIB")
    case.created_at = datetime(2026, 12, 1, tzinfo=UTC)
    case.diagnosis_text = "breast cancer with bone metastases"
    case.clinical_facts = service.read_mcode_facts(records)
    return service.mcode_bundle(case, patient_name="Rosa Example", now=datetime(2026, 12, 4, tzinfo=UTC))


def _drop(bundle: dict[str, Any], profile: str, path: str) -> None:
    for entry in bundle["entry"]:
        if MCODE + profile in entry["resource"]["meta"]["profile"]:
            del entry["resource"][path]
            return
    raise AssertionError(f"no {profile} in the summary")


@pytest.mark.parametrize(
    ("profile", "element", "says"),
    [
        ("mcode-cancer-patient", "gender", "gender is missing"),
        ("mcode-primary-cancer-condition", "code", "code is missing"),
        ("mcode-primary-cancer-condition", "extension", "asserted date"),
        ("mcode-primary-cancer-condition", "subject", "not valid FHIR"),
        ("mcode-tnm-stage-group", "valueCodeableConcept", "valueCodeableConcept"),
        ("mcode-tnm-stage-group", "effectiveDateTime", "effective[x] is missing"),
        ("mcode-tumor-marker-test", "category", "category laboratory is missing"),
        ("mcode-tumor-marker-test", "valueCodeableConcept", "the value"),
        ("mcode-cancer-related-surgical-procedure", "status", "not valid FHIR"),
        ("mcode-cancer-related-medication-request", "requester", "requester is missing"),
        ("mcode-cancer-related-medication-request", "medicationCodeableConcept", "medication"),
    ],
)
def test_a_summary_missing_what_its_profile_requires_fails_the_check(
    profile: str, element: str, says: str
) -> None:
    complete = _full_summary()
    assert service.check_mcode(complete) == []
    broken = copy.deepcopy(complete)
    _drop(broken, profile, element)
    problems = service.check_mcode(broken)
    assert problems and any(says in problem for problem in problems), problems


def test_a_non_cancer_bundle_changes_nothing_and_a_lymphoma_gets_no_tnm_stage_group(
    api: TestClient, person: Callable[..., Account]
) -> None:
    patient = person("patient")
    case_id = new_case(api, patient, "stage II Hodgkin lymphoma")
    labs = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {
                        "coding": [
                            {"system": LOINC, "code": "718-7", "display": "Hemoglobin [Mass/volume] in Blood"}
                        ]
                    },
                    "valueQuantity": {"value": 12.1, "unit": "g/dL"},
                }
            }
        ],
    }
    uploaded = api.post(
        f"/api/v1/cases/{case_id}/documents",
        headers=patient.headers,
        files={"file": ("labs.json", io.BytesIO(json.dumps(labs).encode()), "application/fhir+json")},
    )
    assert uploaded.status_code == 201, uploaded.text
    case = api.get(f"/api/v1/cases/{case_id}", headers=patient.headers).json()
    assert case["condition"] == "hodgkin-lymphoma" and case["stage"] == "II" and case["biomarkers"] == []
    bundle = _summary(api, patient, case_id)
    assert service.check_mcode(bundle) == []
    assert "mcode-tnm-stage-group" not in profiles(bundle)  # Hodgkin lymphoma is not staged by AJCC TNM


def _act(api: TestClient, who: Account, case_id: str, action: str) -> None:
    response = api.post(f"/api/v1/cases/{case_id}/transitions", headers=who.headers, json={"action": action})
    assert response.status_code == 200, response.text


def _add(api: TestClient, who: Account, case_id: str, member: Account, role: str) -> None:
    response = api.post(
        f"/api/v1/cases/{case_id}/members", headers=who.headers, json={"email": member.email, "role": role}
    )
    assert response.status_code == 201, response.text


def test_the_team_sees_who_the_patient_is_and_an_invited_colleague_does_not(
    api: TestClient, person: Callable[..., Account]
) -> None:
    patient, coordinator = person("patient", "Rosa Example"), person("coordinator")
    specialist, colleague = person("specialist", "Dr. Ana Ruiz"), person("specialist", "Dr. Ben Okafor")
    case_id = new_case(api, patient, "stage II pancreatic cancer")
    _act(api, patient, case_id, "submit")
    _act(api, coordinator, case_id, "triage")
    _add(api, coordinator, case_id, specialist, "specialist")
    _act(api, specialist, case_id, "accept")
    _act(api, specialist, case_id, "start_review")
    _add(api, specialist, case_id, colleague, "colleague")

    def patient_name(who: Account) -> list[dict[str, Any]]:
        bundle = _summary(api, who, case_id)
        assert service.check_mcode(bundle) == []
        return list(profiles(bundle)["mcode-cancer-patient"][0]["name"])

    assert patient_name(coordinator) == patient_name(specialist) == [{"text": "Rosa Example"}]
    masked = patient_name(colleague)[0]["extension"][0]
    assert masked == {
        "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
        "valueCode": "masked",
    }


def test_an_impossible_date_in_the_records_is_dropped_not_carried_into_the_summary() -> None:
    records = copy.deepcopy(RECORDS)
    marker = next(e["resource"] for e in records["entry"] if "tumor-marker" in str(e["resource"].get("meta")))
    marker["effectiveDateTime"] = "2018-13-45"
    facts = service.read_mcode_facts(records)
    assert facts["tumor_markers"][0]["date"] is None
    assert facts["primary"][0]["asserted"] == "2018-03-16"
    bundle = _full_summary(records)
    assert service.check_mcode(bundle) == []
    summarized = profiles(bundle)["mcode-tumor-marker-test"][0]
    assert (
        summarized["effectiveDateTime"] == "2026-12-01"
    )  # the day the case was written, as for stated facts


def test_what_the_records_said_reaches_trial_matching(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    from onconav.trials import service as trials
    from onconav.trials.schemas import PatientProfile

    patient = person("patient")
    case_id = new_case(api, patient, "they found something in my breast")
    uploaded = api.post(
        f"/api/v1/cases/{case_id}/documents",
        headers=patient.headers,
        files={"file": ("records.json", io.BytesIO(json.dumps(RECORDS).encode()), "application/fhir+json")},
    )
    assert uploaded.status_code == 201, uploaded.text
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        trials.load_demo(session, size="tiny")
    with unit_of_work(factory) as session:
        stored = session.get(Case, case_id)
        assert stored is not None
        outcome = trials.match(
            session, patient=PatientProfile(**service.trial_profile(stored)), near=None, limit=5
        )
        assert outcome.profile.condition_code == "breast-cancer" and outcome.profile.stage == "IIB"
        assert outcome.matches
        stage_verdicts = [
            criterion.verdict
            for found in outcome.matches
            for criterion in found.criteria
            if criterion.verdict.reason == "The note gives the stage."
        ]
    # The stage from the records decides stage criteria (the note the trials read says "stage IIB").
    assert stage_verdicts and all("stage IIB" in (verdict.evidence or "") for verdict in stage_verdicts)


def _stage_groups(code: str) -> list[str]:
    condition = knowledge.get_condition(code)
    assert condition is not None
    return sorted({stage.group for stage in condition.stages if stage.group})


@pytest.mark.parametrize("condition", sorted(c.code for c in knowledge.list_conditions()))
def test_a_summary_uploaded_to_another_case_is_understood_as_the_same_cancer_and_stage(
    condition: str,
) -> None:
    from datetime import UTC, datetime

    from onconav.cases import mcode_import

    for stage in [*_stage_groups(condition), None]:
        case = Case(id="d" * 32, patient_id="p" * 32, condition=condition, stage=stage)
        case.created_at = datetime(2026, 12, 1, tzinfo=UTC)
        case.diagnosis_text = ""
        case.clinical_facts = {}
        bundle = service.mcode_bundle(case, patient_name=None, now=datetime(2026, 12, 4, tzinfo=UTC))
        assert service.check_mcode(bundle) == []
        facts = service.read_mcode_facts(bundle)
        assert mcode_import.condition_of(facts["primary"][0]) == condition
        if facts["stage"] is not None:
            assert mcode_import.stage_of(facts["stage"]) == stage


def test_a_kind_of_cancer_listing_no_codes_of_its_own_is_coded_and_staged_as_its_parent() -> None:
    from datetime import UTC, datetime

    case = Case(id="e" * 32, patient_id="p" * 32, condition="non-small-cell-lung-cancer", stage="IIIA")
    case.created_at = datetime(2026, 12, 1, tzinfo=UTC)
    case.diagnosis_text = ""
    case.clinical_facts = {}
    found = profiles(service.mcode_bundle(case, patient_name=None, now=datetime(2026, 12, 4, tzinfo=UTC)))
    primary = found["mcode-primary-cancer-condition"][0]["code"]
    assert primary["coding"][0]["code"] == "C34" and primary["text"] == "Non-small cell lung cancer"
    assert found["mcode-tnm-stage-group"][0]["valueCodeableConcept"]["coding"][0]["code"] == "3A"
