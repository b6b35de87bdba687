"""FHIR read and search over the directory (read-only; the FHIR face owns no tables).

Parameters are parsed by `search_parameters`, the directory answers with typed records
(`directory.service.search_resources`), and `mapping` turns them into resources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from onconav.directory import service as directory
from onconav.fhir import mapping
from onconav.fhir.outcome import FhirError
from onconav.fhir.search_parameters import INCLUDES, check_type, parse_id, parse_search

__all__ = ["SearchResult", "read", "search"]

# The element of a matched resource that names the resources an _include value brings.
INCLUDE_FIELDS = {
    "Location:organization": "managingOrganization",
    "PractitionerRole:practitioner": "practitioner",
    "PractitionerRole:organization": "organization",
    "PractitionerRole:location": "location",
    "PractitionerRole:service": "healthcareService",
    "HealthcareService:organization": "providedBy",
    "HealthcareService:location": "location",
}
CONVERTERS: dict[type[Any], Callable[[Any], dict[str, Any]]] = {
    directory.OrganizationRecord: mapping.organization,
    directory.LocationRecord: mapping.location,
    directory.PractitionerRecord: mapping.practitioner,
    directory.PractitionerRoleRecord: mapping.practitioner_role,
    directory.HealthcareServiceRecord: mapping.healthcare_service,
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


def _load(session: Session, kind: directory.ResourceKind, ids: Sequence[int]) -> list[dict[str, Any]]:
    return _resources(directory.list_resources(session, kind=kind, ids=ids))


def read(session: Session, resource_type: str, raw_id: str) -> dict[str, Any]:
    """The resource `resource_type/raw_id`; FhirError 404 when there is none."""
    kind = check_type(resource_type)
    resource_id = parse_id(raw_id)
    found = _load(session, kind, [resource_id]) if resource_id is not None else []
    if not found:
        raise FhirError(404, f"{resource_type}/{raw_id} is not known to this server.")
    return found[0]


def search(session: Session, resource_type: str, params: Sequence[tuple[str, str]]) -> SearchResult:
    """One page of the resources of `resource_type` matching `params` (FHIR search semantics)."""
    request = parse_search(resource_type, params)
    page = directory.search_resources(session, search=request.search)
    matches = _resources(page.records)
    return SearchResult(
        total=page.total,
        offset=request.search.offset,
        count=request.search.count,
        matches=matches,
        included=_included(session, matches, request.includes),
    )


def _reference_ids(resources: list[dict[str, Any]], field_name: str) -> list[int]:
    ids: set[int] = set()
    for resource in resources:
        value = resource.get(field_name)
        refs = value if isinstance(value, list) else [value] if value else []
        for ref in refs:
            ids.add(int(ref["reference"].rsplit("/", 1)[1]))
    return sorted(ids)


def _included(session: Session, matches: list[dict[str, Any]], includes: list[str]) -> list[dict[str, Any]]:
    """The resources that `_include` asks for, each once."""
    wanted: dict[str, set[int]] = {}
    for include in dict.fromkeys(includes):
        target = next(t for targets in INCLUDES.values() for key, t in targets.items() if key == include)
        wanted.setdefault(target, set()).update(_reference_ids(matches, INCLUDE_FIELDS[include]))
    included: list[dict[str, Any]] = []
    for target, ids in wanted.items():
        included += _load(session, check_type(target), sorted(ids))
    return included
