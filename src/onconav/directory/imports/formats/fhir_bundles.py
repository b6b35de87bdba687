"""FHIR R4 directory resources (Da Vinci PDex Plan-Net style) read into typed directory records.

Reads a Bundle (JSON) or FHIR NDJSON (one resource per line, streamed with byte offsets); validates each
resource with the fhir.resources R4B models; rejects what cannot be used, with why. References are kept as
keys ("Organization/12"); the importer (`sources.fhir_bundles`) resolves them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onconav.directory.imports.formats.cms_volumes import hcpcs_mapping
from onconav.directory.imports.formats.npi import is_valid_npi
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.knowledge import service as knowledge

SOURCE = "fhir"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
CPT_SYSTEMS = {"http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12"}
SPECIALTY_SYSTEM = "https://onconav.org/fhir/CodeSystem/specialty"
SERVICE_SYSTEM = "https://onconav.org/fhir/CodeSystem/service"
ANNUAL_VOLUME_URL = "https://onconav.org/fhir/StructureDefinition/annual-volume"
CCN_SYSTEM = "http://terminology.hl7.org/NamingSystem/CCN"  # CMS Certification Number
PLANNET_ORG_TYPE_SYSTEM = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS"
SUPPORTED = ("Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole")
# Organization kinds from a type's text (onconav's own export) or from Plan-Net organization type codes.
KIND_BY_TEXT = {"hospital": "hospital", "cancer center": "cancer_center", "clinic": "clinic"}
KIND_BY_PLANNET_CODE = {"fac": "hospital", "prvgrp": "clinic", "atyprv": "clinic"}
ZIP_DIGITS = 5  # a US postal code is placed by its 5-digit ZIP (ZIP+4 is kept as given)
COUNTRY_CODE_LENGTH = 2  # ISO 3166 alpha-2
MAX_IDENTIFIERS = 10  # identifiers kept per resource besides the NPI
LANGUAGE_CODE_LENGTH = 2  # ISO 639-1: the language part of a BCP 47 tag ("es" of "es-MX")


@dataclass(frozen=True)
class AddressFields:
    """A FHIR Address as the directory keeps it."""

    line: str | None
    city: str | None
    region_code: str | None
    postal_code: str | None
    country_code: str


@dataclass(frozen=True)
class OrganizationFields:
    """What the directory keeps of an Organization."""

    name: str
    kind: str
    npi: str | None
    phone: str | None
    website: str | None
    address: AddressFields | None  # its first address, used as its location when no Location names it
    identifiers: list[dict[str, str]] = field(default_factory=list)  # other than the NPI (other_identifiers)
    cms_ccn: str | None = None  # its CMS Certification Number (onconav's own export gives it)


@dataclass(frozen=True)
class LocationFields:
    """What the directory keeps of a Location (its address fields flat, as they are hashed)."""

    name: str
    line: str | None
    city: str | None
    region_code: str | None
    postal_code: str | None
    country_code: str
    lat: float | None
    lon: float | None
    phone: str | None

    def address(self) -> AddressFields:
        return AddressFields(self.line, self.city, self.region_code, self.postal_code, self.country_code)


@dataclass(frozen=True)
class PractitionerFields:
    """What the directory keeps of a Practitioner."""

    npi: str | None
    family_name: str
    given_name: str
    prefix: str | None
    credentials: str | None
    gender: str | None
    languages: list[str]
    identifiers: list[dict[str, str]] = field(default_factory=list)  # other than the NPI (other_identifiers)


@dataclass(frozen=True)
class RoleFields:
    """What the directory keeps of a PractitionerRole."""

    specialty: str
    accepting_new_patients: bool


@dataclass(frozen=True)
class ServiceFields:
    """What the directory keeps of a HealthcareService."""

    service_code: str
    annual_volume: int | None


ResourceFields = OrganizationFields | LocationFields | PractitionerFields | RoleFields | ServiceFields


@dataclass(frozen=True)
class FhirRecord:
    """One usable resource: its key in the input, its type, and the fields the directory keeps."""

    key: str  # "Organization/12" (or the absolute fullUrl), the source id of the imported row
    resource_type: str
    fields: ResourceFields
    references: dict[str, list[str]] = field(default_factory=dict)  # role -> keys of referenced resources


@dataclass(frozen=True)
class NdjsonLine:
    """One non-blank line of an NDJSON file: its number among them, the byte offset after it, its resource."""

    row: int
    end_offset: int
    resource: dict[str, Any] | RowRejected


def ndjson_lines(path: Path) -> Iterator[NdjsonLine]:
    """Every non-blank line of a FHIR NDJSON file, streamed; a line that is no JSON object is rejected."""
    offset = 0
    row = 0
    with path.open("rb") as handle:
        for line in handle:
            offset += len(line)
            if not line.strip():
                continue
            row += 1
            yield NdjsonLine(row, offset, _load_line(line))


def read_resources(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowRejected]]:
    """(position, resource) for every entry of a Bundle, or every non-blank line of an NDJSON file.

    A Bundle is one JSON document and is read whole (servers page bundles); NDJSON streams line by line.
    """
    if path.suffix.lower() == ".ndjson":
        for line in ndjson_lines(path):
            yield line.row, line.resource
        return
    with path.open(encoding="utf-8") as handle:
        try:
            document = json.load(handle)
        except json.JSONDecodeError as error:
            yield 0, RowRejected("invalid_json", f"not JSON: {error.msg} at line {error.lineno}")
            return
        except (ValueError, RecursionError) as error:  # not UTF-8, or nested too deep to read
            yield 0, RowRejected("invalid_json", f"not readable JSON ({type(error).__name__})")
            return
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        yield 0, RowRejected("not_a_bundle", "the file is not a FHIR Bundle (use .ndjson for resource lines)")
        return
    for number, entry in enumerate(document.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            yield number, RowRejected("missing_resource", "the Bundle entry has no resource")
            continue
        if entry.get("fullUrl") and str(entry["fullUrl"]).startswith("urn:"):
            resource = {**resource, "_fullUrl": entry["fullUrl"]}
        yield number, resource


def _load_line(line: bytes) -> dict[str, Any] | RowRejected:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return RowRejected("invalid_json", f"not JSON: {error.msg}")
    except (ValueError, RecursionError) as error:  # not UTF-8, or nested too deep to read
        return RowRejected("invalid_json", f"not readable JSON ({type(error).__name__})")
    if not isinstance(value, dict):
        return RowRejected("invalid_json", "the line is not a JSON object")
    return value


def validate(resource: dict[str, Any]) -> None:
    """Raise RowRejected unless the resource is a valid FHIR R4 resource of a supported type."""
    resource_type = resource.get("resourceType")
    if resource_type not in SUPPORTED:
        if isinstance(resource_type, str) and _is_fhir_type(resource_type):
            raise NotDirectoryData(resource_type)
        raise RowRejected("unsupported_type", f"resourceType {resource_type!r} is not a directory resource")
    model = _models()[str(resource_type)]
    body = {k: v for k, v in resource.items() if k != "_fullUrl"}
    try:
        model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RowRejected(
            "invalid_resource", f"{resource_type} is not valid FHIR R4: {where}: {first['msg']}"
        ) from None


class NotDirectoryData(Exception):
    """A valid kind of FHIR resource that holds no directory data (Patient, Encounter, Claim ...): skipped,
    not rejected, so a patient's bundle (Synthea) imports its Organizations and Practitioners quietly."""


