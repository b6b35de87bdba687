"""The importer of hospital files (`cms-hospitals`, `hifld-hospitals`) on the shared import framework.

Each hospital becomes an organization of kind hospital with one location; CMS hospitals with emergency
services offer the `emergency-department` service (searchable). After each batch, duplicates across
sources are linked (`linking.link_hospitals`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from onconav.directory.bulk import TABLES, full_row, reindex_organizations
from onconav.directory.imports.formats import cms_hospitals, hifld_hospitals
from onconav.directory.imports.formats.csv_file import csv_rows
from onconav.directory.imports.formats.hospital_records import (
    FLAG_COORDINATES_FAR_FROM_ZIP,
    FLAG_ZIP_UNKNOWN,
    HospitalRecord,
    RowRejected,
    title_case,
)
from onconav.directory.imports.framework import (
    ImportSource,
    Outcome,
    Prepared,
    RawRecord,
    Rejected,
    WriteBatch,
    row_hash,
)
from onconav.directory.indexing import OrganizationBundle
from onconav.directory.models import FLAG_ADDRESS_NOT_PLACED, FLAG_ZIP_CENTROID, HealthcareService, Location
from onconav.geo import service as geo

MAPPING_VERSION = "1"  # part of every row hash: bump when what is kept from a row changes
FAR_FROM_ZIP_KM = 100.0
EMERGENCY_SERVICE = "emergency-department"
COUNTRY_NAMES = {
    "US": "United States",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
    "PW": "Palau",
}
# Organization columns a hospital source owns (written on insert and update).
ORGANIZATION_FIELDS = (
    "name",
    "phone",
    "website",
    "cms_ccn",
    "hifld_id",
    "hospital_type",
    "ownership",
    "emergency_services",
    "cms_star_rating",
    "beds",
)


def place(record: HospitalRecord) -> dict[str, Any]:
    """The location row of a hospital: the source's coordinates, else its ZIP centroid, else not placed."""
    flags = list(record.quality_flags)
    centroid = geo.zip_centroid(record.postal_code) if record.postal_code else None
    if record.postal_code and centroid is None:
        flags.append(FLAG_ZIP_UNKNOWN)
    lat, lon = record.lat, record.lon
    precision: str | None = "source"
    if lat is not None and lon is not None:
        if centroid is not None and geo.haversine_km(lat, lon, *centroid) > FAR_FROM_ZIP_KM:
            flags.append(FLAG_COORDINATES_FAR_FROM_ZIP)
    elif centroid is not None:
        lat, lon, precision = centroid[0], centroid[1], "zip_centroid"
        flags.append(FLAG_ZIP_CENTROID)
    else:
        precision = None
        flags.append(FLAG_ADDRESS_NOT_PLACED)
    in_states = record.country_code == "US"
    return {
        "name": title_case(record.name)[:300],
        "line": title_case(record.line)[:300] if record.line else None,
        "city": title_case(record.city)[:120],
        "region": (geo.us_state_name(record.state) or record.state) if in_states else record.state,
        "region_code": record.state,
        "postal_code": record.postal_code,
        "country_code": record.country_code,
        "country": COUNTRY_NAMES.get(record.country_code, record.country_code),
        "lat": lat,
        "lon": lon,
        "phone": record.phone,
        "geocode_precision": precision,
        "quality_flags": flags,
    }


