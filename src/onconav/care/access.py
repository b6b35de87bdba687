"""Who may do what on follow-up plans (listed in `accounts.policy.RULE_MODULES`). Default deny.

A plan follows its case: whoever may read the case's records as its patient's side (the patient and
caregivers with consent, a local doctor the patient shared the hand-back with through that consent) and
the case's care team (coordinators and the assigned specialist) read it. The care team and the patient's
side with write consent edit it; the patient's side marks items done or skipped and manages the calendar
feed. Invited colleagues of the review do not see it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import READ_ACTIONS, Principal
from onconav.care.models import CarePlan, CarePlanItem
from onconav.cases import service as cases

PATIENT_SIDE_ACTIONS = frozenset({"update", "mark", "feed", "share"})
TEAM_ACTIONS = frozenset({"update"})


def _case_team(session: Session, principal: Principal, case_id: str) -> bool:
    """The case's coordinator or assigned specialist (whoever may update the case but is not its patient's
    side)."""
    case = cases.get(session, case_id=case_id)
    if case is None:
        return False
    return policy.permits(session, principal, "assign", case) or policy.permits(
        session, principal, "write_opinion", case
    )


def may_on_plan(session: Session, principal: Principal | None, action: str, plan: CarePlan) -> bool:
    """The plan rule (also for the case's plan before it exists: `action` "create" on a case's plan)."""
    if principal is None:
        return False
    if policy.patient_or_consented_caregiver(principal, plan.patient_id, action):
        return action in READ_ACTIONS or action in PATIENT_SIDE_ACTIONS or action == "create"
    if action in READ_ACTIONS or action in TEAM_ACTIONS or action == "create":
        return _case_team(session, principal, plan.case_id)
    return False


@policy.rule(CarePlan, entity_type="care_plan", patient_of=lambda plan: plan.patient_id)
def plan_rule(session: Session, principal: Principal | None, action: str, plan: CarePlan) -> bool:
    return may_on_plan(session, principal, action, plan)


@policy.rule(CarePlanItem, entity_type="care_plan_item", patient_of=lambda item: item.plan.patient_id)
def item_rule(session: Session, principal: Principal | None, action: str, item: CarePlanItem) -> bool:
    return may_on_plan(session, principal, action, item.plan)