def _is_fhir_type(resource_type: str) -> bool:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(resource_type)
    except (ValueError, KeyError, AttributeError):
        return False
    return True


def _models() -> dict[str, Any]:
    from fhir.resources.R4B.healthcareservice import HealthcareService
    from fhir.resources.R4B.location import Location
    from fhir.resources.R4B.organization import Organization
    from fhir.resources.R4B.practitioner import Practitioner
    from fhir.resources.R4B.practitionerrole import PractitionerRole

    return {
        "Organization": Organization,
        "Location": Location,
        "Practitioner": Practitioner,
        "PractitionerRole": PractitionerRole,
        "HealthcareService": HealthcareService,
    }


def key_of(resource: dict[str, Any]) -> str:
    """The key other resources use to reference this one."""
    if resource.get("_fullUrl"):
        return str(resource["_fullUrl"])
    if not resource.get("id"):
        raise RowRejected("missing_id", f"{resource.get('resourceType')} has no id")
    return f"{resource['resourceType']}/{resource['id']}"


def reference_key(ref: dict[str, Any] | None) -> str | None:
    """The key of a Reference ("Organization/12", or a urn:uuid); None when absent or not local."""
    if not isinstance(ref, dict) or not ref.get("reference"):
        return None
    value = str(ref["reference"])
    if value.startswith("urn:"):
        return value
    parts = value.rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return "/".join(parts[-2:]) if len(parts) >= 2 else None


