"""The Plan-Net criteria of resource searches as SQL: when a record was last updated, chained searches, its
organization's endpoints and networks, organization and location types, role codes, any address part.

Called by `resource_queries` (provider kinds) and `insurance_queries` (insurance kinds) for the criteria
they do not handle themselves; `conditions` is handed in so that a chained search can ask for the
conditions of its target kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, false, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from onconav.directory.models import (
    DirectoryEndpoint,
    HealthcareService,
    Location,
    NetworkParticipation,
    Organization,
    Practitioner,
    PractitionerRole,
)
from onconav.directory.resource_records import (
    UNDATED,
    AddressMatches,
    CodesIn,
    Criterion,
    IdsIn,
    LastUpdated,
    ResourceKind,
    TextMatch,
)

ConditionsOf = Callable[[Session, ResourceKind, Sequence[Criterion]], list[ColumnElement[bool]]]

# Plan-Net organization type codes (OrgTypeCS) and HL7 "prov" -> the directory's organization kinds.
ORGANIZATION_TYPE_KINDS: dict[str, tuple[str, ...]] = {
    "prov": ("hospital", "cancer_center", "clinic"),
    "fac": ("hospital", "cancer_center"),
    "prvgrp": ("clinic",),
}
# HL7 v3 RoleCode location types -> the kinds of the organizations whose locations they are.
LOCATION_TYPE_KINDS: dict[str, tuple[str, ...]] = {
    "HOSP": ("hospital",),
    "ONCL": ("cancer_center",),
    "OF": ("clinic",),
}
# Plan-Net practitioner role codes -> the credentials that make them (one credential of the list).
ROLE_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "ph": ("MD", "DO"),
    "np": ("NP",),
    "pa": ("PA",),
    "rn": ("RN",),
}


def role_codes(credentials: str | None) -> list[str]:
    """The role codes a practitioner's credentials ("MD, PhD") give (the same rule as `_role_condition`)."""
    held = set((credentials or "").replace(" ", "").upper().split(","))
    return [code for code, needed in ROLE_CREDENTIALS.items() if held & set(needed)]


def as_utc(moment: datetime | None) -> datetime:
    """A stored timestamp as aware UTC (SQLite hands back naive ones); None: UNDATED."""
    if moment is None:
        return UNDATED
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def last_updated_column(kind: ResourceKind) -> ColumnElement[Any]:
    """When a record of a provider kind was last updated: its own or its owner's `last_seen_at`."""
    undated = literal(UNDATED, DateTime(timezone=True))
    if kind == "Organization":
        return func.coalesce(Organization.last_seen_at, undated)
    if kind == "Practitioner":
        return func.coalesce(Practitioner.last_seen_at, undated)
    if kind == "PractitionerRole":
        owner = select(Practitioner.last_seen_at).where(Practitioner.id == PractitionerRole.practitioner_id)
        return func.coalesce(owner.scalar_subquery(), undated)
    org_id = Location.organization_id if kind == "Location" else HealthcareService.organization_id
    seen = select(Organization.last_seen_at).where(Organization.id == org_id)
    return func.coalesce(seen.scalar_subquery(), undated)


def time_range(column: ColumnElement[Any], criterion: LastUpdated) -> ColumnElement[bool]:
    """The column within the criterion's range (or outside it, for `ne`)."""
    parts: list[ColumnElement[bool]] = []
    if criterion.after is not None:
        parts.append(column >= literal(criterion.after.astimezone(UTC), DateTime(timezone=True)))
    if criterion.before is not None:
        parts.append(column < literal(criterion.before.astimezone(UTC), DateTime(timezone=True)))
    inside = and_(*parts) if parts else literal(True)
    return not_(inside) if criterion.negate else inside


def _endpoint_organizations(ids: tuple[int, ...]) -> Any:
    return select(DirectoryEndpoint.organization_id).where(DirectoryEndpoint.id.in_(ids)).scalar_subquery()


def _network_organizations(ids: tuple[int, ...]) -> Any:
    return (
        select(NetworkParticipation.organization_id)
        .where(NetworkParticipation.network_id.in_(ids))
        .scalar_subquery()
    )


def _owner_organization(kind: ResourceKind) -> Any:
    return {
        "Organization": Organization.id,
        "Location": Location.organization_id,
        "PractitionerRole": PractitionerRole.organization_id,
        "HealthcareService": HealthcareService.organization_id,
    }.get(kind)


def ids_condition(kind: ResourceKind, criterion: IdsIn) -> ColumnElement[bool] | None:
    """The Plan-Net reference criteria on a provider kind; None when `resource_queries` handles it."""
    if not criterion.ids and criterion.field not in ("id", "organization", "location", "practitioner"):
        return false()
    owner = _owner_organization(kind)
    if criterion.field == "endpoint" and owner is not None:
        return owner.in_(_endpoint_organizations(criterion.ids))
    if criterion.field == "network" and kind == "PractitionerRole":
        return PractitionerRole.organization_id.in_(_network_organizations(criterion.ids))
    if criterion.field == "coverage_area" and kind == "HealthcareService":
        return HealthcareService.location_id.in_(criterion.ids)
    if criterion.field in ("id", "organization", "location", "practitioner"):
        return None
    return false()  # partof, coverage-area of providers: none has one


def codes_condition(kind: ResourceKind, criterion: CodesIn) -> ColumnElement[bool] | None:
    """The Plan-Net token criteria on a provider kind; None when `resource_queries` handles it."""
    if criterion.field == "type" and kind in ("Organization", "Location"):
        table = ORGANIZATION_TYPE_KINDS if kind == "Organization" else LOCATION_TYPE_KINDS
        kinds = [org_kind for code in criterion.codes for org_kind in table.get(code, ())]
        if kind == "Organization":
            return Organization.kind.in_(kinds) if kinds else false()
        return Location.organization.has(Organization.kind.in_(kinds)) if kinds else false()
    if criterion.field == "role" and kind == "PractitionerRole":
        return PractitionerRole.practitioner.has(_role_condition(criterion.codes))
    if criterion.field in ("npi", "specialty", "service_code"):
        return None
    return false()


def _role_condition(codes: tuple[str, ...]) -> ColumnElement[bool]:
    """Practitioners holding one credential of the roles' (credentials are comma-separated)."""
    held = func.upper(func.replace(func.coalesce(Practitioner.credentials, ""), " ", ""))
    tests = []
    for code in codes:
        for credential in ROLE_CREDENTIALS.get(code, ()):
            tests += [
                held == credential,
                held.like(f"{credential},%"),
                held.like(f"%,{credential}"),
                held.like(f"%,{credential},%"),
            ]
    return or_(*tests) if tests else false()


def any_address(criterion: AddressMatches, text: Callable[[Any, str, TextMatch], Any]) -> ColumnElement[bool]:
    """`address`: any part of a location's address matches a value."""
    columns = (
        Location.line,
        Location.city,
        Location.region,
        Location.region_code,
        Location.postal_code,
        Location.country,
        Location.country_code,
    )
    tests = [text(column, value, criterion.match) for value in criterion.values for column in columns]
    return or_(*tests) if tests else false()
