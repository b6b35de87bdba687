"""The cases JSON API under /api/v1: cases, workflow transitions, documents, members, messages, review
inputs, opinions, the coordinator queue and the specialist workspace.

Every route asks the accounts policy first (`policy.authorize`, which audits the access); the request's
one unit of work commits before the answer is sent (`onconav.web.dependencies`), so an acknowledged write
is durable.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts import service as accounts
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.cases import access, notify, opinions, rendering, service
from onconav.cases.models import Case, CaseDocument, CaseMessage, Opinion, ReviewInput
from onconav.cases.schemas import (
    CaseCreate,
    CaseRead,
    DocumentRead,
    OpinionContent,
    OpinionRead,
    QueueItem,
    TransitionRequest,
)
from onconav.cases.states import CaseRole, CaseState, InvalidTransition, allowed_targets, target_of_action
from onconav.errors import InvalidInput, NotFound
from onconav.web.dependencies import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/api/v1", tags=["cases"])
NOT_FOUND = "Not found."


class CaseCreateFor(CaseCreate):
    """A case; a caregiver names the patient they act for (with that patient's consent to write)."""

    patient_id: str | None = Field(default=None, max_length=64)


class MemberCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: CaseRole = Field(description="specialist (assigned by a coordinator) or colleague (invited).")


class MemberRead(BaseModel):
    user_id: str
    role: str
    created_at: Any


class MessageRead(BaseModel):
    id: str
    author_role: str
    body: str
    created_at: Any
    attachments: list[DocumentRead]


class ReviewCreate(BaseModel):
    position: str = Field(description="agree, partly_agree, disagree or abstain")
    specialty: str = Field(default="", max_length=120)
    body: str = Field(min_length=1, max_length=10_000)


class ReviewRead(BaseModel):
    id: str
    author_name: str
    specialty: str
    position: str
    body: str
    created_at: Any


class OpinionDraft(BaseModel):
    content: OpinionContent
    amendment_reason: str = Field(default="", max_length=2000)


class CaseDetail(CaseRead):
    my_roles: list[CaseRole]
    next_actions: list[str]


def load_case(session: Session, case_id: str) -> Case:
    case = service.get(session, case_id=case_id)
    if case is None:
        raise NotFound(NOT_FOUND)
    return case


def load_document(session: Session, document_id: str) -> CaseDocument:
    document = session.get(CaseDocument, document_id)
    if document is None:
        raise NotFound(NOT_FOUND)
    return document


def load_opinion(session: Session, opinion_id: str) -> Opinion:
    opinion = session.get(Opinion, opinion_id)
    if opinion is None:
        raise NotFound(NOT_FOUND)
    return opinion


def next_actions(case: Case, roles: set[CaseRole]) -> list[str]:
    """Workflow actions the caller may take now (opinion delivery goes through the opinion)."""
    from onconav.cases.states import TRANSITIONS

    actions: list[str] = []
    for transition in TRANSITIONS:
        if (
            transition.source == CaseState(case.state)
            and roles & transition.roles
            and transition.action not in ("deliver_opinion", *actions)
        ):
            actions.append(transition.action)
    return actions


def case_detail(session: Session, principal: Principal, case: Case) -> CaseDetail:
    roles = access.member_roles(session, principal, case)
    read = service.to_read(session, case)
    return CaseDetail(**read.model_dump(), my_roles=sorted(roles), next_actions=next_actions(case, roles))


def document_read(session: Session, principal: Principal, document: CaseDocument) -> DocumentRead:
    roles = access.member_roles(session, principal, document.case)
    return service.document_to_read(
        session, document, include_identifying=access.sees_identifying_tags(roles)
    )


def acting_role(session: Session, principal: Principal, case: Case, action: str) -> CaseRole:
    """The part the caller plays for this workflow action (the first of theirs the workflow allows)."""
    target = target_of_action(CaseState(case.state), action)
    roles = access.member_roles(session, principal, case)
    for role in (CaseRole.patient, CaseRole.caregiver, CaseRole.coordinator, CaseRole.specialist):
        if role in roles and target in allowed_targets(CaseState(case.state), role):
            return role
    raise InvalidTransition(
        "You cannot %(action)s a case that is %(state)s.", action=action, state=case.state
    )


# Cases ---------------------------------------------------------------------------------------------------


@router.post("/cases", status_code=201, response_model=CaseDetail)
def create_case(body: CaseCreateFor, principal: CurrentPrincipal, session: SessionDep) -> CaseDetail:
    """Start a draft case (a caregiver gives `patient_id`)."""
    patient_id = body.patient_id or principal.user_id
    policy.authorize(session, principal, "create", policy.PatientData(patient_id))
    if not (principal.is_self(patient_id) and principal.role is Role.patient) and not principal.may_act_for(
        patient_id, "create"
    ):
        raise InvalidInput("Only a patient, or a caregiver acting for one, can ask for a second opinion.")
    role = CaseRole.patient if principal.is_self(patient_id) else CaseRole.caregiver
    case_in = CaseCreate.model_validate(body.model_dump(exclude={"patient_id"}))
    case = service.create(
        session, patient_id=patient_id, case_in=case_in, created_by=principal.user_id, actor_role=role
    )
    policy.authorize(session, principal, "create", case)
    detail = case_detail(session, principal, case)
    return detail


@router.get("/cases", response_model=list[CaseRead])
def list_cases(principal: CurrentPrincipal, session: SessionDep) -> list[CaseRead]:
    """The caller's cases: their own, those of patients they care for, and those they work on."""
    patients = [p for p in principal.acting_for if principal.may_act_for(p, "list")]
    cases = service.list_for_user(session, user_id=principal.user_id, patient_ids=patients)
    if principal.role is Role.coordinator:
        seen = {c.id for c in cases}
        cases += [c for c in service.open_cases(session) if c.id not in seen]
    visible = []
    for case in cases:
        if policy.permits(session, principal, "list", case):
            policy.authorize(session, principal, "list", case)
            visible.append(service.to_read(session, case))
    return visible


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> CaseDetail:
    """One case with its history, the caller's parts on it and the actions open to them."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "read", case)
    detail = case_detail(session, principal, case)
    return detail


@router.post("/cases/{case_id}/transitions", response_model=CaseDetail)
def transition(
    case_id: str, body: TransitionRequest, principal: CurrentPrincipal, session: SessionDep
) -> CaseDetail:
    """Move the case on: submit, triage, accept, decline, start_review, request_info, provide_info,
    close, withdraw (delivering the opinion is POST /opinions/{id}/deliver)."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "update", case, detail=f"transition:{body.action[:40]}")
    if body.action == "deliver_opinion":
        raise InvalidInput("An opinion is delivered with POST /api/v1/opinions/{id}/deliver.")
    role = acting_role(session, principal, case, body.action)
    change = service.perform(
        session, case=case, action=body.action, actor_id=principal.user_id, role=role, note=body.note
    )
    notify.case_changed(session, case=case, change=change)
    detail = case_detail(session, principal, case)
    return detail


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
    from onconav.directory import service as directory
    from onconav.directory.schemas import SearchResponse
    from onconav.i18n import get_translations

    case = load_case(session, case_id)
    policy.authorize(session, principal, "read", case, detail="suggestions")
    query = service.condition_query(case)
    outcome = directory.search_providers(session, query=query, near=near, limit=limit)
    locale = getattr(request.state, "locale", "en")
    response = SearchResponse.from_outcome(
        outcome, query=query, translations=get_translations(locale), locale=locale
    )
    return response


# Documents -----------------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/documents", status_code=201, response_model=DocumentRead)
def upload_document(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, DICOM, ZIP of DICOM, or FHIR R4 bundle.")],
) -> DocumentRead:
    """Add a record to the case; its kind is decided by content, its SHA-256 returned."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "upload", case)
    document = service.add_document(
        session,
        store=service.document_store(),
        case=case,
        uploaded_by=principal.user_id,
        source=file.file,
        filename=file.filename,
        declared_type=file.content_type,
    )
    read = document_read(session, principal, document)
    return read


@router.get("/cases/{case_id}/documents", response_model=list[DocumentRead])
def list_documents(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[DocumentRead]:
    """The case's records."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "list", case, detail="documents")
    documents = [
        document_read(session, principal, d) for d in service.list_documents(session, case_id=case.id)
    ]
    return documents


@router.get("/documents/{document_id}", response_model=DocumentRead)
def get_document(document_id: str, principal: CurrentPrincipal, session: SessionDep) -> DocumentRead:
    """One record's kind, hash and details."""
    document = load_document(session, document_id)
    policy.authorize(session, principal, "read", document)
    read = document_read(session, principal, document)
    return read


@router.get("/documents/{document_id}/text")
def get_document_text(document_id: str, principal: CurrentPrincipal, session: SessionDep) -> dict[str, str]:
    """The text extracted from a PDF, or the readable summary of a FHIR bundle."""
    document = load_document(session, document_id)
    policy.authorize(session, principal, "read", document, detail="text")
    text = service.document_text(session, document)
    return {"id": document.id, "text": text}


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
    document = load_document(session, document_id)
    policy.authorize(session, principal, "read", document, detail="content")
    roles = access.member_roles(session, principal, document.case)
    shared = shared or not access.sees_originals(roles)
    data = service.document_bytes(session, service.document_store(), document, shared=shared)
    return Response(
        data,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.id}"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": document.sha256 if not shared else "",
        },
    )


