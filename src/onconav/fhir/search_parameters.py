"""FHIR search parameters: which ones each resource type takes, and their parsing and validation into a
directory resource search (`_count`, `_offset`, `_include`, `near`, names, identifiers, tokens, references).

FHIR-style: repeated parameters AND together, commas inside one OR. Errors are FhirError 400 (404 for an
unknown resource type), with diagnostics in English for the client's developer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from onconav.directory import service as directory
from onconav.fhir import mapping
from onconav.fhir.outcome import FhirError
from onconav.knowledge import service as knowledge

DEFAULT_COUNT = 20
MAX_COUNT = 100
DEFAULT_NEAR_KM = 50.0
MAX_NEAR_KM = 1000.0
KM_PER_UNIT = {"km": 1.0, "mi": 1.609344, "[mi_i]": 1.609344, "m": 0.001}
MAX_ID_DIGITS = 18  # longer digit strings are no id; checked before converting them to a number
NEAR_PARTS = (2, 4)  # `near` is lat|lon, with optional |distance and |unit

# Search parameters per resource type: name -> (FHIR search parameter type, documentation).
ADDRESS_PARAMS = {
    "address-city": ("string", "City of the address (case-insensitive prefix)"),
    "address-state": ("string", "State or region code of the address (case-insensitive prefix)"),
    "address-postalcode": ("string", "Postal code of the address (prefix)"),
}
COMMON_PARAMS = {"_id": ("token", "Logical id (comma-separated ids: any of them)")}
SEARCH_PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    "Organization": {
        **COMMON_PARAMS,
        "name": ("string", "Organization name (case-insensitive, contains)"),
        "identifier": ("token", f"NPI: {mapping.NPI_SYSTEM}|1234567890 or the bare number"),
        **{k: (t, d + " of any of its locations") for k, (t, d) in ADDRESS_PARAMS.items()},
    },
    "Location": {
        **COMMON_PARAMS,
        "name": ("string", "Location name (case-insensitive, contains)"),
        "organization": ("reference", "Managing organization: Organization/12 or 12"),
        "near": ("special", "lat|lon|distance|unit (unit km or mi; default 50 km): locations within it"),
        **ADDRESS_PARAMS,
    },
    "Practitioner": {
        **COMMON_PARAMS,
        "name": ("string", "Given or family name, or both (case-insensitive, contains)"),
        "family": ("string", "Family name (case-insensitive, contains)"),
        "given": ("string", "Given name (case-insensitive, contains)"),
        "identifier": ("token", f"NPI: {mapping.NPI_SYSTEM}|1234567890 or the bare number"),
    },
    "PractitionerRole": {
        **COMMON_PARAMS,
        "practitioner": ("reference", "Practitioner/7 or 7"),
        "organization": ("reference", "Organization/12 or 12"),
        "location": ("reference", "Location/3 or 3"),
        "specialty": ("token", f"NUCC taxonomy code ({mapping.NUCC_SYSTEM}) or onconav specialty code"),
        "service": ("reference", "HealthcareService/5 or 5"),
        **{k: (t, d + " of the role's location") for k, (t, d) in ADDRESS_PARAMS.items()},
    },
    "HealthcareService": {
        **COMMON_PARAMS,
        "name": ("string", "Service name (case-insensitive, contains)"),
        "organization": ("reference", "Providing organization: Organization/12 or 12"),
        "location": ("reference", "Location/3 or 3"),
        "specialty": ("token", "NUCC taxonomy code or onconav specialty code of the service"),
        "service-type": ("token", "onconav service code or CPT code"),
    },
}
# _include values per resource type: "Type:param" -> the type of the included resources.
INCLUDES: dict[str, dict[str, str]] = {
    "Location": {"Location:organization": "Organization"},
    "PractitionerRole": {
        "PractitionerRole:practitioner": "Practitioner",
        "PractitionerRole:organization": "Organization",
        "PractitionerRole:location": "Location",
        "PractitionerRole:service": "HealthcareService",
    },
    "HealthcareService": {
        "HealthcareService:organization": "Organization",
        "HealthcareService:location": "Location",
    },
}
RESULT_PARAMS = ("_count", "_offset", "_getpagesoffset", "_include", "_format")
STRING_MODIFIERS = ("", "contains", "exact")
JSON_FORMATS = ("json", "application/json", "application/fhir+json")
RESOURCE_TYPES: tuple[directory.ResourceKind, ...] = directory.RESOURCE_KINDS
# Parameters by the directory field they search.
ADDRESS_PARTS: dict[str, Literal["city", "state", "postal_code"]] = {
    "address-city": "city",
    "address-state": "state",
    "address-postalcode": "postal_code",
}
REFERENCE_FIELDS: dict[str, Literal["organization", "location", "practitioner"]] = {
    "organization": "organization",
    "location": "location",
    "practitioner": "practitioner",
}
NAME_FIELDS: dict[str, Literal["name", "family", "given"]] = {
    "name": "name",
    "family": "family",
    "given": "given",
}


@dataclass(frozen=True)
class SearchRequest:
    """A parsed search: the directory search to run, and the `_include` values (in request order)."""

    search: directory.ResourceSearch
    includes: list[str]


def check_type(resource_type: str) -> directory.ResourceKind:
    """The resource kind of a type this server serves; FhirError 404 for any other type."""
    for kind in RESOURCE_TYPES:
        if kind == resource_type:
            return kind
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


def parse_search(resource_type: str, params: Sequence[tuple[str, str]]) -> SearchRequest:
    """The directory search that the FHIR search `params` on `resource_type` ask for."""
    kind = check_type(resource_type)
    allowed = SEARCH_PARAMS[kind]
    criteria: list[directory.Criterion] = []
    count, offset = DEFAULT_COUNT, 0
    includes: list[str] = []
    for key, raw in params:
        name, _, modifier = key.partition(":")
        if name in RESULT_PARAMS:
            if modifier:
                raise FhirError(400, f"Parameter '{name}' takes no modifier (got '{key}').")
            if name == "_count":
                count = min(_whole_number(name, raw, low=0), MAX_COUNT)
            elif name in ("_offset", "_getpagesoffset"):
                offset = _whole_number(name, raw, low=0)
            elif name == "_format":
                if raw.strip() not in JSON_FORMATS:
                    raise FhirError(400, f"Unsupported _format '{raw}': this server speaks JSON only.")
            else:
                includes += _includes(kind, raw)
            continue
        if name not in allowed:
            raise FhirError(
                400,
                f"Unknown search parameter '{name}' for {kind}; supported: "
                f"{', '.join([*allowed, *RESULT_PARAMS])}.",
            )
        param_type = allowed[name][0]
        if modifier and not (param_type == "string" and modifier in STRING_MODIFIERS):
            raise FhirError(400, f"Unsupported modifier ':{modifier}' on parameter '{name}'.")
        if not raw.strip():
            raise FhirError(400, f"Parameter '{name}' has no value.")
        criteria.append(_criterion(kind, name, modifier, raw))
    return SearchRequest(directory.ResourceSearch(kind, tuple(criteria), offset, count), includes)


def _includes(kind: directory.ResourceKind, raw: str) -> list[str]:
    supported = INCLUDES.get(kind, {})
    for value in _values(raw):
        if value not in supported:
            choices = ", ".join(supported) or "none"
            raise FhirError(400, f"Unsupported _include '{value}' for {kind}; supported: {choices}.")
    return _values(raw)


def _whole_number(name: str, raw: str, *, low: int) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < low:
        raise FhirError(400, f"Parameter '{name}' must be a whole number of at least {low}, got '{raw}'.")
    return int(value)


# --- one parameter -----------------------------------------------------------------------------------------


def _criterion(kind: directory.ResourceKind, param: str, modifier: str, raw: str) -> directory.Criterion:
    """The directory criterion of one search parameter on `kind` (its name and modifier are valid)."""
    values = tuple(_values(raw))
    if param == "_id":
        return directory.IdsIn("id", tuple(i for i in (parse_id(v) for v in values) if i is not None))
    if param in ADDRESS_PARTS:
        match: directory.TextMatch = (
            "starts" if modifier == "" else "exact" if modifier == "exact" else "contains"
        )
        return directory.AddressMatches(ADDRESS_PARTS[param], values, match)
    name_match: directory.TextMatch = "exact" if modifier == "exact" else "contains"
    if param == "identifier":
        return directory.CodesIn("npi", _npis(raw))
    if param == "near":
        return _near(raw)
    if kind == "Practitioner":
        if param == "name":
            return directory.PersonNameMatches(values, exact=modifier == "exact")
        return directory.NameMatches(NAME_FIELDS[param], values, name_match)
    if kind == "PractitionerRole":
        if param == "specialty":
            return directory.CodesIn("specialty", tuple(_specialty_codes(raw)))
        if param == "service":
            return directory.PerformsServicesOf(_references(param, raw, "HealthcareService"))
        return directory.IdsIn(REFERENCE_FIELDS[param], _references(param, raw, param.capitalize()))
    if kind == "HealthcareService":
        if param == "name":
            codes = [code for value in values for code in _service_name_codes(value, modifier)]
            return directory.CodesIn("service_code", tuple(codes))
        if param == "specialty":
            return directory.CodesIn(
                "service_code", tuple(_service_codes_for_specialties(_specialty_codes(raw)))
            )
        if param == "service-type":
            return directory.CodesIn("service_code", tuple(_service_type_codes(raw)))
        return directory.IdsIn(REFERENCE_FIELDS[param], _references(param, raw, param.capitalize()))
    if param == "organization":  # Location
        return directory.IdsIn("organization", _references(param, raw, "Organization"))
    return directory.NameMatches("name", values, name_match)  # Organization, Location


def _values(raw: str) -> list[str]:
    values = [value.strip() for value in raw.split(",")]
    return [value for value in values if value]


def _reference(param: str, value: str, target: str) -> int | None:
    """The id in "Type/12", "12" or "http://.../Type/12"; None when it names no resource of `target`."""
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2:
        if parts[-2] != target:
            raise FhirError(400, f"Parameter '{param}' refers to {target} resources, not '{value}'.")
        return parse_id(parts[-1])
    return parse_id(parts[0])


def _references(param: str, raw: str, target: str) -> tuple[int, ...]:
    return tuple(
        ref for ref in (_reference(param, value, target) for value in _values(raw)) if ref is not None
    )


def _tokens(raw: str) -> list[tuple[str | None, str]]:
    tokens = []
    for value in _values(raw):
        system, bar, code = value.rpartition("|")
        tokens.append((system if bar else None, code))
    return tokens


def _npis(raw: str) -> tuple[str, ...]:
    return tuple(code for system, code in _tokens(raw) if system in (None, "", mapping.NPI_SYSTEM) and code)


def _specialty_codes(raw: str) -> list[str]:
    """onconav specialty codes meant by NUCC codes and/or onconav codes (with or without a system)."""
    known = knowledge.list_specialties()
    codes: list[str] = []
    for system, code in _tokens(raw):
        if system in (None, "", mapping.NUCC_SYSTEM):
            codes += [s.code for s in known if code in s.nucc_taxonomy]
        if system in (None, "", mapping.SPECIALTY_SYSTEM):
            codes += [s.code for s in known if s.code == code]
    return codes


def _service_codes_for_specialties(specialties: list[str]) -> list[str]:
    wanted = set(specialties)
    return [s.code for s in knowledge.list_services() if wanted & set(s.specialties)]


def _service_type_codes(raw: str) -> list[str]:
    codes: list[str] = []
    for system, code in _tokens(raw):
        if system in (None, "", mapping.SERVICE_SYSTEM):
            codes.append(code)
        if system in (None, "", mapping.CPT_SYSTEM):
            codes += [s.code for s in knowledge.list_services() if code in s.cpt]
    return codes


def _service_name_codes(value: str, modifier: str) -> list[str]:
    lowered = value.lower()
    codes = []
    for s in knowledge.list_services():
        name = s.name.lower()
        if (modifier == "exact" and s.name == value) or (modifier != "exact" and lowered in name):
            codes.append(s.code)
    return codes


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
