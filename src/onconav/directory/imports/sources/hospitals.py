"""The importer of hospital files (`cms-hospitals`, `hifld-hospitals`) on the shared import framework.

Each hospital becomes an organization of kind hospital with one location; CMS hospitals with emergency
services offer the `emergency-department` service (searchable). Once a file is in, duplicates across
sources are linked (`linking.link_hospitals`). Parsing: `formats.cms_hospitals`, `formats.hifld_hospitals`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from onconav.directory.bulk import TABLES, fit, full_row, reindex_organizations
from onconav.directory.imports.formats import cms_hospitals, hifld_hospitals
from onconav.directory.imports.formats.hospital_records import HospitalRecord, title_case
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.imports.framework import (
    ImportSource,
    Outcome,
    Prepared,
    RawRecord,
    Rejected,
    WriteBatch,
    csv_records,
    row_hash,
)
from onconav.directory.imports.placement import keeps_current_coordinates, place
from onconav.directory.imports.sources.row_values import LocationValues, RowValues
from onconav.directory.indexing import OrganizationBundle
from onconav.directory.models import HealthcareService, Location
from onconav.geo import service as geo

MAPPING_VERSION = "1"  # part of every row hash: bump when what is kept from a row changes
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


@dataclass(frozen=True, slots=True)
class HospitalFields(RowValues):
    """The organization columns a hospital source owns (written on insert and update)."""

    name: str
    source_name: str  # as the file spells it
    phone: str | None
    website: str | None
    cms_ccn: str | None
    hifld_id: str | None
    hospital_type: str | None
    ownership: str | None
    emergency_services: bool | None
    cms_star_rating: int | None
    beds: int | None


@dataclass(frozen=True, slots=True)
class HospitalPayload:
    """A hospital: its organization columns, its one location, and the services it is searchable for."""

    organization: HospitalFields
    location: LocationValues
    services: list[str]


def location_of(record: HospitalRecord) -> LocationValues:
    """The location of a hospital: the source's coordinates, else its ZIP centroid, else not placed."""
    in_states = record.country_code == "US"
    return LocationValues.placed(
        place(
            lat=record.lat,
            lon=record.lon,
            zip_code=record.postal_code,
            flags=record.quality_flags,
            check_zip=True,
        ),
        name=fit("location", "name", title_case(record.name)),
        line=fit("location", "line", title_case(record.line)) if record.line else None,
        city=fit("location", "city", title_case(record.city)),
        region=(geo.us_state_name(record.state) or record.state) if in_states else record.state,
        region_code=record.state,
        postal_code=record.postal_code,
        country_code=record.country_code,
        country=COUNTRY_NAMES.get(record.country_code, record.country_code),
        phone=record.phone,
    )


def payload_of(record: HospitalRecord) -> HospitalPayload:
    """What the directory keeps of a hospital."""
    organization = HospitalFields(
        name=fit("organization", "name", title_case(record.name)),
        source_name=fit("organization", "source_name", record.name),
        phone=record.phone,
        website=record.website,
        cms_ccn=record.source_id if record.source == cms_hospitals.SOURCE else None,
        hifld_id=record.source_id if record.source == hifld_hospitals.SOURCE else None,
        hospital_type=record.hospital_type,
        ownership=record.ownership,
        emergency_services=record.emergency_services,
        cms_star_rating=record.star_rating,
        beds=record.beds,
    )
    services = [EMERGENCY_SERVICE] if record.emergency_services else []
    return HospitalPayload(organization, location_of(record), services)


def _hash(payload: HospitalPayload) -> str:
    organization = payload.organization.row()
    location = payload.location.row()
    return row_hash(
        MAPPING_VERSION,
        *(f"{key}={organization[key]}" for key in sorted(organization)),
        *(f"{key}={location[key]}" for key in sorted(location)),
        *payload.services,
    )