def to_record(resource: dict[str, Any]) -> FhirRecord:
    """The directory fields of a validated resource, or RowRejected."""
    validate(resource)
    kind = str(resource["resourceType"])
    key = key_of(resource)
    if resource.get("active") is False:
        raise RowRejected("inactive", f"{kind} is marked inactive")
    return {
        "Organization": _organization,
        "Location": _location,
        "Practitioner": _practitioner,
        "PractitionerRole": _role,
        "HealthcareService": _service,
    }[kind](key, resource)


def _npi(resource: dict[str, Any]) -> str | None:
    """The resource's NPI, when it has one that passes the NPI check digit (Synthea's "460" does not)."""
    for identifier in resource.get("identifier") or []:
        value = str(identifier.get("value", ""))
        if identifier.get("system") == NPI_SYSTEM and is_valid_npi(value):
            return value
    return None


def other_identifiers(resource: dict[str, Any]) -> list[dict[str, str]]:
    """Identifiers other than a valid NPI, kept as given ({system, value}); a value given as an NPI that
    fails the check digit is kept without the NPI system (a plain identifier, never served as `us-npi`)."""
    kept = []
    npi = _npi(resource)
    for identifier in resource.get("identifier") or []:
        value = str(identifier.get("value") or "").strip()
        system = str(identifier.get("system") or "")
        if not value or (system == NPI_SYSTEM and value == npi):
            continue
        kept.append(
            {"value": value} if system == NPI_SYSTEM or not system else {"system": system, "value": value}
        )
    return kept[:MAX_IDENTIFIERS]


def _address(address: dict[str, Any] | None) -> AddressFields:
    address = address or {}
    lines = address.get("line") or []
    postal = (address.get("postalCode") or "").strip()
    country = (address.get("country") or "US").strip().upper()
    return AddressFields(
        line=", ".join(lines) or None,
        city=address.get("city"),
        region_code=address.get("state"),
        postal_code=postal or None,
        country_code="US" if country in ("USA", "UNITED STATES") else country[:COUNTRY_CODE_LENGTH],
    )


def _telecom(resource: dict[str, Any], system: str) -> str | None:
    for telecom in resource.get("telecom") or []:
        if telecom.get("system") == system and telecom.get("value"):
            return str(telecom["value"])
    return None


def _organization(key: str, resource: dict[str, Any]) -> FhirRecord:
    name = (resource.get("name") or "").strip()
    if not name:
        raise RowRejected("missing_name", "Organization has no name")
    kind = "clinic"
    for concept in resource.get("type") or []:
        text = (concept.get("text") or "").strip().lower()
        if text in KIND_BY_TEXT:
            kind = KIND_BY_TEXT[text]
            break
        codes = {
            c.get("code") for c in concept.get("coding") or [] if c.get("system") == PLANNET_ORG_TYPE_SYSTEM
        }
        found = [KIND_BY_PLANNET_CODE[c] for c in codes if c in KIND_BY_PLANNET_CODE]
        if found:
            kind = found[0]
            break
    addresses = resource.get("address") or []
    return FhirRecord(
        key,
        "Organization",
        OrganizationFields(
            name=name,
            kind=kind,
            npi=_npi(resource),
            phone=_telecom(resource, "phone"),
            website=_telecom(resource, "url"),
            address=_address(addresses[0]) if addresses else None,
            identifiers=[i for i in other_identifiers(resource) if i.get("system") != CCN_SYSTEM],
            cms_ccn=next(
                (i["value"] for i in other_identifiers(resource) if i.get("system") == CCN_SYSTEM), None
            ),
        ),
    )


def _location(key: str, resource: dict[str, Any]) -> FhirRecord:
    org = reference_key(resource.get("managingOrganization"))  # None: a practitioner's own practice
    position = resource.get("position") or {}
    fields = LocationFields(
        name=resource.get("name") or "",
        **asdict(_address(resource.get("address"))),
        lat=position.get("latitude"),
        lon=position.get("longitude"),
        phone=_telecom(resource, "phone"),
    )
    if not fields.city and fields.lat is None:
        raise RowRejected("missing_address", "Location has neither a city nor a position")
    return FhirRecord(key, "Location", fields, {"organization": [org] if org else []})


