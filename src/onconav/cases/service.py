"""The cases domain's operations: create and read cases, move them through the workflow, take in
documents, list the coordinator's queue. Functions take a session and never commit (one unit of work per
request: the face commits, so a change and its audit event land together or not at all).
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onconav import storage
from onconav.cases import formats, sharing
from onconav.cases.models import Case, CaseDocument, CaseEvent, CaseMember, CaseMessage, ReviewInput
from onconav.cases.schemas import CaseCreate, CaseEventRead, CaseRead, DocumentRead, QueueItem
from onconav.cases.states import (
    OPEN_FOR_RECORDS,
    TERMINAL_STATES,
    CaseRole,
    CaseState,
    InvalidTransition,
    Urgency,
    check_transition,
    due_dates,
    target_of_action,
)
from onconav.config import get_settings
from onconav.db import new_id, utcnow
from onconav.errors import InvalidInput, NotFound, OnconavError
from onconav.storage import DocumentStore
from onconav.storage import document_store as document_store  # callers of add_document need one

QUEUE_STATES = (
    CaseState.submitted,
    CaseState.triaged,
    CaseState.accepted,
    CaseState.in_review,
    CaseState.more_info_requested,
)


# Cases ---------------------------------------------------------------------------------------------------


def understand_diagnosis(text: str) -> tuple[str | None, str | None]:
    """(condition id, stage) the knowledge base reads in a diagnosis, or (None, None)."""
    from onconav.knowledge import service as knowledge

    try:
        explained = knowledge.explain_text(text)
    except OnconavError:
        return None, None
    return (explained.condition.id if explained.condition else None), explained.stage


def create(
    session: Session,
    *,
    patient_id: str,
    case_in: CaseCreate,
    created_by: str | None = None,
    actor_role: CaseRole = CaseRole.patient,
    now: datetime | None = None,
) -> Case:
    """A new draft case of `patient_id` (created by them or a caregiver), its diagnosis understood by the
    knowledge base."""
    now = now or utcnow()
    condition, stage = understand_diagnosis(case_in.diagnosis)
    case = Case(
        id=new_id(),
        patient_id=patient_id,
        created_by=created_by or patient_id,
        title=case_in.title.strip(),
        diagnosis_text=case_in.diagnosis.strip(),
        condition=condition,
        stage=stage,
        treatment_plan=case_in.treatment_plan.strip(),
        questions=[q.strip() for q in case_in.questions if q.strip()],
        urgency=case_in.urgency.value,
        language=case_in.language,
        requested_providers=[p.model_dump() for p in case_in.requested_providers],
        state=CaseState.draft.value,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.add(
        CaseEvent(
            case_id=case.id,
            sequence=1,
            from_state=None,
            to_state=CaseState.draft.value,
            actor_id=created_by or patient_id,
            actor_role=actor_role.value,
            at=now,
        )
    )
    session.flush()
    return case


def get(session: Session, *, case_id: str) -> Case | None:
    """The case with this id, or None."""
    return session.get(Case, case_id)


def get_or_raise(session: Session, *, case_id: str) -> Case:
    """The case with this id; NotFound otherwise."""
    case = get(session, case_id=case_id)
    if case is None:
        raise NotFound("There is no case with this id, or you may not see it.")
    return case


def list_for_user(session: Session, *, user_id: str, patient_ids: list[str] | None = None) -> list[Case]:
    """Cases of `user_id` (or of the patients they care for) and cases they are a member of, newest first."""
    member_of = select(CaseMember.case_id).where(CaseMember.user_id == user_id)
    patients = [user_id, *(patient_ids or [])]
    query = select(Case).where(Case.patient_id.in_(patients) | Case.id.in_(member_of))
    return list(session.scalars(query.order_by(Case.created_at.desc(), Case.id)))


def change_state(
    session: Session,
    *,
    case: Case,
    target: CaseState,
    actor_id: str,
    role: CaseRole,
    note: str = "",
    now: datetime | None = None,
) -> CaseEvent:
    """Move `case` to `target` if the workflow lets `role` do it; the change is recorded with its time.

    The case row is locked (PostgreSQL) and the event's sequence is unique per case, so two concurrent
    changes of one case cannot both succeed from the same state."""
    now = now or utcnow()
    locked = session.scalars(select(Case).where(Case.id == case.id).with_for_update()).one()
    session.refresh(locked)
    source = CaseState(locked.state)
    check_transition(source, target, role)
    sequence = (
        session.scalar(
            select(func.coalesce(func.max(CaseEvent.sequence), 0)).where(CaseEvent.case_id == case.id)
        )
        or 0
    ) + 1
    locked.state = target.value
    locked.updated_at = now
    if target == CaseState.submitted and locked.submitted_at is None:
        locked.submitted_at = now
        locked.triage_due_at, locked.opinion_due_at = due_dates(Urgency(locked.urgency), now)
    change = CaseEvent(
        case_id=case.id,
        sequence=sequence,
        from_state=source.value,
        to_state=target.value,
        actor_id=actor_id,
        actor_role=role.value,
        note=note.strip(),
        at=now,
    )
    session.add(change)
    session.flush()
    return change


def perform(
    session: Session, *, case: Case, action: str, actor_id: str, role: CaseRole, note: str = ""
) -> CaseEvent:
    """Apply a named workflow action ('submit', 'accept' ...) to `case`."""
    target = target_of_action(CaseState(case.state), action)
    return change_state(session, case=case, target=target, actor_id=actor_id, role=role, note=note)


def queue(session: Session, *, now: datetime | None = None, limit: int = 200) -> list[QueueItem]:
    """Open cases for coordinators, most urgent due date first (triage due until triaged)."""
    now = now or utcnow()
    cases = session.scalars(
        select(Case).where(Case.state.in_([s.value for s in QUEUE_STATES])).limit(limit * 4)
    )
    items = [queue_item(case, now=now) for case in cases]
    items.sort(key=lambda item: (item.due_at is None, item.due_at and _aware(item.due_at), item.id))
    return items[:limit]


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for UTC columns; make them comparable."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_read(session: Session, case: Case) -> CaseRead:
    """The API shape of a case, with its history."""
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.sequence)
    )
    return CaseRead(
        id=case.id,
        title=case.title,
        diagnosis=case.diagnosis_text,
        condition=case.condition,
        stage=case.stage,
        treatment_plan=case.treatment_plan,
        questions=case.questions,
        urgency=Urgency(case.urgency),
        language=case.language,
        requested_providers=case.requested_providers,
        state=CaseState(case.state),
        created_at=case.created_at,
        submitted_at=case.submitted_at,
        triage_due_at=case.triage_due_at,
        opinion_due_at=case.opinion_due_at,
        events=[
            CaseEventRead(
                from_state=CaseState(e.from_state) if e.from_state else None,
                to_state=CaseState(e.to_state),
                actor_role=e.actor_role,
                note=e.note,
                at=e.at,
            )
            for e in events
        ],
    )


# Documents -----------------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^\w .()+,-]", re.UNICODE)


def clean_filename(filename: str | None) -> str:
    """A display name from what the client sent: last path part, no control or odd characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[:200] or "document"


