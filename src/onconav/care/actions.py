"""The care domain's use cases, one function each: ask the accounts policy (which audits), change through
the service, notify, build the read model. The JSON API and the pages both call these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from onconav.accounts import audit, policy
from onconav.accounts.principal import Principal
from onconav.care import service
from onconav.care.models import CarePlan, CarePlanItem
from onconav.care.schemas import FeedCreated, ItemIn, ItemUpdate, PlanCreate, PlanRead
from onconav.cases import service as cases
from onconav.errors import InvalidInput, NotFound
from onconav.i18n import N_

# A hand-back that fails its mCODE check (a 409): what the case's records said cannot be carried.
NOT_MCODE = N_("This follow-up plan cannot be handed back in mCODE: %(problem)s")


def _case_plan(session: Session, principal: Principal, case_id: str) -> CarePlan:
    """The case's plan the caller may know of (one answer for no case, no plan and not yours)."""
    plan = service.get_plan(session, case_id=case_id)
    if plan is None:
        raise policy.missing(session, principal, entity_type="care_plan", entity_id=case_id)
    return plan


def _item(session: Session, principal: Principal, item_id: str) -> CarePlanItem:
    item = service.get_item(session, item_id=item_id)
    if item is None:
        raise policy.missing(session, principal, entity_type="care_plan_item", entity_id=item_id)
    return item


def _read(session: Session, principal: Principal, plan: CarePlan) -> PlanRead:
    read = service.to_read(session, plan)
    read.may_edit = policy.permits(session, principal, "update", plan)
    read.may_mark = policy.permits(session, principal, "mark", plan)
    return read


def get_plan(session: Session, principal: Principal, *, case_id: str) -> PlanRead:
    """The case's follow-up plan."""
    plan = _case_plan(session, principal, case_id)
    policy.authorize(session, principal, "read", plan)
    return _read(session, principal, plan)


def find_plan(session: Session, principal: Principal, *, case_id: str) -> tuple[PlanRead | None, bool]:
    """The case's plan, or None when it has none yet; and whether the caller may make one (the page)."""
    if service.get_plan(session, case_id=case_id) is not None:
        plan = get_plan(session, principal, case_id=case_id)
        return plan, plan.may_edit
    case = cases.get(session, case_id=case_id)
    if case is None:
        raise policy.missing(session, principal, entity_type="case", entity_id=case_id)
    policy.authorize(session, principal, "read", case)
    draft = CarePlan(case_id=case.id, patient_id=case.patient_id)
    may_create = policy.permits(session, principal, "create", draft)
    if not may_create:
        raise NotFound("Not found.")
    return None, may_create


def _may_create(session: Session, principal: Principal, case_id: str, *, audit_success: bool) -> Any:
    case = cases.get(session, case_id=case_id)
    if case is None:
        raise policy.missing(session, principal, entity_type="case", entity_id=case_id)
    policy.authorize(session, principal, "read", case, audit_success=False)
    draft = CarePlan(case_id=case.id, patient_id=case.patient_id)
    policy.authorize(session, principal, "create", draft, audit_success=audit_success)
    return case


def save_plan(
    session: Session,
    principal: Principal,
    *,
    case_id: str,
    plan_in: PlanCreate,
    from_opinion: bool = False,
    from_offer: bool = False,
) -> PlanRead:
    """Make (or remake) the case's plan: from a template, by hand, from the delivered opinion or from the
    treatment offer the patient accepted."""
    case = _may_create(session, principal, case_id, audit_success=False)
    existing = service.get_plan(session, case_id=case_id)
    if existing is not None:
        policy.authorize(session, principal, "update", existing, audit_success=False)
    if from_opinion and from_offer:
        raise InvalidInput("Take the treatment from the opinion or from the accepted offer, not both.")
    if from_opinion or from_offer:
        make = service.plan_from_opinion if from_opinion else service.plan_from_accepted_offer
        from_case = make(
            session, case_id=case_id, treatment_end=plan_in.treatment_end, modality=plan_in.modality
        )
        plan_in = plan_in.model_copy(
            update={"treatment": from_case.treatment, "modality": from_case.modality}
        )
    plan = service.save_plan(
        session,
        case_id=case.id,
        patient_id=case.patient_id,
        condition=case.condition,
        stage=case.stage,
        plan_in=plan_in,
        actor_id=principal.user_id,
    )
    policy.authorize(session, principal, "update" if existing else "create", plan)
    return _read(session, principal, plan)


