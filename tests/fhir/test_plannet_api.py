"""Plan-Net features of the FHIR API beyond plain search: profiles, the new types (validated as R4B), chained
searches, near through a role's location, _summary, _elements, _sort, vread and history, Organization pages
across providers and networks; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.endpoint import Endpoint
from fhir.resources.R4B.insuranceplan import InsurancePlan
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.organizationaffiliation import OrganizationAffiliation
from sqlalchemy.engine import Engine

from onconav.app import create_app
from tests.fhir.conftest import TinyIds
from tests.fhir.plannet_directory import add_plannet_data

BASE = "/fhir/R4"
PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-"
MODELS: dict[str, Any] = {
    "InsurancePlan": InsurancePlan,
    "OrganizationAffiliation": OrganizationAffiliation,
    "Endpoint": Endpoint,
    "Organization": Organization,
}


@pytest.fixture
def plannet(tiny: tuple[Engine, TinyIds]) -> Iterator[tuple[TestClient, TinyIds]]:
    engine, ids = tiny
    add_plannet_data(engine, ids)
    with TestClient(create_app(engine)) as client:
        yield client, ids


def _get(client: TestClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(BASE + url)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _match_ids(bundle: dict[str, Any]) -> list[str]:
    Bundle.model_validate(bundle)
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def test_new_types_validate_and_claim_their_profiles(plannet: tuple[TestClient, TinyIds]) -> None:
    client, _ = plannet
    for resource_type, model in MODELS.items():
        bundle = _get(client, f"/{resource_type}?_count=100")
        assert bundle["total"] >= 2
        for entry in bundle["entry"]:
            resource = entry["resource"]
            model.model_validate(resource)
            (claimed,) = resource["meta"]["profile"]
            assert claimed.startswith(PLANNET)
    network = _get(client, "/Organization?type=ntwk")["entry"][0]["resource"]
    assert network["meta"]["profile"] == [PLANNET + "Network"]
    assert network["partOf"]["reference"].startswith("Organization/ins-")
    plan = _get(client, "/InsurancePlan?type=mediadv")["entry"][0]["resource"]
    assert plan["name"] == "Example Medicare Advantage Gold"
    assert plan["network"][0]["display"] == "Example Medicare Network"
    source = next(e for e in plan["extension"] if e["url"].endswith("/source"))
    assert {"url": "asOf", "valueString": "2026-11-01"} in source["extension"]
    capability = _get(client, "/metadata")
    by_type = {r["type"]: r for r in capability["rest"][0]["resource"]}
    assert PLANNET + "Network" in by_type["Organization"]["supportedProfile"]
    assert "PractitionerRole:service" in by_type["HealthcareService"]["searchRevInclude"]


def test_organization_pages_run_across_providers_then_networks_and_payers(
    plannet: tuple[TestClient, TinyIds],
) -> None:
    client, ids = plannet
    every = _match_ids(_get(client, "/Organization?_count=100"))
    assert every[:2] == [str(ids.org), str(ids.other_org)]
    assert all(i.startswith("ins-") for i in every[2:]) and len(every) == 2 + 7  # 3 payers, 4 networks
    walked: list[str] = []
    for offset in range(0, len(every), 3):
        walked += _match_ids(_get(client, f"/Organization?_count=3&_offset={offset}"))
    assert walked == every
    assert _match_ids(_get(client, "/Organization?_sort=-_id&_count=100")) == [
        *every[:2][::-1],
        *every[2:][::-1],
    ]
    assert _get(client, "/Organization?_summary=count")["total"] == len(every)
    assert "entry" not in _get(client, "/Organization?_summary=count")


def test_chained_searches_and_near_through_the_role_location(plannet: tuple[TestClient, TinyIds]) -> None:
    client, ids = plannet
    boston, seattle = "42.3376|-71.1002|20|km", "47.6101|-122.3344|20|km"
    (boston_role,) = _match_ids(_get(client, f"/PractitionerRole?location.near={boston}"))
    assert boston_role == str(ids.role)
    assert _match_ids(_get(client, f"/PractitionerRole?near={boston}")) == [boston_role]
    (seattle_role,) = _match_ids(_get(client, f"/PractitionerRole?location.near={seattle}"))
    assert seattle_role != boston_role
    assert _match_ids(_get(client, "/PractitionerRole?practitioner.name=okafor")) == [seattle_role]
    assert _match_ids(_get(client, "/PractitionerRole?practitioner.family:exact=Ruiz")) == [boston_role]
    assert _match_ids(_get(client, "/PractitionerRole?location.address-city=seattle")) == [seattle_role]
    plans = _get(client, "/InsurancePlan?network.name=medicare&_count=100")
    names = {e["resource"]["name"] for e in plans["entry"]}
    assert names == {"Example Medicare Advantage Gold", "Example Original Medicare Part B"}
    # Roles at organizations in the Medicare Advantage network: only Lakeside takes part in it.
    medicare = _get(client, "/Organization?name=example medicare network")["entry"][0]["resource"]["id"]
    assert _match_ids(_get(client, f"/PractitionerRole?network=Organization/{medicare}")) == [boston_role]
    # Plan-Net's "who practises here": roles at a location, and (iterate) their practitioners.
    here = _get(
        client,
        f"/Location?_id={ids.location}&_revinclude=PractitionerRole:location"
        "&_include:iterate=PractitionerRole:practitioner",
    )
    kinds = {(e["resource"]["resourceType"], e["resource"]["id"], e["search"]["mode"]) for e in here["entry"]}
    assert kinds == {
        ("Location", str(ids.location), "match"),
        ("PractitionerRole", str(ids.role), "include"),
        ("Practitioner", str(ids.practitioner), "include"),
    }
    assert _get(client, "/Location?_include:iterate=Foo:bar", 400)["issue"][0]["code"] == "invalid"
    affiliations = _get(client, "/OrganizationAffiliation?participating-organization.identifier=1245319599")
    assert {e["resource"]["participatingOrganization"]["reference"] for e in affiliations["entry"]} == {
        f"Organization/{ids.other_org}"
    }


def test_summary_elements_vread_and_history(plannet: tuple[TestClient, TinyIds]) -> None:
    client, ids = plannet
    summary = _get(client, f"/Organization?_id={ids.org}&_summary=true")["entry"][0]["resource"]
    assert summary["name"] == "Lakeside Oncology Clinic" and "telecom" not in summary
    assert "SUBSETTED" in {t["code"] for t in summary["meta"]["tag"]}
    elements = _get(client, f"/Organization?_id={ids.org}&_elements=name,telecom")["entry"][0]["resource"]
    assert set(elements) == {"resourceType", "id", "meta", "name", "telecom"}
    whole = _get(client, f"/Organization/{ids.org}")
    version = whole["meta"]["versionId"]
    assert _get(client, f"/Organization/{ids.org}/_history/{version}") == whole
    outcome = _get(client, f"/Organization/{ids.org}/_history/1", 404)
    assert "not kept" in outcome["issue"][0]["diagnostics"]
    history = _get(client, f"/Organization/{ids.org}/_history")
    Bundle.model_validate(history)
    assert history["type"] == "history" and history["entry"][0]["resource"] == whole
    network = _get(client, "/Organization?type=ntwk")["entry"][0]["resource"]["id"]
    assert _get(client, f"/Organization/{network}")["id"] == network
    assert _get(client, "/Organization/ins-999999", 404)["resourceType"] == "OperationOutcome"
    # _lastUpdated: the imported networks are newer than the undated hand-made records.
    newer = _match_ids(_get(client, "/Organization?_lastUpdated=gt2026-01-02&_count=100"))
    assert newer and all(i.startswith("ins-") for i in newer)
    assert _match_ids(_get(client, "/Organization?_lastUpdated=2026-01-01")) == [
        str(ids.org),
        str(ids.other_org),
    ]


def test_xml_answers_parse_back_to_the_json_resources(plannet: tuple[TestClient, TinyIds]) -> None:
    client, ids = plannet
    as_json = _get(client, "/PractitionerRole?_include=PractitionerRole:network&_count=100")
    response = client.get(BASE + "/PractitionerRole?_include=PractitionerRole:network&_count=100&_format=xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/fhir+xml")
    assert response.text.startswith("<?xml") and 'xmlns="http://hl7.org/fhir"' in response.text
    parsed = json.loads(Bundle.model_validate_xml(response.content).model_dump_json())
    assert parsed["entry"] == as_json["entry"] and parsed["total"] == as_json["total"]
    assert "_format=xml" in parsed["link"][0]["url"]
    accepted = client.get(BASE + f"/Organization/{ids.org}", headers={"Accept": "application/fhir+xml"})
    assert accepted.headers["content-type"].startswith("application/fhir+xml")
    assert json.loads(Organization.model_validate_xml(accepted.content).model_dump_json()) == _get(
        client, f"/Organization/{ids.org}"
    )
    plan = _get(client, "/InsurancePlan?type=mediadv")["entry"][0]["resource"]
    xml_plan = client.get(BASE + f"/InsurancePlan/{plan['id']}?_format=application/fhir+xml")
    assert '<extension url="https://onconav.org/fhir/StructureDefinition/source">' in xml_plan.text
    assert json.loads(InsurancePlan.model_validate_xml(xml_plan.content).model_dump_json()) == plan
    capability = client.get(BASE + "/metadata", headers={"Accept": "application/xml"})
    assert capability.text.count("<searchParam>") > 60
    assert client.get(BASE + f"/Organization/{ids.org}?_format=yaml").status_code == 400
    missing = client.get(BASE + "/Organization/ins-999999", headers={"Accept": "application/fhir+xml"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/fhir+xml")
    outcome = OperationOutcome.model_validate_xml(missing.content)
    assert outcome.issue[0].code == "not-found"
    bad = client.get(BASE + "/InsurancePlan?foo=1&_format=xml")
    assert bad.status_code == 400 and "Unknown search parameter" in bad.text and bad.text.startswith("<?xml")
