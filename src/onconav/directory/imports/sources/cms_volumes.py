"""`onconav import cms-volumes PATH`: yearly Medicare services per NPI and procedure, stored on the
practitioner's role services (volume and its source, e.g. "CMS Medicare 2023"), so ranking and `why` use them.

One record per NPI (rows are grouped; CMS sorts its files by NPI). Practitioners already in the directory
get the volumes on their best-fitting role; NPIs the directory does not know are added from the file's own
identity columns, at their ZIP centroid, under the specialty their CMS provider type names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, delete, select, update

from onconav.db import in_list_chunks
from onconav.directory.bulk import TABLES, fit, full_row, reindex_organizations
from onconav.directory.imports.formats import cms_volumes
from onconav.directory.imports.formats.cms_volumes import NpiRows, ProviderIdentity
from onconav.directory.imports.formats.hospital_records import normalise_phone
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
from onconav.directory.imports.placement import place
from onconav.directory.indexing import PractitionerBundle, practitioner_search_entries
from onconav.directory.models import Practitioner, PractitionerRole, PractitionerRoleService, SearchEntry
from onconav.errors import InvalidInput
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge

MAPPING_VERSION = "1"
SOURCE_PREFIX = "CMS Medicare"


@dataclass(frozen=True)
class VolumePayload:
    """One NPI's yearly services and beneficiaries per knowledge service, and who the NPI is."""

    year: int
    services: dict[str, int]
    beneficiaries: dict[str, int]
    identity: ProviderIdentity


@lru_cache(maxsize=1)
def provider_type_specialties() -> dict[str, str]:
    """CMS provider type -> onconav specialty (data/hcpcs_procedures.yaml, `provider_types`)."""
    text = resources.files("onconav.directory").joinpath("data", "hcpcs_procedures.yaml").read_text("utf-8")
    mapping = {str(k): str(v) for k, v in (yaml.safe_load(text).get("provider_types") or {}).items()}
    unknown = [code for code in mapping.values() if knowledge.get_specialty(code) is None]
    if unknown:
        raise ValueError(f"provider_types map to unknown specialties: {unknown}")
    return mapping


