"""The directory's JSON API on both backends: shape of answers, profiles, and bad input."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine


@pytest.fixture
def engine(demo_engine: Engine) -> Engine:
    """These tests read the shared demo directory, on each backend."""
    return demo_engine


def test_search_answers_one_object_within_radius_first_and_explained(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "metastasectomy", "near": "Ukia, CA"})
    assert response.status_code == 200
    body = response.json()
    assert body["place"]["name"].startswith("Ukiah, California")
    assert body["place"]["lat"] == pytest.approx(39.15, abs=0.05)
    assert body["place"]["lon"] == pytest.approx(-123.21, abs=0.05)
    results = body["results"]
    # Within the radius first, each part best first (docs/ranking.md, "Order").
    inside = [r for r in results if r["within_radius"]]
    beyond = [r for r in results if not r["within_radius"]]
    assert results and results == inside + beyond and inside and beyond
    for part in (inside, beyond):
        assert [r["score"] for r in part] == sorted((r["score"] for r in part), reverse=True)
    assert body["order"] == "best"
    for result in results:
        assert {"kind", "id", "name", "city", "country", "distance_km", "score", "why"} <= set(result)
        assert result["kind"] in ("organization", "practitioner")
        assert math.isclose(sum(w["points"] for w in result["why"]), result["score"], abs_tol=0.06)
        assert all(w["detail"] for w in result["why"])
        # Zero-point rows never reach "why" ("Outside your 100 km radius +0.0"); facts not scored are notes.
        assert all(w["points"] != 0 for w in result["why"])
        assert all(n["points"] == 0 and n["factor"] != "beyond_radius" for n in result["notes"])
        assert result["lat"] is not None and result["lon"] is not None
        assert result["demo"] is True
    assert body["expanded_radius_km"] and body["within_radius_count"] < 5


def test_profiles_of_the_results_open(client: TestClient) -> None:
    results = client.get("/api/v1/search", params={"q": "lobectomy", "near": "95482", "limit": 30}).json()[
        "results"
    ]
    organization = next(r for r in results if r["kind"] == "organization")
    practitioner = next(r for r in results if r["kind"] == "practitioner")
    org = client.get(f"/api/v1/organizations/{organization['id']}").json()
    assert org["name"] == organization["name"]
    assert "lobectomy" in {s["code"] for s in org["services"]}
    assert org["locations"][0]["city"] == organization["city"]
    person = client.get(f"/api/v1/practitioners/{practitioner['id']}").json()
    assert person["name"] == practitioner["name"]
    assert "lobectomy" in {s["code"] for role in person["roles"] for s in role["services"]}
    assert person["roles"][0]["organization"] == practitioner["organization"]


@pytest.mark.parametrize(
    ("params", "field_or_text"),
    [
        ({"q": "lobectomy", "near": "Xyzzyqq"}, "No place matches"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "radius_km": "0"}, "radius"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "radius_km": "-10"}, "radius"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "radius_km": "nan"}, "radius"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "radius_km": "1e12"}, "radius"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "radius_km": "far"}, "radius_km"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "limit": "0"}, "between 1 and 100"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "limit": "5000"}, "between 1 and 100"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "limit": "ten"}, "limit"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "kind": "robot"}, "Unknown kind"),
        ({"q": "lobectomy"}, "near"),
        ({"q": "qqqzzzxx", "near": "Ukiah, CA"}, "do not recognise"),
        ({"q": "lobectomy", "near": "91, 200"}, "atitude"),
    ],
)
def test_bad_input_is_a_clear_422(client: TestClient, params: dict[str, str], field_or_text: str) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["status"] == 422 and field_or_text in error["message"]


def test_unknown_place_comes_with_suggestions(client: TestClient) -> None:
    corrected = client.get("/api/v1/search", params={"q": "lobectomy", "near": "Ukiahh, Californa"}).json()
    assert corrected["place"]["name"].startswith("Ukiah")  # a typo in both parts still resolves
    error = client.get("/api/v1/search", params={"q": "lobectomy", "near": "Zzyzxqwv"}).json()["error"]
    assert isinstance(error["suggestions"], list)


def test_missing_providers_are_404(client: TestClient) -> None:
    for path in ("/api/v1/organizations/987654321", "/api/v1/practitioners/987654321"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/organizations/not-a-number").status_code == 422


def test_openapi_documents_the_api(sqlite_client: TestClient) -> None:
    spec = sqlite_client.get("/openapi.json").json()
    assert {
        "/api/v1/search",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/practitioners/{practitioner_id}",
    } <= set(spec["paths"])
    assert "/search" not in spec["paths"]  # pages are not API


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(max_size=40),
    near=st.text(max_size=40),
    radius=st.one_of(st.text(max_size=8), st.floats(allow_nan=True, allow_infinity=True).map(str)),
    limit=st.one_of(st.text(max_size=5), st.integers(-10, 500).map(str)),
)
def test_no_input_gives_a_server_error(
    sqlite_client: TestClient, q: str, near: str, radius: str, limit: str
) -> None:
    response = sqlite_client.get(
        "/api/v1/search", params={"q": q, "near": near, "radius_km": radius, "limit": limit}
    )
    assert response.status_code in (200, 422), response.text
    page = sqlite_client.get(
        "/search", params={"q": q, "near": near, "radius_km": radius}, follow_redirects=True
    )
    assert page.status_code in (200, 404, 422), page.text[:500]
