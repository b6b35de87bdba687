"""Plan-Net conformance tested from outside: a real FHIR client (fhirpy) reads the CapabilityStatement of the
live server and drives every declared search parameter, `_include` and `_revinclude` through it, on SQLite
and PostgreSQL.

Each search parameter is checked twice: with a value taken from the data, the server must answer exactly the
resources that the value selects (worked out here from the resources themselves, read in full by paging);
with a value that selects nothing, it must answer nothing (a server ignoring the parameter would answer
everything). A declared parameter with no case here fails the suite: declared means honoured.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.searchset import Raw
from sqlalchemy.engine import Engine

from tests.fhir.conftest import TinyIds
from tests.fhir.plannet_directory import add_plannet_data
from tests.support.web import LiveServer

Resource = dict[str, Any]
Predicate = Callable[[Resource], bool]
COVERAGE_STATE = "https://onconav.org/fhir/StructureDefinition/coverage-state"
NETWORK_EXTENSION = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference"
# The element each reference parameter and _include / _revinclude value follows (per the FHIR definitions).
ELEMENTS = {
    "organization": "managingOrganization",
    "partof": "partOf",
    "endpoint": "endpoint",
    "practitioner": "practitioner",
    "location": "location",
    "service": "healthcareService",
    "network": "network",
    "owned-by": "ownedBy",
    "administered-by": "administeredBy",
    "participating-organization": "participatingOrganization",
    "primary-organization": "organization",
    "coverage-area": "coverageArea",
}
ELEMENT_OVERRIDES = {
    ("PractitionerRole", "organization"): "organization",
    ("PractitionerRole", "network"): f"extension:{NETWORK_EXTENSION}",
    ("HealthcareService", "organization"): "providedBy",
}
NO_MATCH = {
    "string": "zzqxj",
    "token": "no-such-code",
    "date": "lt1900-01-01",
    "special": "0|0|1|km",
}
# Declared parameters that no resource of the data can match (nothing here is part of another location).
KNOWN_EMPTY = {("Location", "partof"), ("Location", "_include:Location:partof")}


@dataclass
class Data:
    """Every resource of every type, read through the client, by type and by reference."""

    by_type: dict[str, list[Resource]]
    by_ref: dict[str, Resource]


def element(resource_type: str, param: str) -> str:
    return ELEMENT_OVERRIDES.get((resource_type, param), ELEMENTS[param])


def refs(resource: Resource, path: str) -> list[str]:
    if path.startswith("extension:"):
        url = path.split(":", 1)[1]
        values = [e.get("valueReference") for e in resource.get("extension", []) if e.get("url") == url]
    else:
        value = resource.get(path)
        values = value if isinstance(value, list) else [value] if value else []
    return [v["reference"] for v in values if isinstance(v, dict) and "reference" in v]


def codes(value: Any) -> set[str]:
    """Codes of a Coding, a CodeableConcept or a list of them."""
    items = value if isinstance(value, list) else [value] if value else []
    found = set()
    for item in items:
        found |= {c["code"] for c in item.get("coding", [])} if "coding" in item else {item.get("code")}
    return found


def addresses(resource: Resource, data: Data) -> list[dict[str, Any]]:
    if resource["resourceType"] == "PractitionerRole":
        return [data.by_ref[r]["address"] for r in refs(resource, "location") if r in data.by_ref]
    value = resource.get("address", [])
    return value if isinstance(value, list) else [value]


def position(resource: Resource, data: Data) -> tuple[float, float] | None:
    if resource["resourceType"] == "PractitionerRole":
        located = [data.by_ref[r] for r in refs(resource, "location") if r in data.by_ref]
        resource = located[0] if located else {}
    place = resource.get("position")
    return (place["latitude"], place["longitude"]) if place else None


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def names(resource: Resource) -> list[str]:
    if resource["resourceType"] == "Practitioner":
        return [p for n in resource.get("name", []) for p in [n.get("family", ""), *n.get("given", [])]]
    return [resource.get("name", "")]


# --- one case per declared parameter: a value from the data, and what it selects --------------------------


def case(resource_type: str, param: str, param_type: str, data: Data) -> tuple[str, Predicate] | None:
    """The value to search with and the resources it must select; None: no case for this parameter."""
    everything = data.by_type[resource_type]
    first = everything[0]
    if param == "_id":
        return first["id"], lambda r: r["id"] == first["id"]
    if param == "_lastUpdated":
        oldest = min(r["meta"]["lastUpdated"] for r in everything)
        return f"le{oldest}", lambda r: r["meta"]["lastUpdated"] <= oldest
    if param in ("name", "family", "given"):
        word = names(first)[0].split()[0][:5].lower() if param != "given" else names(first)[1][:3].lower()
        part = {"name": slice(None), "family": slice(0, 1), "given": slice(1, None)}[param]
        return word, lambda r: any(word in n.lower() for n in names(r)[part])
    if param.startswith("address"):
        key = {"address-city": "city", "address-state": "state", "address-postalcode": "postalCode"}.get(
            param
        )
        with_address = [r for r in everything if addresses(r, data)]
        value = addresses(with_address[0], data)[0]["city" if key is None else key]

        def in_address(r: Resource) -> bool:
            parts = [
                str(part).lower()
                for a in addresses(r, data)
                for k, part in a.items()
                if k in (["city", "state", "postalCode", "country", "line"] if key is None else [key])
                for part in (part if isinstance(part, list) else [part])
            ]
            return any(p.startswith(value.lower()) for p in parts)

        return value, in_address
    if param == "identifier":
        npi = next(i["value"] for r in everything for i in r.get("identifier", []) if "us-npi" in i["system"])
        return npi, lambda r: npi in {i["value"] for i in r.get("identifier", [])}
    if param == "near":
        here = next(p for p in (position(r, data) for r in everything) if p)
        return (
            f"{here[0]}|{here[1]}|10|km",
            lambda r: (p := position(r, data)) is not None and km(here, p) <= 10,
        )
    if param == "coverage-area" and resource_type in ("Organization", "InsurancePlan"):
        place = next(r for r in data.by_type["Location"] if r["address"].get("state") == "MA")

        def covers(r: Resource) -> bool:
            if resource_type == "InsurancePlan":
                return "MA" in {c.get("display") for c in r.get("coverageArea", [])}
            states = {e.get("valueString") for e in r.get("extension", []) if e["url"] == COVERAGE_STATE}
            return r["id"].startswith("ins-") and "MA" in states

        return f"Location/{place['id']}", covers
    if param_type == "reference":
        path = element(resource_type, param)
        found = [ref for r in everything for ref in refs(r, path)]
        if not found:  # nothing refers that way: any resource of the target type selects nothing
            target = {"partof": "Location"}.get(param, "Location")
            found = [f"{target}/{data.by_type[target][0]['id']}"]
        return found[0], lambda r: found[0] in refs(r, path)
    token_elements = {
        "type": "type",
        "role": "code",
        "specialty": "specialty",
        "service-type": "type",
        "service-category": "category",
        "connection-type": "connectionType",
        "payload-type": "payloadType",
    }
    if param in token_elements:
        path = token_elements[param]
        chosen = {
            ("Organization", "type"): "ntwk",
            ("PractitionerRole", "role"): "np",
            ("InsurancePlan", "type"): "mediadv",
        }
        picked = chosen.get((resource_type, param))
        value = picked or sorted(codes(first.get(path)) - {None})[-1]
        return value, lambda r: value in codes(r.get(path))
    return None


def _ids(found: list[Any]) -> set[str]:
    return {str(r["id"]) for r in found}


@pytest.fixture
def plannet_server(tiny: tuple[Engine, TinyIds]) -> Iterator[str]:
    """The app over the Plan-Net directory, served live, on each backend."""
    engine, ids = tiny
    add_plannet_data(engine, ids)
    with LiveServer(engine) as server:
        yield server.url + "/fhir/R4"


def _read_everything(client: SyncFHIRClient, types: list[str]) -> Data:
    by_type = {t: [r.serialize() for r in client.resources(t).limit(2).fetch_all()] for t in types}
    by_ref = {f"{r['resourceType']}/{r['id']}": r for rs in by_type.values() for r in rs}
    return Data(by_type, by_ref)


def test_every_declared_search_parameter_include_and_revinclude_is_honoured(plannet_server: str) -> None:
    client = SyncFHIRClient(plannet_server)
    capability = client.execute("metadata", method="get")
    declared = capability["rest"][0]["resource"]
    data = _read_everything(client, [r["type"] for r in declared])
    assert all(data.by_type.values()), {t: len(rs) for t, rs in data.by_type.items()}
    failures: list[str] = []
    exercised = 0
    for resource in declared:
        resource_type = resource["type"]
        all_ids = _ids(data.by_type[resource_type])
        for param in resource["searchParam"]:
            name, param_type = param["name"], param["type"]
            found = case(resource_type, name, param_type, data)
            if found is None:
                failures.append(f"{resource_type}?{name}: declared, but no case of this suite exercises it")
                continue
            value, selects = found
            expected = {r["id"] for r in data.by_type[resource_type] if selects(r)}
            got = _ids(client.resources(resource_type).search(Raw(**{name: value})).fetch_all())
            if got != expected:
                failures.append(
                    f"{resource_type}?{name}={value}: got {sorted(got)}, expected {sorted(expected)}"
                )
            if not expected and (resource_type, name) not in KNOWN_EMPTY:
                failures.append(f"{resource_type}?{name}={value}: the case selects nothing")
            nothing = f"{name.split('-')[0].capitalize()}/999999" if param_type == "reference" else None
            none_value = nothing or NO_MATCH[param_type]
            if name == "_id":
                none_value = "999999"
            if param_type == "reference":
                none_value = f"{value.rsplit('/', 1)[0]}/999999"
            answered = _ids(client.resources(resource_type).search(Raw(**{name: none_value})).fetch_all())
            if answered:
                failures.append(
                    f"{resource_type}?{name}={none_value}: matched {sorted(answered)}, expected none"
                )
            exercised += 1
        for include in resource.get("searchInclude", []):
            failures += _check_include(client, data, resource_type, include, all_ids)
            exercised += 1
        for revinclude in resource.get("searchRevInclude", []):
            failures += _check_revinclude(client, data, resource_type, revinclude)
            exercised += 1
    assert not failures, "\n".join(failures)
    assert exercised > 100


def _included(
    client: SyncFHIRClient, resource_type: str, key: str, value: str, only: set[str] | None = None
) -> tuple[set[str], set[str]]:
    search = client.resources(resource_type).search(Raw(**{key: value}))
    if only:
        search = search.search(_id=",".join(sorted(only)))
    bundle = search.limit(100).fetch_raw()
    matches = {
        f"{e.resource['resourceType']}/{e.resource['id']}" for e in bundle.entry if e.search.mode == "match"
    }
    included = {
        f"{e.resource['resourceType']}/{e.resource['id']}" for e in bundle.entry if e.search.mode == "include"
    }
    return matches, included


def _check_include(
    client: SyncFHIRClient, data: Data, resource_type: str, include: str, ids: set[str]
) -> list[str]:
    source, param = include.split(":")
    path = element(source, param)
    referring = {r["id"] for r in data.by_type[resource_type] if refs(r, path)}
    matches, included = _included(client, resource_type, "_include", include, referring)
    expected = {ref for m in matches for ref in refs(data.by_ref[m], path)} - matches
    if included != expected:
        return [
            f"{resource_type}?_include={include}: included {sorted(included)}, expected {sorted(expected)}"
        ]
    if not expected and (resource_type, f"_include:{include}") not in KNOWN_EMPTY:
        return [f"{resource_type}?_include={include}: nothing to include in the data"]
    return []


def _check_revinclude(client: SyncFHIRClient, data: Data, resource_type: str, revinclude: str) -> list[str]:
    source, param = revinclude.split(":")
    path = element(source, param)
    matches, included = _included(client, resource_type, "_revinclude", revinclude)
    expected = {f"{source}/{r['id']}" for r in data.by_type[source] if set(refs(r, path)) & matches} - matches
    if included != expected:
        return [
            f"{resource_type}?_revinclude={revinclude}: got {sorted(included)}, expected {sorted(expected)}"
        ]
    return []
