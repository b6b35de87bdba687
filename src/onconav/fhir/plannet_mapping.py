"""The insurance side of the directory as FHIR R4 resources of the Da Vinci PDex Plan-Net profiles: payers
and networks (Organization, plannet-Organization and plannet-Network), InsurancePlan,
OrganizationAffiliation (an organization in a network) and Endpoint.

Pure functions over the typed records of `directory.service`; nothing is queried here.
"""

from __future__ import annotations

from typing import Any

from onconav.directory import service as directory
from onconav.fhir.declarations import PLANNET
from onconav.fhir.mapping import (
    ORG_TYPE_SYSTEM,
    PLANNET_ORG_TYPE_SYSTEM,
    Resource,
    reference,
    start,
)
from onconav.fhir.plannet_parameters import INSURANCE_PREFIX

PRODUCT_TYPE_SYSTEM = f"{PLANNET}/CodeSystem/InsuranceProductTypeCS"
AFFILIATION_ROLE_SYSTEM = f"{PLANNET}/CodeSystem/OrganizationAffiliationRoleCS"
CONNECTION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/endpoint-connection-type"
PAYLOAD_TYPE_SYSTEM = f"{PLANNET}/CodeSystem/EndpointPayloadTypeCS"
# Where a record came from, and the source's date: onconav's provenance extension.
SOURCE_URL = "https://onconav.org/fhir/StructureDefinition/source"
# A state a network or payer serves (the coverage-area search parameter finds them by a Location in it).
COVERAGE_STATE_URL = "https://onconav.org/fhir/StructureDefinition/coverage-state"
PRODUCT_TYPES = {
    "commercial": "Commercial",
    "medicaid": "Medicaid",
    "medicare": "Medicare",
    "mediadv": "Medicare Advantage",
    "medsup": "Medicare Supplement",
    "chip": "CHIP",
    "dual": "Dual-eligible",
    "qhp": "Qualified Health Plan",
}


def insurance_id(row_id: int) -> str:
    """The FHIR id of a payer or network: "ins-2"."""
    return f"{INSURANCE_PREFIX}{row_id}"


def _source(note: str | None, as_of: str | None) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if note:
        parts.append({"url": "note", "valueString": note})
    if as_of:
        parts.append({"url": "asOf", "valueString": as_of})
    return [{"url": SOURCE_URL, "extension": parts}] if parts else []


def insurance_organization(org: directory.InsuranceOrganizationRecord) -> Resource:
    """A payer (plannet-Organization) or a provider network (plannet-Network)."""
    is_network = org.kind == "ntwk"
    profile_name = "Network" if is_network else "Organization"
    resource = start("Organization", insurance_id(org.id), False, org.last_updated, profile_name)
    extension = _source(org.source_note, org.as_of)
    if extension:
        resource["extension"] = extension
    resource["active"] = True
    coding = [{"system": PLANNET_ORG_TYPE_SYSTEM, "code": "ntwk", "display": "Network"}]
    if not is_network:
        coding = [
            {"system": ORG_TYPE_SYSTEM, "code": "pay", "display": "Payer"},
            {"system": PLANNET_ORG_TYPE_SYSTEM, "code": "payer", "display": "Payer"},
        ]
    resource["type"] = [{"coding": coding, "text": "Network" if is_network else "Payer"}]
    resource["name"] = org.name
    if org.website:
        resource["telecom"] = [{"system": "url", "value": org.website, "use": "work"}]
    if org.coverage_states:  # where it serves (not where it is): onconav's coverage-state extension
        resource.setdefault("extension", []).extend(
            {"url": COVERAGE_STATE_URL, "valueString": state} for state in org.coverage_states
        )
    if org.part_of is not None:
        resource["partOf"] = reference("Organization", insurance_id(org.part_of.id), org.part_of.name)
    return resource


def insurance_plan(plan: directory.InsurancePlanRecord) -> Resource:
    """An InsurancePlan: product type, payer (owner and administrator), network, states sold in."""
    resource = start("InsurancePlan", plan.id, False, plan.last_updated, "InsurancePlan")
    extension = _source(plan.source_note, plan.as_of)
    if extension:
        resource["extension"] = extension
    resource["status"] = "active"
    display = PRODUCT_TYPES.get(plan.plan_type, plan.plan_type)
    resource["type"] = [
        {
            "coding": [{"system": PRODUCT_TYPE_SYSTEM, "code": plan.plan_type, "display": display}],
            "text": display,
        }
    ]
    resource["name"] = plan.name
    payer = reference("Organization", insurance_id(plan.owned_by.id), plan.owned_by.name)
    resource["ownedBy"] = payer
    resource["administeredBy"] = dict(payer)
    if plan.coverage_states:
        resource["coverageArea"] = [{"display": state} for state in plan.coverage_states]
    if plan.network is not None:
        resource["network"] = [reference("Organization", insurance_id(plan.network.id), plan.network.name)]
    return resource


def organization_affiliation(affiliation: directory.AffiliationRecord) -> Resource:
    """An OrganizationAffiliation: a provider organization taking part in a network."""
    resource = start(
        "OrganizationAffiliation",
        affiliation.id,
        affiliation.is_demo,
        affiliation.last_updated,
        "OrganizationAffiliation",
    )
    extension = _source(affiliation.source_note, affiliation.as_of)
    if extension:
        resource["extension"] = extension
    resource["active"] = True
    if affiliation.payer is not None:
        resource["organization"] = reference(
            "Organization", insurance_id(affiliation.payer.id), affiliation.payer.name
        )
    org = affiliation.organization
    resource["participatingOrganization"] = reference("Organization", org.id, org.name)
    network = affiliation.network
    resource["network"] = [reference("Organization", insurance_id(network.id), network.name)]
    resource["code"] = [
        {"coding": [{"system": AFFILIATION_ROLE_SYSTEM, "code": "provider", "display": "Provider"}]}
    ]
    if affiliation.locations:
        resource["location"] = [reference("Location", link.id, link.name) for link in affiliation.locations]
    if affiliation.services:
        resource["healthcareService"] = [
            reference("HealthcareService", link.id) for link in affiliation.services
        ]
    return resource


def endpoint(found: directory.EndpointRecord) -> Resource:
    """An Endpoint: how to reach an organization's system (its FHIR server, Direct address, ...)."""
    resource = start("Endpoint", found.id, found.is_demo, found.last_updated, "Endpoint")
    resource["status"] = "active"
    resource["connectionType"] = {"system": CONNECTION_TYPE_SYSTEM, "code": found.connection_type}
    if found.name:
        resource["name"] = found.name
    resource["managingOrganization"] = reference(
        "Organization", found.organization.id, found.organization.name
    )
    resource["payloadType"] = [{"coding": [{"system": PAYLOAD_TYPE_SYSTEM, "code": found.payload_type}]}]
    resource["address"] = found.address
    return resource
