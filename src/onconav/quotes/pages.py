"""Quotes pages (no JavaScript needed): the patient's requests and the form to send one, the center's
inbox, a request's page (offers, questions, the offer form for a center), the comparison.

Each page parses its form, calls one function of `quotes.actions` (the same ones as the API) and renders;
every POST form carries the CSRF token. Form input that a schema refuses is a 422 with the reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.cases import service as cases
from onconav.directory import service as directory
from onconav.errors import InvalidInput, OnconavError
from onconav.i18n import N_
from onconav.knowledge import service as knowledge
from onconav.quotes import actions, service
from onconav.quotes.schemas import MessageCreate, OfferCreate, RequestCreate, RequestWishes
from onconav.web.dependencies import CurrentPrincipal, SessionDep
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)
Model = TypeVar("Model", bound=BaseModel)
MODALITIES = (
    "surgery",
    "chemotherapy",
    "radiation-therapy",
    "targeted-therapy",
    "immunotherapy",
    "hormone-therapy",
    "stem-cell-transplant",
    "ablation",
    "active-surveillance",
    "palliative-care",
    "clinical-trial",
)


PART_LABELS = {  # English msgids, translated in the template
    "offer": N_("The center's price"),
    "travel": N_("Travel"),
    "stay": N_("Stay near the center"),
    "follow_up": N_("Follow-up at home, first year"),
}


WORDS = {  # states and labels in plain words (English msgids, translated in the templates)
    "open": N_("open"),
    "accepted": N_("accepted"),
    "withdrawn": N_("withdrawn"),
    "awaiting": N_("awaiting an answer"),
    "offered": N_("answered with an offer"),
    "not_chosen": N_("not chosen"),
    "sent": N_("sent"),
    "superseded": N_("replaced by a newer version"),
    "known": N_("known"),
    "estimated": N_("estimated"),
    "unknown": N_("unknown"),
}


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    locale = getattr(request.state, "locale", "en")

    def money(amount: Decimal, currency: str) -> str:
        return service.show(amount, currency, locale)

    def procedure_name(code: str) -> str:
        entry = knowledge.get_service(code)
        return entry.name if entry else code

    helpers = {
        "procedure_name": procedure_name,
        "money": money,
        "modality_label": knowledge.modality_label,
        "part_labels": PART_LABELS,
        "words": WORDS,
    }
    response = render(request, template, {**helpers, **context}, status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def validated(model: type[Model], data: dict[str, Any]) -> Model:
    """`data` as `model`, or InvalidInput naming the first field that does not fit and why."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "form"
        raise InvalidInput("%(field)s: %(problem)s", field=where, problem=first["msg"]) from None


def _none_if_blank(value: str) -> str | None:
    return value.strip() or None


