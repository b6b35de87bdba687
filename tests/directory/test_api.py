"""The directory's JSON API on both backends: shape of answers, profiles, and bad input."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from onconav.app import create_app


def _near_input(html: str) -> str:
    """The Near box of a results page (its attributes in any order)."""
    found = re.search(r'<input id="near"[^>]*>', html)
    assert found, "no Near box"
    return found.group(0)


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
        ({"q": "qqqzzzxx", "near": "Ukiah, CA"}, "did not recognise"),
        ({"q": "lobectomy", "near": "91, 200"}, "atitude"),
        ({"q": "lung cancer " * 500, "near": "Ukiah, CA"}, "too long"),
        ({"q": "lobectomy", "near": "Ukiah, CA", "sort": "random"}, "sort"),
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


# --- the results page: context kept, order, groups, map ---------------------------------------------


def test_a_stage_and_the_typed_place_travel_through_the_readable_url(client: TestClient) -> None:
    moved = client.get(
        "/search",
        params={"q": "stage 4 pleural mesothelioma", "near": "Ukiah, CA", "lang": "es"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    target = urlsplit(moved.headers["location"])
    assert target.path == "/conditions/pleural-mesothelioma/near/ukiah-ca"
    assert parse_qs(target.query) == {"stage": ["IV"], "typed": ["Ukiah, CA"], "lang": ["es"]}
    page = client.get(moved.headers["location"], headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert 'value="Ukiah, CA"' in _near_input(html)
    assert "ukiah-ca" not in _input_values(html)
    assert "Mesotelioma pleural, estadio IV" in html or "Mesotelioma pleural, stage IV" in html
    assert 'href="/conditions/pleural-mesothelioma/stages/iv"' in html
    assert 'href="/trials?condition=Pleural+mesothelioma&amp;stage=IV&amp;near=Ukiah%2C+CA"' in html
    assert 'href="/cases?condition=pleural-mesothelioma&amp;stage=iv#new-case"' in html


def test_biomarkers_named_in_the_query_are_kept_and_shown(client: TestClient) -> None:
    moved = client.get(
        "/search",
        params={"q": "HER2 positive stage IV breast cancer", "near": "95482"},
        follow_redirects=False,
    )
    query = parse_qs(urlsplit(moved.headers["location"]).query)
    assert query["stage"] == ["IV"] and query["biomarkers"] == ["HER2 positive"]
    html = client.get(moved.headers["location"]).text
    assert "Breast cancer, stage IV</strong>" in html and "HER2 positive" in html
    assert "biomarkers=HER2+positive" in html  # carried to the trials link


def test_a_readable_url_shows_the_place_name_never_the_slug(client: TestClient) -> None:
    html = client.get("/procedures/lobectomy/near/ukiah-ca").text
    assert 'value="Ukiah, California' in _near_input(html)
    # A "typed" text that means another place is not shown as if it had been searched.
    html = client.get("/procedures/lobectomy/near/ukiah-ca", params={"typed": "Paris, France"}).text
    assert 'value="Paris, France"' not in html


def test_a_stage_parameter_that_is_not_a_stage_is_ignored(client: TestClient) -> None:
    page = client.get("/conditions/pleural-mesothelioma/near/ukiah-ca", params={"stage": "<b>V</b>"})
    assert page.status_code == 200
    assert "stage &lt;b&gt;" not in page.text and "/stages/" not in page.text.split('id="results"')[1]


def test_why_tables_on_the_page_have_no_zero_rows(client: TestClient) -> None:
    html = client.get("/procedures/lobectomy/near/ukiah-ca").text
    assert "Beyond your radius" in html  # the search looked beyond the radius ...
    assert "Outside your" not in html  # ... and no reason row says so with +0.0
    points = re.findall(r'<td class="num">([^<]*)</td>', html.split('id="results"')[1])
    assert points and not [p for p in points if p.strip() in ("+0.0", "-0.0", "0.0")]


def test_doctors_are_grouped_under_their_center_and_the_map_numbers_the_groups(client: TestClient) -> None:
    answer = client.get("/api/v1/search", params={"q": "metastasectomy", "near": "Ukiah, CA"}).json()
    centers = {r["organization_id"] for r in answer["results"] if r["organization_id"] is not None}
    solo = [r for r in answer["results"] if r["organization_id"] is None]
    html = client.get("/procedures/metastasectomy/near/ukiah-ca").text
    groups = re.findall(r'<li class="result-card result-group" data-number="(\d+)"', html)
    assert len(groups) == len(centers) + len(solo) < len(answer["results"])
    assert groups == [str(n) for n in range(1, len(groups) + 1)]
    for center in centers:  # each center once, as a group heading
        assert html.count('<h3><span class="result-number" aria-hidden="true">') == len(groups)
        assert len(re.findall(rf'<h3>[^\n]*href="/organizations/{center}"', html)) == 1
    markers = re.findall(r'<g class="map-marker" data-number="(\d+)"', html)
    assert sorted(markers, key=int) == groups
    assert 'role="img" aria-labelledby="results-map-title" aria-describedby="results-map-desc"' in html


def test_the_order_choice_puts_the_nearest_first(client: TestClient) -> None:
    nearest = client.get(
        "/api/v1/search", params={"q": "lobectomy", "near": "Ukiah, CA", "sort": "nearest"}
    ).json()
    distances = [r["distance_km"] for r in nearest["results"]]
    assert nearest["order"] == "nearest" and distances == sorted(distances)
    html = client.get("/procedures/lobectomy/near/ukiah-ca", params={"sort": "nearest"}).text
    assert re.search(r'sort=nearest" aria-current="true">Nearest first', html)


def _input_values(html: str) -> list[str]:
    return re.findall(r'<input[^>]* value="([^"]*)"', html)


def test_a_profile_shows_the_phone_and_website_its_sources_list(real_directory_engine: Engine) -> None:
    with TestClient(create_app(real_directory_engine)) as real:
        answer = real.get("/api/v1/search", params={"q": "Massachusetts General Hospital", "near": "02114"})
        hospital = answer.json()["results"][0]
        profile = real.get(f"/api/v1/organizations/{hospital['id']}").json()
        assert profile["phone"]
        html = real.get(f"/organizations/{hospital['id']}").text
    assert "Contact and referral" in html and profile["phone"] in html
    assert f'href="tel:{profile["phone"].replace(" ", "")}"' in html
    if profile["website"]:
        assert "Website: <a href=" in html
    assert "How to get a referral:" in html
    assert 'aria-labelledby="place-map-title" aria-describedby="place-map-desc"' in html