def _context(document_id: str) -> str:
    return f"case_document:{document_id}"


def add_document(
    session: Session,
    *,
    store: DocumentStore,
    case: Case,
    uploaded_by: str,
    source: BinaryIO,
    filename: str | None,
    declared_type: str | None = None,
    message_id: str | None = None,
) -> CaseDocument:
    """Take in an upload: streamed to a staged file with its SHA-256, its kind decided and checked by
    content, encrypted chunk by chunk into a durable staged file that is renamed into place, then its row
    added. If the transaction rolls back the stored file is removed; if the process dies first, nothing
    points at it and start-up sweeps it."""
    from onconav.accounts import crypto

    if CaseState(case.state) not in OPEN_FOR_RECORDS:
        raise InvalidTransition(
            "Records can no longer be added to a case that is %(state)s.", state=case.state
        )
    settings = get_settings()
    document_id = new_id()
    with store.receive(source, max_bytes=settings.max_upload_bytes) as staged:
        inspection = formats.inspect_file(
            staged.path,
            filename=filename,
            declared_type=declared_type,
            max_expanded_bytes=settings.max_archive_expanded_bytes,
        )
        storage.put_encrypted(
            session, store, staged.path, document_id=document_id, context=_context(document_id)
        )
    private = {
        "filename": clean_filename(filename),
        "text": inspection.text,
        "details": inspection.details,
        "identifying": inspection.identifying,
    }
    document = CaseDocument(
        id=document_id,
        case_id=case.id,
        message_id=message_id,
        uploaded_by=uploaded_by,
        kind=inspection.kind.value,
        media_type=inspection.media_type,
        size=staged.size,
        sha256=staged.sha256,
        sealed=crypto.encrypt_field(session, json.dumps(private), context=_context(document_id)),
        created_at=utcnow(),
    )
    session.add(document)
    session.flush()
    return document


