"""Directory records as FHIR R4 resources (plain JSON dicts), and the code systems they use.

Pure functions over the typed records of `directory.service` (`OrganizationRecord`, ...): nothing is queried
here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from onconav.directory import service as directory
from onconav.directory.service import (
    AddressRecord,
    HealthcareServiceRecord,
    LocationRecord,
    OrganizationRecord,
    PractitionerRecord,
    PractitionerRoleRecord,
)
from onconav.fhir.declarations import PLANNET, profile
from onconav.knowledge import service as knowledge

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
BCP47_SYSTEM = "urn:ietf:bcp:47"
ORG_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
TAG_SYSTEM = "https://onconav.org/fhir/tags"
SPECIALTY_SYSTEM = "https://onconav.org/fhir/CodeSystem/specialty"
SERVICE_SYSTEM = "https://onconav.org/fhir/CodeSystem/service"
SERVICE_CATEGORY_SYSTEM = "https://onconav.org/fhir/CodeSystem/service-category"
DESIGNATION_SYSTEM = "https://onconav.org/fhir/CodeSystem/designation"
ANNUAL_VOLUME_URL = "https://onconav.org/fhir/StructureDefinition/annual-volume"
# Hospital registry facts (type, ownership, emergency services, CMS stars, beds, the sources merged).
HOSPITAL_FACTS_URL = "https://onconav.org/fhir/StructureDefinition/hospital-facts"
CCN_SYSTEM = "http://terminology.hl7.org/NamingSystem/CCN"  # CMS Certification Number (HL7 THO)
HIFLD_SYSTEM = "https://onconav.org/fhir/sid/hifld-hospital-id"

PLANNET_ORG_TYPE_SYSTEM = f"{PLANNET}/CodeSystem/OrgTypeCS"
PLANNET_ROLE_SYSTEM = f"{PLANNET}/CodeSystem/ProviderRoleCS"
NETWORK_REFERENCE_URL = f"{PLANNET}/StructureDefinition/network-reference"
LOCATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
# The Plan-Net organization type of each directory kind, and the HL7 v3 type of their locations.
PLANNET_ORG_TYPES = {
    "hospital": ("fac", "Facility"),
    "cancer_center": ("fac", "Facility"),
    "clinic": ("prvgrp", "Provider Group"),
}
LOCATION_TYPES = {
    "hospital": ("HOSP", "Hospital"),
    "cancer_center": ("ONCL", "Medical oncology clinic"),
    "clinic": ("OF", "Outpatient facility"),
}
ROLE_NAMES = {
    "ph": "Physician",
    "np": "Nurse Practitioner",
    "pa": "Physician Assistant",
    "rn": "Registered Nurse",
}
ORG_KIND_TEXT = {"hospital": "Hospital", "cancer_center": "Cancer center", "clinic": "Clinic"}
FHIR_GENDERS = {"male", "female", "other", "unknown"}

Resource = dict[str, Any]


def instant(moment: datetime) -> str:
    """A FHIR instant in UTC: 2026-01-01T00:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def version_id(moment: datetime) -> str:
    """The version of a resource: the second it was last updated (only the current version is kept)."""
    return str(int(moment.timestamp()))


def start(
    resource_type: str, resource_id: int | str, is_demo: bool, last_updated: datetime, profile_name: str
) -> Resource:
    """A resource's first elements: type, id, and meta (version, last update, Plan-Net profile, demo tag)."""
    meta: dict[str, Any] = {
        "versionId": version_id(last_updated),
        "lastUpdated": instant(last_updated),
        "profile": [profile(profile_name)],
    }
    if is_demo:
        meta["tag"] = [{"system": TAG_SYSTEM, "code": "demo", "display": "Demo record (not a real provider)"}]
    return {"resourceType": resource_type, "id": str(resource_id), "meta": meta}


def _start(resource_type: str, record: directory.ResourceRecord, is_demo: bool) -> Resource:
    return start(resource_type, record.id, is_demo, record.last_updated, resource_type)


def _endpoints(resource: Resource, endpoint_ids: tuple[int, ...]) -> None:
    if endpoint_ids:
        resource["endpoint"] = [reference("Endpoint", endpoint_id) for endpoint_id in endpoint_ids]


def _npi(npi: str | None) -> list[dict[str, Any]]:
    return [{"use": "official", "system": NPI_SYSTEM, "value": npi}] if npi else []


