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
from onconav.directory import service as directory
from onconav.errors import InvalidInput, NotFound


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


def professional_identity(session: Session, *, user_id: str) -> tuple[str, str, str]:
    """A team member's name, credentials and specialty with affiliation, from their account and its
    directory record (never from what anyone types)."""
    user = accounts.get_user_or_raise(session, user_id=user_id)
    name = user.display_name or user.email
    if user.practitioner_id is None:
        return name, "", ""
    try:
        record = directory.get_practitioner_or_raise(session, practitioner_id=user.practitioner_id)
    except NotFound:
        return name, "", ""
    specialties = list(dict.fromkeys(role.specialty for role in record.roles if role.specialty))
    places = list(dict.fromkeys(role.organization for role in record.roles if role.organization))
    specialty = " · ".join([*specialties[:2], *places[:2]])
    return name, record.credentials or "", specialty


def reviewer_from_account(session: Session, *, case: Case, user_id: str) -> Reviewer:
    """A reviewer of this case's team as the opinion names them: from their account only."""
    on_case = {m.user_id for m in members(session, case_id=case.id)}
    if user_id not in on_case:
        raise InvalidInput("%(reviewer)s is not a reviewer on this case.", reviewer=user_id[:100])
    name, credentials, specialty = professional_identity(session, user_id=user_id)
    described = " · ".join(part for part in (credentials, specialty) if part) or "Specialist"
    return Reviewer(user_id=user_id, name=name[:200], credentials=described[:200])


def reviewers_by_id(session: Session, *, case: Case, user_ids: list[str]) -> list[Reviewer]:
    """The reviewers an opinion names by account id, each a member of the case, described by their
    accounts."""
    return [reviewer_from_account(session, case=case, user_id=user_id) for user_id in dict.fromkeys(user_ids)]


def reviewers_by_email(session: Session, *, case: Case, lines: list[ReviewerLine]) -> list[Reviewer]:
    """The reviewers an opinion form names by e-mail, each a member of the case, described by their
    accounts."""
    on_case = {m.user_id for m in members(session, case_id=case.id)}
    user_ids = []
    for line in lines:
        user = accounts.get_user_by_email(session, email=line.email)
        if user is None or user.id not in on_case:
            raise InvalidInput("%(email)s is not a reviewer on this case.", email=line.email[:100])
        user_ids.append(user.id)
    return reviewers_by_id(session, case=case, user_ids=user_ids)