def get_document_or_raise(session: Session, *, document_id: str) -> CaseDocument:
    """The document with this id; NotFound otherwise."""
    document = session.get(CaseDocument, document_id)
    if document is None:
        raise NotFound("There is no document with this id, or you may not see it.")
    return document


def list_documents(session: Session, *, case_id: str) -> list[CaseDocument]:
    """The case's documents, oldest first."""
    query = select(CaseDocument).where(CaseDocument.case_id == case_id)
    return list(session.scalars(query.order_by(CaseDocument.created_at, CaseDocument.id)))


def document_private(session: Session, document: CaseDocument) -> dict[str, Any]:
    """The decrypted name, text, details and identifying tags of a document."""
    from onconav.accounts import crypto
    from onconav.cases.sealing import CaseDataDamaged

    try:
        data: dict[str, Any] = json.loads(
            crypto.decrypt_field(session, document.sealed, context=_context(document.id))
        )
    except crypto.DecryptionError as error:
        raise CaseDataDamaged(
            "This case's stored data failed its integrity check and cannot be shown; "
            "the operators have been told."
        ) from error
    return data


def document_text(session: Session, document: CaseDocument) -> str:
    """Text extracted from a PDF, or the readable summary of a FHIR bundle ('' for images)."""
    return str(document_private(session, document)["text"])


def document_to_read(session: Session, document: CaseDocument, *, include_identifying: bool) -> DocumentRead:
    """The API shape of a document; identifying tags only when the reader is the owner's side."""
    private = document_private(session, document)
    return DocumentRead(
        id=document.id,
        case_id=document.case_id,
        filename=private["filename"],
        kind=document.kind,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        details=private["details"],
        identifying=private["identifying"] if include_identifying else None,
        has_text=bool(private["text"]),
        created_at=document.created_at,
    )


def document_bytes(
    session: Session, store: DocumentStore, document: CaseDocument, *, shared: bool = False
) -> bytes:
    """The document's bytes, checked against the recorded hash; `shared` gives the de-identified copy."""
    data = storage.read_verified(
        session, store, document.id, context=_context(document.id), sha256=document.sha256
    )
    return sharing.shared_copy(formats.DocumentKind(document.kind), data) if shared else data


def verify_documents(session: Session, *, store: DocumentStore) -> list[str]:
    """Ids of documents whose stored bytes are missing, fail decryption or do not match their hash."""
    return [
        document.id
        for document in session.scalars(select(CaseDocument).order_by(CaseDocument.id))
        if not storage.is_intact(
            session, store, document.id, context=_context(document.id), sha256=document.sha256
        )
    ]


def sweep_storage(session: Session, *, store: DocumentStore) -> int:
    """At start-up (no upload in flight): remove staged leftovers and files no document row points at."""
    known = set(session.scalars(select(CaseDocument.id)))
    return store.sweep(known)


# Members, messages, review inputs ------------------------------------------------------------------------


def add_member(session: Session, *, case: Case, user_id: str, role: CaseRole, added_by: str) -> CaseMember:
    """Assign a specialist (by a coordinator) or invite a colleague (by the specialist); idempotent."""
    if role not in (CaseRole.specialist, CaseRole.colleague):
        raise InvalidInput("Only specialists and colleagues are added to a case.")
    if user_id == case.patient_id:
        raise InvalidInput("The patient cannot review their own case.")
    if CaseState(case.state) in TERMINAL_STATES:
        raise InvalidTransition("Nobody can join a case that is %(state)s.", state=case.state)
    existing = session.scalars(
        select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.user_id == user_id, CaseMember.role == role.value
        )
    ).first()
    if existing is not None:
        return existing
    member = CaseMember(
        id=new_id(), case_id=case.id, user_id=user_id, role=role.value, added_by=added_by, created_at=utcnow()
    )
    session.add(member)
    session.flush()
    return member


def members(session: Session, *, case_id: str, role: CaseRole | None = None) -> list[CaseMember]:
    """The case's members (optionally of one role), in the order they joined."""
    query = select(CaseMember).where(CaseMember.case_id == case_id)
    if role is not None:
        query = query.where(CaseMember.role == role.value)
    return list(session.scalars(query.order_by(CaseMember.created_at, CaseMember.id)))


