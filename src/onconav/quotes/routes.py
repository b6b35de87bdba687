"""The quotes JSON API under /api/v1: treatment requests, the centers' inbox and offers, questions both
ways, the comparison and the patient's choice.

Each route parses its input, calls one function of `quotes.actions` (which asks the accounts policy first)
and renders the answer; the request's unit of work commits before the answer is sent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from onconav.quotes import actions
from onconav.quotes.schemas import (
    CenterSuggestion,
    Comparison,
    InboxItem,
    MessageCreate,
    MessageRead,
    OfferCreate,
    OfferRead,
    RequestCreate,
    RequestLine,
    RequestRead,
)
from onconav.web.dependencies import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/api/v1", tags=["quotes"])


def _locale(request: Request) -> str:
    return getattr(request.state, "locale", "en")


@router.get("/requests/suggestions", response_model=list[CenterSuggestion])
def suggest_centers(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    diagnosis: Annotated[str, Query(min_length=3, max_length=500)],
    near: Annotated[str, Query(min_length=2, max_length=200)],
) -> list[CenterSuggestion]:
    """Up to five centers the ranking suggests for the diagnosis near a place, with its reasons."""
    return actions.suggest_centers(
        session, principal, diagnosis=diagnosis, near=near, locale=_locale(request)
    )


@router.post("/requests", status_code=201, response_model=RequestRead)
def create_request(
    request: Request, body: RequestCreate, principal: CurrentPrincipal, session: SessionDep
) -> RequestRead:
    """Send a treatment request to one to five centers (a caregiver gives `patient_id`)."""
    return actions.create_request(session, principal, request_in=body, locale=_locale(request))


@router.get("/requests", response_model=list[RequestLine])
def list_requests(principal: CurrentPrincipal, session: SessionDep) -> list[RequestLine]:
    """The caller's treatment requests and those of patients they act for."""
    return actions.list_requests(session, principal)


@router.get("/inbox", response_model=list[InboxItem])
def inbox(principal: CurrentPrincipal, session: SessionDep) -> list[InboxItem]:
    """Center staff: the requests addressed to their center, soonest due first."""
    return actions.inbox(session, principal)


@router.get("/requests/{request_id}", response_model=RequestRead)
def get_request(request_id: str, principal: CurrentPrincipal, session: SessionDep) -> RequestRead:
    """One request as the caller may see it (a center sees its own part, records de-identified)."""
    return actions.get_request(session, principal, request_id=request_id)


@router.post("/requests/{request_id}/withdraw", response_model=RequestRead)
def withdraw_request(request_id: str, principal: CurrentPrincipal, session: SessionDep) -> RequestRead:
    """The patient's side withdraws the request; the centers are told."""
    return actions.withdraw_request(session, principal, request_id=request_id)


@router.post("/requests/{request_id}/questions", status_code=201, response_model=MessageRead)
def post_message(
    request_id: str, body: MessageCreate, principal: CurrentPrincipal, session: SessionDep
) -> MessageRead:
    """A question to one center (the patient's side names `organization_id`) or back to the patient."""
    return actions.post_message(session, principal, request_id=request_id, message_in=body)


@router.post("/requests/{request_id}/offers", status_code=201, response_model=OfferRead)
def send_offer(
    request_id: str, body: OfferCreate, principal: CurrentPrincipal, session: SessionDep
) -> OfferRead:
    """Center staff: send an offer, or its next version (a sent offer never changes)."""
    return actions.send_offer(session, principal, request_id=request_id, offer_in=body)


@router.get("/requests/{request_id}/comparison", response_model=Comparison)
def comparison(
    request: Request, request_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Comparison:
    """The current offers side by side: plan differences, center signals, total cost of care by part."""
    return actions.comparison(session, principal, request_id=request_id, locale=_locale(request))


@router.get("/offers/{offer_id}", response_model=OfferRead)
def get_offer(offer_id: str, principal: CurrentPrincipal, session: SessionDep) -> OfferRead:
    """One offer version."""
    return actions.get_offer(session, principal, offer_id=offer_id)


@router.post("/offers/{offer_id}/accept", response_model=RequestRead)
def accept_offer(offer_id: str, principal: CurrentPrincipal, session: SessionDep) -> RequestRead:
    """The patient's side accepts this offer; the other centers are thanked."""
    return actions.accept_offer(session, principal, offer_id=offer_id)
