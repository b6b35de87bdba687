"""What this FHIR server declares, in one place: the Da Vinci PDex Plan-Net profiles of each resource type,
the search parameters each type takes, and the `_include` / `_revinclude` values.

The CapabilityStatement (`routes.capability_statement`) is built from these tables, the parser
(`search_parameters`) accepts exactly these parameters, and `tests/fhir/test_plannet_conformance.py` drives
every one of them through a FHIR client against a live server.
"""

from __future__ import annotations

PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
PLANNET_CAPABILITY = f"{PLANNET}/CapabilityStatement/plan-net"


def profile(name: str) -> str:
    """The canonical URL of a Plan-Net profile (plannet-Organization, plannet-Network, ...)."""
    return f"{PLANNET}/StructureDefinition/plannet-{name}"


# The FHIR types served, and the Plan-Net profiles their resources claim. Network is an Organization profile.
RESOURCE_TYPES = (
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "HealthcareService",
    "InsurancePlan",
    "OrganizationAffiliation",
    "Endpoint",
)
PROFILES: dict[str, list[str]] = {
    "Organization": [profile("Organization"), profile("Network")],
    **{t: [profile(t)] for t in RESOURCE_TYPES if t != "Organization"},
}

Params = dict[str, tuple[str, str]]  # name -> (FHIR search parameter type, documentation)

LAST_UPDATED = {"_lastUpdated": ("date", "When the record was last updated (eq, ne, gt, ge, lt, le, sa, eb)")}
COMMON_PARAMS: Params = {
    "_id": ("token", "Logical id (comma-separated ids: any of them)"),
    **LAST_UPDATED,
}
ADDRESS_PARAMS: Params = {
    "address": ("string", "Any part of the address (case-insensitive prefix)"),
    "address-city": ("string", "City of the address (case-insensitive prefix)"),
    "address-state": ("string", "State or region code of the address (case-insensitive prefix)"),
    "address-postalcode": ("string", "Postal code of the address (prefix)"),
}
ENDPOINT = ("reference", "Endpoint/4 or 4: the endpoints of the organization")
NPI = ("token", "NPI: http://hl7.org/fhir/sid/us-npi|1234567890 or the bare number")

SEARCH_PARAMS: dict[str, Params] = {
    "Organization": {
        **COMMON_PARAMS,
        "name": ("string", "Organization name (case-insensitive, contains)"),
        "identifier": NPI,
        "type": ("token", "prov, fac (hospital or cancer center), prvgrp (clinic), ntwk (network), payer"),
        "partof": ("reference", "The organization it is part of (a network's payer): Organization/ins-1"),
        "endpoint": ENDPOINT,
        "coverage-area": ("reference", "Location/3: networks covering the region of the location"),
        **{k: (t, d + " of any of its locations") for k, (t, d) in ADDRESS_PARAMS.items()},
    },
    "Location": {
        **COMMON_PARAMS,
        "name": ("string", "Location name (case-insensitive, contains)"),
        "organization": ("reference", "Managing organization: Organization/12 or 12"),
        "near": ("special", "lat|lon|distance|unit (unit km or mi; default 50 km): locations within it"),
        "type": ("token", "HL7 v3 RoleCode: HOSP (hospital), ONCL (cancer center), OF (clinic)"),
        "partof": ("reference", "The location it is part of (none is part of another)"),
        "endpoint": ENDPOINT,
        **ADDRESS_PARAMS,
    },
    "Practitioner": {
        **COMMON_PARAMS,
        "name": ("string", "Given or family name, or both (case-insensitive, contains)"),
        "family": ("string", "Family name (case-insensitive, contains)"),
        "given": ("string", "Given name (case-insensitive, contains)"),
        "identifier": NPI,
    },
    "PractitionerRole": {
        **COMMON_PARAMS,
        "practitioner": ("reference", "Practitioner/7 or 7 (chains: practitioner.name=...)"),
        "organization": ("reference", "Organization/12 or 12"),
        "location": ("reference", "Location/3 or 3 (chains: location.near=..., location.address-city=...)"),
        "specialty": (
            "token",
            "NUCC taxonomy code (http://nucc.org/provider-taxonomy) or onconav specialty code",
        ),
        "service": ("reference", "HealthcareService/5 or 5"),
        "role": ("token", "ph (physician: MD or DO), np, pa, rn: from the practitioner's credentials"),
        "network": ("reference", "Organization/ins-2: roles at organizations in the network"),
        "endpoint": ENDPOINT,
        "near": ("special", "lat|lon|distance|unit: roles whose location is within it"),
        **{k: (t, d + " of the role's location") for k, (t, d) in ADDRESS_PARAMS.items()},
    },
    "HealthcareService": {
        **COMMON_PARAMS,
        "name": ("string", "Service name (case-insensitive, contains)"),
        "organization": ("reference", "Providing organization: Organization/12 or 12"),
        "location": ("reference", "Location/3 or 3"),
        "specialty": ("token", "NUCC taxonomy code or onconav specialty code of the service"),
        "service-type": ("token", "onconav service code or CPT code"),
        "service-category": ("token", "procedure, therapy, support or consultation"),
        "coverage-area": ("reference", "Location/3: services available at the location"),
        "endpoint": ENDPOINT,
    },
    "InsurancePlan": {
        **COMMON_PARAMS,
        "name": ("string", "Plan name (case-insensitive, contains)"),
        "type": ("token", "Plan-Net insurance product type: medicare, medicaid, mediadv, commercial, ..."),
        "owned-by": ("reference", "The payer: Organization/ins-1"),
        "administered-by": ("reference", "The payer administering it: Organization/ins-1"),
        "network": ("reference", "Its network: Organization/ins-2 (chains: network.name=...)"),
        "coverage-area": ("reference", "Location/3: plans sold in the region of the location"),
    },
    "OrganizationAffiliation": {
        **COMMON_PARAMS,
        "participating-organization": ("reference", "The provider organization: Organization/12"),
        "primary-organization": ("reference", "The payer managing the network: Organization/ins-1"),
        "network": ("reference", "The network: Organization/ins-2"),
        "location": ("reference", "Location/3: a location of the participating organization"),
        "service": ("reference", "HealthcareService/5: a service of the participating organization"),
        "role": ("token", "provider (every participation is a provider in a network)"),
    },
    "Endpoint": {
        **COMMON_PARAMS,
        "name": ("string", "Endpoint name (case-insensitive, contains)"),
        "organization": ("reference", "The managing organization: Organization/12"),
        "connection-type": ("token", "hl7-fhir-rest, direct-project, ..."),
        "payload-type": ("token", "A payload type code"),
    },
}

