"""`onconav import nppes PATH`: the NPPES NPI full replacement file (CSV, 330 columns, ~8.8M rows).

Kept: providers with at least one NUCC taxonomy code the mapping imports (data/nucc_taxonomy.yaml):
individuals become practitioners practising at their practice address (no organization: NPPES does not say
where an individual works), organizations become hospitals or clinics. Practice addresses are placed at the
centroid of their ZIP code (offline); those that cannot be placed are kept and flagged. Deactivated NPIs
retire what they became. Everything else is skipped by the reader's cheap test on the raw line
(`formats.nppes`). `NppesWriter` is shared with the NPI Registry API sync (`nppes_api`).
"""

from __future__ import annotations

import re
from abc import ABC
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, and_, bindparam, delete, select, update

from onconav.db import in_list_chunks
from onconav.directory import taxonomy
from onconav.directory.bulk import TABLES, fit, full_row, reindex_organizations
from onconav.directory.imports.formats.npi import is_valid_npi
from onconav.directory.imports.formats.nppes import NppesFile, NppesLine, NppesRecord, NppesRetirement
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.directory.imports.framework import (
    ImportSource,
    Outcome,
    Prepared,
    RawRecord,
    Rejected,
    Retire,
    WriteBatch,
    row_hash,
)
from onconav.directory.imports.placement import keeps_current_coordinates, place
from onconav.directory.imports.sources.row_values import LocationValues, RowValues
from onconav.directory.indexing import OrganizationBundle, PractitionerBundle
from onconav.directory.models import Location, Organization, Practitioner, PractitionerRole, SearchEntry
from onconav.directory.names import display_name
from onconav.geo import service as geo

SOURCE = "nppes"
MAPPING_VERSION = "1"  # part of every row hash: bump when what is kept from a row changes
ZIP_DIGITS = 5
ZIP_PLUS_FOUR_DIGITS = 9
PHONE_DIGITS = 10
INVALID_NPI = "not a valid NPI (10 digits with the Luhn check digit)"
_MC = re.compile(r"\bMc([a-z])")
GENDERS = {"M": "male", "F": "female", "X": "other", "U": "unknown"}

DataT = TypeVar("DataT")


@dataclass(frozen=True, slots=True)
class PractitionerFields(RowValues):
    """The practitioner row values NPPES keeps of an individual."""

    npi: str
    prefix: str | None
    given_name: str
    family_name: str
    credentials: str | None
    gender: str | None
    taxonomy_codes: list[str]


@dataclass(frozen=True, slots=True)
class PractitionerPayload:
    """An individual: the practitioner, their practice location and the specialties of their codes."""

    practitioner: PractitionerFields
    location: LocationValues
    specialties: list[str]


@dataclass(frozen=True, slots=True)
class OrganizationFields(RowValues):
    """The organization row values NPPES keeps of an organization."""

    npi: str
    name: str
    source_name: str  # as NPPES spells it
    kind: str
    phone: str | None
    taxonomy_codes: list[str]


@dataclass(frozen=True, slots=True)
class OrganizationPayload:
    """An organization and its practice location."""

    organization: OrganizationFields
    location: LocationValues


NppesPayload = PractitionerPayload | OrganizationPayload


def name_case(text: str) -> str:
    """ "O'BRIEN-MCDONALD" -> "O'Brien-McDonald"; mixed-case text is kept as written."""
    text = " ".join(text.split())
    if not text or not text.isupper():
        return text
    text = text.title()
    if "Mc" in text:
        text = _MC.sub(lambda m: "Mc" + m.group(1).upper(), text)
    return text


def format_phone(digits: str) -> str | None:
    digits = re.sub(r"\D", "", digits)
    if len(digits) == PHONE_DIGITS:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits or None


def format_postal_code(code: str) -> str | None:
    code = code.strip()
    if len(code) == ZIP_PLUS_FOUR_DIGITS and code.isdigit():
        return f"{code[:ZIP_DIGITS]}-{code[ZIP_DIGITS:]}"
    return code or None


def _initial(middle_name: str) -> str:
    return f"{middle_name[0].upper()}." if middle_name[:1].isalpha() else ""


