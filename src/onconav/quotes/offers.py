"""Offers: a center's plan, team and itemised price for a request, immutable once sent (a revision is the
next version; the one before is marked superseded), and the patient's choice of one.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from onconav.db import utcnow
from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge
from onconav.quotes.models import Offer, OfferItem, TreatmentRequest
from onconav.quotes.money import parse_amount
from onconav.quotes.requests import RecipientStatus, RequestState, recipient_of, require_open, wishes_of
from onconav.quotes.schemas import (
    AcceptedPlan,
    Money,
    OfferCreate,
    OfferItemRead,
    OfferRead,
    OfferStep,
    TeamMember,
)


class OfferStatus:
    sent = "sent"
    superseded = "superseded"
    accepted = "accepted"
    not_chosen = "not_chosen"
    withdrawn = "withdrawn"


CURRENT = (OfferStatus.sent, OfferStatus.accepted, OfferStatus.not_chosen, OfferStatus.withdrawn)


def _check_offer(offer_in: OfferCreate, today: date) -> str:
    """The offer's one currency; InvalidInput for a past validity date, mixed currencies, unknown codes."""
    if offer_in.valid_until < today:
        raise InvalidInput("An offer must be valid until today or later.")
    currencies = {item.currency for item in offer_in.items}
    if len(currencies) != 1:
        raise InvalidInput("Price every item of an offer in one currency.")
    currency = currencies.pop()
    for item in offer_in.items:
        parse_amount(item.amount, currency=currency)
    for step in offer_in.steps:
        for code in step.procedures:
            if knowledge.get_service(code) is None:
                raise InvalidInput("%(code)s is not a procedure of the catalogue.", code=code[:60])
    return currency


def send_offer(
    session: Session,
    *,
    request: TreatmentRequest,
    organization_id: int,
    author_id: str,
    offer_in: OfferCreate,
    team: list[TeamMember],
    today: date,
) -> Offer:
    """Send a center's offer (the next version when one was sent before; that one becomes superseded)."""
    require_open(request)
    recipient = recipient_of(request, organization_id)
    if recipient is None:
        raise InvalidInput("This request was not sent to that center.")
    currency = _check_offer(offer_in, today)
    previous = session.scalars(
        select(Offer)
        .where(Offer.request_id == request.id, Offer.organization_id == organization_id)
        .order_by(Offer.version.desc())
    ).all()
    for older in previous:
        if older.status == OfferStatus.sent:
            older.status = OfferStatus.superseded
    offer = Offer(
        request_id=request.id,
        organization_id=organization_id,
        version=(previous[0].version + 1) if previous else 1,
        author_id=author_id,
        steps=[step.model_dump(mode="json") for step in offer_in.steps],
        team=[member.model_dump(mode="json") for member in team],
        stay_nights=offer_in.stay_nights,
        treatment_weeks=offer_in.treatment_weeks,
        home_follow_up=offer_in.home_follow_up,
        if_plan_changes=offer_in.if_plan_changes,
        currency=currency,
        valid_until=offer_in.valid_until,
        status=OfferStatus.sent,
        sent_at=utcnow(),
        items=[
            OfferItem(
                position=position,
                label=item.label,
                includes=item.includes,
                excludes=item.excludes,
                amount=parse_amount(item.amount, currency=currency),
                currency=currency,
            )
            for position, item in enumerate(offer_in.items)
        ],
    )
    session.add(offer)
    recipient.status = RecipientStatus.offered.value
    request.updated_at = utcnow()
    session.flush()
    return offer


def get_offer(session: Session, *, offer_id: str) -> Offer | None:
    """The offer with this id, or None."""
    if len(offer_id) > 32:
        return None
    return session.get(Offer, offer_id, options=[selectinload(Offer.items), selectinload(Offer.request)])


def offers_of(
    session: Session, *, request_id: str, organization_id: int | None = None, current_only: bool = True
) -> list[Offer]:
    """A request's offers in the order its centers were addressed; the latest version of each unless
    `current_only` is False; one center's only when `organization_id` is given."""
    query = select(Offer).where(Offer.request_id == request_id).options(selectinload(Offer.items))
    if organization_id is not None:
        query = query.where(Offer.organization_id == organization_id)
    if current_only:
        query = query.where(Offer.status.in_(CURRENT))
    return list(session.scalars(query.order_by(Offer.sent_at, Offer.version)))


