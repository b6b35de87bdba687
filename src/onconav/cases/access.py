"""Who may do what on cases, documents, messages, review inputs and opinions: the cases domain's rules
in the accounts policy module (listed in `policy.RULE_MODULES`). Default deny: no rule, no access.

Parts on a case: the patient (or a caregiver with their consent), coordinators (every case that was
submitted, whatever its state now: they triage and assign), the assigned specialist, and colleagues the
specialist invited to the multidisciplinary review. Colleagues read records only as de-identified copies
and never message the patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import READ_ACTIONS, Principal
from onconav.accounts.roles import Role
from onconav.cases.models import Case, CaseDocument, CaseMember, CaseMessage, Opinion, ReviewInput
from onconav.cases.states import CaseRole
from onconav.cases.workflow import was_submitted

# What each part may do on the case itself (besides reading it).
SPECIALIST_ACTIONS = frozenset({"update", "message", "upload", "invite", "review", "write_opinion"})
COORDINATOR_ACTIONS = frozenset({"update", "assign", "message", "upload"})
COLLEAGUE_ACTIONS = frozenset({"review"})
PATIENT_ACTIONS = frozenset({"create", "update", "message", "upload"})


@dataclass(frozen=True)
class CaseQueue:
    """The coordinators' queue of open cases (a resource of its own, so the policy decides who sees it)."""


@dataclass(frozen=True)
class Workspace:
    """A specialist's list of assigned cases."""

    user_id: str


def member_roles(session: Session, principal: Principal, case: Case) -> set[CaseRole]:
    """The parts `principal` plays on `case` (several are possible, e.g. coordinator and specialist)."""
    roles: set[CaseRole] = set()
    if principal.is_self(case.patient_id):
        roles.add(CaseRole.patient)
    elif principal.may_act_for(case.patient_id, "read"):
        roles.add(CaseRole.caregiver)
    # Coordinators see what was submitted to them: a draft withdrawn before it was ever submitted never was.
    if principal.role is Role.coordinator and was_submitted(case):
        roles.add(CaseRole.coordinator)
    if principal.role is Role.specialist:
        stored = session.scalars(
            select(CaseMember.role).where(
                CaseMember.case_id == case.id, CaseMember.user_id == principal.user_id
            )
        )
        roles.update(CaseRole(role) for role in stored)
    return roles


def sees_originals(roles: set[CaseRole]) -> bool:
    """The patient's side, the coordinator and the assigned specialist get original files; invited
    colleagues (beyond the reviewing team) get de-identified copies."""
    return bool(roles & {CaseRole.patient, CaseRole.caregiver, CaseRole.coordinator, CaseRole.specialist})


def sees_identifying_tags(roles: set[CaseRole]) -> bool:
    """Patient-identifying DICOM tags are shown to the owner's side only."""
    return bool(roles & {CaseRole.patient, CaseRole.caregiver})


def _may_on_case(session: Session, principal: Principal | None, action: str, case: Case) -> bool:
    if principal is None:
        return False
    if policy.patient_or_consented_caregiver(principal, case.patient_id, action):
        return action in READ_ACTIONS or action in PATIENT_ACTIONS
    roles = member_roles(session, principal, case)
    if action in READ_ACTIONS:
        return bool(roles)
    allowed: set[str] = set()
    if CaseRole.coordinator in roles:
        allowed |= COORDINATOR_ACTIONS
    if CaseRole.specialist in roles:
        allowed |= SPECIALIST_ACTIONS
    if CaseRole.colleague in roles:
        allowed |= COLLEAGUE_ACTIONS
    return action in allowed


@policy.rule(Case, entity_type="case", patient_of=lambda case: case.patient_id)
def case_rule(session: Session, principal: Principal | None, action: str, case: Case) -> bool:
    return _may_on_case(session, principal, action, case)


@policy.rule(CaseDocument, entity_type="document", patient_of=lambda document: document.case.patient_id)
def document_rule(session: Session, principal: Principal | None, action: str, document: CaseDocument) -> bool:
    # Documents are read by everyone on the case; they are never changed, and deleted with the case only.
    return action in READ_ACTIONS and _may_on_case(session, principal, "read", document.case)


@policy.rule(CaseMessage, entity_type="message", patient_of=lambda message: message.case.patient_id)
def message_rule(session: Session, principal: Principal | None, action: str, message: CaseMessage) -> bool:
    return action in READ_ACTIONS and _may_on_case(session, principal, "message", message.case)


@policy.rule(ReviewInput, entity_type="review_input", patient_of=lambda review: review.case.patient_id)
def review_rule(session: Session, principal: Principal | None, action: str, review: ReviewInput) -> bool:
    # The tumor-board discussion stays with the team; the patient receives the opinion.
    return action in READ_ACTIONS and _may_on_case(session, principal, "review", review.case)


@policy.rule(Opinion, entity_type="opinion", patient_of=lambda opinion: opinion.case.patient_id)
def opinion_rule(session: Session, principal: Principal | None, action: str, opinion: Opinion) -> bool:
    if principal is None:
        return False
    case = opinion.case
    if action in READ_ACTIONS:
        if policy.patient_or_consented_caregiver(principal, case.patient_id, action):
            return opinion.status == "delivered"
        roles = member_roles(session, principal, case)
        return bool(roles & {CaseRole.coordinator, CaseRole.specialist, CaseRole.colleague})
    if action == "sign":  # every reviewer named on it signs, invited colleagues included
        return bool(member_roles(session, principal, case) & {CaseRole.specialist, CaseRole.colleague})
    return _may_on_case(session, principal, "write_opinion", case)


@policy.rule(
    CaseQueue, entity_type="case_queue", patient_of=lambda _queue: None, entity_id_of=lambda _q: None
)
def queue_rule(session: Session, principal: Principal | None, action: str, queue: CaseQueue) -> bool:
    return principal is not None and principal.role is Role.coordinator and action in READ_ACTIONS


@policy.rule(Workspace, entity_type="workspace", patient_of=lambda _w: None, entity_id_of=lambda w: w.user_id)
def workspace_rule(session: Session, principal: Principal | None, action: str, workspace: Workspace) -> bool:
    return (
        principal is not None
        and principal.role is Role.specialist
        and principal.is_self(workspace.user_id)
        and action in READ_ACTIONS
    )
