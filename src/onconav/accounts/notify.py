"""E-mail notifications through SMTP (ONCONAV_SMTP_HOST, _PORT, _TLS none|starttls|tls, _USERNAME,
_PASSWORD, _FROM). Messages say that something happened and link to onconav; they never carry medical
content, and their links carry only one-time tokens. Without an SMTP host, messages are not sent and a
line saying so (without address or link) is logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import event
from sqlalchemy.orm import Session

from onconav.config import get_settings
from onconav.i18n import N_, get_translations

log = logging.getLogger("onconav")

# Each kind: subject and body templates (English source, translated into the reader's language).
MESSAGES: dict[str, tuple[str, str]] = {
    "verify": (
        N_("Confirm your e-mail address for onconav"),
        N_(
            "Hello,\n\nSomeone (we hope you) created an onconav account with this address. To confirm it, "
            "open this link within 48 hours:\n\n%(link)s\n\nIf it was not you, ignore this message: "
            "no account will be active without the confirmation.\n"
        ),
    ),
    "already_registered": (
        N_("Someone tried to create an onconav account with your address"),
        N_(
            "Hello,\n\nSomeone tried to create a new onconav account with this address, which already has "
            "one. If it was you, sign in at %(link)s or reset your password there. If not, you need not do "
            "anything.\n"
        ),
    ),
    "reset": (
        N_("Reset your onconav password"),
        N_(
            "Hello,\n\nTo choose a new onconav password, open this link within one hour:\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.\n"
        ),
    ),
    "password_changed": (
        N_("Your onconav password was changed"),
        N_(
            "Hello,\n\nThe password of your onconav account was changed and every other session was signed "
            "out. If you did not do this, reset your password at %(link)s at once.\n"
        ),
    ),
    "second_factor_enabled": (
        N_("A second factor was turned on for your onconav account"),
        N_(
            "Hello,\n\nSigning in to your onconav account now also needs a code from an authenticator app. "
            "If you did not do this, reset your password at %(link)s.\n"
        ),
    ),
    "consent_changed": (
        N_("Who may act for you on onconav has changed"),
        N_(
            "Hello,\n\nThe list of caregivers who may see or act on your onconav account changed. "
            "Review it at %(link)s.\n"
        ),
    ),
    "consent_received": (
        N_("Your access to a patient's onconav account has changed"),
        N_(
            "Hello,\n\nA patient changed what you may see or do for them on onconav. Sign in to see "
            "it: %(link)s\n"
        ),
    ),
    "consent_invitation": (
        N_("A patient invited you to help them on onconav"),
        N_(
            "Hello,\n\nA patient of onconav would like you to help them as a caregiver. To accept, sign up "
            "as a caregiver with this address at %(link)s; their consent counts once your address is "
            "confirmed. If you did not expect this, you need not do anything.\n"
        ),
    ),
    "second_factor_reset": (
        N_("The second factor of your onconav account was reset"),
        N_(
            "Hello,\n\nAn onconav administrator turned off the authenticator app of your account, as "
            "asked, and every session was signed out. Sign in with your password and set up an "
            "authenticator app again at %(link)s. If you did not ask for this, reset your password there "
            "at once and tell your onconav administrator.\n"
        ),
    ),
    "account_deleted": (
        N_("Your onconav account was deleted"),
        N_(
            "Hello,\n\nYour onconav account was deleted. What the law requires us to keep (the record of "
            "who accessed your data, and records of care) is kept as explained at %(link)s.\n"
        ),
    ),
}


@dataclass(frozen=True)
class Notification:
    """One e-mail to send: kind (see MESSAGES), recipient, language and the link it points to."""

    kind: str
    to: str
    locale: str
    link: str


@dataclass(frozen=True)
class Outcome:
    """What an account operation did: the notifications to send once the transaction commits."""

    notifications: tuple[Notification, ...] = ()


def compose(notification: Notification) -> EmailMessage:
    """The e-mail for a notification, in the recipient's language."""
    settings = get_settings()
    gettext = get_translations(notification.locale).gettext
    subject, body = MESSAGES[notification.kind]
    message = EmailMessage()
    message["Subject"] = gettext(subject)
    message["From"] = settings.smtp_from
    message["To"] = notification.to
    message["Message-ID"] = make_msgid(domain="onconav")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(gettext(body) % {"link": notification.link})
    return message


def link(path: str) -> str:
    """An absolute link to `path` on this onconav (ONCONAV_PUBLIC_URL)."""
    return get_settings().public_url.rstrip("/") + path


def mail_is_configured() -> bool:
    """Whether this instance can send e-mail at all (an SMTP host is set); pages must not claim to have
    sent a message otherwise."""
    return bool(get_settings().smtp_host)


def send(notification: Notification) -> bool:
    """Send one notification; True when the SMTP server accepted it. Failures are logged, not raised."""
    settings = get_settings()
    if not settings.smtp_host:
        log.info("e-mail %r not sent: no SMTP host is configured (ONCONAV_SMTP_HOST)", notification.kind)
        return False
    message = compose(notification)
    try:
        if settings.smtp_tls == "tls":
            context = ssl.create_default_context()
            with smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=30, context=context
            ) as smtp:
                _deliver(smtp, message)
        else:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
                if settings.smtp_tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                _deliver(smtp, message)
    except (OSError, smtplib.SMTPException) as error:
        # The address and the link stay out of the log: only the kind and the error class.
        log.warning("e-mail %r could not be sent: %s", notification.kind, type(error).__name__)
        return False
    return True


QUEUE_KEY = "onconav_notifications"


def queue(session: Session, notifications: Iterable[Notification]) -> None:
    """Send `notifications` once the session's transaction commits (never when it rolls back)."""
    session.info.setdefault(QUEUE_KEY, []).extend(notifications)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for notification in session.info.pop(QUEUE_KEY, []):
        send(notification)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(QUEUE_KEY, None)


def _deliver(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    settings = get_settings()
    if settings.smtp_username and settings.smtp_password:
        smtp.login(settings.smtp_username, settings.smtp_password)
    smtp.send_message(message)
