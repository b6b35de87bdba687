"""Reminder e-mails before each dated item of a plan, run by a timer (`onconav followup send-reminders`).

Items due within the next `days` days, still planned, whose reminder for that date was not sent yet, get
one e-mail per plan to the patient. Each reminder is recorded (`care_reminder`, unique per item and date) in
the same transaction that queues the mail, which is sent only after the commit: a second run, or two runs
at once, never mail twice (the second one's commit fails on the unique row and sends nothing); an item
moved to another date is reminded again. The mail carries no medical word, only a link to the plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from onconav.accounts import service as accounts
from onconav.care.models import CarePlan, CarePlanItem, CareReminder
from onconav.errors import InvalidInput
from onconav.i18n import N_

MAX_DAYS_AHEAD = 60
REMINDER_MESSAGES: dict[str, tuple[str, str]] = {
    "followup_reminder": (
        N_("You have an upcoming appointment in your onconav plan"),
        N_(
            "Hello,\n\nYou have an upcoming appointment in your onconav plan. Sign in to see it, or to mark "
            "it done:\n\n%(link)s\n"
        ),
    ),
}
accounts.add_mail_messages(REMINDER_MESSAGES)


def plan_path(case_id: str) -> str:
    """The plan page's path."""
    return f"/cases/{case_id}/followup"


def due_items(session: Session, *, today: dt.date, days: int) -> list[CarePlanItem]:
    """Planned items due from `today` to `today + days` whose reminder for that date was not sent."""
    if not 0 <= days <= MAX_DAYS_AHEAD:
        raise InvalidInput("Remind from 0 to %(most)s days ahead.", most=MAX_DAYS_AHEAD)
    sent = and_(CareReminder.item_id == CarePlanItem.id, CareReminder.due_on == CarePlanItem.due_on)
    query = (
        select(CarePlanItem)
        .where(
            CarePlanItem.status == "planned",
            CarePlanItem.due_on >= today,
            CarePlanItem.due_on <= today + dt.timedelta(days=days),
            ~select(CareReminder.id).where(sent).exists(),
        )
        .order_by(CarePlanItem.due_on, CarePlanItem.id)
    )
    return list(session.scalars(query))


def send_reminders(session: Session, *, today: dt.date, days: int) -> int:
    """Record and queue the reminders due (one e-mail per plan, sent after the commit); how many items."""
    items = due_items(session, today=today, days=days)
    by_plan: dict[str, list[CarePlanItem]] = defaultdict(list)
    for item in items:
        by_plan[item.plan_id].append(item)
        assert item.due_on is not None
        session.add(CareReminder(item_id=item.id, due_on=item.due_on))
    session.flush()
    for plan_id in sorted(by_plan):
        plan = session.get(CarePlan, plan_id)
        assert plan is not None
        accounts.mail_users(
            session, user_ids={plan.patient_id}, kind="followup_reminder", path=plan_path(plan.case_id)
        )
    return len(items)