def _records(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """The caller's own cases and their records, to choose from."""
    chosen = []
    for case_read in actions.cases_of_caller(session, principal):
        documents = [
            {"id": d.id, "name": cases.document_private(session, d)["filename"], "kind": d.kind}
            for d in cases.list_documents(session, case_id=case_read.id)
            if d.message_id is None
        ]
        chosen.append({"id": case_read.id, "title": case_read.title, "documents": documents})
    return chosen


@router.get("/quotes", response_class=HTMLResponse)
def quotes_page(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    diagnosis: Annotated[str, Query(max_length=500)] = "",
    near: Annotated[str, Query(max_length=200)] = "",
    center: Annotated[list[int] | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """Center staff: their inbox. Everyone else: their requests and the form to send one, with the centers
    of ?center= (from their directory pages) ticked, and those the ranking suggests for ?diagnosis= near
    ?near=, each with its reasons."""
    if principal.role is Role.center_staff:
        return page(request, "quotes/inbox.html", {"items": actions.inbox(session, principal)})
    chosen = actions.chosen_centers(session, organization_ids=center or [], locale=request.state.locale)
    suggestions, problem = [], None
    if diagnosis and near:
        try:
            suggestions = actions.suggest_centers(
                session, principal, diagnosis=diagnosis, near=near, locale=request.state.locale
            )
        except OnconavError as error:
            problem = error
    context = {
        "requests": actions.list_requests(session, principal),
        "suggestions": [
            *chosen,
            *(s for s in suggestions if s.organization_id not in {c.organization_id for c in chosen}),
        ],
        "chosen": {c.organization_id for c in chosen},
        "problem": problem,
        "diagnosis": diagnosis,
        "near": near,
        "cases": _records(session, principal) if principal.role is Role.patient else [],
        "may_create": principal.role is Role.patient,
    }
    return page(request, "quotes/list.html", context)


@router.post("/quotes", response_model=None)
def create_request_form(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    diagnosis: Annotated[str, Form(max_length=500)] = "",
    organization_ids: Annotated[list[int] | None, Form()] = None,
    case_id: Annotated[str, Form(max_length=32)] = "",
    document_ids: Annotated[list[str] | None, Form()] = None,
    treatment_sought: Annotated[str, Form(max_length=300)] = "",
    earliest: Annotated[str, Form(max_length=10)] = "",
    latest: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=2)] = "en",
    companion: Annotated[str, Form(max_length=3)] = "",
    mobility_needs: Annotated[str, Form(max_length=500)] = "",
    budget: Annotated[str, Form(max_length=20)] = "",
    currency: Annotated[str, Form(max_length=3)] = "EUR",
    home_country: Annotated[str, Form(max_length=80)] = "",
    home_city: Annotated[str, Form(max_length=120)] = "",
    travel_per_km: Annotated[str, Form(max_length=12)] = "",
    stay_per_night: Annotated[str, Form(max_length=14)] = "",
) -> RedirectResponse:
    """Send a request to the centers ticked (one to five)."""
    wishes = validated(
        RequestWishes,
        {
            "treatment_sought": treatment_sought,
            "earliest": _none_if_blank(earliest),
            "latest": _none_if_blank(latest),
            "language": language,
            "companion": companion == "yes",
            "mobility_needs": mobility_needs,
            "budget": _none_if_blank(budget),
            "currency": currency,
            "home_country": home_country,
            "home_city": home_city,
            "travel_per_km": _none_if_blank(travel_per_km),
            "stay_per_night": _none_if_blank(stay_per_night),
        },
    )
    request_in = validated(
        RequestCreate,
        {
            "diagnosis": diagnosis,
            "organization_ids": organization_ids or [],
            "case_id": _none_if_blank(case_id),
            "document_ids": document_ids or [],
            "wishes": wishes,
        },
    )
    made = actions.create_request(session, principal, request_in=request_in, locale=request.state.locale)
    return RedirectResponse(f"/quotes/{made.id}", status_code=303)


def _offer_form_context(session: Session, principal: Principal) -> dict[str, Any]:
    if principal.organization_id is None:
        return {}
    center = directory.get_organization_or_raise(session, organization_id=principal.organization_id)
    return {
        "staff": center.staff,
        "modalities": MODALITIES,
        "procedures": [s for s in knowledge.list_services() if s.category in ("procedure", "therapy")],
        "today": actions.today().isoformat(),
    }


@router.get("/quotes/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, request_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    detail = actions.get_request(session, principal, request_id=request_id)
    context: dict[str, Any] = {"detail": detail, "center_side": detail.viewer == "center"}
    if "offer" in detail.actions:
        context.update(_offer_form_context(session, principal))
    return page(request, "quotes/request.html", context)


@router.get("/quotes/{request_id}/comparison", response_class=HTMLResponse)
def comparison_page(
    request: Request, request_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    view = actions.comparison(session, principal, request_id=request_id, locale=request.state.locale)
    detail = actions.get_request(session, principal, request_id=request_id)
    return page(request, "quotes/comparison.html", {"view": view, "detail": detail})


@router.post("/quotes/{request_id}/messages", response_model=None)
def message_form(
    request_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Annotated[str, Form(max_length=4000)] = "",
    organization_id: Annotated[int | None, Form()] = None,
) -> RedirectResponse:
    message_in = validated(MessageCreate, {"body": body, "organization_id": organization_id})
    actions.post_message(session, principal, request_id=request_id, message_in=message_in)
    return RedirectResponse(f"/quotes/{request_id}#messages", status_code=303)


@router.post("/quotes/{request_id}/withdraw", response_model=None)
def withdraw_form(request_id: str, principal: CurrentPrincipal, session: SessionDep) -> RedirectResponse:
    actions.withdraw_request(session, principal, request_id=request_id)
    return RedirectResponse(f"/quotes/{request_id}", status_code=303)


def _lines(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in text.splitlines() if line.strip()]


@router.post("/quotes/{request_id}/offers", response_model=None)
def offer_form(
    request_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    modality: Annotated[list[str] | None, Form()] = None,
    procedures: Annotated[list[str] | None, Form()] = None,
    plan: Annotated[str, Form(max_length=4000)] = "",
    practitioner_ids: Annotated[list[int] | None, Form()] = None,
    stay_nights: Annotated[str, Form(max_length=4)] = "",
    treatment_weeks: Annotated[str, Form(max_length=4)] = "",
    home_follow_up: Annotated[str, Form(max_length=2000)] = "",
    if_plan_changes: Annotated[str, Form(max_length=2000)] = "",
    items: Annotated[str, Form(max_length=20000)] = "",
    currency: Annotated[str, Form(max_length=3)] = "EUR",
    valid_until: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    """The offer form: one step per ticked modality (the procedures ticked go with the first step), price
    items as 'label | amount | includes | excludes' lines."""
    steps = [
        {
            "modality": code,
            "procedures": (procedures or []) if i == 0 else [],
            "description": plan if i == 0 else "",
        }
        for i, code in enumerate(modality or [])
    ]
    priced = []
    for parts in _lines(items):
        label, amount, includes, excludes = [*parts, "", "", ""][:4]
        priced.append(
            {
                "label": label,
                "amount": amount,
                "includes": includes,
                "excludes": excludes,
                "currency": currency,
            }
        )
    offer_in = validated(
        OfferCreate,
        {
            "steps": steps,
            "practitioner_ids": practitioner_ids or [],
            "stay_nights": stay_nights,
            "treatment_weeks": treatment_weeks,
            "home_follow_up": home_follow_up,
            "if_plan_changes": if_plan_changes,
            "items": priced,
            "valid_until": valid_until,
        },
    )
    actions.send_offer(session, principal, request_id=request_id, offer_in=offer_in)
    return RedirectResponse(f"/quotes/{request_id}#offers", status_code=303)


@router.post("/offers/{offer_id}/accept", response_model=None)
def accept_form(offer_id: str, principal: CurrentPrincipal, session: SessionDep) -> RedirectResponse:
    detail = actions.accept_offer(session, principal, offer_id=offer_id)
    return RedirectResponse(f"/quotes/{detail.id}", status_code=303)
