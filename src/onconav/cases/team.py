"""A case's review team: the specialist a coordinator assigns, the colleagues that specialist invites to
the multidisciplinary review, and the reviewers an opinion names among them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import service as accounts
from onconav.cases.models import Case, CaseMember
from onconav.cases.schemas import Reviewer, ReviewerLine
from onconav.cases.states import TERMINAL_STATES, CaseRole, CaseState, InvalidTransition
from onconav.db import new_id, utcnow
from onconav.errors import InvalidInput


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


def reviewers_by_email(session: Session, *, case: Case, lines: list[ReviewerLine]) -> list[Reviewer]:
    """The reviewers an opinion names by e-mail, each a member of the case (credentials default to MD)."""
    on_case = {m.user_id for m in members(session, case_id=case.id)}
    reviewers = []
    for line in lines:
        user = accounts.get_user_by_email(session, email=line.email)
        if user is None or user.id not in on_case:
            raise InvalidInput("%(email)s is not a reviewer on this case.", email=line.email[:100])
        reviewers.append(
            Reviewer(
                user_id=user.id, name=user.display_name or user.email, credentials=line.credentials or "MD"
            )
        )
    return reviewers