def add_item(session: Session, principal: Principal, *, case_id: str, item_in: ItemIn) -> PlanRead:
    """Add a visit, scan or test by hand."""
    plan = _case_plan(session, principal, case_id)
    policy.authorize(session, principal, "update", plan)
    service.add_item(session, plan=plan, item_in=item_in, actor_id=principal.user_id)
    return _read(session, principal, plan)


def update_item(session: Session, principal: Principal, *, item_id: str, update: ItemUpdate) -> PlanRead:
    """Change an item: its date or title (the care team, the patient's side), its done / skip mark (the
    patient's side)."""
    item = _item(session, principal, item_id)
    changes_content = update.due_on is not None or update.clear_date or update.title is not None
    if update.status is not None:
        policy.authorize(session, principal, "mark", item, audit_success=not changes_content)
    if changes_content or update.status is None:
        policy.authorize(session, principal, "update", item)
    service.update_item(session, item=item, update=update, actor_id=principal.user_id)
    return _read(session, principal, item.plan)


def create_feed(session: Session, principal: Principal, *, case_id: str, base_url: str) -> FeedCreated:
    """A new private calendar address (the old one stops working); shown once."""
    plan = _case_plan(session, principal, case_id)
    policy.authorize(session, principal, "feed", plan)
    token = service.issue_feed_token(session, plan=plan)
    return FeedCreated(url=f"{base_url}/followup/feed.ics?key={token}")


def revoke_feed(session: Session, principal: Principal, *, case_id: str) -> None:
    """Turn the calendar feed off."""
    plan = _case_plan(session, principal, case_id)
    policy.authorize(session, principal, "feed", plan)
    service.revoke_feed(session, plan=plan)


def read_feed(session: Session, *, token: str, base_url: str, source_ip: str | None) -> bytes:
    """The calendar of a live feed token (the token is the credential); audited as a read of the plan."""
    plan = service.plan_by_feed_token(session, token=token)
    if plan is None:
        raise NotFound("Not found.")
    audit.record(
        session,
        event_type="care_plan.feed",
        action="read",
        actor_id="calendar-feed",
        actor_role="feed",
        patient_id=plan.patient_id,
        entity_type="care_plan",
        entity_id=plan.id,
        source_ip=source_ip,
    )
    return service.feed_calendar(session, plan=plan, plan_url=base_url + service.plan_path(plan.case_id))


def handback_pdf(session: Session, principal: Principal, *, case_id: str) -> bytes:
    """The treatment summary and follow-up plan as a PDF."""
    plan = _case_plan(session, principal, case_id)
    policy.authorize(session, principal, "export", plan, detail="pdf")
    summary, _codes = service.treatment_summary(session, case_id=case_id)
    return service.handback_pdf(summary, service.to_read(session, plan), generated=dt.date.today())


def handback_fhir(session: Session, principal: Principal, *, case_id: str, base_url: str) -> dict[str, Any]:
    """The plan as a FHIR R4 Bundle: CarePlan, CancerPatient, the case's mCODE resources, Procedure;
    checked against the mCODE profiles (a 409 when the case's records cannot be carried)."""
    plan = _case_plan(session, principal, case_id)
    policy.authorize(session, principal, "export", plan, detail="fhir")
    bundle, problems = service.careplan_fhir(session, plan=service.to_read(session, plan), base_url=base_url)
    if problems:
        raise cases.NotMcode(NOT_MCODE, problem=problems[0])
    return bundle
