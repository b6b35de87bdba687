"""The directory read as resources: typed records of organizations, locations, practitioners, their roles and
services, and the criteria a resource search takes (what the FHIR face asks for, in the directory's terms).

Reached through `directory.service` (`search_resources`, `list_resources`); built by `resource_queries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# The kinds of resource, named as the tables' models and the FHIR resources they map to.
# InsuranceOrganization (payers and networks), InsurancePlan, OrganizationAffiliation (network participation)
# and Endpoint are the insurance side (Da Vinci PDex Plan-Net), read by `insurance_queries`.
ResourceKind = Literal[
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "HealthcareService",
    "InsuranceOrganization",
    "InsurancePlan",
    "OrganizationAffiliation",
    "Endpoint",
]
RESOURCE_KINDS: tuple[ResourceKind, ...] = (
    "Organization",
    "Location",
    "Practitioner",
    "PractitionerRole",
    "HealthcareService",
    "InsuranceOrganization",
    "InsurancePlan",
    "OrganizationAffiliation",
    "Endpoint",
)
# Records without a date of their own (demo, hand-made) are as of this instant (FHIR meta.lastUpdated).
UNDATED = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


# --- records ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityLink:
    """Another directory entity a record points at: its id and its name (None when it has none to show)."""

    id: int
    name: str | None


@dataclass(frozen=True)
class AddressRecord:
    """The address of a location."""

    line: str | None
    city: str
    region: str | None
    region_code: str | None
    postal_code: str | None
    country_code: str


@dataclass(frozen=True)
class OrganizationRecord:
    """An organization, with the address of its first location (None: it has no location)."""

    id: int
    is_demo: bool
    npi: str | None
    kind: str
    name: str
    phone: str | None
    website: str | None
    address: AddressRecord | None
    # Hospital registry facts, merged from the rows of other sources linked to this one (duplicates.py).
    cms_ccn: str | None = None
    hifld_id: str | None = None
    hospital_type: str | None = None
    ownership: str | None = None
    emergency_services: bool | None = None
    cms_star_rating: int | None = None
    beds: int | None = None
    sources: tuple[str, ...] = ()
    duplicate_of: int | None = None  # the canonical organization, when this row is a linked duplicate
    identifiers: tuple[tuple[str | None, str], ...] = ()  # (system or None, value) besides the NPI and CCN
    last_updated: datetime = UNDATED  # when its source last confirmed it
    endpoints: tuple[int, ...] = ()  # ids of its Endpoint records


@dataclass(frozen=True)
class LocationRecord:
    """A location: address, coordinates (None: not placed), and its organization (None: a practitioner's
    own practice address). `is_demo` is its organization's."""

    id: int
    is_demo: bool
    name: str
    address: AddressRecord
    lat: float | None
    lon: float | None
    organization: EntityLink | None
    last_updated: datetime = UNDATED
    endpoints: tuple[int, ...] = ()  # its organization's
    organization_kind: str | None = None  # hospital | cancer_center | clinic


@dataclass(frozen=True)
class PractitionerRecord:
    """A practitioner."""

    id: int
    is_demo: bool
    npi: str | None
    display_name: str
    family_name: str
    given_name: str
    prefix: str | None
    credentials: str | None
    gender: str | None
    languages: tuple[str, ...]
    identifiers: tuple[tuple[str | None, str], ...] = ()  # (system or None, value) besides the NPI
    last_updated: datetime = UNDATED


@dataclass(frozen=True)
class RoleServiceRecord:
    """A service a role performs that its organization offers: the organization's service row and code."""

    healthcare_service_id: int
    service_code: str


@dataclass(frozen=True)
class PractitionerRoleRecord:
    """Who works where in which specialty; `services` are those of the role that the organization offers,
    in the role's order. `is_demo` is the practitioner's."""

    id: int
    is_demo: bool
    practitioner: EntityLink
    organization: EntityLink | None
    location: EntityLink | None
    specialty: str
    services: tuple[RoleServiceRecord, ...]
    accepting_new_patients: bool | None  # None: the source does not say
    credentials: str | None = None  # the practitioner's ("MD, PhD"): the role code (physician, ...)
    last_updated: datetime = UNDATED
    endpoints: tuple[int, ...] = ()  # its organization's
    networks: tuple[EntityLink, ...] = ()  # the networks its organization takes part in


@dataclass(frozen=True)
class HealthcareServiceRecord:
    """A service an organization offers, where (its location is named when it is one of the organization's),
    and its yearly volume. `is_demo` is the organization's."""

    id: int
    is_demo: bool
    organization: EntityLink
    service_code: str
    annual_volume: int | None
    location: EntityLink | None
    last_updated: datetime = UNDATED
    endpoints: tuple[int, ...] = ()  # its organization's


@dataclass(frozen=True)
class InsuranceOrganizationRecord:
    """A payer or a provider network (`kind` "payer" or "ntwk"), with its source and the source's date."""

    id: int
    kind: str
    name: str
    part_of: EntityLink | None
    coverage_states: tuple[str, ...]
    website: str | None
    source_note: str | None
    as_of: str | None
    last_updated: datetime


@dataclass(frozen=True)
class InsurancePlanRecord:
    """A health insurance plan: its payer, the network whose providers it covers, where it is sold."""

    id: int
    name: str
    plan_type: str
    owned_by: EntityLink
    network: EntityLink | None
    coverage_states: tuple[str, ...]
    source_note: str | None
    as_of: str | None
    last_updated: datetime


