"""Treatment requests: created once with the centers they go to, withdrawn by the patient's side, and the
questions exchanged with each center. Functions take a session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from onconav.db import new_id, utcnow
from onconav.errors import InvalidInput
from onconav.quotes.models import RequestMessage, RequestRecipient, TreatmentRequest
from onconav.quotes.schemas import RequestWishes
from onconav.quotes.sealing import seal, unseal

ANSWER_DAYS = 10  # a center is asked to answer within this many days


class RequestState(StrEnum):
    open = "open"
    accepted = "accepted"
    withdrawn = "withdrawn"


class RecipientStatus(StrEnum):
    awaiting = "awaiting"
    offered = "offered"
    accepted = "accepted"
    not_chosen = "not_chosen"
    withdrawn = "withdrawn"


@dataclass(frozen=True)
class Addressee:
    """A center a request goes to, and why it was picked."""

    organization_id: int
    name: str
    reasons: list[str]


def create_request(
    session: Session,
    *,
    patient_id: str,
    created_by: str,
    diagnosis_text: str,
    condition: str | None,
    stage: str | None,
    case_id: str | None,
    document_ids: list[str],
    wishes: RequestWishes,
    addressees: list[Addressee],
) -> TreatmentRequest:
    """A new open request, addressed at once to `addressees` (each due to answer in ANSWER_DAYS)."""
    now = utcnow()
    request_id = new_id()
    request = TreatmentRequest(
        id=request_id,
        patient_id=patient_id,
        created_by=created_by,
        case_id=case_id,
        diagnosis_text=seal(
            session, diagnosis_text, table="treatment_request", column="diagnosis_text", row_id=request_id
        ),
        condition=condition,
        stage=stage,
        document_ids=list(document_ids),
        wishes={
            "sealed": seal(
                session,
                wishes.model_dump_json(),
                table="treatment_request",
                column="wishes",
                row_id=request_id,
            )
        },
        state=RequestState.open.value,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    for position, addressee in enumerate(addressees):
        session.add(
            RequestRecipient(
                request_id=request.id,
                organization_id=addressee.organization_id,
                organization_name=addressee.name[:300],
                position=position,
                reasons=list(addressee.reasons),
                status=RecipientStatus.awaiting.value,
                due_at=now + timedelta(days=ANSWER_DAYS),
            )
        )
    session.flush()
    session.refresh(request)
    return request


def get_request(session: Session, *, request_id: str) -> TreatmentRequest | None:
    """The request with this id, or None."""
    if len(request_id) > 32:
        return None
    return session.get(TreatmentRequest, request_id, options=[selectinload(TreatmentRequest.recipients)])


def requests_of(session: Session, *, patient_ids: list[str]) -> list[TreatmentRequest]:
    """The requests of these patients, newest first."""
    if not patient_ids:
        return []
    query = (
        select(TreatmentRequest)
        .where(TreatmentRequest.patient_id.in_(patient_ids))
        .options(selectinload(TreatmentRequest.recipients))
        .order_by(TreatmentRequest.created_at.desc(), TreatmentRequest.id)
    )
    return list(session.scalars(query))


def inbox_of(session: Session, *, organization_id: int) -> list[tuple[TreatmentRequest, RequestRecipient]]:
    """The requests addressed to a center, soonest due first."""
    query = (
        select(TreatmentRequest, RequestRecipient)
        .join(RequestRecipient, RequestRecipient.request_id == TreatmentRequest.id)
        .where(RequestRecipient.organization_id == organization_id)
        .order_by(RequestRecipient.due_at, TreatmentRequest.id)
    )
    return [(request, recipient) for request, recipient in session.execute(query).all()]


def recipient_of(request: TreatmentRequest, organization_id: int | None) -> RequestRecipient | None:
    """The request's addressee row for this center, if it was addressed to it."""
    return next((r for r in request.recipients if r.organization_id == organization_id), None)


def require_open(request: TreatmentRequest) -> None:
    """InvalidInput unless the request still takes offers, questions and choices."""
    if request.state != RequestState.open.value:
        raise InvalidInput("This request is %(state)s: it takes no more changes.", state=request.state)


def post_message(
    session: Session,
    *,
    request: TreatmentRequest,
    organization_id: int,
    author_id: str,
    from_center: bool,
    body: str,
) -> RequestMessage:
    """A question or an answer between the patient's side and one addressed center."""
    require_open(request)
    if recipient_of(request, organization_id) is None:
        raise InvalidInput("This request was not sent to that center.")
    message_id = new_id()
    message = RequestMessage(
        id=message_id,
        request_id=request.id,
        organization_id=organization_id,
        author_id=author_id,
        from_center=from_center,
        body=seal(session, body.strip(), table="request_message", column="body", row_id=message_id),
    )
    session.add(message)
    request.updated_at = utcnow()
    session.flush()
    return message


def messages_of(session: Session, *, request_id: str, organization_id: int | None) -> list[RequestMessage]:
    """The request's messages, oldest first; only one center's when `organization_id` is given."""
    query = select(RequestMessage).where(RequestMessage.request_id == request_id)
    if organization_id is not None:
        query = query.where(RequestMessage.organization_id == organization_id)
    return list(session.scalars(query.order_by(RequestMessage.created_at, RequestMessage.id)))


def is_overdue(recipient: RequestRecipient, now: datetime) -> bool:
    """An awaited answer past its due date."""
    return recipient.status == RecipientStatus.awaiting.value and recipient.due_at < now


def wishes_of(session: Session, request: TreatmentRequest) -> RequestWishes:
    """The patient's wishes (dates, budget, companion, mobility, home), decrypted."""
    token = request.wishes["sealed"]
    return RequestWishes.model_validate_json(
        unseal(session, token, table="treatment_request", column="wishes", row_id=request.id)
    )


def diagnosis_of(session: Session, request: TreatmentRequest) -> str:
    """The diagnosis in the patient's words, decrypted."""
    return unseal(
        session, request.diagnosis_text, table="treatment_request", column="diagnosis_text", row_id=request.id
    )


def body_of(session: Session, message: RequestMessage) -> str:
    """A message's text, decrypted."""
    return unseal(session, message.body, table="request_message", column="body", row_id=message.id)
