"""Follow-up plans on both databases: made from the delivered opinion with dates from the end of treatment,
edited, marked; reminders e-mailed through a real SMTP server once per item and date, without medical words;
free text stored only as ciphertext."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from onconav.care import service
from onconav.care.models import CarePlan, CareReminder
from onconav.care.schemas import ItemIn, ItemUpdate, PlanCreate
from onconav.db import unit_of_work
from onconav.errors import InvalidInput
from tests.care.conftest import RECOMMENDED, Delivered
from tests.support.mailbox import Mailbox

END = dt.date(2026, 3, 10)
MEDICAL_WORDS = ("ct", "scan", "cancer", "lung", "chest", "imaging", "oncolog", "tumo", "chemo", "surgery")


def make_plan(session: Session, delivered: Delivered, **fields: object) -> CarePlan:
    plan_in = service.plan_from_opinion(
        session, case_id=delivered.case_id, treatment_end=END, modality="surgery"
    )
    if fields:
        plan_in = plan_in.model_copy(update=fields)
    return service.save_plan(
        session,
        case_id=delivered.case_id,
        patient_id=delivered.patient.id,
        condition="non-small-cell-lung-cancer",
        stage="IB",
        plan_in=plan_in,
        actor_id=delivered.patient.id,
    )


def test_plan_from_the_delivered_opinion_has_dates(
    backend: str, factory: sessionmaker[Session], delivered: Delivered
) -> None:
    with unit_of_work(factory) as session:
        plan = make_plan(session, delivered)
        plan_id = plan.id
    with factory() as session:
        plan = session.get(CarePlan, plan_id)
        assert plan is not None
        read = service.to_read(session, plan)
        assert read.treatment == RECOMMENDED
        assert read.template == "after-lung-resection"
        dated = [i.due_on for i in read.items if i.due_on]
        assert dated[0] == dt.date(2026, 9, 10) and dated == sorted(dated)
        assert read.items[-1].due_on is None  # the visit the source does not schedule
        assert read.symptoms and all(s.source_url.startswith("https://") for s in read.symptoms)
        # The free text is only ciphertext in the database.
        stored = session.execute(text("SELECT treatment FROM care_plan")).scalar_one()
        titles = session.execute(text("SELECT title FROM care_plan_item")).scalars().all()
        assert "Lobectomy" not in stored and not any("Chest" in t for t in titles)


def test_no_opinion_no_template_no_items_is_refused(
    backend: str, factory: sessionmaker[Session], delivered: Delivered
) -> None:
    with unit_of_work(factory) as session:
        with pytest.raises(InvalidInput, match="No follow-up template fits"):
            service.save_plan(
                session,
                case_id=delivered.case_id,
                patient_id=delivered.patient.id,
                condition=None,
                stage=None,
                plan_in=PlanCreate(treatment_end=END),
                actor_id=delivered.patient.id,
            )
        with pytest.raises(InvalidInput, match="No follow-up template"):
            service.save_plan(
                session,
                case_id=delivered.case_id,
                patient_id=delivered.patient.id,
                condition=None,
                stage=None,
                plan_in=PlanCreate(treatment_end=END, template="made-up"),
                actor_id=delivered.patient.id,
            )
        with pytest.raises(InvalidInput, match="before the end of treatment"):
            make_plan(session, delivered, items=[ItemIn(title="Visit", due_on=dt.date(2024, 1, 1))])


def test_by_hand_edit_and_remake_keeps_the_feed(
    backend: str, factory: sessionmaker[Session], delivered: Delivered
) -> None:
    with unit_of_work(factory) as session:
        plan = make_plan(
            session, delivered, template=None, use_template=False, items=[ItemIn(title="See Dr. Lee")]
        )
        token = service.issue_feed_token(session, plan=plan)
        item = plan.items[0]
        service.update_item(
            session,
            item=item,
            update=ItemUpdate(due_on=dt.date(2026, 4, 1)),
            actor_id=delivered.specialist.id,
        )
        service.update_item(
            session, item=item, update=ItemUpdate(status="done"), actor_id=delivered.patient.id
        )
        read = service.to_read(session, plan)
        assert [(i.title, i.due_on, i.status) for i in read.items] == [
            ("See Dr. Lee", dt.date(2026, 4, 1), "done")
        ]
        make_plan(session, delivered)  # remade from the template
    with factory() as session:
        again = service.plan_by_feed_token(session, token=token)
        assert again is not None and again.template == "after-lung-resection"
        assert all(i.status == "planned" for i in again.items)
        assert session.scalar(select(CarePlan.feed_token_sha256)) != token  # only the hash is stored


def test_reminders_are_mailed_once_without_medical_words(
    backend: str, factory: sessionmaker[Session], delivered: Delivered, mailbox: Mailbox
) -> None:
    with unit_of_work(factory) as session:
        make_plan(session, delivered)
    with unit_of_work(factory) as session:
        assert service.send_reminders(session, today=dt.date(2026, 8, 1), days=7) == 0  # nothing that soon
        assert service.send_reminders(session, today=dt.date(2026, 9, 5), days=7) == 1
    message = mailbox.wait_for(delivered.patient.email)[0]
    assert message["Subject"] == "You have an upcoming appointment in your onconav plan"
    body = mailbox.body(message)
    assert f"/cases/{delivered.case_id}/followup" in body
    words = (message["Subject"] + " " + body).lower()
    assert not [w for w in MEDICAL_WORDS if f" {w}" in words], body
    with unit_of_work(factory) as session:  # the timer runs again: nothing twice
        assert service.send_reminders(session, today=dt.date(2026, 9, 6), days=7) == 0
    with unit_of_work(factory) as session:  # the care team moves the scan: reminded for the new date
        plan = session.scalars(select(CarePlan)).one()
        first = next(i for i in plan.items if i.due_on == dt.date(2026, 9, 10))
        service.update_item(session, item=first, update=ItemUpdate(due_on=dt.date(2026, 9, 20)), actor_id="x")
    with unit_of_work(factory) as session:
        assert service.send_reminders(session, today=dt.date(2026, 9, 15), days=7) == 1
    assert len(mailbox.wait_for(delivered.patient.email, count=2)) == 2
    with unit_of_work(factory) as session:  # a done item is not reminded
        plan = session.scalars(select(CarePlan)).one()
        nxt = next(i for i in plan.items if i.due_on == dt.date(2027, 3, 10))
        service.update_item(session, item=nxt, update=ItemUpdate(status="done"), actor_id="x")
    with unit_of_work(factory) as session:
        assert service.send_reminders(session, today=dt.date(2027, 3, 5), days=7) == 0


def test_the_database_refuses_a_second_reminder_for_the_same_date(
    backend: str, factory: sessionmaker[Session], delivered: Delivered
) -> None:
    with unit_of_work(factory) as session:
        item_id = make_plan(session, delivered).items[0].id
    with unit_of_work(factory) as session:
        session.add(CareReminder(item_id=item_id, due_on=dt.date(2026, 9, 10)))
    with pytest.raises(IntegrityError), unit_of_work(factory) as session:
        session.add(CareReminder(item_id=item_id, due_on=dt.date(2026, 9, 10)))
        session.flush()


def test_reminder_window_is_bounded(backend: str, factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session, pytest.raises(InvalidInput, match="from 0 to 60 days"):
        service.send_reminders(session, today=dt.date(2026, 1, 1), days=400)


def test_a_tampered_or_moved_ciphertext_is_a_409_not_wrong_text(
    backend: str, factory: sessionmaker[Session], delivered: Delivered
) -> None:
    from onconav.care.plans import CareDataDamaged

    with unit_of_work(factory) as session:
        plan = make_plan(session, delivered)
        first, second = plan.items[0].id, plan.items[1].id
    with unit_of_work(factory) as session:  # the title of one item copied onto another
        title = session.execute(
            text("SELECT title FROM care_plan_item WHERE id = :i"), {"i": first}
        ).scalar_one()
        session.execute(text("UPDATE care_plan_item SET title = :t WHERE id = :i"), {"t": title, "i": second})
    with factory() as session:
        plan = session.scalars(select(CarePlan)).one()
        with pytest.raises(CareDataDamaged) as raised:
            service.to_read(session, plan)
        assert raised.value.status_code == 409


def test_a_date_years_before_the_treatment_ended_is_refused_everywhere(
    backend: str, factory: sessionmaker[Session], delivered: Delivered
) -> None:
    with unit_of_work(factory) as session:
        plan = make_plan(session, delivered)
        slip = dt.date(2016, 9, 10)
        with pytest.raises(InvalidInput, match="more than a year before the end of treatment"):
            service.add_item(session, plan=plan, item_in=ItemIn(title="Visit", due_on=slip), actor_id="x")
        with pytest.raises(InvalidInput, match="more than a year before the end of treatment"):
            service.update_item(session, item=plan.items[0], update=ItemUpdate(due_on=slip), actor_id="x")
