"""Support services over the JSON API: GET /api/v1/support/search and one listing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from onconav.support import service
from onconav.support.schemas import SupportSearchResponse, SupportServiceRead
from onconav.web.dependencies import SessionDep

api_router = APIRouter(prefix="/api/v1/support", tags=["support"])


@api_router.get(
    "/search",
    response_model=SupportSearchResponse,
    summary="Rank support services for a condition near a place",
)
def api_support_search(
    request: Request,
    session: SessionDep,
    category: Annotated[
        str | None,
        Query(
            description="counseling, support_group, nutrition, palliative_care, hospice, financial, legal "
            "or navigation"
        ),
    ] = None,
    condition: Annotated[
        str | None, Query(description="A condition code ('pleural-mesothelioma') or a diagnosis in words.")
    ] = None,
    near: Annotated[
        str | None, Query(description="A US ZIP code, 'City, ST', 'City, Country' or 'lat,lon'.")
    ] = None,
    radius_km: Annotated[
        float, Query(description="Radius for in-person services, km (0 < r <= 20,040).")
    ] = 100.0,
    language: Annotated[str | None, Query(description="Spoken language, ISO 639-1 (e.g. 'es').")] = None,
    delivery: Annotated[str | None, Query(description="in_person, online or phone.")] = None,
    limit: Annotated[int, Query(description="Number of results (1-100).")] = 20,
) -> SupportSearchResponse:
    """Support services ranked by one documented score, each with its reasons (`why`); online and phone
    services match any place; demo listings say so (`is_demo`, `evidence`)."""
    return service.search_support(
        session,
        category=category,
        condition=condition,
        near=near,
        radius_km=radius_km,
        language=language,
        delivery=delivery,
        limit=limit,
        locale=request.state.locale,
    )


@api_router.get("/services/{listing_id}", response_model=SupportServiceRead)
def api_support_service(request: Request, listing_id: int, session: SessionDep) -> SupportServiceRead:
    """One support service listing."""
    return service.get_listing_or_raise(session, listing_id=listing_id, locale=request.state.locale)
