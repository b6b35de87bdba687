"""Organizations imported from FHIR linked to their CMS (or HIFLD) counterparts, right after a FHIR import.

A FHIR organization that gives a CMS Certification Number links to the CMS hospital with that number (rule
`ccn`); the others link by the documented cross-source rule of `linking.link` (phone, proximity, ZIP, city,
with name similarity), whatever kind the feed gave them (Synthea calls every hospital a "Healthcare
Provider"). Only FHIR rows not yet linked are considered, and only canonical registry hospitals are targets.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from onconav.directory.imports.linking import link, link_candidate
from onconav.directory.models import Location, Organization

REGISTRY_SOURCES = ("cms-hospitals", "hifld-hospitals")
CCN_RULE = "ccn"


def _rows(connection: Connection, *conditions: Any) -> list[Any]:
    o, loc = Organization, Location
    first_location = (
        select(func.min(loc.id)).where(loc.organization_id == o.id).correlate(o).scalar_subquery()
    )
    return list(
        connection.execute(
            select(
                o.id,
                o.name,
                o.phone,
                o.cms_ccn,
                o.other_identifiers,
                loc.city,
                loc.region_code,
                loc.postal_code,
                loc.lat,
                loc.lon,
                loc.geocode_precision,
            )
            .join(loc, loc.id == first_location)
            .where(o.active.is_(True), o.is_demo.is_(False), o.duplicate_of_id.is_(None), *conditions)
        )
    )


def link_fhir_organizations(connection: Connection) -> dict[str, int]:
    """Link unlinked FHIR organizations to the registry hospital they are; returns how many per rule."""
    fhir = _rows(connection, Organization.source == "fhir")
    if not fhir:
        return {}
    registry = _rows(
        connection,
        Organization.source.in_(REGISTRY_SOURCES),
        Organization.kind == "hospital",
        Location.region_code.in_({(row.region_code or "").upper() for row in fhir}),
    )
    by_ccn = {row.cms_ccn: row.id for row in registry if row.cms_ccn}
    wanted: dict[int, tuple[int, str]] = {}
    for row in fhir:
        if row.cms_ccn and row.cms_ccn in by_ccn:
            wanted[row.id] = (by_ccn[row.cms_ccn], CCN_RULE)
    taken = {target for target, _rule in wanted.values()}
    rest = [link_candidate(row) for row in fhir if row.id not in wanted]
    targets = [link_candidate(row) for row in registry if row.id not in taken]
    for item in link(targets, rest):
        wanted[int(item.duplicate)] = (int(item.canonical), item.rule)
    if wanted:
        connection.execute(
            update(Organization)
            .where(Organization.id == bindparam("org_id"))
            .values(duplicate_of_id=bindparam("target"), duplicate_rule=bindparam("rule")),
            [{"org_id": org, "target": target, "rule": rule} for org, (target, rule) in wanted.items()],
        )
    counts: dict[str, int] = {}
    for _target, rule in wanted.values():
        counts[rule] = counts.get(rule, 0) + 1
    return counts
