"""Support services over HTTP (API and pages, without JavaScript) on SQLite and PostgreSQL: ranked results
with reasons, demo marked everywhere, 4xx for bad input, links from condition and stage pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.db import unit_of_work
from onconav.support import service


@pytest.fixture
def demo_client(factory: sessionmaker[Session], client: TestClient) -> TestClient:
    with unit_of_work(factory) as session:
        service.load_demo(session)
    return client


def test_api_search_ranks_with_reasons_and_marks_demo(demo_client: TestClient) -> None:
    response = demo_client.get(
        "/api/v1/support/search", params={"condition": "pleural-mesothelioma", "near": "Ukiah, CA"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["place"]["slug"] == "ukiah-ca" and body["condition"]["code"] == "pleural-mesothelioma"
    assert body["includes_demo"] is True
    first = body["results"][0]
    assert first["service"]["name"] == "Redwood Valley Mesothelioma Circle (demo)"
    assert first["service"]["is_demo"] is True and first["service"]["evidence"] == "demo"
    assert first["service"]["source"] == "onconav demo data (fictional)"
    assert round(sum(reason["points"] for reason in first["why"]), 2) == first["score"]
    assert {result["reach"] for result in body["results"]} >= {"in_person", "online", "phone"}
    listing = demo_client.get(f"/api/v1/support/services/{first['service']['id']}")
    assert listing.status_code == 200 and listing.json()["evidence_label"].startswith("Demo listing")


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"category": "massage"}, 422, "Unknown category"),
        ({"condition": "lobectomy"}, 422, "Unknown condition"),
        ({"near": "Qqqxzzv"}, 422, "No place matches"),
        ({"radius_km": "0"}, 422, "radius"),
        ({"radius_km": "far"}, 422, ""),
        ({"language": "spanish"}, 422, "ISO 639-1"),
        ({"limit": "1000"}, 422, "number of results"),
    ],
)
def test_api_bad_input_is_a_4xx(
    demo_client: TestClient, params: dict[str, str], status: int, words: str
) -> None:
    response = demo_client.get("/api/v1/support/search", params=params)
    assert response.status_code == status
    assert words in response.json()["error"]["message"]


def test_api_unknown_listing_is_404(demo_client: TestClient) -> None:
    assert demo_client.get("/api/v1/support/services/999999").status_code == 404
    assert demo_client.get("/api/v1/support/services/99999999999999").status_code == 404
    assert demo_client.get("/support/999999").status_code == 404


def test_page_search_filters_and_listing_without_javascript(demo_client: TestClient) -> None:
    empty = demo_client.get("/support")
    assert empty.status_code == 200 and "Search support" in empty.text and "support-card" not in empty.text
    page = demo_client.get(
        "/support", params={"condition": "pleural-mesothelioma", "near": "Ukiah, CA", "language": "es"}
    )
    assert page.status_code == 200
    assert "Support for people with Pleural mesothelioma near Ukiah" in page.text
    assert "Demo data" in page.text and "Why ranked here" in page.text
    cards = re.findall(r'<li class="result-card support-card" data-reach="(\w+)"', page.text)
    assert cards and "in_person" in cards
    online_link = re.search(r'<a href="(/support\?[^"]*delivery=online[^"]*)"', page.text)
    assert online_link is not None
    online = demo_client.get(online_link.group(1).replace("&amp;", "&"))
    assert set(re.findall(r'data-reach="(\w+)"', online.text)) == {"online"}
    assert "Ayuda Mesotelioma en Línea (demo)" in online.text
    listing_id = re.search(r'<a href="/support/(\d+)">', online.text)
    assert listing_id is not None
    detail = demo_client.get(f"/support/{listing_id.group(1)}")
    assert detail.status_code == 200 and "this listing is fictional" in detail.text


def test_page_bad_input_shows_the_form_with_a_message(demo_client: TestClient) -> None:
    page = demo_client.get("/support", params={"near": "Qqqxzzv"})
    assert page.status_code == 422 and "No place matches" in page.text and 'role="alert"' in page.text
    page = demo_client.get("/support", params={"radius_km": "far", "near": "Ukiah, CA"})
    assert page.status_code == 422 and "The radius must be a number." in page.text


def test_condition_and_stage_pages_link_to_support(demo_client: TestClient) -> None:
    for path in ("/conditions/pleural-mesothelioma", "/conditions/pleural-mesothelioma/stages/iv"):
        page = demo_client.get(path)
        assert page.status_code == 200
        assert "Support for people with Pleural mesothelioma" in page.text
        assert '<input type="hidden" name="condition" value="pleural-mesothelioma">' in page.text
        assert 'href="/support?condition=pleural-mesothelioma"' in page.text


def test_condition_results_near_a_place_link_to_support_near_it(demo_client: TestClient) -> None:
    page = demo_client.get("/search", params={"q": "pleural mesothelioma", "near": "Ukiah, CA"})
    assert page.status_code == 200
    link = re.search(r'<li class="support-link"><a href="([^"]+)">([^<]+)</a>', page.text)
    assert link is not None
    assert link.group(2) == "Support for people with Pleural mesothelioma near Ukiah, CA"
    support = demo_client.get(link.group(1).replace("&amp;", "&"))
    assert support.status_code == 200
    assert "Support for people with Pleural mesothelioma near Ukiah, California" in support.text


def test_the_heading_says_what_was_asked(demo_client: TestClient) -> None:
    cases = {
        "condition=mesothelioma": "Support for people with Mesothelioma</h1>",
        "near=Chicago%2C+IL": "Support services near Chicago, Illinois, United States</h1>",
        "category=legal": "Support services</h1>",
    }
    for query, heading in cases.items():
        page = demo_client.get("/support?" + query)
        assert page.status_code == 200 and heading in page.text, query
