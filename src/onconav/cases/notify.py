"""E-mail notifications about cases, through the accounts notifier (sent after the commit, never on a
rollback, in the recipient's language). They say only that something changed and link to the case page:
never a diagnosis, a document, a message body or an opinion.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import service as accounts
from onconav.cases.models import Case, CaseEvent, CaseMember
from onconav.i18n import N_

CASE_MESSAGES: dict[str, tuple[str, str]] = {
    "case_changed": (
        N_("An update on your onconav case"),
        N_(
            "Hello,\n\nThere is an update on a case you are part of on onconav. "
            "Sign in to see it:\n\n%(link)s\n"
        ),
    ),
    "case_message": (
        N_("A new message on onconav"),
        N_("Hello,\n\nThere is a new message on a case you are part of. Sign in to read it:\n\n%(link)s\n"),
    ),
    "case_member": (
        N_("You were added to a review team on onconav"),
        N_(
            "Hello,\n\nYou were added to the review team of a case on onconav. "
            "Sign in to see it:\n\n%(link)s\n"
        ),
    ),
    "opinion_delivered": (
        N_("A written answer is ready on onconav"),
        N_("Hello,\n\nThe written answer to your request is ready. Sign in to read it:\n\n%(link)s\n"),
    ),
}
accounts.add_mail_messages(CASE_MESSAGES)


def _queue(session: Session, user_ids: set[str], kind: str, case: Case) -> None:
    accounts.mail_users(session, user_ids=user_ids, kind=kind, path=f"/cases/{case.id}")


def _team(session: Session, case: Case) -> set[str]:
    return set(session.scalars(select(CaseMember.user_id).where(CaseMember.case_id == case.id)))


def case_changed(session: Session, *, case: Case, change: CaseEvent) -> None:
    """Tell the patient and the team (except whoever made the change) that the case moved on."""
    _queue(session, ({case.patient_id} | _team(session, case)) - {change.actor_id}, "case_changed", case)


def message_posted(session: Session, *, case: Case, author_id: str) -> None:
    _queue(session, ({case.patient_id} | _team(session, case)) - {author_id}, "case_message", case)


def member_added(session: Session, *, case: Case, user_id: str) -> None:
    _queue(session, {user_id}, "case_member", case)


def opinion_delivered(session: Session, *, case: Case) -> None:
    _queue(session, {case.patient_id}, "opinion_delivered", case)