class CmsVolumesSource(ImportSource[NpiRows, VolumePayload]):
    """The CMS "Medicare Physician & Other Practitioners - by Provider and Service" CSV."""

    name = cms_volumes.SOURCE
    title = 'CMS "Medicare Physician & Other Practitioners - by Provider and Service"'

    def __init__(self, year: int | None = None) -> None:
        self.year = year

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord[NpiRows]]:
        if self.year is None:
            self.year = cms_volumes.data_year_from_name(path)
        if self.year is None:
            raise InvalidInput(
                "The data year of %(file)s is unknown: keep the year in its name, as CMS does (…_D23_…).",
                file=path.name,
            )
        for group in cms_volumes.read_npi_groups(
            path, title=self.title, start_row=start_row, start_offset=start_offset
        ):
            yield RawRecord(group.row, group.end_offset, group)

    def prepare(self, record: RawRecord[NpiRows]) -> Outcome[VolumePayload]:
        group = record.data
        counted = []
        for row in group.rows:
            try:
                parsed = cms_volumes.parse_row(row.values)
            except RowRejected as error:
                return Rejected(group.npi or None, f"{error.reason}: row {row.row}: {error.message}")
            if parsed is not None:
                counted.append(parsed)
        if not counted:
            return None  # no procedure onconav counts
        identity = cms_volumes.identity_of(group.rows[0].values)
        if identity.entity == cms_volumes.ORGANIZATION_ENTITY:
            return None  # an organization's NPI: the volume signal is per practitioner
        volumes = next(cms_volumes.group_by_npi(counted))
        assert self.year is not None  # set by `records`
        payload = VolumePayload(self.year, volumes.services, volumes.beneficiaries, identity)
        digest = row_hash(
            MAPPING_VERSION, self.year, *sorted(f"{k}={v}" for k, v in volumes.services.items())
        )
        return Prepared(group.npi, "practitioner", digest, payload)

    def match_existing(self, connection: Connection, items: list[Prepared[VolumePayload]]) -> dict[str, int]:
        """Practitioners (not demo) with these NPIs: they get the volumes."""
        found: dict[str, int] = {}
        npis = [item.source_id for item in items]
        for chunk in in_list_chunks(npis):
            rows = connection.execute(
                select(Practitioner.npi, Practitioner.id).where(
                    Practitioner.npi.in_(chunk), Practitioner.is_demo.is_(False)
                )
            )
            found.update({npi: entity_id for npi, entity_id in rows if npi})
        return found

    def insert(self, batch: WriteBatch, items: list[Prepared[VolumePayload]]) -> list[int]:
        """NPIs the directory does not know: a practitioner from the file's identity columns."""
        ids = []
        for item in items:
            practitioner_id = batch.new_id("practitioner")
            identity = item.payload.identity
            location = self._location(batch, identity)
            practitioner = full_row(
                "practitioner",
                id=practitioner_id,
                npi=item.source_id,
                given_name=fit("practitioner", "given_name", identity.given_name) or "-",
                family_name=fit("practitioner", "family_name", identity.family_name) or "-",
                credentials=fit("practitioner", "credentials", identity.credentials)
                if identity.credentials
                else None,
                gender=identity.gender,
                languages=[],
                is_demo=False,
                source=self.name,
                source_id=item.source_id,
                last_seen_at=batch.now,
                quality_flags=list(location["quality_flags"]),
                active=True,
            )
            specialty = self._specialty(item.payload)
            roles, role_services = [], []
            if specialty is not None:
                role_id = batch.new_id("practitioner_role")
                roles.append(
                    full_row(
                        "practitioner_role",
                        id=role_id,
                        practitioner_id=practitioner_id,
                        organization_id=None,
                        location_id=location["id"],
                        specialty=specialty,
                        is_primary=True,
                        accepting_new_patients=None,
                    )
                )
                role_services = self._role_services(role_id, item.payload)
            batch.writer.add_practitioner_bundle(
                PractitionerBundle(
                    practitioner=practitioner, location=location, roles=roles, role_services=role_services
                )
            )
            ids.append(practitioner_id)
        return ids

    def _location(self, batch: WriteBatch, identity: ProviderIdentity) -> dict[str, Any]:
        in_us = identity.country_code == "US"
        placement = place(zip_code=identity.postal_code if in_us else None)
        return full_row(
            "location",
            id=batch.new_id("location"),
            organization_id=None,
            name=fit("location", "name", identity.line) or identity.city or "Practice address",
            line=fit("location", "line", identity.line) or None,
            city=fit("location", "city", identity.city),
            region=geo.us_state_name(identity.state) or identity.state or None,
            region_code=identity.state or None,
            postal_code=identity.postal_code or None,
            country_code=identity.country_code or "US",
            country="United States" if in_us else identity.country_code,
            lat=placement.lat,
            lon=placement.lon,
            phone=normalise_phone(None),
            geocode_precision=placement.precision,
            quality_flags=placement.quality_flags,
        )

    def _specialty(self, payload: VolumePayload) -> str | None:
        """The CMS provider type's specialty, else the only specialty of the most performed service."""
        mapped = provider_type_specialties().get(payload.identity.provider_type)
        if mapped:
            return mapped
        top = max(payload.services.items(), key=lambda item: (item[1], item[0]))[0]
        service = knowledge.get_service(top)
        return service.specialties[0] if service and len(service.specialties) == 1 else None

    def _role_services(self, role_id: int, payload: VolumePayload) -> list[dict[str, Any]]:
        label = cms_volumes.source_label(payload.year)
        return [
            full_row(
                "practitioner_role_service",
                role_id=role_id,
                service_code=code,
                annual_volume=count,
                volume_source=label,
            )
            for code, count in sorted(payload.services.items())
        ]

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared[VolumePayload]]]) -> None:
        """Known practitioners: replace their CMS volumes, on the role that fits each service best."""
        connection = batch.connection
        ids = [entity_id for entity_id, _ in items]
        roles: dict[int, list[Any]] = {}
        for chunk in in_list_chunks(ids):
            for role in connection.execute(
                select(
                    PractitionerRole.id,
                    PractitionerRole.practitioner_id,
                    PractitionerRole.organization_id,
                    PractitionerRole.specialty,
                    PractitionerRole.is_primary,
                )
                .where(PractitionerRole.practitioner_id.in_(chunk))
                .order_by(PractitionerRole.id)
            ):
                roles.setdefault(role.practitioner_id, []).append(role)
        role_ids = [role.id for person_roles in roles.values() for role in person_roles]
        for chunk in in_list_chunks(role_ids):
            connection.execute(
                update(PractitionerRoleService)
                .where(
                    PractitionerRoleService.role_id.in_(chunk),
                    PractitionerRoleService.volume_source.like(f"{SOURCE_PREFIX}%"),
                )
                .values(annual_volume=None, volume_source=None)
            )
        existing = {
            (row.role_id, row.service_code): row.id
            for chunk in in_list_chunks(role_ids)
            for row in connection.execute(
                select(
                    PractitionerRoleService.id,
                    PractitionerRoleService.role_id,
                    PractitionerRoleService.service_code,
                ).where(PractitionerRoleService.role_id.in_(chunk))
            )
        }
        new_rows = []
        for entity_id, item in items:
            person_roles = roles.get(entity_id, [])
            if not person_roles:
                continue  # a practitioner without any role: nothing to attach the volumes to
            label = cms_volumes.source_label(item.payload.year)
            for code, count in sorted(item.payload.services.items()):
                role = _best_role(person_roles, code)
                held = existing.get((role.id, code))
                if held is not None:
                    connection.execute(
                        update(PractitionerRoleService)
                        .where(PractitionerRoleService.id == held)
                        .values(annual_volume=count, volume_source=label)
                    )
                else:
                    new_rows.append(
                        full_row(
                            "practitioner_role_service",
                            role_id=role.id,
                            service_code=code,
                            annual_volume=count,
                            volume_source=label,
                        )
                    )
        if new_rows:
            batch.writer.add_rows("practitioner_role_service", new_rows)
        batch.writer.flush()
        organizations = sorted(
            {role.organization_id for rs in roles.values() for role in rs if role.organization_id is not None}
        )
        reindex_organizations(connection, organizations)
        reindex_practices(connection, ids)