# Team: queue, workspace, members ---------------------------------------------------------------------------


@router.get("/queue", response_model=list[QueueItem])
def coordinator_queue(principal: CurrentPrincipal, session: SessionDep) -> list[QueueItem]:
    """Open cases by due date (service-level target per urgency), for coordinators."""
    policy.authorize(session, principal, "list", access.CaseQueue())
    items = service.queue(session)
    return items


@router.get("/workspace", response_model=list[QueueItem])
def specialist_workspace(principal: CurrentPrincipal, session: SessionDep) -> list[QueueItem]:
    """The cases assigned to the calling specialist (and those they were invited to), by due date."""
    policy.authorize(session, principal, "list", access.Workspace(principal.user_id))
    items = [service.queue_item(case) for case in service.assigned_cases(session, user_id=principal.user_id)]
    return items


@router.get("/cases/{case_id}/members", response_model=list[MemberRead])
def list_members(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[MemberRead]:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "read", case, detail="members")
    members = [
        MemberRead(user_id=m.user_id, role=m.role, created_at=m.created_at)
        for m in service.members(session, case_id=case.id)
    ]
    return members


@router.post("/cases/{case_id}/members", status_code=201, response_model=MemberRead)
def add_member(
    case_id: str, body: MemberCreate, principal: CurrentPrincipal, session: SessionDep
) -> MemberRead:
    """A coordinator assigns a specialist; the assigned specialist invites colleagues."""
    case = load_case(session, case_id)
    action = "assign" if body.role == CaseRole.specialist else "invite"
    policy.authorize(session, principal, action, case)
    user = accounts.get_user_by_email(session, email=body.email)
    if user is None or user.role != Role.specialist.value or user.disabled_at is not None:
        raise InvalidInput("No active specialist has this e-mail address.")
    member = service.add_member(
        session, case=case, user_id=user.id, role=body.role, added_by=principal.user_id
    )
    notify.member_added(session, case=case, user_id=user.id)
    read = MemberRead(user_id=member.user_id, role=member.role, created_at=member.created_at)
    return read


