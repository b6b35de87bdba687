"""`onconav import fhir PATH`: FHIR R4 directory resources (a Bundle, or NDJSON) into the directory.

Bundles are read whole and ordered so that referenced resources come first (Organization, Location,
Practitioner, HealthcareService, PractitionerRole); NDJSON streams and must list them in that order.
Each resource is keyed by "Type/id"; references resolve within the input or to resources a previous
FHIR import wrote (their keys are recorded in `source_record`), so the NDJSON files of a Bulk Data export
(one per type) import one at a time, in the manifest's order. Organizations and practitioners with an NPI
the directory knows are updated, not doubled.
Reading and validating: `formats.fhir_bundles`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from onconav.directory.bulk import fit, full_row, reindex_organizations
from onconav.directory.imports.fhir_linking import link_fhir_organizations
from onconav.directory.imports.fhir_places import location_values, place_organizations, take_placed_location
from onconav.directory.imports.formats.fhir_bundles import (
    SOURCE,
    SUPPORTED,
    AddressFields,
    FhirRecord,
    LocationFields,
    NotDirectoryData,
    OrganizationFields,
    PractitionerFields,
    RoleFields,
    ServiceFields,
    key_of,
    ndjson_lines,
    read_resources,
    to_record,
)
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.imports.framework import (
    ImportSource,
    Outcome,
    Prepared,
    RawRecord,
    Rejected,
    WriteBatch,
    row_hash,
)
from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
    SourceRecord,
)

MAPPING_VERSION = "1"
TYPE_ORDER = {name: index for index, name in enumerate(SUPPORTED)}
ENTITY_KIND = {
    "Organization": "organization",
    "Location": "location",
    "Practitioner": "practitioner",
    "HealthcareService": "healthcare_service",
    "PractitionerRole": "practitioner_role",
}
REQUIRED_REFERENCES = {"organization", "practitioner"}

Resource = dict[str, Any] | RowRejected  # a resource as read, or why it could not be read
Writer = Callable[[WriteBatch, int | None, FhirRecord, set[int]], int]


class FhirSource(ImportSource[Resource, FhirRecord]):
    """FHIR R4 directory resources (Da Vinci PDex Plan-Net style)."""

    name = SOURCE
    title = "FHIR R4 directory Bundle or NDJSON"

    def __init__(self) -> None:
        self.known: set[str] = set()  # keys of usable resources met so far in the input, or imported before
        self.ids: dict[str, int] = {}  # key -> directory row id, for resources written in this run
        self.service_codes: dict[str, str] = {}  # HealthcareService key -> service code
        self.addresses: dict[int, AddressFields | None] = {}  # organization id -> its own address
        self.located: set[int] = set()  # ids of locations written from Location resources
        self.placed_checked: set[int] = set()  # organizations whose address-placed location was looked for
        self.writers: dict[str, Writer] = {
            "Organization": self._write_organization,
            "Location": self._write_location,
            "Practitioner": self._write_practitioner,
            "HealthcareService": self._write_healthcare_service,
            "PractitionerRole": self._write_practitioner_role,
        }

    # Reading ---------------------------------------------------------------------------------------

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord[Resource]]:
        if path.suffix.lower() == ".ndjson":
            for line in ndjson_lines(path):
                if line.row <= start_row:
                    self._remember(line.resource)  # resuming: references to resources already imported
                    continue
                yield RawRecord(line.row, line.end_offset, line.resource)
            return
        entries = list(read_resources(path))
        entries.sort(key=lambda item: TYPE_ORDER.get(_type(item[1]), len(TYPE_ORDER)))
        for index, (_position, resource) in enumerate(entries, start=1):
            if index <= start_row:
                self._remember(resource)
                continue
            yield RawRecord(index, index, resource)

    def begin(self, connection: Connection) -> None:
        """The keys of resources earlier FHIR imports wrote that others can reference (not roles), and the
        ids of their locations (an organization's other locations were placed from its own address)."""
        rows = connection.execute(
            select(SourceRecord.source_id, SourceRecord.entity_kind, SourceRecord.entity_id).where(
                SourceRecord.source == SOURCE, SourceRecord.entity_kind != "practitioner_role"
            )
        )
        for key, kind, entity_id in rows:
            self.known.add(key)
            if kind == "location":
                self.located.add(entity_id)

    def total_size(self, path: Path) -> int:
        if path.suffix.lower() == ".ndjson":
            return path.stat().st_size
        return sum(1 for _ in read_resources(path))

    def _remember(self, resource: Resource) -> None:
        if isinstance(resource, dict) and resource.get("resourceType") in SUPPORTED:
            with contextlib.suppress(RowRejected):
                self.known.add(key_of(resource))

    def finish(self, connection: Connection) -> None:
        """Link the imported organizations to their CMS (or HIFLD) counterparts (imports/fhir_linking.py)."""
        link_fhir_organizations(connection)

    # Preparing -------------------------------------------------------------------------------------

    def prepare(self, record: RawRecord[Resource]) -> Outcome[FhirRecord]:
        resource = record.data
        if isinstance(resource, RowRejected):
            return Rejected(None, f"{resource.reason}: {resource.message}")
        key = None
        try:
            key = key_of(resource)
            parsed = to_record(resource)
        except NotDirectoryData:
            return None  # skipped: not directory data (a Patient, an Encounter ...)
        except RowRejected as error:
            return Rejected(key, f"{error.reason}: {error.message}")
        resolved: dict[str, list[str]] = {}
        for role, keys in parsed.references.items():
            missing = [k for k in keys if k not in self.known]
            if missing and role in REQUIRED_REFERENCES:
                return Rejected(
                    key, f"unresolved_reference: {role} {missing[0]} is not in the input nor imported before"
                )
            resolved[role] = [k for k in keys if k in self.known]
        parsed = replace(parsed, references=resolved)
        self.known.add(parsed.key)
        if isinstance(parsed.fields, ServiceFields):
            self.service_codes[parsed.key] = parsed.fields.service_code
        digest = row_hash(
            MAPPING_VERSION,
            json.dumps(asdict(parsed.fields), sort_keys=True, default=str),
            json.dumps(parsed.references, sort_keys=True),
        )
        return Prepared(parsed.key, ENTITY_KIND[parsed.resource_type], digest, parsed)

    # Writing ---------------------------------------------------------------------------------------

    def match_existing(self, connection: Connection, items: list[Prepared[FhirRecord]]) -> dict[str, int]:
        """Organizations and practitioners (not demo) with the same NPI, written by another source."""
        found: dict[str, int] = {}
        for kind, model in (("organization", Organization), ("practitioner", Practitioner)):
            by_npi: dict[str, str] = {}
            for item in items:
                fields = item.payload.fields
                if (
                    item.entity_kind == kind
                    and isinstance(fields, OrganizationFields | PractitionerFields)
                    and fields.npi is not None
                ):
                    by_npi[fields.npi] = item.source_id
            if by_npi:
                rows = connection.execute(
                    select(model.npi, model.id).where(model.npi.in_(list(by_npi)), model.is_demo.is_(False))
                )
                found.update({by_npi[npi]: entity_id for npi, entity_id in rows if npi is not None})
        return found

    def _resolve(self, connection: Connection, keys: list[str]) -> dict[str, int]:
        """Directory ids of referenced resources: written in this run, or by an earlier FHIR import."""
        result = {key: self.ids[key] for key in keys if key in self.ids}
        missing = [key for key in keys if key not in result]
        if missing:
            rows = connection.execute(
                select(SourceRecord.source_id, SourceRecord.entity_id).where(
                    SourceRecord.source == SOURCE, SourceRecord.source_id.in_(missing)
                )
            )
            for key, entity_id in rows:
                result[key] = entity_id
                self.ids[key] = entity_id
        return result

    def insert(self, batch: WriteBatch, items: list[Prepared[FhirRecord]]) -> list[int]:
        return self._write(batch, [(None, item) for item in items])

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared[FhirRecord]]]) -> None:
        self._write(batch, [(entity_id, item) for entity_id, item in items])

    def _write(self, batch: WriteBatch, items: list[tuple[int | None, Prepared[FhirRecord]]]) -> list[int]:
        """Write records in type order (parents first); returns the id of each, in the given order."""
        connection = batch.connection
        touched: set[int] = set()  # organizations whose search entries must follow
        ids: dict[int, int] = {}
        order = sorted(range(len(items)), key=lambda i: TYPE_ORDER[items[i][1].payload.resource_type])
        for index in order:
            entity_id, item = items[index]
            record = item.payload
            ids[index] = self.writers[record.resource_type](batch, entity_id, record, touched)
            self.ids[record.key] = ids[index]
            batch.writer.flush()  # children below look their parents up in the database
        place_organizations(batch, touched, self.addresses)
        batch.writer.flush()
        reindex_organizations(connection, sorted(touched))
        return [ids[index] for index in range(len(items))]

    def _write_organization(
        self, batch: WriteBatch, entity_id: int | None, record: FhirRecord, touched: set[int]
    ) -> int:
        fields = record.fields
        assert isinstance(fields, OrganizationFields)
        values = {
            "name": fit("organization", "name", fields.name),
            "kind": fields.kind,
            "npi": fields.npi,
            "phone": fields.phone,
            "website": fields.website,
            "other_identifiers": fields.identifiers,
            "cms_ccn": fields.cms_ccn,
        }
        if entity_id is None:
            entity_id = batch.new_id("organization")
            batch.writer.add_rows(
                "organization",
                [
                    full_row(
                        "organization",
                        id=entity_id,
                        designations=[],
                        languages=[],
                        is_demo=False,
                        source=SOURCE,
                        source_id=record.key,
                        last_seen_at=batch.now,
                        active=True,
                        **values,
                    )
                ],
            )
        else:
            batch.connection.execute(
                update(Organization)
                .where(Organization.id == entity_id)
                .values(**values, last_seen_at=batch.now)
            )
        self.addresses[entity_id] = fields.address
        touched.add(entity_id)
        return entity_id

    def _write_location(
        self, batch: WriteBatch, entity_id: int | None, record: FhirRecord, touched: set[int]
    ) -> int:
        fields = record.fields
        assert isinstance(fields, LocationFields)
        keys = record.references["organization"]
        organization_id = self._resolve(batch.connection, keys)[keys[0]] if keys else None  # None: a practice
        values = {
            **location_values(fields.name, fields.address(), fields.lat, fields.lon),
            "organization_id": organization_id,
            "phone": fields.phone,
        }
        if entity_id is None and organization_id is not None and organization_id not in self.placed_checked:
            self.placed_checked.add(organization_id)
            entity_id = take_placed_location(batch.connection, organization_id, located=self.located)
        if entity_id is None:
            entity_id = batch.new_id("location")
            batch.writer.add_rows("location", [full_row("location", id=entity_id, **values)])
        else:
            batch.connection.execute(update(Location).where(Location.id == entity_id).values(**values))
        self.located.add(entity_id)
        if organization_id is not None:
            touched.add(organization_id)
        return entity_id

    def _write_practitioner(
        self, batch: WriteBatch, entity_id: int | None, record: FhirRecord, touched: set[int]
    ) -> int:
        fields = record.fields
        assert isinstance(fields, PractitionerFields)
        values = {
            "npi": fields.npi,
            "given_name": fit("practitioner", "given_name", fields.given_name),
            "family_name": fit("practitioner", "family_name", fields.family_name),
            "prefix": (fields.prefix or None) and fit("practitioner", "prefix", fields.prefix),
            "credentials": (fields.credentials or None)
            and fit("practitioner", "credentials", fields.credentials),
            "gender": fields.gender,
            "languages": fields.languages,
            "other_identifiers": fields.identifiers,
        }
        if entity_id is None:
            entity_id = batch.new_id("practitioner")
            batch.writer.add_rows(
                "practitioner",
                [
                    full_row(
                        "practitioner",
                        id=entity_id,
                        is_demo=False,
                        source=SOURCE,
                        source_id=record.key,
                        last_seen_at=batch.now,
                        active=True,
                        **values,
                    )
                ],
            )
        else:
            connection = batch.connection
            connection.execute(update(Practitioner).where(Practitioner.id == entity_id).values(**values))
            touched.update(
                org
                for org in connection.scalars(
                    select(PractitionerRole.organization_id).where(
                        PractitionerRole.practitioner_id == entity_id
                    )
                )
                if org is not None
            )
        return entity_id

    def _write_healthcare_service(
        self, batch: WriteBatch, entity_id: int | None, record: FhirRecord, touched: set[int]
    ) -> int:
        fields = record.fields
        assert isinstance(fields, ServiceFields)
        connection = batch.connection
        organization_key = record.references["organization"][0]
        organization_id = self._resolve(connection, record.references["organization"])[organization_key]
        locations = self._resolve(connection, record.references.get("location", []))
        location_id = next(iter(locations.values()), None)
        code = fields.service_code
        existing = self._service_id(connection, organization_id, code)
        if entity_id is None and existing is None:
            batch.writer.add_rows(
                "healthcare_service",
                [
                    full_row(
                        "healthcare_service",
                        organization_id=organization_id,
                        location_id=location_id,
                        service_code=code,
                        annual_volume=fields.annual_volume,
                    )
                ],
            )
            batch.writer.flush()
            existing = self._service_id(connection, organization_id, code)
            assert existing is not None
        else:  # one row per organization and service: a second resource for it updates the first
            target = existing if existing is not None else entity_id
            connection.execute(
                update(HealthcareService)
                .where(HealthcareService.id == target)
                .values(
                    organization_id=organization_id,
                    location_id=location_id,
                    service_code=code,
                    annual_volume=fields.annual_volume,
                )
            )
            existing = target
        touched.add(organization_id)
        assert existing is not None
        return int(existing)

    @staticmethod
    def _service_id(connection: Connection, organization_id: int, code: str) -> int | None:
        service_id: int | None = connection.execute(
            select(HealthcareService.id).where(
                HealthcareService.organization_id == organization_id, HealthcareService.service_code == code
            )
        ).scalar()
        return service_id

    def _write_practitioner_role(
        self, batch: WriteBatch, entity_id: int | None, record: FhirRecord, touched: set[int]
    ) -> int:
        fields = record.fields
        assert isinstance(fields, RoleFields)
        connection = batch.connection
        refs = record.references
        resolved = self._resolve(
            connection, [*refs["practitioner"], *refs["organization"], *refs.get("location", [])]
        )
        practitioner_id = resolved[refs["practitioner"][0]]
        organization_id = resolved[refs["organization"][0]] if refs["organization"] else None
        values = {
            "practitioner_id": practitioner_id,
            "organization_id": organization_id,
            "location_id": next((resolved[k] for k in refs.get("location", []) if k in resolved), None),
            "specialty": fields.specialty,
            "accepting_new_patients": fields.accepting_new_patients,
        }
        if entity_id is None:
            entity_id = batch.new_id("practitioner_role")
            batch.writer.add_rows(
                "practitioner_role", [full_row("practitioner_role", id=entity_id, is_primary=True, **values)]
            )
            batch.writer.flush()
        else:
            connection.execute(
                update(PractitionerRole).where(PractitionerRole.id == entity_id).values(**values)
            )
        codes = set()
        for key in refs.get("healthcareService", []):
            code = self.service_codes.get(key)
            if code is None:
                service_id = self._resolve(connection, [key]).get(key)
                code = connection.scalar(
                    select(HealthcareService.service_code).where(HealthcareService.id == service_id)
                )
            if code:
                codes.add(code)
        held = set(
            connection.scalars(
                select(PractitionerRoleService.service_code).where(
                    PractitionerRoleService.role_id == entity_id
                )
            )
        )
        rows = [
            full_row("practitioner_role_service", role_id=entity_id, service_code=code, annual_volume=None)
            for code in sorted(codes - held)
        ]
        batch.writer.add_rows("practitioner_role_service", rows)
        if organization_id is not None:
            touched.add(organization_id)
        return entity_id


def _type(resource: Resource) -> str:
    return str(resource.get("resourceType")) if isinstance(resource, dict) else ""
