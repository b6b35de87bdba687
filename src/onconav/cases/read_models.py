"""Read models of the cases domain as a given caller sees them: a case with their parts and next actions,
documents (identifying tags for the owner's side only), messages, the team, the review and the opinions
they may read. Used by `cases.actions`; nothing here changes anything.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import Principal
from onconav.cases import access, opinions, service
from onconav.cases.models import Case, CaseDocument, CaseMessage
from onconav.cases.schemas import CaseDetail, DocumentRead, MemberRead, MessageRead, OpinionRead, ReviewRead
from onconav.cases.states import CaseState, next_actions


def case_detail(session: Session, principal: Principal, case: Case) -> CaseDetail:
    """The case with its history, the caller's parts on it and the workflow actions open to them."""
    roles = access.member_roles(session, principal, case)
    read = service.to_read(session, case)
    return CaseDetail(
        **read.model_dump(), my_roles=sorted(roles), next_actions=next_actions(CaseState(case.state), roles)
    )


def document_read(session: Session, principal: Principal, document: CaseDocument) -> DocumentRead:
    """A document's details; its identifying tags only when the caller is on the patient's side."""
    roles = access.member_roles(session, principal, document.case)
    return service.document_to_read(
        session, document, include_identifying=access.sees_identifying_tags(roles)
    )


def message_read(
    session: Session, principal: Principal, message: CaseMessage, attachments: list[CaseDocument]
) -> MessageRead:
    """A message with its attachments."""
    return MessageRead(
        id=message.id,
        author_role=message.author_role,
        body=message.body,
        created_at=message.created_at,
        attachments=[document_read(session, principal, d) for d in attachments],
    )


def message_reads(session: Session, principal: Principal, case: Case) -> list[MessageRead]:
    """The case's messages with their attachments, oldest first."""
    messages = service.list_messages(session, case_id=case.id)
    attached = service.attachments_of(session, message_ids=[m.id for m in messages])
    return [message_read(session, principal, m, attached.get(m.id, [])) for m in messages]


def member_reads(session: Session, case: Case) -> list[MemberRead]:
    """The case's team, in the order they joined."""
    return [
        MemberRead(user_id=m.user_id, role=m.role, created_at=m.created_at)
        for m in service.members(session, case_id=case.id)
    ]


def review_reads(session: Session, case: Case) -> list[ReviewRead]:
    """Every member's input to the review, oldest first."""
    return [
        ReviewRead.model_validate(r, from_attributes=True)
        for r in service.list_review_inputs(session, case_id=case.id)
    ]


def readable_opinions(session: Session, principal: Principal, case: Case) -> list[OpinionRead]:
    """The versions the caller may read (the patient's side sees delivered ones only)."""
    return [
        opinions.to_read(o)
        for o in opinions.versions(session, case_id=case.id)
        if policy.permits(session, principal, "read", o)
    ]