# Messages and review inputs ---------------------------------------------------------------------------


def message_read(
    session: Session, principal: Principal, message: CaseMessage, attachments: list[CaseDocument]
) -> MessageRead:
    return MessageRead(
        id=message.id,
        author_role=message.author_role,
        body=message.body,
        created_at=message.created_at,
        attachments=[document_read(session, principal, d) for d in attachments],
    )


@router.get("/cases/{case_id}/messages", response_model=list[MessageRead])
def list_messages(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[MessageRead]:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "message", case, audit_success=False)
    policy.authorize(session, principal, "read", case, detail="messages")
    messages = service.list_messages(session, case_id=case.id)
    attached = service.attachments_of(session, message_ids=[m.id for m in messages])
    read = [message_read(session, principal, m, attached.get(m.id, [])) for m in messages]
    return read


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
    case = load_case(session, case_id)
    policy.authorize(session, principal, "message", case)
    roles = access.member_roles(session, principal, case)
    role = next(
        r
        for r in (CaseRole.patient, CaseRole.caregiver, CaseRole.specialist, CaseRole.coordinator)
        if r in roles
    )
    message = service.post_message(
        session, case=case, author_id=principal.user_id, author_role=role, body=body
    )
    attachments = [
        service.add_document(
            session,
            store=service.document_store(),
            case=case,
            uploaded_by=principal.user_id,
            source=upload.file,
            filename=upload.filename,
            declared_type=upload.content_type,
            message_id=message.id,
        )
        for upload in files or []
    ]
    notify.message_posted(session, case=case, author_id=principal.user_id)
    read = message_read(session, principal, message, attachments)
    return read


