"""Is a Bundle an mCODE summary? FHIR R4 validity (the fhir.resources models), then what each mCODE (STU3)
profile a resource claims requires of it: codes from the right systems, a subject that is the Bundle's
CancerPatient, dates, values. Every problem is a sentence naming the entry and the element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from onconav.cases import mcode
from onconav.errors import OnconavError

# The codes of a TNM stage group's kind (mCODE STU3 TNMStageGroupStagingTypeMaxVS): LOINC and SNOMED CT.
STAGE_GROUP_KINDS = {
    (mcode.LOINC, "21908-9"),
    (mcode.LOINC, "21902-2"),
    (mcode.LOINC, "21914-7"),
    (mcode.SNOMED, "399537006"),
    (mcode.SNOMED, "399588009"),
    (mcode.SNOMED, "399390009"),
}
CONDITION_SYSTEMS = {mcode.ICD10CM, mcode.SNOMED}
Resource = dict[str, Any]


class NotMcode(OnconavError):
    """A case summary that does not meet its mCODE profiles (what its records said cannot be carried)."""

    status_code = 409


def _codings(concept: Any) -> list[dict[str, Any]]:
    return (
        [c for c in (concept or {}).get("coding") or [] if isinstance(c, dict)]
        if isinstance(concept, dict)
        else []
    )


def _has_concept(concept: Any) -> bool:
    return bool(_codings(concept)) or bool(isinstance(concept, dict) and concept.get("text"))


def _patient(resource: Resource, problems: list[str]) -> None:
    if not resource.get("identifier"):
        problems.append("identifier is missing")
    if not resource.get("name"):
        problems.append("name is missing (give it, or a data-absent-reason)")
    if resource.get("gender") not in ("male", "female", "other", "unknown"):
        problems.append("gender is missing")


def _condition(resource: Resource, problems: list[str]) -> None:
    code = resource.get("code")
    if not _has_concept(code):
        problems.append("code is missing")
    elif _codings(code) and not any(c.get("system") in CONDITION_SYSTEMS for c in _codings(code)):
        problems.append("code has no ICD-10-CM or SNOMED CT coding")
    if not resource.get("category"):
        problems.append("category is missing")
    asserted = [e for e in resource.get("extension") or [] if e.get("url") == mcode.ASSERTED_DATE]
    if not asserted or not asserted[0].get("valueDateTime"):
        problems.append("the asserted date (condition-assertedDate) is missing")
    for site in resource.get("bodySite") or []:
        if not _has_concept(site):
            problems.append("a bodySite is empty")


def _stage_group(resource: Resource, problems: list[str]) -> None:
    kinds = {(c.get("system"), c.get("code")) for c in _codings(resource.get("code"))}
    if not kinds & STAGE_GROUP_KINDS:
        problems.append("code is not a TNM stage group kind (LOINC 21908-9/21902-2/21914-7, SNOMED CT)")
    if not _has_concept(resource.get("valueCodeableConcept")):
        problems.append("valueCodeableConcept (the stage group) is missing")
    if not resource.get("effectiveDateTime") and not resource.get("effectivePeriod"):
        problems.append("effective[x] is missing")
    if "method" in resource and not _codings(resource["method"]):
        problems.append("method (the staging system) has no coding")


def _tumor_marker(resource: Resource, problems: list[str]) -> None:
    if not any(c.get("system") == mcode.LOINC for c in _codings(resource.get("code"))):
        problems.append("code has no LOINC coding")
    categories = {c.get("code") for concept in resource.get("category") or [] for c in _codings(concept)}
    if "laboratory" not in categories:
        problems.append("category laboratory is missing")
    if not _has_concept(resource.get("valueCodeableConcept")) and not isinstance(
        resource.get("valueQuantity"), dict
    ):
        problems.append("the value (valueCodeableConcept or valueQuantity) is missing")
    if not resource.get("effectiveDateTime") and not resource.get("effectivePeriod"):
        problems.append("effective[x] is missing")


def _procedure(resource: Resource, problems: list[str]) -> None:
    if not _codings(resource.get("code")):
        problems.append("code has no coding")


def _medication_request(resource: Resource, problems: list[str]) -> None:
    if not resource.get("intent"):
        problems.append("intent is missing")
    if not _codings(resource.get("medicationCodeableConcept")) and not resource.get("medicationReference"):
        problems.append("the medication (medicationCodeableConcept with a coding) is missing")
    if not resource.get("requester"):
        problems.append("requester is missing (give it, or a data-absent-reason)")


CHECKS: dict[str, Callable[[Resource, list[str]], None]] = {
    mcode.CANCER_PATIENT: _patient,
    mcode.PRIMARY_CANCER_CONDITION: _condition,
    mcode.SECONDARY_CANCER_CONDITION: _condition,
    mcode.TNM_STAGE_GROUP: _stage_group,
    mcode.TUMOR_MARKER_TEST: _tumor_marker,
    mcode.SURGICAL_PROCEDURE: _procedure,
    mcode.MEDICATION_REQUEST: _medication_request,
}
NEEDS_STATUS = {
    mcode.TNM_STAGE_GROUP,
    mcode.TUMOR_MARKER_TEST,
    mcode.SURGICAL_PROCEDURE,
    mcode.MEDICATION_REQUEST,
}


def _fhir_problems(bundle: dict[str, Any]) -> list[str]:
    from fhir.resources.R4B import get_fhir_model_class

    problems = []
    for number, entry in enumerate(bundle.get("entry") or [], start=1):
        resource = entry.get("resource") or {}
        try:
            get_fhir_model_class(str(resource.get("resourceType"))).model_validate(resource)
        except (ValidationError, KeyError, ValueError) as error:
            first = (
                error.errors()[0] if isinstance(error, ValidationError) else {"loc": (), "msg": str(error)}
            )
            where = ".".join(str(part) for part in first["loc"])
            problems.append(
                f"entry {number} ({resource.get('resourceType')}): not valid FHIR: {where}: {first['msg']}"
            )
    return problems


def check_summary(bundle: dict[str, Any]) -> list[str]:
    """What keeps `bundle` from being a valid mCODE summary (empty: nothing)."""
    problems = _fhir_problems(bundle)
    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict)]
    patients = [
        e["fullUrl"]
        for e in entries
        if mcode.CANCER_PATIENT in ((e.get("resource") or {}).get("meta") or {}).get("profile", [])
    ]
    if len(patients) != 1:
        problems.append(f"the Bundle needs exactly one CancerPatient (it has {len(patients)})")
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") or {}
        profiles = (resource.get("meta") or {}).get("profile") or []
        for profile in profiles:
            check = CHECKS.get(profile)
            if check is None:
                continue
            found: list[str] = []
            check(resource, found)
            if profile in NEEDS_STATUS and not resource.get("status"):
                found.append("status is missing")
            if (
                profile != mcode.CANCER_PATIENT
                and (resource.get("subject") or {}).get("reference") not in patients
            ):
                found.append("subject is not the Bundle's CancerPatient")
            name = profile.rsplit("/", 1)[-1]
            problems += [f"entry {number} ({name}): {problem}" for problem in found]
    return problems
