"""Resource searches and reads of the insurance side of the directory (Da Vinci PDex Plan-Net): payers and
networks (`InsuranceOrganization`), plans, network participation (`OrganizationAffiliation`), endpoints; and
the endpoints and networks that provider records point at.

Reached from `resource_queries`, which resolves chained criteria into ids before asking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from onconav.directory import plannet_conditions
from onconav.directory.models import (
    DirectoryEndpoint,
    HealthcareService,
    InsuranceOrganization,
    InsurancePlan,
    Location,
    NetworkParticipation,
    Organization,
)
from onconav.directory.resource_records import (
    AffiliationRecord,
    CodesIn,
    Criterion,
    EndpointRecord,
    EntityLink,
    HealthcareServiceRecord,
    IdsIn,
    InsuranceOrganizationRecord,
    InsurancePlanRecord,
    LastUpdated,
    LocationRecord,
    NameMatches,
    OrganizationRecord,
    PractitionerRoleRecord,
    ResourceKind,
    ResourceRecord,
    ResourceSearch,
)

Model = (
    type[InsuranceOrganization] | type[InsurancePlan] | type[NetworkParticipation] | type[DirectoryEndpoint]
)
MODELS: dict[ResourceKind, Model] = {
    "InsuranceOrganization": InsuranceOrganization,
    "InsurancePlan": InsurancePlan,
    "OrganizationAffiliation": NetworkParticipation,
    "Endpoint": DirectoryEndpoint,
}
KINDS = frozenset(MODELS)
# Organization type codes of payers and networks (Plan-Net OrgTypeCS, HL7 organization-type).
INSURANCE_TYPE_KINDS = {"ntwk": ("ntwk",), "payer": ("payer",), "pay": ("payer",), "ins": ("payer",)}
# The role every network participation has (Plan-Net OrganizationAffiliation role: a provider in it).
AFFILIATION_ROLE = "provider"
ID_COLUMNS: dict[tuple[ResourceKind, str], Any] = {
    ("InsuranceOrganization", "partof"): InsuranceOrganization.part_of_id,
    ("InsurancePlan", "owned_by"): InsurancePlan.owned_by_id,
    ("InsurancePlan", "administered_by"): InsurancePlan.owned_by_id,
    ("InsurancePlan", "network"): InsurancePlan.network_id,
    ("OrganizationAffiliation", "participating_organization"): NetworkParticipation.organization_id,
    ("OrganizationAffiliation", "network"): NetworkParticipation.network_id,
    ("Endpoint", "organization"): DirectoryEndpoint.organization_id,
}
CODE_COLUMNS: dict[tuple[ResourceKind, str], Any] = {
    ("InsurancePlan", "plan_type"): InsurancePlan.plan_type,
    ("Endpoint", "connection_type"): DirectoryEndpoint.connection_type,
    ("Endpoint", "payload_type"): DirectoryEndpoint.payload_type,
}


@dataclass(frozen=True)
class IdPage:
    """How many records match, and the ids of one page of them."""

    total: int
    ids: list[int]


def page_ids(session: Session, search: ResourceSearch, criteria: Sequence[Criterion]) -> IdPage:
    """The total and one page of ids of the insurance records of `search.kind` meeting the criteria."""
    model = MODELS[search.kind]
    conditions = _conditions(session, search.kind, criteria)
    total = session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
    if search.offset >= total or not search.count:
        return IdPage(total, [])
    order = model.id.desc() if search.descending else model.id
    query = select(model.id).where(*conditions).order_by(order).offset(search.offset).limit(search.count)
    return IdPage(total, list(session.scalars(query).all()))


def all_ids(session: Session, kind: ResourceKind, criteria: Sequence[Criterion]) -> list[int]:
    """Every id of the insurance records of `kind` meeting the criteria."""
    model = MODELS[kind]
    return list(session.scalars(select(model.id).where(*_conditions(session, kind, criteria))).all())


def _conditions(session: Session, kind: ResourceKind, criteria: Sequence[Criterion]) -> list[Any]:
    return [_condition(session, kind, criterion) for criterion in criteria]


def _condition(session: Session, kind: ResourceKind, criterion: Criterion) -> ColumnElement[bool]:
    model = MODELS[kind]
    if isinstance(criterion, LastUpdated):
        return plannet_conditions.time_range(model.__table__.c.updated_at, criterion)
    if isinstance(criterion, IdsIn):
        return _ids(session, kind, criterion)
    if isinstance(criterion, CodesIn):
        return _codes(kind, criterion)
    if isinstance(criterion, NameMatches) and criterion.field == "name":
        if kind not in ("InsuranceOrganization", "InsurancePlan", "Endpoint"):
            return false()
        name = func.lower(func.coalesce(model.name, ""))  # type: ignore[union-attr]
        tests = [
            model.name == value  # type: ignore[union-attr]
            if criterion.match == "exact"
            else name.contains(value.lower(), autoescape=True)
            for value in criterion.values
        ]
        return or_all(tests)
    return false()  # addresses, near, ...: no insurance record has one


def or_all(tests: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """Any of the tests; none restricts nothing."""
    return or_(*tests) if tests else true()


def _ids(session: Session, kind: ResourceKind, criterion: IdsIn) -> ColumnElement[bool]:
    ids = criterion.ids
    if not ids:
        return false()
    model = MODELS[kind]
    if criterion.field == "id":
        return model.id.in_(ids)
    column = ID_COLUMNS.get((kind, criterion.field))
    if column is not None:
        return column.in_(ids)
    if criterion.field == "coverage_area" and kind in ("InsuranceOrganization", "InsurancePlan"):
        return _covering(session, kind, ids)
    if kind == "OrganizationAffiliation":
        org = NetworkParticipation.organization_id
        if criterion.field == "primary_organization":
            payer_networks = select(InsuranceOrganization.id).where(InsuranceOrganization.part_of_id.in_(ids))
            return NetworkParticipation.network_id.in_(payer_networks.scalar_subquery())
        if criterion.field == "location":
            return org.in_(select(Location.organization_id).where(Location.id.in_(ids)).scalar_subquery())
        if criterion.field == "service":
            offered = select(HealthcareService.organization_id).where(HealthcareService.id.in_(ids))
            return org.in_(offered.scalar_subquery())
        if criterion.field == "endpoint":
            owners = select(DirectoryEndpoint.organization_id).where(DirectoryEndpoint.id.in_(ids))
            return org.in_(owners.scalar_subquery())
    return false()


def _covering(session: Session, kind: ResourceKind, location_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Plans or networks whose coverage (region codes) holds the region of one of the locations."""
    regions = set(
        session.scalars(select(Location.region_code).where(Location.id.in_(location_ids))).all()
    ) - {None}
    model = InsuranceOrganization if kind == "InsuranceOrganization" else InsurancePlan
    rows = session.execute(select(model.id, model.coverage_states)).all()
    ids = [row_id for row_id, states in rows if regions & set(states or [])]
    return model.id.in_(ids) if ids else false()