def reference(resource_type: str, resource_id: int | str, display: str | None = None) -> dict[str, str]:
    """A relative reference such as {"reference": "Organization/12", "display": "..."}."""
    ref = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        ref["display"] = display
    return ref


def address(place: AddressRecord) -> dict[str, Any]:
    """A FHIR Address (state is the region code when known)."""
    result: dict[str, Any] = {"use": "work", "type": "physical"}
    if place.line:
        result["line"] = [place.line]
    result["city"] = place.city
    state = place.region_code or place.region
    if state:
        result["state"] = state
    if place.postal_code:
        result["postalCode"] = place.postal_code
    result["country"] = place.country_code
    return result


def specialty_concept(code: str) -> dict[str, Any]:
    """A specialty as a CodeableConcept: NUCC taxonomy codings where known, then the onconav code."""
    specialty = knowledge.get_specialty(code)
    name = specialty.name if specialty else code
    coding = [
        {"system": NUCC_SYSTEM, "code": nucc} for nucc in (specialty.nucc_taxonomy if specialty else [])
    ]
    coding.append({"system": SPECIALTY_SYSTEM, "code": code, "display": name})
    return {"coding": coding, "text": name}


def service_name(code: str) -> str:
    """The reader-facing name of a knowledge service code (the code itself when unknown)."""
    service = knowledge.get_service(code)
    return service.name if service else code


def _others(identifiers: tuple[tuple[str | None, str], ...]) -> list[dict[str, Any]]:
    """Identifiers a source gave besides the NPI; one without a system (a failed NPI) stays plain."""
    return [
        {"system": system, "value": value} if system else {"value": value} for system, value in identifiers
    ]


def _hospital_facts(org: OrganizationRecord) -> list[dict[str, Any]]:
    """The registry facts of a hospital (CMS, HIFLD), as the parts of onconav's hospital-facts extension."""
    parts: list[dict[str, Any]] = []
    for name, key, value in (
        ("hospitalType", "valueString", org.hospital_type),
        ("ownership", "valueString", org.ownership),
        ("emergencyServices", "valueBoolean", org.emergency_services),
        ("cmsStarRating", "valueInteger", org.cms_star_rating),
        ("beds", "valueInteger", org.beds),
    ):
        if value is not None:
            parts.append({"url": name, key: value})
    if parts or len(org.sources) > 1:
        parts.extend({"url": "source", "valueString": source} for source in org.sources)
    return parts


def organization(org: OrganizationRecord) -> Resource:
    """An Organization; its address is the one of its first location."""
    resource = _start("Organization", org, org.is_demo)
    identifiers = _npi(org.npi)
    if org.cms_ccn:
        identifiers.append({"use": "secondary", "system": CCN_SYSTEM, "value": org.cms_ccn})
    if org.hifld_id:
        identifiers.append({"use": "secondary", "system": HIFLD_SYSTEM, "value": org.hifld_id})
    identifiers += _others(org.identifiers)
    facts = _hospital_facts(org)
    if facts:
        resource["extension"] = [{"url": HOSPITAL_FACTS_URL, "extension": facts}]
    if identifiers:
        resource["identifier"] = identifiers
    resource["active"] = True
    plannet_type = PLANNET_ORG_TYPES.get(org.kind, ("fac", "Facility"))
    resource["type"] = [
        {
            "coding": [
                {"system": ORG_TYPE_SYSTEM, "code": "prov", "display": "Healthcare Provider"},
                {"system": PLANNET_ORG_TYPE_SYSTEM, "code": plannet_type[0], "display": plannet_type[1]},
            ],
            "text": ORG_KIND_TEXT.get(org.kind, org.kind),
        }
    ]
    resource["name"] = org.name
    telecom = []
    if org.phone:
        telecom.append({"system": "phone", "value": org.phone, "use": "work"})
    if org.website:
        telecom.append({"system": "url", "value": org.website, "use": "work"})
    if telecom:
        resource["telecom"] = telecom
    if org.address is not None:
        resource["address"] = [address(org.address)]
    _endpoints(resource, org.endpoints)
    return resource


def location(loc: LocationRecord) -> Resource:
    """A Location with its address, coordinates and managing organization."""
    org = loc.organization
    resource = _start("Location", loc, loc.is_demo)
    resource["status"] = "active"
    resource["name"] = loc.name
    if loc.organization_kind in LOCATION_TYPES:
        code, display = LOCATION_TYPES[loc.organization_kind]
        resource["type"] = [{"coding": [{"system": LOCATION_TYPE_SYSTEM, "code": code, "display": display}]}]
    resource["mode"] = "instance"
    resource["address"] = address(loc.address)
    if loc.lat is not None and loc.lon is not None:  # unplaced addresses have no position
        resource["position"] = {"longitude": loc.lon, "latitude": loc.lat}
    if org is not None:  # a practice location of a practitioner on their own has no organization
        resource["managingOrganization"] = reference("Organization", org.id, org.name)
    _endpoints(resource, loc.endpoints)
    return resource


