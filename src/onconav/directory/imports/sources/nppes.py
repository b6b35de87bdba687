"""`onconav import nppes PATH`: the NPPES NPI full replacement file (CSV, 330 columns, ~8.8M rows).

Kept: providers with at least one NUCC taxonomy code the mapping imports (data/nucc_taxonomy.yaml):
individuals become practitioners practising at their practice address (no organization: NPPES does not say
where an individual works), organizations become hospitals or clinics. Practice addresses are placed at the
centroid of their ZIP code (offline); those that cannot be placed are kept and flagged. Deactivated NPIs
retire what they became. Everything else is skipped by a cheap test on the raw line before any CSV parsing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select, update

from onconav.directory import taxonomy
from onconav.directory.bulk import TABLES, full_row, reindex_organizations
from onconav.directory.imports.formats.nppes_layout import (
    ALIASES,
    CITY,
    COUNTRY,
    CREDENTIAL,
    DEACTIVATION_DATE,
    ENTITY_TYPE,
    FIRST_NAME,
    GENDER,
    LAST_NAME,
    LINE1,
    LINE2,
    MIDDLE_NAME,
    NPI,
    ORGANIZATION_NAME,
    PHONE,
    POSTAL_CODE,
    PREFIX,
    PRIMARY_SWITCHES,
    REACTIVATION_DATE,
    STATE,
    SUFFIX,
    TAXONOMY_CODES,
)
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
from onconav.directory.indexing import OrganizationBundle, PractitionerBundle
from onconav.directory.models import (
    FLAG_ADDRESS_NOT_PLACED,
    FLAG_ZIP_CENTROID,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    SearchEntry,
)
from onconav.errors import InvalidInput
from onconav.geo import service as geo

SOURCE = "nppes"
MAPPING_VERSION = "1"  # part of every row hash: bump when what is kept from a row changes
NEEDED = (NPI, ENTITY_TYPE, ORGANIZATION_NAME, LAST_NAME, FIRST_NAME, LINE1, CITY, STATE, POSTAL_CODE)
SKIP_MARK_ROWS = 20_000  # a progress mark at least this often through skipped rows
CLOSED = (b'"\r\n', b'"\n')  # how a whole record's line ends
# A taxonomy code inside quotes: only lines holding an imported code are parsed (cheap pre-filter).
_QUOTED_CODE = re.compile(rb'"(2[0-9A-Z]{8}X)"')
_NPI_DIGITS = re.compile(r"^\d{10}$")
_MC = re.compile(r"\bMc([a-z])")
GENDERS = {"M": "male", "F": "female", "X": "other", "U": "unknown"}


def npi_check_digit_ok(npi: str) -> bool:
    """The Luhn check of an NPI with the 80840 prefix (CMS NPI standard)."""
    if not _NPI_DIGITS.match(npi):
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


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
    if len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits or None


def format_postal_code(code: str) -> str | None:
    code = code.strip()
    if len(code) == 9 and code.isdigit():
        return f"{code[:5]}-{code[5:]}"
    return code or None


class NppesSource(ImportSource):
    """The NPPES NPI full replacement file."""

    name = SOURCE
    title = "NPPES NPI full replacement file (npidata_pfile_*.csv)"

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.width = 0
        self.imported = taxonomy.imported_codes()

    def warm_up(self) -> None:
        geo.zip_centroid("10001")  # builds the ZIP index once, before a worker is forked

    # Reading ---------------------------------------------------------------------------------------

    def read_header(self, handle: Any) -> int:
        """Validate the header line; remember where each needed column is. Returns its length in bytes."""
        line = handle.readline()
        names = next(csv.reader([line.decode("utf-8-sig")]), [])
        names = [ALIASES.get(name, name) for name in names]
        missing = [name for name in (*NEEDED, *TAXONOMY_CODES) if name not in names]
        if missing:
            raise InvalidInput(
                "This is not an NPPES NPI file: the header lacks %(columns)s.",
                columns=", ".join(missing[:5]) + ("..." if len(missing) > 5 else ""),
            )
        self.index = {name: position for position, name in enumerate(names)}
        self.width = len(names)
        return len(line)

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord]:
        with path.open("rb", buffering=1 << 20) as handle:
            offset = self.read_header(handle)
            if start_offset > offset:
                handle.seek(start_offset)
                offset = start_offset
            row = start_row
            last_mark = row
            codes_in = _QUOTED_CODE.findall
            imported = frozenset(code.encode() for code in self.imported)
            deactivation = self.index[DEACTIVATION_DATE]
            reactivation = self.index[REACTIVATION_DATE]
            for line in handle:
                offset += len(line)
                # Every value is quoted, so a whole record ends with a quote; otherwise a quoted value holds
                # a line break: read on until the quotes balance.
                while not line.endswith(CLOSED) and line.count(b'"') % 2 == 1:
                    more = handle.readline()
                    if not more:
                        break
                    offset += len(more)
                    line += more
                row += 1
                if line[13:15] == b'""':
                    # No entity type: a deactivated NPI, whose row holds only the NPI and dates (no commas
                    # inside values), so splitting on commas is exact; anything else is parsed in full.
                    parts = line.rstrip(b"\r\n").split(b",")
                    if (
                        len(parts) == self.width
                        and parts[deactivation] != b'""'
                        and parts[reactivation] == b'""'
                    ):
                        yield RawRecord(
                            row, offset, ("retire", parts[0].strip(b'"').decode("ascii", "replace"))
                        )
                    else:
                        yield RawRecord(row, offset, line)
                    last_mark = row
                elif not imported.isdisjoint(codes_in(line)):
                    yield RawRecord(row, offset, line)
                    last_mark = row
                elif row - last_mark >= SKIP_MARK_ROWS:
                    yield RawRecord(row, offset, None)
                    last_mark = row
            if row != last_mark:
                yield RawRecord(row, offset, None)

    # Preparing -------------------------------------------------------------------------------------

    def prepare(self, record: RawRecord) -> Outcome:
        if record.data is None:
            return None
        if isinstance(record.data, tuple):  # ("retire", npi) from the reader's fast path
            npi = record.data[1]
            if not npi_check_digit_ok(npi):
                return Rejected(npi or None, "not a valid NPI (10 digits with the Luhn check digit)")
            return Retire(npi)
        text = record.data.decode("utf-8", errors="replace").rstrip("\r\n")
        fields = next(csv.reader([text]), [])
        if len(fields) != self.width:
            npi = fields[0] if fields else None
            return Rejected(npi, f"has {len(fields)} columns, the header has {self.width}")
        i = self.index

        def get(name: str) -> str:
            return fields[i[name]].strip() if name in i else ""

        return self.build(get, self._taxonomy_codes(fields))

    def build(self, get: Callable[[str], str], codes: list[str]) -> Outcome:
        """The outcome of one NPPES record, read through `get` (NPPES column name -> value) with its
        taxonomy codes (primary first). Shared by the file importer and the NPI Registry API sync, so both
        keep the same fields and hash a record the same way."""
        npi = get(NPI)
        if not npi_check_digit_ok(npi):
            return Rejected(npi or None, "not a valid NPI (10 digits with the Luhn check digit)")
        entity = get(ENTITY_TYPE)
        if not entity:
            if get(DEACTIVATION_DATE) and not get(REACTIVATION_DATE):
                return Retire(npi)
            return Rejected(npi, "no entity type code and no deactivation date")
        kept = [code for code in codes if code in self.imported]
        if not kept:
            return None  # matched the pre-filter by chance (e.g. a phone number)
        location = self._location(get)
        if entity == "1":
            if not any((entry := taxonomy.get(code)) is not None and entry.specialty for code in kept):
                return None  # an individual listed only under organization codes (e.g. a hospital's)
            family = name_case(get(LAST_NAME))
            given = name_case(get(FIRST_NAME))
            if not family:
                return Rejected(npi, "an individual without a last name")
            specialties = taxonomy.specialties_of(kept)
            payload = {
                "practitioner": {
                    "npi": npi,
                    "prefix": name_case(get(PREFIX)).replace("Dr", "Dr.").replace("..", ".") or None,
                    "given_name": " ".join(filter(None, [given, _initial(get(MIDDLE_NAME))]))[:120],
                    "family_name": " ".join(filter(None, [family, name_case(get(SUFFIX))])),
                    "credentials": get(CREDENTIAL)[:60] or None,
                    "gender": GENDERS.get(get(GENDER).upper()),
                    "taxonomy_codes": codes,
                },
                "location": location,
                "specialties": specialties,
            }
            return Prepared(npi, "practitioner", row_hash(MAPPING_VERSION, repr(payload)), payload)
        if entity == "2":
            name = name_case(get(ORGANIZATION_NAME))
            if not name:
                return Rejected(npi, "an organization without a name")
            payload = {
                "organization": {
                    "npi": npi,
                    "name": name[:300],
                    "kind": taxonomy.organization_kind(kept),
                    "phone": location["phone"],
                    "taxonomy_codes": codes,
                },
                "location": {**location, "name": name[:300]},
            }
            return Prepared(npi, "organization", row_hash(MAPPING_VERSION, repr(payload)), payload)
        return Rejected(npi, f"unknown entity type code {entity!r}")

    def _taxonomy_codes(self, fields: list[str]) -> list[str]:
        """The record's taxonomy codes, primary first."""
        codes: list[str] = []
        primary: str | None = None
        for code_column, switch_column in zip(TAXONOMY_CODES, PRIMARY_SWITCHES, strict=True):
            position = self.index.get(code_column)
            code = fields[position].strip().upper() if position is not None else ""
            if not code or code in codes:
                continue
            codes.append(code)
            switch = self.index.get(switch_column)
            if switch is not None and fields[switch].strip().upper() == "Y":
                primary = code
        if primary is not None:
            codes.remove(primary)
            codes.insert(0, primary)
        return codes

    def _location(self, get: Any) -> dict[str, Any]:
        """The practice location, placed at its ZIP centroid (US) or flagged as not placed."""
        country_code = get(COUNTRY).upper() or "US"
        state = get(STATE).upper()
        postal = get(POSTAL_CODE)
        lat = lon = None
        flags: list[str] = []
        if country_code == "US":
            centroid = geo.zip_centroid(postal) if len(postal) >= 5 else None
            if centroid is not None:
                lat, lon = centroid
                flags.append(FLAG_ZIP_CENTROID)
        if lat is None:
            flags.append(FLAG_ADDRESS_NOT_PLACED)
        in_us = country_code == "US"
        line = ", ".join(filter(None, [name_case(get(LINE1)), name_case(get(LINE2))]))
        return {
            "name": line[:300] or name_case(get(CITY)) or "Practice address",
            "line": line[:300] or None,
            "city": name_case(get(CITY))[:120],
            "region": (geo.us_state_name(state) or state or None) if in_us else (state or None),
            "region_code": state[:10] or None,
            "postal_code": format_postal_code(postal),
            "country_code": country_code[:2],
            "country": "United States" if in_us else country_code,
            "lat": lat,
            "lon": lon,
            "phone": format_phone(get(PHONE)),
            "geocode_precision": "zip_centroid" if lat is not None else None,
            "quality_flags": flags,
        }

    # Writing ---------------------------------------------------------------------------------------

    def match_existing(self, connection: Connection, items: list[Prepared]) -> dict[str, int]:
        """Non-demo practitioners and organizations with the same NPI (written by another source)."""
        found: dict[str, int] = {}
        for kind, model in (("practitioner", Practitioner), ("organization", Organization)):
            npis = [item.source_id for item in items if item.entity_kind == kind]
            for start in range(0, len(npis), 900):
                rows = connection.execute(
                    select(model.npi, model.id).where(
                        model.npi.in_(npis[start : start + 900]), model.is_demo.is_(False)
                    )
                )
                found.update({npi: entity_id for npi, entity_id in rows if npi})
        return found

    def insert(self, batch: WriteBatch, items: list[Prepared]) -> list[int]:
        ids = []
        for item in items:
            if item.entity_kind == "practitioner":
                practitioner_id = batch.new_id("practitioner")
                batch.writer.add_practitioner_bundle(self._practitioner_bundle(batch, practitioner_id, item))
                ids.append(practitioner_id)
            else:
                organization_id = batch.new_id("organization")
                batch.writer.add_bundle(self._organization_bundle(batch, organization_id, item))
                ids.append(organization_id)
        return ids

    def _practitioner_bundle(
        self, batch: WriteBatch, practitioner_id: int, item: Prepared
    ) -> PractitionerBundle:
        payload = item.payload
        location_id = batch.new_id("location")
        location = full_row("location", id=location_id, organization_id=None, **payload["location"])
        practitioner = full_row(
            "practitioner",
            id=practitioner_id,
            languages=[],
            is_demo=False,
            source=SOURCE,
            source_id=item.source_id,
            last_seen_at=batch.now,
            quality_flags=list(location["quality_flags"]),
            active=True,
            **payload["practitioner"],
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
            for index, specialty in enumerate(payload["specialties"])
        ]
        return PractitionerBundle(practitioner=practitioner, location=location, roles=roles)

    def _organization_bundle(
        self, batch: WriteBatch, organization_id: int, item: Prepared
    ) -> OrganizationBundle:
        payload = item.payload
        location = full_row(
            "location", id=batch.new_id("location"), organization_id=organization_id, **payload["location"]
        )
        organization = full_row(
            "organization",
            id=organization_id,
            designations=[],
            languages=[],
            is_demo=False,
            source=SOURCE,
            source_id=item.source_id,
            last_seen_at=batch.now,
            quality_flags=list(location["quality_flags"]),
            active=True,
            **payload["organization"],
        )
        return OrganizationBundle(
            organization=organization,
            location=location,
            specialties=taxonomy.specialties_of(payload["organization"]["taxonomy_codes"]),
        )

    def update(self, batch: WriteBatch, items: list[tuple[int, Prepared]]) -> None:
        people = [(entity_id, item) for entity_id, item in items if item.entity_kind == "practitioner"]
        orgs = [(entity_id, item) for entity_id, item in items if item.entity_kind == "organization"]
        connection = batch.connection
        if people:
            ids = [entity_id for entity_id, _ in people]
            rows = [
                {
                    "entity_id": entity_id,
                    **item.payload["practitioner"],
                    "quality_flags": item.payload["location"]["quality_flags"],
                }
                for entity_id, item in people
            ]
            table = TABLES["practitioner"]
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("entity_id"))
                .values(
                    {key: bindparam(key) for key in rows[0] if key != "entity_id"}
                    | {"active": True, "last_seen_at": batch.now}
                ),
                rows,
            )
            # The practice (roles without an organization, their locations and entries) is NPPES's own:
            # rewrite it; roles at organizations written by other sources stay.
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
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
                        delete(Location).where(
                            Location.id.in_(location_ids), Location.organization_id.is_(None)
                        )
                    )
            for entity_id, item in people:
                bundle = self._practitioner_bundle(batch, entity_id, item)
                batch.writer.add_practitioner_bundle(bundle, with_practitioner=False)
        if orgs:
            table = TABLES["organization"]
            rows = [{"entity_id": entity_id, **item.payload["organization"]} for entity_id, item in orgs]
            connection.execute(
                update(table)
                .where(table.c.id == bindparam("entity_id"))
                .values(
                    {key: bindparam(key) for key in rows[0] if key != "entity_id"}
                    | {"active": True, "last_seen_at": batch.now}
                ),
                rows,
            )
            for entity_id, item in orgs:
                self._update_organization_location(batch, entity_id, item.payload["location"])
            batch.writer.flush()
            reindex_organizations(connection, [entity_id for entity_id, _ in orgs])

    def _update_organization_location(
        self, batch: WriteBatch, organization_id: int, values: dict[str, Any]
    ) -> None:
        """Rewrite the organization's first location, unless another source placed it better."""
        connection = batch.connection
        current = connection.execute(
            select(Location.id, Location.geocode_precision)
            .where(Location.organization_id == organization_id)
            .order_by(Location.id)
            .limit(1)
        ).first()
        if current is None:
            row = full_row("location", id=batch.new_id("location"), organization_id=organization_id, **values)
            batch.writer.add_rows("location", [row])
        elif current.geocode_precision in (None, "zip_centroid"):
            connection.execute(update(Location).where(Location.id == current.id).values(**values))


def _initial(middle_name: str) -> str:
    return f"{middle_name[0].upper()}." if middle_name[:1].isalpha() else ""
