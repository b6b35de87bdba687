"""Cases and their workflow: create, find and list cases, move them from state to state (each change recorded
and numbered per case), the coordinator's queue and the specialist's workspace. Functions take a session and
never commit: the face's unit of work commits a change together with its audit event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onconav.cases.mcode_import import understood_biomarkers
from onconav.cases.models import Case, CaseEvent, CaseMember
from onconav.cases.schemas import CaseCreate, CaseEventRead, CaseRead, QueueItem
from onconav.cases.states import CaseRole, CaseState, Urgency, check_transition, due_dates, target_of_action
from onconav.db import new_id, utcnow
from onconav.errors import NotFound, OnconavError

QUEUE_STATES = (
    CaseState.submitted,
    CaseState.triaged,
    CaseState.accepted,
    CaseState.in_review,
    CaseState.more_info_requested,
)


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
        biomarkers=understood_biomarkers(case),
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


def was_submitted(case: Case) -> bool:
    """True once the patient's side submitted the case (it stays true after a withdrawal); a draft that
    was withdrawn without ever being submitted never was."""
    return case.submitted_at is not None


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
        triage_due_at=case.triage_due_at,
        opinion_due_at=case.opinion_due_at,
    )


def condition_query(case: Case) -> str:
    """What to search the directory for: the understood condition's name, else the diagnosis words."""
    from onconav.knowledge import service as knowledge

    if case.condition:
        condition = knowledge.get_condition(case.condition)
        if condition is not None:
            return condition.name
    return case.diagnosis_text[:200]


def assigned_cases(session: Session, *, user_id: str) -> list[Case]:
    """Cases a specialist is assigned to or invited to, most urgent due date first."""
    member_of = select(CaseMember.case_id).where(CaseMember.user_id == user_id)
    cases = list(session.scalars(select(Case).where(Case.id.in_(member_of))))
    return sorted(
        cases, key=lambda c: (c.opinion_due_at is None, c.opinion_due_at and _aware(c.opinion_due_at))
    )