class NppesWriter(ImportSource[DataT, NppesPayload], ABC):
    """What NPPES records become and how they are written, whatever they are read from (the file, the
    API): both keep the same fields and hash a record the same way."""

    name = SOURCE

    def __init__(self) -> None:
        self.imported = taxonomy.imported_codes()

    def warm_up(self) -> None:
        geo.zip_centroid("10001")  # builds the ZIP index once, before a worker is forked

    # Preparing -------------------------------------------------------------------------------------

    def prepare_record(self, record: NppesRecord) -> Outcome[NppesPayload]:
        """The outcome of one NPPES record."""
        npi = record.npi
        if not is_valid_npi(npi):
            return Rejected(npi or None, INVALID_NPI)
        entity = record.entity_type
        if not entity:
            if record.deactivation_date and not record.reactivation_date:
                return Retire(npi)
            return Rejected(npi, "no entity type code and no deactivation date")
        codes = list(record.taxonomy_codes)
        kept = [code for code in codes if code in self.imported]
        if not kept:
            return None  # matched the pre-filter by chance (e.g. a phone number)
        location = self._location(record)
        if entity == "1":
            return self._individual(record, codes, kept, location)
        if entity == "2":
            name = display_name(record.organization_name)
            if not name:
                return Rejected(npi, "an organization without a name")
            organization = OrganizationPayload(
                OrganizationFields(
                    npi=npi,
                    name=fit("organization", "name", name),
                    source_name=fit(
                        "organization", "source_name", " ".join(record.organization_name.split())
                    ),
                    kind=taxonomy.organization_kind(kept),
                    phone=location.phone,
                    taxonomy_codes=codes,
                ),
                location._replace(name=fit("location", "name", name)),
            )
            return Prepared(npi, "organization", _hash(organization), organization)
        return Rejected(npi, f"unknown entity type code {entity!r}")

    def _individual(
        self, record: NppesRecord, codes: list[str], kept: list[str], location: LocationValues
    ) -> Outcome[NppesPayload]:
        if not any((entry := taxonomy.get(code)) is not None and entry.specialty for code in kept):
            return None  # an individual listed only under organization codes (e.g. a hospital's)
        family = name_case(record.last_name)
        given = name_case(record.first_name)
        if not family:
            return Rejected(record.npi, "an individual without a last name")
        person = PractitionerPayload(
            PractitionerFields(
                npi=record.npi,
                prefix=name_case(record.prefix).replace("Dr", "Dr.").replace("..", ".") or None,
                given_name=fit(
                    "practitioner",
                    "given_name",
                    " ".join(filter(None, [given, _initial(record.middle_name)])),
                ),
                family_name=" ".join(filter(None, [family, name_case(record.suffix)])),
                credentials=fit("practitioner", "credentials", record.credential) or None,
                gender=GENDERS.get(record.gender.upper()),
                taxonomy_codes=codes,
            ),
            location,
            taxonomy.specialties_of(kept),
        )
        return Prepared(record.npi, "practitioner", _hash(person), person)

    def _location(self, record: NppesRecord) -> LocationValues:
        """The practice location, placed at its ZIP centroid (US) or flagged as not placed."""
        country_code = record.country.upper() or "US"
        state = record.state.upper()
        postal = record.postal_code
        in_us = country_code == "US"
        line = ", ".join(filter(None, [name_case(record.line1), name_case(record.line2)]))
        return LocationValues.placed(
            place(zip_code=postal if in_us and len(postal) >= ZIP_DIGITS else None),
            name=fit("location", "name", line) or name_case(record.city) or "Practice address",
            line=fit("location", "line", line) or None,
            city=fit("location", "city", name_case(record.city)),
            region=(geo.us_state_name(state) or state or None) if in_us else (state or None),
            region_code=fit("location", "region_code", state) or None,
            postal_code=format_postal_code(postal),
            country_code=fit("location", "country_code", country_code),
            country="United States" if in_us else country_code,
            phone=format_phone(record.phone),
        )

    # Writing ---------------------------------------------------------------------------------------

    def match_existing(self, connection: Connection, items: list[Prepared[NppesPayload]]) -> dict[str, int]:
        """Non-demo practitioners and organizations with the same NPI (written by another source)."""
        found: dict[str, int] = {}
        for kind, model in (("practitioner", Practitioner), ("organization", Organization)):
            npis = [item.source_id for item in items if item.entity_kind == kind]
            for chunk in in_list_chunks(npis):
                rows = connection.execute(
                    select(model.npi, model.id).where(model.npi.in_(chunk), model.is_demo.is_(False))
                )
                found.update({npi: entity_id for npi, entity_id in rows if npi})
        return found

    def insert(self, batch: WriteBatch, items: list[Prepared[NppesPayload]]) -> list[int]:
        ids = []
        for item in items:
            payload = item.payload
            if isinstance(payload, PractitionerPayload):
                practitioner_id = batch.new_id("practitioner")
                bundle = self._practitioner_bundle(batch, practitioner_id, item.source_id, payload)
                batch.writer.add_practitioner_bundle(bundle)
                ids.append(practitioner_id)
            else:
                organization_id = batch.new_id("organization")
                batch.writer.add_bundle(
                    self._organization_bundle(batch, organization_id, item.source_id, payload)
                )
                ids.append(organization_id)
        return ids

    def _practitioner_bundle(
        self, batch: WriteBatch, practitioner_id: int, source_id: str, payload: PractitionerPayload
    ) -> PractitionerBundle:
        location_id = batch.new_id("location")
        location = full_row("location", id=location_id, organization_id=None, **payload.location.row())
        practitioner = full_row(
            "practitioner",
            id=practitioner_id,
            languages=[],
            is_demo=False,
            source=SOURCE,
            source_id=source_id,
            last_seen_at=batch.now,
            quality_flags=list(location["quality_flags"]),
            active=True,
            **payload.practitioner.row(),
        )
        roles = [
            full_row(
                "practitioner_role",
                id=batch.new_id("practitioner_role"),
                practitioner_id=practitioner_id,
                organization_id=None,
                location_id=location_id,
                specialty=specialty,
                is_primary=index == 0,
                accepting_new_patients=None,
            )
            for index, specialty in enumerate(payload.specialties)
        ]
        return PractitionerBundle(practitioner=practitioner, location=location, roles=roles)

    def _organization_bundle(
        self, batch: WriteBatch, organization_id: int, source_id: str, payload: OrganizationPayload
    ) -> OrganizationBundle:
        location = full_row(
            "location", id=batch.new_id("location"), organization_id=organization_id, **payload.location.row()
        )
        organization = full_row(
            "organization",
            id=organization_id,
            designations=[],
            languages=[],
            is_demo=False,
            source=SOURCE,
            source_id=source_id,
            last_seen_at=batch.now,
            quality_flags=list(location["quality_flags"]),
            active=True,
            **payload.organization.row(),
        )
        return OrganizationBundle(
            organization=organization,
            location=location,
            specialties=taxonomy.specialties_of(payload.organization.taxonomy_codes),
        )

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared[NppesPayload]]]) -> None:
        people = [
            (entity_id, item.source_id, item.payload)
            for entity_id, item in items
            if isinstance(item.payload, PractitionerPayload)
        ]
        organizations = [
            (entity_id, item.payload)
            for entity_id, item in items
            if isinstance(item.payload, OrganizationPayload)
        ]
        if people:
            self._update_practitioners(batch, people)
        if organizations:
            self._update_organizations(batch, organizations)

    def _update_practitioners(
        self, batch: WriteBatch, people: list[tuple[int, str, PractitionerPayload]]
    ) -> None:
        connection = batch.connection
        ids = [entity_id for entity_id, _source_id, _payload in people]
        rows = [
            {
                "entity_id": entity_id,
                **payload.practitioner.row(),
                "quality_flags": payload.location.quality_flags,
            }
            for entity_id, _source_id, payload in people
        ]
        _update_rows(batch, "practitioner", rows)
        # The practice (roles without an organization, their locations and entries) is NPPES's own:
        # rewrite it; roles at organizations written by other sources stay.
        for chunk in in_list_chunks(ids):
            practice = select(PractitionerRole.location_id).where(
                PractitionerRole.practitioner_id.in_(chunk), PractitionerRole.organization_id.is_(None)
            )
            location_ids = [row[0] for row in connection.execute(practice) if row[0] is not None]
            connection.execute(
                delete(SearchEntry).where(
                    and_(
                        SearchEntry.entity_kind == "practitioner",
                        SearchEntry.entity_id.in_(chunk),
                        SearchEntry.organization_id.is_(None),
                    )
                )
            )
            connection.execute(
                delete(PractitionerRole).where(
                    PractitionerRole.practitioner_id.in_(chunk),
                    PractitionerRole.organization_id.is_(None),
                )
            )
            if location_ids:
                connection.execute(
                    delete(Location).where(Location.id.in_(location_ids), Location.organization_id.is_(None))
                )
        for entity_id, source_id, payload in people:
            bundle = self._practitioner_bundle(batch, entity_id, source_id, payload)
            batch.writer.add_practitioner_bundle(bundle, with_practitioner=False)

    def _update_organizations(
        self, batch: WriteBatch, organizations: list[tuple[int, OrganizationPayload]]
    ) -> None:
        rows = [
            {"entity_id": entity_id, **payload.organization.row()} for entity_id, payload in organizations
        ]
        _update_rows(batch, "organization", rows)
        for entity_id, payload in organizations:
            self._update_organization_location(batch, entity_id, payload.location)
        batch.writer.flush()
        reindex_organizations(batch.connection, [entity_id for entity_id, _ in organizations])

    def _update_organization_location(
        self, batch: WriteBatch, organization_id: int, values: LocationValues
    ) -> None:
        """Rewrite the organization's first location, unless another source placed it better (placement):
        that location then stays as its source wrote it."""
        connection = batch.connection
        current = connection.execute(
            select(Location.id, Location.geocode_precision)
            .where(Location.organization_id == organization_id)
            .order_by(Location.id)
            .limit(1)
        ).first()
        if current is None:
            row = full_row(
                "location", id=batch.new_id("location"), organization_id=organization_id, **values.row()
            )
            batch.writer.add_rows("location", [row])
        elif not keeps_current_coordinates(current.geocode_precision, values.geocode_precision):
            connection.execute(update(Location).where(Location.id == current.id).values(**values.row()))