@dataclass(frozen=True)
class AffiliationRecord:
    """An organization taking part in a provider network (managed by `payer`, when known)."""

    id: int
    is_demo: bool
    organization: EntityLink
    network: EntityLink
    payer: EntityLink | None
    locations: tuple[EntityLink, ...]
    services: tuple[EntityLink, ...]
    source_note: str | None
    as_of: str | None
    last_updated: datetime


@dataclass(frozen=True)
class EndpointRecord:
    """A technical endpoint of an organization (its FHIR server, Direct address, ...)."""

    id: int
    is_demo: bool
    organization: EntityLink
    name: str | None
    connection_type: str
    payload_type: str
    address: str
    last_updated: datetime


ResourceRecord = (
    OrganizationRecord
    | LocationRecord
    | PractitionerRecord
    | PractitionerRoleRecord
    | HealthcareServiceRecord
    | InsuranceOrganizationRecord
    | InsurancePlanRecord
    | AffiliationRecord
    | EndpointRecord
)


# --- criteria --------------------------------------------------------------------------------------------

TextMatch = Literal[
    "contains", "exact", "starts"
]  # case-insensitive contains / starts-with; exact as written


# Insurance side: `partof` (a network's payer), `network` (PractitionerRole, OrganizationAffiliation,
# InsurancePlan), `owned_by` / `administered_by` (InsurancePlan), `participating_organization` /
# `primary_organization` (OrganizationAffiliation), `endpoint` (Organization, Location, PractitionerRole,
# HealthcareService: their organization's), `service` (OrganizationAffiliation), `coverage_area` (a Location
# in the region an InsurancePlan or network covers; HealthcareService: its location).
IdField = Literal[
    "id",
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
]
# `type` (Organization kind as Plan-Net codes), `plan_type`, `connection_type`, `payload_type`, `role`
# (PractitionerRole and OrganizationAffiliation codes), `service_category` (HealthcareService).
CodeField = Literal[
    "npi",
    "specialty",
    "service_code",
    "type",
    "plan_type",
    "connection_type",
    "payload_type",
    "role",
    "service_category",
]


@dataclass(frozen=True)
class IdsIn:
    """The record's id (`id`), or the id of the entity it belongs to, is one of `ids`; no ids: no match.

    `organization` on Location, PractitionerRole and HealthcareService; `location` on PractitionerRole and
    HealthcareService; `practitioner` on PractitionerRole."""

    field: IdField
    ids: tuple[int, ...]


@dataclass(frozen=True)
class CodesIn:
    """A code of the record is one of `codes`; no codes: no match.

    `npi` on Organization and Practitioner, `specialty` on PractitionerRole, `service_code` on
    HealthcareService."""

    field: CodeField
    codes: tuple[str, ...]


@dataclass(frozen=True)
class NameMatches:
    """A name matches any of `values`; no values: no condition.

    `name` on Organization and Location, `family` and `given` on Practitioner."""

    field: Literal["name", "family", "given"]
    values: tuple[str, ...]
    match: TextMatch


@dataclass(frozen=True)
class PersonNameMatches:
    """A practitioner's given or family name holds any of `values`; a value of several words needs every
    word in one of them, unless `exact` (then a whole name equals the value). No values: no condition."""

    values: tuple[str, ...]
    exact: bool


@dataclass(frozen=True)
class AddressMatches:
    """The address (of a Location, of any location of an Organization, of a PractitionerRole's location)
    matches any of `values` in one part; `state` is the region code or name. No values: no match."""

    part: Literal["city", "state", "postal_code", "any"]  # any: line, city, state, postal code or country
    values: tuple[str, ...]
    match: TextMatch


@dataclass(frozen=True)
class Near:
    """Locations within `distance_km` (great-circle) of a point."""

    lat: float
    lon: float
    distance_km: float


@dataclass(frozen=True)
class PerformsServicesOf:
    """Roles performing the service of one of these HealthcareServices at its organization; none: no match."""

    healthcare_service_ids: tuple[int, ...]


@dataclass(frozen=True)
class LastUpdated:
    """When the record was last updated is `after` (inclusive) or later and before `before` (exclusive); a
    None bound is open. (FHIR date prefixes become these bounds.)"""

    after: datetime | None
    before: datetime | None
    negate: bool = False  # `ne`: outside the range


@dataclass(frozen=True)
class Chained:
    """The entity the record refers to through `field` meets every criterion of `target` (a chained search
    such as PractitionerRole?location.near=...)."""

    field: IdField
    target: ResourceSearch


Criterion = (
    IdsIn
    | CodesIn
    | NameMatches
    | PersonNameMatches
    | AddressMatches
    | Near
    | PerformsServicesOf
    | LastUpdated
    | Chained
)


@dataclass(frozen=True)
class ResourceSearch:
    """Records of one kind meeting every criterion, in id order: `count` of them after the first `offset`."""

    kind: ResourceKind
    criteria: tuple[Criterion, ...]
    offset: int
    count: int
    descending: bool = False  # newest ids first (`_sort=-_id`)


@dataclass(frozen=True)
class ResourcePage:
    """One page of a resource search: how many records match in all, and the page's records."""

    total: int
    records: list[ResourceRecord]