@router.get("/cases/{case_id}/reviews", response_model=list[ReviewRead])
def list_reviews(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[ReviewRead]:
    """The multidisciplinary review: each member's recorded input (team only)."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "review", case, audit_success=False)
    policy.authorize(session, principal, "read", case, detail="reviews")
    reviews = [
        ReviewRead.model_validate(r, from_attributes=True)
        for r in service.list_review_inputs(session, case_id=case.id)
    ]
    return reviews


@router.post("/cases/{case_id}/reviews", status_code=201, response_model=ReviewRead)
def add_review(
    case_id: str, body: ReviewCreate, principal: CurrentPrincipal, session: SessionDep
) -> ReviewRead:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "review", case)
    user = accounts.get_user_or_raise(session, user_id=principal.user_id)
    review: ReviewInput = service.add_review_input(
        session,
        case=case,
        author_id=principal.user_id,
        author_name=user.display_name or user.email,
        specialty=body.specialty,
        position=body.position,
        body=body.body,
    )
    read = ReviewRead.model_validate(review, from_attributes=True)
    return read


# Opinions --------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/opinions", response_model=list[OpinionRead])
def list_opinions(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[OpinionRead]:
    """Every opinion version the caller may read (the patient's side sees delivered ones only)."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "read", case, detail="opinions")
    visible = [
        opinions.to_read(o)
        for o in opinions.versions(session, case_id=case.id)
        if policy.permits(session, principal, "read", o)
    ]
    return visible


@router.put("/cases/{case_id}/opinion", response_model=OpinionRead)
def save_opinion(
    case_id: str, body: OpinionDraft, principal: CurrentPrincipal, session: SessionDep
) -> OpinionRead:
    """Write or rewrite the draft (clears signatures); after delivery, starts an amendment."""
    case = load_case(session, case_id)
    policy.authorize(session, principal, "write_opinion", case)
    opinion = opinions.save_draft(
        session,
        case=case,
        content=body.content,
        author_id=principal.user_id,
        amendment_reason=body.amendment_reason,
    )
    read = opinions.to_read(opinion)
    return read


@router.get("/opinions/{opinion_id}", response_model=OpinionRead)
def get_opinion(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> OpinionRead:
    opinion = load_opinion(session, opinion_id)
    policy.authorize(session, principal, "read", opinion)
    read = opinions.to_read(opinion)
    return read


@router.post("/opinions/{opinion_id}/sign", response_model=OpinionRead)
def sign_opinion(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> OpinionRead:
    """The calling reviewer signs the draft's exact content."""
    opinion = load_opinion(session, opinion_id)
    policy.authorize(session, principal, "sign", opinion)
    opinions.sign(session, opinion=opinion, reviewer_id=principal.user_id)
    read = opinions.to_read(opinion)
    return read


@router.post("/opinions/{opinion_id}/deliver", response_model=OpinionRead)
def deliver_opinion(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> OpinionRead:
    """Deliver a draft every reviewer signed; it can never change afterwards."""
    opinion = load_opinion(session, opinion_id)
    policy.authorize(session, principal, "deliver", opinion)
    case = opinion.case
    opinions.deliver(
        session, case=case, opinion=opinion, actor_id=principal.user_id, role=CaseRole.specialist
    )
    notify.opinion_delivered(session, case=case)
    read = opinions.to_read(opinion)
    return read


@router.get("/opinions/{opinion_id}/pdf")
def opinion_pdf(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    opinion = load_opinion(session, opinion_id)
    policy.authorize(session, principal, "export", opinion, detail="pdf")
    pdf = rendering.opinion_pdf(opinion.case, opinion)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="opinion-{opinion.version}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/opinions/{opinion_id}/fhir")
def opinion_fhir(
    request: Request, opinion_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """The opinion as a FHIR R4 Composition."""
    import json

    opinion = load_opinion(session, opinion_id)
    policy.authorize(session, principal, "export", opinion, detail="fhir")
    resource = rendering.opinion_composition(
        opinion.case, opinion, base_url=str(request.base_url).rstrip("/")
    )
    return Response(
        json.dumps(resource), media_type="application/fhir+json", headers={"Cache-Control": "no-store"}
    )
