"""What the faces render for the quotes domain, shaped for the caller: the patient's side sees every
center, offer and message of its request; a center sees only its own part of it and de-identified records.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import Principal
from onconav.cases import service as cases
from onconav.db import utcnow
from onconav.quotes import access, service
from onconav.quotes.models import TreatmentRequest
from onconav.quotes.schemas import (
    InboxItem,
    MessageRead,
    RecipientRead,
    RecordRead,
    RequestLine,
    RequestRead,
)


def is_center_side(principal: Principal, request: TreatmentRequest) -> bool:
    """True when the caller reads the request as staff of an addressed center (not as the patient's side)."""
    return not policy.patient_or_consented_caregiver(
        principal, request.patient_id, "read"
    ) and access.addressed_to_center(principal, request)


def _records(session: Session, request: TreatmentRequest, *, center: bool) -> list[RecordRead]:
    records = []
    for document_id in request.document_ids:
        document = cases.get_document(session, document_id=document_id)
        if document is None or document.case_id != request.case_id:
            continue
        if center:  # beyond the patient's own team: the de-identified text only, as second opinions do
            records.append(
                RecordRead(
                    id=document.id, kind=document.kind, shared_text=cases.shared_text(session, document)
                )
            )
        else:
            name = cases.document_private(session, document)["filename"]
            records.append(RecordRead(id=document.id, kind=document.kind, filename=name))
    return records


def _actions(session: Session, principal: Principal, request: TreatmentRequest, center: bool) -> list[str]:
    if request.state != service.RequestState.open.value:
        return []
    wanted = ("offer", "message") if center else ("message", "withdraw")
    return [action for action in wanted if policy.permits(session, principal, action, request)]


def request_read(
    session: Session, principal: Principal, request: TreatmentRequest, *, today: date
) -> RequestRead:
    """The request as the caller may see it."""
    center = is_center_side(principal, request)
    own = access.center_of(principal) if center else None
    recipients = [r for r in request.recipients if own is None or r.organization_id == own]
    names = {r.organization_id: r.organization_name for r in request.recipients}
    offers = service.offers_of(session, request_id=request.id, organization_id=own, current_only=own is None)
    return RequestRead(
        id=request.id,
        state=request.state,
        diagnosis_text=service.diagnosis_of(session, request),
        condition=request.condition,
        condition_name=service.condition_name(request.condition),
        stage=request.stage,
        case_id=None if center else request.case_id,
        wishes=service.wishes_of(session, request),
        recipients=[
            RecipientRead(
                organization_id=r.organization_id,
                name=r.organization_name,
                reasons=list(r.reasons),
                status=r.status,
                due_at=r.due_at,
            )
            for r in recipients
        ],
        records=_records(session, request, center=center),
        offers=[
            service.offer_to_read(offer, center=names.get(offer.organization_id, ""), today=today)
            for offer in offers
        ],
        messages=[
            MessageRead(
                id=m.id,
                organization_id=m.organization_id,
                from_center=m.from_center,
                body=service.body_of(session, m),
                created_at=m.created_at,
            )
            for m in service.messages_of(session, request_id=request.id, organization_id=own)
        ],
        created_at=request.created_at,
        viewer="center" if center else "patient",
        actions=_actions(session, principal, request, center),
    )


def request_line(request: TreatmentRequest, offers: int) -> RequestLine:
    return RequestLine(
        id=request.id,
        state=request.state,
        condition_name=service.condition_name(request.condition),
        stage=request.stage,
        centers=len(request.recipients),
        offers=offers,
        created_at=request.created_at,
    )


def inbox_items(session: Session, *, organization_id: int) -> list[InboxItem]:
    """The requests addressed to a center, soonest due first."""
    now = utcnow()
    return [
        InboxItem(
            request_id=request.id,
            condition_name=service.condition_name(request.condition),
            stage=request.stage,
            status=recipient.status,
            due_at=recipient.due_at,
            overdue=service.is_overdue(recipient, now),
            received_at=request.created_at,
        )
        for request, recipient in service.inbox_of(session, organization_id=organization_id)
    ]