class HospitalFileSource(ImportSource):
    """A CSV of hospitals parsed by `parse_row` into `HospitalRecord`s."""

    required_columns: ClassVar[tuple[str, ...]]
    id_column: ClassVar[str]

    @abstractmethod
    def parse(self, values: dict[str, str]) -> HospitalRecord:
        """The hospital of one row, or RowRejected."""

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord]:
        for row, offset, values in csv_rows(
            path,
            required=self.required_columns,
            title=self.title,
            start_row=start_row,
            start_offset=start_offset,
        ):
            yield RawRecord(row, offset, values)

    def prepare(self, record: RawRecord) -> Outcome:
        try:
            hospital = self.parse(record.data)
        except RowRejected as error:
            source_id = (record.data.get(self.id_column) or "").strip() or None
            return Rejected(source_id, f"{error.reason}: {error.message}")
        location = place(hospital)
        organization = {
            "name": title_case(hospital.name)[:300],
            "phone": hospital.phone,
            "website": hospital.website,
            "cms_ccn": hospital.source_id if hospital.source == "cms-hospitals" else None,
            "hifld_id": hospital.source_id if hospital.source == "hifld-hospitals" else None,
            "hospital_type": hospital.hospital_type,
            "ownership": hospital.ownership,
            "emergency_services": hospital.emergency_services,
            "cms_star_rating": hospital.star_rating,
            "beds": hospital.beds,
        }
        services = [EMERGENCY_SERVICE] if hospital.emergency_services else []
        payload = {"organization": organization, "location": location, "services": services}
        digest = row_hash(
            MAPPING_VERSION,
            *(f"{k}={organization[k]}" for k in sorted(organization)),
            *(f"{k}={location[k]}" for k in sorted(location)),
            *services,
        )
        return Prepared(hospital.source_id, "organization", digest, payload)

    def insert(self, batch: WriteBatch, items: list[Prepared]) -> list[int]:
        ids = []
        for item in items:
            organization_id = batch.new_id("organization")
            location_id = batch.new_id("location")
            location = full_row(
                "location", id=location_id, organization_id=organization_id, **item.payload["location"]
            )
            organization = full_row(
                "organization",
                id=organization_id,
                kind="hospital",
                designations=[],
                languages=[],
                is_demo=False,
                source=self.name,
                source_id=item.source_id,
                last_seen_at=batch.now,
                quality_flags=list(location["quality_flags"]),
                active=True,
                **item.payload["organization"],
            )
            services = [
                full_row(
                    "healthcare_service",
                    organization_id=organization_id,
                    location_id=location_id,
                    service_code=code,
                    annual_volume=None,
                )
                for code in item.payload["services"]
            ]
            batch.writer.add_bundle(
                OrganizationBundle(organization=organization, location=location, services=services)
            )
            ids.append(organization_id)
        batch.writer.flush()
        return ids

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared]]) -> None:
        connection = batch.connection
        table = TABLES["organization"]
        rows = [
            {
                "entity_id": entity_id,
                **item.payload["organization"],
                "quality_flags": item.payload["location"]["quality_flags"],
            }
            for entity_id, item in items
        ]
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("entity_id"))
            .values(
                {key: bindparam(key) for key in rows[0] if key != "entity_id"}
                | {"active": True, "last_seen_at": batch.now}
            ),
            rows,
        )
        for entity_id, item in items:
            location_id = connection.execute(
                select(Location.id)
                .where(Location.organization_id == entity_id)
                .order_by(Location.id)
                .limit(1)
            ).scalar()
            values = item.payload["location"]
            if location_id is None:
                location_id = batch.new_id("location")
                batch.writer.add_rows(
                    "location", [full_row("location", id=location_id, organization_id=entity_id, **values)]
                )
            elif (
                connection.execute(
                    select(Location.geocode_precision).where(Location.id == location_id)
                ).scalar()
                != "linked_source"
                or values["geocode_precision"] == "source"
            ):
                connection.execute(update(Location).where(Location.id == location_id).values(**values))
            else:  # keep the coordinates a linked source gave; refresh the rest
                kept = {k: v for k, v in values.items() if k not in ("lat", "lon", "geocode_precision")}
                connection.execute(update(Location).where(Location.id == location_id).values(**kept))
            connection.execute(
                delete(HealthcareService).where(
                    HealthcareService.organization_id == entity_id,
                    HealthcareService.service_code == EMERGENCY_SERVICE,
                )
            )
            batch.writer.add_rows(
                "healthcare_service",
                [
                    full_row(
                        "healthcare_service",
                        organization_id=entity_id,
                        location_id=location_id,
                        service_code=code,
                        annual_volume=None,
                    )
                    for code in item.payload["services"]
                ],
            )
        batch.writer.flush()
        reindex_organizations(connection, [entity_id for entity_id, _ in items])

    def finish(self, connection: Connection) -> None:
        """Link duplicates across sources once the whole file is in (the rule reads every hospital)."""
        from onconav.directory.imports.linking import link_hospitals

        link_hospitals(connection)


class CmsHospitalsSource(HospitalFileSource):
    """CMS Care Compare "Hospital General Information" (keyed by CMS Certification Number)."""

    name = cms_hospitals.SOURCE
    title = "CMS Hospital General Information"
    required_columns = cms_hospitals.REQUIRED_COLUMNS
    id_column = "Facility ID"

    def parse(self, values: dict[str, str]) -> HospitalRecord:
        return cms_hospitals.parse_row(values)


class HifldHospitalsSource(HospitalFileSource):
    """HIFLD "Hospitals" (keyed by the HIFLD ID)."""

    name = hifld_hospitals.SOURCE
    title = "HIFLD Hospitals"
    required_columns = hifld_hospitals.REQUIRED_COLUMNS
    id_column = "ID"

    def parse(self, values: dict[str, str]) -> HospitalRecord:
        return hifld_hospitals.parse_row(values)