def _practitioner(key: str, resource: dict[str, Any]) -> FhirRecord:
    names = resource.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    family = (name.get("family") or "").strip()
    given = " ".join(name.get("given") or []).strip()
    if not family or not given:
        raise RowRejected("missing_name", "Practitioner has no family and given name")
    languages = []
    for concept in resource.get("communication") or []:
        for coding in concept.get("coding") or []:
            code = str(coding.get("code") or "")[:LANGUAGE_CODE_LENGTH].lower()
            if code.isalpha() and len(code) == LANGUAGE_CODE_LENGTH and code not in languages:
                languages.append(code)
    return FhirRecord(
        key,
        "Practitioner",
        PractitionerFields(
            npi=_npi(resource),
            family_name=family,
            given_name=given,
            prefix=" ".join(name.get("prefix") or []) or None,
            credentials=", ".join(name.get("suffix") or []) or None,
            gender=resource.get("gender"),
            languages=languages,
            identifiers=other_identifiers(resource),
        ),
    )


def specialty_code(concept: dict[str, Any]) -> str | None:
    """The onconav specialty of a CodeableConcept: the onconav code, else a NUCC code onconav maps."""
    codings = concept.get("coding") or []
    for coding in codings:
        if coding.get("system") == SPECIALTY_SYSTEM and knowledge.get_specialty(str(coding.get("code"))):
            return str(coding["code"])
    by_nucc = {nucc: s.code for s in knowledge.list_specialties() for nucc in s.nucc_taxonomy}
    for coding in codings:
        if coding.get("system") == NUCC_SYSTEM and coding.get("code") in by_nucc:
            return by_nucc[str(coding["code"])]
    return None


def service_code(concepts: list[dict[str, Any]]) -> str | None:
    """The onconav service of HealthcareService.type: the onconav code, else a CPT code onconav maps."""
    codings = [c for concept in concepts for c in concept.get("coding") or []]
    for coding in codings:
        if coding.get("system") == SERVICE_SYSTEM and knowledge.get_service(str(coding.get("code"))):
            return str(coding["code"])
    mapping = hcpcs_mapping()
    for coding in codings:
        if coding.get("system") in CPT_SYSTEMS and coding.get("code") in mapping:
            return mapping[str(coding["code"])].service
    return None


def _role(key: str, resource: dict[str, Any]) -> FhirRecord:
    practitioner = reference_key(resource.get("practitioner"))
    organization = reference_key(resource.get("organization"))  # None: practising on their own
    locations = [k for k in (reference_key(r) for r in resource.get("location") or []) if k]
    if practitioner is None or (organization is None and not locations):
        raise RowRejected(
            "missing_reference", "PractitionerRole needs a practitioner, and an organization or a location"
        )
    specialties = [s for s in (specialty_code(c) for c in resource.get("specialty") or []) if s]
    if not specialties:
        raise RowRejected(
            "unknown_specialty", "no specialty of the PractitionerRole maps to an onconav specialty"
        )
    accepting = resource.get("availabilityExceptions")
    return FhirRecord(
        key,
        "PractitionerRole",
        RoleFields(
            specialty=specialties[0],
            accepting_new_patients=not (accepting and "not accepting" in str(accepting).lower()),
        ),
        {
            "practitioner": [practitioner],
            "organization": [organization] if organization else [],
            "location": locations,
            "healthcareService": [
                k for k in (reference_key(r) for r in resource.get("healthcareService") or []) if k
            ],
        },
    )


def _service(key: str, resource: dict[str, Any]) -> FhirRecord:
    organization = reference_key(resource.get("providedBy"))
    if organization is None:
        raise RowRejected("missing_reference", "HealthcareService has no providedBy organization")
    code = service_code(resource.get("type") or [])
    if code is None:
        raise RowRejected("unknown_service", "no type of the HealthcareService maps to an onconav service")
    volume = next(
        (
            ext.get("valueInteger")
            for ext in resource.get("extension") or []
            if ext.get("url") == ANNUAL_VOLUME_URL and isinstance(ext.get("valueInteger"), int)
        ),
        None,
    )
    return FhirRecord(
        key,
        "HealthcareService",
        ServiceFields(service_code=code, annual_volume=volume),
        {
            "organization": [organization],
            "location": [k for k in (reference_key(r) for r in resource.get("location") or []) if k],
        },
    )
