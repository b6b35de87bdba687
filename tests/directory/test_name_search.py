"""A query naming a hospital, center or doctor finds it, on the real samples and both databases: through the
service, the command line, the JSON API, the pages and FHIR `name`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from onconav.app import create_app
from onconav.cli import app as cli_app
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory.scoring import SearchFilters
from onconav.errors import InvalidInput

BOSTON = "Boston, MA"


def _top(engine: Engine, query: str, near: str = BOSTON, **options: object) -> list[tuple[str, str, float]]:
    with unit_of_work(make_session_factory(engine)) as session:
        outcome = directory.search_providers(session, query=query, near=near, **options)  # type: ignore[arg-type]
    assert outcome.found_by == "name"
    return [(hit.kind, hit.name, hit.distance_km) for hit in outcome.hits]


@pytest.fixture
def client(real_directory_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(real_directory_engine)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Dana-Farber", "Farber Cancer Institute"),
        ("dana farbre", "Farber Cancer Institute"),
        ("mass general", "Massachusetts General Hospital"),
        ("MGH", "Massachusetts General Hospital"),
        ("brigham", "Brigham and Women's Hospital"),
        ("Beth Israel Deaconess", "Beth Israel Deaconess Medical Center"),
    ],
)
def test_hospitals_are_found_by_name_near_boston(
    real_directory_engine: Engine, query: str, first: str
) -> None:
    hits = _top(real_directory_engine, query)
    assert first in hits[0][1] and hits[0][0] == "organization" and hits[0][2] < 10


def test_a_hospital_listed_by_two_sources_is_found_once(real_directory_engine: Engine) -> None:
    hits = _top(real_directory_engine, "Massachusetts General Hospital", limit=10)
    assert [name for _kind, name, _km in hits].count("Massachusetts General Hospital") == 1


def test_a_name_far_away_is_still_found_and_marked_beyond_the_radius(real_directory_engine: Engine) -> None:
    with unit_of_work(make_session_factory(real_directory_engine)) as session:
        outcome = directory.search_providers(session, query="md anderson", near=BOSTON)
    first = outcome.hits[0]
    assert "Anderson Cancer Center" in first.name and first.city.upper() == "HOUSTON"
    assert not first.within_radius and outcome.within_radius_count == 0
    assert [f.factor for f in first.factors] == ["name", "distance", "beyond_radius"]
    near_houston = _top(real_directory_engine, "M.D. Anderson", near="77030")
    assert "Anderson Cancer Center" in near_houston[0][1] and near_houston[0][2] < 2


def test_a_doctor_is_found_by_name_and_only_people_are_meant(real_directory_engine: Engine) -> None:
    hits = _top(real_directory_engine, "Dr. Steinberg", near="New York, NY")
    assert hits[0][:2] == ("practitioner", "Dr. Amir S. Steinberg, M.D.")
    assert _top(real_directory_engine, "dr amir steinbreg", near="10029")[0][0] == "practitioner"
    with unit_of_work(make_session_factory(real_directory_engine)) as session, pytest.raises(InvalidInput):
        directory.search_providers(session, query="Dr. Farber", near=BOSTON)  # a hospital, not a person
    with unit_of_work(make_session_factory(real_directory_engine)) as session, pytest.raises(InvalidInput):
        hospitals = SearchFilters(kind="hospital")  # the only Steinberg is a doctor
        directory.search_providers(session, query="Steinberg", near="10029", filters=hospitals)


def test_words_that_name_nothing_are_still_refused(real_directory_engine: Engine) -> None:
    with (
        unit_of_work(make_session_factory(real_directory_engine)) as session,
        pytest.raises(InvalidInput) as refused,
    ):
        directory.search_providers(session, query="zzqx wibble", near=BOSTON)
    assert "recognise" in refused.value.message


def test_the_api_and_the_pages_find_by_name(client: TestClient) -> None:
    answer = client.get("/api/v1/search", params={"q": "Dana-Farber", "near": BOSTON})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["found_by"] == "name" and body["understood_as"] == []
    first = body["results"][0]
    assert "Farber Cancer Institute" in first["name"]
    assert first["why"][0] == {
        "factor": "name",
        "points": first["why"][0]["points"],
        "detail": "Name matches “Dana-Farber”",
        "source": "HIFLD Hospitals",
    }
    # A name says who a provider is, never that they treat anything: the coverage note claims no service.
    assert body["coverage"]["note"].startswith("Found by name: these providers' names match “Dana-Farber”.")
    assert "offering" not in body["coverage"]["note"]
    page = client.get("/search", params={"q": "Dana-Farber", "near": BOSTON})
    assert page.status_code == 200 and "Found by name: “Dana-Farber”." in page.text
    assert "Farber Cancer Institute" in page.text
    nothing = client.get("/api/v1/search", params={"q": "zzqx wibble", "near": BOSTON})
    assert nothing.status_code == 422


def test_fhir_name_search_ignores_punctuation_and_spacing(client: TestClient) -> None:
    for typed, meant in (
        ("Dana-Farber", "FARBER CANCER INSTITUTE"),
        ("dana farber", "FARBER CANCER INSTITUTE"),
        ("md anderson", "ANDERSON CANCER CENTER"),
        ("mass general", "MASSACHUSETTS GENERAL HOSPITAL"),
    ):
        bundle = client.get("/fhir/R4/Organization", params={"name": typed}).json()
        names = [entry["resource"]["name"].upper() for entry in bundle.get("entry", [])]
        assert names and all(meant in name for name in names), (typed, names)
    exact = client.get("/fhir/R4/Organization", params={"name:exact": "dana farber"}).json()
    assert exact["total"] == 0


def test_the_command_line_finds_by_name(
    real_directory_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "ONCONAV_DATABASE_URL", real_directory_engine.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli_app, ["find", "Dana-Farber", "--near", BOSTON, "--json", "--limit", "3"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["found_by"] == "name" and "Farber Cancer Institute" in body["results"][0]["name"]
