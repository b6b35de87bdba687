"""Front door of the care domain (follow-up after treatment): plans and their items, the calendar feed,
reminders, the hand-back (PDF and FHIR CarePlan). Functions take a session and never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast, get_args

from sqlalchemy.orm import Session

from onconav.care.calendar_feed import feed_calendar, issue_feed_token, plan_by_feed_token, revoke_feed
from onconav.care.careplan_fhir import careplan_bundle, entry_id
from onconav.care.handback import TreatmentSummary, handback_pdf
from onconav.care.plans import (
    CareDataDamaged,
    add_item,
    get_item,
    get_plan,
    save_plan,
    to_read,
    update_item,
)
from onconav.care.reminders import due_items, plan_path, send_reminders
from onconav.care.schemas import Modality, PlanCreate, PlanRead
from onconav.cases import service as cases
from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge
from onconav.quotes import service as quotes

__all__ = [
    "CareDataDamaged",
    "add_item",
    "careplan_bundle",
    "careplan_fhir",
    "due_items",
    "feed_calendar",
    "get_item",
    "get_plan",
    "handback_pdf",
    "issue_feed_token",
    "plan_by_feed_token",
    "plan_from_accepted_offer",
    "plan_from_opinion",
    "plan_path",
    "revoke_feed",
    "save_plan",
    "send_reminders",
    "to_read",
    "treatment_summary",
    "update_item",
]


def plan_from_accepted_offer(
    session: Session, *, case_id: str, treatment_end: dt.date, modality: Modality | None = None
) -> PlanCreate:
    """The plan input from the treatment offer the patient accepted for this case (a treatment request)."""
    accepted = quotes.accepted_plan_for_case(session, case_id=case_id)
    if accepted is None:
        raise InvalidInput(
            "This case has no accepted treatment offer: describe the treatment received by hand instead."
        )
    steps = "; ".join(
        step.modality
        + (f" ({', '.join(step.procedures)})" if step.procedures else "")
        + (f": {step.description}" if step.description else "")
        for step in accepted.steps
    )
    first = accepted.steps[0].modality if accepted.steps else None
    chosen = modality or (cast(Modality, first) if first in get_args(Modality) else None)
    treatment = f"{accepted.center}: {steps}" if steps else accepted.center
    return PlanCreate(treatment=treatment[:4000], treatment_end=treatment_end, modality=chosen)


def plan_from_opinion(
    session: Session, *, case_id: str, treatment_end: dt.date, modality: Modality | None = None
) -> PlanCreate:
    """The plan input from the case's delivered opinion: its recommended plan is the treatment received."""
    recommended = cases.delivered_plan(session, case_id=case_id)
    if recommended is None:
        raise InvalidInput(
            "This case has no delivered opinion yet: describe the treatment received by hand instead."
        )
    return PlanCreate(treatment=recommended[:4000], treatment_end=treatment_end, modality=modality)


def treatment_summary(session: Session, *, case_id: str) -> tuple[TreatmentSummary, list[str]]:
    """The case's diagnosis for the hand-back, and the ICD-10-CM codes of its condition."""
    case = cases.get_or_raise(session, case_id=case_id)
    condition = knowledge.get_condition(case.condition) if case.condition else None
    summary = TreatmentSummary(
        diagnosis=case.diagnosis_text,
        condition=condition.name if condition else None,
        stage=case.stage,
    )
    # A subtype without codes of its own takes its nearest ancestor's.
    lineage = [
        knowledge.get_condition(code) for code in knowledge.condition_lineage(code=case.condition or "")
    ]
    codes = next((list(c.icd10) for c in lineage if c is not None and c.icd10), [])
    return summary, codes


def careplan_fhir(session: Session, *, plan: PlanRead, base_url: str) -> tuple[dict[str, Any], list[str]]:
    """The plan's hand-back as a FHIR Bundle with the case's CancerPatient and mCODE resources (built by
    the cases domain), and what keeps it from meeting its mCODE profiles (empty: nothing)."""
    case = cases.get_or_raise(session, case_id=plan.case_id)
    summary, codes = treatment_summary(session, case_id=plan.case_id)
    patient = cases.mcode_patient(case, resource_id=entry_id(plan, "patient"))
    resources = cases.mcode_resources(case, patient_reference=f"urn:uuid:{patient['id']}")
    bundle = careplan_bundle(summary, plan, patient=patient, mcode=resources, icd10=codes, base_url=base_url)
    return bundle, cases.check_mcode(bundle)