def _hash(payload: NppesPayload) -> str:
    """The row hash of what is kept of a record: the repr of its fields as a dict (as since version 1)."""
    if isinstance(payload, PractitionerPayload):
        kept: dict[str, object] = {
            "practitioner": payload.practitioner.row(),
            "location": payload.location.row(),
            "specialties": payload.specialties,
        }
    else:
        kept = {"organization": payload.organization.row(), "location": payload.location.row()}
    return row_hash(MAPPING_VERSION, repr(kept))


def _update_rows(batch: WriteBatch, table_name: str, rows: list[dict[str, object]]) -> None:
    """Rewrite entity rows (each with its `entity_id`), marking them active and seen in this run."""
    table = TABLES[table_name]
    batch.connection.execute(
        update(table)
        .where(table.c.id == bindparam("entity_id"))
        .values(
            {key: bindparam(key) for key in rows[0] if key != "entity_id"}
            | {"active": True, "last_seen_at": batch.now}
        ),
        rows,
    )


class NppesSource(NppesWriter[NppesLine]):
    """The NPPES NPI full replacement file."""

    title = "NPPES NPI full replacement file (npidata_pfile_*.csv)"

    def __init__(self) -> None:
        super().__init__()
        self.file = NppesFile(self.imported)

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord[NppesLine]]:
        for row, offset, line in self.file.lines(path, start_row=start_row, start_offset=start_offset):
            yield RawRecord(row, offset, line)

    def prepare(self, record: RawRecord[NppesLine]) -> Outcome[NppesPayload]:
        line = record.data
        if line is None:
            return None
        if isinstance(line, NppesRetirement):
            if not is_valid_npi(line.npi):
                return Rejected(line.npi or None, INVALID_NPI)
            return Retire(line.npi)
        try:
            parsed = self.file.parse(line)
        except RowRejected as error:
            return Rejected(error.source_id, error.message)
        return self.prepare_record(parsed)
