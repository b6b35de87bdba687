"""Where the organizations and locations of a FHIR import are: a location row's values from an address,
an organization without a Location resource placed at its own address, and that place taken over by the
organization's first Location resource when it comes in a later run (one NDJSON file per type).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from onconav.directory.bulk import fit, full_row
from onconav.directory.imports.formats.fhir_bundles import SOURCE, AddressFields
from onconav.directory.imports.framework import WriteBatch
from onconav.directory.imports.placement import place
from onconav.directory.models import Location, Organization
from onconav.geo import service as geo

ZIP_DIGITS = 5


def location_values(
    name: str, address: AddressFields, lat: float | None = None, lon: float | None = None
) -> dict[str, Any]:
    """A location row's values: the address, placed at its position, else its ZIP centroid."""
    country = address.country_code or "US"
    state = address.region_code
    postal = address.postal_code or ""
    in_us = address.country_code == "US"
    zip5 = postal[:ZIP_DIGITS] if in_us and len(postal) >= ZIP_DIGITS else None  # ZIP+4 placed by its ZIP
    placement = place(lat=lat, lon=lon, zip_code=zip5)
    return {
        "name": fit("location", "name", name or address.line or address.city or "Location"),
        "line": (address.line or None) and fit("location", "line", address.line),
        "city": fit("location", "city", address.city or ""),
        "region": (geo.us_state_name(state) or state) if country == "US" and state else state,
        "region_code": state,
        "postal_code": address.postal_code,
        "country_code": fit("location", "country_code", country),
        "country": "United States" if country == "US" else country,
        "lat": placement.lat,
        "lon": placement.lon,
        "geocode_precision": placement.precision,
        "quality_flags": placement.quality_flags,
    }


def take_placed_location(connection: Connection, organization_id: int, *, located: set[int]) -> int | None:
    """The location an earlier run placed from a FHIR organization's own address, which the
    organization's first Location resource (imported later, e.g. from the next NDJSON file) replaces
    rather than adds to (`located`: locations written from Location resources); its placement flags leave the
    organization. None when there is none."""
    rows = connection.execute(
        select(Location.id, Location.quality_flags, Organization.quality_flags)
        .join(Organization, Organization.id == Location.organization_id)
        .where(Location.organization_id == organization_id, Organization.source == SOURCE)
        .order_by(Location.id)
    )
    for location_id, location_flags, organization_flags in rows:
        if location_id in located:
            continue
        if location_flags and organization_flags == location_flags:
            connection.execute(
                update(Organization).where(Organization.id == organization_id).values(quality_flags=[])
            )
        return int(location_id)
    return None


def place_organizations(
    batch: WriteBatch, organization_ids: set[int], addresses: dict[int, AddressFields | None]
) -> None:
    """Organizations without a Location resource get one from their own address."""
    if not organization_ids:
        return
    placed = set(
        batch.connection.scalars(
            select(Location.organization_id).where(Location.organization_id.in_(sorted(organization_ids)))
        )
    )
    rows = []
    for organization_id in sorted(organization_ids - placed):
        address = addresses.get(organization_id)
        if not address or not address.city:
            continue
        name = (
            batch.connection.scalar(select(Organization.name).where(Organization.id == organization_id)) or ""
        )
        rows.append(
            full_row(
                "location",
                id=batch.new_id("location"),
                organization_id=organization_id,
                **location_values(name, address),
            )
        )
    batch.writer.add_rows("location", rows)
    flags = {row["organization_id"]: row["quality_flags"] for row in rows}
    if flags:
        batch.connection.execute(
            update(Organization)
            .where(Organization.id == bindparam("org"))
            .values(quality_flags=bindparam("flags")),
            [{"org": org, "flags": value} for org, value in flags.items()],
        )
