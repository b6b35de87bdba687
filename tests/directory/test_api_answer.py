"""The search API writes its answer as a plain JSON object (schemas.search_answer), not through the response
model: it must be exactly what the model gives, byte for byte, on both backends."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic_core import to_json
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav.directory import service
from onconav.directory.schemas import SearchResponse, search_answer
from onconav.directory.scoring import SearchFilters
from onconav.i18n import get_translations

SEARCHES = [
    ({"query": "lung cancer", "near": "New York, NY"}, "best"),
    ({"query": "lobectomy", "near": "Chicago, IL"}, "best"),
    ({"query": "metastasectomy", "near": "Ukia, CA"}, "nearest"),  # a typo, results beyond the radius
    ({"query": "pleural mesothelioma stage IV", "near": "95482"}, "best"),
    ({"query": "breast cancer", "near": "Boston, MA", "filters": SearchFilters(kind="practitioner")}, "best"),
    ({"query": "Coppergate Cancer Institute", "near": "New York, NY"}, "best"),  # found by name
]


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    return demo_engine


@pytest.mark.parametrize(("search", "order"), SEARCHES)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_plain_answer_is_the_models_json(
    engine: Engine, search: dict[str, object], order: str, locale: str
) -> None:
    with Session(engine) as session:
        outcome = service.search_providers(session, **search)  # type: ignore[arg-type]
    translations = get_translations(locale)
    arguments = {"query": str(search["query"]), "translations": translations, "locale": locale}
    model = SearchResponse.from_outcome(outcome, order=order, **arguments)  # type: ignore[arg-type]
    plain = search_answer(outcome, order=order, **arguments)  # type: ignore[arg-type]
    assert outcome.hits
    assert to_json(plain) == model.model_dump_json().encode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "lung cancer", "near": "New York, NY"},
        {"q": "lobectomy", "near": "Chicago, IL", "sort": "nearest", "lang": "es"},
        {"q": "systemic therapy", "near": "Los Angeles, CA", "radius_km": "2000", "limit": "50"},
    ],
)
def test_the_api_answer_reads_back_as_the_same_bytes(client: TestClient, params: dict[str, str]) -> None:
    answer = client.get("/api/v1/search", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert SearchResponse.model_validate_json(answer.content).model_dump_json().encode() == answer.content
