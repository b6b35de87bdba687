"""FHIR read, vread, history and search over the directory (read-only; the FHIR face owns no tables).

Parameters are parsed by `search_parameters`, the directory answers with typed records
(`directory.service.search_resources`), `mapping` and `plannet_mapping` turn them into resources, and
`result_shaping` applies `_summary` and `_elements`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from onconav.directory import service as directory
from onconav.fhir import mapping, plannet_mapping, result_shaping
from onconav.fhir.declarations import INCLUDES
from onconav.fhir.outcome import FhirError
from onconav.fhir.search_parameters import KINDS, check_type, parse_search, row_id

__all__ = ["SearchResult", "history", "read", "search", "vread"]

NETWORK_EXTENSION = f"extension:{mapping.NETWORK_REFERENCE_URL}"
# The element of a matched resource that names the resources an _include value brings.
INCLUDE_ELEMENTS = {
    "Organization:endpoint": "endpoint",
    "Organization:partof": "partOf",
    "Location:organization": "managingOrganization",
    "Location:endpoint": "endpoint",
    "Location:partof": "partOf",
    "PractitionerRole:practitioner": "practitioner",
    "PractitionerRole:organization": "organization",
    "PractitionerRole:location": "location",
    "PractitionerRole:service": "healthcareService",
    "PractitionerRole:network": NETWORK_EXTENSION,
    "PractitionerRole:endpoint": "endpoint",
    "HealthcareService:organization": "providedBy",
    "HealthcareService:location": "location",
    "HealthcareService:coverage-area": "coverageArea",
    "HealthcareService:endpoint": "endpoint",
    "InsurancePlan:owned-by": "ownedBy",
    "InsurancePlan:administered-by": "administeredBy",
    "InsurancePlan:network": "network",
    "OrganizationAffiliation:participating-organization": "participatingOrganization",
    "OrganizationAffiliation:primary-organization": "organization",
    "OrganizationAffiliation:network": "network",
    "OrganizationAffiliation:location": "location",
    "OrganizationAffiliation:service": "healthcareService",
    "Endpoint:organization": "managingOrganization",
}
REVINCLUDE_LIMIT = 500  # resources one _revinclude value brings at most
CONVERTERS: dict[type[Any], Callable[[Any], dict[str, Any]]] = {
    directory.OrganizationRecord: mapping.organization,
    directory.LocationRecord: mapping.location,
    directory.PractitionerRecord: mapping.practitioner,
    directory.PractitionerRoleRecord: mapping.practitioner_role,
    directory.HealthcareServiceRecord: mapping.healthcare_service,
    directory.InsuranceOrganizationRecord: plannet_mapping.insurance_organization,
    directory.InsurancePlanRecord: plannet_mapping.insurance_plan,
    directory.AffiliationRecord: plannet_mapping.organization_affiliation,
    directory.EndpointRecord: plannet_mapping.endpoint,
}


@dataclass
class SearchResult:
    """One page of a search: matches, included resources, and where the page lies."""

    total: int
    offset: int
    count: int
    matches: list[dict[str, Any]] = field(default_factory=list)
    included: list[dict[str, Any]] = field(default_factory=list)


def _resources(records: Sequence[directory.ResourceRecord]) -> list[dict[str, Any]]:
    return [CONVERTERS[type(record)](record) for record in records]


def _load(session: Session, resource_type: str, raw_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The resources of a FHIR type with these logical ids that exist."""
    found: list[dict[str, Any]] = []
    for kind in KINDS[resource_type]:
        ids = sorted({i for i in (row_id(kind, raw) for raw in raw_ids) if i is not None})
        if ids:
            found += _resources(directory.list_resources(session, kind=kind, ids=ids))
    return found


def read(session: Session, resource_type: str, raw_id: str) -> dict[str, Any]:
    """The resource `resource_type/raw_id`; FhirError 404 when there is none."""
    found = _load(session, check_type(resource_type), [raw_id])
    if not found:
        raise FhirError(404, f"{resource_type}/{raw_id} is not known to this server.")
    return found[0]


def vread(session: Session, resource_type: str, raw_id: str, version: str) -> dict[str, Any]:
    """One version of a resource: only the current version is kept; FhirError 404 for any other."""
    resource = read(session, resource_type, raw_id)
    current = resource["meta"]["versionId"]
    if version != current:
        raise FhirError(
            404,
            f"Version '{version}' of {resource_type}/{raw_id} is not kept; "
            f"the current version is '{current}'.",
        )
    return resource


