"""One hospital, one result: a hospital listed by CMS and HIFLD is shown once, with both sources' facts
merged and named, in search, on its page, in the API and in FHIR; names read well, source spellings kept.
On the real samples, both databases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.directory import duplicates
from onconav.directory.models import Organization
from onconav.directory.search import ProviderHit
from onconav.fhir.mapping import CCN_SYSTEM, HIFLD_SYSTEM, HOSPITAL_FACTS_URL


@pytest.fixture
def client(real_directory_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(real_directory_engine)) as test_client:
        yield test_client


def _ids(engine: Engine, **where: str) -> int:
    with engine.connect() as connection:
        query = select(Organization.id)
        for column, value in where.items():
            query = query.where(getattr(Organization, column) == value)
        return int(connection.execute(query).scalar_one())


def test_names_read_well_and_the_source_spelling_is_kept(
    real_directory_engine: Engine, client: TestClient
) -> None:
    dana_farber = _ids(real_directory_engine, hifld_id="2202115")
    body = client.get(f"/api/v1/organizations/{dana_farber}").json()
    assert body["name"] == "Dana-Farber Cancer Institute"
    assert body["hospital"]["source_name"] == "DANA - FARBER CANCER INSTITUTE"
    md_anderson = _ids(real_directory_engine, hifld_id="25977030")
    assert client.get(f"/api/v1/organizations/{md_anderson}").json()["name"] == (
        "University of Texas M.D. Anderson Cancer Center"
    )


def test_a_linked_hospital_shows_the_facts_of_both_sources(
    real_directory_engine: Engine, client: TestClient
) -> None:
    mgh = _ids(real_directory_engine, cms_ccn="220071")
    body = client.get(f"/api/v1/organizations/{mgh}").json()
    hospital = body["hospital"]
    assert hospital["sources"] == ["cms-hospitals", "hifld-hospitals"]
    assert hospital["cms_ccn"] == "220071" and hospital["hifld_id"] == "7702114"
    assert hospital["beds"] and hospital["beds"] > 500  # HIFLD's figure: CMS gives no beds
    assert body["website"] and "massgeneral" in body["website"].lower()  # HIFLD's website
    page = client.get(f"/organizations/{mgh}").text
    assert "cms-hospitals, hifld-hospitals" in page


def test_fhir_lists_a_linked_hospital_once_with_every_identifier(
    real_directory_engine: Engine, client: TestClient
) -> None:
    mgh = _ids(real_directory_engine, cms_ccn="220071")
    bundle = client.get("/fhir/R4/Organization", params={"name": "Massachusetts General Hospital"}).json()
    assert bundle["total"] == 1
    resource = bundle["entry"][0]["resource"]
    assert resource["id"] == str(mgh) and resource["name"] == "Massachusetts General Hospital"
    identifiers = {(i["system"], i["value"]) for i in resource["identifier"]}
    assert {(CCN_SYSTEM, "220071"), (HIFLD_SYSTEM, "7702114")} <= identifiers
    (facts,) = [e for e in resource["extension"] if e["url"] == HOSPITAL_FACTS_URL]
    parts = {(p["url"], next(v for k, v in p.items() if k.startswith("value"))) for p in facts["extension"]}
    assert {("cmsStarRating", 5), ("emergencyServices", True), ("source", "hifld-hospitals")} <= parts
    assert any(url == "beds" for url, _value in parts)
    by_ccn = client.get("/fhir/R4/Organization", params={"address-city": "Boston"}).json()
    ids = [entry["resource"]["id"] for entry in by_ccn.get("entry", [])]
    assert len(ids) == len(set(ids)) and str(mgh) in ids
    hifld_row = _ids(real_directory_engine, hifld_id="7702114")
    assert str(hifld_row) not in ids  # the duplicate row is not listed beside its canonical


def test_search_results_show_a_duplicate_as_its_canonical_hospital_once(
    real_directory_engine: Engine,
) -> None:
    cms = _ids(real_directory_engine, cms_ccn="220071")
    hifld = _ids(real_directory_engine, hifld_id="7702114")
    hit = ProviderHit(
        kind="organization",
        id=hifld,
        name="Massachusetts General Hospital",
        score=50.0,
        distance_km=1.0,
        within_radius=True,
        factors=[],
        topic="service:x",
        city="Boston",
        region="Massachusetts",
        country="United States",
        country_code="US",
        lat=42.36,
        lon=-71.07,
        organization_id=hifld,
        organization_name="Massachusetts General Hospital",
        organization_kind="hospital",
    )
    canonical = replace(hit, id=cms, organization_id=cms, score=40.0)
    with unit_of_work(make_session_factory(real_directory_engine)) as session:
        merged = duplicates.merge_hits(session, [hit, canonical])
    assert [(h.id, h.score) for h in merged] == [(cms, 50.0)]  # the better-ranked row stands for both
