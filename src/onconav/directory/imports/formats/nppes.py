"""The NPPES NPI full replacement file read into typed records (`NppesRecord`), with a cheap pre-filter.

Only lines holding a quoted taxonomy code the caller imports, and deactivations, are parsed; the ~95% of
rows outside cancer care cost a regular-expression scan of the raw line. The column layout: `nppes_layout`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from onconav.directory.imports.formats.csv_file import (
    READ_BUFFER_BYTES,
    header_names,
    missing_columns,
    parse_record,
    read_records,
    record_text,
)
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
from onconav.directory.imports.formats.rejection import RowRejected
from onconav.errors import InvalidInput

NEEDED = (NPI, ENTITY_TYPE, ORGANIZATION_NAME, LAST_NAME, FIRST_NAME, LINE1, CITY, STATE, POSTAL_CODE)
SKIP_MARK_ROWS = 20_000  # a progress mark at least this often through skipped rows
# A line starts with the quoted 10-digit NPI and a comma, so bytes 13-14 hold the entity type's quotes:
# `""` there is a blank entity type (a deactivated NPI).
ENTITY_TYPE_QUOTES = slice(13, 15)
BLANK = b'""'
# A taxonomy code inside quotes: only lines holding an imported code are parsed (cheap pre-filter).
_QUOTED_CODE = re.compile(rb'"(2[0-9A-Z]{8}X)"')


@dataclass(frozen=True)
class NppesRetirement:
    """A deactivated NPI found by the reader's fast path (its row holds only the NPI and dates)."""

    npi: str


# What the reader yields per row: a line to parse, a retirement, or None (a progress mark over skipped rows).
NppesLine = bytes | NppesRetirement | None


class NppesRecord(NamedTuple):
    """One provider as an NPPES row (or an NPI Registry result) gives it: the columns the importer reads,
    trimmed ("" when blank or absent), and the taxonomy codes, primary first. A NamedTuple: one is made
    for every kept row of a national file, so it should cost little."""

    npi: str
    entity_type: str
    organization_name: str
    last_name: str
    first_name: str
    middle_name: str
    prefix: str
    suffix: str
    credential: str
    gender: str
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    deactivation_date: str
    reactivation_date: str
    taxonomy_codes: tuple[str, ...]

    @classmethod
    def from_columns(cls, value: Callable[[str], str], taxonomy_codes: Sequence[str]) -> NppesRecord:
        """The record of a row read through `value` (NPPES column name -> trimmed value)."""
        return cls(
            npi=value(NPI),
            entity_type=value(ENTITY_TYPE),
            organization_name=value(ORGANIZATION_NAME),
            last_name=value(LAST_NAME),
            first_name=value(FIRST_NAME),
            middle_name=value(MIDDLE_NAME),
            prefix=value(PREFIX),
            suffix=value(SUFFIX),
            credential=value(CREDENTIAL),
            gender=value(GENDER),
            line1=value(LINE1),
            line2=value(LINE2),
            city=value(CITY),
            state=value(STATE),
            postal_code=value(POSTAL_CODE),
            country=value(COUNTRY),
            phone=value(PHONE),
            deactivation_date=value(DEACTIVATION_DATE),
            reactivation_date=value(REACTIVATION_DATE),
            taxonomy_codes=tuple(taxonomy_codes),
        )


class NppesFile:
    """One NPPES file: where its header puts each column, and the reading of its rows."""

    def __init__(self, imported_codes: Iterable[str]) -> None:
        self.index: dict[str, int] = {}
        self.width = 0
        self.imported = frozenset(code.encode() for code in imported_codes)

    def read_header(self, handle: BinaryIO) -> int:
        """Validate the header line; remember where each column is. Returns its length in bytes."""
        line = handle.readline()
        names = [ALIASES.get(name, name) for name in header_names(line)]
        missing = missing_columns(names, (*NEEDED, *TAXONOMY_CODES))
        if missing is not None:
            raise InvalidInput(
                "This is not an NPPES NPI file: the header lacks %(columns)s.", columns=missing
            )
        self.index = {name: position for position, name in enumerate(names)}
        self.width = len(names)
        return len(line)

    def lines(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[tuple[int, int, NppesLine]]:
        """(row, byte offset after it, line) of the rows after `start_row` that may matter: lines with an
        imported taxonomy code or a blank entity type, and a None mark at least every SKIP_MARK_ROWS rows."""
        with path.open("rb", buffering=READ_BUFFER_BYTES) as handle:
            offset = self.read_header(handle)
            if start_offset > offset:
                handle.seek(start_offset)
                offset = start_offset
            row = start_row
            last_mark = row
            codes_in = _QUOTED_CODE.findall
            imported = self.imported
            for line in read_records(handle, every_value_quoted=True):
                offset += len(line)
                row += 1
                if line[ENTITY_TYPE_QUOTES] == BLANK:
                    yield row, offset, self._blank_entity_type(line)
                    last_mark = row
                elif not imported.isdisjoint(codes_in(line)):
                    yield row, offset, line
                    last_mark = row
                elif row - last_mark >= SKIP_MARK_ROWS:
                    yield row, offset, None
                    last_mark = row
            if row != last_mark:
                yield row, offset, None

    def _blank_entity_type(self, line: bytes) -> bytes | NppesRetirement:
        """A deactivated NPI's row holds only the NPI and dates (no commas inside values), so splitting on
        commas is exact; anything else is left to the full parse."""
        parts = line.rstrip(b"\r\n").split(b",")
        if (
            len(parts) == self.width
            and parts[self.index[DEACTIVATION_DATE]] != BLANK
            and parts[self.index[REACTIVATION_DATE]] == BLANK
        ):
            return NppesRetirement(parts[0].strip(b'"').decode("ascii", "replace"))
        return line

    def parse(self, line: bytes) -> NppesRecord:
        """The record of a line; RowRejected (with the NPI as source id) when its column count is wrong."""
        fields = parse_record(record_text(line))
        if len(fields) != self.width:
            npi = fields[0] if fields else None
            raise RowRejected(
                "column_count", f"has {len(fields)} columns, the header has {self.width}", source_id=npi
            )
        index = self.index

        def value(name: str) -> str:
            return fields[index[name]].strip() if name in index else ""

        return NppesRecord.from_columns(value, self._taxonomy_codes(fields))

    def _taxonomy_codes(self, fields: list[str]) -> list[str]:
        """The row's taxonomy codes, primary first."""
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
