"""Follow-up plans and their items: create (from a knowledge template, by hand, or both), edit, mark done
or skipped, and read back decrypted. Functions take a session and never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import crypto
from onconav.care.models import CarePlan, CarePlanItem
from onconav.care.schedule import PlannedItem, planned_items
from onconav.care.schemas import ItemIn, ItemRead, ItemUpdate, PlanCreate, PlanRead, SourceRead, SymptomRead
from onconav.db import new_id, utcnow
from onconav.errors import InvalidInput, OnconavError
from onconav.knowledge import service as knowledge
from onconav.knowledge.schemas import FollowupTemplate

MAX_ITEMS = 200


class CareDataDamaged(OnconavError):
    """A stored follow-up field whose ciphertext failed its integrity check (or whose key is missing)."""

    status_code = 409


def _seal(session: Session, value: str, context: str) -> str:
    return crypto.encrypt_field(session, value, context=context)


def _open(session: Session, token: str, context: str) -> str:
    try:
        return crypto.decrypt_field(session, token, context=context).decode("utf-8")
    except crypto.DecryptionError as error:
        raise CareDataDamaged(
            "This follow-up plan's stored data failed its integrity check. Ask the site's operators."
        ) from error


def check_follows_treatment(due_on: dt.date | None, *, treatment_end: dt.date) -> None:
    """Refuse a follow-up date more than a year before the end of treatment (a slip of the year)."""
    if due_on is not None and due_on < treatment_end - dt.timedelta(days=366):
        raise InvalidInput(
            "The date %(date)s is more than a year before the end of treatment: check the year.",
            date=due_on.isoformat(),
        )


def get_plan(session: Session, *, case_id: str) -> CarePlan | None:
    """The case's follow-up plan, or None."""
    return session.scalars(select(CarePlan).where(CarePlan.case_id == case_id)).first()


def get_item(session: Session, *, item_id: str) -> CarePlanItem | None:
    """One item of a plan, or None."""
    return session.get(CarePlanItem, item_id)


def choose_template(
    *, plan_in: PlanCreate, condition: str | None, stage: str | None
) -> FollowupTemplate | None:
    """The template named in `plan_in`, else the best fit for the case (when asked for), else None."""
    if plan_in.template:
        template = knowledge.followup_template(plan_in.template)
        if template is None:
            raise InvalidInput('No follow-up template is called "%(code)s".', code=plan_in.template[:80])
        return template
    if not plan_in.use_template:
        return None
    fitting = knowledge.followup_templates_for(condition=condition, stage=stage, modality=plan_in.modality)
    return fitting[0] if fitting else None


def _add_item(session: Session, plan: CarePlan, planned: PlannedItem, position: int, actor_id: str) -> None:
    item_id = new_id()
    title = _seal(session, planned.title, f"care_plan_item.title:{item_id}")
    detail = _seal(session, planned.detail, f"care_plan_item.detail:{item_id}")
    plan.items.append(
        CarePlanItem(
            id=item_id,
            position=position,
            kind=planned.kind,
            title_sealed=title,
            detail_sealed=detail,
            due_on=planned.due_on,
            source=planned.source,
            updated_by=actor_id,
            updated_at=utcnow(),
        )
    )


def _by_hand(item: ItemIn) -> PlannedItem:
    return PlannedItem(item.kind, item.title.strip(), item.detail.strip(), item.due_on, None)


def save_plan(
    session: Session,
    *,
    case_id: str,
    patient_id: str,
    condition: str | None,
    stage: str | None,
    plan_in: PlanCreate,
    actor_id: str,
) -> CarePlan:
    """Create the case's plan, or replace its items (the calendar feed stays); dates from the end of
    treatment."""
    template = choose_template(plan_in=plan_in, condition=condition, stage=stage)
    items = planned_items(template, treatment_end=plan_in.treatment_end) if template else []
    for item in plan_in.items:
        check_follows_treatment(item.due_on, treatment_end=plan_in.treatment_end)
        items.append(_by_hand(item))
    if not items:
        raise InvalidInput(
            "No follow-up template fits this case: add the visits, scans and tests by hand, or choose a "
            "template."
        )
    plan = get_plan(session, case_id=case_id)
    now = utcnow()
    if plan is not None:
        plan.items.clear()
        session.flush()
    plan_id = plan.id if plan is not None else new_id()
    treatment = _seal(session, plan_in.treatment.strip(), f"care_plan.treatment:{plan_id}")
    if plan is None:
        plan = CarePlan(
            id=plan_id,
            case_id=case_id,
            patient_id=patient_id,
            created_by=actor_id,
            created_at=now,
            treatment_sealed=treatment,
            treatment_end=plan_in.treatment_end,
        )
        session.add(plan)
    plan.template = template.code if template else None
    plan.modality = plan_in.modality
    plan.treatment_sealed = treatment
    plan.treatment_end = plan_in.treatment_end
    plan.updated_at = now
    for position, planned in enumerate(items):
        _add_item(session, plan, planned, position, actor_id)
    session.flush()
    return plan