class HospitalFileSource(ImportSource[dict[str, str], HospitalPayload]):
    """A CSV of hospitals parsed by `parse` into `HospitalRecord`s."""

    required_columns: ClassVar[tuple[str, ...]]
    id_column: ClassVar[str]

    @abstractmethod
    def parse(self, values: dict[str, str]) -> HospitalRecord:
        """The hospital of one row, or RowRejected."""

    def records(
        self, path: Path, *, start_row: int, start_offset: int
    ) -> Iterator[RawRecord[dict[str, str]]]:
        yield from csv_records(
            path,
            required=self.required_columns,
            title=self.title,
            start_row=start_row,
            start_offset=start_offset,
        )

    def prepare(self, record: RawRecord[dict[str, str]]) -> Outcome[HospitalPayload]:
        try:
            hospital = self.parse(record.data)
        except RowRejected as error:
            source_id = (record.data.get(self.id_column) or "").strip() or None
            return Rejected(source_id, f"{error.reason}: {error.message}")
        payload = payload_of(hospital)
        return Prepared(hospital.source_id, "organization", _hash(payload), payload)

    def insert(self, batch: WriteBatch, items: list[Prepared[HospitalPayload]]) -> list[int]:
        ids = []
        for item in items:
            organization_id = batch.new_id("organization")
            location_id = batch.new_id("location")
            location = full_row(
                "location", id=location_id, organization_id=organization_id, **item.payload.location.row()
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
                **item.payload.organization.row(),
            )
            services = _service_rows(organization_id, location_id, item.payload.services)
            batch.writer.add_bundle(
                OrganizationBundle(organization=organization, location=location, services=services)
            )
            ids.append(organization_id)
        batch.writer.flush()
        return ids

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared[HospitalPayload]]]) -> None:
        connection = batch.connection
        table = TABLES["organization"]
        rows = [
            {
                "entity_id": entity_id,
                **item.payload.organization.row(),
                "quality_flags": item.payload.location.quality_flags,
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
            location_id = self._rewrite_location(batch, entity_id, item.payload.location)
            connection.execute(
                delete(HealthcareService).where(
                    HealthcareService.organization_id == entity_id,
                    HealthcareService.service_code == EMERGENCY_SERVICE,
                )
            )
            batch.writer.add_rows(
                "healthcare_service", _service_rows(entity_id, location_id, item.payload.services)
            )
        batch.writer.flush()
        reindex_organizations(connection, [entity_id for entity_id, _ in items])

    def _rewrite_location(self, batch: WriteBatch, organization_id: int, values: LocationValues) -> int:
        """Rewrite the hospital's first location (or add it) and return its id; coordinates that rank above
        the new ones (placement: a linked duplicate's) stay, the rest of the address is refreshed."""
        connection = batch.connection
        current = connection.execute(
            select(Location.id, Location.geocode_precision)
            .where(Location.organization_id == organization_id)
            .order_by(Location.id)
            .limit(1)
        ).first()
        if current is None:
            location_id = batch.new_id("location")
            batch.writer.add_rows(
                "location",
                [full_row("location", id=location_id, organization_id=organization_id, **values.row())],
            )
            return location_id
        if keeps_current_coordinates(current.geocode_precision, values.geocode_precision):
            kept = values.without_coordinates()
            connection.execute(update(Location).where(Location.id == current.id).values(**kept))
        else:
            connection.execute(update(Location).where(Location.id == current.id).values(**values.row()))
        return int(current.id)

    def finish(self, connection: Connection) -> None:
        """Link duplicates across sources once the whole file is in (the rule reads every hospital), then
        apply the cancer signals (NCI designations, trial sites, specialists: directory/signals.py)."""
        from onconav.directory.imports.linking import link_hospitals
        from onconav.directory.signals import refresh_hospital_signals

        link_hospitals(connection)
        refresh_hospital_signals(connection)


def _service_rows(organization_id: int, location_id: int, codes: list[str]) -> list[dict[str, object]]:
    return [
        full_row(
            "healthcare_service",
            organization_id=organization_id,
            location_id=location_id,
            service_code=code,
            annual_volume=None,
        )
        for code in codes
    ]


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