def total_of(offer: Offer) -> Money:
    """The sum of the offer's items, in its currency."""
    return Money(
        amount=sum((Decimal(item.amount) for item in offer.items), Decimal("0.00")), currency=offer.currency
    )


def is_expired(offer: Offer, today: date) -> bool:
    return offer.valid_until < today


def close_offers(session: Session, *, request: TreatmentRequest, accepted_offer_id: str | None) -> None:
    """Mark every current offer but the accepted one not chosen (or withdrawn, when none was accepted)."""
    closed = OfferStatus.withdrawn if accepted_offer_id is None else OfferStatus.not_chosen
    for offer in offers_of(session, request_id=request.id):
        if offer.id != accepted_offer_id and offer.status == OfferStatus.sent:
            offer.status = closed


def withdraw_request(session: Session, *, request: TreatmentRequest) -> None:
    """The patient's side withdraws an open request: every center is told it is no longer sought."""
    require_open(request)
    request.state = RequestState.withdrawn.value
    request.updated_at = utcnow()
    for recipient in request.recipients:
        recipient.status = RecipientStatus.withdrawn.value
    close_offers(session, request=request, accepted_offer_id=None)
    session.flush()


def accept_offer(session: Session, *, offer: Offer, today: date) -> TreatmentRequest:
    """The patient accepts a current, still valid offer; every other center's offer is not chosen."""
    request = offer.request
    require_open(request)
    if offer.status != OfferStatus.sent:
        raise InvalidInput("Only the latest version of an offer can be accepted.")
    if is_expired(offer, today):
        raise InvalidInput(
            "This offer was valid until %(date)s: ask the center for a new one.",
            date=offer.valid_until.isoformat(),
        )
    offer.status = OfferStatus.accepted
    close_offers(session, request=request, accepted_offer_id=offer.id)
    for recipient in request.recipients:
        accepted = recipient.organization_id == offer.organization_id
        recipient.status = (RecipientStatus.accepted if accepted else RecipientStatus.not_chosen).value
    request.state = RequestState.accepted.value
    request.updated_at = utcnow()
    session.flush()
    return request


def offer_to_read(offer: Offer, *, center: str, today: date) -> OfferRead:
    """The API shape of one offer version."""
    return OfferRead(
        id=offer.id,
        request_id=offer.request_id,
        organization_id=offer.organization_id,
        organization_name=center,
        version=offer.version,
        status=offer.status,
        steps=[OfferStep.model_validate(step) for step in offer.steps],
        team=[TeamMember.model_validate(member) for member in offer.team],
        stay_nights=offer.stay_nights,
        treatment_weeks=offer.treatment_weeks,
        home_follow_up=offer.home_follow_up,
        if_plan_changes=offer.if_plan_changes,
        items=[
            OfferItemRead(
                label=item.label,
                includes=item.includes,
                excludes=item.excludes,
                amount=Decimal(item.amount),
                currency=item.currency,
            )
            for item in offer.items
        ],
        total=total_of(offer),
        valid_until=offer.valid_until,
        expired=is_expired(offer, today),
        sent_at=offer.sent_at,
    )


def accepted_plan_for_case(session: Session, *, case_id: str) -> AcceptedPlan | None:
    """The plan the patient accepted on a request made from this case (the latest such), or None."""
    query = (
        select(Offer)
        .join(TreatmentRequest, TreatmentRequest.id == Offer.request_id)
        .where(TreatmentRequest.case_id == case_id, Offer.status == OfferStatus.accepted)
        .options(selectinload(Offer.request).selectinload(TreatmentRequest.recipients))
        .order_by(Offer.sent_at.desc())
    )
    offer = session.scalars(query).first()
    if offer is None:
        return None
    request = offer.request
    recipient = recipient_of(request, offer.organization_id)
    wishes = wishes_of(session, request)
    start = wishes.earliest
    return AcceptedPlan(
        request_id=request.id,
        offer_id=offer.id,
        case_id=request.case_id,
        organization_id=offer.organization_id,
        center=recipient.organization_name if recipient else "",
        steps=[OfferStep.model_validate(step) for step in offer.steps],
        treatment_weeks=offer.treatment_weeks,
        expected_end=start + timedelta(weeks=offer.treatment_weeks) if start else None,
    )