def add_item(session: Session, *, plan: CarePlan, item_in: ItemIn, actor_id: str) -> CarePlanItem:
    """Add an item entered by hand at the end of the plan."""
    if len(plan.items) >= MAX_ITEMS:
        raise InvalidInput("A plan holds at most %(count)s items.", count=MAX_ITEMS)
    check_follows_treatment(item_in.due_on, treatment_end=plan.treatment_end)
    position = max((item.position for item in plan.items), default=-1) + 1
    _add_item(session, plan, _by_hand(item_in), position, actor_id)
    plan.updated_at = utcnow()
    session.flush()
    return plan.items[-1]


def update_item(session: Session, *, item: CarePlanItem, update: ItemUpdate, actor_id: str) -> CarePlanItem:
    """Change an item's date, title or status."""
    if update.due_on is not None and update.clear_date:
        raise InvalidInput("Give a date or clear it, not both.")
    if update.due_on is not None:
        check_follows_treatment(update.due_on, treatment_end=item.plan.treatment_end)
        item.due_on = update.due_on
    if update.clear_date:
        item.due_on = None
    if update.status is not None:
        item.status = update.status
    if update.title is not None:
        item.title_sealed = _seal(session, update.title.strip(), f"care_plan_item.title:{item.id}")
    item.updated_by = actor_id
    item.updated_at = utcnow()
    item.plan.updated_at = item.updated_at
    session.flush()
    return item


def item_title(session: Session, item: CarePlanItem) -> str:
    """The item's title, decrypted."""
    return _open(session, item.title_sealed, f"care_plan_item.title:{item.id}")


def treatment_of(session: Session, plan: CarePlan) -> str:
    """The treatment received, decrypted."""
    return _open(session, plan.treatment_sealed, f"care_plan.treatment:{plan.id}")


def _sort_key(item: CarePlanItem) -> tuple[int, dt.date, int]:
    return (item.due_on is None, item.due_on or dt.date.max, item.position)


def to_read(session: Session, plan: CarePlan) -> PlanRead:
    """The plan as the faces show it: items by date (undated last), the template's symptoms and sources."""
    template = knowledge.followup_template(plan.template) if plan.template else None
    items = [
        ItemRead(
            id=item.id,
            kind=item.kind,
            title=item_title(session, item),
            detail=_open(session, item.detail_sealed, f"care_plan_item.detail:{item.id}"),
            due_on=item.due_on,
            status=item.status,
            source=item.source,
        )
        for item in sorted(plan.items, key=_sort_key)
    ]
    symptoms = (
        [
            SymptomRead(
                text=symptom.text,
                source_title=template.sources[symptom.source].title,
                source_url=str(template.sources[symptom.source].url),
            )
            for symptom in template.symptoms
        ]
        if template
        else []
    )
    sources = (
        [
            SourceRead(title=ref.title, url=str(ref.url), publisher=ref.publisher, published=ref.published)
            for ref in template.sources.values()
        ]
        if template
        else []
    )
    return PlanRead(
        id=plan.id,
        case_id=plan.case_id,
        patient_id=plan.patient_id,
        treatment=treatment_of(session, plan),
        treatment_end=plan.treatment_end,
        modality=plan.modality,
        template=plan.template,
        template_name=template.name if template else None,
        template_reviewed=bool(template and template.reviewed),
        items=items,
        symptoms=symptoms,
        sources=sources,
        has_feed=plan.feed_token_sha256 is not None,
    )
