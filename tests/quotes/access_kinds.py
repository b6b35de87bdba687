"""The quotes routes and object kinds for tests/accounts/test_object_access.py (imported there, so that the
shared file gains three lines): treatment requests and offers.

The first patient's request goes to the center the center-staff account works for, which answers it with
an offer (so that center's staff, and the caregiver with read consent, may see both); the second patient's
request goes to another center only, so center staff must be refused it like everyone else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onconav.db import utcnow

VALID_UNTIL = (utcnow().date() + timedelta(days=365)).isoformat()
OFFER_JSON = {
    "steps": [{"modality": "surgery", "procedures": ["pleurectomy-decortication"]}],
    "stay_nights": 5,
    "treatment_weeks": 8,
    "if_plan_changes": "Agreed with you first.",
    "items": [{"label": "Operation", "amount": "1000.00", "currency": "EUR"}],
    "valid_until": VALID_UNTIL,
}
OFFER_FORM = {
    "modality": "surgery",
    "stay_nights": "5",
    "treatment_weeks": "8",
    "if_plan_changes": "Agreed with you first.",
    "items": "Operation | 1000.00",
    "currency": "EUR",
    "valid_until": VALID_UNTIL,
}
READ = {"success": 200, "changes": False}
PAGE_READ = {"success": 200, "changes": False, "page": True}
WORKFLOW = {"success": None}  # the owner's success depends on the request's state: see tests/quotes
PAGE_WORKFLOW = {"success": None, "page": True}


def quote_routes(object_route: Any, own_account: Any) -> dict[tuple[str, str], Any]:
    """ROUTES entries of the quotes domain, built with the test module's classes."""

    def body(**fields: Any) -> tuple[tuple[str, Any], ...]:
        return tuple(fields.items())

    request, offer = "treatment_request", "offer"
    return {
        ("GET", "/api/v1/requests/suggestions"): own_account(),
        ("POST", "/api/v1/requests"): own_account(),
        ("GET", "/api/v1/requests"): own_account(),
        ("GET", "/api/v1/inbox"): own_account(),
        ("GET", "/quotes"): own_account(),
        ("POST", "/quotes"): own_account(),
        ("GET", "/api/v1/requests/{request_id}"): object_route(request, **READ),
        ("GET", "/api/v1/requests/{request_id}/comparison"): object_route(request, **READ),
        ("POST", "/api/v1/requests/{request_id}/withdraw"): object_route(request, **WORKFLOW),
        ("POST", "/api/v1/requests/{request_id}/questions"): object_route(
            request, body=body(body="Hello", organization_id=1), **WORKFLOW
        ),
        ("POST", "/api/v1/requests/{request_id}/offers"): object_route(
            request, body=body(**OFFER_JSON), **WORKFLOW
        ),
        ("GET", "/api/v1/offers/{offer_id}"): object_route(offer, **READ),
        ("POST", "/api/v1/offers/{offer_id}/accept"): object_route(offer, **WORKFLOW),
        ("GET", "/quotes/{request_id}"): object_route(request, **PAGE_READ),
        ("GET", "/quotes/{request_id}/comparison"): object_route(request, **PAGE_READ),
        ("POST", "/quotes/{request_id}/messages"): object_route(
            request, body=body(body="Hello"), **PAGE_WORKFLOW
        ),
        ("POST", "/quotes/{request_id}/withdraw"): object_route(request, **PAGE_WORKFLOW),
        ("POST", "/quotes/{request_id}/offers"): object_route(
            request, body=body(**OFFER_FORM), **PAGE_WORKFLOW
        ),
        ("POST", "/offers/{offer_id}/accept"): object_route(offer, **PAGE_WORKFLOW),
    }


_BASELINES: dict[str, tuple[Any, ...]] = {}


def _staff_organization(session: Session, world: Any) -> int:
    from onconav.accounts.models import User

    staff = session.get(User, world.accounts["center_staff"].id)
    assert staff is not None and staff.organization_id is not None
    return staff.organization_id


def _other_organization(session: Session) -> int:
    from onconav.directory.models import Organization

    other = Organization(name="Another Center (test)", kind="cancer_center")
    session.add(other)
    session.flush()
    return other.id


def request_fingerprint(session: Session, request_id: str) -> tuple[Any, ...]:
    from onconav.quotes.models import Offer, RequestMessage, RequestRecipient, TreatmentRequest

    session.flush()
    request = session.get(TreatmentRequest, request_id)
    if request is None:
        return ()
    statuses = tuple(
        session.scalars(
            select(RequestRecipient.status)
            .where(RequestRecipient.request_id == request_id)
            .order_by(RequestRecipient.position)
        )
    )
    messages = session.scalar(
        select(func.count()).select_from(RequestMessage).where(RequestMessage.request_id == request_id)
    )
    offers = tuple(
        session.execute(
            select(Offer.organization_id, Offer.version, Offer.status)
            .where(Offer.request_id == request_id)
            .order_by(Offer.organization_id, Offer.version)
        ).all()
    )
    return (request.state, statuses, messages, offers)


def make_request(session: Session, world: Any, owner: str) -> str | None:
    from onconav.quotes import service
    from onconav.quotes.schemas import RequestWishes

    if world.accounts[owner].role != "patient":
        return None
    first = owner == "patient"
    organization_id = _staff_organization(session, world) if first else _other_organization(session)
    request = service.create_request(
        session,
        patient_id=world.accounts[owner].id,
        created_by=world.accounts[owner].id,
        diagnosis_text="stage 4 pleural mesothelioma",
        condition="pleural-mesothelioma",
        stage="IV",
        case_id=None,
        document_ids=[],
        wishes=RequestWishes(),
        addressees=[service.Addressee(organization_id=organization_id, name="Center", reasons=["chosen"])],
    )
    related = {("caregiver", owner)} | ({("center_staff", owner)} if first else set())
    world.related.setdefault("treatment_request", set()).update(related)
    _BASELINES[request.id] = request_fingerprint(session, request.id)
    return request.id


def make_offer(session: Session, world: Any, owner: str) -> str | None:
    from onconav.quotes import service
    from onconav.quotes.schemas import OfferCreate

    ids = world.objects[owner].get("treatment_request", [])
    if not ids:
        return None
    request = service.get_request(session, request_id=ids[0])
    assert request is not None
    organization_id = request.recipients[0].organization_id
    offer = service.send_offer(
        session,
        request=request,
        organization_id=organization_id,
        author_id=world.accounts["center_staff"].id,
        offer_in=OfferCreate.model_validate(OFFER_JSON),
        team=[],
        today=utcnow().date(),
    )
    world.related.setdefault("offer", set()).update(world.related["treatment_request"])
    _BASELINES[request.id] = request_fingerprint(session, request.id)
    _BASELINES[offer.id] = _BASELINES[request.id]
    return offer.id


def request_intact(session: Session, object_id: str) -> bool:
    return request_fingerprint(session, object_id) == _BASELINES[object_id]


def offer_intact(session: Session, object_id: str) -> bool:
    from onconav.quotes.models import Offer

    offer = session.get(Offer, object_id)
    return offer is not None and request_fingerprint(session, offer.request_id) == _BASELINES[object_id]


QUOTE_KINDS = {
    "treatment_request": (make_request, request_intact),
    "offer": (make_offer, offer_intact),
}
