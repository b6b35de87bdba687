"""`onconav import cms-volumes PATH`: yearly Medicare services per NPI and procedure, stored on the
practitioner's role services (volume and its source, e.g. "CMS Medicare 2023"), so ranking and `why` use them.

One record per NPI (rows are grouped; CMS sorts its files by NPI). Practitioners already in the directory
get the volumes on their best-fitting role; NPIs the directory does not know are added from the file's own
identity columns, at their ZIP centroid, under the specialty their CMS provider type names.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, delete, select, update

from onconav.directory.bulk import TABLES, full_row, reindex_organizations
from onconav.directory.imports.formats import cms_volumes
from onconav.directory.imports.formats.csv_file import csv_rows
from onconav.directory.imports.formats.hospital_records import RowRejected, normalise_phone
from onconav.directory.imports.framework import (
    ImportSource,
    Outcome,
    Prepared,
    RawRecord,
    Rejected,
    WriteBatch,
    row_hash,
)
from onconav.directory.indexing import PractitionerBundle, practitioner_search_entries
from onconav.directory.models import (
    FLAG_ADDRESS_NOT_PLACED,
    FLAG_ZIP_CENTROID,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
    SearchEntry,
)
from onconav.errors import InvalidInput
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge

MAPPING_VERSION = "1"
SOURCE_PREFIX = "CMS Medicare"
GENDERS = {"M": "male", "F": "female"}


@lru_cache(maxsize=1)
def provider_type_specialties() -> dict[str, str]:
    """CMS provider type -> onconav specialty (data/hcpcs_procedures.yaml, `provider_types`)."""
    text = resources.files("onconav.directory").joinpath("data", "hcpcs_procedures.yaml").read_text("utf-8")
    mapping = {str(k): str(v) for k, v in (yaml.safe_load(text).get("provider_types") or {}).items()}
    unknown = [code for code in mapping.values() if knowledge.get_specialty(code) is None]
    if unknown:
        raise ValueError(f"provider_types map to unknown specialties: {unknown}")
    return mapping


def _name_case(text: str) -> str:
    text = " ".join(text.split())
    return text.title() if text.isupper() or text.islower() else text


class CmsVolumesSource(ImportSource):
    """The CMS "Medicare Physician & Other Practitioners - by Provider and Service" CSV."""

    name = cms_volumes.SOURCE
    title = 'CMS "Medicare Physician & Other Practitioners - by Provider and Service"'

    def __init__(self, year: int | None = None) -> None:
        self.year = year

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord]:
        if self.year is None:
            self.year = cms_volumes.data_year_from_name(path)
        if self.year is None:
            raise InvalidInput(
                "The data year of %(file)s is unknown: keep the year in its name, as CMS does (…_D23_…).",
                file=path.name,
            )
        rows = csv_rows(
            path,
            required=cms_volumes.REQUIRED_COLUMNS,
            title=self.title,
            start_row=start_row,
            start_offset=start_offset,
        )
        group: list[dict[str, str]] = []
        broken: list[dict[str, str]] = []  # rows without a valid NPI: reported after the group around them
        npi: str | None = None
        last = (start_row, start_offset)
        for row, offset, values in rows:
            key = (values.get("Rndrng_NPI") or "").strip()
            values["_row"] = str(row)
            if not (len(key) == 10 and key.isdigit()):
                broken.append(values)
                last = (row, offset)
                continue
            if group and key != npi:
                yield from self._group_records(npi, group, broken, last)
                group, broken = [], []
            npi = key
            group.append(values)
            last = (row, offset)
        if group or broken:
            yield from self._group_records(npi, group, broken, last)

    def _group_records(
        self,
        npi: str | None,
        group: list[dict[str, str]],
        broken: list[dict[str, str]],
        last: tuple[int, int],
    ) -> Iterator[RawRecord]:
        if group:
            yield RawRecord(last[0], last[1], (npi, group))
        for values in broken:
            yield RawRecord(last[0], last[1], ((values.get("Rndrng_NPI") or "").strip(), [values]))

    def prepare(self, record: RawRecord) -> Outcome:
        npi, rows = record.data
        counted = []
        for values in rows:
            try:
                parsed = cms_volumes.parse_row(values)
            except RowRejected as error:
                return Rejected(npi or None, f"{error.reason}: row {values['_row']}: {error.message}")
            if parsed is not None:
                counted.append(parsed)
        if not counted:
            return None  # no procedure onconav counts
        if (rows[0].get("Rndrng_Prvdr_Ent_Cd") or "").strip().upper() == "O":
            return None  # an organization's NPI: the volume signal is per practitioner
        volumes = next(cms_volumes.group_by_npi(counted))
        first = rows[0]
        payload = {
            "year": self.year,
            "services": volumes.services,
            "beneficiaries": volumes.beneficiaries,
            "identity": {
                "family_name": _name_case(first.get("Rndrng_Prvdr_Last_Org_Name", "")),
                "given_name": _name_case(first.get("Rndrng_Prvdr_First_Name", "")),
                "credentials": (first.get("Rndrng_Prvdr_Crdntls") or "").strip()[:60] or None,
                "gender": GENDERS.get((first.get("Rndrng_Prvdr_Gndr") or "").strip().upper()),
                "entity": (first.get("Rndrng_Prvdr_Ent_Cd") or "").strip().upper(),
                "line": ", ".join(
                    filter(
                        None, (_name_case(first.get(k, "")) for k in ("Rndrng_Prvdr_St1", "Rndrng_Prvdr_St2"))
                    )
                ),
                "city": _name_case(first.get("Rndrng_Prvdr_City", "")),
                "state": (first.get("Rndrng_Prvdr_State_Abrvtn") or "").strip().upper(),
                "postal_code": (first.get("Rndrng_Prvdr_Zip5") or "").strip()[:5],
                "country_code": (first.get("Rndrng_Prvdr_Cntry") or "US").strip().upper()[:2],
                "provider_type": (first.get("Rndrng_Prvdr_Type") or "").strip(),
            },
        }
        digest = row_hash(
            MAPPING_VERSION, self.year, *sorted(f"{k}={v}" for k, v in volumes.services.items())
        )
        return Prepared(npi, "practitioner", digest, payload)

    def match_existing(self, connection: Connection, items: list[Prepared]) -> dict[str, int]:
        """Practitioners (not demo) with these NPIs: they get the volumes."""
        found: dict[str, int] = {}
        npis = [item.source_id for item in items]
        for start in range(0, len(npis), 900):
            rows = connection.execute(
                select(Practitioner.npi, Practitioner.id).where(
                    Practitioner.npi.in_(npis[start : start + 900]), Practitioner.is_demo.is_(False)
                )
            )
            found.update({npi: entity_id for npi, entity_id in rows if npi})
        return found

    def insert(self, batch: WriteBatch, items: list[Prepared]) -> list[int]:
        """NPIs the directory does not know: a practitioner from the file's identity columns."""
        ids = []
        for item in items:
            practitioner_id = batch.new_id("practitioner")
            identity = item.payload["identity"]
            location = self._location(batch, identity)
            practitioner = full_row(
                "practitioner",
                id=practitioner_id,
                npi=item.source_id,
                given_name=identity["given_name"][:120] or "-",
                family_name=identity["family_name"][:120] or "-",
                credentials=identity["credentials"],
                gender=identity["gender"],
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

    def _location(self, batch: WriteBatch, identity: dict[str, Any]) -> dict[str, Any]:
        centroid = geo.zip_centroid(identity["postal_code"]) if identity["country_code"] == "US" else None
        flags = [FLAG_ZIP_CENTROID] if centroid else [FLAG_ADDRESS_NOT_PLACED]
        return full_row(
            "location",
            id=batch.new_id("location"),
            organization_id=None,
            name=identity["line"][:300] or identity["city"] or "Practice address",
            line=identity["line"][:300] or None,
            city=identity["city"][:120],
            region=geo.us_state_name(identity["state"]) or identity["state"] or None,
            region_code=identity["state"] or None,
            postal_code=identity["postal_code"] or None,
            country_code=identity["country_code"] or "US",
            country="United States" if identity["country_code"] == "US" else identity["country_code"],
            lat=centroid[0] if centroid else None,
            lon=centroid[1] if centroid else None,
            phone=normalise_phone(None),
            geocode_precision="zip_centroid" if centroid else None,
            quality_flags=flags,
        )

    def _specialty(self, payload: dict[str, Any]) -> str | None:
        """The CMS provider type's specialty, else the only specialty of the most performed service."""
        mapped = provider_type_specialties().get(payload["identity"]["provider_type"])
        if mapped:
            return mapped
        top = max(payload["services"].items(), key=lambda item: (item[1], item[0]))[0]
        service = knowledge.get_service(top)
        return service.specialties[0] if service and len(service.specialties) == 1 else None

    def _role_services(self, role_id: int, payload: dict[str, Any]) -> list[dict[str, Any]]:
        label = cms_volumes.source_label(payload["year"])
        return [
            full_row(
                "practitioner_role_service",
                role_id=role_id,
                service_code=code,
                annual_volume=count,
                volume_source=label,
            )
            for code, count in sorted(payload["services"].items())
        ]

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared]]) -> None:
        """Known practitioners: replace their CMS volumes, on the role that fits each service best."""
        connection = batch.connection
        ids = [entity_id for entity_id, _ in items]
        roles: dict[int, list[Any]] = {}
        for start in range(0, len(ids), 900):
            for role in connection.execute(
                select(
                    PractitionerRole.id,
                    PractitionerRole.practitioner_id,
                    PractitionerRole.organization_id,
                    PractitionerRole.specialty,
                    PractitionerRole.is_primary,
                )
                .where(PractitionerRole.practitioner_id.in_(ids[start : start + 900]))
                .order_by(PractitionerRole.id)
            ):
                roles.setdefault(role.practitioner_id, []).append(role)
        role_ids = [role.id for person_roles in roles.values() for role in person_roles]
        for start in range(0, len(role_ids), 900):
            chunk = role_ids[start : start + 900]
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
            for start in range(0, len(role_ids), 900)
            for row in connection.execute(
                select(
                    PractitionerRoleService.id,
                    PractitionerRoleService.role_id,
                    PractitionerRoleService.service_code,
                ).where(PractitionerRoleService.role_id.in_(role_ids[start : start + 900]))
            )
        }
        new_rows = []
        for entity_id, item in items:
            person_roles = roles.get(entity_id, [])
            if not person_roles:
                continue  # a practitioner without any role: nothing to attach the volumes to
            label = cms_volumes.source_label(item.payload["year"])
            for code, count in sorted(item.payload["services"].items()):
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
    for start in range(0, len(practitioner_ids), 900):
        chunk = practitioner_ids[start : start + 900]
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