def _codes(kind: ResourceKind, criterion: CodesIn) -> ColumnElement[bool]:
    if not criterion.codes:
        return false()
    if kind == "InsuranceOrganization" and criterion.field == "type":
        kinds = [k for code in criterion.codes for k in INSURANCE_TYPE_KINDS.get(code, ())]
        return InsuranceOrganization.kind.in_(kinds) if kinds else false()
    if kind == "OrganizationAffiliation" and criterion.field == "role":
        return NetworkParticipation.id.is_not(None) if AFFILIATION_ROLE in criterion.codes else false()
    column = CODE_COLUMNS.get((kind, criterion.field))
    return column.in_(criterion.codes) if column is not None else false()


# --- rows as records --------------------------------------------------------------------------------------


def list_records(session: Session, kind: ResourceKind, ids: Sequence[int]) -> list[ResourceRecord]:
    """The insurance records of `kind` with these ids that exist, in id order."""
    model = MODELS[kind]
    rows = list(session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)).all())
    if kind == "InsuranceOrganization":
        names = _insurance_names(
            session, [r.part_of_id for r in rows if isinstance(r, InsuranceOrganization)]
        )
        return [_insurance_organization(r, names) for r in rows if isinstance(r, InsuranceOrganization)]
    if kind == "InsurancePlan":
        plans = [r for r in rows if isinstance(r, InsurancePlan)]
        names = _insurance_names(session, [p.owned_by_id for p in plans] + [p.network_id for p in plans])
        return [_plan(plan, names) for plan in plans]
    if kind == "OrganizationAffiliation":
        return _affiliations(session, [r for r in rows if isinstance(r, NetworkParticipation)])
    endpoints = [r for r in rows if isinstance(r, DirectoryEndpoint)]
    orgs = _organizations(session, [e.organization_id for e in endpoints])
    return [
        EndpointRecord(
            id=e.id,
            is_demo=orgs[e.organization_id].is_demo,
            organization=EntityLink(e.organization_id, orgs[e.organization_id].name),
            name=e.name,
            connection_type=e.connection_type,
            payload_type=e.payload_type,
            address=e.address,
            last_updated=plannet_conditions.as_utc(e.updated_at),
        )
        for e in endpoints
    ]


def _insurance_names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    query = select(InsuranceOrganization.id, InsuranceOrganization.name)
    return {
        row_id: name for row_id, name in session.execute(query.where(InsuranceOrganization.id.in_(wanted)))
    }


def _organizations(session: Session, ids: Sequence[int]) -> dict[int, Organization]:
    rows = session.scalars(select(Organization).where(Organization.id.in_(set(ids)))).all()
    return {org.id: org for org in rows}


def _link(row_id: int | None, names: dict[int, str]) -> EntityLink | None:
    return EntityLink(row_id, names.get(row_id)) if row_id is not None else None


