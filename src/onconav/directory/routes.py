"""Directory faces over HTTP: the JSON API (/api/v1/...) and the pages (search, results, profiles).

Routes parse input, call one service function, and render what it returns.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic_core import to_json
from sqlalchemy.orm import Session

from onconav.config import get_settings
from onconav.directory import ranking, service
from onconav.directory.result_pages import (
    MAX_QUERY_LENGTH,
    SearchContext,
    check_query_length,
    contacts_of,
    context_from_parameters,
    context_from_text,
    group_results,
    insurance_lines,
    location_phones,
    web_address,
)
from onconav.directory.schemas import (
    AcceptedPlanRead,
    OrganizationRead,
    PractitionerRead,
    SearchResponse,
    search_answer,
)
from onconav.directory.scoring import SearchFilters
from onconav.errors import NotFound, OnconavError
from onconav.geo import service as geo
from onconav.i18n import get_translations
from onconav.web.dependencies import SessionDep, in_unit_of_work
from onconav.web.templating import render

api_router = APIRouter(prefix="/api/v1", tags=["directory"])
page_router = APIRouter(include_in_schema=False)

TOPIC_PATHS = {"procedures": "service", "specialties": "specialty", "conditions": "condition"}


def _filters(
    kind: str | None, language: str | None, international: bool | None, designation: str | None
) -> SearchFilters:
    return SearchFilters(
        kind=kind or None,
        language=language or None,
        international=international or None,
        designation=designation or None,
    )


@api_router.get("/search", response_model=SearchResponse, summary="Rank specialists and centers near a place")
async def api_search(
    request: Request,
    q: Annotated[str, Query(description="A procedure, condition or specialty, e.g. 'metastasectomy'.")],
    near: Annotated[str, Query(description="A US ZIP code, 'City, ST', 'City, Country' or 'lat,lon'.")],
    radius_km: Annotated[float, Query(description="Search radius in km (0 < r <= 20,040).")] = 100.0,
    limit: Annotated[int, Query(description="Number of results (1-100).")] = 20,
    kind: Annotated[
        str | None, Query(description="organization, practitioner, hospital, cancer_center or clinic")
    ] = None,
    language: Annotated[str | None, Query(description="Spoken language, ISO 639-1 (e.g. 'es').")] = None,
    international: Annotated[
        bool | None, Query(description="Only providers accepting international patients.")
    ] = None,
    designation: Annotated[str | None, Query(description="nci, coc or jci")] = None,
    sort: Annotated[
        ranking.ResultOrder,
        Query(
            description="best: within the radius first, each part by score (default); nearest: by distance."
        ),
    ] = "best",
    insurance: Annotated[
        str | None, Query(description="Only providers accepting a plan: 'Medicare', a plan or payer name.")
    ] = None,
) -> Response:
    """Organizations and practitioners ranked by one documented score, each with its reasons (`why`)."""
    check_query_length(q)
    filters = _filters(kind, language, international, designation)
    locale = request.state.locale

    def answer(session: Session) -> bytes:
        outcome = service.search_providers(
            session, query=q, near=near, radius_km=radius_km, limit=limit, filters=filters, accepts=insurance
        )
        found = search_answer(
            outcome, query=q, translations=get_translations(locale), locale=locale, order=sort
        )
        organizations = [r["id"] for r in found["results"] if r["kind"] == "organization"]
        accepted = service.accepted_insurance_fields_of(session, organization_ids=organizations)
        for result in found["results"]:
            if result["kind"] == "organization":
                result["accepted_insurance"] = accepted.get(result["id"])
        # SearchResponse's JSON already (schemas.search_answer): written as it is, not validated and
        # serialised again through the response model, which documents it.
        return to_json(found)

    # The whole read on one request thread (web/dependencies.in_unit_of_work), not three.
    return Response(await in_unit_of_work(request, answer), media_type="application/json")


@api_router.get("/organizations/{organization_id}", response_model=OrganizationRead)
def api_organization(organization_id: int, session: SessionDep) -> OrganizationRead:
    """A hospital, cancer center or clinic."""
    return service.get_organization_or_raise(session, organization_id=organization_id)


@api_router.get("/organizations/{organization_id}/insurance", response_model=list[AcceptedPlanRead])
def api_organization_insurance(organization_id: int, session: SessionDep) -> list[AcceptedPlanRead]:
    """The insurance plans an organization accepts (through its networks), with the source and its date."""
    service.get_organization_or_raise(session, organization_id=organization_id)  # 404 when unknown
    return service.accepted_insurance(session, organization_id=organization_id)


@api_router.get("/practitioners/{practitioner_id}", response_model=PractitionerRead)
def api_practitioner(practitioner_id: int, session: SessionDep) -> PractitionerRead:
    """A doctor or other professional."""
    return service.get_practitioner_or_raise(session, practitioner_id=practitioner_id)


FORM_KEYS = (
    "q",
    "near",
    "radius_km",
    "limit",
    "kind",
    "language",
    "international",
    "designation",
    "sort",
    "insurance",  # accepts a plan: "Medicare", a plan, network or payer name (directory/insurance.py)
)


def _form_state(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key, "") for key in FORM_KEYS}


def _order(form: dict[str, str]) -> ranking.ResultOrder:
    return "nearest" if form["sort"] == "nearest" else "best"


def _results_page(
    request: Request,
    session: Session,
    form: dict[str, str],
    *,
    context: SearchContext | None = None,
    search_text: str | None = None,
    label: str | None = None,
) -> HTMLResponse:
    """Run the search from form values and render results, or the form with the error.

    `search_text` is what is searched when it differs from what the form shows (a readable URL searches
    "Pleural mesothelioma stage IV"); `context` is what the links carry (else read from the query).
    """
    locale = request.state.locale
    translations = get_translations(locale)
    _ = translations.gettext
    context_values: dict[str, Any] = {"form": form, "outcome": None, "error": None, "response": None}
    try:
        radius = float(form["radius_km"]) if form["radius_km"] else service.DEFAULT_RADIUS_KM
        limit = int(form["limit"]) if form["limit"] else service.DEFAULT_LIMIT
    except ValueError:
        context_values["error"] = {
            "message": _("The radius and the number of results must be numbers."),
            "details": {},
        }
        return render(request, "directory/results.html", context_values, 422)
    if not form["q"].strip() or not form["near"].strip():
        context_values["error"] = {"message": _("Type what you are looking for and a place."), "details": {}}
        status = 422 if form["q"] or form["near"] else 200
        return render(request, "directory/results.html", context_values, status)
    try:
        check_query_length(form["q"])
        outcome = service.search_providers(
            session,
            query=search_text or form["q"],
            near=form["near"],
            radius_km=radius,
            limit=limit,
            filters=_filters(
                form["kind"], form["language"], form["international"] == "1", form["designation"]
            ),
            accepts=form["insurance"] or None,
        )
    except OnconavError as error:
        context_values["error"] = {"message": error.localized(translations.gettext), "details": error.details}
        return render(request, "directory/results.html", context_values, error.status_code)
    response = SearchResponse.from_outcome(
        outcome, query=label or form["q"], translations=translations, locale=locale, order=_order(form)
    )
    context_values.update(
        _actionable(request, session, response, context or context_from_text(form["q"])), outcome=outcome
    )
    return render(request, "directory/results.html", context_values)


def _actionable(
    request: Request, session: Session, response: SearchResponse, context: SearchContext
) -> dict[str, Any]:
    """What the results page adds to the answer: groups, contacts, the map, the order links, the context."""
    _ = get_translations(request.state.locale).gettext
    groups = group_results(response.results)
    place = response.place
    return {
        "response": response,
        "groups": groups,
        "contacts": contacts_of(session, response.results),
        "insurance": insurance_lines(
            service.accepted_insurance_of(
                session, organization_ids=[g.organization_id for g in groups if g.organization_id is not None]
            )
        ),
        "search_context": context,
        "map_title": _("Map of the results near %(place)s") % {"place": place.name},
        "map": geo.draw_map(
            [(group.name, group.first.lat, group.first.lon) for group in groups],
            origin=(place.name, place.lat, place.lon),
            tile_url=get_settings().map_tile_url,
        ),
        "order_urls": {name: _same_page(request, sort=name) for name in ranking.RESULT_ORDERS},
    }


@page_router.get("/search", response_class=HTMLResponse)
def page_search(request: Request, session: SessionDep) -> Response:
    """Results for the search form; a query naming one thing exactly moves to its readable URL."""
    form = _form_state(request)
    if form["q"].strip() and form["near"].strip():
        readable = _readable_url({**form, "lang": request.query_params.get("lang", "")})
        if readable and request.headers.get("HX-Request") == "true":
            # htmx swaps the results in place; the address bar still shows the readable URL.
            response = _results_page(request, session, form)
            response.headers["HX-Push-Url"] = readable
            return response
        if readable:
            return RedirectResponse(readable, status_code=303)
    return _results_page(request, session, form)


def _same_page(request: Request, **changes: str) -> str:
    """This page's path and query with some parameters changed (a link that keeps everything else): the
    changed ones last, as Starlette's `URL.include_query_params` puts them, without parsing the URL again."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in changes]
    return f"{request.url.path}?{urlencode(kept + list(changes.items()))}"


