"""Resource searches and reads over the directory tables: criteria become SQL, rows become typed records.

Read-only; paging is by id order, so pages are stable. The records and criteria: `resource_records`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from onconav.directory import duplicates, insurance_queries, plannet_conditions
from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
)
from onconav.directory.resource_records import (
    AddressMatches,
    AddressRecord,
    Chained,
    CodesIn,
    Criterion,
    EntityLink,
    HealthcareServiceRecord,
    IdsIn,
    LastUpdated,
    LocationRecord,
    NameMatches,
    Near,
    OrganizationRecord,
    PerformsServicesOf,
    PersonNameMatches,
    PractitionerRecord,
    PractitionerRoleRecord,
    ResourceKind,
    ResourcePage,
    ResourceRecord,
    ResourceSearch,
    RoleServiceRecord,
    TextMatch,
)
from onconav.geo import service as geo
from onconav.text import fold

Model = (
    type[Organization]
    | type[Location]
    | type[Practitioner]
    | type[PractitionerRole]
    | type[HealthcareService]
)
MODELS: dict[ResourceKind, Model] = {
    "Organization": Organization,
    "Location": Location,
    "Practitioner": Practitioner,
    "PractitionerRole": PractitionerRole,
    "HealthcareService": HealthcareService,
}
# The relationships each kind's records read, loaded with the rows.
LOADS: dict[ResourceKind, list[LoaderOption]] = {
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
# The column of the entity a record belongs to (IdsIn), per kind.
OWNER_COLUMNS: dict[tuple[ResourceKind, str], Any] = {
    ("Location", "organization"): Location.organization_id,
    ("PractitionerRole", "organization"): PractitionerRole.organization_id,
    ("PractitionerRole", "location"): PractitionerRole.location_id,
    ("PractitionerRole", "practitioner"): PractitionerRole.practitioner_id,
    ("HealthcareService", "organization"): HealthcareService.organization_id,
    ("HealthcareService", "location"): HealthcareService.location_id,
}
CODE_COLUMNS: dict[tuple[ResourceKind, str], Any] = {
    ("Organization", "npi"): Organization.npi,
    ("Practitioner", "npi"): Practitioner.npi,
    ("PractitionerRole", "specialty"): PractitionerRole.specialty,
    ("HealthcareService", "service_code"): HealthcareService.service_code,
}
NAME_COLUMNS: dict[tuple[ResourceKind, str], Any] = {
    ("Organization", "name"): Organization.name,
    ("Location", "name"): Location.name,
    ("Practitioner", "family"): Practitioner.family_name,
    ("Practitioner", "given"): Practitioner.given_name,
}


def search_resources(session: Session, search: ResourceSearch) -> ResourcePage:
    """The records of `search.kind` meeting every criterion: the total and one page, in id order."""
    criteria = _without_chains(session, search.criteria)
    if search.kind in insurance_queries.KINDS:
        found = insurance_queries.page_ids(session, search, criteria)
        records = list_resources(session, search.kind, found.ids)
        return ResourcePage(total=found.total, records=records[::-1] if search.descending else records)
    model = MODELS[search.kind]
    conditions = [_condition(session, search.kind, criterion) for criterion in criteria]
    if search.kind == "Organization":
        return _canonical_organizations(session, search, conditions)
    total = session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
    order = model.id.desc() if search.descending else model.id
    page: Select[Any] = (
        select(model.id).where(*conditions).order_by(order).offset(search.offset).limit(search.count)
    )
    # Past the last match there is nothing to read (and PostgreSQL refuses offsets beyond 64 bits).
    ids = list(session.scalars(page).all()) if search.offset < total and search.count else []
    records = list_resources(session, search.kind, ids)
    return ResourcePage(total=total, records=records[::-1] if search.descending else records)


def matching_ids(session: Session, kind: ResourceKind, criteria: Sequence[Criterion]) -> list[int]:
    """The ids of every record of `kind` meeting the criteria (the target of a chained search)."""
    criteria = _without_chains(session, criteria)
    if kind in insurance_queries.KINDS:
        return insurance_queries.all_ids(session, kind, criteria)
    model = MODELS[kind]
    conditions = [_condition(session, kind, criterion) for criterion in criteria]
    return list(session.scalars(select(model.id).where(*conditions)).all())


def _without_chains(session: Session, criteria: Sequence[Criterion]) -> tuple[Criterion, ...]:
    """Chained criteria as the ids their targets have (PractitionerRole?location.near=... : location ids)."""
    return tuple(
        IdsIn(c.field, tuple(matching_ids(session, c.target.kind, c.target.criteria)))
        if isinstance(c, Chained)
        else c
        for c in criteria
    )


def _canonical_organizations(
    session: Session, search: ResourceSearch, conditions: list[ColumnElement[bool]]
) -> ResourcePage:
    """Organizations meeting the criteria, each linked duplicate counted as its canonical organization once
    (one hospital, one resource)."""
    canonical = func.coalesce(Organization.duplicate_of_id, Organization.id).label("canonical")
    matching = select(canonical).where(*conditions).distinct().subquery()
    total = session.scalar(select(func.count()).select_from(matching)) or 0
    order = matching.c.canonical.desc() if search.descending else matching.c.canonical
    page = select(matching.c.canonical).order_by(order).offset(search.offset).limit(search.count)
    ids = list(session.scalars(page).all()) if search.offset < total and search.count else []
    records = list_resources(session, "Organization", ids)
    return ResourcePage(total=total, records=records[::-1] if search.descending else records)


def list_resources(session: Session, kind: ResourceKind, ids: Sequence[int]) -> list[ResourceRecord]:
    """The records of `kind` with these ids that exist, in id order."""
    if not ids:
        return []
    if kind in insurance_queries.KINDS:
        return insurance_queries.list_records(session, kind, ids)
    return insurance_queries.with_plannet_links(session, _provider_records(session, kind, ids))


def _provider_records(session: Session, kind: ResourceKind, ids: Sequence[int]) -> list[ResourceRecord]:
    model = MODELS[kind]
    query = select(model).where(model.id.in_(ids)).order_by(model.id).options(*LOADS[kind])
    rows = session.scalars(query).all()
    if kind == "PractitionerRole":
        return list(_role_records(session, [row for row in rows if isinstance(row, PractitionerRole)]))
    if kind == "Organization":
        orgs = [row for row in rows if isinstance(row, Organization)]
        facts = duplicates.merged_many(session, [org.id for org in orgs if org.duplicate_of_id is None])
        return [_organization_record(org, facts.get(org.id)) for org in orgs]
    converters: dict[ResourceKind, Callable[[Any], ResourceRecord]] = {
        "Location": _location_record,
        "Practitioner": _practitioner_record,
        "HealthcareService": _service_record,
    }
    return [converters[kind](row) for row in rows]


# --- criteria as SQL --------------------------------------------------------------------------------------


def _text(column: Any, value: str, match: TextMatch) -> ColumnElement[bool]:
    lowered = func.lower(column)
    if match == "exact":
        return column == value
    if match == "starts":
        return lowered.startswith(value.lower(), autoescape=True)
    return lowered.contains(value.lower(), autoescape=True)


def _any_of(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """Any of the conditions; none at all restricts nothing."""
    return or_(*conditions) if conditions else true()


def _condition(session: Session, kind: ResourceKind, criterion: Criterion) -> ColumnElement[bool]:
    """The SQL condition of one criterion on the records of `kind`."""
    model = MODELS[kind]
    if isinstance(criterion, LastUpdated):
        return plannet_conditions.time_range(plannet_conditions.last_updated_column(kind), criterion)
    if isinstance(criterion, Chained):  # resolved by _without_chains before
        raise ValueError("chained criteria are resolved into ids first")
    if isinstance(criterion, IdsIn):
        special = plannet_conditions.ids_condition(kind, criterion)
        if special is not None:
            return special
        column = model.id if criterion.field == "id" else OWNER_COLUMNS[(kind, criterion.field)]
        return column.in_(criterion.ids) if criterion.ids else false()
    if isinstance(criterion, CodesIn):
        special = plannet_conditions.codes_condition(kind, criterion)
        if special is not None:
            return special
        column = CODE_COLUMNS[(kind, criterion.field)]
        return column.in_(criterion.codes) if criterion.codes else false()
    if isinstance(criterion, NameMatches):
        column = NAME_COLUMNS[(kind, criterion.field)]
        if criterion.field == "name" and criterion.match != "exact":
            return _any_of([_name_words(column, value, criterion.match) for value in criterion.values])
        return _any_of([_text(column, value, criterion.match) for value in criterion.values])
    if isinstance(criterion, PersonNameMatches):
        return _any_of([_person_name(value, criterion.exact) for value in criterion.values])
    if isinstance(criterion, AddressMatches):
        condition = (
            plannet_conditions.any_address(criterion, _text)
            if criterion.part == "any"
            else _address(criterion)
        )
        if kind == "Organization":
            return Organization.locations.any(condition)
        if kind == "PractitionerRole":
            return PractitionerRole.location.has(condition)
        return condition
    if isinstance(criterion, Near):
        if kind == "PractitionerRole":  # through the role's location
            return PractitionerRole.location.has(_near(session, criterion))
        return _near(session, criterion)
    return _performs_services_of(criterion)


def _name_words(column: Any, value: str, match: TextMatch) -> ColumnElement[bool]:
    """An organization or location name holding every word of `value` whatever the punctuation and spacing
    between them ("Dana-Farber" finds "DANA - FARBER CANCER INSTITUTE", "md anderson" finds "M.D. Anderson");
    with `starts`, the name starts with the first word."""
    words = [word for word in fold(value).split() if word]
    if not words:
        return _text(column, value, match)
    conditions = []
    for index, word in enumerate(words):
        forms = [word, ".".join(word) + "."] if 2 <= len(word) <= 3 and word.isalpha() else [word]
        test: TextMatch = "starts" if match == "starts" and index == 0 else "contains"
        conditions.append(or_(*(_text(column, form, test) for form in forms)))
    return and_(*conditions)


def _person_name(value: str, exact: bool) -> ColumnElement[bool]:
    words = value.split()
    match: TextMatch = "exact" if exact else "contains"
    if exact or len(words) < 2:
        return or_(
            _text(Practitioner.given_name, value, match), _text(Practitioner.family_name, value, match)
        )
    # "Ana Ruiz": every word in the given or the family name.
    return and_(
        *(
            or_(
                _text(Practitioner.given_name, word, "contains"),
                _text(Practitioner.family_name, word, "contains"),
            )
            for word in words
        )
    )


def _address(criterion: AddressMatches) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for value in criterion.values:
        if criterion.part == "city":
            conditions.append(_text(Location.city, value, criterion.match))
        elif criterion.part == "state":
            conditions.append(
                or_(
                    _text(Location.region_code, value, criterion.match),
                    _text(Location.region, value, criterion.match),
                )
            )
        else:
            conditions.append(_text(Location.postal_code, value, criterion.match))
    return or_(*conditions) if conditions else false()


def _near(session: Session, near: Near) -> ColumnElement[bool]:
    """Locations within the distance: candidates from a bounding box, checked with haversine."""
    box = geo.bounding_box(near.lat, near.lon, near.distance_km)
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
        and geo.haversine_km(near.lat, near.lon, row_lat, row_lon) <= near.distance_km
    ]
    return Location.id.in_(ids) if ids else false()


def _performs_services_of(criterion: PerformsServicesOf) -> ColumnElement[bool]:
    """Roles that perform the service of a HealthcareService (same organization, same service code)."""
    if not criterion.healthcare_service_ids:
        return false()
    codes = select(HealthcareService.service_code).where(
        HealthcareService.id.in_(criterion.healthcare_service_ids),
        HealthcareService.organization_id == PractitionerRole.organization_id,
    )
    return PractitionerRole.services.any(PractitionerRoleService.service_code.in_(codes.scalar_subquery()))


# --- rows as records --------------------------------------------------------------------------------------


def _address_record(location: Location) -> AddressRecord:
    return AddressRecord(
        line=location.line,
        city=location.city,
        region=location.region,
        region_code=location.region_code,
        postal_code=location.postal_code,
        country_code=location.country_code,
    )


def _organization_record(
    org: Organization, merged: duplicates.MergedOrganization | None
) -> OrganizationRecord:
    facts = merged.facts if merged is not None else {}

    def fact(name: str) -> Any:
        value = getattr(org, name)
        return value if value not in (None, "") else facts.get(name)

    return OrganizationRecord(
        id=org.id,
        is_demo=org.is_demo,
        npi=fact("npi"),
        kind=org.kind,
        name=org.name,
        phone=fact("phone"),
        website=fact("website"),
        address=_address_record(org.locations[0]) if org.locations else None,
        cms_ccn=fact("cms_ccn"),
        hifld_id=fact("hifld_id"),
        hospital_type=fact("hospital_type"),
        ownership=fact("ownership"),
        emergency_services=org.emergency_services,
        cms_star_rating=org.cms_star_rating,
        beds=fact("beds"),
        sources=tuple(merged.sources) if merged is not None else (org.source,),
        duplicate_of=org.duplicate_of_id,
        identifiers=_identifiers(org.other_identifiers),
        last_updated=plannet_conditions.as_utc(org.last_seen_at),
    )


def _location_record(location: Location) -> LocationRecord:
    org = location.organization
    return LocationRecord(
        id=location.id,
        is_demo=org.is_demo if org is not None else False,
        name=location.name,
        address=_address_record(location),
        lat=location.lat,
        lon=location.lon,
        organization=EntityLink(org.id, org.name) if org is not None else None,
        last_updated=plannet_conditions.as_utc(org.last_seen_at if org is not None else None),
        organization_kind=org.kind if org is not None else None,
    )


def _practitioner_record(person: Practitioner) -> PractitionerRecord:
    return PractitionerRecord(
        id=person.id,
        is_demo=person.is_demo,
        npi=person.npi,
        display_name=person.display_name,
        family_name=person.family_name,
        given_name=person.given_name,
        prefix=person.prefix,
        credentials=person.credentials,
        gender=person.gender,
        languages=tuple(person.languages or ()),
        identifiers=_identifiers(person.other_identifiers),
        last_updated=plannet_conditions.as_utc(person.last_seen_at),
    )


def _identifiers(kept: list[dict[str, str]] | None) -> tuple[tuple[str | None, str], ...]:
    return tuple((item.get("system"), item["value"]) for item in kept or [] if item.get("value"))


def _role_records(session: Session, roles: list[PractitionerRole]) -> list[PractitionerRoleRecord]:
    """Roles, with the ids of their organizations' services that they perform."""
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
    records = []
    for role in roles:
        person = role.practitioner
        services: list[RoleServiceRecord] = []
        if role.organization_id is not None:
            for performed in role.services:
                offered = service_ids.get((role.organization_id, performed.service_code))
                if offered is not None:
                    services.append(RoleServiceRecord(offered, performed.service_code))
        records.append(
            PractitionerRoleRecord(
                id=role.id,
                is_demo=person.is_demo,
                practitioner=EntityLink(person.id, person.display_name),
                organization=EntityLink(role.organization.id, role.organization.name)
                if role.organization
                else None,
                location=EntityLink(role.location.id, role.location.name) if role.location else None,
                specialty=role.specialty,
                services=tuple(services),
                accepting_new_patients=role.accepting_new_patients,
                credentials=person.credentials,
                last_updated=plannet_conditions.as_utc(person.last_seen_at),
            )
        )
    return records


def _service_record(offered: HealthcareService) -> HealthcareServiceRecord:
    org = offered.organization
    location = None
    if offered.location_id is not None:
        own = next((loc for loc in org.locations if loc.id == offered.location_id), None)
        location = EntityLink(offered.location_id, own.name if own else None)
    return HealthcareServiceRecord(
        id=offered.id,
        is_demo=org.is_demo,
        organization=EntityLink(org.id, org.name),
        service_code=offered.service_code,
        annual_volume=offered.annual_volume,
        location=location,
        last_updated=plannet_conditions.as_utc(org.last_seen_at),
    )
