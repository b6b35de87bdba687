"""Messages on a case between the patient's side, the coordinator and the assigned specialist (their
attachments are documents of the case, taken in by `documents.add_document`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.cases.models import Case, CaseMessage
from onconav.cases.states import TERMINAL_STATES, CaseRole, CaseState, InvalidTransition
from onconav.db import new_id, utcnow
from onconav.errors import InvalidInput

MESSAGE_LIMIT = 10_000


def post_message(
    session: Session, *, case: Case, author_id: str, author_role: CaseRole, body: str
) -> CaseMessage:
    """A message on the case (attachments are added with `add_document(message_id=...)`)."""
    text = body.strip()
    if not text:
        raise InvalidInput("A message cannot be empty.")
    if len(text) > MESSAGE_LIMIT:
        raise InvalidInput("A message can be at most %(limit)s characters.", limit=MESSAGE_LIMIT)
    if CaseState(case.state) in TERMINAL_STATES:
        raise InvalidTransition(
            "Messages can no longer be sent on a case that is %(state)s.", state=case.state
        )
    message = CaseMessage(
        id=new_id(),
        case_id=case.id,
        author_id=author_id,
        author_role=author_role.value,
        body=text,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def get_message(session: Session, *, message_id: str) -> CaseMessage | None:
    """The message with this id, or None."""
    return session.get(CaseMessage, message_id)


def list_messages(session: Session, *, case_id: str) -> list[CaseMessage]:
    """The case's messages, oldest first."""
    query = select(CaseMessage).where(CaseMessage.case_id == case_id)
    return list(session.scalars(query.order_by(CaseMessage.created_at, CaseMessage.id)))
