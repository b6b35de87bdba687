"""E-mail about treatment requests, through the accounts notifier (sent after the commit, in each
recipient's language). They say only that something changed and link to the page: never a condition, a
plan, a price or a message body.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from onconav.accounts import service as accounts
from onconav.i18n import N_
from onconav.quotes.models import TreatmentRequest

QUOTE_MESSAGES: dict[str, tuple[str, str]] = {
    "quote_request_received": (
        N_("A new request for your center on onconav"),
        N_("Hello,\n\nA person sent your center a request on onconav. Sign in to see it:\n\n%(link)s\n"),
    ),
    "quote_offer_received": (
        N_("A center answered your request on onconav"),
        N_("Hello,\n\nA center answered your request on onconav. Sign in to see its answer:\n\n%(link)s\n"),
    ),
    "quote_message": (
        N_("A new message on onconav"),
        N_("Hello,\n\nThere is a new message about a request on onconav. Sign in to read it:\n\n%(link)s\n"),
    ),
    "quote_accepted": (
        N_("Your offer was accepted on onconav"),
        N_("Hello,\n\nThe person who sent a request chose your center's offer. Sign in:\n\n%(link)s\n"),
    ),
    "quote_not_chosen": (
        N_("Thank you for your answer on onconav"),
        N_(
            "Hello,\n\nThank you for answering a request on onconav. The person chose another center this "
            "time; nothing more is needed from you. The request stays readable here:\n\n%(link)s\n"
        ),
    ),
    "quote_withdrawn": (
        N_("A request was withdrawn on onconav"),
        N_(
            "Hello,\n\nThe person who sent your center a request withdrew it; nothing more is needed from "
            "you. Thank you for your time:\n\n%(link)s\n"
        ),
    ),
}
accounts.add_mail_messages(QUOTE_MESSAGES)


def _path(request: TreatmentRequest) -> str:
    return f"/quotes/{request.id}"


def _staff(session: Session, organization_ids: list[int]) -> set[str]:
    found: set[str] = set()
    for organization_id in organization_ids:
        found.update(accounts.staff_of_organization(session, organization_id=organization_id))
    return found


def request_sent(session: Session, *, request: TreatmentRequest) -> None:
    """Tell every addressed center's staff that a request arrived."""
    staff = _staff(session, [r.organization_id for r in request.recipients])
    accounts.mail_users(session, user_ids=staff, kind="quote_request_received", path=_path(request))


def offer_sent(session: Session, *, request: TreatmentRequest) -> None:
    """Tell the patient a center answered."""
    accounts.mail_users(
        session, user_ids={request.patient_id}, kind="quote_offer_received", path=_path(request)
    )


def message_posted(
    session: Session, *, request: TreatmentRequest, organization_id: int, from_center: bool
) -> None:
    """Tell the other side of the conversation that a message is waiting."""
    users = {request.patient_id} if from_center else _staff(session, [organization_id])
    accounts.mail_users(session, user_ids=users, kind="quote_message", path=_path(request))


def offer_accepted(session: Session, *, request: TreatmentRequest, organization_id: int) -> None:
    """Tell the chosen center, and thank every other one politely."""
    others = [r.organization_id for r in request.recipients if r.organization_id != organization_id]
    path = _path(request)
    accounts.mail_users(
        session, user_ids=_staff(session, [organization_id]), kind="quote_accepted", path=path
    )
    accounts.mail_users(session, user_ids=_staff(session, others), kind="quote_not_chosen", path=path)


def request_withdrawn(session: Session, *, request: TreatmentRequest) -> None:
    """Tell every addressed center that the request is withdrawn."""
    staff = _staff(session, [r.organization_id for r in request.recipients])
    accounts.mail_users(session, user_ids=staff, kind="quote_withdrawn", path=_path(request))
