"""Read models of the cases domain as a given caller sees them: a case with their parts and next actions,
documents (identifying tags for the owner's side only), messages, the team, the review and the opinions
they may read. Used by `cases.actions`; nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import Principal
from onconav.cases import access, opinions, service
from onconav.cases.models import Case, CaseDocument, CaseMessage
from onconav.cases.schemas import (
    CaseDetail,
    CaseOverview,
    DocumentRead,
    MemberRead,
    MessageRead,
    OpinionRead,
    QueueItem,
    ReviewRead,
)
from onconav.cases.states import TRANSITIONS, CaseState, next_actions


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


# For the pages: a case list line with both deadlines named apart, and the timeline of one case --------


@dataclass(frozen=True)
class CaseLine:
    """A line of a case list: "Opinion due" is always the date the written opinion is due; the triage
    deadline (coordinators) has its own name and is set only while the case waits to be checked."""

    item: QueueItem
    opinion_due_at: datetime | None
    triage_due_at: datetime | None


def case_line(item: QueueItem) -> CaseLine:
    """The list line of a queue item: the deadlines the workflow set at submission, where they apply."""
    triage_due, opinion_due = item.triage_due_at, item.opinion_due_at
    open_case = CaseState(item.state) not in (CaseState.closed, CaseState.withdrawn, CaseState.declined)
    return CaseLine(
        item=item,
        opinion_due_at=opinion_due if open_case and item.state != CaseState.opinion_delivered else None,
        triage_due_at=triage_due if item.state == CaseState.submitted else None,
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened on a case. `kind` is state, record, message or opinion; `state` is the
    state reached (kind state), `action` the workflow action that reached it, `detail` a name or note."""

    at: datetime
    kind: str
    actor_role: str = ""
    state: CaseState | None = None
    action: str = ""
    detail: str = ""
    link: str = ""


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive UTC datetimes; make them comparable with PostgreSQL's."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _action_between(source: CaseState | None, target: CaseState) -> str:
    return next((t.action for t in TRANSITIONS if t.source == source and t.target == target), "")


def case_timeline(overview: CaseOverview) -> list[TimelineEntry]:
    """What happened on the case, oldest first, built only from what the overview already holds for
    this viewer (its documents, messages and opinions were filtered by the policy), so the timeline can
    never show more than the rest of the page."""
    case = overview.case
    entries = []
    for event in case.events:
        entries.append(
            TimelineEntry(
                at=event.at,
                kind="state" if event.from_state is not None else "created",
                actor_role=event.actor_role,
                state=event.to_state,
                action=_action_between(event.from_state, event.to_state),
                detail=event.note,
            )
        )
    attached = {d.id for m in overview.messages for d in m.attachments}
    for document in overview.documents:
        if document.id not in attached:
            entries.append(
                TimelineEntry(
                    at=document.created_at,
                    kind="record",
                    detail=document.filename,
                    link=f"/documents/{document.id}",
                )
            )
    for message in overview.messages:
        entries.append(TimelineEntry(at=message.created_at, kind="message", actor_role=message.author_role))
    for opinion in overview.opinions:
        if opinion.delivered_at is not None:
            entries.append(
                TimelineEntry(
                    at=opinion.delivered_at,
                    kind="opinion",
                    detail=str(opinion.version),
                    link=f"/opinions/{opinion.id}",
                )
            )
    return sorted(entries, key=lambda e: _aware(e.at))
