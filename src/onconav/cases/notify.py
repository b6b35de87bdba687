"""E-mail notifications about cases. They say only that something changed and link to the case: never a
diagnosis, a document, a message body or an opinion. Mail is sent after the transaction commits (nothing
is announced that did not happen), through the SMTP server of the settings; a failure to send is logged
(without addresses) and never undoes the change.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from onconav.cases.models import Case, CaseEvent, CaseMember
from onconav.config import get_settings

log = logging.getLogger("onconav")
PENDING_KEY = "onconav_cases_mail"

SUBJECT = "onconav: an update on a second-opinion case"
TEMPLATES = {
    "state": "There is an update on a second-opinion case you are part of.",
    "message": "There is a new message on a second-opinion case you are part of.",
    "member": "You have been added to a second-opinion case.",
    "opinion": "A written second opinion is ready to read.",
}


def _queue(session: Session, user_ids: set[str], kind: str, case: Case) -> None:
    from onconav.accounts.models import User

    if not user_ids:
        return
    users = session.scalars(select(User).where(User.id.in_(user_ids)))
    recipients = [u.email for u in users if u.disabled_at is None and u.deleted_at is None]
    pending: list[EmailMessage] = session.info.setdefault(PENDING_KEY, [])
    if not pending:
        event.listen(session, "after_commit", _send_pending, once=True)
        event.listen(session, "after_rollback", _drop_pending, once=True)
    settings = get_settings()
    link = f"{settings.public_url.rstrip('/')}/cases/{case.id}"
    for address in recipients:
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = address
        message["Subject"] = SUBJECT
        message.set_content(f"{TEMPLATES[kind]}\n\nSign in to onconav to see it: {link}\n")
        pending.append(message)


def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def _send_pending(session: Session) -> None:
    messages: list[EmailMessage] = session.info.pop(PENDING_KEY, [])
    if messages:
        send(messages)


def send(messages: list[EmailMessage]) -> None:
    """Deliver through SMTP; without an SMTP host the mail is only counted in the log."""
    settings = get_settings()
    if not settings.smtp_host:
        log.info("%d case notification(s) not sent: no SMTP server configured", len(messages))
        return
    try:
        smtp: smtplib.SMTP
        if settings.smtp_tls == "tls":
            smtp = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, context=ssl.create_default_context(), timeout=10
            )
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
        with smtp:
            if settings.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password)
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("case notifications could not be sent (%s)", type(error).__name__)


def _team(session: Session, case: Case) -> set[str]:
    return set(session.scalars(select(CaseMember.user_id).where(CaseMember.case_id == case.id)))


def case_changed(session: Session, *, case: Case, change: CaseEvent) -> None:
    """Tell the patient and the team (except whoever made the change) that the case moved on."""
    _queue(session, ({case.patient_id} | _team(session, case)) - {change.actor_id}, "state", case)


def message_posted(session: Session, *, case: Case, author_id: str) -> None:
    _queue(session, ({case.patient_id} | _team(session, case)) - {author_id}, "message", case)


def member_added(session: Session, *, case: Case, user_id: str) -> None:
    _queue(session, {user_id}, "member", case)


def opinion_delivered(session: Session, *, case: Case) -> None:
    _queue(session, {case.patient_id}, "opinion", case)
