"""FHIR read and search over the directory tables (read-only; the FHIR face owns no tables).

Search parameters are parsed here, FHIR-style: repeated parameters AND together, commas inside one OR.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
)
from onconav.fhir import mapping
from onconav.fhir.outcome import FhirError
from onconav.geo.service import bounding_box, haversine_km
from onconav.knowledge import service as knowledge

DEFAULT_COUNT = 20
MAX_COUNT = 100
DEFAULT_NEAR_KM = 50.0
MAX_NEAR_KM = 1000.0
MAX_ID = 2**31 - 1
KM_PER_UNIT = {"km": 1.0, "mi": 1.609344, "[mi_i]": 1.609344, "m": 0.001}

Model = (
    type[Organization]
    | type[Location]
    | type[Practitioner]
    | type[PractitionerRole]
    | type[HealthcareService]
)

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
# _include values per resource type: "Type:param" -> (target type, how a row names its targets' ids).
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
RESOURCE_TYPES = tuple(SEARCH_PARAMS)

MODELS: dict[str, Model] = {
    "Organization": Organization,
    "Location": Location,
    "Practitioner": Practitioner,
    "PractitionerRole": PractitionerRole,
    "HealthcareService": HealthcareService,
}
LOADS: dict[str, list[LoaderOption]] = {
    "Organization": [selectinload(Organization.locations)],
    "Location": [selectinload(Location.organization)],
    "Practitioner": [],
    "PractitionerRole": [
        selectinload(PractitionerRole.practitioner),
        selectinload(PractitionerRole.organization),
        selectinload(PractitionerRole.location),
        selectinload(PractitionerRole.services),
    ],
    "HealthcareService": [selectinload(HealthcareService.organization).selectinload(Organization.locations)],
}


@dataclass
class SearchResult:
    """One page of a search: matches, included resources, and where the page lies."""

    total: int
    offset: int
    count: int
    matches: list[dict[str, Any]] = field(default_factory=list)
    included: list[dict[str, Any]] = field(default_factory=list)


def check_type(resource_type: str) -> None:
    """Refuse resource types this server does not serve (404 OperationOutcome)."""
    if resource_type not in MODELS:
        raise FhirError(
            404,
            f"Resource type '{resource_type}' is not supported; use one of {', '.join(RESOURCE_TYPES)}.",
            "not-supported",
        )


def _as_id(text: str) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    number = int(text)
    # Ids are 32-bit integer columns; PostgreSQL refuses larger literals, and no row has them.
    return number if number <= MAX_ID else None


def _to_resources(session: Session, resource_type: str, rows: Sequence[Any]) -> list[dict[str, Any]]:
    if resource_type == "PractitionerRole":
        roles = [row for row in rows if isinstance(row, PractitionerRole)]
        org_ids = {role.organization_id for role in roles}
        service_ids: dict[tuple[int, str], int] = {}
        if org_ids:
            query = select(
                HealthcareService.organization_id, HealthcareService.service_code, HealthcareService.id
            )
            for org_id, code, service_id in session.execute(
                query.where(HealthcareService.organization_id.in_(org_ids))
            ):
                service_ids[(org_id, code)] = service_id
        return [mapping.practitioner_role(role, service_ids) for role in roles]
    converters: dict[str, Callable[[Any], dict[str, Any]]] = {
        "Organization": mapping.organization,
        "Location": mapping.location,
        "Practitioner": mapping.practitioner,
        "HealthcareService": mapping.healthcare_service,
    }
    return [converters[resource_type](row) for row in rows]


def _load(session: Session, resource_type: str, ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    model = MODELS[resource_type]
    query = select(model).where(model.id.in_(ids)).order_by(model.id).options(*LOADS[resource_type])
    return _to_resources(session, resource_type, session.scalars(query).all())


def read(session: Session, resource_type: str, raw_id: str) -> dict[str, Any]:
    """The resource `resource_type/raw_id`; FhirError 404 when there is none."""
    check_type(resource_type)
    resource_id = _as_id(raw_id)
    found = _load(session, resource_type, [resource_id]) if resource_id is not None else []
    if not found:
        raise FhirError(404, f"{resource_type}/{raw_id} is not known to this server.")
    return found[0]


# --- parameter parsing -------------------------------------------------------------------------------


def _values(raw: str) -> list[str]:
    values = [value.strip() for value in raw.split(",")]
    return [value for value in values if value]


def _like(column: Any, value: str, modifier: str, *, prefix: bool = False) -> ColumnElement[bool]:
    lowered = func.lower(column)
    if modifier == "exact":
        return column == value
    if prefix and modifier == "":
        return lowered.startswith(value.lower(), autoescape=True)
    return lowered.contains(value.lower(), autoescape=True)


def _reference(param: str, value: str, target: str) -> int | None:
    """The id in "Type/12", "12" or "http://.../Type/12"; None when it names no resource of `target`."""
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2:
        if parts[-2] != target:
            raise FhirError(400, f"Parameter '{param}' refers to {target} resources, not '{value}'.")
        return _as_id(parts[-1])
    return _as_id(parts[0])


def _references(param: str, raw: str, target: str, column: Any) -> ColumnElement[bool]:
    ids = [ref for ref in (_reference(param, value, target) for value in _values(raw)) if ref is not None]
    return column.in_(ids) if ids else false()


def _tokens(raw: str) -> list[tuple[str | None, str]]:
    tokens = []
    for value in _values(raw):
        system, bar, code = value.rpartition("|")
        tokens.append((system if bar else None, code))
    return tokens


def _identifier(raw: str, column: Any) -> ColumnElement[bool]:
    values = [code for system, code in _tokens(raw) if system in (None, "", mapping.NPI_SYSTEM) and code]
    return column.in_(values) if values else false()


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


def _near(session: Session, raw: str) -> ColumnElement[bool]:
    """Locations within the distance of `lat|lon|distance|unit` (checked with haversine)."""
    parts = raw.split("|")
    if len(parts) < 2 or len(parts) > 4:
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
    box = bounding_box(lat, lon, distance_km)
    lon_ok = or_(*(Location.lon.between(low, high) for low, high in box.lon_ranges))
    candidates = session.execute(
        select(Location.id, Location.lat, Location.lon).where(
            Location.lat.between(box.min_lat, box.max_lat), lon_ok
        )
    )
    ids = [
        row_id
        for row_id, row_lat, row_lon in candidates
        if row_lat is not None
        and row_lon is not None
        and haversine_km(lat, lon, row_lat, row_lon) <= distance_km
    ]
    return Location.id.in_(ids) if ids else false()


def _address(param: str, raw: str, modifier: str) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for value in _values(raw):
        if param == "address-city":
            conditions.append(_like(Location.city, value, modifier, prefix=True))
        elif param == "address-state":
            conditions.append(
                or_(
                    _like(Location.region_code, value, modifier, prefix=True),
                    _like(Location.region, value, modifier, prefix=True),
                )
            )
        else:
            conditions.append(_like(Location.postal_code, value, modifier, prefix=True))
    return or_(*conditions) if conditions else false()


def _condition(
    session: Session, resource_type: str, param: str, modifier: str, raw: str
) -> ColumnElement[bool]:
    """The SQL condition of one search parameter on `resource_type`."""
    model = MODELS[resource_type]
    values = _values(raw)
    if param == "_id":
        ids = [i for i in (_as_id(v) for v in values) if i is not None]
        return model.id.in_(ids) if ids else false()
    if param in ADDRESS_PARAMS:
        condition = _address(param, raw, modifier)
        if resource_type == "Organization":
            return Organization.locations.any(condition)
        if resource_type == "PractitionerRole":
            return PractitionerRole.location.has(condition)
        return condition
    if resource_type == "Organization":
        if param == "name":
            return or_(*(_like(Organization.name, v, modifier) for v in values))
        return _identifier(raw, Organization.npi)
    if resource_type == "Location":
        if param == "name":
            return or_(*(_like(Location.name, v, modifier) for v in values))
        if param == "organization":
            return _references(param, raw, "Organization", Location.organization_id)
        return _near(session, raw)
    if resource_type == "Practitioner":
        if param == "identifier":
            return _identifier(raw, Practitioner.npi)
        if param == "family":
            return or_(*(_like(Practitioner.family_name, v, modifier) for v in values))
        if param == "given":
            return or_(*(_like(Practitioner.given_name, v, modifier) for v in values))
        return or_(*(_person_name(v, modifier) for v in values))
    if resource_type == "PractitionerRole":
        if param == "specialty":
            codes = _specialty_codes(raw)
            return PractitionerRole.specialty.in_(codes) if codes else false()
        if param == "service":
            return _role_service(param, raw)
        column = {
            "practitioner": PractitionerRole.practitioner_id,
            "organization": PractitionerRole.organization_id,
            "location": PractitionerRole.location_id,
        }[param]
        return _references(param, raw, param.capitalize(), column)
    # HealthcareService
    if param == "name":
        codes = [code for v in values for code in _service_name_codes(v, modifier)]
        return HealthcareService.service_code.in_(codes) if codes else false()
    if param == "specialty":
        codes = _service_codes_for_specialties(_specialty_codes(raw))
        return HealthcareService.service_code.in_(codes) if codes else false()
    if param == "service-type":
        codes = _service_type_codes(raw)
        return HealthcareService.service_code.in_(codes) if codes else false()
    if param == "organization":
        return _references(param, raw, "Organization", HealthcareService.organization_id)
    return _references(param, raw, "Location", HealthcareService.location_id)


def _person_name(value: str, modifier: str) -> ColumnElement[bool]:
    words = value.split()
    if modifier == "exact" or len(words) < 2:
        return or_(
            _like(Practitioner.given_name, value, modifier),
            _like(Practitioner.family_name, value, modifier),
        )
    # "Ana Ruiz": every word in the given or the family name.
    return and_(
        *(or_(_like(Practitioner.given_name, w, ""), _like(Practitioner.family_name, w, "")) for w in words)
    )


def _role_service(param: str, raw: str) -> ColumnElement[bool]:
    """Roles that perform the service of a HealthcareService (same organization, same service code)."""
    ids = [i for i in (_reference(param, v, "HealthcareService") for v in _values(raw)) if i is not None]
    if not ids:
        return false()
    codes = select(HealthcareService.service_code).where(
        HealthcareService.id.in_(ids), HealthcareService.organization_id == PractitionerRole.organization_id
    )
    return PractitionerRole.services.any(PractitionerRoleService.service_code.in_(codes.scalar_subquery()))


def _int_param(name: str, raw: str, *, low: int) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit()):
        raise FhirError(400, f"Parameter '{name}' must be a whole number of at least {low}, got '{raw}'.")
    number = int(value)
    if number < low:
        raise FhirError(400, f"Parameter '{name}' must be a whole number of at least {low}, got '{raw}'.")
    return number


def search(session: Session, resource_type: str, params: Sequence[tuple[str, str]]) -> SearchResult:
    """One page of the resources of `resource_type` matching `params` (FHIR search semantics)."""
    check_type(resource_type)
    model = MODELS[resource_type]
    allowed = SEARCH_PARAMS[resource_type]
    conditions: list[ColumnElement[bool]] = []
    count, offset = DEFAULT_COUNT, 0
    includes: list[str] = []
    for key, raw in params:
        name, _, modifier = key.partition(":")
        if name in RESULT_PARAMS:
            if modifier:
                raise FhirError(400, f"Parameter '{name}' takes no modifier (got '{key}').")
            if name == "_count":
                count = min(_int_param(name, raw, low=0), MAX_COUNT)
            elif name in ("_offset", "_getpagesoffset"):
                offset = _int_param(name, raw, low=0)
            elif name == "_format":
                if raw.strip() not in JSON_FORMATS:
                    raise FhirError(400, f"Unsupported _format '{raw}': this server speaks JSON only.")
            else:
                for value in _values(raw):
                    if value not in INCLUDES.get(resource_type, {}):
                        choices = ", ".join(INCLUDES.get(resource_type, {})) or "none"
                        raise FhirError(
                            400, f"Unsupported _include '{value}' for {resource_type}; supported: {choices}."
                        )
                    includes.append(value)
            continue
        if name not in allowed:
            raise FhirError(
                400,
                f"Unknown search parameter '{name}' for {resource_type}; supported: "
                f"{', '.join([*allowed, *RESULT_PARAMS])}.",
            )
        param_type = allowed[name][0]
        if modifier and not (param_type == "string" and modifier in STRING_MODIFIERS):
            raise FhirError(400, f"Unsupported modifier ':{modifier}' on parameter '{name}'.")
        if not raw.strip():
            raise FhirError(400, f"Parameter '{name}' has no value.")
        conditions.append(_condition(session, resource_type, name, modifier, raw))
    total = session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
    page: Select[Any] = select(model.id).where(*conditions).order_by(model.id).offset(offset).limit(count)
    # Past the last match there is nothing to read (and PostgreSQL refuses offsets beyond 64 bits).
    ids = list(session.scalars(page).all()) if offset < total and count else []
    matches = _load(session, resource_type, ids)
    return SearchResult(
        total=total,
        offset=offset,
        count=count,
        matches=matches,
        included=_included(session, matches, includes),
    )


def _reference_ids(resources: list[dict[str, Any]], field_name: str) -> list[int]:
    ids: set[int] = set()
    for resource in resources:
        value = resource.get(field_name)
        refs = value if isinstance(value, list) else [value] if value else []
        for ref in refs:
            ids.add(int(ref["reference"].rsplit("/", 1)[1]))
    return sorted(ids)


INCLUDE_FIELDS = {
    "Location:organization": "managingOrganization",
    "PractitionerRole:practitioner": "practitioner",
    "PractitionerRole:organization": "organization",
    "PractitionerRole:location": "location",
    "PractitionerRole:service": "healthcareService",
    "HealthcareService:organization": "providedBy",
    "HealthcareService:location": "location",
}


def _included(session: Session, matches: list[dict[str, Any]], includes: list[str]) -> list[dict[str, Any]]:
    """The resources that `_include` asks for, each once."""
    wanted: dict[str, set[int]] = {}
    for include in dict.fromkeys(includes):
        target = next(t for targets in INCLUDES.values() for key, t in targets.items() if key == include)
        wanted.setdefault(target, set()).update(_reference_ids(matches, INCLUDE_FIELDS[include]))
    included: list[dict[str, Any]] = []
    for target, ids in wanted.items():
        included += _load(session, target, sorted(ids))
    return included
