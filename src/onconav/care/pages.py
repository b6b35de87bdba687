"""Follow-up pages (no JavaScript needed): the plan's timeline at /cases/{case_id}/followup, the form that
makes it, done / skip marks, dates set by the care team, the private calendar address and the hand-back.

Each page parses its form, calls one function of `care.actions` (the same ones as the API) and renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from onconav.accounts.principal import Principal
from onconav.care import actions
from onconav.care.schemas import EARLIEST_YEAR, LATEST_YEAR, ItemIn, ItemUpdate, PlanCreate
from onconav.errors import InvalidInput, OnconavError
from onconav.i18n import get_translations
from onconav.knowledge import service as knowledge
from onconav.web.dependencies import CurrentPrincipal, SessionDep
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)
MODALITIES = ("surgery", "chemotherapy", "radiation-therapy", "targeted-therapy", "immunotherapy")


def parse_date(value: str) -> dt.date | None:
    """A YYYY-MM-DD form field, None when empty; an impossible date is refused with a clear message."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "“%(value)s” is not a date that exists: write it as YYYY-MM-DD.", value=value[:20]
        ) from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise InvalidInput(
            "Give a date between %(first)s and %(last)s.", first=EARLIEST_YEAR, last=LATEST_YEAR
        )
    return parsed


def validated(build: Any) -> Any:
    """A schema built from form fields; a field it refuses becomes an InvalidInput naming the field."""
    try:
        return build()
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0].get("loc", ())) or "form"
        raise InvalidInput(
            "This cannot be used as it is: %(field)s. Check it and try again.", field=field[:40]
        ) from None


def _context(session: Session, principal: Principal, case_id: str) -> dict[str, Any]:
    plan, may_create = actions.find_plan(session, principal, case_id=case_id)
    return {
        "case_id": case_id,
        "plan": plan,
        "may_create": may_create,
        "templates": knowledge.list_followup_templates(),
        "modalities": [(code, knowledge.modality_label(code)) for code in MODALITIES],
        "principal": principal,
        "today": dt.date.today(),
        "feed_url": None,
        "error": None,
        "form": {},
    }


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = render(request, "care/plan.html", context, status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(
    request: Request, session: Session, principal: Principal, case_id: str, error: OnconavError, form: Any
) -> HTMLResponse:
    translations = get_translations(request.state.locale)
    context = {**_context(session, principal, case_id), "error": error.localized(translations.gettext)}
    context["form"] = form
    return _page(request, context, error.status_code)


def _back(case_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}/followup{anchor}", status_code=303)


@router.get("/cases/{case_id}/followup", response_class=HTMLResponse)
def plan_page(
    case_id: str, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    """The plan as a timeline, or the form to make it."""
    return _page(request, _context(session, principal, case_id))


@router.post("/cases/{case_id}/followup", response_model=None)
def make_plan(
    case_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    treatment: Annotated[str, Form(max_length=4000)] = "",
    treatment_end: Annotated[str, Form(max_length=20)] = "",
    modality: Annotated[str, Form(max_length=40)] = "",
    template: Annotated[str, Form(max_length=80)] = "",
    from_opinion: Annotated[str, Form(max_length=5)] = "",
    from_offer: Annotated[str, Form(max_length=5)] = "",
    item_title: Annotated[str, Form(max_length=200)] = "",
    item_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Make (or remake) the plan from the form."""
    form = {
        "treatment": treatment,
        "treatment_end": treatment_end,
        "modality": modality,
        "template": template,
    }
    try:
        end = parse_date(treatment_end)
        if end is None:
            raise InvalidInput("Give the date the treatment ended (or will end).")
        due = parse_date(item_date)
        items = [validated(lambda: ItemIn(title=item_title, due_on=due))] if item_title.strip() else []
        plan_in = validated(
            lambda: PlanCreate(
                treatment=treatment,
                treatment_end=end,
                modality=modality or None,
                template=template if template not in ("", "best", "none") else None,
                use_template=template != "none",
                items=items,
            )
        )
        actions.save_plan(
            session,
            principal,
            case_id=case_id,
            plan_in=plan_in,
            from_opinion=from_opinion == "yes",
            from_offer=from_offer == "yes",
        )
    except OnconavError as error:
        if error.status_code != 422:
            raise
        return _error(request, session, principal, case_id, error, form)
    return _back(case_id)


@router.post("/cases/{case_id}/followup/items", response_model=None)
def add_item(
    case_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    title: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "visit",
    due_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add a visit, scan or test by hand."""
    try:
        due = parse_date(due_on)
        item = validated(lambda: ItemIn(title=title, kind=kind, due_on=due))
        actions.add_item(session, principal, case_id=case_id, item_in=item)
    except OnconavError as error:
        if error.status_code != 422:
            raise
        return _error(request, session, principal, case_id, error, {"title": title, "due_on": due_on})
    return _back(case_id, "#timeline")


@router.post("/followup/items/{item_id}", response_model=None)
def change_item(
    item_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    status: Annotated[str, Form(max_length=20)] = "",
    due_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Mark an item done or skipped (the patient's side), or set its date (the care team)."""
    due = parse_date(due_on)
    update = validated(lambda: ItemUpdate(status=status or None, due_on=due))
    if update.status is None and update.due_on is None:
        raise InvalidInput("Give a date as YYYY-MM-DD, or choose done or skipped.")
    plan = actions.update_item(session, principal, item_id=item_id, update=update)
    return _back(plan.case_id, "#timeline")


@router.post("/cases/{case_id}/followup/feed", response_class=HTMLResponse)
def create_feed(
    case_id: str, request: Request, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    """A new private calendar address, shown once on the page."""
    created = actions.create_feed(
        session, principal, case_id=case_id, base_url=str(request.base_url).rstrip("/")
    )
    context = _context(session, principal, case_id)
    context["feed_url"] = created.url
    return _page(request, context)


@router.post("/cases/{case_id}/followup/feed/revoke", response_model=None)
def revoke_feed(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Turn the calendar address off."""
    actions.revoke_feed(session, principal, case_id=case_id)
    return _back(case_id, "#calendar")
