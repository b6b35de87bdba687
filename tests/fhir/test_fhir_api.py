"""The FHIR R4 directory API: resources validate as R4(B), searches filter and page, errors are outcomes.

Searches are checked against the directory tables read directly, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.healthcareservice import HealthcareService as FhirHealthcareService
from fhir.resources.R4B.location import Location as FhirLocation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization as FhirOrganization
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole as FhirPractitionerRole
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
)
from onconav.geo.service import haversine_km
from onconav.knowledge import service as knowledge

BASE = "/fhir/R4"
FHIR_MODELS: dict[str, Any] = {
    "Organization": FhirOrganization,
    "Location": FhirLocation,
    "Practitioner": FhirPractitioner,
    "PractitionerRole": FhirPractitionerRole,
    "HealthcareService": FhirHealthcareService,
}
TYPES = list(FHIR_MODELS)


def _get(client: TestClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    return body


def _validate(resource: dict[str, Any]) -> None:
    FHIR_MODELS[resource["resourceType"]].model_validate(resource)


def _bundle(client: TestClient, url: str) -> dict[str, Any]:
    body = _get(client, url)
    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    for entry in body.get("entry", []):
        _validate(entry["resource"])
        resource = entry["resource"]
        assert entry["fullUrl"].endswith(f"{BASE}/{resource['resourceType']}/{resource['id']}")
    return body


def _matches(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def _ids(client: TestClient, url: str) -> set[int]:
    """Ids of every match of a search, walking the next links."""
    return {int(r["id"]) for r in _walk(client, url)}


def _walk(client: TestClient, url: str) -> Iterator[dict[str, Any]]:
    while url:
        bundle = _bundle(client, url)
        yield from _matches(bundle)
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = nxt[0].split("testserver", 1)[1] if nxt else ""


@pytest.fixture
def session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine) as db:
        yield db


# --- capability, read ---------------------------------------------------------------------------------


def test_metadata_is_a_capability_statement(client: TestClient) -> None:
    body = _get(client, f"{BASE}/metadata")
    CapabilityStatement.model_validate(body)
    assert body["fhirVersion"] == "4.0.1"
    assert "json" in body["format"]
    (rest,) = body["rest"]
    assert rest["mode"] == "server"
    by_type = {r["type"]: r for r in rest["resource"]}
    assert set(by_type) == set(TYPES) | {"InsurancePlan", "OrganizationAffiliation", "Endpoint"}
    for resource in by_type.values():
        assert {i["code"] for i in resource["interaction"]} == {
            "read",
            "vread",
            "history-instance",
            "search-type",
        }
        assert {"_id"} <= {p["name"] for p in resource["searchParam"]}
    assert "near" in {p["name"] for p in by_type["Location"]["searchParam"]}
    assert "PractitionerRole:practitioner" in by_type["PractitionerRole"]["searchInclude"]


@pytest.mark.parametrize("resource_type", TYPES)
def test_every_type_reads_and_validates(client: TestClient, resource_type: str) -> None:
    bundle = _bundle(client, f"{BASE}/{resource_type}?_count=5")
    assert len(_matches(bundle)) == 5
    for match in _matches(bundle):
        resource = _get(client, f"{BASE}/{resource_type}/{match['id']}")
        _validate(resource)
        assert resource == match
        assert {"system": "https://onconav.org/fhir/tags", "code": "demo"}.items() <= resource["meta"]["tag"][
            0
        ].items()


def test_roles_and_locations_map_references_specialty_codes_and_position(
    client: TestClient, session: Session
) -> None:
    role = session.scalars(select(PractitionerRole).order_by(PractitionerRole.id)).first()
    assert role is not None and role.location is not None
    body = _get(client, f"{BASE}/PractitionerRole/{role.id}")
    assert body["practitioner"]["reference"] == f"Practitioner/{role.practitioner_id}"
    assert body["organization"]["reference"] == f"Organization/{role.organization_id}"
    assert body["location"][0]["reference"] == f"Location/{role.location_id}"
    specialty = knowledge.get_specialty(role.specialty)
    assert specialty is not None
    codings = body["specialty"][0]["coding"]
    assert {c["code"] for c in codings if c["system"] == "http://nucc.org/provider-taxonomy"} == set(
        specialty.nucc_taxonomy
    )
    assert body["specialty"][0]["text"] == specialty.name
    for ref in body.get("healthcareService", []):
        service = _get(client, f"{BASE}/{ref['reference']}")
        assert service["providedBy"]["reference"] == f"Organization/{role.organization_id}"

    location = _get(client, f"{BASE}/Location/{role.location_id}")
    assert location["position"] == {"latitude": role.location.lat, "longitude": role.location.lon}
    assert location["managingOrganization"]["reference"] == f"Organization/{role.location.organization_id}"

    person = _get(client, f"{BASE}/Practitioner/{role.practitioner_id}")
    assert person["name"][0]["family"] == role.practitioner.family_name
    assert [c["coding"][0]["code"] for c in person.get("communication", [])] == role.practitioner.languages

    with_cpt = session.scalars(
        select(HealthcareService).where(
            HealthcareService.service_code.in_([s.code for s in knowledge.list_services() if s.cpt])
        )
    ).first()
    assert with_cpt is not None
    offered = _get(client, f"{BASE}/HealthcareService/{with_cpt.id}")
    known = knowledge.get_service(with_cpt.service_code)
    assert known is not None
    cpts = {
        c["code"] for c in offered["type"][0]["coding"] if c["system"] == "http://www.ama-assn.org/go/cpt"
    }
    assert cpts == set(known.cpt)
    assert offered["name"] == known.name


# --- paging --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "query"),
    [
        ("Organization", "_count=50"),
        ("Location", "address-state=CA&_count=7"),
        ("Practitioner", "_count=100"),
    ],
)
def test_paging_walks_every_match_once(
    client: TestClient, session: Session, resource_type: str, query: str
) -> None:
    first = _bundle(client, f"{BASE}/{resource_type}?{query}")
    total = first["total"]
    assert total > 0
    seen: list[str] = []
    url = f"{BASE}/{resource_type}?{query}"
    pages = 0
    while url:
        bundle = _bundle(client, url)
        assert bundle["total"] == total
        relations = {link["relation"]: link["url"] for link in bundle["link"]}
        assert "self" in relations
        assert ("previous" in relations) == (pages > 0)
        seen += [r["id"] for r in _matches(bundle)]
        pages += 1
        url = relations["next"].split("testserver", 1)[1] if "next" in relations else ""
    assert len(seen) == len(set(seen)) == total
    model = {"Organization": Organization, "Location": Location, "Practitioner": Practitioner}[resource_type]
    if resource_type != "Location":
        assert total == len(session.scalars(select(model.id)).all())


def test_count_is_capped_and_previous_goes_back(client: TestClient) -> None:
    bundle = _bundle(client, f"{BASE}/Practitioner?_count=1000")
    assert len(_matches(bundle)) == 100
    second = _bundle(client, f"{BASE}/Practitioner?_count=10&_offset=10")
    previous = next(link["url"] for link in second["link"] if link["relation"] == "previous")
    back = _bundle(client, previous.split("testserver", 1)[1])
    assert [r["id"] for r in _matches(back)] == [
        r["id"] for r in _matches(_bundle(client, f"{BASE}/Practitioner?_count=10"))
    ]
    only_total = _get(client, f"{BASE}/Practitioner?_count=0")
    assert only_total["total"] > 0 and "entry" not in only_total
    getpages = _bundle(client, f"{BASE}/Practitioner?_count=10&_getpagesoffset=10")
    assert _matches(getpages) == _matches(second)


# --- search parameters ---------------------------------------------------------------------------------


def test_id_and_name_searches_find_exactly_the_matching_resources(
    client: TestClient, session: Session
) -> None:
    orgs = session.scalars(select(Organization).order_by(Organization.id)).all()
    assert _ids(client, f"{BASE}/Organization?_id={orgs[0].id},{orgs[3].id},nope") == {orgs[0].id, orgs[3].id}
    word = orgs[0].name.split()[0]
    expected = {o.id for o in orgs if word.lower() in o.name.lower()}
    assert _ids(client, f"{BASE}/Organization?name={word.upper()}&_count=100") == expected
    exact = _ids(client, f"{BASE}/Organization?name:exact={orgs[0].name}&_count=100")
    assert exact == {o.id for o in orgs if o.name == orgs[0].name}

    people = session.scalars(select(Practitioner)).all()
    family = people[0].family_name
    assert _ids(client, f"{BASE}/Practitioner?family={family.lower()}&_count=100") == {
        p.id for p in people if family.lower() in p.family_name.lower()
    }
    full = f"{people[0].given_name} {people[0].family_name}"
    got = _ids(client, f"{BASE}/Practitioner?name={full}&_count=100")
    assert people[0].id in got
    for person in people:
        if person.id in got:
            words = (person.given_name + " " + person.family_name).lower()
            assert all(w.lower() in words for w in full.split())


def test_address_city_and_state_searches_find_exactly_the_matching_resources(
    client: TestClient, session: Session
) -> None:
    locations = session.scalars(select(Location)).all()
    city = locations[0].city
    expected_locations = {loc.id for loc in locations if loc.city.lower().startswith(city.lower())}
    assert _ids(client, f"{BASE}/Location?address-city={city.lower()}&_count=100") == expected_locations
    org_ids = {loc.organization_id for loc in locations if loc.id in expected_locations}
    assert _ids(client, f"{BASE}/Organization?address-city={city}&_count=100") == org_ids
    state = locations[0].region_code
    assert state
    state_locations = {loc.id for loc in locations if loc.region_code == state}
    assert _ids(client, f"{BASE}/Location?address-state={state}&_count=100") == state_locations
    roles = session.scalars(select(PractitionerRole)).all()
    assert _ids(client, f"{BASE}/PractitionerRole?address-city={city}&_count=100") == {
        r.id for r in roles if r.location_id in expected_locations
    }


def test_reference_searches_take_typed_or_bare_ids_and_find_exactly_the_matches(
    client: TestClient, session: Session
) -> None:
    role = session.scalars(select(PractitionerRole).order_by(PractitionerRole.id)).first()
    assert role is not None
    roles = session.scalars(select(PractitionerRole)).all()
    for query in (f"Organization/{role.organization_id}", str(role.organization_id)):
        assert _ids(client, f"{BASE}/PractitionerRole?organization={query}&_count=100") == {
            r.id for r in roles if r.organization_id == role.organization_id
        }
    assert _ids(client, f"{BASE}/PractitionerRole?practitioner=Practitioner/{role.practitioner_id}") == {
        r.id for r in roles if r.practitioner_id == role.practitioner_id
    }
    assert _ids(client, f"{BASE}/PractitionerRole?location=Location/{role.location_id}&_count=100") == {
        r.id for r in roles if r.location_id == role.location_id
    }
    locations = session.scalars(select(Location)).all()
    assert _ids(client, f"{BASE}/Location?organization=Organization/{role.organization_id}") == {
        loc.id for loc in locations if loc.organization_id == role.organization_id
    }
    services = session.scalars(select(HealthcareService)).all()
    assert _ids(client, f"{BASE}/HealthcareService?organization={role.organization_id}&_count=100") == {
        s.id for s in services if s.organization_id == role.organization_id
    }
    assert _ids(client, f"{BASE}/HealthcareService?location=Location/{role.location_id}&_count=100") == {
        s.id for s in services if s.location_id == role.location_id
    }


def test_specialty_searches_take_nucc_and_onconav_codes_but_not_crossed_systems(
    client: TestClient, session: Session
) -> None:
    roles = session.scalars(select(PractitionerRole)).all()
    thoracic = {r.id for r in roles if r.specialty == "thoracic-surgery"}
    assert thoracic
    for query in (
        "thoracic-surgery",
        "https://onconav.org/fhir/CodeSystem/specialty|thoracic-surgery",
        "208G00000X",
        "http://nucc.org/provider-taxonomy|208G00000X",
    ):
        assert _ids(client, f"{BASE}/PractitionerRole?specialty={query}&_count=100") == thoracic
    assert _ids(
        client, f"{BASE}/PractitionerRole?specialty=http://nucc.org/provider-taxonomy|thoracic-surgery"
    ) == (set())
    services = session.scalars(select(HealthcareService)).all()
    thoracic_codes = {s.code for s in knowledge.list_services() if "thoracic-surgery" in s.specialties}
    assert _ids(client, f"{BASE}/HealthcareService?specialty=208G00000X&_count=100") == {
        s.id for s in services if s.service_code in thoracic_codes
    }


def test_healthcare_services_are_found_by_service_type_cpt_code_and_name(
    client: TestClient, session: Session
) -> None:
    services = session.scalars(select(HealthcareService)).all()
    lobectomies = {s.id for s in services if s.service_code == "lobectomy"}
    assert lobectomies
    assert _ids(client, f"{BASE}/HealthcareService?service-type=lobectomy&_count=100") == lobectomies
    assert _ids(client, f"{BASE}/HealthcareService?service-type=http://www.ama-assn.org/go/cpt|32480") >= (
        lobectomies
    )
    named = {s.id for s in services if "lobectomy" in knowledge.entry_name("service", s.service_code).lower()}
    assert _ids(client, f"{BASE}/HealthcareService?name=LOBECTOMY&_count=100") == named


@pytest.mark.parametrize(("distance", "unit", "km"), [("300", "km", 300.0), ("100", "mi", 160.9344)])
def test_near_returns_locations_within_the_distance(
    client: TestClient, session: Session, distance: str, unit: str, km: float
) -> None:
    locations = session.scalars(select(Location)).all()
    centre = locations[0]
    found = _ids(client, f"{BASE}/Location?near={centre.lat}|{centre.lon}|{distance}|{unit}&_count=100")
    expected = {loc.id for loc in locations if haversine_km(centre.lat, centre.lon, loc.lat, loc.lon) <= km}
    assert centre.id in found
    assert found == expected
    assert len(expected) < len(locations)


def test_include_adds_referenced_resources(client: TestClient) -> None:
    bundle = _bundle(
        client,
        f"{BASE}/PractitionerRole?_count=5&_include=PractitionerRole:practitioner"
        "&_include=PractitionerRole:organization,PractitionerRole:location",
    )
    matches = _matches(bundle)
    included = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle["entry"]
        if e["search"]["mode"] == "include"
    }
    wanted = set()
    for role in matches:
        wanted.add(role["practitioner"]["reference"])
        wanted.add(role["organization"]["reference"])
        wanted.update(ref["reference"] for ref in role.get("location", []))
    assert included == wanted
    assert len([e for e in bundle["entry"] if e["search"]["mode"] == "include"]) == len(included)
    assert bundle["total"] == _bundle(client, f"{BASE}/PractitionerRole?_count=1")["total"]


# --- the tiny hand-made directory: NPIs, postal codes, non-demo records ---------------------------------


def test_identifier_postal_code_state_and_name_searches_find_the_tiny_records(
    tiny_client: TestClient, tiny: tuple[Engine, Any]
) -> None:
    ids = tiny[1]
    npi = "http://hl7.org/fhir/sid/us-npi"
    for query in ("1234567893", f"{npi}|1234567893", "|1234567893", "1234567893,0000000000"):
        assert _ids(tiny_client, f"{BASE}/Organization?identifier={query}") == {ids.org}
    assert _ids(tiny_client, f"{BASE}/Organization?identifier=http://other.example|1234567893") == set()
    assert _ids(tiny_client, f"{BASE}/Practitioner?identifier={npi}|1679576722") == {ids.practitioner}
    assert _ids(tiny_client, f"{BASE}/Organization?address-postalcode=021") == {ids.org}
    assert _ids(tiny_client, f"{BASE}/Location?address-postalcode=98101") == {ids.other_location}
    assert _ids(tiny_client, f"{BASE}/PractitionerRole?address-postalcode=02115") == {ids.role}
    assert _ids(tiny_client, f"{BASE}/Organization?address-state=wa") == {ids.other_org}
    assert _ids(tiny_client, f"{BASE}/Organization?address-state=Massachusetts") == {ids.org}
    assert _ids(tiny_client, f"{BASE}/PractitionerRole?service=HealthcareService/{ids.service}") == {ids.role}
    assert _ids(tiny_client, f"{BASE}/Practitioner?name=ana ruiz") == {ids.practitioner}
    assert _ids(tiny_client, f"{BASE}/Practitioner?given=AN") == {ids.practitioner}


def test_tiny_records_map_every_field(tiny_client: TestClient, tiny: tuple[Engine, Any]) -> None:
    ids = tiny[1]
    org = _get(tiny_client, f"{BASE}/Organization/{ids.org}")
    FhirOrganization.model_validate(org)
    assert "tag" not in org["meta"]  # not a demo record
    assert org["meta"]["profile"] == [
        "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-Organization"
    ]
    assert org["identifier"] == [
        {"use": "official", "system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}
    ]
    assert org["type"][0]["coding"][0]["code"] == "prov" and org["type"][0]["text"] == "Clinic"
    assert {t["system"] for t in org["telecom"]} == {"phone", "url"}
    assert org["address"][0] == {
        "use": "work",
        "type": "physical",
        "line": ["1 Lake St"],
        "city": "Boston",
        "state": "MA",
        "postalCode": "02115",
        "country": "US",
    }
    person = _get(tiny_client, f"{BASE}/Practitioner/{ids.practitioner}")
    FhirPractitioner.model_validate(person)
    assert person["name"][0]["prefix"] == ["Dr."]
    assert person["name"][0]["suffix"] == ["MD", "PhD"]
    assert person["gender"] == "female"
    assert [c["coding"][0] for c in person["communication"]] == [
        {"system": "urn:ietf:bcp:47", "code": "en"},
        {"system": "urn:ietf:bcp:47", "code": "es"},
    ]
    role = _get(tiny_client, f"{BASE}/PractitionerRole/{ids.role}")
    FhirPractitionerRole.model_validate(role)
    assert role["healthcareService"][0]["reference"] == f"HealthcareService/{ids.service}"
    assert role["availabilityExceptions"] == "Accepting new patients"
    service = _get(tiny_client, f"{BASE}/HealthcareService/{ids.service}")
    FhirHealthcareService.model_validate(service)
    assert service["extension"][0]["valueInteger"] == 120
    assert service["location"][0]["reference"] == f"Location/{ids.location}"
    bundle = _bundle(tiny_client, f"{BASE}/HealthcareService?_include=HealthcareService:organization")
    assert [e["search"]["mode"] for e in bundle["entry"]] == ["match", "include"]
    bundle = _bundle(tiny_client, f"{BASE}/PractitionerRole?_include=PractitionerRole:service")
    assert bundle["entry"][1]["resource"]["id"] == str(ids.service)


# --- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("Organization/999999999", 404, "not known"),
        ("Organization/abc", 404, "not known"),
        ("Patient/1", 404, "not supported"),
        ("Patient", 404, "not supported"),
        ("Organization?foo=bar", 400, "Unknown search parameter 'foo'"),
        ("Organization?near=1|2", 400, "Unknown search parameter 'near'"),
        ("Organization?_count=-1", 400, "_count"),
        ("Organization?_count=ten", 400, "_count"),
        ("Organization?_offset=x", 400, "_offset"),
        ("Organization?_format=yaml", 400, "json or xml"),
        ("Organization?_summary=maybe", 400, "_summary"),
        ("Organization?_lastUpdated=yesterday", 400, "_lastUpdated"),
        ("Organization?_lastUpdated=2026-13-01", 400, "no valid date"),
        ("Organization?_lastUpdated=9999-12", 400, "no valid date"),
        ("Organization?_lastUpdated=0000", 400, "no valid date"),
        ("Organization?_lastUpdated=ge2026-01-01T00:00:00%2B25:00", 400, "no valid date"),
        ("Organization?_revinclude=Practitioner:foo", 400, "_revinclude"),
        ("PractitionerRole?location.foo=1", 400, "no search parameter 'foo'"),
        ("PractitionerRole?specialty.name=x", 400, "cannot be chained"),
        ("Organization/1/_history/1", 404, "not kept"),
        ("Organization?_include=PractitionerRole:practitioner", 400, "_include"),
        ("PractitionerRole?_include=PractitionerRole:nothing", 400, "_include"),
        ("PractitionerRole?organization=Location/1", 400, "Organization"),
        ("PractitionerRole?specialty:exact=x", 400, "modifier"),
        ("Organization?name:fuzzy=x", 400, "modifier"),
        ("Organization?name=", 400, "no value"),
        ("Location?near=abc", 400, "near"),
        ("Location?near=1|x|5|km", 400, "longitude"),
        ("Location?near=91|0|5|km", 400, "latitude"),
        ("Location?near=1|1|5|parsec", 400, "unit"),
        ("Location?near=1|1|-5|km", 400, "negative"),
        ("Location?near=1|1|50000|km", 400, "at most"),
        ("Location?near=1|1|nan|km", 400, "finite"),
        ("metadata/x", 404, "not supported"),
        ("Organization/1/_history/1/x", 404, "Unknown FHIR endpoint"),
    ],
)
def test_errors_are_operation_outcomes(sqlite_client: TestClient, url: str, status: int, words: str) -> None:
    body = _get(sqlite_client, f"{BASE}/{url}", status)
    OperationOutcome.model_validate(body)
    issue = body["issue"][0]
    assert issue["severity"] == "error"
    assert words in issue["diagnostics"]


def test_writes_are_refused_with_an_outcome(sqlite_client: TestClient) -> None:
    response = sqlite_client.post(f"{BASE}/Organization", json={"resourceType": "Organization"})
    assert response.status_code == 405
    OperationOutcome.model_validate(response.json())
    assert "read-only" in response.json()["issue"][0]["diagnostics"]


def test_other_paths_keep_their_error_shape(sqlite_client: TestClient) -> None:
    response = sqlite_client.get("/api/v1/organizations/999999999")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "query",
    [
        "_id=%00",
        "name=%25_%5C",
        "identifier=|||",
        "organization=/",
        "organization=Organization/",
        "location=99999999999999999999999",
        "specialty=|",
        "near=1|2|3|km|x",
        "near=||",
        "address-city=%F0%9F%98%80",
        "_count=",
        "_count=1e3",
        "_offset=99999999",
        "_offset=99999999999999999999999",
        "_id=99999999999999999999999",
    ],
)
@pytest.mark.parametrize("resource_type", ["Location", "PractitionerRole"])
def test_odd_input_never_breaks_the_server(client: TestClient, resource_type: str, query: str) -> None:
    response = client.get(f"{BASE}/{resource_type}?{query}")
    assert response.status_code in (200, 400), response.text
    body = response.json()
    if response.status_code == 400:
        OperationOutcome.model_validate(body)
    else:
        Bundle.model_validate(body)


def test_huge_ids_are_not_found_on_both_backends(client: TestClient) -> None:
    for url in ("Organization/99999999999", "Location/999999999999999999999"):
        OperationOutcome.model_validate(_get(client, f"{BASE}/{url}", 404))
    assert "entry" not in _bundle(client, f"{BASE}/Organization?_id=99999999999,123456789012345678")
    assert "entry" not in _bundle(client, f"{BASE}/PractitionerRole?organization=99999999999")
