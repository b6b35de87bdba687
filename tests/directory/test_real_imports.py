"""Imports that survive real files, on both databases: a Synthea patient bundle (directory data kept,
patient data skipped, fake NPIs kept as plain identifiers, its hospital linked to the CMS row), saved NPI
Registry API answers imported offline, and onconav's own /fhir/R4 output imported back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.directory.imports import framework, registry
from onconav.directory.models import Location, Organization, Practitioner, PractitionerRole
from onconav.fhir.mapping import CCN_SYSTEM
from tests.support.data import CMS_SAMPLE, NPPES_API_SAMPLES, REPOSITORY_SAMPLES

SYNTHEA = (
    REPOSITORY_SAMPLES
    / "synthea_fhir_r4_cancer/bundles/Darin_Skiles_31c343e9-5d7f-444e-9be4-56b1a6ec6146.json"
)
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"


def _run(engine: Engine, source: str, path: Path, tmp_path: Path) -> framework.ImportSummary:
    report = tmp_path / f"{source}-{path.stem}.csv"
    return framework.run_import(engine, registry.get_source(source), path, report_path=report)


@pytest.fixture
def client(real_directory_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(real_directory_engine)) as test_client:
        yield test_client


def test_a_synthea_bundle_keeps_its_directory_data_and_skips_the_patient(
    engine: Engine, tmp_path: Path
) -> None:
    _run(engine, "cms-hospitals", CMS_SAMPLE, tmp_path)
    summary = _run(engine, "fhir", SYNTHEA, tmp_path)
    # 1 Organization and 1 Practitioner; the Patient, Encounters, Claims ... are not directory data.
    assert summary.counts["read"] == 168 and summary.counts["inserted"] == 2
    assert summary.counts["skipped"] == 166 and summary.counts["rejected"] == 0
    with engine.connect() as connection:
        person = connection.execute(select(Practitioner).where(Practitioner.source == "fhir")).one()
        assert person.npi is None and person.other_identifiers == [{"value": "460"}]  # fails the check digit
        org = connection.execute(select(Organization).where(Organization.source == "fhir")).one()
        cms = connection.execute(select(Organization.id).where(Organization.cms_ccn == "220111")).scalar_one()
    assert org.name == "GOOD SAMARITAN MEDICAL CENTER" and (org.duplicate_of_id, org.duplicate_rule) == (
        cms,
        "phone",
    )
    with TestClient(create_app(engine)) as client:
        resource = client.get(f"/fhir/R4/Practitioner/{person.id}").json()
        bundle = client.get("/fhir/R4/Organization", params={"name": "Good Samaritan"}).json()
    assert resource["identifier"] == [{"value": "460"}]  # a plain identifier, never served as us-npi
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(cms)]  # one hospital, one resource
    again = _run(engine, "fhir", SYNTHEA, tmp_path)
    assert again.counts["unchanged"] == 2 and again.counts["skipped"] == 166


def test_saved_npi_registry_answers_import_offline(engine: Engine, tmp_path: Path) -> None:
    summary = _run(engine, "nppes-api-saved", NPPES_API_SAMPLES / "api-f62abe.json", tmp_path)
    assert (summary.counts["read"], summary.counts["inserted"], summary.counts["skipped"]) == (5, 1, 4)
    with engine.connect() as connection:
        person = connection.execute(select(Practitioner).where(Practitioner.npi == "1396949913")).one()
        location = connection.execute(
            select(Location).join(PractitionerRole, PractitionerRole.location_id == Location.id)
        ).one()
    assert (person.family_name, person.source) == ("Steinberg", "nppes")
    assert location.postal_code == "10029-6030"  # ZIP+4 kept
    refused = _run(engine, "nppes-api-saved", NPPES_API_SAMPLES / "api-8d2d52.json", tmp_path)
    assert refused.counts["rejected"] == 1
    report = (tmp_path / "nppes-api-saved-api-8d2d52.csv").read_text()
    assert "api_error: api-8d2d52.json: No valid search criteria provided" in report
    again = _run(engine, "nppes-api-saved", NPPES_API_SAMPLES / "api-f62abe.json", tmp_path)
    assert again.counts["unchanged"] == 1


def test_onconav_imports_its_own_fhir_output_back(client: TestClient, engine: Engine, tmp_path: Path) -> None:
    person = client.get("/fhir/R4/Practitioner", params={"name": "Steinberg"}).json()["entry"][0]["resource"]
    roles = client.get("/fhir/R4/PractitionerRole", params={"practitioner": person["id"]}).json()["entry"]
    location_ids = {ref["reference"].split("/")[1] for e in roles for ref in e["resource"]["location"]}
    locations = [client.get(f"/fhir/R4/Location/{i}").json() for i in sorted(location_ids)]
    hospital = client.get("/fhir/R4/Organization", params={"name": "Massachusetts General"}).json()
    resources = [hospital["entry"][0]["resource"], person, *locations, *(e["resource"] for e in roles)]
    assert all("managingOrganization" not in loc for loc in locations)  # a practice address of their own
    assert all("organization" not in e["resource"] for e in roles)
    bundle = tmp_path / "onconav-export.json"
    bundle.write_text(
        json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
        )
    )

    summary = _run(engine, "fhir", bundle, tmp_path)
    assert summary.counts["rejected"] == 0 and summary.counts["inserted"] == len(resources)
    with engine.connect() as connection:
        role = connection.execute(select(PractitionerRole)).one()
        location = connection.execute(select(Location).where(Location.id == role.location_id)).one()
        org = connection.execute(select(Organization)).one()
    assert role.organization_id is None and location.organization_id is None
    assert location.postal_code == "10029-6030"
    ccn = next(i["value"] for i in resources[0]["identifier"] if i["system"] == CCN_SYSTEM)
    assert org.cms_ccn == ccn == "220071" and org.name == "Massachusetts General Hospital"
    assert not any(i.get("system") == NPI_SYSTEM for i in org.other_identifiers)
