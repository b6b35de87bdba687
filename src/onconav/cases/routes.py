"""The cases JSON API under /api/v1: cases, workflow transitions, documents, members, messages, review
inputs, opinions, the coordinator queue and the specialist workspace.

Each route parses its input, calls one function of `cases.actions` (which asks the accounts policy first)
and renders the answer; the request's one unit of work commits before the answer is sent
(`onconav.web.dependencies`), so an acknowledged write is durable.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from onconav.cases import actions
from onconav.cases.schemas import (
    CaseCreateFor,
    CaseDetail,
    CaseRead,
    DocumentRead,
    DocumentText,
    MemberCreate,
    MemberRead,
    MessageRead,
    OpinionDraft,
    OpinionRead,
    QueueItem,
    ReviewCreate,
    ReviewRead,
    TransitionRequest,
    Upload,
)
from onconav.errors import InvalidInput
from onconav.web.dependencies import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/api/v1", tags=["cases"])


def upload_of(file: UploadFile) -> Upload:
    return Upload(source=file.file, filename=file.filename, declared_type=file.content_type)


# Cases ---------------------------------------------------------------------------------------------------


@router.post("/cases", status_code=201, response_model=CaseDetail)
def create_case(body: CaseCreateFor, principal: CurrentPrincipal, session: SessionDep) -> CaseDetail:
    """Start a draft case (a caregiver gives `patient_id`)."""
    return actions.create_case(session, principal, case_in=body)


@router.get("/cases", response_model=list[CaseRead])
def list_cases(principal: CurrentPrincipal, session: SessionDep) -> list[CaseRead]:
    """The caller's cases: their own, those of patients they care for, and those they work on."""
    return actions.list_cases(session, principal)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> CaseDetail:
    """One case with its history, the caller's parts on it and the actions open to them."""
    return actions.get_case(session, principal, case_id=case_id)


@router.post("/cases/{case_id}/transitions", response_model=CaseDetail)
def transition(
    case_id: str, body: TransitionRequest, principal: CurrentPrincipal, session: SessionDep
) -> CaseDetail:
    """Move the case on: submit, triage, accept, decline, start_review, request_info, provide_info,
    close, withdraw (delivering the opinion is POST /opinions/{id}/deliver)."""
    return actions.transition_case(
        session,
        principal,
        case_id=case_id,
        transition=body,
        delivery_elsewhere=InvalidInput("An opinion is delivered with POST /api/v1/opinions/{id}/deliver."),
    )


