"""FHIR R4 HTTP routes: /fhir/R4/metadata, read (/{type}/{id}), vread and history (/{type}/{id}/_history),
search (/{type}?...).

Every answer is `application/fhir+json`; errors become OperationOutcome resources (onconav.web.errors).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from onconav import __version__
from onconav.fhir import declarations, search_parameters, service
from onconav.fhir.outcome import FHIR_JSON, FhirError, prefers_xml
from onconav.fhir.xml_format import FHIR_XML, to_xml
from onconav.web.dependencies import SessionDep

router = APIRouter(prefix="/fhir/R4", include_in_schema=False)
PAGING_PARAMS = ("_offset", "_getpagesoffset", "_count")


def _fhir(request: Request, body: dict[str, Any]) -> Response:
    if prefers_xml(request):
        return Response(to_xml(body), media_type=FHIR_XML)
    return JSONResponse(body, media_type=FHIR_JSON)


def base_url(request: Request) -> str:
    """The service base of this server as clients reached it, e.g. http://host/fhir/R4."""
    return str(request.base_url).rstrip("/") + router.prefix


def capability_statement(base: str) -> dict[str, Any]:
    """What this server can do: read and search-type of each directory resource, with their parameters."""
    resources = []
    for resource_type, params in declarations.SEARCH_PARAMS.items():
        profiles = declarations.PROFILES[resource_type]
        entry: dict[str, Any] = {
            "type": resource_type,
            "profile": f"http://hl7.org/fhir/StructureDefinition/{resource_type}",
            "supportedProfile": profiles,
            "interaction": [
                {"code": "read"},
                {"code": "vread"},
                {"code": "history-instance"},
                {"code": "search-type"},
            ],
            "versioning": "versioned",
            "readHistory": True,
            "updateCreate": False,
            "searchParam": [
                {"name": name, "type": param_type, "documentation": doc}
                for name, (param_type, doc) in params.items()
            ],
        }
        includes = list(declarations.INCLUDES.get(resource_type, {}))
        if includes:
            entry["searchInclude"] = includes
        revincludes = declarations.REVINCLUDES.get(resource_type, [])
        if revincludes:
            entry["searchRevInclude"] = revincludes
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "publisher": "onconav",
        "kind": "instance",
        "instantiates": [declarations.PLANNET_CAPABILITY],
        "software": {"name": "onconav", "version": __version__},
        "implementation": {"description": "onconav cancer-care directory (read-only)", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json", FHIR_JSON, "xml", FHIR_XML],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read-only directory of cancer-care organizations, locations, "
                "practitioners, their roles and services, and the insurance networks and plans they "
                "accept (Da Vinci PDex Plan-Net). "
                f"Paging: _count (default {search_parameters.DEFAULT_COUNT}, "
                f"at most {search_parameters.MAX_COUNT}) and _offset. _sort: _id or -_id (other keys are "
                "ignored). _summary (true, text, data, count, false) and _elements. _include:iterate "
                "(one more step). Chained searches on "
                "reference parameters, one level (PractitionerRole?location.near=..., "
                "practitioner.name=...).",
                "resource": resources,
            }
        ],
    }


def _page_link(request: Request, relation: str, offset: int, count: int) -> dict[str, str]:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in PAGING_PARAMS]
    params += [("_count", str(count)), ("_offset", str(offset))]
    url = f"{base_url(request)}/{request.path_params['resource_type']}?{urlencode(params)}"
    return {"relation": relation, "url": url}


def searchset(request: Request, resource_type: str, result: service.SearchResult) -> dict[str, Any]:
    """The searchset Bundle of one page, with self/next/previous links."""
    base = base_url(request)
    links = [_page_link(request, "self", result.offset, result.count)]
    if result.count and result.offset + result.count < result.total:
        links.append(_page_link(request, "next", result.offset + result.count, result.count))
    if result.count and result.offset > 0:
        previous = max(0, min(result.offset, result.total) - result.count)
        links.append(_page_link(request, "previous", previous, result.count))
    entries = [
        {
            "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": mode},
        }
        for mode, resources in (("match", result.matches), ("include", result.included))
        for resource in resources
    ]
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": result.total,
        "link": links,
    }
    if entries:
        bundle["entry"] = entries
    return bundle


@router.get("/metadata")
def metadata(request: Request) -> Response:
    """The CapabilityStatement."""
    return _fhir(request, capability_statement(base_url(request)))


@router.get("/{resource_type}")
def search(resource_type: str, request: Request, session: SessionDep) -> Response:
    """Search-type: a searchset Bundle."""
    result = service.search(session, resource_type, request.query_params.multi_items())
    return _fhir(request, searchset(request, resource_type, result))


@router.get("/{resource_type}/{resource_id}")
def read(resource_type: str, resource_id: str, request: Request, session: SessionDep) -> Response:
    """Read: one resource by id."""
    _check_format(request)
    return _fhir(request, service.read(session, resource_type, resource_id))


@router.get("/{resource_type}/{resource_id}/_history")
def history(resource_type: str, resource_id: str, request: Request, session: SessionDep) -> Response:
    """History of one resource: a history Bundle with its current version."""
    _check_format(request)
    return _fhir(request, service.history(session, resource_type, resource_id, base_url(request)))


@router.get("/{resource_type}/{resource_id}/_history/{version}")
def vread(
    resource_type: str, resource_id: str, version: str, request: Request, session: SessionDep
) -> Response:
    """Vread: one version of a resource (the current one is kept)."""
    _check_format(request)
    return _fhir(request, service.vread(session, resource_type, resource_id, version))


def _check_format(request: Request) -> None:
    asked = request.query_params.get("_format", "").strip()
    if asked and asked not in search_parameters.JSON_FORMATS + search_parameters.XML_FORMATS:
        raise FhirError(400, f"Unsupported _format '{asked}': use json or xml.")