def assigned_cases(session: Session, *, user_id: str) -> list[Case]:
    """Cases a specialist is assigned to or invited to, most urgent due date first."""
    member_of = select(CaseMember.case_id).where(CaseMember.user_id == user_id)
    cases = list(session.scalars(select(Case).where(Case.id.in_(member_of))))
    return sorted(
        cases, key=lambda c: (c.opinion_due_at is None, c.opinion_due_at and _aware(c.opinion_due_at))
    )


def post_message(
    session: Session, *, case: Case, author_id: str, author_role: CaseRole, body: str
) -> CaseMessage:
    """A message on the case (attachments are added with `add_document(message_id=...)`)."""
    text = body.strip()
    if not text:
        raise InvalidInput("A message cannot be empty.")
    if len(text) > 10_000:
        raise InvalidInput("A message can be at most %(limit)s characters.", limit=10_000)
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


def list_messages(session: Session, *, case_id: str) -> list[CaseMessage]:
    """The case's messages, oldest first."""
    query = select(CaseMessage).where(CaseMessage.case_id == case_id)
    return list(session.scalars(query.order_by(CaseMessage.created_at, CaseMessage.id)))


def attachments_of(session: Session, *, message_ids: list[str]) -> dict[str, list[CaseDocument]]:
    """Documents attached to each message."""
    found: dict[str, list[CaseDocument]] = {}
    if not message_ids:
        return found
    query = (
        select(CaseDocument).where(CaseDocument.message_id.in_(message_ids)).order_by(CaseDocument.created_at)
    )
    for document in session.scalars(query):
        found.setdefault(str(document.message_id), []).append(document)
    return found


def add_review_input(
    session: Session,
    *,
    case: Case,
    author_id: str,
    author_name: str,
    specialty: str,
    position: str,
    body: str,
) -> ReviewInput:
    """One member's input to the multidisciplinary review (recorded, never edited)."""
    if CaseState(case.state) not in (CaseState.accepted, CaseState.in_review, CaseState.more_info_requested):
        raise InvalidTransition(
            "Review input is taken while the case is in review, not when it is %(state)s.", state=case.state
        )
    if position not in REVIEW_POSITIONS:
        raise InvalidInput(
            "The position must be one of: %(positions)s.", positions=", ".join(REVIEW_POSITIONS)
        )
    if not body.strip():
        raise InvalidInput("Review input cannot be empty.")
    review = ReviewInput(
        id=new_id(),
        case_id=case.id,
        author_id=author_id,
        author_name=author_name.strip()[:200] or "Reviewer",
        specialty=specialty.strip()[:120],
        position=position,
        body=body.strip()[:10_000],
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    return review


REVIEW_POSITIONS = ("agree", "partly_agree", "disagree", "abstain")


def list_review_inputs(session: Session, *, case_id: str) -> list[ReviewInput]:
    """Every member's input to the review, oldest first."""
    query = select(ReviewInput).where(ReviewInput.case_id == case_id)
    return list(session.scalars(query.order_by(ReviewInput.created_at, ReviewInput.id)))


def open_cases(session: Session, *, limit: int = 500) -> list[Case]:
    """Submitted cases not yet closed (what coordinators work on)."""
    query = select(Case).where(
        Case.state.in_([s.value for s in (*QUEUE_STATES, CaseState.opinion_delivered)])
    )
    return list(session.scalars(query.order_by(Case.submitted_at.desc(), Case.id).limit(limit)))


def queue_item(case: Case, *, now: datetime | None = None) -> QueueItem:
    """A case as a line of a queue, with the due date that applies in its state."""
    now = now or utcnow()
    due = case.triage_due_at if case.state == CaseState.submitted else case.opinion_due_at
    if CaseState(case.state) not in QUEUE_STATES:
        due = None
    return QueueItem(
        id=case.id,
        title=case.title,
        condition=case.condition,
        urgency=Urgency(case.urgency),
        state=CaseState(case.state),
        submitted_at=case.submitted_at,
        due_at=due,
        overdue=bool(due and _aware(due) < now),
    )


def condition_query(case: Case) -> str:
    """What to search the directory for: the understood condition's name, else the diagnosis words."""
    from onconav.knowledge import service as knowledge

    if case.condition:
        condition = knowledge.get_condition(case.condition)
        if condition is not None:
            return condition.name
    return case.diagnosis_text[:200]