def _best_role(roles: list[Any], service_code: str) -> Any:
    """The role whose specialty performs the service, else the primary role, else the first."""
    service = knowledge.get_service(service_code)
    fitting = [role for role in roles if service and role.specialty in service.specialties]
    primary = [role for role in roles if role.is_primary]
    return (fitting or primary or roles)[0]


def reindex_practices(connection: Connection, practitioner_ids: list[int]) -> None:
    """Re-derive the search entries of practitioners' own practices (roles without an organization)."""
    p, loc, r, rs = (
        TABLES["practitioner"],
        TABLES["location"],
        TABLES["practitioner_role"],
        TABLES["practitioner_role_service"],
    )
    for chunk in in_list_chunks(practitioner_ids):
        connection.execute(
            delete(SearchEntry).where(
                SearchEntry.entity_kind == "practitioner",
                SearchEntry.entity_id.in_(chunk),
                SearchEntry.organization_id.is_(None),
            )
        )
        people = {
            row.id: dict(row._mapping) for row in connection.execute(select(p).where(p.c.id.in_(chunk)))
        }
        practice_roles: dict[int, list[dict[str, Any]]] = {}
        for row in connection.execute(
            select(r).where(r.c.practitioner_id.in_(chunk), r.c.organization_id.is_(None)).order_by(r.c.id)
        ):
            practice_roles.setdefault(row.practitioner_id, []).append(dict(row._mapping))
        role_ids = [role["id"] for rs_ in practice_roles.values() for role in rs_]
        location_ids = {role["location_id"] for rs_ in practice_roles.values() for role in rs_}
        locations = {
            row.id: dict(row._mapping)
            for row in connection.execute(select(loc).where(loc.c.id.in_(location_ids)))
        }
        services: dict[int, list[dict[str, Any]]] = {}
        for row in connection.execute(select(rs).where(rs.c.role_id.in_(role_ids))):
            services.setdefault(row.role_id, []).append(dict(row._mapping))
        entries = []
        for person_id, person_roles in practice_roles.items():
            by_location: dict[int, list[dict[str, Any]]] = {}
            for role in person_roles:
                by_location.setdefault(role["location_id"], []).append(role)
            for location_id, location_roles in by_location.items():
                location = locations.get(location_id)
                if location is None:
                    continue
                bundle = PractitionerBundle(
                    practitioner=people[person_id],
                    location=location,
                    roles=location_roles,
                    role_services=[s for role in location_roles for s in services.get(role["id"], [])],
                )
                entries.extend(practitioner_search_entries(bundle))
        if entries:
            connection.execute(TABLES["search_entry"].insert(), entries)