def _insurance_organization(row: InsuranceOrganization, names: dict[int, str]) -> InsuranceOrganizationRecord:
    return InsuranceOrganizationRecord(
        id=row.id,
        kind=row.kind,
        name=row.name,
        part_of=_link(row.part_of_id, names),
        coverage_states=tuple(row.coverage_states or ()),
        website=row.website,
        source_note=row.source_note,
        as_of=row.as_of,
        last_updated=plannet_conditions.as_utc(row.updated_at),
    )


def _plan(plan: InsurancePlan, names: dict[int, str]) -> InsurancePlanRecord:
    return InsurancePlanRecord(
        id=plan.id,
        name=plan.name,
        plan_type=plan.plan_type,
        owned_by=EntityLink(plan.owned_by_id, names.get(plan.owned_by_id)),
        network=_link(plan.network_id, names),
        coverage_states=tuple(plan.coverage_states or ()),
        source_note=plan.source_note,
        as_of=plan.as_of,
        last_updated=plannet_conditions.as_utc(plan.updated_at),
    )


def _affiliations(session: Session, rows: list[NetworkParticipation]) -> list[ResourceRecord]:
    orgs = _organizations(session, [r.organization_id for r in rows])
    networks = {
        n.id: n
        for n in session.scalars(
            select(InsuranceOrganization).where(InsuranceOrganization.id.in_({r.network_id for r in rows}))
        )
    }
    payers = _insurance_names(session, [n.part_of_id for n in networks.values()])
    locations: dict[int, list[EntityLink]] = {}
    services: dict[int, list[EntityLink]] = {}
    org_ids = set(orgs)
    for loc_id, org_id, name in session.execute(
        select(Location.id, Location.organization_id, Location.name).where(
            Location.organization_id.in_(org_ids)
        )
    ):
        if org_id is not None:
            locations.setdefault(org_id, []).append(EntityLink(loc_id, name))
    for service_id, org_id, code in session.execute(
        select(HealthcareService.id, HealthcareService.organization_id, HealthcareService.service_code).where(
            HealthcareService.organization_id.in_(org_ids)
        )
    ):
        services.setdefault(org_id, []).append(EntityLink(service_id, code))
    records: list[ResourceRecord] = []
    for row in rows:
        org, network = orgs[row.organization_id], networks[row.network_id]
        records.append(
            AffiliationRecord(
                id=row.id,
                is_demo=org.is_demo,
                organization=EntityLink(org.id, org.name),
                network=EntityLink(network.id, network.name),
                payer=_link(network.part_of_id, payers),
                locations=tuple(sorted(locations.get(org.id, []), key=lambda link: link.id)),
                services=tuple(sorted(services.get(org.id, []), key=lambda link: link.id)),
                source_note=row.source_note,
                as_of=row.as_of,
                last_updated=plannet_conditions.as_utc(row.updated_at),
            )
        )
    return records


def with_plannet_links(session: Session, records: list[ResourceRecord]) -> list[ResourceRecord]:
    """Provider records with their organization's endpoints (and, for roles, its networks)."""
    owners: dict[int, int] = {}
    for index, record in enumerate(records):
        org_id = _owner_id(record)
        if org_id is not None:
            owners[index] = org_id
    if not owners:
        return records
    org_ids = set(owners.values())
    endpoints: dict[int, list[int]] = {}
    query = select(DirectoryEndpoint.organization_id, DirectoryEndpoint.id).order_by(DirectoryEndpoint.id)
    for org_id, endpoint_id in session.execute(query.where(DirectoryEndpoint.organization_id.in_(org_ids))):
        endpoints.setdefault(org_id, []).append(endpoint_id)
    networks: dict[int, list[EntityLink]] = {}
    if any(isinstance(record, PractitionerRoleRecord) for record in records):
        joined = (
            select(NetworkParticipation.organization_id, InsuranceOrganization.id, InsuranceOrganization.name)
            .join(InsuranceOrganization, InsuranceOrganization.id == NetworkParticipation.network_id)
            .where(NetworkParticipation.organization_id.in_(org_ids))
            .order_by(InsuranceOrganization.id)
        )
        for org_id, network_id, name in session.execute(joined):
            networks.setdefault(org_id, []).append(EntityLink(network_id, name))
    result: list[ResourceRecord] = []
    for index, record in enumerate(records):
        org_id = owners.get(index)
        if org_id is None:
            result.append(record)
            continue
        changes: dict[str, Any] = {"endpoints": tuple(endpoints.get(org_id, ()))}
        if isinstance(record, PractitionerRoleRecord):
            changes["networks"] = tuple(networks.get(org_id, ()))
        result.append(dataclasses.replace(record, **changes))
    return result


def _owner_id(record: ResourceRecord) -> int | None:
    if isinstance(record, OrganizationRecord):
        return record.id
    if isinstance(record, LocationRecord | PractitionerRoleRecord | HealthcareServiceRecord):
        return record.organization.id if record.organization is not None else None
    return None
