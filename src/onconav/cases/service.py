"""Front door of the cases domain: what other domains, the CLI and the cases actions call (cases and
their workflow, documents, the review team, messages, review inputs).

Other domains import from here (and from `onconav.cases.schemas`), never from the modules behind it, whose
internals may change. Functions take a session and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from onconav.cases.documents import (
    UNCHECKED_TEXT,
    add_document,
    attachments_of,
    clean_filename,
    document_bytes,
    document_private,
    document_text,
    document_to_read,
    get_document,
    get_document_or_raise,
    known_identifiers,
    list_documents,
    shareable_file,
    shared_text,
    sweep_storage,
    verify_documents,
)
from onconav.cases.mcode import cancer_patient, mcode_bundle, mcode_resources
from onconav.cases.mcode_checks import NotMcode
from onconav.cases.mcode_checks import check_summary as check_mcode
from onconav.cases.mcode_import import read_facts as read_mcode_facts
from onconav.cases.mcode_import import trial_profile, understand_records, understood_biomarkers
from onconav.cases.messages import get_message, list_messages, post_message
from onconav.cases.models import Case
from onconav.cases.opinions import latest as _latest_opinion
from onconav.cases.reviews import REVIEW_POSITIONS, add_review_input, list_review_inputs
from onconav.cases.team import add_member, members, professional_identity, reviewers_by_email, reviewers_by_id
from onconav.cases.workflow import (
    QUEUE_STATES,
    assigned_cases,
    change_state,
    condition_query,
    create,
    get,
    get_or_raise,
    list_for_user,
    open_cases,
    perform,
    queue,
    queue_item,
    to_read,
    understand_diagnosis,
)
from onconav.storage import document_store

__all__ = [
    "QUEUE_STATES",
    "REVIEW_POSITIONS",
    "UNCHECKED_TEXT",
    "NotMcode",
    "add_document",
    "add_member",
    "add_review_input",
    "assigned_cases",
    "attachments_of",
    "change_state",
    "check_mcode",
    "clean_filename",
    "condition_query",
    "create",
    "delivered_plan",
    "document_bytes",
    "document_private",
    "document_store",
    "document_text",
    "document_to_read",
    "get",
    "get_document",
    "get_document_or_raise",
    "get_message",
    "get_or_raise",
    "known_identifiers",
    "list_documents",
    "list_for_user",
    "list_messages",
    "list_review_inputs",
    "mcode_bundle",
    "mcode_patient",
    "mcode_resources",
    "members",
    "open_cases",
    "perform",
    "post_message",
    "professional_identity",
    "queue",
    "queue_item",
    "read_mcode_facts",
    "reviewers_by_email",
    "reviewers_by_id",
    "shareable_file",
    "shared_text",
    "sweep_storage",
    "to_read",
    "trial_profile",
    "understand_diagnosis",
    "understand_records",
    "understood_biomarkers",
    "verify_documents",
]


def delivered_plan(session: Session, *, case_id: str) -> str | None:
    """The recommended plan of the case's newest delivered opinion (None before one is delivered)."""
    opinion = _latest_opinion(session, case_id=case_id, delivered_only=True)
    return str(opinion.content.get("recommended_plan") or "") if opinion is not None else None


def mcode_patient(case: Case, *, resource_id: str) -> dict[str, Any]:
    """The case's mCODE CancerPatient with this resource id, its name masked (the account is its
    identifier): for documents that carry the case's `mcode_resources` beside their own (the follow-up
    plan's hand-back)."""
    patient = cancer_patient(case, name=None, gender=case.clinical_facts.get("gender"))
    patient["id"] = resource_id
    return patient
