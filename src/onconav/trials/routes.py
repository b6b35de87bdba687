"""Trials faces over HTTP: POST /api/v1/trials/match, and the trials page (a form, then ranked trials
with every criterion ticked, crossed or unknown). The page works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from babel.support import NullTranslations
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from onconav.config import get_settings
from onconav.errors import OnconavError
from onconav.geo import service as geo
from onconav.i18n import N_, get_translations
from onconav.trials import profile, service
from onconav.trials.reasons import (
    KIND_LABELS,
    count_text,
    distance_text,
    evidence_phrase,
    label_text,
    site_place_text,
    status_text,
)
from onconav.trials.schemas import MatchRequest, MatchResponse, PatientProfile
from onconav.web.dependencies import SessionDep
from onconav.web.templating import render

api_router = APIRouter(prefix="/api/v1", tags=["trials"])
page_router = APIRouter(include_in_schema=False)

FORM_FIELDS = ("note", "condition", "stage", "age", "sex", "ecog", "biomarkers", "near", "max_travel_km")
PAGE_LIMIT = 10
# The form's limits (as the API's PatientProfile and MatchRequest): a longer field gets a message on the
# page naming the field, never a bare 422.
FIELD_LIMITS = {
    "note": (20000, N_("The clinical note")),
    "condition": (200, N_("The condition")),
    "stage": (40, N_("The stage")),
    "age": (5, N_("The age")),
    "ecog": (2, N_("The ECOG performance status")),
    "biomarkers": (500, N_("The biomarkers")),
    "near": (200, N_("The place")),
    "max_travel_km": (10, N_("The farthest distance")),
}


@api_router.post(
    "/trials/match", response_model=MatchResponse, summary="Trials a patient may be eligible for"
)
def api_match(request: Request, body: MatchRequest, session: SessionDep) -> MatchResponse:
    """Ranked trials with a verdict for every criterion, the nearest site and the reasons for each rank."""
    locale = request.state.locale
    near, from_note = profile.where_to_measure_from(body.near, body.patient)
    outcome = service.match(session, patient=body.patient, near=near, limit=body.limit)
    response = service.to_response(outcome, translations=get_translations(locale), locale=locale)
    return profile.complete_understood(response, body.patient, from_note=from_note)


def _profile_from_form(form: dict[str, str]) -> PatientProfile:
    def number(name: str) -> int | None:
        return int(form[name]) if form[name].strip() else None

    return PatientProfile(
        note=form["note"].strip() or None,
        condition=form["condition"].strip() or None,
        stage=form["stage"].strip() or None,
        age=number("age"),
        sex=form["sex"] or None,
        ecog=number("ecog"),
        biomarkers=[b.strip() for b in form["biomarkers"].split(",") if b.strip()],
        max_travel_km=float(form["max_travel_km"]) if form["max_travel_km"].strip() else None,
    )


def _too_long(form: dict[str, str], translations: NullTranslations) -> dict[str, str]:
    """A message for each field longer than its limit, by field name."""
    problems = {}
    for name, (limit, label) in FIELD_LIMITS.items():
        if len(form[name]) > limit:
            problems[name] = translations.gettext(
                "%(field)s is too long: %(count)s characters, at most %(max)s. Shorten it and search again."
            ) % {"field": translations.gettext(label), "count": len(form[name]), "max": limit}
    return problems


def _page(request: Request, session: Session, form: dict[str, str], *, run: bool) -> HTMLResponse:
    locale = request.state.locale
    translations = get_translations(locale)
    _ = translations.gettext
    context: dict[str, Any] = {
        "form": form,
        "error": None,
        "response": None,
        "label_text": lambda label: label_text(label, translations),
        "status_text": lambda status: status_text(status, translations),
        "kind_labels": {k: _(v) for k, v in KIND_LABELS.items()},
        "count_text": lambda kind, label, count: count_text(kind, label, count, translations),
        "distance_text": lambda km: distance_text(km, translations, locale),
        "site_place_text": site_place_text,
        "evidence_phrase": evidence_phrase,
        "problems": {},
    }
    if not run:
        return render(request, "trials/match.html", context)
    problems = _too_long(form, translations)
    if problems:
        context["problems"] = problems
        context["error"] = _("Some fields are too long: see the messages next to them.")
        return render(request, "trials/match.html", context, 422)
    try:
        patient = _profile_from_form(form)
    except (ValueError, ValidationError):
        context["error"] = _(
            "Describe the patient: paste a note, or give at least the condition. Age, ECOG "
            "and distance must be numbers."
        )
        return render(request, "trials/match.html", context, 422)
    near, from_note = profile.where_to_measure_from(form["near"], patient)
    try:
        outcome = service.match(session, patient=patient, near=near, limit=PAGE_LIMIT)
    except OnconavError as error:
        context["error"] = error.localized(translations.gettext)
        return render(request, "trials/match.html", context, error.status_code)
    response = service.to_response(outcome, translations=translations, locale=locale)
    context["response"] = profile.complete_understood(response, patient, from_note=from_note)
    context["trials_stored"] = service.count_trials(session) if not outcome.matches else None
    context.update(_sites_map(context["response"], translations))
    return render(request, "trials/match.html", context)


def _sites_map(response: MatchResponse, translations: NullTranslations) -> dict[str, Any]:
    """The nearest site of each listed trial on a map, numbered like the list (docs/maps.md)."""
    points = [
        (t.nearest_site.facility or t.title, t.nearest_site.lat, t.nearest_site.lon)
        if t.nearest_site
        else (t.title, None, None)
        for t in response.results
    ]
    place = response.place
    return {
        "map": geo.draw_map(
            points,
            origin=(place.name, place.lat, place.lon) if place else None,
            tile_url=get_settings().map_tile_url,
        ),
        "map_title": (
            translations.gettext("Map of the nearest site of each trial, near %(place)s")
            % {"place": place.name}
            if place
            else translations.gettext("Map of the nearest site of each trial")
        ),
    }


@page_router.get("/trials", response_class=HTMLResponse)
def page_trials(request: Request, session: SessionDep) -> HTMLResponse:
    """The form; with ?condition= (links from condition pages and search results) also the trials."""
    form = {name: request.query_params.get(name, "") for name in FORM_FIELDS}
    form["note"] = ""  # notes are patient data: they come by POST only, never in a URL
    return _page(request, session, form, run=bool(form["condition"].strip()))


@page_router.post("/trials", response_class=HTMLResponse)
def page_trials_post(
    request: Request,
    session: SessionDep,
    note: Annotated[str, Form()] = "",
    condition: Annotated[str, Form()] = "",
    stage: Annotated[str, Form()] = "",
    age: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    ecog: Annotated[str, Form()] = "",
    biomarkers: Annotated[str, Form()] = "",
    near: Annotated[str, Form()] = "",
    max_travel_km: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The trials for what the form describes."""
    form = {
        "note": note,
        "condition": condition,
        "stage": stage,
        "age": age,
        "sex": sex if sex in ("female", "male") else "",
        "ecog": ecog,
        "biomarkers": biomarkers,
        "near": near,
        "max_travel_km": max_travel_km,
    }
    return _page(request, session, form, run=True)