# Reference parameters: (type, parameter) -> (target FHIR type, directory kind of the target, field).
REFERENCES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("Location", "organization"): ("Organization", "Organization", "organization"),
    ("Location", "partof"): ("Location", "Location", "partof"),
    ("Organization", "partof"): ("Organization", "InsuranceOrganization", "partof"),
    ("Organization", "coverage-area"): ("Location", "Location", "coverage_area"),
    ("PractitionerRole", "practitioner"): ("Practitioner", "Practitioner", "practitioner"),
    ("PractitionerRole", "organization"): ("Organization", "Organization", "organization"),
    ("PractitionerRole", "location"): ("Location", "Location", "location"),
    ("PractitionerRole", "network"): ("Organization", "InsuranceOrganization", "network"),
    ("HealthcareService", "organization"): ("Organization", "Organization", "organization"),
    ("HealthcareService", "location"): ("Location", "Location", "location"),
    ("HealthcareService", "coverage-area"): ("Location", "Location", "coverage_area"),
    ("InsurancePlan", "owned-by"): ("Organization", "InsuranceOrganization", "owned_by"),
    ("InsurancePlan", "administered-by"): ("Organization", "InsuranceOrganization", "administered_by"),
    ("InsurancePlan", "network"): ("Organization", "InsuranceOrganization", "network"),
    ("InsurancePlan", "coverage-area"): ("Location", "Location", "coverage_area"),
    ("OrganizationAffiliation", "participating-organization"): (
        "Organization",
        "Organization",
        "participating_organization",
    ),
    ("OrganizationAffiliation", "primary-organization"): (
        "Organization",
        "InsuranceOrganization",
        "primary_organization",
    ),
    ("OrganizationAffiliation", "network"): ("Organization", "InsuranceOrganization", "network"),
    ("OrganizationAffiliation", "location"): ("Location", "Location", "location"),
    ("OrganizationAffiliation", "service"): ("HealthcareService", "HealthcareService", "service"),
    ("Endpoint", "organization"): ("Organization", "Organization", "organization"),
    **{
        (t, "endpoint"): ("Endpoint", "Endpoint", "endpoint")
        for t in ("Organization", "Location", "PractitionerRole", "HealthcareService")
    },
}

# _include values per resource type: "Type:param" -> the type of the included resources.
INCLUDES: dict[str, dict[str, str]] = {
    "Organization": {"Organization:endpoint": "Endpoint", "Organization:partof": "Organization"},
    "Location": {
        "Location:organization": "Organization",
        "Location:endpoint": "Endpoint",
        "Location:partof": "Location",
    },
    "PractitionerRole": {
        "PractitionerRole:practitioner": "Practitioner",
        "PractitionerRole:organization": "Organization",
        "PractitionerRole:location": "Location",
        "PractitionerRole:service": "HealthcareService",
        "PractitionerRole:network": "Organization",
        "PractitionerRole:endpoint": "Endpoint",
    },
    "HealthcareService": {
        "HealthcareService:organization": "Organization",
        "HealthcareService:location": "Location",
        "HealthcareService:coverage-area": "Location",
        "HealthcareService:endpoint": "Endpoint",
    },
    "InsurancePlan": {
        "InsurancePlan:owned-by": "Organization",
        "InsurancePlan:administered-by": "Organization",
        "InsurancePlan:network": "Organization",
    },
    "OrganizationAffiliation": {
        "OrganizationAffiliation:participating-organization": "Organization",
        "OrganizationAffiliation:primary-organization": "Organization",
        "OrganizationAffiliation:network": "Organization",
        "OrganizationAffiliation:location": "Location",
        "OrganizationAffiliation:service": "HealthcareService",
    },
    "Endpoint": {"Endpoint:organization": "Organization"},
}


def _revincludes() -> dict[str, list[str]]:
    """_revinclude values per type: every _include value whose target is the type."""
    found: dict[str, list[str]] = {}
    for targets in INCLUDES.values():
        for value, target in targets.items():
            found.setdefault(target, []).append(value)
    return found


REVINCLUDES: dict[str, list[str]] = _revincludes()