def practitioner(person: PractitionerRecord) -> Resource:
    """A Practitioner: NPI, structured name with credentials as suffixes, languages spoken."""
    resource = _start("Practitioner", person, person.is_demo)
    identifiers = _npi(person.npi) + _others(person.identifiers)
    if identifiers:
        resource["identifier"] = identifiers
    resource["active"] = True
    name: dict[str, Any] = {
        "use": "official",
        "text": person.display_name,
        "family": person.family_name,
        "given": [person.given_name],
    }
    if person.prefix:
        name["prefix"] = [person.prefix]
    if person.credentials:
        name["suffix"] = [part.strip() for part in person.credentials.split(",") if part.strip()]
    resource["name"] = [name]
    if person.gender and person.gender.lower() in FHIR_GENDERS:
        resource["gender"] = person.gender.lower()
    if person.languages:
        resource["communication"] = [
            {"coding": [{"system": BCP47_SYSTEM, "code": code}]} for code in person.languages
        ]
    return resource


def practitioner_role(role: PractitionerRoleRecord) -> Resource:
    """A PractitionerRole, with the HealthcareServices of its organization that it performs."""
    resource = _start("PractitionerRole", role, role.is_demo)
    if role.networks:
        resource["extension"] = [
            {"url": NETWORK_REFERENCE_URL, "valueReference": reference("Organization", f"ins-{n.id}", n.name)}
            for n in role.networks
        ]
    resource["active"] = True
    resource["practitioner"] = reference("Practitioner", role.practitioner.id, role.practitioner.name)
    if role.organization is not None:
        resource["organization"] = reference("Organization", role.organization.id, role.organization.name)
    if role.location is not None:
        resource["location"] = [reference("Location", role.location.id, role.location.name)]
    codes = directory.role_codes(role.credentials)
    if codes:
        resource["code"] = [
            {"coding": [{"system": PLANNET_ROLE_SYSTEM, "code": code, "display": ROLE_NAMES[code]}]}
            for code in codes
        ]
    resource["specialty"] = [specialty_concept(role.specialty)]
    services = [
        reference("HealthcareService", performed.healthcare_service_id, service_name(performed.service_code))
        for performed in role.services
    ]
    if services:
        resource["healthcareService"] = services
    if role.accepting_new_patients is not None:  # None: the source (NPPES) does not say
        resource["availabilityExceptions"] = (
            "Accepting new patients" if role.accepting_new_patients else "Not accepting new patients"
        )
    _endpoints(resource, role.endpoints)
    return resource


def healthcare_service(offered: HealthcareServiceRecord) -> Resource:
    """A HealthcareService: who provides it, where, what it is (onconav and CPT codes) and its volume."""
    org = offered.organization
    resource = _start("HealthcareService", offered, offered.is_demo)
    if offered.annual_volume is not None:
        resource["extension"] = [{"url": ANNUAL_VOLUME_URL, "valueInteger": offered.annual_volume}]
    resource["active"] = True
    resource["providedBy"] = reference("Organization", org.id, org.name)
    known = knowledge.get_service(offered.service_code)
    name = known.name if known else offered.service_code
    if known is not None:
        category = str(known.category)
        resource["category"] = [
            {"coding": [{"system": SERVICE_CATEGORY_SYSTEM, "code": category}], "text": category}
        ]
    type_coding = [{"system": SERVICE_SYSTEM, "code": offered.service_code, "display": name}]
    type_coding += [{"system": CPT_SYSTEM, "code": cpt} for cpt in (known.cpt if known else [])]
    resource["type"] = [{"coding": type_coding, "text": name}]
    if known is not None and known.specialties:
        resource["specialty"] = [specialty_concept(code) for code in known.specialties]
    if offered.location is not None:
        resource["location"] = [reference("Location", offered.location.id, offered.location.name)]
    resource["name"] = name
    if known is not None:
        resource["comment"] = known.summary
    if offered.location is not None:  # available where it is given
        resource["coverageArea"] = [reference("Location", offered.location.id, offered.location.name)]
    _endpoints(resource, offered.endpoints)
    return resource
