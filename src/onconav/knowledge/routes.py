"""Knowledge faces over HTTP: condition and stage pages, and the explain API.

Pages show options grouped by intent, questions for the care team, sources and review dates.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from onconav.errors import NotFound
from onconav.knowledge import service
from onconav.knowledge.labels import INTENT_ORDER
from onconav.knowledge.schemas import Condition, ExplainResponse, TreatmentOption
from onconav.web.templating import render

page_router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["knowledge"])


def _condition_or_404(slug: str) -> Condition:
    condition = service.get_condition(slug)
    if condition is None:
        raise NotFound('Nothing called "%(code)s" is in the catalogue.', code=slug)
    return condition


def _by_intent(options: list[TreatmentOption]) -> list[tuple[str, list[TreatmentOption]]]:
    return [
        (intent, [o for o in options if o.intent == intent])
        for intent in INTENT_ORDER
        if any(o.intent == intent for o in options)
    ]


def _page_context(condition: Condition, stage_code: str | None) -> dict[str, Any]:
    stages = service.stages_of(condition)
    parent = service.get_condition(condition.parent) if condition.parent else None
    children = [c for c in service.list_conditions() if c.parent == condition.code]
    return {
        "condition": condition,
        "parent": parent,
        "children": children,
        "stages": stages,
        "staging": service.staging_of(condition),
        "options_by_intent": _by_intent(service.options_of(condition, stage_code)),
        "guidance": service.guidance_of(condition),
        "questions": service.questions_of(condition, stage_code),
        "sources": service.sources_of(condition),
    }


@page_router.get("/conditions", response_class=HTMLResponse)
def conditions_index(request: Request) -> HTMLResponse:
    """Every condition onconav describes."""
    top = [c for c in service.list_conditions() if c.parent is None]
    return render(request, "knowledge/conditions.html", {"conditions": top, "all": service.list_conditions()})


@page_router.get("/conditions/{slug}", response_class=HTMLResponse)
def condition_page(request: Request, slug: str) -> HTMLResponse:
    """A condition: stages, options by intent, guidance, questions, sources."""
    condition = _condition_or_404(slug)
    return render(request, "knowledge/condition.html", {**_page_context(condition, None), "stage": None})


@page_router.get("/conditions/{slug}/stages/{stage_code}", response_class=HTMLResponse)
def stage_page(request: Request, slug: str, stage_code: str) -> HTMLResponse:
    """One stage of a condition and the options for it."""
    condition = _condition_or_404(slug)
    stage = next((s for s in service.stages_of(condition) if s.code == stage_code), None)
    if stage is None:
        raise NotFound('Nothing called "%(code)s" is in the catalogue.', code=f"{slug}/{stage_code}")
    return render(
        request, "knowledge/condition.html", {**_page_context(condition, stage.code), "stage": stage}
    )


@api_router.get("/explain", response_model=ExplainResponse, summary="What a phrase or a clinical note says")
def api_explain(
    q: Annotated[str, Query(description="A phrase or a whole note.", min_length=1, max_length=20_000)],
) -> ExplainResponse:
    """Condition (OncoTree and ICD-10-CM codes), stage, metastatic sites and biomarkers (negations handled,
    typos tolerated, matched words shown), with the treatment options for that condition and stage.
    """
    return service.explain_text(q)
