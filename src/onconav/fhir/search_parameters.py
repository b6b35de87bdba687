"""FHIR search parameters: which ones each resource type takes, and their parsing and validation into a
directory resource search (`_count`, `_offset`, `_include`, `_revinclude`, `_sort`, `_summary`, `_elements`,
`near`, names, identifiers, tokens, references, chains such as `location.near`).

FHIR-style: repeated parameters AND together, commas inside one OR. Errors are FhirError 400 (404 for an
unknown resource type), with diagnostics in English for the client's developer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from onconav.directory import service as directory
from onconav.fhir import code_values, outcome, plannet_parameters
from onconav.fhir.declarations import INCLUDES, REFERENCES, RESOURCE_TYPES, REVINCLUDES, SEARCH_PARAMS
from onconav.fhir.outcome import FhirError

DEFAULT_COUNT = 20
MAX_COUNT = 100
DEFAULT_NEAR_KM = 50.0
MAX_NEAR_KM = 1000.0
KM_PER_UNIT = {"km": 1.0, "mi": 1.609344, "[mi_i]": 1.609344, "m": 0.001}
MAX_ID_DIGITS = 18  # longer digit strings are no id; checked before converting them to a number
NEAR_PARTS = (2, 4)  # `near` is lat|lon, with optional |distance and |unit

RESULT_PARAMS = (
    "_count",
    "_offset",
    "_getpagesoffset",
    "_include",
    "_revinclude",
    "_format",
    "_sort",
    "_summary",
    "_elements",
)
STRING_MODIFIERS = ("", "contains", "exact")
# An unescaped "+" in a query string reads as a space: "application/fhir json" is taken as meant.
JSON_FORMATS = ("json", "application/json", "application/fhir+json", "application/fhir json")
XML_FORMATS = outcome.XML_FORMATS
SUMMARY_MODES = ("true", "false", "text", "data", "count")
# The directory kinds whose records a FHIR type's resources come from (payers and networks are Organizations).
KINDS: dict[str, tuple[directory.ResourceKind, ...]] = {
    "Organization": ("Organization", "InsuranceOrganization"),
    "Location": ("Location",),
    "Practitioner": ("Practitioner",),
    "PractitionerRole": ("PractitionerRole",),
    "HealthcareService": ("HealthcareService",),
    "InsurancePlan": ("InsurancePlan",),
    "OrganizationAffiliation": ("OrganizationAffiliation",),
    "Endpoint": ("Endpoint",),
}
# Parameters by the directory field they search.
ADDRESS_PARTS: dict[str, Literal["city", "state", "postal_code", "any"]] = {
    "address": "any",
    "address-city": "city",
    "address-state": "state",
    "address-postalcode": "postal_code",
}
NAME_FIELDS: dict[str, Literal["name", "family", "given"]] = {
    "name": "name",
    "family": "family",
    "given": "given",
}
TOKEN_FIELDS: dict[tuple[str, str], directory.CodeField] = {
    ("Organization", "type"): "type",
    ("Location", "type"): "type",
    ("PractitionerRole", "role"): "role",
    ("OrganizationAffiliation", "role"): "role",
    ("InsurancePlan", "type"): "plan_type",
    ("Endpoint", "connection-type"): "connection_type",
    ("Endpoint", "payload-type"): "payload_type",
}


@dataclass(frozen=True)
class SearchRequest:
    """A parsed search: the directory searches to run (one per kind the type covers, in order), the
    `_include` and `_revinclude` values (in request order), and how to shape the matches."""

    searches: tuple[directory.ResourceSearch, ...]
    includes: list[str]
    revincludes: list[str] = field(default_factory=list)
    summary: str = "false"
    elements: tuple[str, ...] = ()
    iterate: list[str] = field(default_factory=list)  # `_include:iterate` values

    @property
    def offset(self) -> int:
        return self.searches[0].offset

    @property
    def count(self) -> int:
        return self.searches[0].count


def check_type(resource_type: str) -> str:
    """A FHIR type this server serves; FhirError 404 for any other type."""
    if resource_type in RESOURCE_TYPES:
        return resource_type
    raise FhirError(
        404,
        f"Resource type '{resource_type}' is not supported; use one of {', '.join(RESOURCE_TYPES)}.",
        "not-supported",
    )


def parse_id(text: str) -> int | None:
    """The id in a logical id; None when it names no row (not digits, or beyond the id columns' range)."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    number = int(text)
    # Ids are 32-bit integer columns; PostgreSQL refuses larger literals, and no row has them.
    return number if number <= directory.MAX_ID else None


def row_id(kind: directory.ResourceKind, text: str) -> int | None:
    """The row id of a record of `kind` in a logical id (payers and networks: "ins-2")."""
    if kind == "InsuranceOrganization":
        return plannet_parameters.insurance_id(text.strip(), directory.MAX_ID)
    return parse_id(text)


def parse_search(resource_type: str, params: Sequence[tuple[str, str]]) -> SearchRequest:
    """The directory searches that the FHIR search `params` on `resource_type` ask for."""
    fhir_type = check_type(resource_type)
    allowed = SEARCH_PARAMS[fhir_type]
    criteria: dict[directory.ResourceKind, list[directory.Criterion]] = {k: [] for k in KINDS[fhir_type]}
    count, offset, descending, summary = DEFAULT_COUNT, 0, False, "false"
    includes: list[str] = []
    revincludes: list[str] = []
    iterate: list[str] = []
    elements: list[str] = []
    for key, raw in params:
        name, _, modifier = key.partition(":")
        if name == "_include" and modifier == "iterate":  # also from the included resources, one more step
            iterate += _iterate_includes(raw)
            continue
        if name in RESULT_PARAMS:
            if modifier:
                raise FhirError(400, f"Parameter '{name}' takes no modifier (got '{key}').")
            if name == "_count":
                count = min(_whole_number(name, raw, low=0), MAX_COUNT)
            elif name in ("_offset", "_getpagesoffset"):
                offset = _whole_number(name, raw, low=0)
            elif name == "_format":
                if raw.strip() not in JSON_FORMATS + XML_FORMATS:
                    raise FhirError(400, f"Unsupported _format '{raw}': use json or xml.")
            elif name == "_sort":
                descending = _sort(raw, descending)
            elif name == "_summary":
                summary = _summary(raw)
            elif name == "_elements":
                elements += code_values.values(raw)
            elif name == "_include":
                includes += _includes(fhir_type, raw)
            else:
                revincludes += _revincludes(fhir_type, raw)
            continue
        name, _, chain = name.partition(".")
        if name not in allowed:
            raise FhirError(
                400,
                f"Unknown search parameter '{name}' for {fhir_type}; supported: "
                f"{', '.join([*allowed, *RESULT_PARAMS])}.",
            )
        if chain:
            for kind in criteria:
                criteria[kind].append(_chained(fhir_type, kind, name, chain, modifier, raw))
            continue
        param_type = allowed[name][0]
        if modifier and not (param_type == "string" and modifier in STRING_MODIFIERS):
            raise FhirError(400, f"Unsupported modifier ':{modifier}' on parameter '{name}'.")
        if not raw.strip():
            raise FhirError(400, f"Parameter '{name}' has no value.")
        for kind in criteria:
            criteria[kind].append(_criterion(fhir_type, kind, name, modifier, raw))
    if summary == "count":
        count = 0
    searches = tuple(
        directory.ResourceSearch(kind, tuple(found), offset, count, descending)
        for kind, found in criteria.items()
    )
    return SearchRequest(searches, includes, revincludes, summary, tuple(elements), iterate)


def _sort(raw: str, descending: bool) -> bool:
    """`_sort=_id` or `-_id` orders by id; other sort keys are ignored, as FHIR allows."""
    keys = code_values.values(raw)
    if keys and keys[0] in ("_id", "-_id"):
        return keys[0] == "-_id"
    return descending


def _summary(raw: str) -> str:
    value = raw.strip()
    if value not in SUMMARY_MODES:
        raise FhirError(400, f"Parameter '_summary' must be one of {', '.join(SUMMARY_MODES)}, got '{raw}'.")
    return value


def _chained(
    fhir_type: str, kind: directory.ResourceKind, name: str, chain: str, modifier: str, raw: str
) -> directory.Criterion:
    """`location.near=...`: the referenced resource meets the chained parameter."""
    reference = REFERENCES.get((fhir_type, name))
    if reference is None:
        raise FhirError(400, f"Parameter '{name}' of {fhir_type} is no reference and cannot be chained.")
    target_type, target_kind, field_name = reference
    if chain not in SEARCH_PARAMS[target_type] or "." in chain:
        raise FhirError(
            400,
            f"Chained parameter '{name}.{chain}': {target_type} has no search parameter '{chain}'; "
            f"supported: {', '.join(SEARCH_PARAMS[target_type])}.",
        )
    if not raw.strip():
        raise FhirError(400, f"Parameter '{name}.{chain}' has no value.")
    target = directory.ResourceSearch(
        _kind(target_kind), (_criterion(target_type, _kind(target_kind), chain, modifier, raw),), 0, 0
    )
    return directory.Chained(_id_field(field_name), target)


def _kind(name: str) -> directory.ResourceKind:
    return next(kind for kind in directory.RESOURCE_KINDS if kind == name)


def _id_field(name: str) -> directory.IdField:
    fields: tuple[directory.IdField, ...] = (
        "organization",
        "location",
        "practitioner",
        "partof",
        "network",
        "owned_by",
        "administered_by",
        "participating_organization",
        "primary_organization",
        "endpoint",
        "service",
        "coverage_area",
    )
    return next(f for f in fields if f == name)


def _iterate_includes(raw: str) -> list[str]:
    """`_include:iterate` values: any declared _include, applied to the matches and included resources."""
    found = code_values.values(raw)
    for value in found:
        if value not in INCLUDES.get(value.split(":", 1)[0], {}):
            raise FhirError(400, f"Unsupported _include:iterate '{value}': it is no declared _include value.")
    return found


def _revincludes(fhir_type: str, raw: str) -> list[str]:
    supported = REVINCLUDES.get(fhir_type, [])
    for value in code_values.values(raw):
        if value not in supported:
            choices = ", ".join(supported) or "none"
            raise FhirError(400, f"Unsupported _revinclude '{value}' for {fhir_type}; supported: {choices}.")
    return code_values.values(raw)


def _includes(kind: str, raw: str) -> list[str]:
    supported = INCLUDES.get(kind, {})
    for value in code_values.values(raw):
        if value not in supported:
            choices = ", ".join(supported) or "none"
            raise FhirError(400, f"Unsupported _include '{value}' for {kind}; supported: {choices}.")
    return code_values.values(raw)


def _whole_number(name: str, raw: str, *, low: int) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < low:
        raise FhirError(400, f"Parameter '{name}' must be a whole number of at least {low}, got '{raw}'.")
    return int(value)


# --- one parameter -----------------------------------------------------------------------------------------


def _criterion(
    fhir_type: str, kind: directory.ResourceKind, param: str, modifier: str, raw: str
) -> directory.Criterion:
    """The directory criterion of one search parameter on records of `kind` (name and modifier are valid)."""
    values = tuple(code_values.values(raw))
    if param == "_id":
        return directory.IdsIn("id", tuple(i for i in (row_id(kind, v) for v in values) if i is not None))
    if param == "_lastUpdated":
        return plannet_parameters.last_updated(raw)
    if param in ADDRESS_PARTS:
        match: directory.TextMatch = (
            "starts" if modifier == "" else "exact" if modifier == "exact" else "contains"
        )
        return directory.AddressMatches(ADDRESS_PARTS[param], values, match)
    name_match: directory.TextMatch = "exact" if modifier == "exact" else "contains"
    if param == "identifier":
        return directory.CodesIn("npi", code_values.npis(raw))
    if param == "near":
        return _near(raw)
    if (fhir_type, param) in TOKEN_FIELDS:
        return directory.CodesIn(
            TOKEN_FIELDS[(fhir_type, param)], tuple(code for _, code in code_values.tokens(raw))
        )
    if fhir_type == "Practitioner":
        if param == "name":
            return directory.PersonNameMatches(values, exact=modifier == "exact")
        return directory.NameMatches(NAME_FIELDS[param], values, name_match)
    if fhir_type == "PractitionerRole" and param == "specialty":
        return directory.CodesIn("specialty", tuple(code_values.specialty_codes(raw)))
    if fhir_type == "PractitionerRole" and param == "service":
        return directory.PerformsServicesOf(_references(param, raw, "HealthcareService", "HealthcareService"))
    if fhir_type == "HealthcareService" and param in code_values.HEALTHCARE_SERVICE_CODES:
        return directory.CodesIn(
            "service_code", tuple(code_values.HEALTHCARE_SERVICE_CODES[param](raw, modifier))
        )
    if (fhir_type, param) in REFERENCES:
        target_type, target_kind, field_name = REFERENCES[(fhir_type, param)]
        ids = _references(param, raw, target_type, _kind(target_kind))
        return directory.IdsIn(_id_field(field_name), ids)
    return directory.NameMatches("name", values, name_match)


def _reference(param: str, value: str, target: str, kind: directory.ResourceKind) -> int | None:
    """The row id in "Type/12", "12" or "http://.../Type/12"; None when it names no record of `kind`."""
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2:
        if parts[-2] != target:
            raise FhirError(400, f"Parameter '{param}' refers to {target} resources, not '{value}'.")
        return row_id(kind, parts[-1])
    return row_id(kind, parts[0])


def _references(param: str, raw: str, target: str, kind: directory.ResourceKind) -> tuple[int, ...]:
    return tuple(
        ref
        for ref in (_reference(param, value, target, kind) for value in code_values.values(raw))
        if ref is not None
    )


def _number(param: str, text: str, what: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise FhirError(400, f"Parameter '{param}': {what} must be a number, got '{text}'.") from None
    if not math.isfinite(number):
        raise FhirError(400, f"Parameter '{param}': {what} must be a finite number.")
    return number


def _near(raw: str) -> directory.Near:
    """`lat|lon|distance|unit`: locations within the distance (default 50 km, at most 1,000 km)."""
    parts = raw.split("|")
    if not NEAR_PARTS[0] <= len(parts) <= NEAR_PARTS[1]:
        raise FhirError(
            400, "Parameter 'near' must be 'lat|lon|distance|unit', e.g. near=42.36|-71.06|10|km."
        )
    lat = _number("near", parts[0], "latitude")
    lon = _number("near", parts[1], "longitude")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise FhirError(
            400, "Parameter 'near': latitude must be within -90..90 and longitude within -180..180."
        )
    distance_km = DEFAULT_NEAR_KM
    if len(parts) >= 3 and parts[2].strip():
        unit = parts[3].strip() if len(parts) == 4 and parts[3].strip() else "km"
        if unit not in KM_PER_UNIT:
            raise FhirError(400, f"Parameter 'near': unknown distance unit '{unit}'; use km or mi.")
        distance = _number("near", parts[2], "distance")
        if distance < 0:
            raise FhirError(400, "Parameter 'near': distance cannot be negative.")
        distance_km = distance * KM_PER_UNIT[unit]
    if distance_km > MAX_NEAR_KM:
        raise FhirError(400, f"Parameter 'near': distance can be at most {MAX_NEAR_KM:.0f} km.")
    return directory.Near(lat, lon, distance_km)