@router.get("/cases/{case_id}/suggestions")
def suggest_specialists(
    request: Request,
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    near: Annotated[str, Query(min_length=2, max_length=200, description="ZIP, 'City, ST' or 'lat,lon'.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:
    """Specialists and centers for the case's condition near a place, with why each ranks where it does."""
    locale = getattr(request.state, "locale", "en")
    return actions.suggest_specialists(
        session, principal, case_id=case_id, near=near, limit=limit, locale=locale
    )


# Documents -----------------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/documents", status_code=201, response_model=DocumentRead)
def upload_document(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, DICOM, ZIP of DICOM, or FHIR R4 bundle.")],
) -> DocumentRead:
    """Add a record to the case; its kind is decided by content, its SHA-256 returned."""
    return actions.upload_document(session, principal, case_id=case_id, upload=upload_of(file))


@router.get("/cases/{case_id}/documents", response_model=list[DocumentRead])
def list_documents(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[DocumentRead]:
    """The case's records."""
    return actions.list_documents(session, principal, case_id=case_id)


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: str, principal: CurrentPrincipal, session: SessionDep) -> DocumentRead:
    """One record's kind, hash and details."""
    return actions.get_document(session, principal, document_id=document_id)


@router.get("/documents/{document_id}/text", response_model=DocumentText)
def get_document_text(document_id: str, principal: CurrentPrincipal, session: SessionDep) -> DocumentText:
    """The text extracted from a PDF, or the readable summary of a FHIR bundle (beyond the reviewing team:
    identifiers the case knows redacted, and `unchecked` says what could not be checked)."""
    return actions.get_document_text(session, principal, document_id=document_id)


@router.get("/documents/{document_id}/content")
def get_document_content(
    document_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    shared: Annotated[
        bool, Query(description="The de-identified copy (what invited colleagues get).")
    ] = False,
) -> Response:
    """The record's bytes, checked against its hash (invited colleagues always get the shared copy)."""
    content = actions.get_document_content(session, principal, document_id=document_id, shared=shared)
    return Response(
        content.data,
        media_type=content.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{content.id}"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": content.sha256,
        },
    )


# Team: queue, workspace, members ---------------------------------------------------------------------------


@router.get("/queue", response_model=list[QueueItem])
def coordinator_queue(principal: CurrentPrincipal, session: SessionDep) -> list[QueueItem]:
    """Open cases by due date (service-level target per urgency), for coordinators."""
    return actions.coordinator_queue(session, principal)


@router.get("/workspace", response_model=list[QueueItem])
def specialist_workspace(principal: CurrentPrincipal, session: SessionDep) -> list[QueueItem]:
    """The cases assigned to the calling specialist (and those they were invited to), by due date."""
    return actions.specialist_workspace(session, principal)


@router.get("/cases/{case_id}/members", response_model=list[MemberRead])
def list_members(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[MemberRead]:
    return actions.list_members(session, principal, case_id=case_id)


@router.post("/cases/{case_id}/members", status_code=201, response_model=MemberRead)
def add_member(
    case_id: str, body: MemberCreate, principal: CurrentPrincipal, session: SessionDep
) -> MemberRead:
    """A coordinator assigns a specialist; the assigned specialist invites colleagues."""
    return actions.add_member(session, principal, case_id=case_id, member=body)


# Messages and review inputs ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/messages", response_model=list[MessageRead])
def list_messages(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[MessageRead]:
    return actions.list_messages(session, principal, case_id=case_id)


@router.post("/cases/{case_id}/messages", status_code=201, response_model=MessageRead)
def post_message(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
    files: Annotated[
        list[UploadFile] | None, File(description="Attachments (same checks as records).")
    ] = None,
) -> MessageRead:
    """A message on the case, with attachments taken in through the same upload path as records."""
    uploads = [upload_of(file) for file in files or []]
    return actions.post_message(session, principal, case_id=case_id, body=body, uploads=uploads)


@router.get("/cases/{case_id}/reviews", response_model=list[ReviewRead])
def list_reviews(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[ReviewRead]:
    """The multidisciplinary review: each member's recorded input (team only)."""
    return actions.list_reviews(session, principal, case_id=case_id)


@router.post("/cases/{case_id}/reviews", status_code=201, response_model=ReviewRead)
def add_review(
    case_id: str, body: ReviewCreate, principal: CurrentPrincipal, session: SessionDep
) -> ReviewRead:
    return actions.add_review(session, principal, case_id=case_id, review=body)


# Opinions --------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/opinions", response_model=list[OpinionRead])
def list_opinions(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[OpinionRead]:
    """Every opinion version the caller may read (the patient's side sees delivered ones only)."""
    return actions.list_opinions(session, principal, case_id=case_id)


@router.put("/cases/{case_id}/opinion", response_model=OpinionRead)
def save_opinion(
    case_id: str, body: OpinionDraft, principal: CurrentPrincipal, session: SessionDep
) -> OpinionRead:
    """Write or rewrite the draft (clears signatures); after delivery, starts an amendment."""
    return actions.save_opinion(session, principal, case_id=case_id, draft=body)


@router.get("/opinions/{opinion_id}", response_model=OpinionRead)
def get_opinion(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> OpinionRead:
    return actions.get_opinion(session, principal, opinion_id=opinion_id)


@router.post("/opinions/{opinion_id}/sign", response_model=OpinionRead)
def sign_opinion(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> OpinionRead:
    """The calling reviewer signs the draft's exact content."""
    return actions.sign_opinion(session, principal, opinion_id=opinion_id)


@router.post("/opinions/{opinion_id}/deliver", response_model=OpinionRead)
def deliver_opinion(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> OpinionRead:
    """Deliver a draft every reviewer signed; it can never change afterwards."""
    return actions.deliver_opinion(session, principal, opinion_id=opinion_id)


@router.get("/opinions/{opinion_id}/pdf")
def opinion_pdf(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    pdf = actions.opinion_pdf(session, principal, opinion_id=opinion_id)
    return Response(
        pdf.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="opinion-{pdf.version}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{case_id}/fhir/mcode")
def case_mcode(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """The case's summary as a FHIR Bundle of mCODE (STU3) resources."""
    bundle = actions.case_mcode(session, principal, case_id=case_id)
    return Response(
        json.dumps(bundle), media_type="application/fhir+json", headers={"Cache-Control": "no-store"}
    )


@router.get("/opinions/{opinion_id}/fhir")
def opinion_fhir(
    request: Request, opinion_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """The opinion as a FHIR R4 Composition."""
    resource = actions.opinion_fhir(
        session, principal, opinion_id=opinion_id, base_url=str(request.base_url).rstrip("/")
    )
    return Response(
        json.dumps(resource), media_type="application/fhir+json", headers={"Cache-Control": "no-store"}
    )
