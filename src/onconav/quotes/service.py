"""Front door of the quotes domain: what other domains, the CLI and the quotes actions call (treatment
requests, offers, the comparison, exchange rates, the accepted plan for the follow-up plan).

Other domains import from here (and from `onconav.quotes.schemas`), never from the modules behind it.
Functions take a session and never commit.
"""

from __future__ import annotations

from onconav.errors import OnconavError
from onconav.knowledge import service as knowledge
from onconav.quotes.comparison import build_comparison
from onconav.quotes.money import RateTable, check_currency, convert, parse_amount, show
from onconav.quotes.offers import (
    OfferStatus,
    accept_offer,
    accepted_plan_for_case,
    get_offer,
    offer_to_read,
    offers_of,
    send_offer,
    total_of,
    withdraw_request,
)
from onconav.quotes.rates import RateRow, import_rates, latest_table, loaded_dates, parse_ecb_csv
from onconav.quotes.requests import (
    ANSWER_DAYS,
    Addressee,
    RecipientStatus,
    RequestState,
    body_of,
    create_request,
    diagnosis_of,
    get_request,
    inbox_of,
    is_overdue,
    messages_of,
    post_message,
    recipient_of,
    requests_of,
    wishes_of,
)

__all__ = [
    "ANSWER_DAYS",
    "Addressee",
    "OfferStatus",
    "RateRow",
    "RateTable",
    "RecipientStatus",
    "RequestState",
    "accept_offer",
    "accepted_plan_for_case",
    "body_of",
    "build_comparison",
    "check_currency",
    "condition_lineage",
    "condition_name",
    "convert",
    "create_request",
    "diagnosis_of",
    "get_offer",
    "get_request",
    "import_rates",
    "inbox_of",
    "is_overdue",
    "latest_table",
    "loaded_dates",
    "messages_of",
    "offer_to_read",
    "offers_of",
    "parse_amount",
    "parse_ecb_csv",
    "post_message",
    "recipient_of",
    "requests_of",
    "send_offer",
    "show",
    "total_of",
    "understand_diagnosis",
    "wishes_of",
    "withdraw_request",
]


def understand_diagnosis(text: str) -> tuple[str | None, str | None]:
    """(condition slug, stage) the knowledge service's `explain` reads in the patient's words, or Nones."""
    try:
        explained = knowledge.explain_text(text)
    except OnconavError:
        return None, None
    return (explained.condition.id if explained.condition else None), explained.stage


def condition_lineage(code: str | None) -> list[str]:
    """The condition slug and the broader conditions it belongs to (none without a condition)."""
    return list(knowledge.condition_lineage(code=code)) if code else []


def condition_name(code: str | None) -> str | None:
    """The catalogue's name of a condition slug (None when there is none)."""
    condition = knowledge.get_condition(code) if code else None
    return condition.name if condition else None
