"""The follow-up JSON API under /api/v1 and the private calendar feed.

| method | path | |
|---|---|---|
| GET, POST | /api/v1/cases/{case_id}/followup | read / make (or remake) the case's plan |
| POST | /api/v1/cases/{case_id}/followup/items | add an item by hand |
| PATCH | /api/v1/followup/items/{item_id} | change a date or title; mark done / skipped |
| POST, DELETE | /api/v1/cases/{case_id}/followup/feed | a new private calendar address / turn it off |
| GET | /api/v1/cases/{case_id}/followup/pdf, /fhir | the hand-back: PDF, FHIR R4 Bundle with the CarePlan |
| GET | /followup/feed.ics?key= | the calendar (the key is the credential; in the query string, which the
access log never writes) |
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from onconav.care import actions
from onconav.care.schemas import FeedCreated, ItemIn, ItemUpdate, PlanCreate, PlanRead
from onconav.web.dependencies import CurrentPrincipal, SessionDep

router = APIRouter(prefix="/api/v1", tags=["follow-up"])
feed_router = APIRouter(include_in_schema=False)
FHIR_JSON = "application/fhir+json"


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/cases/{case_id}/followup", response_model=PlanRead)
def get_plan(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> PlanRead:
    """The case's follow-up plan (the patient's side, consented caregivers, the case's care team)."""
    return actions.get_plan(session, principal, case_id=case_id)


@router.post("/cases/{case_id}/followup", response_model=PlanRead, status_code=201)
def save_plan(
    case_id: str,
    body: PlanCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    from_opinion: Annotated[
        bool, Query(description="Take the treatment from the delivered opinion.")
    ] = False,
    from_offer: Annotated[
        bool, Query(description="Take the treatment from the treatment offer the patient accepted.")
    ] = False,
) -> PlanRead:
    """Make the case's plan (or remake it): dates from the end of treatment."""
    return actions.save_plan(
        session, principal, case_id=case_id, plan_in=body, from_opinion=from_opinion, from_offer=from_offer
    )


@router.post("/cases/{case_id}/followup/items", response_model=PlanRead, status_code=201)
def add_item(case_id: str, body: ItemIn, principal: CurrentPrincipal, session: SessionDep) -> PlanRead:
    """Add a visit, scan or test by hand."""
    return actions.add_item(session, principal, case_id=case_id, item_in=body)


@router.patch("/followup/items/{item_id}", response_model=PlanRead)
def update_item(item_id: str, body: ItemUpdate, principal: CurrentPrincipal, session: SessionDep) -> PlanRead:
    """Change an item's date or title, or mark it done or skipped."""
    return actions.update_item(session, principal, item_id=item_id, update=body)


@router.post("/cases/{case_id}/followup/feed", response_model=FeedCreated, status_code=201)
def create_feed(
    case_id: str, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> FeedCreated:
    """A new private calendar address (shown once; the previous one stops working)."""
    return actions.create_feed(session, principal, case_id=case_id, base_url=base_url(request))


@router.delete("/cases/{case_id}/followup/feed", status_code=204)
def revoke_feed(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Turn the calendar feed off."""
    actions.revoke_feed(session, principal, case_id=case_id)
    return Response(status_code=204)


@router.get("/cases/{case_id}/followup/pdf")
def handback_pdf(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """The treatment summary and follow-up plan as a PDF, for the local care team."""
    content = actions.handback_pdf(session, principal, case_id=case_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="follow-up-plan.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{case_id}/followup/fhir")
def handback_fhir(
    case_id: str, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """The plan as a FHIR R4 Bundle: CarePlan, the Condition it addresses, the Procedure received."""
    bundle: dict[str, Any] = actions.handback_fhir(
        session, principal, case_id=case_id, base_url=base_url(request)
    )
    return Response(json.dumps(bundle), media_type=FHIR_JSON, headers={"Cache-Control": "no-store"})


@feed_router.get("/followup/feed.ics")
def calendar_feed(
    request: Request, session: SessionDep, key: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """The plan's calendar for calendar apps; an unknown or revoked token is a 404."""
    source_ip = request.client.host if request.client else None
    content = actions.read_feed(session, token=key, base_url=base_url(request), source_ip=source_ip)
    return Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
