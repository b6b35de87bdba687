"""Support services pages: the search form with its results (/support) and one listing (/support/{id})."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from onconav.errors import OnconavError
from onconav.i18n import get_translations
from onconav.support import service
from onconav.support.reasons import DELIVERY_LABELS, label
from onconav.web.dependencies import SessionDep
from onconav.web.templating import render

page_router = APIRouter(include_in_schema=False)

FORM_KEYS = ("category", "condition", "near", "radius_km", "language", "delivery")
DELIVERY_CHOICES = ("in_person", "online", "phone")


def _form_state(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key, "").strip() for key in FORM_KEYS}


def _filter_url(form: dict[str, str], **changes: str) -> str:
    """This search with one filter changed (plain links: the page works without JavaScript)."""
    values = {key: value for key, value in {**form, **changes}.items() if value}
    return "/support?" + urlencode(values)


@page_router.get("/support", response_class=HTMLResponse)
def page_support(request: Request, session: SessionDep) -> HTMLResponse:
    """The support services search, and its results when anything is asked."""
    locale = request.state.locale
    translations = get_translations(locale)
    form = _form_state(request)
    context: dict[str, Any] = {
        "form": form,
        "response": None,
        "error": None,
        "categories": service.category_options(locale=locale),
        "conditions": service.condition_options(locale=locale),
        "languages": service.language_options(session, locale=locale),
        "delivery_choices": [(code, label(DELIVERY_LABELS, code, translations)) for code in DELIVERY_CHOICES],
        "filter_url": lambda **changes: _filter_url(form, **changes),
    }
    if not any(form.values()):
        return render(request, "support/search.html", context)
    try:
        radius = float(form["radius_km"]) if form["radius_km"] else service.DEFAULT_RADIUS_KM
    except ValueError:
        context["error"] = translations.gettext("The radius must be a number.")
        return render(request, "support/search.html", context, 422)
    try:
        context["response"] = service.search_support(
            session,
            category=form["category"] or None,
            condition=form["condition"] or None,
            near=form["near"] or None,
            radius_km=radius,
            language=form["language"] or None,
            delivery=form["delivery"] or None,
            locale=locale,
        )
    except OnconavError as error:
        context["error"] = error.localized(translations.gettext)
        context["suggestions"] = error.details.get("suggestions") or []
        return render(request, "support/search.html", context, error.status_code)
    return render(request, "support/search.html", context)


@page_router.get("/support/{listing_id}", response_class=HTMLResponse)
def page_support_service(request: Request, listing_id: int, session: SessionDep) -> HTMLResponse:
    """One support service listing, with where it comes from."""
    listing = service.get_listing_or_raise(session, listing_id=listing_id, locale=request.state.locale)
    return render(request, "support/service.html", {"listing": listing})