def history(session: Session, resource_type: str, raw_id: str, base: str) -> dict[str, Any]:
    """The history Bundle of a resource: its current version (older versions are not kept)."""
    resource = read(session, resource_type, raw_id)
    return {
        "resourceType": "Bundle",
        "type": "history",
        "total": 1,
        "link": [{"relation": "self", "url": f"{base}/{resource_type}/{raw_id}/_history"}],
        "entry": [
            {
                "fullUrl": f"{base}/{resource_type}/{raw_id}",
                "resource": resource,
                "request": {"method": "PUT", "url": f"{resource_type}/{raw_id}"},
                "response": {
                    "status": "200 OK",
                    "etag": f'W/"{resource["meta"]["versionId"]}"',
                    "lastModified": resource["meta"]["lastUpdated"],
                },
            }
        ],
    }


def search(session: Session, resource_type: str, params: Sequence[tuple[str, str]]) -> SearchResult:
    """One page of the resources of `resource_type` matching `params` (FHIR search semantics)."""
    request = parse_search(resource_type, params)
    total, matches = _page(session, request.searches)
    included = _included(session, matches, request.includes)
    included += _revincluded(session, resource_type, matches, request.revincludes)
    if request.iterate:  # one more step, from everything found so far
        included += _included(session, matches + included, request.iterate)
    seen = {(r["resourceType"], r["id"]) for r in matches}
    unique: list[dict[str, Any]] = []
    for resource in included:
        key = (resource["resourceType"], resource["id"])
        if key not in seen:
            seen.add(key)
            unique.append(resource)
    return SearchResult(
        total=total,
        offset=request.offset,
        count=request.count,
        matches=[result_shaping.shape(r, request.summary, request.elements) for r in matches],
        included=unique,
    )


def _page(session: Session, searches: Sequence[directory.ResourceSearch]) -> tuple[int, list[dict[str, Any]]]:
    """One page over the searches of every kind the type covers, one kind after the other."""
    total, records = 0, []
    offset, wanted = searches[0].offset, searches[0].count
    for one in searches:
        page = directory.search_resources(
            session, search=dataclasses.replace(one, offset=offset, count=wanted)
        )
        total += page.total
        records += page.records
        wanted -= len(page.records)
        offset = max(0, offset - page.total)
    return total, _resources(records)


def references(resource: dict[str, Any], element: str) -> list[str]:
    """The references ("Type/id") an element of a resource holds (`extension:<url>`: an extension's)."""
    if element.startswith("extension:"):
        url = element.split(":", 1)[1]
        values = [e.get("valueReference") for e in resource.get("extension", []) if e.get("url") == url]
    else:
        value = resource.get(element)
        values = value if isinstance(value, list) else [value] if value else []
    return [ref["reference"] for ref in values if isinstance(ref, dict) and "reference" in ref]


def _included(session: Session, matches: list[dict[str, Any]], includes: list[str]) -> list[dict[str, Any]]:
    """The resources that `_include` asks for, each once."""
    wanted: dict[str, set[str]] = {}
    for include in dict.fromkeys(includes):
        source = include.split(":", 1)[0]
        target = INCLUDES[source][include]
        for resource in (r for r in matches if r["resourceType"] == source):
            for ref in references(resource, INCLUDE_ELEMENTS[include]):
                ref_type, _, ref_id = ref.rpartition("/")
                if ref_type == target:
                    wanted.setdefault(target, set()).add(ref_id)
    included: list[dict[str, Any]] = []
    for target, ids in wanted.items():
        included += _load(session, target, sorted(ids))
    return included


def _revincluded(
    session: Session, resource_type: str, matches: list[dict[str, Any]], revincludes: list[str]
) -> list[dict[str, Any]]:
    """The resources that refer to the matches as `_revinclude` asks (at most REVINCLUDE_LIMIT per value)."""
    if not matches:
        return []
    refs = ",".join(f"{resource_type}/{resource['id']}" for resource in matches)
    found: list[dict[str, Any]] = []
    for value in dict.fromkeys(revincludes):
        source, _, param = value.partition(":")
        request = parse_search(source, [(param, refs)])
        searches = [dataclasses.replace(one, count=REVINCLUDE_LIMIT) for one in request.searches]
        found += _page(session, searches)[1]
    return found