def _readable_url(form: dict[str, str]) -> str | None:
    """/conditions/pleural-mesothelioma/near/ukiah-ca?stage=IV&typed=Ukiah%2C+CA for a query that names one
    thing exactly: the stage and biomarkers it names, the place as typed and the language travel with it."""
    from onconav.knowledge import service as knowledge

    if len(form["q"]) > MAX_QUERY_LENGTH:
        return None
    try:
        interpretation = knowledge.interpret_query(form["q"])
        place = service.resolve_place(form["near"])
    except OnconavError:
        return None
    if len(interpretation.matches) != 1 or not interpretation.matches[0].exact:
        return None
    match = interpretation.matches[0]
    prefix = {v: k for k, v in TOPIC_PATHS.items()}[match.kind]
    slug = place.place.slug
    rest = {k: v for k, v in form.items() if v and k not in ("q", "near")}
    if match.kind == "condition":
        rest.update(context_from_text(form["q"]).url_parameters())
    if form["near"].strip() != slug:
        # Keep what the reader typed: the Near box shows it, and the page says how it was understood.
        rest["typed"] = form["near"]
    url = f"/{prefix}/{match.code}/near/{slug}"
    return f"{url}?{urlencode(rest)}" if rest else url


@page_router.get("/{topic_path}/{code}/near/{place_slug}", response_class=HTMLResponse)
def page_topic_near(
    request: Request, session: SessionDep, topic_path: str, code: str, place_slug: str
) -> Response:
    """Readable results URL, e.g. /procedures/metastasectomy/near/ukiah-ca."""
    from onconav.knowledge import service as knowledge

    kind = TOPIC_PATHS.get(topic_path)
    if kind is None:
        raise NotFound("This page does not exist.")
    try:
        name = knowledge.entry_name(kind, code)  # type: ignore[arg-type]
    except KeyError as missing:
        raise NotFound('Nothing called "%(code)s" is in the catalogue.', code=code) from missing
    form = _form_state(request)
    form["q"] = name
    form["near"] = _place_shown(place_slug, request.query_params.get("typed", ""))
    context = context_from_parameters(
        code if kind == "condition" else None,
        request.query_params.get("stage", ""),
        request.query_params.get("biomarkers", ""),
    )
    # The stage changes what is searched (the options for that stage), so it is searched with the name.
    search_text = f"{name} stage {context.stage}" if context.stage else None
    if search_text:
        form["q"] = search_text
    return _results_page(request, session, form, context=context, search_text=search_text, label=name)


