"""Directory faces over HTTP: the JSON API (/api/v1/...) and the pages (search, results, profiles).

Routes parse input, call one service function, and render what it returns.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onconav.directory import service
from onconav.directory.schemas import OrganizationRead, PractitionerRead, SearchResponse
from onconav.directory.scoring import SearchFilters
from onconav.errors import NotFound, OnconavError
from onconav.i18n import get_translations
from onconav.web.dependencies import SessionDep
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
def api_search(
    request: Request,
    session: SessionDep,
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
) -> SearchResponse:
    """Organizations and practitioners ranked by one documented score, each with its reasons (`why`)."""
    outcome = service.search_providers(
        session,
        query=q,
        near=near,
        radius_km=radius_km,
        limit=limit,
        filters=_filters(kind, language, international, designation),
    )
    locale = request.state.locale
    return SearchResponse.from_outcome(outcome, query=q, translations=get_translations(locale), locale=locale)


@api_router.get("/organizations/{organization_id}", response_model=OrganizationRead)
def api_organization(organization_id: int, session: SessionDep) -> OrganizationRead:
    """A hospital, cancer center or clinic."""
    return service.get_organization_or_raise(session, organization_id=organization_id)


@api_router.get("/practitioners/{practitioner_id}", response_model=PractitionerRead)
def api_practitioner(practitioner_id: int, session: SessionDep) -> PractitionerRead:
    """A doctor or other professional."""
    return service.get_practitioner_or_raise(session, practitioner_id=practitioner_id)


def _form_state(request: Request) -> dict[str, str]:
    keys = ("q", "near", "radius_km", "limit", "kind", "language", "international", "designation")
    return {key: request.query_params.get(key, "") for key in keys}


def _results_page(request: Request, session: Session, form: dict[str, str]) -> HTMLResponse:
    """Run the search from form values and render results, or the form with the error."""
    locale = request.state.locale
    translations = get_translations(locale)
    _ = translations.gettext
    context: dict[str, Any] = {"form": form, "outcome": None, "error": None, "response": None}
    try:
        radius = float(form["radius_km"]) if form["radius_km"] else service.DEFAULT_RADIUS_KM
        limit = int(form["limit"]) if form["limit"] else service.DEFAULT_LIMIT
    except ValueError:
        context["error"] = {
            "message": _("The radius and the number of results must be numbers."),
            "details": {},
        }
        return render(request, "directory/results.html", context, 422)
    if not form["q"].strip() or not form["near"].strip():
        context["error"] = {"message": _("Type what you are looking for and a place."), "details": {}}
        return render(request, "directory/results.html", context, 422 if form["q"] or form["near"] else 200)
    try:
        outcome = service.search_providers(
            session,
            query=form["q"],
            near=form["near"],
            radius_km=radius,
            limit=limit,
            filters=_filters(
                form["kind"], form["language"], form["international"] == "1", form["designation"]
            ),
        )
    except OnconavError as error:
        context["error"] = {"message": error.localized(translations.gettext), "details": error.details}
        return render(request, "directory/results.html", context, error.status_code)
    context["outcome"] = outcome
    context["response"] = SearchResponse.from_outcome(
        outcome, query=form["q"], translations=translations, locale=locale
    )
    return render(request, "directory/results.html", context)


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


def _readable_url(form: dict[str, str]) -> str | None:
    """/procedures/metastasectomy/near/ukiah-ca?radius_km=... for a query that names one thing exactly."""
    from onconav.knowledge import service as knowledge

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
    if form.get("lang"):
        rest["lang"] = form["lang"]
    if not place.exact or place.alternatives:
        # Keep what the reader typed, so the results page can say how it was understood.
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
    form["near"] = place_slug
    typed = request.query_params.get("typed", "")
    if typed and service.slug_of(typed) == place_slug:
        form["near"] = typed
    return _results_page(request, session, form)


@page_router.get("/organizations/{organization_id}", response_class=HTMLResponse)
def page_organization(request: Request, session: SessionDep, organization_id: int) -> HTMLResponse:
    """An organization's profile page."""
    organization = service.get_organization_or_raise(session, organization_id=organization_id)
    return render(request, "directory/organization.html", {"org": organization})


@page_router.get("/practitioners/{practitioner_id}", response_class=HTMLResponse)
def page_practitioner(request: Request, session: SessionDep, practitioner_id: int) -> HTMLResponse:
    """A practitioner's profile page."""
    practitioner = service.get_practitioner_or_raise(session, practitioner_id=practitioner_id)
    return render(request, "directory/practitioner.html", {"person": practitioner})