def _place_shown(place_slug: str, typed: str) -> str:
    """What the Near box shows and the search reads: the text the reader typed when it means this place,
    else the place's name when that reads back as the same place ("Ukiah, California, United States", not
    "ukiah-ca"), else the slug itself (a ZIP code is its own slug)."""
    candidates = [typed] if typed and len(typed) <= MAX_QUERY_LENGTH else []
    with contextlib.suppress(OnconavError):  # else the search says what is wrong with the slug
        candidates.append(service.resolve_place(place_slug).place.name)
    return next((text for text in candidates if service.slug_of(text) == place_slug), place_slug)


@page_router.get("/organizations/{organization_id}", response_class=HTMLResponse)
def page_organization(request: Request, session: SessionDep, organization_id: int) -> HTMLResponse:
    """An organization's profile page: how to reach it and be referred, where it is, what it offers."""
    organization = service.get_organization_or_raise(session, organization_id=organization_id)
    translations = get_translations(request.state.locale)
    places = [
        (location.name or organization.name, location.lat, location.lon)
        for location in organization.locations
    ]
    return render(
        request,
        "directory/organization.html",
        {
            "org": organization,
            "website": web_address(organization.website),
            "map": geo.draw_map(places, tile_url=get_settings().map_tile_url),
            "map_title": translations.gettext("Where %(name)s is") % {"name": organization.name},
            "insurance": service.accepted_insurance(session, organization_id=organization_id),
        },
    )


@page_router.get("/practitioners/{practitioner_id}", response_class=HTMLResponse)
def page_practitioner(request: Request, session: SessionDep, practitioner_id: int) -> HTMLResponse:
    """A practitioner's profile page: where they work, how to reach them and be referred."""
    practitioner = service.get_practitioner_or_raise(session, practitioner_id=practitioner_id)
    translations = get_translations(request.state.locale)
    located = [role.location for role in practitioner.roles if role.location is not None]
    places = [
        (role.organization or practitioner.name, role.location.lat, role.location.lon)
        for role in practitioner.roles
        if role.location is not None
    ]
    return render(
        request,
        "directory/practitioner.html",
        {
            "person": practitioner,
            "phones": location_phones(session, [location.id for location in located]),
            "map": geo.draw_map(places, tile_url=get_settings().map_tile_url),
            "map_title": translations.gettext("Where %(name)s works") % {"name": practitioner.name},
        },
    )
